#include "booking/app/config.h"

#include <gtest/gtest.h>

namespace boxoffice::booking {
namespace {

TEST(ConfigTest, EmptyTextKeepsTheDefaults) {
  auto c = parse_config("", BackendConfig{});
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->api_port, 8080);
  EXPECT_EQ(c->topics.commands, "boxoffice.commands");
  EXPECT_EQ(c->kafka_fetch_wait_ms, 500);  // brokers answer a waiting fetch when data arrives
}

TEST(ConfigTest, KeysOverrideDefaults) {
  auto c = parse_config(R"(
[kafka]
bootstrap = "127.0.0.1:9092"
partitions = 8
fetch_wait_ms = 100
events_topic = "ev"
[api]
port = 0
threads = 4
[worker]
snapshot_every_ms = 250
lag_report_every_ms = 500
)",
                        BackendConfig{});
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->kafka_bootstrap, "127.0.0.1:9092");
  EXPECT_EQ(c->kafka_partitions, 8);
  EXPECT_EQ(c->kafka_fetch_wait_ms, 100);
  EXPECT_EQ(c->topics.events, "ev");
  EXPECT_EQ(c->api_port, 0);
  EXPECT_EQ(c->api_threads, 4);
  EXPECT_EQ(c->snapshot_every_ms, 250);
  EXPECT_EQ(c->lag_report_every_ms, 500);
}

TEST(ConfigTest, ErrorsNameTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"[api]\nthreads = \"two\"", "api.threads: must be an integer"},
      {"[api]\nthreads = 0", "api.threads: must be between 1 and 256"},
      {"[api]\nport = 70000", "api.port: must be between 0 and 65535"},
      {"[api]\nthreds = 2", "api.threds: unknown key"},
      {"[nope]\nx = 1", "nope.x: unknown key"},
      {"api = 3", "api: expected a [api] table"},
      {"[kafka]\nevents_topic = \"\"", "kafka.events_topic: must be a non-empty string"},
      {"[kafka]\nfetch_wait_ms = 0", "kafka.fetch_wait_ms: must be between 1 and 60000"},
      {"[worker]\nsession_timeout_ms = 1000",
       "worker.session_timeout_ms: must be between 3000 and 300000"},
  };
  for (const auto& [text, want] : cases) {
    auto c = parse_config(text, BackendConfig{});
    ASSERT_FALSE(c.has_value()) << text;
    EXPECT_EQ(c.error(), want);
  }
  auto syntax = parse_config("[api\nport = 1", BackendConfig{});
  ASSERT_FALSE(syntax.has_value());
  EXPECT_NE(syntax.error().find("line 1"), std::string::npos) << syntax.error();
}

TEST(ConfigTest, MissingFileIsAnError) {
  auto c = load_config_file("no/such/file.toml", BackendConfig{});
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error(), "no/such/file.toml: cannot open");
}

}  // namespace
}  // namespace boxoffice::booking
