// A small asynchronous HTTP/1.1 client (Asio + Beast) for one server: the provider's API for
// the booking side, the booking webhook for the simulator. Keeps idle connections for reuse.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/result.h"

namespace boxoffice::payments {

struct HttpResponse {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

class HttpClient {
 public:
  struct Options {
    std::chrono::milliseconds timeout{5000};  // the whole exchange: resolve, connect, send, read
    size_t max_idle_connections = 8;
    size_t max_response_bytes = 1 << 20;
  };
  using Header = std::pair<std::string, std::string>;
  // Any status is a response; an error (a sentence) means none arrived: connect, timeout, I/O,
  // or a malformed or oversized response.
  using Done = std::function<void(Result<HttpResponse, std::string>)>;

  // Sockets, timers and callbacks run on executor: give a strand if several threads run its
  // context. The client may be destroyed with requests in flight: they still complete.
  HttpClient(boost::asio::any_io_executor executor, std::string host, uint16_t port,
             Options options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // May be called from any thread; done runs exactly once, on the executor. A request that
  // fails on a reused keep-alive connection before any response byte arrives (the server had
  // closed it) is sent once more on a fresh one, so callers only send requests that are safe
  // to repeat (all of this module's are: lookups, refunds idempotent by payment id, and
  // webhooks that receivers deduplicate by event id).
  void send(boost::beast::http::verb method, std::string_view target, std::string body,
            const std::vector<Header>& headers, Done done);

  struct Pool;  // shared with the requests in flight

 private:
  std::shared_ptr<Pool> pool_;
};

}  // namespace boxoffice::payments
