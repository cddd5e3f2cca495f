#include "shared/redis/sync_client.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shared/redis/redis_process.h"

namespace boxoffice::redis {
namespace {

class SyncClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    RedisProcess::Options no_aof;
    no_aof.append_only = false;
    auto started = RedisProcess::start(no_aof);
    ASSERT_TRUE(started) << started.error();
    server_ = std::make_unique<RedisProcess>(std::move(started).value());
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    auto connected = SyncClient::connect(server_->host(), server_->port());
    ASSERT_TRUE(connected) << connected.error();
    client_ = std::make_unique<SyncClient>(std::move(connected).value());
    ASSERT_EQ(run({"FLUSHALL"}), "OK");
  }

  std::string run(std::initializer_list<std::string_view> argv) {
    auto reply = client_->command(argv);
    return reply ? reply->describe() : "io error: " + reply.error();
  }

  static std::unique_ptr<RedisProcess> server_;
  std::unique_ptr<SyncClient> client_;
};

std::unique_ptr<RedisProcess> SyncClientTest::server_;

TEST_F(SyncClientTest, ArgumentsAndValuesAreBinarySafe) {
  const std::string key("k\0ey with spaces", 16);
  const std::string value("\0\x01\xff%s%n\r\n", 9);
  EXPECT_EQ(run({"SET", key, value}), "OK");
  auto reply = client_->command({"GET", key});
  ASSERT_TRUE(reply) << reply.error();
  ASSERT_TRUE(reply->is_string());
  EXPECT_EQ(reply->str(), value);
  EXPECT_TRUE(client_->command({"GET", "k"})->is_nil());
}

TEST_F(SyncClientTest, ReplyTypesAndAccessors) {
  auto status = client_->command({"SET", "n", "41"});
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->is_status());
  EXPECT_EQ(status->str(), "OK");
  EXPECT_EQ(status->integer(), 0);

  auto integer = client_->command({"INCR", "n"});
  ASSERT_TRUE(integer);
  EXPECT_TRUE(integer->is_integer());
  EXPECT_EQ(integer->integer(), 42);
  EXPECT_EQ(integer->str(), "");

  auto error = client_->command({"INCR", "no", "such", "arity"});
  ASSERT_TRUE(error) << "a Redis error is a reply, not an I/O failure";
  EXPECT_TRUE(error->is_error());
  EXPECT_NE(error->str().find("wrong number of arguments"), std::string_view::npos);
  EXPECT_TRUE(client_->healthy());

  EXPECT_EQ(run({"RPUSH", "l", "a", "b", "c"}), "(integer) 3");
  auto array = client_->command({"LRANGE", "l", "0", "-1"});
  ASSERT_TRUE(array);
  ASSERT_TRUE(array->is_array());
  ASSERT_EQ(array->size(), 3u);
  EXPECT_EQ((*array)[0].str(), "a");
  EXPECT_EQ((*array)[2].str(), "c");
  EXPECT_TRUE((*array)[3].is_nil()) << "out of range reads as nil";
  EXPECT_EQ(array->describe(), R"(["a", "b", "c"])");
}

TEST_F(SyncClientTest, NestedArrays) {
  EXPECT_EQ(run({"XADD", "s", "5-1", "d", "x"}), "\"5-1\"");
  auto range = client_->command({"XRANGE", "s", "-", "+"});
  ASSERT_TRUE(range);
  ASSERT_EQ(range->size(), 1u);
  EXPECT_EQ((*range)[0][0].str(), "5-1");
  EXPECT_EQ((*range)[0][1][1].str(), "x");
  EXPECT_EQ(range->describe(), R"([["5-1", ["d", "x"]]])");
}

TEST_F(SyncClientTest, PipelinedRepliesComeBackInOrder) {
  constexpr int kCommands = 200;
  for (int i = 0; i < kCommands; ++i) client_->append({"INCR", "counter"});
  client_->append({"GET", "missing"});
  for (int i = 1; i <= kCommands; ++i) {
    auto reply = client_->get_reply();
    ASSERT_TRUE(reply) << reply.error();
    ASSERT_EQ(reply->integer(), i);
  }
  auto last = client_->get_reply();
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->is_nil());
}

TEST_F(SyncClientTest, RepliesAreMovable) {
  auto reply = client_->command({"PING"});
  ASSERT_TRUE(reply);
  Reply moved = std::move(reply).value();
  EXPECT_EQ(moved.str(), "PONG");
  Reply assigned;
  EXPECT_TRUE(assigned.is_nil());
  assigned = std::move(moved);
  EXPECT_EQ(assigned.str(), "PONG");
}

TEST_F(SyncClientTest, ReadTimeoutIsAnIoErrorAndReconnectRecovers) {
  auto slow = SyncClient::connect(server_->host(), server_->port(), std::chrono::milliseconds(200));
  ASSERT_TRUE(slow) << slow.error();
  auto blocked = slow->command({"BLPOP", "never-filled", "0"});
  ASSERT_FALSE(blocked);
  EXPECT_FALSE(slow->healthy());
  EXPECT_FALSE(slow->command({"PING"})) << "a failed connection stays failed";
  ASSERT_TRUE(slow->reconnect());
  EXPECT_EQ(slow->command({"PING"})->str(), "PONG");
}

TEST(SyncClientConnectTest, RefusedConnectionIsAClearError) {
  RedisProcess::Options no_aof;
  no_aof.append_only = false;
  auto server = RedisProcess::start(no_aof);
  ASSERT_TRUE(server) << server.error();
  const uint16_t port = server->port();
  server->stop();
  auto client = SyncClient::connect(RedisProcess::kHost, port);
  ASSERT_FALSE(client);
  EXPECT_NE(client.error().find(std::to_string(port)), std::string::npos) << client.error();
}

TEST(SyncClientConnectTest, ServerRestartNeedsAReconnect) {
  auto server = RedisProcess::start({});
  ASSERT_TRUE(server) << server.error();
  auto client = SyncClient::connect(server->host(), server->port());
  ASSERT_TRUE(client) << client.error();
  ASSERT_EQ(client->command({"SET", "k", "v"})->str(), "OK");
  ASSERT_TRUE(server->restart());
  EXPECT_FALSE(client->command({"GET", "k"})) << "the old connection is gone";
  ASSERT_TRUE(client->reconnect());
  EXPECT_EQ(client->command({"GET", "k"})->str(), "v");
}

}  // namespace
}  // namespace boxoffice::redis
