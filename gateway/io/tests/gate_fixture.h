// The gate end to end for tests: a real redis-server, the Gate in-process on port 0 with a key
// set the test also holds (to verify and forge tokens), the HTTP/2 test client, and a stand-in
// booking API (evhttp on its own thread) for the proxy.
#pragma once

#include <event2/event.h>
#include <event2/http.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/io/gate.h"
#include "gateway/server/testing/h2_client.h"
#include "shared/redis/redis_process.h"
#include "shared/tokens/claims.h"
#include "shared/tokens/key_set.h"

namespace boxoffice::gateway::testing {

using server::Header;
using server::testing::H2Client;
using server::testing::Response;

inline constexpr std::chrono::milliseconds kDeadline{10'000};

int64_t wall_ms();
// The body as JSON (discarded when it is not JSON).
nlohmann::json json_of(const Response& response);
// error.code and error.reason of a gate error body ("" when absent).
std::string error_code(const Response& response);
std::string error_reason(const Response& response);
// Every value of a response header.
std::vector<std::string> header_values(const Response& response, std::string_view name);
// A loopback port nothing listens on (bound, then released).
uint16_t closed_port();
// Polls done() until it holds or the deadline passes; returns done().
bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = kDeadline);

// The stand-in booking API: an HTTP/1.1 server on its own thread that records every request
// and answers 200 {"uri": ..., "n": <requests so far>}.
class FakeBooking {
 public:
  struct Seen {
    std::string method;
    std::string uri;
    std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
    std::string body;
    std::string header(std::string_view name) const;  // "(none)" when absent
    size_t count(std::string_view name) const;
  };

  FakeBooking();
  ~FakeBooking();
  FakeBooking(const FakeBooking&) = delete;
  FakeBooking& operator=(const FakeBooking&) = delete;

  bool ok() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  std::vector<Seen> seen() const;
  size_t hits(std::string_view uri) const;

 private:
  static void on_request(evhttp_request* req, void* self);
  void handle(evhttp_request* req);

  event_base* base_ = nullptr;
  evhttp* http_ = nullptr;
  event* tick_ = nullptr;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Seen> seen_;
};

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // One thread, rooms refreshed every 20 ms, rate limits off, the upstream a closed port.
  GateConfig base_config() const;
  // Starts the gate with base_config() changed by tweak, and connects client_.
  void start_gate(const std::function<void(GateConfig&)>& tweak = {});
  std::unique_ptr<H2Client> connect() const;

  // One request; a transport failure is a test failure and a Response with status 0.
  static Response call(H2Client& client, std::string_view method, std::string_view path,
                       const std::vector<Header>& headers = {}, std::string body = {});
  Response call(std::string_view method, std::string_view path,
                const std::vector<Header>& headers = {}, std::string body = {}) {
    return call(*client_, method, path, headers, std::move(body));
  }

  // PUT /admin/events/{event}: a failure is a test failure.
  Response put_room(const std::string& event, const nlohmann::json& settings);
  // A room on sale since the epoch (joins get FIFO places at once; mode fifo unless the
  // settings say), with these settings too.
  void open_room(const std::string& event, nlohmann::json settings = nlohmann::json::object());
  // GET /admin/events/{event} as JSON. The figures are the thread's room cache: they lag
  // Redis by up to room_refresh_ms, so tests poll them (figure_reaches) or ask Redis.
  nlohmann::json figures(const std::string& event);
  bool figure_reaches(const std::string& event, const std::string& field, int64_t value);
  // Identities with a place in Redis (pre-queue and FIFO): the truth, not a cache.
  int64_t joined_in_redis(const std::string& event) const;

  Response join(H2Client& client, const std::string& event, const std::string& user,
                std::vector<Header> headers = {});
  Response join(const std::string& event, const std::string& user,
                std::vector<Header> headers = {}) {
    return join(*client_, event, user, std::move(headers));
  }
  // The waiting token of a successful join ("" otherwise: a test failure).
  std::string join_token(const std::string& event, const std::string& user);
  Response status(const std::string& event, std::string_view token,
                  std::vector<Header> headers = {});
  // Polls the status until it is admitted; returns the admission token ("" on timeout).
  std::string await_admission(const std::string& event, std::string_view waiting_token);

  // Tokens signed with the gate's own key: for forging claims the gate never issues.
  tokens::Claims claims(const std::string& user, const std::string& event,
                        std::string_view kind) const;

  // Tokens the gate must refuse where a token of `kind` for `event` is needed, each with the
  // reason (shared/tokens/errc.h) it must give. `genuine` is a real token of that kind for the
  // event, to tamper with.
  struct Forged {
    std::string name;
    std::string token;
    std::string reason;
  };
  std::vector<Forged> forged_tokens(const std::string& event, std::string_view kind,
                                    std::string_view genuine) const;

  // The keys a gate started by start_gate() signs with: keys_ for admission tokens, and the
  // HS256 keys it derives from them for waiting tokens.
  const tokens::KeySet& keys_for(std::string_view kind) const {
    return kind == tokens::kKindWaiting ? waiting_keys_ : keys_;
  }

  tokens::KeySet keys_;
  tokens::KeySet waiting_keys_;
  std::optional<redis::RedisProcess> redis_;
  std::unique_ptr<Gate> gate_;
  std::unique_ptr<H2Client> client_;
};

}  // namespace boxoffice::gateway::testing
