// End to end over HTTP: `boxoffice embedded` (its own redis-server, the Kafka mock cluster,
// worker, relay, projector, API, payment simulator) driven like a fan and a payment provider.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "shared/redis/sync_client.h"
#include "shared/tokens/key_set.h"
#include "tests/embedded_backend.h"
#include "tests/http_client.h"

namespace boxoffice::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

// evt_slow: ten-minute holds (payments, contention); evt_fast: two-second holds (expiry).
constexpr std::string_view kCatalog = R"({"version": 1,
  "venues": [{"id": "v", "name": "Hall", "city": "Oslo", "sections": [
    {"id": "A", "name": "Front", "rows": [{"id": "1", "seats": "1-20"}]}]}],
  "events": [
    {"id": "evt_slow", "title": "Slow", "artist": "Band", "venue": "v",
     "starts_at": "2030-01-01T20:00:00Z", "on_sale_at": "2020-01-01T00:00:00Z",
     "currency": "EUR", "hold_s": 600, "section_prices_cents": {"A": 1500}},
    {"id": "evt_fast", "title": "Fast", "artist": "Band", "venue": "v",
     "starts_at": "2030-01-01T20:00:00Z", "on_sale_at": "2020-01-01T00:00:00Z",
     "currency": "EUR", "hold_s": 2, "offer_s": 600, "section_prices_cents": {"A": 1000}}]})";

// Polls f until it returns true (the read model follows the log within moments).
bool eventually(const std::function<bool()>& f, std::chrono::seconds limit = 30s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (f()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

class E2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("boxoffice-e2e-" + std::to_string(getpid())));
    fs::create_directories(*dir_);
    std::ofstream(*dir_ / "catalog.json") << kCatalog;
    // Generous deadlines: under sanitizers a decision can take a while.
    // Booking checks the gate's admission tokens on writes: the test holds the gate's key, so
    // it can admit its fans itself.
    keys_ = new tokens::KeySet();
    const auto kid = keys_->generate_ed25519();
    const fs::path key_file = *dir_ / "gate.pem";
    if (!kid || !keys_->set_active(*kid) ||
        !keys_->save_ed25519_pem_file(*kid, key_file.string())) {
      start_error_ = new std::string("cannot make the gate's signing key");
      return;
    }
    std::ofstream(*dir_ / "config.toml")
        << "[api]\ndecision_deadline_ms = 30000\n"
        << "[gate]\nport = 0\nsigning_key_file = \"" << key_file.string() << "\"\n";
    auto b = EmbeddedBackend::start({"--catalog", (*dir_ / "catalog.json").string(), "--config",
                                     (*dir_ / "config.toml").string()});
    if (!b) {
      start_error_ = new std::string(b.error());
      return;
    }
    backend_ = new EmbeddedBackend(std::move(*b));
  }
  static void TearDownTestSuite() {
    if (backend_ != nullptr) {
      EXPECT_EQ(backend_->stop(), 0);
    }
    delete backend_;
    delete start_error_;
    delete keys_;
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    ASSERT_NE(backend_, nullptr) << *start_error_;
    api_ = std::make_unique<HttpClient>("127.0.0.1", backend_->api_port());
    pay_ = std::make_unique<HttpClient>("127.0.0.1", backend_->paysim_port());
  }

  // The Authorization header of a fan the gate admitted to the event.
  static std::map<std::string, std::string> admitted(const std::string& user,
                                                     const std::string& event) {
    tokens::Claims claims;
    claims.sub = user;
    claims.event = event;
    claims.kind = std::string(tokens::kKindAdmission);
    claims.iat = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    claims.nbf = claims.iat;
    claims.exp = claims.iat + 3600;
    return {{"Authorization", "Bearer " + keys_->sign(claims)}};
  }

  json reserve(const std::string& event, const std::string& seat, const std::string& user,
               int want_status = 201) {
    HttpResponse r = api_->post("/events/" + event + "/seats/" + seat + "/reserve",
                                json{{"user_id", user}}.dump(), admitted(user, event));
    EXPECT_EQ(r.status, want_status) << r.body;
    return json::parse(r.body, nullptr, false);
  }
  // Pays through the simulator's hosted checkout, as the fan's browser would.
  json pay(const json& reservation, const std::string& outcome = "succeed") {
    const std::string url = reservation.at("payment_url");
    const std::string target = url.substr(url.find("/checkout/"));
    const size_t q = target.find('?');
    HttpResponse r =
        pay_->post(target.substr(0, q) + "/pay" + target.substr(q) + "&outcome=" + outcome, "");
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }
  json get(HttpClient& c, const std::string& target) {
    HttpResponse r = c.get(target);
    return json::parse(r.body, nullptr, false);
  }
  std::string status_of(const std::string& rid) {
    json r = get(*api_, "/reservations/" + rid);
    return r.is_object() && r.contains("status") ? r["status"].get<std::string>() : "";
  }
  std::vector<std::string> history_types(const std::string& event, const std::string& seat) {
    std::vector<std::string> types;
    json h = get(*api_, "/events/" + event + "/seats/" + seat + "/history");
    for (const json& e : h.value("history", json::array())) types.push_back(e.at("type"));
    return types;
  }
  std::string seat_status(const std::string& event, const std::string& seat) {
    json map = get(*api_, "/events/" + event + "/seats");
    for (const json& section : map.at("sections")) {
      for (const json& s : section.at("seats")) {
        if (s.at("seat_id") == seat) return s.at("status");
      }
    }
    return "";
  }
  void control(const json& mode) {
    HttpResponse r = pay_->post("/control", mode.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  }

  static fs::path* dir_;
  static tokens::KeySet* keys_;
  static EmbeddedBackend* backend_;
  static std::string* start_error_;
  std::unique_ptr<HttpClient> api_, pay_;
};

fs::path* E2eTest::dir_ = nullptr;
tokens::KeySet* E2eTest::keys_ = nullptr;
EmbeddedBackend* E2eTest::backend_ = nullptr;
std::string* E2eTest::start_error_ = nullptr;

TEST_F(E2eTest, ReservePayBooked) {
  json held = reserve("evt_slow", "A-1-1", "alice");
  const std::string rid = held.at("reservation_id");
  EXPECT_EQ(held.at("status"), "reserved");
  EXPECT_EQ(held.at("amount_cents"), 1500);
  EXPECT_TRUE(eventually([&] { return seat_status("evt_slow", "A-1-1") == "reserved"; }));
  json payment = pay(held);
  EXPECT_EQ(payment.at("status"), "succeeded");
  EXPECT_TRUE(eventually([&] { return status_of(rid) == "confirmed"; })) << status_of(rid);
  EXPECT_TRUE(eventually([&] { return seat_status("evt_slow", "A-1-1") == "booked"; }));
  json bookings = get(*api_, "/users/alice/bookings");
  ASSERT_EQ(bookings.at("bookings").size(), 1u);
  EXPECT_EQ(bookings["bookings"][0].at("booking_id"), rid);
  // The seat is sold: another fan is refused.
  json taken = reserve("evt_slow", "A-1-1", "bob", 409);
  EXPECT_EQ(taken["error"]["code"], "seat_taken");
}

// Without redis.dir the data directory is temporary: no append-only file to pay for.
TEST_F(E2eTest, TheTemporaryRedisWritesNoAppendOnlyFile) {
  auto redis = redis::SyncClient::connect("127.0.0.1", backend_->redis_port());
  ASSERT_TRUE(redis.has_value()) << redis.error();
  auto reply = redis->command({"CONFIG", "GET", "appendonly"});
  ASSERT_TRUE(reply.has_value()) << reply.error();
  ASSERT_EQ(reply->size(), 2u) << reply->describe();
  EXPECT_EQ((*reply)[1].str(), "no");
}

TEST_F(E2eTest, AnExpiredHoldGoesToTheHeadOfTheWaitlist) {
  json held = reserve("evt_fast", "A-1-2", "carol");
  HttpResponse joined = api_->post("/events/evt_fast/seats/A-1-2/waitlist",
                                   json{{"user_id", "dave"}}.dump(), admitted("dave", "evt_fast"));
  ASSERT_EQ(joined.status, 201) << joined.body;
  EXPECT_EQ(json::parse(joined.body).at("position"), 1);
  // Two seconds later the relay delivers carol's Expire; the seat is offered to dave.
  EXPECT_TRUE(eventually([&] {
    const auto types = history_types("evt_fast", "A-1-2");
    return std::find(types.begin(), types.end(), "offered") != types.end();
  })) << json(history_types("evt_fast", "A-1-2")).dump();
  EXPECT_EQ(status_of(held.at("reservation_id")), "expired");
  json h = get(*api_, "/events/evt_fast/seats/A-1-2/history");
  EXPECT_EQ(h["history"].back().at("user_id"), "dave");
  EXPECT_EQ(seat_status("evt_fast", "A-1-2"), "reserved");
}

TEST_F(E2eTest, ALatePaymentIsRefunded) {
  json held = reserve("evt_fast", "A-1-3", "erin");
  const std::string rid = held.at("reservation_id");
  ASSERT_TRUE(eventually([&] { return status_of(rid) == "expired"; }));
  json payment = pay(held);  // the fan paid after the hold ended
  const std::string payment_id = payment.at("payment_id");
  EXPECT_TRUE(eventually([&] {
    json p = get(*pay_, "/v1/payments/" + payment_id);
    return p.is_object() && p.value("status", "") == "refunded";
  })) << get(*pay_, "/v1/payments/" + payment_id).dump();
  EXPECT_NE(status_of(rid), "confirmed");
}

TEST_F(E2eTest, DuplicateAndReorderedWebhooksChangeNothing) {
  control({{"duplicate_webhooks", true}});
  json first = reserve("evt_slow", "A-1-4", "frank");
  pay(first);
  EXPECT_TRUE(eventually([&] { return status_of(first.at("reservation_id")) == "confirmed"; }));
  control({{"duplicate_webhooks", false}, {"reorder_webhooks", true}});
  json second = reserve("evt_slow", "A-1-5", "grace");
  json third = reserve("evt_slow", "A-1-6", "grace");
  pay(second);
  pay(third);
  ASSERT_EQ(pay_->post("/control/flush", "").status, 200);
  control({{"reorder_webhooks", false}});
  for (const json* r : {&second, &third}) {
    EXPECT_TRUE(eventually([&] { return status_of(r->at("reservation_id")) == "confirmed"; }));
  }
  std::this_thread::sleep_for(1s);  // let any late duplicate land before counting
  // A repeated confirm is answered again (and audited as such) but books nothing new: each
  // seat keeps one booking and one payment.
  for (const json* r : {&first, &second, &third}) {
    json now = get(*api_, "/reservations/" + r->at("reservation_id").get<std::string>());
    EXPECT_EQ(now.at("status"), "confirmed");
    std::set<std::string> payments;
    json h =
        get(*api_, "/events/evt_slow/seats/" + r->at("seat_id").get<std::string>() + "/history");
    for (const json& e : h.at("history")) {
      if (e.at("type") == "booked") payments.insert(e.at("payment_id").get<std::string>());
    }
    EXPECT_EQ(payments.size(), 1u);
  }
  EXPECT_EQ(get(*api_, "/users/frank/bookings").at("bookings").size(), 1u);
  EXPECT_EQ(get(*api_, "/users/grace/bookings").at("bookings").size(), 2u);
  EXPECT_GT(get(*pay_, "/control").at("counters").value("webhooks_sent", 0), 3);
}

TEST_F(E2eTest, BadInputGetsAClearErrorAndChangesNothing) {
  auto code = [](const HttpResponse& r) {
    json j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  };
  HttpResponse bad_json = api_->post("/events/evt_slow/seats/A-1-7/reserve", "{\"user_id\":");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(code(bad_json), "bad_json");
  // A write that bypassed the gate: no admission token, or one for another event or user.
  HttpResponse no_token = api_->post("/events/evt_slow/seats/A-1-7/reserve", R"({"user_id":"x"})");
  EXPECT_EQ(no_token.status, 401);
  EXPECT_EQ(code(no_token), "admission_required");
  HttpResponse other_event = api_->post("/events/evt_slow/seats/A-1-7/reserve",
                                        R"({"user_id":"x"})", admitted("x", "evt_fast"));
  EXPECT_EQ(other_event.status, 403);
  EXPECT_EQ(code(other_event), "invalid_admission");
  EXPECT_EQ(json::parse(other_event.body)["error"]["reason"], "wrong_event");
  HttpResponse other_user = api_->post("/events/evt_slow/seats/A-1-7/reserve", R"({"user_id":"x"})",
                                       admitted("y", "evt_slow"));
  EXPECT_EQ(code(other_user), "identity_mismatch");
  auto forged_token = admitted("x", "evt_slow");
  forged_token["Authorization"].back() ^= 1;
  EXPECT_EQ(
      code(api_->post("/events/evt_slow/seats/A-1-7/reserve", R"({"user_id":"x"})", forged_token)),
      "invalid_admission");
  EXPECT_EQ(code(api_->post("/events/evt_nope/seats/A-1-7/reserve", R"({"user_id":"x"})")),
            "unknown_event");
  EXPECT_EQ(code(api_->post("/events/evt_slow/seats/Z-9-9/reserve", R"({"user_id":"x"})",
                            admitted("x", "evt_slow"))),
            "unknown_seat");
  EXPECT_EQ(code(api_->post("/reservations/garbage/cancel", R"({"user_id":"x"})")),
            "bad_reservation_id");
  HttpResponse forged = api_->post("/webhooks/payments", R"({"type":"payment_intent.succeeded"})",
                                   {{"Boxoffice-Signature", "t=1,v1=00"}});
  EXPECT_EQ(forged.status, 400);
  EXPECT_EQ(api_->get("/no/such/route").status, 404);
  // None of it touched the seat.
  EXPECT_EQ(seat_status("evt_slow", "A-1-7"), "available");
  EXPECT_TRUE(history_types("evt_slow", "A-1-7").empty());
}

// 1,000 fans at once on the same 10 seats: exactly 10 holds, 990 clear rejections.
TEST_F(E2eTest, ContentionGivesEachSeatToExactlyOneFan) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  constexpr int kClients = 1000;
  asio::io_context io;
  std::map<int, int> by_status;
  std::map<std::string, int> by_code;
  const asio::ip::tcp::endpoint api(asio::ip::make_address("127.0.0.1"), backend_->api_port());
  struct Client {
    beast::tcp_stream stream;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
    beast::flat_buffer buffer;
    explicit Client(asio::io_context& ctx) : stream(ctx) {}
  };
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    auto& c = *clients.emplace_back(std::make_unique<Client>(io));
    const std::string seat = "A-1-" + std::to_string(11 + i % 10);
    c.req = {http::verb::post, "/events/evt_slow/seats/" + seat + "/reserve", 11};
    c.req.set(http::field::host, "127.0.0.1");
    c.req.set(http::field::content_type, "application/json");
    c.req.body() = json{{"user_id", "fan" + std::to_string(i)}}.dump();
    c.req.set(http::field::authorization,
              admitted("fan" + std::to_string(i), "evt_slow").at("Authorization"));
    c.req.prepare_payload();
    c.stream.expires_after(120s);
    c.stream.async_connect(api, [&c, &by_status, &by_code](beast::error_code ec) {
      if (ec) {
        ++by_status[0];
        return;
      }
      http::async_write(c.stream, c.req, [&c, &by_status, &by_code](beast::error_code ec2, size_t) {
        if (ec2) {
          ++by_status[0];
          return;
        }
        http::async_read(c.stream, c.buffer, c.res,
                         [&c, &by_status, &by_code](beast::error_code ec3, size_t) {
                           ++by_status[ec3 ? 0 : static_cast<int>(c.res.result_int())];
                           json j = json::parse(c.res.body(), nullptr, false);
                           if (j.is_object() && j.contains("error")) {
                             ++by_code[j["error"].value("code", "")];
                           }
                         });
      });
    });
  }
  io.run();
  EXPECT_EQ(by_status[201], 10);
  EXPECT_EQ(by_status[409], kClients - 10);
  EXPECT_EQ(by_code["seat_taken"], kClients - 10);
  EXPECT_EQ(by_status[0], 0) << "transport errors";
}

// The mock cluster's log lives as long as the process: a kept Redis directory holding an
// earlier run's projector marks and snapshots is refused at the next start, since resuming from
// them would skip the new run's commands and decisions.
TEST(EmbeddedRestartTest, AKeptRedisDirectoryFromAnEarlierRunIsRefused) {
  const fs::path dir =
      fs::temp_directory_path() / ("boxoffice-kept-redis-" + std::to_string(getpid()));
  fs::create_directories(dir / "redis");
  struct RemoveAtEnd {
    fs::path path;
    ~RemoveAtEnd() { fs::remove_all(path); }
  } remove_at_end{dir};
  std::ofstream(dir / "catalog.json") << kCatalog;
  std::ofstream(dir / "config.toml")
      << "[gate]\nport = 0\nhs256_secret = \"kept-redis-test-0123456789abcdef\"\n"
      << "[redis]\ndir = \"" << (dir / "redis").string() << "\"\n";
  const std::vector<std::string> args = {"--catalog", (dir / "catalog.json").string(), "--config",
                                         (dir / "config.toml").string()};
  {
    auto first = EmbeddedBackend::start(args);
    ASSERT_TRUE(first.has_value()) << first.error();
    auto redis = redis::SyncClient::connect("127.0.0.1", first->redis_port());
    ASSERT_TRUE(redis.has_value()) << redis.error();
    // The readiness probe's decision reaches the projector within moments.
    EXPECT_TRUE(eventually([&] {
      auto n = redis->command({"EXISTS", "bx:applied:0"});
      return n.has_value() && n->integer() == 1;
    }));
    EXPECT_EQ(first->stop(), 0);
  }
  const EmbeddedBackend::Exited second = EmbeddedBackend::run_to_exit(args);
  EXPECT_EQ(second.status, 1) << second.output;
  EXPECT_NE(second.output.find("holds bx:snap:0 from an earlier run"), std::string::npos)
      << second.output;
}

}  // namespace
}  // namespace boxoffice::testing
