#include "tests/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace boxoffice::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct HttpClient::Impl {
  std::string host;
  uint16_t port = 0;
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  bool connect(beast::error_code& ec) {
    stream.emplace(io);
    stream->expires_after(std::chrono::seconds(30));
    stream->connect({asio::ip::make_address(host), port}, ec);
    return !ec;
  }
};

HttpClient::HttpClient(std::string host, uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::request(const std::string& method, const std::string& target,
                                 const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, impl_->host);
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || method == "POST") {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  HttpResponse out;
  // One retry on a fresh connection: the server may have closed an idle keep-alive one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    if (!impl_->stream && !impl_->connect(ec)) {
      out.body = ec.message();
      continue;
    }
    impl_->stream->expires_after(std::chrono::seconds(60));
    http::write(*impl_->stream, req, ec);
    http::response<http::string_body> res;
    if (!ec) http::read(*impl_->stream, impl_->buffer, res, ec);
    if (ec) {
      impl_->stream.reset();
      impl_->buffer.clear();
      out.body = ec.message();
      continue;
    }
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value());
    }
    if (!res.keep_alive()) impl_->stream.reset();
    return out;
  }
  return out;
}

uint16_t port_of(const std::string& url) {
  const std::string prefix = "http://127.0.0.1:";
  if (url.rfind(prefix, 0) != 0) return 0;
  int port = 0;
  for (size_t i = prefix.size(); i < url.size() && url[i] != '/'; ++i) {
    if (url[i] < '0' || url[i] > '9') return 0;
    port = port * 10 + (url[i] - '0');
    if (port > 65535) return 0;
  }
  return static_cast<uint16_t>(port);
}

}  // namespace boxoffice::testing
