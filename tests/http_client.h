// A small blocking HTTP/1.1 client for end-to-end tests (Boost.Beast), one keep-alive
// connection per object.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace boxoffice::testing {

struct HttpResponse {
  int status = 0;  // 0 = transport error (see body)
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names
};

class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse request(const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});
  HttpResponse get(const std::string& target) { return request("GET", target); }
  HttpResponse post(const std::string& target, const std::string& body,
                    const std::map<std::string, std::string>& headers = {}) {
    return request("POST", target, body, headers);
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "http://127.0.0.1:8080" -> port 8080 (host must be 127.0.0.1); 0 if malformed.
uint16_t port_of(const std::string& url);

}  // namespace boxoffice::testing
