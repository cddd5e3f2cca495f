#include "booking/api/response_head.h"

#include <boost/beast/http/status.hpp>
#include <charconv>
#include <string_view>

namespace boxoffice::booking::api {
namespace {

bool safe_in_field(std::string_view s) { return s.find_first_of({"\r\n\0", 3}) == s.npos; }

void append_field(std::string& out, std::string_view name, std::string_view value) {
  if (!safe_in_field(name) || !safe_in_field(value)) return;
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

void append_decimal(std::string& out, uint64_t n) {
  char digits[20];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

// RFC 9110 8.6: no Content-Length on an informational, 204 or 304 answer (none has a body).
bool has_no_body(int status) { return status < 200 || status == 204 || status == 304; }

}  // namespace

std::string response_head(const Response& r, unsigned version, bool keep_alive,
                          BodyFraming framing) {
  std::string out;
  out.reserve(160);
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  append_decimal(out, static_cast<uint64_t>(r.status));
  out += ' ';
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(r.status));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  append_field(out, "Server", "boxoffice");
  append_field(out, "Content-Type", r.content_type);
  for (const auto& [name, value] : r.headers) append_field(out, name, value);
  if (framing == BodyFraming::kChunked) {
    out += "Transfer-Encoding: chunked\r\n";
  } else if (!has_no_body(r.status)) {
    out += "Content-Length: ";
    append_decimal(out, r.body ? r.body->size() : 0);
    out += "\r\n";
  }
  if (version == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

}  // namespace boxoffice::booking::api
