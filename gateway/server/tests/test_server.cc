#include "gateway/server/tests/test_server.h"

#include <event2/event.h>
#include <gtest/gtest.h>

#include <utility>

namespace boxoffice::gateway::server::testing {

struct TestHandler::Pending {
  event* ev = nullptr;
  ResponseWriter writer;
  std::string body;
  bool done = false;
};

TestHandler::TestHandler(event_base* base, int thread_index, TestState& state)
    : base_(base), thread_index_(thread_index), state_(state) {}

TestHandler::~TestHandler() {
  for (auto& p : pending_) event_free(p->ev);
}

void TestHandler::answer_later(ResponseWriter writer, int delay_ms, std::string body) {
  std::erase_if(pending_, [](const std::unique_ptr<Pending>& p) {
    if (p->done) event_free(p->ev);
    return p->done;
  });
  auto p = std::make_unique<Pending>();
  p->writer = std::move(writer);
  p->body = std::move(body);
  p->ev = event_new(
      base_, -1, 0,
      [](evutil_socket_t, short, void* arg) {
        auto* pending = static_cast<Pending*>(arg);
        pending->writer.respond(200, {Header{"content-type", "text/plain"}},
                                std::move(pending->body));
        pending->done = true;
      },
      p.get());
  const timeval tv{0, static_cast<suseconds_t>(delay_ms) * 1000};
  event_add(p->ev, &tv);
  pending_.push_back(std::move(p));
}

void TestHandler::handle(Request& request, ResponseWriter writer) {
  state_.handled.fetch_add(1);
  const std::string& path = request.target.path;
  const Header text{"content-type", "text/plain"};
  if (path == "/hello") {
    return writer.respond(200, {text, Header{"x-thread", std::to_string(thread_index_)}}, "hello");
  }
  if (path == "/echo") {
    std::vector<Header> headers{text, Header{"x-method", request.method}};
    if (auto name = request.target.query("name"))
      headers.push_back(Header{"x-name", std::string(*name)});
    headers.push_back(Header{"x-cookie", std::string(request.header("cookie"))});
    return writer.respond(200, std::move(headers), std::move(request.body));
  }
  if (path == "/later") return answer_later(std::move(writer), 20, "later");
  if (path == "/slow") return answer_later(std::move(writer), 300, "slow");
  if (path == "/stream") {
    writer.begin(200, {Header{"content-type", "text/event-stream"}});
    writer.send("chunk 1\n");
    stream_ = std::move(writer);
    return;
  }
  if (path == "/next") {
    stream_.send("chunk 2\n");
    stream_.finish();
    stream_ = ResponseWriter();
    return writer.respond(200, {text}, "ok");
  }
  if (path == "/hold") {
    writer.on_close([this] { state_.closes.fetch_add(1); });
    held_.push_back(std::move(writer));
    state_.held.fetch_add(1);
    return;
  }
  if (path == "/release") {
    int open = 0;
    for (ResponseWriter& w : held_) {
      open += w.open() ? 1 : 0;
      // Every call must be harmless on a stream the client already reset.
      w.respond(200, {text}, "released");
      w.begin(200, {});
      w.send("late");
      w.finish();
      w.on_close([] {});
    }
    held_.clear();
    return writer.respond(200, {text}, "open=" + std::to_string(open));
  }
  if (path.starts_with("/static/") && state_.static_files) {
    if (state_.static_files->serve(request, writer, std::string_view(path).substr(7))) return;
  }
  writer.respond(404, {text}, "no such route");
}

TestServer::TestServer(ServerConfig config) {
  server_ = std::make_unique<Server>(
      std::move(config), [this](event_base* base, int index) -> std::unique_ptr<RequestHandler> {
        return std::make_unique<TestHandler>(base, index, state_);
      });
  auto started = server_->start();
  EXPECT_TRUE(started) << (started ? "" : started.error());
  started_ = started.has_value();
}

std::unique_ptr<H2Client> TestServer::client(ClientOptions options) const {
  auto c = H2Client::connect("127.0.0.1", options.tls ? server_->ports().tls : port(),
                             std::move(options));
  EXPECT_TRUE(c) << (c ? "" : c.error());
  return c ? std::move(*c) : nullptr;
}

}  // namespace boxoffice::gateway::server::testing
