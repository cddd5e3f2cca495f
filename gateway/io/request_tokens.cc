#include "gateway/io/request_tokens.h"

#include <algorithm>

namespace boxoffice::gateway {

std::string waiting_cookie_name(std::string_view event) { return "bx_wait_" + std::string(event); }

std::string admission_cookie_name(std::string_view event) {
  return "bx_admit_" + std::string(event);
}

std::string_view request_token(const server::Request& request, std::string_view cookie_name) {
  const std::string_view auth = request.header("authorization");
  if (auth.starts_with("Bearer ")) return auth.substr(7);
  if (cookie_name.empty()) return {};
  std::string_view cookies = request.header("cookie");
  while (!cookies.empty()) {
    const size_t end = std::min(cookies.find(';'), cookies.size());
    std::string_view pair = cookies.substr(0, end);
    cookies.remove_prefix(std::min(end + 1, cookies.size()));
    while (pair.starts_with(' ')) pair.remove_prefix(1);
    if (pair.size() > cookie_name.size() && pair.starts_with(cookie_name) &&
        pair[cookie_name.size()] == '=') {
      return pair.substr(cookie_name.size() + 1);
    }
  }
  return {};
}

bool wants_html(const server::Request& request) {
  return request.header("accept").find("text/html") != std::string_view::npos;
}

}  // namespace boxoffice::gateway
