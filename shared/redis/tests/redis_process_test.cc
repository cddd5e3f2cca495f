#include "shared/redis/redis_process.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <string>
#include <utility>

#include "shared/redis/sync_client.h"

namespace boxoffice::redis {
namespace {

namespace fs = std::filesystem;

std::string ping(const RedisProcess& server) {
  auto client = SyncClient::connect(server.host(), server.port());
  if (!client) return client.error();
  auto reply = client->command({"PING"});
  return reply ? reply->describe() : reply.error();
}

RedisProcess::Options options_with_dir(std::string dir) {
  RedisProcess::Options o;
  o.dir = std::move(dir);
  return o;
}
RedisProcess::Options options_with_port(uint16_t port) {
  RedisProcess::Options o;
  o.port = port;
  return o;
}
RedisProcess::Options options_with_binary(std::string binary) {
  RedisProcess::Options o;
  o.binary = std::move(binary);
  return o;
}

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

TEST(RedisProcessTest, StartsOnAFreePortAndStopRemovesItsTemporaryDirectory) {
  auto server = RedisProcess::start({});
  ASSERT_TRUE(server) << server.error();
  EXPECT_NE(server->port(), 0);
  EXPECT_GT(server->pid(), 0);
  EXPECT_TRUE(fs::is_directory(server->dir()));
  EXPECT_TRUE(fs::exists(fs::path(server->dir()) / "redis.log"));
  EXPECT_EQ(ping(*server), "PONG");

  const std::string dir = server->dir();
  const pid_t pid = server->pid();
  server->stop();
  EXPECT_FALSE(server->running());
  EXPECT_FALSE(process_exists(pid));
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_NE(ping(*server), "PONG");
  server->stop();  // idempotent
}

TEST(RedisProcessTest, RunsWithoutPerCommandLatencyTracking) {
  auto server = RedisProcess::start({});
  ASSERT_TRUE(server) << server.error();
  auto client = SyncClient::connect(server->host(), server->port());
  ASSERT_TRUE(client) << client.error();
  auto reply = client->command({"CONFIG", "GET", "latency-tracking"});
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_EQ(reply->describe(), R"(["latency-tracking", "no"])");
}

TEST(RedisProcessTest, TwoServersGetTheirOwnPortsAndDirectories) {
  auto a = RedisProcess::start({});
  auto b = RedisProcess::start({});
  ASSERT_TRUE(a) << a.error();
  ASSERT_TRUE(b) << b.error();
  EXPECT_NE(a->port(), b->port());
  EXPECT_NE(a->dir(), b->dir());
  EXPECT_EQ(ping(*a), "PONG");
  EXPECT_EQ(ping(*b), "PONG");
}

TEST(RedisProcessTest, DestructorStopsTheServer) {
  pid_t pid = -1;
  std::string dir;
  {
    auto server = RedisProcess::start({});
    ASSERT_TRUE(server) << server.error();
    pid = server->pid();
    dir = server->dir();
  }
  EXPECT_FALSE(process_exists(pid));
  EXPECT_FALSE(fs::exists(dir));
}

TEST(RedisProcessTest, MovedFromObjectLeavesTheServerRunning) {
  auto started = RedisProcess::start({});
  ASSERT_TRUE(started) << started.error();
  RedisProcess server = std::move(started).value();
  {
    RedisProcess other = std::move(server);
    EXPECT_EQ(ping(other), "PONG");
    server = std::move(other);
  }
  EXPECT_EQ(ping(server), "PONG");
}

TEST(RedisProcessTest, GivenDirectoryIsKeptAndTheAppendOnlyFileSurvivesARestart) {
  const fs::path dir =
      fs::temp_directory_path() / ("boxoffice-redis-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  {
    auto server = RedisProcess::start(options_with_dir(dir.string()));
    ASSERT_TRUE(server) << server.error();
    auto client = SyncClient::connect(server->host(), server->port());
    ASSERT_TRUE(client) << client.error();
    ASSERT_EQ(client->command({"SET", "k", "kept"})->describe(), "OK");
  }
  EXPECT_TRUE(fs::is_directory(dir));
  {
    auto server = RedisProcess::start(options_with_dir(dir.string()));
    ASSERT_TRUE(server) << server.error();
    auto client = SyncClient::connect(server->host(), server->port());
    ASSERT_TRUE(client) << client.error();
    EXPECT_EQ(client->command({"GET", "k"})->describe(), "\"kept\"");
  }
  fs::remove_all(dir);
}

TEST(RedisProcessTest, KillThenRestartKeepsPortAndWrittenData) {
  auto server = RedisProcess::start({});
  ASSERT_TRUE(server) << server.error();
  const uint16_t port = server->port();
  {
    auto client = SyncClient::connect(server->host(), port);
    ASSERT_TRUE(client) << client.error();
    ASSERT_EQ(client->command({"SET", "k", "v"})->describe(), "OK");
  }
  const pid_t old_pid = server->pid();
  server->kill();
  EXPECT_FALSE(process_exists(old_pid));
  EXPECT_TRUE(fs::is_directory(server->dir()));

  auto restarted = server->restart();
  ASSERT_TRUE(restarted) << restarted.error();
  EXPECT_EQ(server->port(), port);
  auto client = SyncClient::connect(server->host(), port);
  ASSERT_TRUE(client) << client.error();
  EXPECT_EQ(client->command({"GET", "k"})->describe(), "\"v\"");
}

TEST(RedisProcessTest, WithoutAppendOnlyARestartStartsEmpty) {
  RedisProcess::Options no_aof;
  no_aof.append_only = false;
  auto server = RedisProcess::start(no_aof);
  ASSERT_TRUE(server) << server.error();
  {
    auto client = SyncClient::connect(server->host(), server->port());
    ASSERT_TRUE(client) << client.error();
    ASSERT_EQ(client->command({"SET", "k", "v"})->describe(), "OK");
  }
  ASSERT_TRUE(server->restart());
  auto client = SyncClient::connect(server->host(), server->port());
  ASSERT_TRUE(client) << client.error();
  EXPECT_TRUE(client->command({"GET", "k"})->is_nil());
}

TEST(RedisProcessTest, ATakenPortIsAClearError) {
  auto first = RedisProcess::start({});
  ASSERT_TRUE(first) << first.error();
  auto second = RedisProcess::start(options_with_port(first->port()));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find(std::to_string(first->port())), std::string::npos)
      << second.error();
  EXPECT_EQ(ping(*first), "PONG");
}

TEST(RedisProcessTest, AMissingBinaryIsAClearError) {
  auto absolute = RedisProcess::start(options_with_binary("/nonexistent/redis-server"));
  ASSERT_FALSE(absolute);
  EXPECT_NE(absolute.error().find("/nonexistent/redis-server"), std::string::npos)
      << absolute.error();
  auto in_path = RedisProcess::start(options_with_binary("no-such-redis-server"));
  ASSERT_FALSE(in_path);
  EXPECT_NE(in_path.error().find("not found in PATH"), std::string::npos) << in_path.error();
}

}  // namespace
}  // namespace boxoffice::redis
