// The admin API end to end: who may use it, configuring rooms live, pause and resume, the
// reveal, the figures and the pre-queue list.
#include <set>
#include <sstream>

#include "gateway/core/lottery.h"
#include "gateway/io/tests/gate_fixture.h"

namespace boxoffice::gateway::testing {
namespace {

using GateAdmin = GateTest;

TEST_F(GateAdmin, LoopbackMayUseIt) {
  start_gate();
  open_room("e1", {{"batch_size", 7}});
  const Response list = call("GET", "/admin/events");
  ASSERT_EQ(list.status, 200) << list.body;
  const nlohmann::json body = json_of(list);
  ASSERT_TRUE(body.contains("events")) << list.body;
  ASSERT_EQ(body["events"].size(), 1U) << list.body;
  EXPECT_EQ(body["events"][0].value("event", ""), "e1");
  EXPECT_EQ(body["events"][0]["config"].value("batch_size", 0), 7);
}

// The peer of every test connection is loopback, so a non-loopback peer cannot be tested
// here: what can be checked is that the secret path does not lock loopback out, whatever the
// bearer, and that the right bearer is accepted.
TEST_F(GateAdmin, WithASecretOnlyTheSecretPasses) {
  start_gate([](GateConfig& c) { c.admin_secret = "s3cret-s3cret"; });
  const Response right =
      call("PUT", "/admin/events/e1", {Header{"authorization", "Bearer s3cret-s3cret"}},
           R"({"mode":"fifo"})");
  EXPECT_EQ(right.status, 200) << right.body;
  const Response wrong =
      call("GET", "/admin/events/e1", {Header{"authorization", "Bearer not-the-secret"}});
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  EXPECT_NE(wrong.body.find("admin_forbidden"), std::string::npos) << wrong.body;
  const Response none = call("GET", "/admin/events/e1");
  EXPECT_EQ(none.status, 403) << none.body;
}

TEST_F(GateAdmin, BadRequestsChangeNothing) {
  start_gate();
  open_room("e1", {{"batch_size", 5}});
  struct Case {
    const char* method;
    std::string path;
    std::string body;
    int status;
    const char* code;
  };
  const int64_t now = wall_ms();
  const std::vector<Case> cases = {
      {"PUT", "/admin/events/e1", "not json", 400, "bad_json"},
      {"PUT", "/admin/events/e1", R"({"batch_size": 0})", 400, "bad_json"},
      {"PUT", "/admin/events/e1", R"({"no_such_field": 1})", 400, "bad_json"},
      {"PUT", "/admin/events/e1", R"({"version": 9})", 400, "bad_json"},
      {"PUT", "/admin/events/e1", R"({"mode": "random"})", 400, "bad_json"},
      // Checked against the room's settings: opening after the on-sale.
      {"PUT", "/admin/events/e1", R"({"queue_opens_at_ms": )" + std::to_string(now) + "}", 400,
       "bad_request"},
      // A new room: checked by configure.lua.
      {"PUT", "/admin/events/e2", R"({"queue_opens_at_ms": 20, "on_sale_at_ms": 10})", 400,
       "bad_request"},
      {"PUT", "/admin/events/Bad!", "{}", 400, "bad_request"},
      {"GET", "/admin/events/nope", "", 404, "unknown_event"},
      {"POST", "/admin/events/nope/pause", "", 404, "unknown_event"},
      {"POST", "/admin/events/e1/explode", "", 404, "not_found"},
      {"GET", "/admin/things", "", 404, "not_found"},
  };
  for (const Case& c : cases) {
    const Response r = call(c.method, c.path, {}, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.path << " " << c.body << ": " << r.body;
    EXPECT_EQ(error_code(r), c.code) << c.method << " " << c.path << " " << c.body;
  }
  const nlohmann::json f = figures("e1");
  EXPECT_EQ(f["config"].value("batch_size", 0), 5);
  EXPECT_EQ(f["config"].value("version", 0), 1);
  EXPECT_EQ(call("GET", "/admin/events/e2").status, 404);
}

TEST_F(GateAdmin, PauseStopsAdmissionAndResumeContinues) {
  start_gate();
  open_room("e1", {{"batch_size", 100}, {"batch_interval_ms", 20}, {"paused", true}});
  std::vector<std::string> tokens;
  tokens.reserve(3);
  for (int i = 0; i < 3; ++i) tokens.push_back(join_token("e1", "fan" + std::to_string(i)));
  EXPECT_EQ(json_of(status("e1", tokens[0])).value("phase", ""), "paused");

  // While paused, many tick intervals pass without admission.
  const int64_t until = wall_ms() + 300;
  poll_until([&] {
    EXPECT_EQ(figures("e1").value("admitted_watermark", -1), 0);
    return wall_ms() >= until;
  });
  EXPECT_EQ(json_of(status("e1", tokens[2])).value("phase", ""), "paused");

  const Response resumed = call("POST", "/admin/events/e1/resume");
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_FALSE(json_of(resumed)["config"].value("paused", true));
  for (const std::string& t : tokens) EXPECT_FALSE(await_admission("e1", t).empty());
  EXPECT_EQ(figures("e1").value("admitted_watermark", -1), 3);

  // Pause again: later joiners wait.
  ASSERT_EQ(call("POST", "/admin/events/e1/pause").status, 200);
  const std::string late = join_token("e1", "late");
  const int64_t until2 = wall_ms() + 200;
  poll_until([&] {
    EXPECT_EQ(json_of(status("e1", late)).value("phase", ""), "paused");
    return wall_ms() >= until2;
  });
}

TEST_F(GateAdmin, RevealOnlyOnceOnSale) {
  start_gate();
  const int64_t now = wall_ms();
  put_room("e1", {{"queue_opens_at_ms", 0}, {"on_sale_at_ms", now + 3'600'000}});
  const Response early = call("POST", "/admin/events/e1/reveal");
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(error_code(early), "not_revealable") << early.body;
  const nlohmann::json lottery = json_of(call("GET", "/queue/e1/lottery"));
  EXPECT_FALSE(lottery.value("revealed", true));
  EXPECT_TRUE(lottery["seed"].is_null());
  const std::string commitment = lottery.value("commitment", "");
  ASSERT_EQ(commitment.size(), 64U);

  put_room("e1", {{"on_sale_at_ms", wall_ms()}});
  const Response reveal = call("POST", "/admin/events/e1/reveal");
  ASSERT_EQ(reveal.status, 200) << reveal.body;
  const std::string seed_hex = json_of(reveal).value("seed", "");
  const auto seed = from_hex(seed_hex);
  ASSERT_TRUE(seed.has_value()) << reveal.body;
  EXPECT_EQ(seed_commitment(*seed), commitment);
  const nlohmann::json after = json_of(call("GET", "/queue/e1/lottery"));
  EXPECT_EQ(after.value("seed", ""), seed_hex);
  EXPECT_EQ(after.value("commitment", ""), commitment);
}

TEST_F(GateAdmin, FiguresAndPreQueue) {
  start_gate();
  const int64_t now = wall_ms();
  put_room("e1", {{"queue_opens_at_ms", 0},
                  {"on_sale_at_ms", now + 3'600'000},
                  {"batch_size", 3},
                  {"active_cap", 9}});
  for (const char* user : {"carol", "alice", "bob"}) ASSERT_EQ(join("e1", user).status, 200);
  ASSERT_TRUE(figure_reaches("e1", "pre_queue", 3));
  const nlohmann::json f = figures("e1");
  EXPECT_EQ(f.value("event", ""), "e1");
  EXPECT_EQ(f.value("pre_queue", -1), 3);
  EXPECT_EQ(f.value("joined", -1), 3);
  EXPECT_EQ(f.value("fifo", -1), 0);
  EXPECT_FALSE(f.value("sealed", true));
  EXPECT_FALSE(f.value("seed_revealed", true));
  EXPECT_EQ(f.value("lottery_commitment", "").size(), 64U);
  EXPECT_EQ(f["config"].value("batch_size", 0), 3);
  EXPECT_EQ(f["config"].value("active_cap", 0), 9);
  EXPECT_EQ(f["config"].value("on_sale_at_ms", int64_t{0}), now + 3'600'000);

  const Response pre = call("GET", "/admin/events/e1/pre-queue");
  ASSERT_EQ(pre.status, 200) << pre.body;
  std::set<std::string> listed;
  std::istringstream lines(pre.body);
  for (std::string line; std::getline(lines, line);) listed.insert(line);
  EXPECT_EQ(listed, (std::set<std::string>{"alice", "bob", "carol"}));
}

}  // namespace
}  // namespace boxoffice::gateway::testing
