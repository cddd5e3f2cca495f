#include "gateway/core/room_status.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace boxoffice::gateway {
namespace {

RoomSnapshot room() {
  RoomSnapshot r;
  r.config.queue_opens_at_ms = 1'000;
  r.config.on_sale_at_ms = 10'000;
  r.config.batch_size = 100;
  r.config.batch_interval_ms = 2'000;
  r.config.session_ms = 60'000;
  r.sealed = true;
  r.pre_count = 1'000;
  r.watermark = 200;
  return r;
}

TEST(RoomStatusTest, ParsesTheFlatReply) {
  const std::vector<std::string_view> flat = {"queue_opens_at_ms",
                                              "1",
                                              "on_sale_at_ms",
                                              "2",
                                              "batch_size",
                                              "3",
                                              "batch_interval_ms",
                                              "4",
                                              "active_cap",
                                              "5",
                                              "session_ms",
                                              "6",
                                              "paused",
                                              "0",
                                              "mode",
                                              "lottery",
                                              "waves",
                                              "",
                                              "pow_difficulty",
                                              "0",
                                              "lag_target",
                                              "0",
                                              "version",
                                              "2",
                                              "sealed",
                                              "1",
                                              "pre_count",
                                              "10",
                                              "fifo_count",
                                              "3",
                                              "watermark",
                                              "4",
                                              "last_tick_ms",
                                              "99",
                                              "admitted_total",
                                              "4",
                                              "commitment",
                                              "ab",
                                              "revealed",
                                              "1",
                                              "seed",
                                              "cd",
                                              "active",
                                              "4"};
  auto r = parse_room_snapshot(flat);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->sealed);
  EXPECT_EQ(r->pre_count, 10u);
  EXPECT_EQ(r->fifo_count, 3u);
  EXPECT_EQ(r->watermark, 4u);
  EXPECT_EQ(r->last_tick_ms, 99);
  EXPECT_EQ(r->seed_hex, "cd");
  EXPECT_EQ(r->commitment, "ab");
  EXPECT_EQ(r->active, 4u);
  EXPECT_EQ(r->config.version, 2u);
  EXPECT_FALSE(parse_room_snapshot(std::span(flat).first(flat.size() - 1)));
  EXPECT_FALSE(parse_room_snapshot(std::span(flat).first(flat.size() - 2))) << "no active";
}

TEST(RoomStatusTest, Phases) {
  RoomSnapshot r = room();
  EXPECT_EQ(room_status(r, 150, 20'000).phase, Phase::kAdmitted);
  EXPECT_EQ(room_status(r, 200, 20'000).phase, Phase::kAdmitted);
  EXPECT_EQ(room_status(r, 201, 20'000).phase, Phase::kWaiting);
  r.config.paused = true;
  EXPECT_EQ(room_status(r, 201, 20'000).phase, Phase::kPaused);
  EXPECT_EQ(room_status(r, 150, 20'000).phase, Phase::kAdmitted) << "admitted stays admitted";
  r.config.mode = RoomMode::kClosed;
  EXPECT_EQ(room_status(r, 150, 20'000).phase, Phase::kClosed);
  r.config.mode = RoomMode::kPassthrough;
  EXPECT_EQ(room_status(r, 0, 20'000).phase, Phase::kAdmitted);

  RoomSnapshot before = room();
  before.sealed = false;
  before.watermark = 0;
  EXPECT_EQ(room_status(before, 0, 500).phase, Phase::kBeforeOpen);
  EXPECT_EQ(room_status(before, 0, 5'000).phase, Phase::kPreQueue);
}

TEST(RoomStatusTest, WaitEstimateFromBatchesAndInterval) {
  const RoomStatus s = room_status(room(), 450, 20'000);
  EXPECT_EQ(s.position, 450u);
  EXPECT_EQ(s.people_ahead, 249u);
  // 250 users to go at 100 per 2 s tick: 3 ticks, the first within one interval.
  EXPECT_EQ(s.wait_low_s, 4);
  EXPECT_EQ(s.wait_high_s, 6);
  const RoomStatus next = room_status(room(), 201, 20'000);
  EXPECT_EQ(next.wait_low_s, 0);
  EXPECT_EQ(next.wait_high_s, 2);
}

TEST(RoomStatusTest, CapStretchesTheEstimateBySessions) {
  RoomSnapshot r = room();
  r.config.active_cap = 100;
  r.active = 100;  // full: each further 100 wait for a session to end
  const RoomStatus s = room_status(r, 450, 20'000);
  EXPECT_EQ(s.wait_low_s, 120);  // 250 users = 3 sessions: at least 2 of them
  EXPECT_EQ(s.wait_high_s, 180);
}

TEST(RoomStatusTest, PreQueueEstimateSpansTheWholeDraw) {
  RoomSnapshot r = room();
  r.sealed = false;
  r.watermark = 0;
  const RoomStatus s = room_status(r, 0, 4'000);
  EXPECT_EQ(s.phase, Phase::kPreQueue);
  EXPECT_EQ(s.wait_low_s, 6) << "first in the draw: the time to on-sale";
  EXPECT_EQ(s.wait_high_s, 6 + 20) << "last: 1000 users at 100 per 2 s after it";
}

TEST(RoomStatusTest, WavesDelayAndBound) {
  RoomSnapshot r = room();
  r.config.waves = {Wave{10'000, 300, false}, Wave{100'000, 300, false}};
  EXPECT_EQ(wave_of(r.config, 1).wave, 1);
  EXPECT_EQ(wave_of(r.config, 300).wave, 1);
  EXPECT_EQ(wave_of(r.config, 301).wave, 2);
  EXPECT_EQ(wave_of(r.config, 301).opens_at_ms, 100'000);
  EXPECT_EQ(wave_of(r.config, 601).wave, 0);
  const RoomStatus second = room_status(r, 350, 20'000);
  EXPECT_EQ(second.wave, 2);
  EXPECT_EQ(second.wave_opens_at_ms, 100'000);
  EXPECT_EQ(second.wait_low_s, 80) << "not before its wave opens";
  const RoomStatus beyond = room_status(r, 700, 20'000);
  EXPECT_EQ(beyond.wave, 0);
  EXPECT_EQ(beyond.wait_low_s, -1);
  r.config.waves.push_back(Wave{200'000, 0, true});
  EXPECT_EQ(wave_of(r.config, 1'000'000).wave, 3);
  EXPECT_EQ(wave_of(RoomConfig(), 5).wave, 1) << "no waves: one wave";
}

}  // namespace
}  // namespace boxoffice::gateway
