#include "booking/payments/refund_schedule.h"

#include <gtest/gtest.h>

namespace boxoffice::payments {
namespace {

OwedRefund owed(std::string payment_id) {
  OwedRefund r;
  r.provider = "paysim";
  r.payment_id = std::move(payment_id);
  r.field = r.provider + ":" + r.payment_id;
  r.amount_cents = 100;
  return r;
}

std::vector<std::string> fields(const std::vector<const OwedRefund*>& due) {
  std::vector<std::string> out;
  out.reserve(due.size());
  for (const OwedRefund* r : due) out.push_back(r->field);
  return out;
}

TEST(BackoffTest, DoublesUpToTheCap) {
  const Backoff b{.initial_ms = 100, .max_ms = 1000};
  EXPECT_EQ(b.delay_ms(0), 100);
  EXPECT_EQ(b.delay_ms(1), 100);
  EXPECT_EQ(b.delay_ms(2), 200);
  EXPECT_EQ(b.delay_ms(4), 800);
  EXPECT_EQ(b.delay_ms(5), 1000);
  EXPECT_EQ(b.delay_ms(UINT32_MAX), 1000);
  const Backoff huge{.initial_ms = INT64_MAX / 2 + 1, .max_ms = INT64_MAX};
  EXPECT_EQ(huge.delay_ms(3), INT64_MAX);
  EXPECT_EQ((Backoff{.initial_ms = 0, .max_ms = 10}.delay_ms(UINT32_MAX)), 0);
}

TEST(OwedRefundTest, ParsesTheReadModelValue) {
  auto r = parse_owed_refund(
      "paysim:pay_1",
      R"({"payment_id":"pay_1","provider":"paysim","amount":4500,"reservation_id":"evt_x.5",)"
      R"("user":"u1","reason":"hold_expired","seq":42})");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->field, "paysim:pay_1");
  EXPECT_EQ(r->payment_id, "pay_1");
  EXPECT_EQ(r->provider, "paysim");
  EXPECT_EQ(r->amount_cents, 4500);
  EXPECT_EQ(r->reservation, "evt_x.5");
  EXPECT_EQ(r->user, "u1");
  EXPECT_EQ(r->reason, "hold_expired");
  // The informational keys are optional; a numeric reservation id is kept as written.
  r = parse_owed_refund("p:x",
                        R"({"payment_id":"x","provider":"p","amount":0,"reservation_id":7})");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->reservation, "7");
}

TEST(OwedRefundTest, RefusesWhatCannotBeRefunded) {
  for (const auto& [field, value] : std::vector<std::pair<std::string, std::string>>{
           {"p:x", "not json"},
           {"p:x", "[]"},
           {"p:x", R"({"provider":"p","amount":1})"},
           {"p:x", R"({"payment_id":"x","amount":1})"},
           {"p:x", R"({"payment_id":"x","provider":"p"})"},
           {"p:x", R"({"payment_id":"","provider":"p","amount":1})"},
           {"p:x", R"({"payment_id":"x","provider":"p","amount":-1})"},
           {"p:x", R"({"payment_id":"x","provider":"p","amount":1.5})"},
           {"p:x", R"({"payment_id":"x","provider":"p","amount":"1"})"},
           {"p:x", R"({"payment_id":"x","provider":"p","amount":1,"user":3})"},
           {"p:x", R"({"payment_id":"x","provider":"p","amount":1,"seq":"3"})"},
           {"p:x", R"({"payment_id":"x","provider":"p","amount":1,"reservation_id":[]})"},
           {"q:x", R"({"payment_id":"x","provider":"p","amount":1})"},  // field disagrees
       }) {
    auto r = parse_owed_refund(field, value);
    EXPECT_FALSE(r.has_value()) << value;
    if (!r) {
      EXPECT_NE(r.error().find(field), std::string::npos) << r.error();
    }
  }
}

TEST(RefundScheduleTest, EverythingNewIsDueInFieldOrderUpToTheLimit) {
  const RefundSchedule s(Backoff{.initial_ms = 100, .max_ms = 1000});
  const std::vector<OwedRefund> all = {owed("c"), owed("a"), owed("b")};
  EXPECT_EQ(fields(s.due(all, 0, 10)),
            (std::vector<std::string>{"paysim:a", "paysim:b", "paysim:c"}));
  EXPECT_EQ(fields(s.due(all, 0, 2)), (std::vector<std::string>{"paysim:a", "paysim:b"}));
  EXPECT_FALSE(s.next_retry_ms().has_value());
}

TEST(RefundScheduleTest, FailuresBackOffAndNewOnesGoFirst) {
  RefundSchedule s(Backoff{.initial_ms = 100, .max_ms = 1000});
  const std::vector<OwedRefund> all = {owed("a"), owed("b")};
  s.failed("paysim:a", 1000);
  EXPECT_EQ(s.failures("paysim:a"), 1U);
  EXPECT_EQ(s.next_retry_ms(), 1100);
  EXPECT_EQ(fields(s.due(all, 1099, 10)), (std::vector<std::string>{"paysim:b"}));
  // Once due again, the one never tried still comes first: the limit cannot starve it.
  EXPECT_EQ(fields(s.due(all, 1100, 1)), (std::vector<std::string>{"paysim:b"}));
  EXPECT_EQ(fields(s.due(all, 1100, 10)), (std::vector<std::string>{"paysim:b", "paysim:a"}));
  s.failed("paysim:a", 1100);
  EXPECT_EQ(s.next_retry_ms(), 1300);  // 200 after the second failure
  s.succeeded("paysim:a");
  EXPECT_EQ(s.failures("paysim:a"), 0U);
  EXPECT_EQ(fields(s.due(all, 0, 10)), (std::vector<std::string>{"paysim:a", "paysim:b"}));
}

TEST(RefundScheduleTest, RetainForgetsWhatIsNoLongerOwed) {
  RefundSchedule s(Backoff{.initial_ms = 100, .max_ms = 1000});
  s.failed("paysim:a", 0);
  s.failed("paysim:b", 0);
  const std::vector<OwedRefund> left = {owed("b")};
  s.retain(left);
  EXPECT_EQ(s.failures("paysim:a"), 0U);
  EXPECT_EQ(s.failures("paysim:b"), 1U);
}

}  // namespace
}  // namespace boxoffice::payments
