// The projector against a real redis-server: commands run through a booking::Partition, their
// decisions go over the wire as batches, and the read model must then match the partition.
#include "booking/projector/projector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "booking/core/tests/core_fixture.h"
#include "booking/core/wire.h"
#include "booking/service/ids.h"
#include "shared/redis/redis_process.h"
#include "shared/redis/sync_client.h"

namespace boxoffice::booking::testing {
namespace {

constexpr int32_t kPartition = 2;

class ProjectorTest : public CoreTest {
 protected:
  static void SetUpTestSuite() {
    redis::RedisProcess::Options options;
    options.append_only = false;
    auto started = redis::RedisProcess::start(options);
    ASSERT_TRUE(started) << started.error();
    server_ = std::make_unique<redis::RedisProcess>(std::move(started).value());
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    auto client = redis::SyncClient::connect(server_->host(), server_->port());
    ASSERT_TRUE(client) << client.error();
    redis_ = std::make_unique<redis::SyncClient>(std::move(client).value());
    ASSERT_EQ(redis_->command({"FLUSHALL"})->str(), "OK");
    projector_ = make_projector(Projector::Options{});
  }

  std::unique_ptr<Projector> make_projector(Projector::Options options) {
    auto projector = Projector::connect(catalog_, server_->host(), server_->port(), options);
    EXPECT_TRUE(projector) << projector.error();
    return projector ? std::make_unique<Projector>(std::move(projector).value()) : nullptr;
  }

  // Runs a command and keeps its decisions as one wire batch, as the worker publishes them.
  std::vector<Decision> step(const Command& c) {
    std::vector<Decision> out = run(c);
    std::string batch;
    encode_decision_batch(out, batch);
    batches_.push_back(std::move(batch));
    for (const Decision& d : out) seen_types_.insert(std::string(to_string(d.type)));
    return out;
  }
  ReservationId step_hold(const Command& c) {
    const auto out = step(c);
    return out.empty() ? 0 : out.back().reservation_id;
  }

  Projector::Applied project(Projector& projector, size_t from = 0, size_t to = SIZE_MAX) {
    to = std::min(to, batches_.size());
    std::vector<std::string_view> views(batches_.begin() + static_cast<ptrdiff_t>(from),
                                        batches_.begin() + static_cast<ptrdiff_t>(to));
    auto applied = projector.apply(kPartition, views);
    EXPECT_TRUE(applied) << applied.error();
    return applied ? std::move(applied).value() : Projector::Applied{};
  }

  std::string get(std::string_view key) {
    auto reply = redis_->command({"GET", key});
    return reply ? std::string(reply->str()) : "?";
  }
  std::map<std::string, std::string> hash(const std::string& key) {
    std::map<std::string, std::string> out;
    auto reply = redis_->command({"HGETALL", key});
    if (!reply) return out;
    for (size_t i = 0; i + 1 < reply->size(); i += 2) {
      out[std::string((*reply)[i].str())] = std::string((*reply)[i + 1].str());
    }
    return out;
  }
  std::vector<std::string> list(const std::string& key) {
    std::vector<std::string> out;
    auto reply = redis_->command({"LRANGE", key, "0", "-1"});
    if (!reply) return out;
    for (size_t i = 0; i < reply->size(); ++i) out.emplace_back((*reply)[i].str());
    return out;
  }
  std::vector<std::string> keys(std::string_view pattern) {
    std::vector<std::string> out;
    auto reply = redis_->command({"KEYS", pattern});
    if (!reply) return out;
    for (size_t i = 0; i < reply->size(); ++i) out.emplace_back((*reply)[i].str());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string dump_all() {
    std::string out;
    for (const std::string& key : keys("*")) {
      auto value = redis_->command({"DUMP", key});
      out += key + " " + (value ? value->describe() : "?") + "\n";
    }
    return out;
  }

  static std::string csv(const SeatList& seats) {
    std::string out;
    for (SeatIndex s : seats.span()) out += (out.empty() ? "" : ",") + std::to_string(s);
    return out;
  }

  // The read model against the partition: every seat of every event, every waitlist, every
  // live reservation, and no reservation Redis thinks live that the partition has ended.
  void expect_read_model_matches() {
    for (const Event& event : catalog_.events) {
      const std::string seat_map = get("bx:seats:" + event.id);
      std::set<std::string> live;
      for (SeatIndex s = 0; s < event.seats.size(); ++s) {
        const char expected = std::array<char, 3>{
            '\0', 'h', 'b'}[static_cast<size_t>(partition_.seat_status(event.id, s))];
        const char actual = s < seat_map.size() ? seat_map[s] : '\0';
        EXPECT_EQ(actual, expected) << event.id << " seat " << event.seat_label(s);
        const auto waiting = partition_.waitlist(event.id, s);
        EXPECT_EQ(list("bx:wl:" + event.id + ":" + std::to_string(s)),
                  std::vector<std::string>(waiting.begin(), waiting.end()))
            << event.id << " waitlist of " << event.seat_label(s);
      }
      for (const ReservationView& r : partition_.reservations(event.id)) {
        const std::string rid = reservation_key(event.id, r.id);
        live.insert(rid);
        const auto fields = hash("bx:res:" + rid);
        const std::string status = r.status == ReservationStatus::kBooked ? "booked"
                                   : r.payment_started                    ? "payment_pending"
                                                                          : "held";
        ASSERT_FALSE(fields.empty()) << rid;
        EXPECT_EQ(fields.at("status"), status) << rid;
        EXPECT_EQ(fields.at("user"), r.user_id) << rid;
        EXPECT_EQ(fields.at("seats"), csv(r.seats)) << rid;
        EXPECT_EQ(fields.at("amount"), std::to_string(r.amount_cents)) << rid;
        EXPECT_EQ(fields.at("kind"), r.kind == HoldKind::kOffer ? "offer" : "reserve") << rid;
        auto member = redis_->command(
            {"SISMEMBER", "bx:user:" + std::string(r.user_id) + ":reservations", rid});
        EXPECT_EQ(member->integer(), 1) << rid;
        if (r.status == ReservationStatus::kHeld) {
          EXPECT_EQ(fields.at("expires_at"), std::to_string(r.expires_at_ms)) << rid;
        } else {
          auto booked =
              redis_->command({"ZSCORE", "bx:user:" + std::string(r.user_id) + ":bookings", rid});
          EXPECT_EQ(booked->str(), fields.at("booked_at")) << rid;
        }
      }
      for (const std::string& key : keys("bx:res:" + event.id + ".*")) {
        const std::string rid = key.substr(7);
        const std::string status = hash(key)["status"];
        if (status != "cancelled" && status != "expired") {
          EXPECT_TRUE(live.contains(rid)) << rid << " is " << status << " in Redis only";
        }
      }
    }
  }

  static std::unique_ptr<redis::RedisProcess> server_;
  std::unique_ptr<redis::SyncClient> redis_;
  std::unique_ptr<Projector> projector_;
  std::vector<std::string> batches_;
  std::set<std::string> seen_types_;
};

std::unique_ptr<redis::RedisProcess> ProjectorTest::server_;

// A scripted on-sale that yields every decision type.
TEST_F(ProjectorTest, EveryDecisionTypeEndsAsThePartitionSaysAndTwiceChangesNothing) {
  // Holds, a taken seat, waitlists, payment and booking.
  const ReservationId r1 = step_hold(reserve("u1", {"A-1-1", "A-1-2"}));
  step(reserve("u2", {"A-1-1"}));
  step(waitlist(CommandType::kJoinWaitlist, "u2", "A-1-1"));
  step(waitlist(CommandType::kJoinWaitlist, "u3", "A-1-1"));
  step(waitlist(CommandType::kJoinWaitlist, "u2", "A-1-1"));  // again: same place
  step(waitlist(CommandType::kLeaveWaitlist, "u3", "A-1-1"));
  step(waitlist(CommandType::kJoinWaitlist, "u4", "A-1-1"));
  step(on_reservation(CommandType::kPaymentStarted, "u1", r1));
  step(confirm("u1", r1, "pi_1", 2000));
  step(confirm("u1", r1, "pi_1", 2000));  // the same payment again
  // A cancel hands the seat to the head of its waitlist.
  const ReservationId r5 = step_hold(reserve("u5", {"A-2-1"}));
  step(waitlist(CommandType::kJoinWaitlist, "u6", "A-2-1"));
  step(on_reservation(CommandType::kCancel, "u5", r5));
  // Holds expire; a payment after that is refunded.
  const ReservationId r7 = step_hold(reserve("u7", {"B-1-1"}));
  const ReservationId r8 = step_hold(reserve("u8", {"A-2-2"}));
  now_ms_ += 61'000;
  step(on_reservation(CommandType::kExpire, "", r7));
  step(confirm("u8", r8, "pi_8", 1000));  // lazy expiry, then the refund
  // A waiting user at their ticket limit is skipped when the seat is handed over.
  step(best("u9", 4, kAnySection));
  const ReservationId r10 = step_hold(reserve("u10", {"A-1-3"}));
  step(waitlist(CommandType::kJoinWaitlist, "u9", "A-1-3"));
  step(waitlist(CommandType::kJoinWaitlist, "u11", "A-1-3"));
  step(on_reservation(CommandType::kCancel, "u10", r10));
  Command other = make(CommandType::kReserve, "u12");
  other.event_id = "evt_other";
  other.seats.push(0);
  step(other);

  EXPECT_EQ(seen_types_.size(), 12u) << "every decision type";
  EXPECT_EQ(partition_.seat_status("evt_small", seat("A-1-3")), SeatStatus::kHeld);
  EXPECT_EQ(partition_.seat_holder("evt_small", seat("A-1-3"))->user_id, "u11");

  const auto applied = project(*projector_);
  EXPECT_TRUE(applied.malformed.empty());
  EXPECT_EQ(applied.decisions, partition_.last_seq());
  EXPECT_EQ(*projector_->applied_seq(kPartition), partition_.last_seq());
  EXPECT_EQ(*projector_->applied_seq(kPartition + 1), 0u);
  expect_read_model_matches();
  EXPECT_EQ(hash("bx:res:" + reservation_key("evt_small", r1))["payment_id"], "pi_1");
  EXPECT_FALSE(hash("bx:refunds")["stripe:pi_8"].empty());

  const std::string before = dump_all();
  const auto again = project(*projector_);
  EXPECT_EQ(again.decisions, 0u);
  EXPECT_EQ(dump_all(), before);
}

TEST_F(ProjectorTest, RandomCommandsInRandomChunksWithRedeliveries) {
  std::mt19937 rng(20261128);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  const std::vector<std::string> users = {"u0", "u1", "u2", "u3", "u4", "u5", "u6"};
  std::vector<std::pair<std::string, ReservationId>> holds;  // user, id
  for (int i = 0; i < 600; ++i) {
    now_ms_ += static_cast<int64_t>(pick(20'000));
    const std::string& user = users[pick(users.size())];
    const size_t kind = pick(10);
    if (kind < 3) {
      Command c = make(CommandType::kReserve, user);
      for (size_t n = 1 + pick(2); n > 0; --n) c.seats.push(static_cast<SeatIndex>(pick(14)));
      step(c);
    } else if (kind == 3) {
      step(best(user, static_cast<uint16_t>(1 + pick(3))));
    } else if (kind <= 5) {
      Command c =
          make(pick(2) == 0 ? CommandType::kJoinWaitlist : CommandType::kLeaveWaitlist, user);
      c.seats.push(static_cast<SeatIndex>(pick(14)));
      step(c);
    } else if (!holds.empty()) {
      const auto& [holder, id] = holds[pick(holds.size())];
      const auto view = partition_.reservation("evt_small", id);
      const int64_t amount = view ? view->amount_cents : 1000;
      switch (kind) {
        case 6:
          step(on_reservation(CommandType::kPaymentStarted, holder, id));
          break;
        case 7:
          step(confirm(holder, id, "pi_" + std::to_string(i), pick(4) == 0 ? 1 : amount));
          break;
        case 8:
          step(on_reservation(CommandType::kCancel, pick(5) == 0 ? user : holder, id));
          break;
        default:
          step(on_reservation(CommandType::kExpire, "", id));
      }
    }
    if (!batches_.empty()) {
      auto decisions = decode_decision_batch(batches_.back());
      ASSERT_TRUE(decisions);
      for (const Decision& d : *decisions) {
        if (d.type == DecisionType::kHeld || d.type == DecisionType::kOffered) {
          holds.emplace_back(std::string(d.user_id), d.reservation_id);
        }
      }
    }
  }

  // Chunks of random size, a few of them delivered twice, through calls of 7 decisions.
  auto small_calls = make_projector(Projector::Options{7});
  ASSERT_NE(small_calls, nullptr);
  size_t at = 0;
  size_t applied = 0;
  while (at < batches_.size()) {
    const size_t next = std::min(batches_.size(), at + 1 + pick(40));
    applied += project(*small_calls, at, next).decisions;
    if (pick(4) == 0) {
      EXPECT_EQ(project(*small_calls, at, next).decisions, 0u) << "delivered twice";
    }
    if (pick(4) == 0 && at > 0) {
      EXPECT_EQ(project(*small_calls, pick(at), next).decisions, 0u) << "an older stretch";
    }
    at = next;
  }
  EXPECT_EQ(applied, partition_.last_seq());
  EXPECT_GE(seen_types_.size(), 10u);
  expect_read_model_matches();
}

TEST_F(ProjectorTest, MalformedBatchesAreReportedAndSkipped) {
  step(reserve("u1", {"A-1-1"}));
  batches_.emplace_back("\x01\x42\x05garbage");
  Decision outside;
  outside.seq = 100;
  outside.type = DecisionType::kHeld;
  outside.event_id = "evt_small";
  outside.user_id = "u9";
  outside.reservation_id = 1;
  outside.seats.push(14);  // evt_small has seats 0..13
  std::string bad_seat;
  encode_decision_batch(std::span<const Decision>(&outside, 1), bad_seat);
  batches_.push_back(bad_seat);
  outside.event_id = "evt_nope";
  std::string bad_event;
  encode_decision_batch(std::span<const Decision>(&outside, 1), bad_event);
  batches_.push_back(bad_event);
  step(reserve("u2", {"A-1-2"}));

  const auto applied = project(*projector_);
  EXPECT_EQ(applied.decisions, 2u);
  ASSERT_EQ(applied.malformed.size(), 3u);
  EXPECT_EQ(applied.malformed[0], "batch 1: truncated decision at byte 3");
  EXPECT_EQ(applied.malformed[1],
            "batch 2: decision seq 100 (held): seat 14 is not a seat of evt_small");
  EXPECT_EQ(applied.malformed[2], "batch 3: decision seq 100 (held): unknown event \"evt_nope\"");
  EXPECT_EQ(*projector_->applied_seq(kPartition), 2u);
  expect_read_model_matches();
}

TEST_F(ProjectorTest, ALostScriptCacheIsReloadedMidPipeline) {
  auto small_calls = make_projector(Projector::Options{2});
  ASSERT_NE(small_calls, nullptr);
  for (int i = 0; i < 6; ++i) step(reserve("u" + std::to_string(i), {"A-1-1"}));
  EXPECT_EQ(project(*small_calls, 0, 2).decisions, 2u);
  ASSERT_EQ(redis_->command({"SCRIPT", "FLUSH"})->str(), "OK");
  for (const char* label : {"A-1-2", "A-1-3", "A-1-4", "A-2-1"}) step(reserve("u9", {label}));
  EXPECT_EQ(project(*small_calls).decisions, partition_.last_seq() - 2);
  expect_read_model_matches();
}

TEST_F(ProjectorTest, AfterARestartTheNextCallReconnectsAndRebuilds) {
  // Its own server: this one restarts.
  redis::RedisProcess::Options options;
  options.append_only = false;
  auto server = redis::RedisProcess::start(options);
  ASSERT_TRUE(server) << server.error();
  auto connected = Projector::connect(catalog_, server->host(), server->port());
  ASSERT_TRUE(connected) << connected.error();
  Projector& projector = *connected;
  step(reserve("u1", {"A-1-1"}));
  std::vector<std::string_view> views(batches_.begin(), batches_.end());
  ASSERT_TRUE(projector.apply(kPartition, views));

  ASSERT_TRUE(server->restart());  // without AOF: an empty server
  step(reserve("u2", {"A-1-2"}));
  views.assign(batches_.begin(), batches_.end());
  auto lost = projector.apply(kPartition, views);
  ASSERT_FALSE(lost) << "the old connection is gone";
  EXPECT_FALSE(lost.error().empty());
  auto rebuilt = projector.apply(kPartition, views);
  ASSERT_TRUE(rebuilt) << rebuilt.error();
  EXPECT_EQ(rebuilt->decisions, 2u) << "an empty read model takes every decision again";
  auto seq = projector.applied_seq(kPartition);
  ASSERT_TRUE(seq) << seq.error();
  EXPECT_EQ(*seq, 2u);
}

TEST_F(ProjectorTest, NothingToApplyNeedsNoRoundTrip) {
  const std::vector<std::string_view> none;
  auto applied = projector_->apply(kPartition, none);
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->decisions, 0u);
  EXPECT_FALSE(projector_->apply(-1, none));
}

}  // namespace
}  // namespace boxoffice::booking::testing
