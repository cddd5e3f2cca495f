// The API over real HTTP on loopback, against a real redis-server, with a command bus that
// runs the real core and the real projector (test_backend.h).
#include "booking/api/api_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <future>
#include <mutex>
#include <thread>

#include "booking/api/tests/http_test_client.h"
#include "booking/api/tests/test_backend.h"
#include "booking/core/tests/test_catalog.h"
#include "booking/service/ids.h"
#include "shared/http/content_coding.h"
#include "shared/redis/redis_process.h"
#include "shared/redis/sync_client.h"
#include "shared/tests/out_of_descriptors.h"

namespace boxoffice::booking::api::testing {
namespace {

using booking::testing::kHourMs;
using booking::testing::kOnSaleMs;
using booking::testing::test_catalog;
using namespace std::chrono_literals;
using Json = nlohmann::json;
using Headers = std::map<std::string, std::string>;

constexpr int64_t kNow = kOnSaleMs + 2 * kHourMs;  // both waves of evt_small are open
constexpr std::string_view kUserHeader = "X-Boxoffice-User";

Headers as(const std::string& user) { return {{std::string(kUserHeader), user}}; }

class ApiServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    redis::RedisProcess::Options options;
    options.append_only = false;
    auto started = redis::RedisProcess::start(options);
    ASSERT_TRUE(started) << started.error();
    redis_server_ = new redis::RedisProcess(std::move(started).value());
  }
  static void TearDownTestSuite() {
    delete redis_server_;
    redis_server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(redis_server_, nullptr);
    auto sync = redis::SyncClient::connect("127.0.0.1", redis_server_->port());
    ASSERT_TRUE(sync) << sync.error();
    redis_ = std::make_unique<redis::SyncClient>(std::move(sync).value());
    ASSERT_EQ(redis_->command({"FLUSHALL"})->str(), "OK");
    bus_ = std::make_unique<TestBus>(catalog_, redis_server_->port());
    config_.redis_port = redis_server_->port();
    config_.threads = 2;
    config_.seat_map_cache_ttl = 0ms;
    config_.now_ms = [this] { return now_.load(); };
    config_.payment_url = [](std::string_view rid, std::string_view user, int64_t cents,
                             std::string_view currency) {
      return "https://pay.test/checkout/" + std::string(rid) + "?user=" + std::string(user) +
             "&amount=" + std::to_string(cents) + "&currency=" + std::string(currency);
    };
    config_.fetch_payment = [this](const std::string& provider, const std::string& payment_id,
                                   std::function<void(ProviderPayment)> done) {
      ProviderPayment p;
      {
        std::lock_guard lock(payments_mu_);
        auto it = payments_.find(provider + "/" + payment_id);
        p.status = provider_down_ ? ProviderPayment::Status::kUnavailable
                                  : ProviderPayment::Status::kUnknown;
        if (it != payments_.end() && !provider_down_) p = it->second;
      }
      // Answer from another thread, as a real provider client would.
      std::thread([p, done = std::move(done)] { done(p); }).detach();
    };
    config_.verify_webhook =
        [](std::string_view body,
           std::string_view signature) -> Result<WebhookPayment, WebhookRejection> {
      if (signature != "t=1,v1=good") return unexpected(WebhookRejection{true, "bad signature"});
      const Json j = Json::parse(body, nullptr, false);
      if (!j.is_object() || !j.contains("type")) {
        return unexpected(WebhookRejection{false, "not a payment event"});
      }
      WebhookPayment p;
      const std::string type = j["type"];
      p.type = type == "succeeded" ? WebhookPayment::Type::kSucceeded
               : type == "failed"  ? WebhookPayment::Type::kFailed
                                   : WebhookPayment::Type::kProcessing;
      p.payment_id = j.value("payment_id", "");
      p.provider = "paysim";
      p.reservation = j.value("reservation", "");
      p.user = j.value("user", "");
      p.amount_cents = j.value("amount_cents", 0);
      return p;
    };
    config_.ready = [this] { return bus_ready_.load(); };
  }

  void TearDown() override {
    server_.reset();
    if (bus_) {
      EXPECT_EQ(bus_->failure(), "");
    }
    bus_.reset();
  }

  // Starts the server with config_ and waits until it is ready.
  HttpTestClient& start() {
    server_ = std::make_unique<ApiServer>(catalog_, *bus_, config_);
    auto started = server_->start();
    EXPECT_TRUE(started) << started.error();
    client_ = std::make_unique<HttpTestClient>(server_->port());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (client_->get("/readyz").status != 200 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(client_->get("/readyz").status, 200);
    return *client_;
  }

  void add_payment(const std::string& id, ProviderPayment::Status status, int64_t cents,
                   const std::string& rid, const std::string& user) {
    std::lock_guard lock(payments_mu_);
    payments_["paysim/" + id] = ProviderPayment{status, cents, rid, user};
  }

  std::string reserve(const std::string& seat, const std::string& user) {
    const HttpResult r = client_->post("/events/evt_small/seats/" + seat + "/reserve",
                                       R"({"user_id":")" + user + "\"}");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("reservation_id", "");
  }

  std::string seat_status(const std::string& seat) {
    const Json j = client_->get("/events/evt_small/seats").json();
    for (const auto& section : j["sections"]) {
      for (const auto& s : section["seats"]) {
        if (s["seat_id"] == seat) return s["status"];
      }
    }
    return "missing";
  }

  // Every request must have been refused before any command left the API.
  void expect_refused(const HttpResult& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.error_code(), code) << r.body;
    EXPECT_EQ(r.headers.at("content-type"), "application/json");
  }

  static redis::RedisProcess* redis_server_;
  const Catalog& catalog_ = test_catalog();
  std::unique_ptr<redis::SyncClient> redis_;
  std::unique_ptr<TestBus> bus_;
  ApiConfig config_;
  std::atomic<int64_t> now_{kNow};
  std::atomic<bool> bus_ready_{true};
  std::mutex payments_mu_;
  std::map<std::string, ProviderPayment> payments_;
  bool provider_down_ = false;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<HttpTestClient> client_;
};

redis::RedisProcess* ApiServerTest::redis_server_ = nullptr;

// --- Operations --------------------------------------------------------------------------

TEST_F(ApiServerTest, HealthReadinessAndMetrics) {
  HttpTestClient& c = start();
  EXPECT_EQ(c.get("/healthz").status, 200);
  EXPECT_EQ(c.get("/readyz").json()["checks"]["redis"], true);
  bus_ready_ = false;
  const HttpResult not_ready = c.get("/readyz");
  expect_refused(not_ready, 503, "not_ready");
  EXPECT_EQ(not_ready.json()["error"]["checks"]["command_bus"], false);
  bus_ready_ = true;
  (void)c.get("/events/evt_small");
  (void)c.get("/nope");
  const HttpResult m = c.get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.headers.at("content-type"), "text/plain; version=0.0.4");
  EXPECT_NE(m.body.find("boxoffice_api_requests_total{route=\"get_event\",status=\"200\"} 1"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("boxoffice_api_requests_total{route=\"unmatched\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(m.body.find("boxoffice_api_request_duration_seconds_count{route=\"get_event\"} 1"),
            std::string::npos);
  EXPECT_NE(m.body.find("boxoffice_api_requests_in_flight 1"), std::string::npos);  // this one

  // A write's stages: this bus has no log, so only the hand-back to the request is timed.
  reserve("A-1-1", "u1");
  const std::string after = c.get("/metrics").body;
  EXPECT_NE(after.find("boxoffice_api_command_stage_seconds_count{stage=\"resumed\"} 1\n"),
            std::string::npos)
      << after;
  EXPECT_NE(after.find("boxoffice_api_command_stage_seconds_count{stage=\"stored\"} 0\n"),
            std::string::npos);
}

// Out of descriptors, a connection waits in the listen backlog and every accept fails at once:
// the server pauses between attempts (100 ms) instead of spinning on it, and accepts it once a
// descriptor is free again.
TEST_F(ApiServerTest, OutOfDescriptorsTheAcceptLoopPausesThenAccepts) {
  HttpTestClient& c = start();
  ASSERT_EQ(c.get("/healthz").status, 200);
  auto connected = boxoffice::testing::connect_out_of_descriptors(server_->port(), 500ms);
  ASSERT_TRUE(connected) << connected.error();
  const int fd = *connected;
  const timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

  const std::string request = "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string answer(64, '\0');
  const ssize_t n = ::recv(fd, answer.data(), answer.size(), MSG_WAITALL);
  ::close(fd);
  ASSERT_GT(n, 0) << "never accepted";
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;

  const std::string m = c.get("/metrics").body;
  const std::string name = "\nboxoffice_api_accept_errors_total ";  // not the HELP line
  const size_t at = m.find(name);
  ASSERT_NE(at, std::string::npos) << m;
  uint64_t errors = 0;
  std::from_chars(m.data() + at + name.size(), m.data() + m.size(), errors);
  EXPECT_GE(errors, 1u) << "the limit never bit";
  EXPECT_LE(errors, 20u) << "about one failed accept per pause over 0.5 s, not a spin";
}

// A connection that sends nothing, or stops in the middle of a request, is closed once the
// idle timeout passes; the server does not keep it (and its descriptor) forever.
TEST_F(ApiServerTest, IdleAndStalledConnectionsAreClosed) {
  config_.idle_timeout = 200ms;
  HttpTestClient& c = start();
  EXPECT_TRUE(c.closed_without_answer(""));
  EXPECT_TRUE(c.closed_without_answer("GET /healthz HTTP/1.1\r\nHost: t\r\n"));
  EXPECT_EQ(c.get("/healthz").status, 200);  // a fresh connection is served as ever
}

TEST_F(ApiServerTest, RedisDownMeansNotReadyAnd503) {
  config_.redis_port = 1;  // nothing listens there
  server_ = std::make_unique<ApiServer>(catalog_, *bus_, config_);
  ASSERT_TRUE(server_->start());
  HttpTestClient c(server_->port());
  expect_refused(c.get("/readyz"), 503, "not_ready");
  expect_refused(c.get("/events/evt_small/seats"), 503, "unavailable");
  expect_refused(c.get("/reservations/evt_small.1"), 503, "unavailable");
  EXPECT_EQ(c.get("/events/evt_small").status, 200);  // the catalog needs no Redis
}

// --- Errors common to every route ---------------------------------------------------------

TEST_F(ApiServerTest, RoutingErrorsAreJson) {
  HttpTestClient& c = start();
  expect_refused(c.get("/no/such/route"), 404, "not_found");
  const HttpResult wrong = c.get("/events/evt_small/seats/A-1-1/reserve");
  expect_refused(wrong, 405, "method_not_allowed");
  EXPECT_EQ(wrong.headers.at("allow"), "POST");
  expect_refused(c.request("PUT", "/events/evt_small/seats/A-1-1/waitlist", "{}"), 405,
                 "method_not_allowed");
  expect_refused(c.get("/events/%zz"), 400, "bad_path");
  expect_refused(c.get("/events?date=%zz"), 400, "bad_query");
  const std::string raw = c.raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 400")) << raw;
  EXPECT_NE(raw.find("\"bad_http\""), std::string::npos);
  EXPECT_EQ(bus_->received_count(), 0U);
}

TEST_F(ApiServerTest, BadWritesSendNoCommand) {
  HttpTestClient& c = start();
  const std::string seat = "/events/evt_small/seats/A-1-1/reserve";
  expect_refused(c.post(seat, ""), 401, "identity_required");
  expect_refused(c.post(seat, "{}"), 401, "identity_required");
  expect_refused(c.post(seat, "{\"user_id\":"), 400, "bad_json");
  expect_refused(c.post(seat, "[\"u1\"]"), 400, "bad_json");
  expect_refused(c.post(seat, R"({"user_id":7})"), 400, "invalid_field");
  expect_refused(c.post(seat, R"({"user_id":")" + std::string(200, 'u') + "\"}"), 400,
                 "invalid_field");
  expect_refused(c.post("/events/evt_small/seats/Z-9-9/reserve", R"({"user_id":"u1"})"), 404,
                 "unknown_seat");
  expect_refused(c.post("/events/evt_nope/seats/A-1-1/reserve", R"({"user_id":"u1"})"), 404,
                 "unknown_event");
  const std::string big = R"({"user_id":"u1","pad":")" + std::string(70'000, 'x') + "\"}";
  expect_refused(c.post(seat, big), 413, "body_too_large");
  expect_refused(
      c.post("/events/evt_small/reserve", R"({"user_id":"u1","seats":["A-1-1","A-1-1"]})"), 422,
      "duplicate_seat");
  expect_refused(c.post("/events/evt_small/reserve", R"({"user_id":"u1","seats":[]})"), 400,
                 "invalid_field");
  expect_refused(c.post("/events/evt_small/reserve-best", R"({"user_id":"u1","count":17})"), 422,
                 "too_many_seats");
  expect_refused(
      c.post("/events/evt_small/reserve-best", R"({"user_id":"u1","count":1,"section":"Q"})"), 404,
      "unknown_section");
  expect_refused(c.post("/reservations/nonsense/cancel", R"({"user_id":"u1"})"), 400,
                 "bad_reservation_id");
  expect_refused(c.post("/reservations/evt_nope.1/cancel", R"({"user_id":"u1"})"), 404,
                 "unknown_event");
  expect_refused(c.post("/bookings/evt_small.1/confirm", R"({"user_id":"u1"})"), 400,
                 "invalid_field");
  expect_refused(c.post("/events/evt_small/seats/A-1-1/waitlist", "{}"), 401, "identity_required");
  expect_refused(c.post("/webhooks/payments", "{}", {{"Boxoffice-Signature", "t=1,v1=forged"}}),
                 400, "bad_signature");
  expect_refused(c.post("/webhooks/payments", "[]", {{"Boxoffice-Signature", "t=1,v1=good"}}), 400,
                 "bad_webhook");
  expect_refused(c.post("/webhooks/payments",
                        R"({"type":"succeeded","reservation":"garbage","user":"u1",)"
                        R"("payment_id":"pay_1"})",
                        {{"Boxoffice-Signature", "t=1,v1=good"}}),
                 400, "bad_reservation_id");
  expect_refused(c.post("/webhooks/payments",
                        R"({"type":"succeeded","reservation":"evt_small.1","payment_id":"p"})",
                        {{"Boxoffice-Signature", "t=1,v1=good"}}),
                 400, "bad_webhook");
  EXPECT_EQ(bus_->received_count(), 0U);
  EXPECT_EQ(seat_status("A-1-1"), "available");
}

// --- Reads ---------------------------------------------------------------------------------

TEST_F(ApiServerTest, SearchAndEventDetail) {
  HttpTestClient& c = start();
  Json j = c.get("/events").json();
  EXPECT_EQ(j["total"], 2);
  EXPECT_EQ(j["events"][0]["event_id"], "evt_small");
  j = c.get("/events?query=other&location=LEEDS&date=2027-03-01").json();
  ASSERT_EQ(j["events"].size(), 1U);
  EXPECT_EQ(j["events"][0]["event_id"], "evt_other");
  EXPECT_EQ(j["events"][0]["price_range"]["min"], 7);
  expect_refused(c.get("/events?date=2027-02-31"), 400, "bad_query");
  expect_refused(c.get("/events?page=0"), 400, "bad_query");
  j = c.get("/events/evt_small").json();
  EXPECT_EQ(j["title"], "Small Show");
  EXPECT_EQ(j["sections"].size(), 2U);
  expect_refused(c.get("/events/evt_nope"), 404, "unknown_event");
}

TEST_F(ApiServerTest, SeatMapReflectsHoldsAndBookings) {
  HttpTestClient& c = start();
  Json j = c.get("/events/evt_small/seats").json();
  EXPECT_EQ(j["event_id"], "evt_small");
  ASSERT_EQ(j["sections"].size(), 2U);
  EXPECT_EQ(
      j["sections"][0]["seats"][0],
      Json::parse(R"({"seat_id":"A-1-1","status":"available","price":10,"price_cents":1000})"));
  reserve("A-1-2", "u1");
  EXPECT_EQ(seat_status("A-1-2"), "reserved");
  j = c.get("/events/evt_small/seats?section=B").json();
  ASSERT_EQ(j["sections"].size(), 1U);
  EXPECT_EQ(j["sections"][0]["section"], "B");
  EXPECT_EQ(j["sections"][0]["seats"].size(), 6U);
  expect_refused(c.get("/events/evt_small/seats?section=Z"), 404, "unknown_section");
  expect_refused(c.get("/events/evt_nope/seats"), 404, "unknown_event");
}

TEST_F(ApiServerTest, SeatMapIsGzippedForClientsThatTakeIt) {
  config_.seat_map_cache_ttl = 60s;  // every answer below comes from the same rendering
  HttpTestClient& c = start();
  reserve("A-1-2", "u1");
  for (const std::string target :
       {"/events/evt_small/seats", "/events/evt_small/seats?section=B"}) {
    const HttpResult plain = c.get(target);
    ASSERT_EQ(plain.status, 200);
    EXPECT_EQ(plain.headers.count("content-encoding"), 0U);
    EXPECT_EQ(plain.headers.at("vary"), "Accept-Encoding");
    const HttpResult packed = c.get(target, {{"Accept-Encoding", "gzip, deflate, br"}});
    ASSERT_EQ(packed.status, 200);
    EXPECT_EQ(packed.headers.at("content-encoding"), "gzip");
    EXPECT_EQ(packed.headers.at("vary"), "Accept-Encoding");
    EXPECT_EQ(packed.headers.at("content-type"), "application/json");
    auto unpacked = boxoffice::http::gunzip(packed.body, plain.body.size());
    ASSERT_TRUE(unpacked) << unpacked.error();
    EXPECT_EQ(*unpacked, plain.body);
    const HttpResult refused = c.get(target, {{"Accept-Encoding", "gzip;q=0, identity"}});
    EXPECT_EQ(refused.headers.count("content-encoding"), 0U);
    EXPECT_EQ(refused.body, plain.body);
  }
  EXPECT_EQ(Json::parse(c.get("/events/evt_small/seats").body)["sections"][0]["seats"][1]["status"],
            "reserved");
}

TEST_F(ApiServerTest, SeatMapStampedeCostsOneRedisRead) {
  config_.seat_map_cache_ttl = 60s;
  HttpTestClient& c = start();
  std::vector<std::thread> fans;
  fans.reserve(16);
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i) {
    fans.emplace_back([&] {
      HttpTestClient mine(server_->port());
      if (mine.get("/events/evt_small/seats").status == 200) ++ok;
    });
  }
  for (auto& f : fans) f.join();
  EXPECT_EQ(ok.load(), 16);
  const std::string m = c.get("/metrics").body;
  EXPECT_NE(m.find("boxoffice_api_seat_map_cache_total{result=\"miss\"} 1\n"), std::string::npos)
      << m;
  // Within the TTL a change is not seen yet: the body is the cached one.
  reserve("A-1-1", "u1");
  EXPECT_EQ(seat_status("A-1-1"), "available");
  // Sections are cached on their own.
  EXPECT_EQ(c.get("/events/evt_small/seats?section=A").json()["sections"][0]["seats"][0]["status"],
            "reserved");
}

// --- Writes --------------------------------------------------------------------------------

TEST_F(ApiServerTest, ReserveOneSeat) {
  HttpTestClient& c = start();
  const HttpResult r =
      c.post("/events/evt_small/seats/A-1-1/reserve", R"({"user_id":"u_body"})", as("u1"));
  ASSERT_EQ(r.status, 201) << r.body;
  const Json j = r.json();
  const std::string rid = j["reservation_id"];
  EXPECT_TRUE(rid.starts_with("evt_small."));
  EXPECT_EQ(j["seat_id"], "A-1-1");
  EXPECT_EQ(j["status"], "reserved");
  EXPECT_EQ(j["user_id"], "u1");  // the gate's header wins over the body
  EXPECT_EQ(j["expires_at"], format_utc_time_ms(kNow + 60'000));
  EXPECT_EQ(j["amount"], 10);
  EXPECT_EQ(j["amount_cents"], 1000);
  EXPECT_EQ(j["currency"], "EUR");
  EXPECT_EQ(j["payment_url"],
            "https://pay.test/checkout/" + rid + "?user=u1&amount=1000&currency=EUR");
  const auto received = bus_->received();
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(received[0].type, CommandType::kReserve);
  EXPECT_EQ(received[0].at_ms, kNow);
  EXPECT_EQ(received[0].user_id, "u1");

  const Json res = c.get("/reservations/" + rid).json();
  EXPECT_EQ(res["status"], "reserved");
  EXPECT_EQ(res["seats"], Json::array({"A-1-1"}));
  EXPECT_EQ(res["user_id"], "u1");
  EXPECT_EQ(res["payment_url"], j["payment_url"]);
  expect_refused(c.get("/reservations/evt_small.fffff"), 404, "unknown_reservation");
  expect_refused(c.get("/reservations/evt_small"), 400, "bad_reservation_id");

  const HttpResult taken = c.post("/events/evt_small/seats/A-1-1/reserve", "", as("u2"));
  expect_refused(taken, 409, "seat_taken");
  EXPECT_EQ(taken.json()["error"]["seat_id"], "A-1-1");
}

TEST_F(ApiServerTest, MultiSeatHoldsAreAllOrNothing) {
  HttpTestClient& c = start();
  reserve("A-1-3", "u1");
  const HttpResult refused =
      c.post("/events/evt_small/reserve", R"({"seats":["A-1-2","A-1-3"]})", as("u2"));
  expect_refused(refused, 409, "seat_taken");
  EXPECT_EQ(refused.json()["error"]["seat_id"], "A-1-3");
  EXPECT_EQ(seat_status("A-1-2"), "available");
  const HttpResult ok =
      c.post("/events/evt_small/reserve", R"({"seats":["A-1-1","A-1-2"]})", as("u2"));
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.json()["seats"], Json::array({"A-1-1", "A-1-2"}));
  EXPECT_EQ(ok.json()["amount_cents"], 2000);
  EXPECT_EQ(seat_status("A-1-2"), "reserved");
}

TEST_F(ApiServerTest, BestAvailableLimitsAndWaves) {
  HttpTestClient& c = start();
  const HttpResult best = c.post("/events/evt_small/reserve-best",
                                 R"({"count":2,"section":"B","max_price_cents":500})", as("u1"));
  ASSERT_EQ(best.status, 201) << best.body;
  EXPECT_EQ(best.json()["seats"], Json::array({"B-1-1", "B-1-2"}));
  // Limit 4 per fan: two more fit, a fifth does not.
  ASSERT_EQ(c.post("/events/evt_small/reserve-best", R"({"count":2})", as("u1")).status, 201);
  expect_refused(c.post("/events/evt_small/seats/A-2-4/reserve", "", as("u1")), 409,
                 "limit_exceeded");
  expect_refused(
      c.post("/events/evt_small/reserve-best", R"({"count":1,"min_price_cents":5000})", as("u2")),
      409, "no_seats_available");
  // Section B opens an hour after the on-sale.
  now_ = kOnSaleMs + 1;
  expect_refused(c.post("/events/evt_small/seats/B-1-5/reserve", "", as("u3")), 409, "not_on_sale");
  EXPECT_EQ(bus_->received_count(), 5U);
}

TEST_F(ApiServerTest, CancelReleasesOrOffers) {
  HttpTestClient& c = start();
  const std::string rid = reserve("A-1-1", "u1");
  expect_refused(c.post("/reservations/" + rid + "/cancel", "", as("u2")), 403, "not_holder");
  expect_refused(c.post("/reservations/evt_small.ffff/cancel", "", as("u1")), 404,
                 "unknown_reservation");
  const HttpResult ok = c.post("/reservations/" + rid + "/cancel", R"({"user_id":"u1"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json()["status"], "cancelled");
  EXPECT_EQ(ok.json()["seat_status"], "available");
  EXPECT_EQ(seat_status("A-1-1"), "available");
  EXPECT_EQ(c.get("/reservations/" + rid).json()["status"], "cancelled");
  expect_refused(c.post("/reservations/" + rid + "/cancel", "", as("u1")), 409, "hold_expired");

  const std::string again = reserve("A-1-1", "u1");
  ASSERT_EQ(c.post("/events/evt_small/seats/A-1-1/waitlist", "", as("u2")).status, 201);
  const HttpResult offered = c.post("/reservations/" + again + "/cancel", "", as("u1"));
  EXPECT_EQ(offered.json()["seat_status"], "reserved");  // offered to u2
  EXPECT_EQ(seat_status("A-1-1"), "reserved");
}

TEST_F(ApiServerTest, Waitlists) {
  HttpTestClient& c = start();
  const std::string rid = reserve("A-1-1", "u1");
  const std::string wl = "/events/evt_small/seats/A-1-1/waitlist";
  expect_refused(c.post(wl, "", as("u1")), 409, "already_holder");
  expect_refused(c.post("/events/evt_small/seats/A-1-2/waitlist", "", as("u2")), 409,
                 "seat_available");
  HttpResult joined = c.post(wl, R"({"user_id":"u2"})");
  ASSERT_EQ(joined.status, 201) << joined.body;
  EXPECT_EQ(joined.json()["position"], 1);
  EXPECT_EQ(joined.json()["estimated_wait"], "likely");
  joined = c.post(wl, "", as("u3"));
  EXPECT_EQ(joined.json()["position"], 2);
  expect_refused(c.post(wl, "", as("u4")), 409, "waitlist_full");  // cap 2
  EXPECT_EQ(c.get(wl + "?user_id=u3").json()["position"], 2);
  EXPECT_EQ(c.get(wl, as("u3")).json()["waiting"], 2);
  expect_refused(c.get(wl), 401, "identity_required");
  expect_refused(c.get(wl, as("u9")), 404, "not_waitlisted");

  // u1 gives up: u2 gets an offer and leaves the list; u3 moves up.
  ASSERT_EQ(c.post("/reservations/" + rid + "/cancel", "", as("u1")).status, 200);
  EXPECT_EQ(c.get(wl, as("u3")).json()["position"], 1);
  expect_refused(c.get(wl, as("u2")), 404, "not_waitlisted");

  EXPECT_EQ(c.request("DELETE", wl, "", as("u3")).status, 200);
  expect_refused(c.get(wl, as("u3")), 404, "not_waitlisted");
  expect_refused(c.request("DELETE", wl + "?user_id=u3", ""), 404, "not_waitlisted");
  expect_refused(c.request("DELETE", wl, ""), 401, "identity_required");
}

TEST_F(ApiServerTest, ConfirmAsksTheProviderFirst) {
  HttpTestClient& c = start();
  const std::string rid = reserve("A-1-1", "u1");
  const std::string other = reserve("A-1-2", "u2");
  const std::string url = "/bookings/" + rid + "/confirm";
  auto confirm = [&](const std::string& payment, const std::string& user) {
    return c.post(url, R"({"payment_id":")" + payment + R"(","provider":"paysim"})", as(user));
  };
  add_payment("pay_other", ProviderPayment::Status::kSucceeded, 1000, other, "u2");
  add_payment("pay_failed", ProviderPayment::Status::kFailed, 1000, rid, "u1");
  add_payment("pay_slow", ProviderPayment::Status::kProcessing, 1000, rid, "u1");
  add_payment("pay_ok", ProviderPayment::Status::kSucceeded, 1000, rid, "u1");
  const size_t before = bus_->received_count();
  expect_refused(confirm("pay_unknown", "u1"), 404, "unknown_payment");
  expect_refused(confirm("pay_other", "u1"), 422, "payment_mismatch");
  expect_refused(confirm("pay_ok", "u2"), 422, "payment_mismatch");
  expect_refused(confirm("pay_failed", "u1"), 402, "payment_not_succeeded");
  expect_refused(confirm("pay_slow", "u1"), 402, "payment_not_succeeded");
  provider_down_ = true;
  expect_refused(confirm("pay_ok", "u1"), 503, "payment_provider_unavailable");
  provider_down_ = false;
  expect_refused(c.post(url, R"({"payment_id":"pay_ok","provider":"paysim"})"), 401,
                 "identity_required");
  EXPECT_EQ(bus_->received_count(), before);

  const HttpResult ok = confirm("pay_ok", "u1");
  ASSERT_EQ(ok.status, 200) << ok.body;
  const Json j = ok.json();
  EXPECT_EQ(j["booking_id"], rid);
  EXPECT_EQ(j["status"], "confirmed");
  EXPECT_EQ(j["seat_id"], "A-1-1");
  EXPECT_EQ(j["event"], "Small Show");
  EXPECT_EQ(bus_->received().back().amount_cents, 1000);  // the provider's amount
  EXPECT_EQ(seat_status("A-1-1"), "booked");
  EXPECT_EQ(confirm("pay_ok", "u1").status, 200);  // the same payment again: same booking

  const Json bookings = c.get("/users/u1/bookings").json();
  EXPECT_EQ(bookings["total"], 1);
  EXPECT_EQ(bookings["bookings"][0]["booking_id"], rid);
  EXPECT_EQ(bookings["bookings"][0]["payment_id"], "pay_ok");
  EXPECT_EQ(c.get("/users/nobody/bookings").json()["bookings"].size(), 0U);
  expect_refused(c.get("/users/u1/bookings?per_page=0"), 400, "bad_query");
  EXPECT_EQ(c.get("/reservations/" + rid).json()["status"], "confirmed");
  expect_refused(c.post("/reservations/" + rid + "/cancel", "", as("u1")), 409, "already_booked");
  expect_refused(c.post("/events/evt_small/seats/A-1-1/waitlist", "", as("u3")), 409, "seat_sold");
}

TEST_F(ApiServerTest, PaymentAfterTheHoldEndedIsRefunded) {
  HttpTestClient& c = start();
  const std::string rid = reserve("A-1-1", "u1");
  add_payment("pay_late", ProviderPayment::Status::kSucceeded, 1000, rid, "u1");
  now_ = kNow + 61'000;  // past the 60 s hold
  const HttpResult late = c.post("/bookings/" + rid + "/confirm",
                                 R"({"payment_id":"pay_late","provider":"paysim"})", as("u1"));
  expect_refused(late, 409, "hold_expired");
  EXPECT_EQ(late.json()["error"]["refund_required"], true);
  EXPECT_EQ(late.json()["error"]["refund"]["amount_cents"], 1000);
  EXPECT_EQ(redis_->command({"HEXISTS", "bx:refunds", "paysim:pay_late"})->integer(), 1);
}

TEST_F(ApiServerTest, WebhooksBecomeCommands) {
  HttpTestClient& c = start();
  const Headers signed_ = {{"Boxoffice-Signature", "t=1,v1=good"}};
  auto hook = [&](const std::string& type, const std::string& rid, const std::string& payment) {
    return c.post("/webhooks/payments",
                  Json{{"type", type},
                       {"payment_id", payment},
                       {"reservation", rid},
                       {"user", "u1"},
                       {"amount_cents", 1000}}
                      .dump(),
                  signed_);
  };
  const std::string rid = reserve("A-1-1", "u1");
  HttpResult r = hook("processing", rid, "pay_1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["outcome"], "payment_pending");
  EXPECT_EQ(c.get("/reservations/" + rid).json()["status"], "payment_pending");
  r = hook("succeeded", rid, "pay_1");
  EXPECT_EQ(r.json()["outcome"], "booked");
  EXPECT_EQ(seat_status("A-1-1"), "booked");

  const std::string second = reserve("A-1-2", "u1");
  r = hook("failed", second, "pay_2");
  EXPECT_EQ(r.json()["outcome"], "cancelled");
  EXPECT_EQ(seat_status("A-1-2"), "available");

  // A payment for a hold that is gone is still sent, and comes back as a refund.
  r = hook("succeeded", second, "pay_3");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["outcome"], "refund_required");
  EXPECT_EQ(r.json()["code"], "hold_expired");
  r = hook("succeeded", "evt_gone.1", "pay_4");
  EXPECT_EQ(r.json()["outcome"], "refund_required");
  EXPECT_EQ(r.json()["code"], "unknown_event");

  bus_->set_mode(TestBus::Mode::kUnavailable);
  expect_refused(hook("succeeded", rid, "pay_5"), 503, "unavailable");
  bus_->set_mode(TestBus::Mode::kPending);
  r = hook("succeeded", rid, "pay_6");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.json()["status"], "pending");
  bus_->release_pending();
}

TEST_F(ApiServerTest, PendingAnswersAndTheStatusUrl) {
  HttpTestClient& c = start();
  bus_->set_mode(TestBus::Mode::kPending);
  const HttpResult pending = c.post("/events/evt_small/seats/A-1-1/reserve", "", as("u1"));
  ASSERT_EQ(pending.status, 202) << pending.body;
  const std::string status_url = pending.json()["status_url"];
  EXPECT_EQ(pending.headers.at("location"), status_url);
  EXPECT_EQ(c.get(status_url).status, 202);
  bus_->release_pending();
  const HttpResult decided = c.get(status_url);
  ASSERT_EQ(decided.status, 201) << decided.body;
  EXPECT_EQ(decided.json()["seat_id"], "A-1-1");
  EXPECT_EQ(decided.json()["status"], "reserved");

  // An answer stored in a key of its own (until 2026-12-02: a string, earlier a list) reads the
  // same.
  const std::string key = status_url.substr(std::string_view("/requests/").size());
  const std::string hash = "bx:reqs:" + key.substr(0, 14);
  const std::string own_key = "bx:req:" + key;
  const std::string line(redis_->command({"HGET", hash, key.substr(14)})->str());
  ASSERT_EQ(redis_->command({"HDEL", hash, key.substr(14)})->integer(), 1);
  ASSERT_EQ(redis_->command({"SET", own_key, line})->str(), "OK");
  EXPECT_EQ(c.get(status_url).body, decided.body);
  ASSERT_EQ(redis_->command({"DEL", own_key})->integer(), 1);
  ASSERT_EQ(redis_->command({"RPUSH", own_key, line})->integer(), 1);
  const HttpResult from_list = c.get(status_url);
  EXPECT_EQ(from_list.status, 201);
  EXPECT_EQ(from_list.body, decided.body);

  // A rejection decided later reads the same way.
  const HttpResult second = c.post("/events/evt_small/seats/A-1-1/reserve", "", as("u2"));
  bus_->release_pending();
  const HttpResult rejected = c.get(second.json()["status_url"].get<std::string>());
  expect_refused(rejected, 409, "seat_taken");

  expect_refused(c.get("/requests/xyz"), 400, "bad_request_id");
  bus_->set_mode(TestBus::Mode::kUnavailable);
  expect_refused(c.post("/events/evt_small/seats/A-1-2/reserve", "", as("u1")), 503, "unavailable");
}

TEST_F(ApiServerTest, SeatHistoryAndStatusAtAnInstant) {
  HttpTestClient& c = start();
  const std::string rid = reserve("A-1-1", "u1");
  now_ = kNow + 10'000;
  ASSERT_EQ(c.post("/reservations/" + rid + "/cancel", "", as("u1")).status, 200);
  const std::string url = "/events/evt_small/seats/A-1-1/history";
  Json j = c.get(url).json();
  ASSERT_EQ(j["history"].size(), 3U) << j.dump();
  EXPECT_EQ(j["history"][0]["type"], "held");
  EXPECT_EQ(j["history"][0]["user_id"], "u1");
  EXPECT_EQ(j["history"][1]["type"], "cancelled");
  EXPECT_EQ(j["history"][2]["type"], "released");
  EXPECT_FALSE(j.contains("status_at"));
  j = c.get(url + "?at=" + std::to_string(kNow + 5'000)).json();
  EXPECT_EQ(j["status_at"]["status"], "reserved");
  EXPECT_EQ(j["status_at"]["reservation_id"], rid);
  j = c.get(url + "?at=" + format_utc_time_ms(kNow + 10'000)).json();
  EXPECT_EQ(j["status_at"]["status"], "available");
  j = c.get(url + "?at=" + std::to_string(kNow - 1)).json();
  EXPECT_EQ(j["status_at"]["status"], "available");
  expect_refused(c.get(url + "?at=noon"), 400, "bad_query");
  expect_refused(c.get("/events/evt_small/seats/Q-1-1/history"), 404, "unknown_seat");
  EXPECT_EQ(c.get("/events/evt_small/seats/A-2-1/history").json()["history"].size(), 0U);
}

// The value of an unlabelled counter in a /metrics text; -1 if it is not there.
int64_t counter_value(const std::string& metrics, const std::string& name) {
  const std::string line_start = "\n" + name + " ";
  const size_t at = metrics.find(line_start);
  if (at == std::string::npos) return -1;
  return std::stoll(metrics.substr(at + line_start.size()));
}

TEST_F(ApiServerTest, AnUnreadableReadModelIsAnInternalError) {
  HttpTestClient& c = start();
  // Start-up may have counted a failure of its own (a readiness probe before Redis answered).
  const int64_t errors_before =
      counter_value(c.get("/metrics").body, "boxoffice_api_redis_errors_total");
  ASSERT_GE(errors_before, 0);
  ASSERT_EQ(redis_->command({"RPUSH", "bx:audit:evt_small:0", "{not json"})->integer(), 1);
  expect_refused(c.get("/events/evt_small/seats/A-1-1/history"), 500, "internal");
  ASSERT_EQ(redis_->command({"SET", "bx:res:evt_small.1", "a string, not a hash"})->str(), "OK");
  expect_refused(c.get("/reservations/evt_small.1"), 500, "internal");
  ASSERT_EQ(redis_->command({"HSET", "bx:reqs:00010000000000", "01", "[]"})->integer(), 1);
  expect_refused(c.get("/requests/0001000000000001"), 500, "internal");
  // Only the hash read as a string is a Redis failure; the other two are unreadable values.
  EXPECT_EQ(counter_value(c.get("/metrics").body, "boxoffice_api_redis_errors_total"),
            errors_before + 1);
}

// --- Live updates ----------------------------------------------------------------------------

TEST_F(ApiServerTest, StreamStartsWithASnapshotThenDeltas) {
  HttpTestClient& c = start();
  reserve("A-1-4", "u0");
  SseReader sse(server_->port(), "/events/evt_small/stream");
  ASSERT_EQ(sse.status(), 200) << sse.head();
  EXPECT_NE(sse.head().find("text/event-stream"), std::string::npos);
  auto snapshot = sse.next(5s);
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->event, "snapshot");
  EXPECT_EQ(snapshot->json()["seats"], "aaaraaaaaaaaaa");
  ASSERT_TRUE(snapshot->id);
  const std::string rid = reserve("A-1-1", "u1");
  auto held = sse.next(5s);
  ASSERT_TRUE(held);
  EXPECT_EQ(held->event, "seat_status_changed");
  EXPECT_EQ(held->json(),
            Json::parse(R"({"seat_id":"A-1-1","new_status":"reserved","section":"A"})"));
  ASSERT_TRUE(held->id);
  EXPECT_GT(*held->id, *snapshot->id);
  ASSERT_EQ(c.post("/reservations/" + rid + "/cancel", "", as("u1")).status, 200);
  auto released = sse.next_of("seat_status_changed", 5s);
  ASSERT_TRUE(released);
  EXPECT_EQ(released->json()["new_status"], "available");

  const std::string paid = reserve("A-2-1", "u2");
  ASSERT_TRUE(sse.next_of("seat_status_changed", 5s));
  add_payment("pay_1", ProviderPayment::Status::kSucceeded, 1000, paid, "u2");
  ASSERT_EQ(c.post("/bookings/" + paid + "/confirm",
                   R"({"payment_id":"pay_1","provider":"paysim"})", as("u2"))
                .status,
            200);
  auto booked = sse.next(5s);
  ASSERT_TRUE(booked);
  EXPECT_EQ(booked->json()["new_status"], "booked");
  auto confirmed = sse.next(5s);
  ASSERT_TRUE(confirmed);
  EXPECT_EQ(confirmed->event, "booking_confirmed");
  EXPECT_EQ(confirmed->json(), (Json{{"booking_id", paid}, {"seat_id", "A-2-1"}}));
}

TEST_F(ApiServerTest, StreamResumesFromLastEventIdWithoutGapsOrDuplicates) {
  HttpTestClient& c = start();
  const std::string r1 = reserve("A-1-1", "u1");
  uint64_t first_id = 0;
  {
    SseReader sse(server_->port(), "/events/evt_small/stream");
    ASSERT_TRUE(sse.next(5s));  // snapshot
    reserve("A-1-2", "u1");
    auto d = sse.next(5s);
    ASSERT_TRUE(d && d->id);
    first_id = *d->id;
  }  // the fan goes away...
  // ...and misses these.
  ASSERT_EQ(c.post("/reservations/" + r1 + "/cancel", "", as("u1")).status, 200);
  reserve("A-1-3", "u2");
  SseReader resumed(server_->port(), "/events/evt_small/stream",
                    {{"Last-Event-ID", std::to_string(first_id)}});
  ASSERT_EQ(resumed.status(), 200);
  std::vector<std::string> seen;
  std::vector<uint64_t> ids;
  while (seen.size() < 2) {
    auto m = resumed.next(5s);
    ASSERT_TRUE(m) << "after " << seen.size();
    ASSERT_NE(m->event, "snapshot");
    const Json j = m->json();
    seen.push_back(std::string(j["seat_id"]) + ":" + std::string(j["new_status"]));
    ids.push_back(*m->id);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"A-1-1:available", "A-1-3:reserved"}));
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_GT(ids[0], first_id);
  // Then live, nothing repeated.
  reserve("A-1-4", "u3");
  auto live = resumed.next(5s);
  ASSERT_TRUE(live);
  EXPECT_EQ(live->json()["seat_id"], "A-1-4");
  EXPECT_GT(*live->id, ids[1]);

  // An id the stream does not reach back to gets a snapshot instead.
  ASSERT_EQ(redis_->command({"XTRIM", "bx:stream:evt_small", "MAXLEN", "1"})->integer() >= 0, true);
  SseReader old(server_->port(), "/events/evt_small/stream",
                {{"Last-Event-ID", std::to_string(first_id)}});
  auto snap = old.next(5s);
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->event, "snapshot");
  EXPECT_EQ(snap->json()["seats"], "arrraaaaaaaaaa");
}

TEST_F(ApiServerTest, PersonalEventsGoToTheirFanOnly) {
  // Holds last 60 s and offers 120 s: a hold is warned about at once, an offer 200 ms in.
  config_.expiring_warning = 119'800ms;
  HttpTestClient& c = start();
  const std::string rid = reserve("A-1-1", "u1");  // before the stream: loaded from Redis
  ASSERT_EQ(c.post("/events/evt_small/seats/A-1-1/waitlist", "", as("u2")).status, 201);
  SseReader u1(server_->port(), "/events/evt_small/stream", as("u1"));
  SseReader u2(server_->port(), "/events/evt_small/stream?user_id=u2");
  SseReader anyone(server_->port(), "/events/evt_small/stream");
  auto warning = u1.next_of("reservation_expiring", 5s);
  ASSERT_TRUE(warning);
  EXPECT_EQ(warning->json()["reservation_id"], rid);
  EXPECT_GT(warning->json()["seconds_left"].get<int>(), 0);

  ASSERT_EQ(c.post("/reservations/" + rid + "/cancel", "", as("u1")).status, 200);
  auto offer = u2.next_of("waitlist_offer", 5s);
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->json()["seat_id"], "A-1-1");
  EXPECT_EQ(offer->json()["user_id"], "u2");
  // u2 is warned about the offer's end too.
  const std::string offer_rid = offer->json()["reservation_id"];
  auto offer_warning = u2.next_of("reservation_expiring", 5s);
  ASSERT_TRUE(offer_warning);
  EXPECT_EQ(offer_warning->json()["reservation_id"], offer_rid);

  // Confirming the offer: everyone sees the booking.
  add_payment("pay_2", ProviderPayment::Status::kSucceeded, 1000, offer_rid, "u2");
  ASSERT_EQ(c.post("/bookings/" + offer_rid + "/confirm",
                   R"({"payment_id":"pay_2","provider":"paysim"})", as("u2"))
                .status,
            200);
  // The anonymous stream sees the booking, and saw no one's personal events on the way.
  std::vector<std::string> anonymous;
  while (anonymous.empty() || anonymous.back() != "booking_confirmed") {
    auto m = anyone.next(5s);
    ASSERT_TRUE(m) << "after " << anonymous.size() << " events";
    anonymous.push_back(m->event);
  }
  for (const std::string& e : anonymous) {
    EXPECT_TRUE(e == "snapshot" || e == "seat_status_changed" || e == "booking_confirmed") << e;
  }
}

TEST_F(ApiServerTest, StreamHeartbeatsAndErrors) {
  config_.sse_heartbeat = 100ms;
  start();
  SseReader sse(server_->port(), "/events/evt_small/stream");
  ASSERT_TRUE(sse.next(5s));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (sse.comments() < 2 && std::chrono::steady_clock::now() < deadline) {
    (void)sse.next(100ms);
  }
  EXPECT_GE(sse.comments(), 2);
  SseReader unknown(server_->port(), "/events/evt_nope/stream");
  EXPECT_EQ(unknown.status(), 404);
  EXPECT_NE(unknown.error_body().find("unknown_event"), std::string::npos);
}

}  // namespace
}  // namespace boxoffice::booking::api::testing
