#include "gateway/io/tests/gate_fixture.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "gateway/core/room_keys.h"
#include "shared/redis/sync_client.h"
#include "shared/tokens/base64url.h"

namespace boxoffice::gateway::testing {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::json json_of(const Response& response) {
  return nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
}

namespace {

std::string error_member(const Response& response, const char* member) {
  const nlohmann::json body = json_of(response);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return {};
  const nlohmann::json& e = body["error"];
  if (!e.contains(member) || !e[member].is_string()) return {};
  return e[member].get<std::string>();
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string error_code(const Response& response) { return error_member(response, "code"); }
std::string error_reason(const Response& response) { return error_member(response, "reason"); }

std::vector<std::string> header_values(const Response& response, std::string_view name) {
  std::vector<std::string> values;
  for (const Header& h : response.headers) {
    if (h.name == name) values.push_back(h.value);
  }
  return values;
}

uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  return ok ? ntohs(addr.sin_port) : uint16_t{1};
}

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    // The polling interval (not a wait for the outcome): keeps the poll from hogging a core.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// ---- FakeBooking ----

std::string FakeBooking::Seen::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "(none)";
}

size_t FakeBooking::Seen::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(headers.begin(), headers.end(),
                                           [name](const auto& h) { return h.first == name; }));
}

FakeBooking::FakeBooking() {
  base_ = event_base_new();
  // A periodic wake-up, so the loop notices stop_ without cross-thread libevent calls.
  tick_ = event_new(
      base_, -1, EV_PERSIST, [](evutil_socket_t, short, void*) {}, nullptr);
  const timeval tv{0, 5'000};
  event_add(tick_, &tv);
  http_ = evhttp_new(base_);
  evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                        EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH | EVHTTP_REQ_HEAD);
  evhttp_set_gencb(http_, &FakeBooking::on_request, this);
  evhttp_bound_socket* bound = evhttp_bind_socket_with_handle(http_, "127.0.0.1", 0);
  if (bound == nullptr) return;
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(evhttp_bound_socket_get_fd(bound), reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] {
    while (!stop_.load()) event_base_loop(base_, EVLOOP_ONCE);
  });
}

FakeBooking::~FakeBooking() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  evhttp_free(http_);
  event_free(tick_);
  event_base_free(base_);
}

std::vector<FakeBooking::Seen> FakeBooking::seen() const {
  const std::lock_guard lock(mu_);
  return seen_;
}

size_t FakeBooking::hits(std::string_view uri) const {
  const std::lock_guard lock(mu_);
  return static_cast<size_t>(
      std::count_if(seen_.begin(), seen_.end(), [uri](const Seen& s) { return s.uri == uri; }));
}

void FakeBooking::on_request(evhttp_request* req, void* self) {
  static_cast<FakeBooking*>(self)->handle(req);
}

void FakeBooking::handle(evhttp_request* req) {
  Seen seen;
  switch (evhttp_request_get_command(req)) {
    case EVHTTP_REQ_GET:
      seen.method = "GET";
      break;
    case EVHTTP_REQ_POST:
      seen.method = "POST";
      break;
    case EVHTTP_REQ_PUT:
      seen.method = "PUT";
      break;
    case EVHTTP_REQ_DELETE:
      seen.method = "DELETE";
      break;
    default:
      seen.method = "OTHER";
  }
  seen.uri = evhttp_request_get_uri(req);
  evkeyvalq* in = evhttp_request_get_input_headers(req);
  for (evkeyval* kv = in->tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
    seen.headers.emplace_back(lower(kv->key), kv->value);
  }
  evbuffer* body = evhttp_request_get_input_buffer(req);
  const size_t n = evbuffer_get_length(body);
  seen.body.assign(reinterpret_cast<const char*>(evbuffer_pullup(body, -1)), n);
  size_t count = 0;
  {
    const std::lock_guard lock(mu_);
    seen_.push_back(seen);
    count = seen_.size();
  }
  const std::string answer =
      nlohmann::json(
          {{"uri", seen.uri}, {"n", count}, {"accept_encoding", seen.header("accept-encoding")}})
          .dump();
  evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
  evbuffer* out = evbuffer_new();
  evbuffer_add(out, answer.data(), answer.size());
  evhttp_send_reply(req, 200, "OK", out);
  evbuffer_free(out);
}

// ---- GateTest ----

void GateTest::SetUp() {
  redis::RedisProcess::Options options;
  options.append_only = false;
  auto started = redis::RedisProcess::start(options);
  ASSERT_TRUE(started) << started.error();
  redis_.emplace(std::move(*started));
  auto kid = keys_.generate_ed25519();
  ASSERT_TRUE(kid) << kid.error();
  ASSERT_TRUE(keys_.set_active(*kid));
  auto waiting = keys_.derive_hs256(tokens::kWaitingKeyPurpose);
  ASSERT_TRUE(waiting) << waiting.error();
  waiting_keys_ = std::move(*waiting);
}

void GateTest::TearDown() {
  client_.reset();
  gate_.reset();
  if (redis_) redis_->stop();
}

GateConfig GateTest::base_config() const {
  GateConfig c;
  c.h2c_port = 0;
  c.threads = 1;
  c.static_dir = BOXOFFICE_GATE_STATIC_DIR;
  c.redis_host = redis::RedisProcess::kHost;
  c.redis_port = redis_ ? redis_->port() : 0;
  c.upstream_port = closed_port();
  c.upstream_timeout_ms = 3'000;
  c.room_refresh_ms = 20;
  c.join_rate_per_ip_per_s = 0;
  c.api_rate_per_identity_per_s = 0;
  c.drain_timeout_ms = 2'000;
  return c;
}

void GateTest::start_gate(const std::function<void(GateConfig&)>& tweak) {
  GateConfig config = base_config();
  if (tweak) tweak(config);
  auto started = Gate::start(std::move(config), keys_);
  ASSERT_TRUE(started) << started.error();
  gate_ = std::move(*started);
  client_ = connect();
  ASSERT_NE(client_, nullptr);
}

std::unique_ptr<H2Client> GateTest::connect() const {
  auto c = H2Client::connect("127.0.0.1", gate_->h2c_port());
  if (!c) {
    ADD_FAILURE() << "connect: " << c.error();
    return nullptr;
  }
  return std::move(*c);
}

Response GateTest::call(H2Client& client, std::string_view method, std::string_view path,
                        const std::vector<Header>& headers, std::string body) {
  auto r = client.request(method, path, headers, std::move(body));
  if (!r) {
    ADD_FAILURE() << method << " " << path << ": " << r.error();
    return {};
  }
  return std::move(*r);
}

Response GateTest::put_room(const std::string& event, const nlohmann::json& settings) {
  Response r = call("PUT", "/admin/events/" + event, {Header{"content-type", "application/json"}},
                    settings.dump());
  EXPECT_EQ(r.status, 200) << "PUT " << event << " " << settings.dump() << ": " << r.body;
  return r;
}

void GateTest::open_room(const std::string& event, nlohmann::json settings) {
  settings.emplace("queue_opens_at_ms", 0);
  settings.emplace("on_sale_at_ms", 0);
  settings.emplace("mode", "fifo");
  put_room(event, settings);
}

nlohmann::json GateTest::figures(const std::string& event) {
  const Response r = call("GET", "/admin/events/" + event);
  EXPECT_EQ(r.status, 200) << r.body;
  return json_of(r);
}

bool GateTest::figure_reaches(const std::string& event, const std::string& field, int64_t value) {
  int64_t last = -1;
  const bool reached = poll_until([&] {
    last = figures(event).value(field, int64_t{-1});
    return last == value;
  });
  EXPECT_TRUE(reached) << event << " " << field << " stays " << last << ", not " << value;
  return reached;
}

int64_t GateTest::joined_in_redis(const std::string& event) const {
  auto client = redis::SyncClient::connect(redis_->host(), redis_->port());
  if (!client) {
    ADD_FAILURE() << client.error();
    return -1;
  }
  const std::vector<std::string> keys = room_redis_keys(event);
  auto pre = client->command({"ZCARD", keys[2]});
  auto fifo = client->command({"HLEN", keys[3]});
  if (!pre || !fifo) {
    ADD_FAILURE() << "Redis: ZCARD/HLEN failed";
    return -1;
  }
  return pre->integer() + fifo->integer();
}

Response GateTest::join(H2Client& client, const std::string& event, const std::string& user,
                        std::vector<Header> headers) {
  if (!user.empty()) headers.push_back(Header{"x-boxoffice-user", user});
  Response r;
  // A lottery room's seed reaches a thread one Redis read after the room itself (load_seed):
  // until then a join answers 503. Only that answer is retried.
  poll_until([&] {
    r = call(client, "POST", "/queue/" + event + "/join", headers);
    return !(r.status == 503 && error_code(r) == "unavailable");
  });
  return r;
}

std::string GateTest::join_token(const std::string& event, const std::string& user) {
  const Response r = join(event, user);
  EXPECT_EQ(r.status, 200) << r.body;
  const nlohmann::json body = json_of(r);
  if (!body.is_object() || !body.contains("token") || !body["token"].is_string()) {
    ADD_FAILURE() << "join of " << user << " has no token: " << r.body;
    return {};
  }
  return body["token"].get<std::string>();
}

Response GateTest::status(const std::string& event, std::string_view token,
                          std::vector<Header> headers) {
  if (!token.empty()) headers.push_back(Header{"authorization", "Bearer " + std::string(token)});
  return call("GET", "/queue/" + event + "/status", headers);
}

std::string GateTest::await_admission(const std::string& event, std::string_view waiting_token) {
  std::string admission;
  poll_until([&] {
    const nlohmann::json body = json_of(status(event, waiting_token));
    if (body.is_object() && body.value("phase", "") == "admitted") {
      admission = body.value("admission_token", "");
      return true;
    }
    return false;
  });
  EXPECT_FALSE(admission.empty()) << "not admitted in time";
  return admission;
}

tokens::Claims GateTest::claims(const std::string& user, const std::string& event,
                                std::string_view kind) const {
  tokens::Claims c;
  c.sub = user;
  c.event = event;
  c.kind = std::string(kind);
  c.position = 1;
  const int64_t now_s = wall_ms() / 1000;
  c.iat = now_s;
  c.nbf = now_s;
  c.exp = now_s + 600;
  return c;
}

std::vector<GateTest::Forged> GateTest::forged_tokens(const std::string& event,
                                                      std::string_view kind,
                                                      std::string_view genuine) const {
  using tokens::base64url_encode;
  const tokens::KeySet& keys = keys_for(kind);
  const std::string kid = keys.active_kid();
  const tokens::Claims good = claims("forger", event, kind);
  auto with_header = [](const nlohmann::json& header, std::string_view payload) {
    return base64url_encode(header.dump()) + "." + base64url_encode(payload) + "." +
           base64url_encode("not a signature");
  };
  std::vector<Forged> out;
  out.push_back(
      {"alg none",
       with_header({{"alg", "none"}, {"typ", "JWT"}, {"kid", kid}}, tokens::claims_to_json(good)),
       "alg_not_allowed"});
  const std::string_view other_alg =
      keys.find(kid)->type() == tokens::KeyType::kEd25519 ? tokens::kAlgHs256 : tokens::kAlgEdDsa;
  out.push_back({std::string(other_alg) + " on the kid of the other algorithm",
                 with_header({{"alg", other_alg}, {"typ", "JWT"}, {"kid", kid}},
                             tokens::claims_to_json(good)),
                 "alg_not_allowed"});
  tokens::KeySet other;
  if (auto other_kid = other.generate_ed25519(); other_kid && other.set_active(*other_kid)) {
    out.push_back({"unknown kid", other.sign(good), "unknown_kid"});
  }
  out.push_back(
      {"wrong event", keys.sign(claims("forger", event + "-other", kind)), "wrong_event"});
  tokens::Claims expired = good;
  expired.iat = good.iat - 7200;
  expired.nbf = good.iat - 7200;
  expired.exp = good.iat - 10;
  out.push_back({"expired", keys.sign(expired), "expired"});
  tokens::Claims early = good;
  early.nbf = good.iat + 3600;
  early.exp = good.iat + 7200;
  out.push_back({"not yet valid", keys.sign(early), "not_yet_valid"});
  const std::string_view other_kind =
      kind == tokens::kKindWaiting ? tokens::kKindAdmission : tokens::kKindWaiting;
  out.push_back({"wrong kind", keys.sign(claims("forger", event, other_kind)), "wrong_kind"});
  // A genuine token with a payload of someone else's choosing: the signature no longer fits.
  const size_t dot1 = genuine.find('.');
  const size_t dot2 = genuine.rfind('.');
  if (dot1 != std::string_view::npos && dot2 > dot1) {
    tokens::Claims elevated = good;
    elevated.sub = "somebody-else";
    out.push_back({"tampered payload",
                   std::string(genuine.substr(0, dot1)) + "." +
                       base64url_encode(tokens::claims_to_json(elevated)) +
                       std::string(genuine.substr(dot2)),
                   "bad_signature"});
  }
  // Signed by our key, but not claims we issue.
  if (const tokens::Key* key = keys.find(kid); key != nullptr) {
    const std::string input = key->header_b64() + "." + base64url_encode(R"({"sub":"x"})");
    out.push_back(
        {"signed junk claims", input + "." + base64url_encode(key->sign(input)), "bad_claims"});
  }
  out.push_back({"not a JWS", "abc.def", "malformed"});
  return out;
}

}  // namespace boxoffice::gateway::testing
