// Fuzz target for the request-target parser and percent-decoding: no crash, no UB, and the
// invariants callers rely on hold for every accepted target.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "shared/http/percent.h"
#include "shared/http/request_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)boxoffice::http::percent_decode(in, true);
  auto t = boxoffice::http::parse_request_target(in);
  if (!t) return 0;
  if (t->path.empty() || t->path[0] != '/') std::abort();
  for (const auto& s : t->segments) {
    if (s.empty() || s == "." || s == ".." || s.find('/') != std::string::npos) std::abort();
    for (const char c : s) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
    }
  }
  for (const auto& [k, v] : t->params) {
    if (k.find('\0') != std::string::npos || v.find('\0') != std::string::npos) std::abort();
    if (!t->query(k)) std::abort();
  }
  return 0;
}
