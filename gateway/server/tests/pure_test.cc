// The pure pieces: flood windows, ETag matching, content types, metrics text.
#include <gtest/gtest.h>

#include <string>

#include "gateway/server/flood_guard.h"
#include "gateway/server/metrics.h"
#include "gateway/server/static_files.h"

namespace boxoffice::gateway::server {
namespace {

TEST(FloodGuard, CountsWithinAWindowOnly) {
  WindowCounter w(3, 1000);
  EXPECT_FALSE(w.add(0));
  EXPECT_FALSE(w.add(10));
  EXPECT_FALSE(w.add(999));
  EXPECT_TRUE(w.add(999));    // the fourth in one window
  EXPECT_FALSE(w.add(2000));  // a new window
  FloodGuard g(1, 2, 100);
  EXPECT_EQ(g.on_reset(0), Flood::kNone);
  EXPECT_EQ(g.on_reset(1), Flood::kResets);
  EXPECT_EQ(g.on_control_frame(1), Flood::kNone);
  EXPECT_EQ(g.on_control_frame(2), Flood::kNone);
  EXPECT_EQ(g.on_control_frame(3), Flood::kControlFrames);
}

TEST(StaticFiles, EtagMatching) {
  EXPECT_TRUE(etag_matches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("*", "\"abc\""));
  EXPECT_FALSE(etag_matches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(etag_matches("", "\"abc\""));
}

TEST(StaticFiles, ContentTypes) {
  EXPECT_EQ(content_type_for("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("/a/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("/style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("/blob"), "application/octet-stream");
}

TEST(StaticFiles, MissingDirectoryIsAnError) {
  auto files = StaticFiles::load("/nonexistent-boxoffice-dir");
  ASSERT_FALSE(files);
  EXPECT_NE(files.error().find("not a directory"), std::string::npos);
}

TEST(Metrics, PrometheusText) {
  ServerMetrics m;
  m.count_response(204);
  m.count_response(503);
  m.count_response(42);  // ignored
  m.connections_open = 3;
  std::string out;
  m.render_prometheus(out);
  EXPECT_NE(out.find("# HELP gate_http_connections_open "), std::string::npos);
  EXPECT_NE(out.find("# TYPE gate_http_connections_open gauge\ngate_http_connections_open 3\n"),
            std::string::npos);
  EXPECT_NE(out.find("gate_http_responses_total{code=\"2xx\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("gate_http_responses_total{code=\"5xx\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("gate_http_responses_total{code=\"4xx\"} 0\n"), std::string::npos);
}

}  // namespace
}  // namespace boxoffice::gateway::server
