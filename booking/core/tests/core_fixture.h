// Shared helpers for tests that drive a Partition over the test catalog.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <initializer_list>
#include <string>
#include <vector>

#include "booking/core/partition.h"
#include "booking/core/tests/test_catalog.h"

namespace boxoffice::booking::testing {

class CoreTest : public ::testing::Test {
 protected:
  const Catalog& catalog_ = test_catalog();
  const Event& event_ = *catalog_.find_event("evt_small");
  Partition partition_{catalog_};
  int64_t now_ms_ = kOnSaleMs + 2 * kHourMs;  // both waves open
  std::deque<std::string> strings_;           // backing store for command string views

  SeatIndex seat(std::string_view label) const {
    const auto s = event_.find_seat(label);
    EXPECT_TRUE(s) << label;
    return s.value_or(0);
  }
  std::string_view keep(std::string s) { return strings_.emplace_back(std::move(s)); }

  Command make(CommandType type, std::string_view user) {
    Command c;
    c.type = type;
    c.at_ms = now_ms_;
    c.event_id = "evt_small";
    c.user_id = keep(std::string(user));
    return c;
  }
  Command reserve(std::string_view user, std::initializer_list<std::string_view> labels) {
    Command c = make(CommandType::kReserve, user);
    for (auto l : labels) c.seats.push(seat(l));
    return c;
  }
  Command best(std::string_view user, uint16_t count, uint16_t section = kAnySection,
               int64_t min_price = 0, int64_t max_price = 0) {
    Command c = make(CommandType::kReserveBest, user);
    c.count = count;
    c.section = section;
    c.min_price_cents = min_price;
    c.max_price_cents = max_price;
    return c;
  }
  Command on_reservation(CommandType type, std::string_view user, ReservationId id) {
    Command c = make(type, user);
    c.reservation_id = id;
    return c;
  }
  Command confirm(std::string_view user, ReservationId id, std::string_view payment,
                  int64_t amount) {
    Command c = on_reservation(CommandType::kConfirm, user, id);
    c.payment_id = keep(std::string(payment));
    c.provider = "stripe";
    c.amount_cents = amount;
    return c;
  }
  Command waitlist(CommandType type, std::string_view user, std::string_view label) {
    Command c = make(type, user);
    c.seats.push(seat(label));
    return c;
  }

  std::vector<Decision> run(const Command& c) {
    std::vector<Decision> out;
    partition_.apply(c, out);
    return out;
  }
  // Runs a command expected to produce one decision of the given type.
  Decision run_one(const Command& c, DecisionType type) {
    auto out = run(c);
    EXPECT_EQ(out.size(), 1u);
    if (out.empty()) return {};
    EXPECT_EQ(to_string(out[0].type), to_string(type)) << "code " << to_string(out[0].code);
    return out[0];
  }
  ReservationId hold(std::string_view user, std::initializer_list<std::string_view> labels) {
    return run_one(reserve(user, labels), DecisionType::kHeld).reservation_id;
  }
  Errc rejection(const Command& c) {
    auto out = run(c);
    EXPECT_FALSE(out.empty());
    if (out.empty()) return Errc::kOk;
    EXPECT_EQ(to_string(out.back().type), "rejected");
    return out.back().code;
  }
  static std::vector<std::string_view> types(const std::vector<Decision>& ds) {
    std::vector<std::string_view> out;
    out.reserve(ds.size());
    for (const auto& d : ds) out.push_back(to_string(d.type));
    return out;
  }
};

}  // namespace boxoffice::booking::testing
