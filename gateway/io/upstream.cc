#include "gateway/io/upstream.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <algorithm>
#include <cctype>

#include "gateway/server/event_time.h"

namespace boxoffice::gateway::io {
namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool method_of(std::string_view method, evhttp_cmd_type& out) {
  static constexpr std::pair<std::string_view, evhttp_cmd_type> kMethods[] = {
      {"GET", EVHTTP_REQ_GET},         {"HEAD", EVHTTP_REQ_HEAD},   {"POST", EVHTTP_REQ_POST},
      {"PUT", EVHTTP_REQ_PUT},         {"PATCH", EVHTTP_REQ_PATCH}, {"DELETE", EVHTTP_REQ_DELETE},
      {"OPTIONS", EVHTTP_REQ_OPTIONS},
  };
  for (const auto& [name, cmd] : kMethods) {
    if (name == method) {
      out = cmd;
      return true;
    }
  }
  return false;
}

// Header values and targets must not smuggle a line break into the request.
bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos || s.find('\0') != s.npos;
}

// The lowercase names a Connection header lists ("close, x-foo" → {"close", "x-foo"}).
void connection_tokens(std::string_view value, std::vector<std::string>& out) {
  while (!value.empty()) {
    const size_t comma = std::min(value.find(','), value.size());
    std::string_view token = value.substr(0, comma);
    value.remove_prefix(std::min(comma + 1, value.size()));
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) {
      token.remove_prefix(1);
    }
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (!token.empty()) out.push_back(lowercase(token));
  }
}

// Headers that travel on: not hop-by-hop, not named by Connection, not content-length.
template <class Each>
void forwardable(const HeaderList& headers, Each each) {
  std::vector<std::string> named;
  for (const auto& [name, value] : headers) {
    if (lowercase(name) == "connection") connection_tokens(value, named);
  }
  for (const auto& [name, value] : headers) {
    const std::string lower = lowercase(name);
    if (is_hop_by_hop(lower) || lower == "content-length") continue;
    if (std::find(named.begin(), named.end(), lower) != named.end()) continue;
    each(name, value);
  }
}

}  // namespace

std::string_view to_string(UpstreamError error) {
  switch (error) {
    case UpstreamError::kUnavailable:
      return "upstream_unavailable";
    case UpstreamError::kTimeout:
      return "upstream_timeout";
    case UpstreamError::kOverloaded:
      return "upstream_overloaded";
    case UpstreamError::kBadRequest:
      return "upstream_bad_request";
    case UpstreamError::kBadResponse:
      return "upstream_bad_response";
  }
  return "unknown";
}

bool is_hop_by_hop(std::string_view name) {
  return name == "connection" || name == "keep-alive" || name == "transfer-encoding" ||
         name == "te" || name == "trailer" || name == "upgrade" || name.starts_with("proxy-");
}

UpstreamPool::UpstreamPool(event_base* base, UpstreamOptions options)
    : base_(base), options_(std::move(options)) {
  host_header_ = options_.host;
  if (host_header_.find(':') != std::string::npos) host_header_ = "[" + host_header_ + "]";
  host_header_ += ":" + std::to_string(options_.port);
  const int n = std::max(1, options_.connections);
  slots_.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->pool = this;
    slot->connection =
        evhttp_connection_base_new(base_, nullptr, options_.host.c_str(), options_.port);
    if (slot->connection != nullptr) {
      evhttp_connection_set_max_body_size(slot->connection,
                                          static_cast<ev_ssize_t>(options_.max_response_bytes));
      // Our own deadline bounds each request; evhttp's idle timeout only backs it up.
      const timeval tv = to_timeval(options_.timeout_ms + 1'000);
      evhttp_connection_set_timeout_tv(slot->connection, &tv);
    }
    slot->deadline = evtimer_new(base_, &UpstreamPool::on_deadline, slot.get());
    slots_.push_back(std::move(slot));
  }
  deferred_event_ = event_new(base_, -1, 0, &UpstreamPool::on_deferred, this);
  queue_timer_ = evtimer_new(base_, &UpstreamPool::on_queue_timer, this);
}

UpstreamPool::~UpstreamPool() {
  // evhttp_connection_free drops a request in flight without calling its callbacks.
  for (auto& slot : slots_) {
    if (slot->connection != nullptr) evhttp_connection_free(slot->connection);
    if (slot->deadline != nullptr) event_free(slot->deadline);
  }
  if (deferred_event_ != nullptr) event_free(deferred_event_);
  if (queue_timer_ != nullptr) event_free(queue_timer_);
}

size_t UpstreamPool::busy() const {
  return static_cast<size_t>(std::count_if(slots_.begin(), slots_.end(),
                                           [](const auto& s) { return s->request != nullptr; }));
}

void UpstreamPool::send(UpstreamRequest request, Callback callback) {
  ++stats_.requests;
  evhttp_cmd_type cmd{};
  // A space or line break in the target would rewrite the request line.
  if (!method_of(request.method, cmd) || !request.target.starts_with('/') ||
      has_line_break(request.target) || request.target.find(' ') != std::string::npos) {
    return fail_later(std::move(callback), UpstreamError::kBadRequest);
  }
  Pending pending;
  pending.request = std::move(request);
  pending.callback = std::move(callback);
  pending.deadline_ms = steady_now_ms() + options_.timeout_ms;
  for (auto& slot : slots_) {
    if (slot->request == nullptr && slot->connection != nullptr) {
      return start(*slot, std::move(pending));
    }
  }
  if (queue_.size() >= options_.max_queue) {
    ++stats_.overloaded;
    return fail_later(std::move(pending.callback), UpstreamError::kOverloaded);
  }
  ++stats_.queued;
  queue_.push_back(std::move(pending));
  arm_queue_timer();
}

void UpstreamPool::start(Slot& slot, Pending pending) {
  evhttp_cmd_type cmd{};
  method_of(pending.request.method, cmd);
  evhttp_request* req = evhttp_request_new(&UpstreamPool::on_response, &slot);
  if (req == nullptr) return fail_later(std::move(pending.callback), UpstreamError::kUnavailable);
  evhttp_request_set_error_cb(
      req, [](evhttp_request_error error, void* arg) { on_error(static_cast<int>(error), arg); });
  evkeyvalq* out = evhttp_request_get_output_headers(req);
  bool has_host = false;
  bool bad = false;
  forwardable(pending.request.headers, [&](const std::string& name, const std::string& value) {
    if (has_line_break(name) || has_line_break(value) || name.empty()) {
      bad = true;
      return;
    }
    has_host = has_host || lowercase(name) == "host";
    evhttp_add_header(out, name.c_str(), value.c_str());
  });
  if (bad) {
    evhttp_request_free(req);
    return fail_later(std::move(pending.callback), UpstreamError::kBadRequest);
  }
  if (!has_host) evhttp_add_header(out, "Host", host_header_.c_str());
  const std::string& body = pending.request.body;
  // evhttp adds content-length only for POST and PUT.
  if (!body.empty() || cmd == EVHTTP_REQ_POST || cmd == EVHTTP_REQ_PUT || cmd == EVHTTP_REQ_PATCH) {
    evhttp_add_header(out, "Content-Length", std::to_string(body.size()).c_str());
    evbuffer_add(evhttp_request_get_output_buffer(req), body.data(), body.size());
  }
  slot.request = req;
  slot.callback = std::move(pending.callback);
  slot.error = -1;
  if (evhttp_make_request(slot.connection, req, cmd, pending.request.target.c_str()) != 0) {
    // evhttp has disposed of the request.
    slot.request = nullptr;
    return fail_later(std::move(slot.callback), UpstreamError::kUnavailable);
  }
  const timeval tv = to_timeval(pending.deadline_ms - steady_now_ms());
  evtimer_add(slot.deadline, &tv);
}

void UpstreamPool::on_error(int error, void* arg) {
  auto* slot = static_cast<Slot*>(arg);
  if (slot->request != nullptr) slot->error = error;
}

void UpstreamPool::on_response(evhttp_request* req, void* arg) {
  auto* slot = static_cast<Slot*>(arg);
  UpstreamPool* pool = slot->pool;
  if (slot->request == nullptr) return;  // already answered (a timeout)
  const int status = req == nullptr ? 0 : evhttp_request_get_response_code(req);
  if (status == 0) {
    UpstreamError error = UpstreamError::kUnavailable;
    if (slot->error == EVREQ_HTTP_TIMEOUT) error = UpstreamError::kTimeout;
    if (slot->error == EVREQ_HTTP_INVALID_HEADER || slot->error == EVREQ_HTTP_DATA_TOO_LONG) {
      error = UpstreamError::kBadResponse;
    }
    return pool->finish(*slot, unexpected(error));
  }
  UpstreamResponse response;
  response.status = status;
  HeaderList all;
  const evkeyvalq* in = evhttp_request_get_input_headers(req);
  for (const evkeyval* h = in->tqh_first; h != nullptr; h = h->next.tqe_next) {
    all.emplace_back(h->key, h->value);
  }
  forwardable(all, [&](const std::string& name, const std::string& value) {
    response.headers.emplace_back(name, value);
  });
  evbuffer* body = evhttp_request_get_input_buffer(req);
  const size_t size = evbuffer_get_length(body);
  response.body.resize(size);
  if (size > 0) evbuffer_copyout(body, response.body.data(), size);
  ++pool->stats_.responses;
  pool->finish(*slot, std::move(response));
}

void UpstreamPool::on_deadline(evutil_socket_t /*fd*/, short /*what*/, void* arg) {
  auto* slot = static_cast<Slot*>(arg);
  evhttp_request* req = slot->request;
  if (req == nullptr) return;
  Callback callback = std::move(slot->callback);
  slot->request = nullptr;
  // Resets the connection (the next request reconnects); the request's callback is not run.
  evhttp_cancel_request(req);
  UpstreamPool* pool = slot->pool;
  ++pool->stats_.errors;
  ++pool->stats_.timeouts;
  callback(unexpected(UpstreamError::kTimeout));
  pool->pump();
}

void UpstreamPool::finish(Slot& slot, UpstreamResult result) {
  evtimer_del(slot.deadline);
  Callback callback = std::move(slot.callback);
  slot.request = nullptr;
  slot.error = -1;
  if (!result) {
    ++stats_.errors;
    if (result.error() == UpstreamError::kTimeout) ++stats_.timeouts;
  }
  callback(std::move(result));
  pump();
}

// Hands queued requests to idle connections, failing those whose deadline has passed.
void UpstreamPool::pump() {
  expire_queue();
  for (auto& slot : slots_) {
    if (queue_.empty()) break;
    if (slot->request != nullptr || slot->connection == nullptr) continue;
    Pending next = std::move(queue_.front());
    queue_.pop_front();
    start(*slot, std::move(next));
  }
  arm_queue_timer();
}

void UpstreamPool::expire_queue() {
  const int64_t now = steady_now_ms();
  // One timeout for all requests: queue order is deadline order.
  while (!queue_.empty() && queue_.front().deadline_ms <= now) {
    ++stats_.timeouts;
    fail_later(std::move(queue_.front().callback), UpstreamError::kTimeout);
    queue_.pop_front();
  }
}

void UpstreamPool::arm_queue_timer() {
  if (queue_.empty()) {
    evtimer_del(queue_timer_);
    return;
  }
  const timeval tv = to_timeval(queue_.front().deadline_ms - steady_now_ms());
  evtimer_add(queue_timer_, &tv);
}

void UpstreamPool::on_queue_timer(evutil_socket_t /*fd*/, short /*what*/, void* arg) {
  auto* pool = static_cast<UpstreamPool*>(arg);
  pool->expire_queue();
  pool->arm_queue_timer();
}

void UpstreamPool::fail_later(Callback callback, UpstreamError error) {
  ++stats_.errors;
  deferred_.emplace_back(std::move(callback), error);
  event_active(deferred_event_, EV_TIMEOUT, 0);
}

void UpstreamPool::on_deferred(evutil_socket_t /*fd*/, short /*what*/, void* arg) {
  static_cast<UpstreamPool*>(arg)->run_deferred();
}

void UpstreamPool::run_deferred() {
  std::vector<std::pair<Callback, UpstreamError>> batch;
  batch.swap(deferred_);
  for (auto& [callback, error] : batch) callback(unexpected(error));
}

}  // namespace boxoffice::gateway::io
