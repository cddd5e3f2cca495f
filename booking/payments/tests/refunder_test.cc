// The refunder against a real redis-server and the simulator.
#include "booking/payments/refunder.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <thread>

#include "booking/payments/tests/http_test_util.h"
#include "shared/redis/redis_process.h"

namespace boxoffice::payments {
namespace {

namespace http = boost::beast::http;
using testing::http_call;
using testing::kCheckoutSecret;
using testing::kWebhookSecret;
using testing::PaysimRunner;
using testing::wait_until;
using testing::WebhookReceiver;

class Redis {
 public:
  explicit Redis(uint16_t port) : c_(redisConnect("127.0.0.1", port)) {
    EXPECT_TRUE(c_ != nullptr && c_->err == 0);
  }
  ~Redis() { redisFree(c_); }
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;

  void hset(const std::string& field, const std::string& value) {
    auto* r = static_cast<redisReply*>(redisCommand(c_, "HSET %s %b %b",
                                                    std::string(kRefundsKey).c_str(), field.data(),
                                                    field.size(), value.data(), value.size()));
    ASSERT_NE(r, nullptr);
    freeReplyObject(r);
  }
  bool owed(const std::string& field) {
    auto* r = static_cast<redisReply*>(redisCommand(
        c_, "HEXISTS %s %b", std::string(kRefundsKey).c_str(), field.data(), field.size()));
    const bool exists = r != nullptr && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    if (r != nullptr) freeReplyObject(r);
    return exists;
  }

 private:
  redisContext* c_;
};

// The value the projector stores for a refund owed (lua-rules/booking/README.md).
std::string owed_value(const std::string& provider, const std::string& payment_id, int64_t amount) {
  return R"({"payment_id":")" + payment_id + R"(","provider":")" + provider + R"(","amount":)" +
         std::to_string(amount) +
         R"(,"reservation_id":"evt_x.9","user":"fan-3","reason":"hold_expired","seq":12})";
}

std::string status_of(const PaysimRunner& sim, const std::string& payment_id) {
  const auto r = http_call(sim.port(), http::verb::get, "/v1/payments/" + payment_id);
  return std::string(r.json().at("status").as_string());
}

class RefunderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis::RedisProcess::Options o;
    o.append_only = false;
    auto redis = redis::RedisProcess::start(o);
    ASSERT_TRUE(redis.has_value()) << redis.error();
    redis_.emplace(std::move(*redis));
  }

  RefunderOptions options(const PaysimRunner& sim) const {
    RefunderOptions o;
    o.redis_port = redis_->port();
    o.providers["paysim"] = ProviderEndpoint{sim.url(), ""};
    o.backoff = Backoff{.initial_ms = 20, .max_ms = 100};
    o.poll_interval = std::chrono::milliseconds(50);
    o.request_timeout = std::chrono::seconds(2);
    return o;
  }

  std::optional<redis::RedisProcess> redis_;
};

// Runs a refunder on a thread for the scope of the object.
class Running {
 public:
  explicit Running(RefunderOptions o) {
    auto r = Refunder::create(std::move(o));
    if (!r) throw std::runtime_error(r.error());
    refunder_ = std::move(*r);
    thread_ = std::thread([this] { refunder_->run(); });
  }
  ~Running() {
    refunder_->stop();
    thread_.join();
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
  Refunder& operator*() { return *refunder_; }
  Refunder* operator->() { return refunder_.get(); }

 private:
  std::unique_ptr<Refunder> refunder_;
  std::thread thread_;
};

TEST_F(RefunderTest, RefundsWhatIsOwedAndDeletesOnlyAcknowledgedFields) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  paysim::PaysimOptions so;
  so.webhook_url = receiver.url();
  so.webhook_secret = std::string(kWebhookSecret);
  so.checkout_secret = std::string(kCheckoutSecret);
  PaysimRunner sim(so);
  const std::string paid = sim.pay(5000);

  Redis redis(redis_->port());
  redis.hset("paysim:" + paid, owed_value("paysim", paid, 5000));
  redis.hset("elsewhere:pay_1", owed_value("elsewhere", "pay_1", 10));  // no endpoint for it
  redis.hset("paysim:pay_garbled", "{not json");
  redis.hset("paysim:pay_unknown", owed_value("paysim", "pay_unknown", 10));  // provider says 404

  Running refunder(options(sim));
  // The refunder deletes the field before it counts the refund, so wait on the count.
  ASSERT_TRUE(wait_until([&] { return refunder->stats().refunded >= 1; }));
  EXPECT_FALSE(redis.owed("paysim:" + paid));
  EXPECT_EQ(status_of(sim, paid), "refunded");
  EXPECT_EQ(refunder->stats().refunded, 1U);

  // What could not be refunded stays owed, and is tried again.
  ASSERT_TRUE(wait_until([&] { return refunder->stats().failed_attempts >= 4; }));
  EXPECT_TRUE(redis.owed("elsewhere:pay_1"));
  EXPECT_TRUE(redis.owed("paysim:pay_unknown"));
  EXPECT_TRUE(redis.owed("paysim:pay_garbled"));
  EXPECT_EQ(refunder->stats().malformed, 1U);  // reported once, not every round
  EXPECT_GE(sim.counter("refunds_received"), 2U);

  // The same refund owed again (a replay): the provider answers with the first refund.
  redis.hset("paysim:" + paid, owed_value("paysim", paid, 5000));
  ASSERT_TRUE(wait_until([&] { return !redis.owed("paysim:" + paid); }));
  EXPECT_EQ(sim.counter("refunds_created"), 1U);
}

TEST_F(RefunderTest, RetriesUntilTheProviderAcknowledges) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  paysim::PaysimOptions so;
  so.webhook_url = receiver.url();
  so.webhook_secret = std::string(kWebhookSecret);
  so.checkout_secret = std::string(kCheckoutSecret);
  so.faults.fail_refunds = true;
  PaysimRunner sim(so);
  const std::string paid = sim.pay(700);
  Redis redis(redis_->port());
  redis.hset("paysim:" + paid, owed_value("paysim", paid, 700));

  Running refunder(options(sim));
  ASSERT_TRUE(wait_until([&] { return sim.counter("refunds_failed") >= 3; }));
  EXPECT_TRUE(redis.owed("paysim:" + paid));
  EXPECT_EQ(status_of(sim, paid), "succeeded");

  ASSERT_EQ(sim.set_mode(R"({"fail_refunds": false})"), 200U);
  ASSERT_TRUE(wait_until([&] { return refunder->stats().refunded >= 1; }));
  EXPECT_FALSE(redis.owed("paysim:" + paid));
  EXPECT_EQ(status_of(sim, paid), "refunded");
  EXPECT_EQ(refunder->stats().refunded, 1U);
}

TEST_F(RefunderTest, WaitsForRedisAndStopsPromptly) {
  RefunderOptions o;
  o.redis_port = redis_->port();
  o.poll_interval = std::chrono::milliseconds(50);
  redis_->stop();  // nobody listens there now
  Running refunder(o);
  EXPECT_TRUE(wait_until([&] { return refunder->stats().redis_errors >= 2; }));
}

TEST(RefunderOptionsTest, RefusesBadOptions) {
  RefunderOptions o;
  o.providers["paysim"] = ProviderEndpoint{"ftp://x", ""};
  EXPECT_FALSE(Refunder::create(o).has_value());
  o.providers["paysim"] = ProviderEndpoint{"http://127.0.0.1:1", ""};
  EXPECT_TRUE(Refunder::create(o).has_value());
  o.max_in_flight = 0;
  EXPECT_FALSE(Refunder::create(o).has_value());
  o.max_in_flight = 1;
  o.backoff.initial_ms = 0;
  EXPECT_FALSE(Refunder::create(o).has_value());
}

}  // namespace
}  // namespace boxoffice::payments
