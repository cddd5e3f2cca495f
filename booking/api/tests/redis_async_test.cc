// The Asio-driven hiredis client against a real redis-server.
#include "booking/api/redis_async.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "shared/redis/redis_process.h"
#include "shared/redis/sync_client.h"

namespace boxoffice::booking::api {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Polls until pred holds or 10 s pass.
template <class Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class RedisAsyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis::RedisProcess::Options options;
    options.append_only = false;
    auto started = redis::RedisProcess::start(options);
    ASSERT_TRUE(started) << started.error();
    server_.emplace(std::move(started).value());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  void TearDown() override {
    // Clients go after the io_context stopped running (their documented lifetime).
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    subscriber_.reset();
    client_.reset();
  }

  RedisClient& client() {
    if (!client_) {
      RedisOptions o;
      o.port = server_->port();
      o.reconnect_min = 10ms;
      o.reconnect_max = 50ms;
      client_ = std::make_unique<RedisClient>(io_, o);
      client_->start();
      EXPECT_TRUE(eventually([&] { return client_->connected(); }));
    }
    return *client_;
  }

  RedisResult run(std::vector<std::string> argv) {
    std::promise<RedisResult> p;
    client().command(std::move(argv), [&p](RedisResult r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  std::optional<redis::RedisProcess> server_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  std::unique_ptr<RedisClient> client_;
  std::unique_ptr<RedisSubscriber> subscriber_;
};

TEST_F(RedisAsyncTest, RepliesOfEveryType) {
  EXPECT_EQ(run({"SET", "k", "v"})->type, RedisReply::Type::kStatus);
  const RedisResult value = run({"GET", "k"});
  ASSERT_TRUE(value);
  EXPECT_EQ(value->type, RedisReply::Type::kString);
  EXPECT_EQ(value->str, "v");
  EXPECT_TRUE(run({"GET", "missing"})->is_nil());
  EXPECT_EQ(run({"INCRBY", "n", "41"})->integer, 41);
  const RedisResult list = run({"RPUSH", "l", "a", "b"});
  EXPECT_EQ(list->integer, 2);
  const RedisResult items = run({"LRANGE", "l", "0", "-1"});
  ASSERT_EQ(items->elements.size(), 2U);
  EXPECT_EQ(items->elements[1].str, "b");
  const RedisResult error = run({"INCR", "k"});
  ASSERT_TRUE(error);  // an error reply is a reply, not a transport failure
  EXPECT_TRUE(error->is_error());
  EXPECT_NE(error->str.find("not an integer"), std::string::npos);
}

TEST_F(RedisAsyncTest, ArgumentsAreBinarySafeAndLargeRepliesArriveWhole) {
  const std::string key("k\0ey with spaces\r\n", 18);
  std::string big(300'000, '\0');  // many reads of 16 KB each
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  ASSERT_FALSE(run({"SET", key, big})->is_error());
  const RedisResult back = run({"GET", key});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->str, big);
}

TEST_F(RedisAsyncTest, TransactionsAnswerWithEveryReply) {
  std::promise<RedisResult> p;
  client().transaction({{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}},
                       [&p](RedisResult r) { p.set_value(std::move(r)); });
  const RedisResult r = p.get_future().get();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->elements.size(), 3U);
  EXPECT_EQ(r->elements[1].integer, 2);
  EXPECT_EQ(r->elements[2].str, "2");
  std::promise<RedisResult> bad;
  client().transaction({{"NOSUCHCOMMAND"}}, [&bad](RedisResult x) { bad.set_value(std::move(x)); });
  const RedisResult refused = bad.get_future().get();
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->is_error());
}

TEST_F(RedisAsyncTest, ManyThreadsEveryCallbackOnce) {
  RedisClient& c = client();
  std::atomic<int> answered{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> senders;
  senders.reserve(4);
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        c.command({"INCR", "counter"}, [&](RedisResult r) {
          if (!r || r->type != RedisReply::Type::kInteger) ++wrong;
          ++answered;
        });
      }
    });
  }
  for (auto& s : senders) s.join();
  ASSERT_TRUE(eventually([&] { return answered.load() == 2000; }));
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(run({"GET", "counter"})->str, "2000");
}

TEST_F(RedisAsyncTest, AwaitableFormCompletesOnTheCallersExecutor) {
  RedisClient& c = client();
  auto strand = asio::make_strand(io_);
  auto result = asio::co_spawn(
      strand,
      [&]() -> asio::awaitable<std::string> {
        std::vector<std::string> set = {"SET", "x", "from a coroutine"};
        (void)co_await c.async_command(std::move(set), asio::use_awaitable);
        std::vector<std::string> get = {"GET", "x"};
        RedisResult r = co_await c.async_command(std::move(get), asio::use_awaitable);
        EXPECT_TRUE(strand.running_in_this_thread());
        co_return r ? r->str : r.error();
      },
      asio::use_future);
  EXPECT_EQ(result.get(), "from a coroutine");
}

TEST_F(RedisAsyncTest, FailsFastWhileDisconnectedAndReconnects) {
  RedisClient& c = client();
  ASSERT_EQ(c.connects(), 1U);
  server_->kill();
  ASSERT_TRUE(eventually([&] { return !c.connected(); }));
  const RedisResult down = run({"PING"});
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error(), "redis unavailable");
  ASSERT_TRUE(server_->restart());
  ASSERT_TRUE(eventually([&] { return c.connected(); }));
  EXPECT_EQ(c.connects(), 2U);
  EXPECT_EQ(run({"PING"})->str, "PONG");
}

TEST_F(RedisAsyncTest, PendingCommandsFailWhenTheConnectionDrops) {
  RedisClient& c = client();
  std::promise<RedisResult> p;
  // BLPOP holds the reply until the server goes away.
  c.command({"BLPOP", "never", "0"}, [&p](RedisResult r) { p.set_value(std::move(r)); });
  auto other = redis::SyncClient::connect("127.0.0.1", server_->port());
  ASSERT_TRUE(other) << other.error();
  ASSERT_TRUE(eventually([&] {
    auto clients = other->command({"CLIENT", "LIST"});
    return clients && clients->str().find("cmd=blpop") != std::string::npos;
  }));
  server_->kill();
  const RedisResult lost = p.get_future().get();
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error(), "redis connection lost");
}

TEST_F(RedisAsyncTest, StopFailsWhatIsPending) {
  RedisClient& c = client();
  std::promise<RedisResult> p;
  c.command({"BLPOP", "never", "0"}, [&p](RedisResult r) { p.set_value(std::move(r)); });
  c.stop();
  EXPECT_FALSE(p.get_future().get());
  EXPECT_FALSE(run({"PING"}));
}

TEST_F(RedisAsyncTest, SubscriberGetsMessagesAndResubscribesAfterReconnect) {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> messages;
  std::atomic<int> subscribed{0};
  RedisOptions o;
  o.port = server_->port();
  o.reconnect_min = 10ms;
  o.reconnect_max = 50ms;
  subscriber_ = std::make_unique<RedisSubscriber>(
      io_, o, std::vector<std::string>{"bx:deltas:*"},
      [&](std::string_view channel, std::string_view payload) {
        std::lock_guard lock(mu);
        messages.emplace_back(channel, payload);
      },
      [&] { ++subscribed; });
  RedisSubscriber& sub = *subscriber_;
  sub.start();
  ASSERT_TRUE(eventually([&] { return sub.subscribed(); }));
  EXPECT_EQ(run({"PUBLISH", "bx:deltas:evt", std::string("a\0b", 3)})->integer, 1);
  EXPECT_EQ(run({"PUBLISH", "other", "x"})->integer, 0);
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return messages.size() == 1;
  }));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(messages[0].first, "bx:deltas:evt");
    EXPECT_EQ(messages[0].second, std::string("a\0b", 3));
  }

  server_->kill();
  ASSERT_TRUE(server_->restart());
  ASSERT_TRUE(eventually([&] { return subscribed.load() == 2 && sub.subscribed(); }));
  ASSERT_TRUE(eventually([&] { return client().connected(); }));
  EXPECT_EQ(run({"PUBLISH", "bx:deltas:evt2", "again"})->integer, 1);
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return messages.size() == 2;
  }));
  sub.stop();
  ASSERT_TRUE(eventually([&] { return !sub.subscribed(); }));
}

}  // namespace
}  // namespace boxoffice::booking::api
