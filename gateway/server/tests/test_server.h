// A server with a small test application, for the h2 tests.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/server/server.h"
#include "gateway/server/static_files.h"
#include "gateway/server/testing/h2_client.h"

namespace boxoffice::gateway::server::testing {

// How long a test waits for what should happen at once on loopback.
inline constexpr std::chrono::milliseconds kDeadline{5000};

// Shared by the handlers of all threads (atomics only, but the static files, set before start).
struct TestState {
  std::atomic<int> handled{0};  // handle() calls
  std::atomic<int> held{0};     // writers parked by /hold
  std::atomic<int> closes{0};   // on_close callbacks run
  std::optional<StaticFiles> static_files;
};

// Routes: /hello, /echo (body and ?name= back), /later (answers from a 20 ms timer), /slow
// (300 ms), /stream + /next (a streamed response advanced by another request), /hold +
// /release (parks writers, then uses them), /static/... (StaticFiles).
class TestHandler : public RequestHandler {
 public:
  TestHandler(event_base* base, int thread_index, TestState& state);
  ~TestHandler() override;
  TestHandler(const TestHandler&) = delete;
  TestHandler& operator=(const TestHandler&) = delete;
  void handle(Request& request, ResponseWriter writer) override;

 private:
  struct Pending;
  void answer_later(ResponseWriter writer, int delay_ms, std::string body);

  event_base* base_;
  int thread_index_;
  TestState& state_;
  std::vector<std::unique_ptr<Pending>> pending_;
  ResponseWriter stream_;
  std::vector<ResponseWriter> held_;
};

class TestServer {
 public:
  explicit TestServer(ServerConfig config = {});
  bool ok() const { return started_; }
  Server& server() { return *server_; }
  TestState& state() { return state_; }
  int port() const { return server_->ports().h2c; }
  std::unique_ptr<H2Client> client(ClientOptions options = {}) const;

 private:
  TestState state_;
  std::unique_ptr<Server> server_;
  bool started_ = false;
};

}  // namespace boxoffice::gateway::server::testing
