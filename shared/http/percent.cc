#include "shared/http/percent.h"

#include <algorithm>

#include "shared/hex.h"

namespace boxoffice::http {

bool percent_decode_append(std::string_view in, bool plus_as_space, std::string& out) {
  auto special = [plus_as_space](char c) {
    return c == '%' || c == '\0' || (c == '+' && plus_as_space);
  };
  out.reserve(out.size() + in.size());
  // Most pieces have nothing to decode: copy runs, not characters.
  for (size_t i = 0; i < in.size(); ++i) {
    const auto next =
        static_cast<size_t>(std::find_if(in.begin() + i, in.end(), special) - in.begin());
    out.append(in.substr(i, next - i));
    i = next;
    if (i == in.size()) break;
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;  // truncated escape
      const int hi = hex_digit_value(in[i + 1]);
      const int lo = hex_digit_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      const char decoded = static_cast<char>((hi << 4) | lo);
      if (decoded == '\0') return false;
      out.push_back(decoded);
      i += 2;
    } else if (c == '+') {
      out.push_back(' ');
    } else {
      return false;  // a raw NUL
    }
  }
  return true;
}

std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space) {
  std::string out;
  if (!percent_decode_append(in, plus_as_space, out)) return std::nullopt;
  return out;
}

}  // namespace boxoffice::http
