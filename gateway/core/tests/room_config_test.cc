#include "gateway/core/room_config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace boxoffice::gateway {
namespace {

TEST(RoomConfigTest, WavesRoundTrip) {
  auto waves = parse_waves("1000:500,2000:500,3000:*");
  ASSERT_TRUE(waves) << waves.error().message;
  ASSERT_EQ(waves->size(), 3u);
  EXPECT_EQ((*waves)[1].opens_at_ms, 2000);
  EXPECT_EQ((*waves)[1].capacity, 500u);
  EXPECT_TRUE((*waves)[2].unbounded);
  EXPECT_EQ(encode_waves(*waves), "1000:500,2000:500,3000:*");
  EXPECT_TRUE(parse_waves("")->empty());
}

TEST(RoomConfigTest, BadWavesAreErrors) {
  for (const char* text : {"1000", "1000:0", "1000:*,2000:5", "2000:5,1000:5", "a:5", "1000:5,",
                           "01:5", "-1:5", "1000:5:6"}) {
    auto waves = parse_waves(text);
    EXPECT_FALSE(waves) << text;
    if (!waves) {
      EXPECT_NE(waves.error().message.find("waves"), std::string::npos);
    }
  }
}

TEST(RoomConfigTest, UpdateParsesEveryFieldAndBecomesScriptArgs) {
  auto u = parse_room_update(R"({"queue_opens_at_ms": 1000, "on_sale_at_ms": 5000,
      "batch_size": 50, "batch_interval_ms": 2000, "active_cap": 400, "session_ms": 60000,
      "paused": true, "mode": "fifo", "waves": [{"opens_at_ms": 5000, "capacity": 100},
      {"opens_at_ms": 9000, "capacity": "*"}], "pow_difficulty": 8, "lag_target": 1000})");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(configure_args(*u), (std::vector<std::string>{"queue_opens_at_ms",
                                                          "1000",
                                                          "on_sale_at_ms",
                                                          "5000",
                                                          "batch_size",
                                                          "50",
                                                          "batch_interval_ms",
                                                          "2000",
                                                          "active_cap",
                                                          "400",
                                                          "session_ms",
                                                          "60000",
                                                          "paused",
                                                          "1",
                                                          "mode",
                                                          "fifo",
                                                          "waves",
                                                          "5000:100,9000:*",
                                                          "pow_difficulty",
                                                          "8",
                                                          "lag_target",
                                                          "1000"}));
  auto merged = apply_update(RoomConfig(), *u);
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(merged->mode, RoomMode::kFifo);
  EXPECT_EQ(merged->waves.size(), 2u);
  EXPECT_TRUE(merged->paused);

  auto partial = parse_room_update(R"({"batch_size": 7, "waves": "1:2"})");
  ASSERT_TRUE(partial);
  EXPECT_EQ(configure_args(*partial),
            (std::vector<std::string>{"batch_size", "7", "waves", "1:2"}));
  EXPECT_TRUE(configure_args(*parse_room_update("{}")).empty());
}

TEST(RoomConfigTest, BadUpdatesNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([1])", "JSON object"},
      {R"({"batch_size": 0})", "batch_size"},
      {R"({"batch_size": -5})", "batch_size"},
      {R"({"batch_size": 1.5})", "batch_size"},
      {R"({"batch_size": "5"})", "batch_size"},
      {R"({"batch_interval_ms": 0})", "batch_interval_ms"},
      {R"({"on_sale_at_ms": 10000000000000000})", "on_sale_at_ms"},
      {R"({"mode": "random"})", "mode"},
      {R"({"paused": "yes"})", "paused"},
      {R"({"waves": [{"opens_at_ms": 1}]})", "waves"},
      {R"({"waves": "x"})", "waves"},
      {R"({"pow_difficulty": 41})", "pow_difficulty"},
      {R"({"version": 3})", "version"},
      {R"({"batchsize": 3})", "batchsize"},
      {R"({"batch_size": 3)", "JSON object"},
  };
  for (const auto& [json, field] : cases) {
    auto u = parse_room_update(json);
    ASSERT_FALSE(u) << json;
    EXPECT_NE(u.error().message.find(field), std::string::npos) << u.error().message;
  }
  EXPECT_EQ(parse_room_update(R"({"nope": 1})").error().code, Errc::kUnknownField);
}

TEST(RoomConfigTest, ApplyUpdateChecksTheMergedConfig) {
  RoomConfig c;
  c.on_sale_at_ms = 5000;
  RoomConfigUpdate u;
  u.queue_opens_at_ms = 6000;
  auto merged = apply_update(c, u);
  ASSERT_FALSE(merged);
  EXPECT_NE(merged.error().message.find("queue_opens_at_ms"), std::string::npos);
  EXPECT_TRUE(validate(RoomConfig()));
}

TEST(RoomConfigTest, JsonRoundTripsThroughTheUpdateParser) {
  RoomConfig c;
  c.on_sale_at_ms = 5000;
  c.waves = {Wave{5000, 10, false}, Wave{6000, 0, true}};
  c.version = 4;
  nlohmann::json j = room_config_json(c);
  EXPECT_EQ(j["version"], 4);
  j.erase("version");
  auto u = parse_room_update(j.dump());
  ASSERT_TRUE(u) << u.error().message;
  auto back = apply_update(RoomConfig(), *u);
  ASSERT_TRUE(back);
  EXPECT_EQ(encode_waves(back->waves), "5000:10,6000:*");
  EXPECT_EQ(back->on_sale_at_ms, 5000);
}

TEST(RoomConfigTest, ParsesTheRoomReplyFields) {
  FieldMap f = {{"queue_opens_at_ms", "1"},
                {"on_sale_at_ms", "2"},
                {"batch_size", "3"},
                {"batch_interval_ms", "4"},
                {"active_cap", "5"},
                {"session_ms", "6"},
                {"paused", "1"},
                {"mode", "passthrough"},
                {"waves", "2:5,3:*"},
                {"pow_difficulty", "7"},
                {"lag_target", "8"},
                {"version", "9"}};
  auto c = parse_room_config(f);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->session_ms, 6);
  EXPECT_EQ(c->mode, RoomMode::kPassthrough);
  EXPECT_EQ(c->version, 9u);
  EXPECT_EQ(c->pow_difficulty, 7);
  f.erase("lag_target");
  EXPECT_FALSE(parse_room_config(f));
  f["lag_target"] = "x";
  EXPECT_EQ(parse_room_config(f).error().code, Errc::kBadReply);
}

}  // namespace
}  // namespace boxoffice::gateway
