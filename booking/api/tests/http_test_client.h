// Blocking HTTP/1.1 clients for the API's tests: a keep-alive request client (Beast) and an
// SSE reader (plain socket, chunked decoding, deadline on every read).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace boxoffice::booking::api::testing {

struct HttpResult {
  int status = 0;  // 0: transport error
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names
  nlohmann::json json() const;
  std::string error_code() const;  // body's error.code, "" if none
};

class HttpTestClient {
 public:
  explicit HttpTestClient(uint16_t port);
  ~HttpTestClient();
  HttpTestClient(const HttpTestClient&) = delete;
  HttpTestClient& operator=(const HttpTestClient&) = delete;

  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});
  HttpResult get(const std::string& target, const std::map<std::string, std::string>& h = {}) {
    return request("GET", target, "", h);
  }
  HttpResult post(const std::string& target, const std::string& body,
                  const std::map<std::string, std::string>& h = {}) {
    return request("POST", target, body, h);
  }
  // Sends bytes as they are on a fresh connection and returns the raw answer (until close).
  std::string raw(const std::string& bytes);
  // Sends bytes on a fresh connection and then waits, sending nothing more: true if the server
  // closes the connection within 10 s without answering.
  bool closed_without_answer(const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct SseMessage {
  std::string event;  // "message" if the frame names none
  std::optional<uint64_t> id;
  std::string data;
  nlohmann::json json() const { return nlohmann::json::parse(data); }
};

class SseReader {
 public:
  SseReader(uint16_t port, const std::string& target,
            const std::map<std::string, std::string>& headers = {});
  ~SseReader();
  SseReader(const SseReader&) = delete;
  SseReader& operator=(const SseReader&) = delete;

  int status() const { return status_; }
  const std::string& head() const { return head_; }
  // The next event (comments are counted, not returned); nullopt at the deadline or on close.
  std::optional<SseMessage> next(std::chrono::milliseconds timeout);
  // The next event of that type, skipping others.
  std::optional<SseMessage> next_of(const std::string& event, std::chrono::milliseconds timeout);
  int comments() const { return comments_; }
  bool closed() const { return closed_; }
  const std::string& error_body() const { return body_; }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  bool decode_chunks();

  int fd_ = -1;
  int status_ = 0;
  std::string head_;
  std::string raw_;   // bytes after the header, still chunked
  std::string body_;  // de-chunked text not yet parsed into events
  int comments_ = 0;
  bool closed_ = false;
};

}  // namespace boxoffice::booking::api::testing
