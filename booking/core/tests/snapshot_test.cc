#include <gmock/gmock.h>

#include <random>

#include "booking/core/tests/core_fixture.h"
#include "booking/core/wire.h"

namespace boxoffice::booking::testing {
namespace {

using ::testing::HasSubstr;

class SnapshotTest : public CoreTest {
 protected:
  // Decisions as wire bytes, taken right after each apply: their views last only until the next.
  static void apply(Partition& p, const Command& c, std::vector<std::string>& out) {
    std::vector<Decision> ds;
    p.apply(c, ds);
    for (const Decision& d : ds) encode_decision(d, out.emplace_back());
  }

  // A state with holds, an offer, a booking, waitlists and freed slots.
  std::vector<Command> busy_log() {
    std::vector<Command> log;
    log.push_back(reserve("alice", {"A-1-1", "A-1-2"}));
    log.push_back(reserve("bob", {"A-2-1"}));
    log.push_back(waitlist(CommandType::kJoinWaitlist, "carol", "A-1-1"));
    log.push_back(waitlist(CommandType::kJoinWaitlist, "dave", "A-2-1"));
    log.push_back(best("erin", 3));
    log.push_back(reserve("gina", {"B-1-8", "B-1-1"}));  // not adjacent: a scattered hold
    log.push_back(on_reservation(CommandType::kCancel, "alice", (1ULL << 32) | 0));
    log.push_back(confirm("bob", (2ULL << 32) | 1, "pay_b", 1000));
    log.push_back(on_reservation(CommandType::kPaymentStarted, "erin", (3ULL << 32) | 2));
    now_ms_ += 61'000;
    log.push_back(reserve("frank", {"B-1-1"}));
    return log;
  }
};

TEST_F(SnapshotTest, RestorePlusReplayEqualsStraightReplay) {
  const auto log = busy_log();
  for (size_t cut = 0; cut <= log.size(); ++cut) {
    Partition straight(catalog_);
    std::vector<std::string> expected;
    for (const Command& c : log) apply(straight, c, expected);

    Partition first(catalog_);
    std::vector<std::string> got;
    for (size_t i = 0; i < cut; ++i) apply(first, log[i], got);
    auto restored = Partition::restore(catalog_, first.snapshot());
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(restored->snapshot(), first.snapshot());
    for (size_t i = cut; i < log.size(); ++i) apply(*restored, log[i], got);
    EXPECT_EQ(got, expected) << "cut at " << cut;
    EXPECT_EQ(restored->snapshot(), straight.snapshot()) << "cut at " << cut;
  }
}

// The worker snapshots a copy on another thread: the copy must be the same state (same bytes,
// same decisions from then on) and share nothing with the original.
TEST_F(SnapshotTest, AClonePlaysOnLikeTheOriginalAndSharesNothingWithIt) {
  const auto log = busy_log();
  for (size_t cut = 0; cut <= log.size(); ++cut) {
    Partition original(catalog_);
    std::vector<std::string> before;
    for (size_t i = 0; i < cut; ++i) apply(original, log[i], before);
    Partition copy = original.clone();
    const std::string at_cut = original.snapshot();
    EXPECT_EQ(copy.snapshot(), at_cut) << "cut at " << cut;

    std::vector<std::string> from_original;
    std::vector<std::string> from_copy;
    for (size_t i = cut; i < log.size(); ++i) apply(original, log[i], from_original);
    EXPECT_EQ(copy.snapshot(), at_cut) << "the original's commands reached the copy, cut " << cut;
    for (size_t i = cut; i < log.size(); ++i) apply(copy, log[i], from_copy);
    EXPECT_EQ(from_copy, from_original) << "cut at " << cut;
    EXPECT_EQ(copy.snapshot(), original.snapshot()) << "cut at " << cut;
  }
}

// The worker copies into the copy it snapshotted last, which held some other state (here: the
// whole log, so more events, users and holds than the cut): nothing of it may remain.
TEST_F(SnapshotTest, ACopyIntoAnEarlierCopyPlaysOnLikeTheOriginal) {
  const auto log = busy_log();
  Partition target(catalog_);
  std::vector<std::string> ignored;
  for (const Command& c : log) apply(target, c, ignored);
  for (size_t cut = 0; cut <= log.size(); ++cut) {
    Partition original(catalog_);
    std::vector<std::string> before;
    for (size_t i = 0; i < cut; ++i) apply(original, log[i], before);
    original.copy_to(target);
    EXPECT_EQ(target.snapshot(), original.snapshot()) << "cut at " << cut;
    EXPECT_EQ(target.last_seq(), original.last_seq()) << "cut at " << cut;

    std::vector<std::string> from_original;
    std::vector<std::string> from_target;
    for (size_t i = cut; i < log.size(); ++i) apply(original, log[i], from_original);
    for (size_t i = cut; i < log.size(); ++i) apply(target, log[i], from_target);
    EXPECT_EQ(from_target, from_original) << "cut at " << cut;
    EXPECT_EQ(target.snapshot(), original.snapshot()) << "cut at " << cut;
  }
}

TEST_F(SnapshotTest, RejectsForeignAndDamagedSnapshots) {
  for (const Command& c : busy_log()) run(c);
  const std::string good = partition_.snapshot();

  Catalog other = std::move(parse_catalog(R"({"version": 1,
    "venues": [{"id": "v", "name": "V", "city": "C", "sections": [{"id": "S", "name": "S",
      "rows": [{"id": "1", "seats": "1-3"}]}]}],
    "events": [{"id": "evt_small", "title": "T", "artist": "A", "venue": "v",
      "starts_at": "2027-01-01T00:00:00Z", "on_sale_at": "2027-01-01T00:00:00Z",
      "currency": "EUR", "section_prices_cents": {"S": 1}}]})")
                                .value());
  auto foreign = Partition::restore(other, good);
  ASSERT_FALSE(foreign);
  EXPECT_THAT(foreign.error(), HasSubstr("different catalog"));

  EXPECT_THAT(Partition::restore(catalog_, "nonsense").error(), HasSubstr("not a snapshot"));
  std::string version = good;
  version[6] = 2;
  EXPECT_THAT(Partition::restore(catalog_, version).error(), HasSubstr("unsupported version"));
  EXPECT_THAT(Partition::restore(catalog_, good + "x").error(), HasSubstr("trailing bytes"));
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(Partition::restore(catalog_, good.substr(0, n))) << "truncated to " << n;
  }
}

TEST_F(SnapshotTest, CorruptSnapshotsNeverCrashAndRestoredOnesStayUsable) {
  for (const Command& c : busy_log()) run(c);
  const std::string good = partition_.snapshot();
  std::mt19937_64 rng(7);
  int accepted = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string bad = good;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < flips; ++k) {
      char& byte = bad[rng() % bad.size()];
      byte = static_cast<char>(static_cast<uint8_t>(byte) ^ (1u << (rng() % 8)));
    }
    auto restored = Partition::restore(catalog_, bad);
    if (!restored) continue;
    ++accepted;
    // Whatever was accepted is consistent enough to keep serving commands.
    std::vector<Decision> out;
    for (const Command& c : busy_log()) restored->apply(c, out);
    Command expire_all = make(CommandType::kExpire, "");
    expire_all.at_ms = now_ms_ + 10'000'000;
    for (uint64_t serial = 1; serial < 20; ++serial) {
      for (uint64_t slot = 0; slot < 8; ++slot) {
        expire_all.reservation_id = (serial << 32) | slot;
        restored->apply(expire_all, out);
      }
    }
  }
  SUCCEED() << accepted << " corrupted snapshots were still consistent";
}

}  // namespace
}  // namespace boxoffice::booking::testing
