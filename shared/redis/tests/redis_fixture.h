// A GoogleTest fixture with one redis-server per test suite (started on a free port, without
// AOF) and a fresh, flushed database and client per test.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/redis/redis_process.h"
#include "shared/redis/sync_client.h"

namespace boxoffice::redis::testing {

class RedisTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    RedisProcess::Options options;
    options.append_only = false;
    auto started = RedisProcess::start(options);
    ASSERT_TRUE(started) << started.error();
    server_ = std::make_unique<RedisProcess>(std::move(started).value());
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "the suite's redis-server did not start";
    client_ = connect();
    ASSERT_NE(client_, nullptr);
    ASSERT_EQ(run({"FLUSHALL"}), "OK");
    ASSERT_EQ(run({"SCRIPT", "FLUSH"}), "OK");
  }

  static std::unique_ptr<SyncClient> connect() {
    auto connected = SyncClient::connect(server_->host(), server_->port());
    EXPECT_TRUE(connected) << connected.error();
    if (!connected) return nullptr;
    return std::make_unique<SyncClient>(std::move(connected).value());
  }

  // The reply as describe() prints it, or "io error: ...".
  std::string run(std::initializer_list<std::string_view> argv) {
    auto reply = client_->command(argv);
    return reply ? reply->describe() : "io error: " + reply.error();
  }
  // A string reply's bytes ("" for nil or another type).
  std::string get(std::initializer_list<std::string_view> argv) {
    auto reply = client_->command(argv);
    return reply ? std::string(reply->str()) : std::string();
  }
  int64_t integer(std::initializer_list<std::string_view> argv) {
    auto reply = client_->command(argv);
    return reply ? reply->integer() : -1;
  }

  // The key names matching pattern, sorted: "a b c".
  std::string sorted_keys(std::string_view pattern = "*") {
    auto keys = client_->command({"KEYS", pattern});
    if (!keys) return "io error: " + keys.error();
    std::vector<std::string> names;
    for (size_t i = 0; i < keys->size(); ++i) names.emplace_back((*keys)[i].str());
    std::sort(names.begin(), names.end());
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : " ") + name;
    return out;
  }

  // Every key with its DUMP and TTL presence: equal dumps mean nothing changed.
  std::string dump_all() {
    std::string out;
    auto keys = client_->command({"KEYS", "*"});
    if (!keys) return "io error: " + keys.error();
    std::vector<std::string> names;
    for (size_t i = 0; i < keys->size(); ++i) names.emplace_back((*keys)[i].str());
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      auto value = client_->command({"DUMP", name});
      const bool expires = integer({"PTTL", name}) >= 0;
      out += name + (expires ? " (ttl) " : " ") + (value ? value->describe() : "?") + "\n";
    }
    return out;
  }

  static std::unique_ptr<RedisProcess> server_;
  std::unique_ptr<SyncClient> client_;
};

inline std::unique_ptr<RedisProcess> RedisTest::server_;

}  // namespace boxoffice::redis::testing
