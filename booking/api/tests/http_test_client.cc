#include "booking/api/tests/http_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace boxoffice::booking::api::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

int connect_to(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

nlohmann::json HttpResult::json() const {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  return j;
}

std::string HttpResult::error_code() const {
  const nlohmann::json j = json();
  if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return "";
  return j["error"].value("code", "");
}

struct HttpTestClient::Impl {
  explicit Impl(uint16_t p) : port(p), socket(io) {}
  uint16_t port;
  asio::io_context io;
  tcp::socket socket;
  beast::flat_buffer buffer;

  bool connect() {
    boost::system::error_code ec;
    (void)socket.close(ec);
    socket = tcp::socket(io);
    buffer.clear();
    (void)socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) return false;
    // A test must fail, not hang, if the server never answers.
    const timeval timeout{10, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return true;
  }
};

HttpTestClient::HttpTestClient(uint16_t port) : impl_(std::make_unique<Impl>(port)) {}
HttpTestClient::~HttpTestClient() = default;

HttpResult HttpTestClient::request(const std::string& method, const std::string& target,
                                   const std::string& body,
                                   const std::map<std::string, std::string>& headers) {
  HttpResult result;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->socket.is_open() && !impl_->connect()) {
      result.body = "connect failed";
      return result;
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == "POST") req.prepare_payload();
    req.keep_alive(true);
    boost::system::error_code ec;
    http::write(impl_->socket, req, ec);
    http::response<http::string_body> res;
    if (!ec) http::read(impl_->socket, impl_->buffer, res, ec);
    if (ec) {
      // The server may have closed an idle keep-alive connection: one fresh try.
      boost::system::error_code ignored;
      (void)impl_->socket.close(ignored);
      result.body = ec.message();
      continue;
    }
    result.status = static_cast<int>(res.result_int());
    result.body = res.body();
    for (const auto& field : res) {
      result.headers[lower(std::string(field.name_string()))] = std::string(field.value());
    }
    if (!res.keep_alive()) {
      boost::system::error_code ignored;
      (void)impl_->socket.close(ignored);
    }
    return result;
  }
  return result;
}

std::string HttpTestClient::raw(const std::string& bytes) {
  const int fd = connect_to(impl_->port);
  if (fd < 0) return "";
  send_all(fd, bytes);
  ::shutdown(fd, SHUT_WR);  // nothing more: the server need not wait for the rest
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10'000) <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

bool HttpTestClient::closed_without_answer(const std::string& bytes) {
  const int fd = connect_to(impl_->port);
  if (fd < 0) return false;
  send_all(fd, bytes);
  pollfd p{fd, POLLIN, 0};
  char byte = 0;
  const bool closed = ::poll(&p, 1, 10'000) == 1 && ::recv(fd, &byte, 1, 0) == 0;
  ::close(fd);
  return closed;
}

SseReader::SseReader(uint16_t port, const std::string& target,
                     const std::map<std::string, std::string>& headers) {
  fd_ = connect_to(port);
  if (fd_ < 0) return;
  std::string req = "GET ";
  req += target;
  req += " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [k, v] : headers) {
    req += k;
    req += ": ";
    req += v;
    req += "\r\n";
  }
  req += "\r\n";
  send_all(fd_, req);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (raw_.find("\r\n\r\n") == std::string::npos) {
    if (!fill(deadline)) return;
  }
  const size_t end = raw_.find("\r\n\r\n");
  head_ = raw_.substr(0, end);
  raw_.erase(0, end + 4);
  if (head_.size() > 12) status_ = std::atoi(head_.substr(9, 3).c_str());
  if (status_ != 200) {
    // An error answer is a plain JSON body: read it whole.
    while (fill(deadline)) {
    }
    body_ = raw_;
  }
}

SseReader::~SseReader() {
  if (fd_ >= 0) ::close(fd_);
}

bool SseReader::fill(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0 || closed_) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buf[16384];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  raw_.append(buf, static_cast<size_t>(n));
  return true;
}

// Moves every complete chunk from raw_ to body_; false once the last chunk came.
bool SseReader::decode_chunks() {
  for (;;) {
    const size_t eol = raw_.find("\r\n");
    if (eol == std::string::npos) return true;
    const size_t size = std::stoul(raw_.substr(0, eol), nullptr, 16);
    if (size == 0) return false;
    if (raw_.size() < eol + 2 + size + 2) return true;
    body_.append(raw_, eol + 2, size);
    raw_.erase(0, eol + 2 + size + 2);
  }
}

std::optional<SseMessage> SseReader::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    decode_chunks();
    const size_t end = body_.find("\n\n");
    if (end != std::string::npos) {
      const std::string frame = body_.substr(0, end);
      body_.erase(0, end + 2);
      SseMessage m;
      bool any_field = false;
      size_t pos = 0;
      while (pos <= frame.size()) {
        size_t nl = frame.find('\n', pos);
        if (nl == std::string::npos) nl = frame.size();
        const std::string line = frame.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty() || line[0] == ':') continue;
        const size_t colon = line.find(':');
        const std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (field == "event") {
          m.event = value;
          any_field = true;
        } else if (field == "id") {
          m.id = std::stoull(value);
        } else if (field == "data") {
          if (!m.data.empty()) m.data += '\n';
          m.data += value;
          any_field = true;
        }
      }
      if (!any_field) {
        if (frame.starts_with(":")) ++comments_;
        continue;  // a comment or a retry line
      }
      if (m.event.empty()) m.event = "message";
      return m;
    }
    if (!fill(deadline)) return std::nullopt;
  }
}

std::optional<SseMessage> SseReader::next_of(const std::string& event,
                                             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto m = next(left);
    if (!m || m->event == event) return m;
  }
}

}  // namespace boxoffice::booking::api::testing
