// The pure pieces: flood windows, ETag matching, content types, metrics text, the session
// allocator.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "gateway/server/flood_guard.h"
#include "gateway/server/metrics.h"
#include "gateway/server/session_allocator.h"
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

TEST(SessionAllocator, BlocksAreAlignedDistinctAndReused) {
  SessionAllocator a;
  std::vector<void*> blocks;
  for (size_t size : {size_t{0}, size_t{1}, size_t{16}, size_t{17}, size_t{300}, size_t{2048},
                      size_t{2049}, size_t{100000}}) {
    void* p = a.allocate(size);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0U) << size;
    std::memset(p, 0xab, size);  // the whole size is usable (ASan checks)
    blocks.push_back(p);
  }
  void* small = blocks[4];
  a.release(small);
  EXPECT_EQ(a.allocate(260), small);  // the same class: the freed block comes back
  for (void* p : blocks) a.release(p);
  a.release(nullptr);
}

TEST(SessionAllocator, ReallocateKeepsTheBytesAndCallocZeroes) {
  SessionAllocator a;
  const std::string digits = "0123456789";
  auto* p = static_cast<char*>(a.allocate(digits.size()));
  digits.copy(p, digits.size());
  EXPECT_EQ(a.reallocate(p, 16), p);  // still fits its class
  auto* q = static_cast<char*>(a.reallocate(p, 5000));
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(std::string(q, digits.size()), digits);
  a.release(q);
  nghttp2_mem* mem = a.mem();
  auto* z = static_cast<unsigned char*>(mem->calloc(7, 9, mem->mem_user_data));
  ASSERT_NE(z, nullptr);
  for (int i = 0; i < 63; ++i) EXPECT_EQ(z[i], 0);
  mem->free(z, mem->mem_user_data);
  EXPECT_EQ(mem->calloc(SIZE_MAX / 2, 4, mem->mem_user_data), nullptr);  // n * size overflows
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
