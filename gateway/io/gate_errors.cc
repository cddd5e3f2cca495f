#include "gateway/io/gate_errors.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace boxoffice::gateway {
namespace {

constexpr std::array<GateErrcInfo, static_cast<size_t>(GateErrc::kVerifyBusy) + 1> kInfo = {{
    {"bad_json", 400},           {"bad_identity", 400},         {"bad_request", 400},
    {"bad_proof_of_work", 400},  {"identity_required", 401},    {"waiting_token_required", 401},
    {"admission_required", 401}, {"invalid_token", 403},        {"admin_forbidden", 403},
    {"not_found", 404},          {"unknown_event", 404},        {"queue_not_open", 409},
    {"queue_closed", 409},       {"not_revealable", 409},       {"rate_limited", 429},
    {"internal", 500},           {"upstream_unavailable", 502}, {"unavailable", 503},
    {"upstream_timeout", 504},   {"verify_busy", 503},
}};

// The bytes JSON strings may not hold raw: '"', '\\' and the control characters.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (size_t c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

// Whether any of the eight bytes of `w` is one kNeedsEscape marks: the "has a byte less than n"
// and "has a zero byte" tests of Bit Twiddling Hacks, exact about whether any byte matches.
bool any_needs_escape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHighs = 0x8080808080808080;
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  const uint64_t hits =
      ((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash);
  return (hits & kHighs) != 0;
}

// The end of the run of bytes from `i` that need no escaping.
size_t plain_run_end(std::string_view text, size_t i) {
  // Eight bytes a step through the long plain runs of tokens and digests.
  for (uint64_t w = 0; i + 8 <= text.size(); i += 8) {
    std::memcpy(&w, text.data() + i, 8);
    if (any_needs_escape(w)) break;
  }
  while (i < text.size() && !kNeedsEscape[static_cast<unsigned char>(text[i])]) ++i;
  return i;
}

}  // namespace

GateErrcInfo info(GateErrc e) { return kInfo[static_cast<size_t>(e)]; }

char* write_json_string(char* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out++ = '"';
  // Ids, digests and tokens never need escaping: copy runs, not characters.
  size_t i = 0;
  while (i < text.size()) {
    const size_t run = plain_run_end(text, i);
    std::memcpy(out, text.data() + i, run - i);
    out += run - i;
    if (run == text.size()) break;
    const char c = text[run];
    i = run + 1;
    *out++ = '\\';
    if (c == '"' || c == '\\') {
      *out++ = c;
    } else if (c == '\n') {
      *out++ = 'n';
    } else {
      *out++ = 'u';
      *out++ = '0';
      *out++ = '0';
      *out++ = kHex[(c >> 4) & 0xf];
      *out++ = kHex[c & 0xf];
    }
  }
  *out++ = '"';
  return out;
}

void append_json_string(std::string& out, std::string_view text) {
  const size_t size = out.size();
  out.resize(size + max_json_string_bytes(text));
  out.resize(write_json_string(out.data() + size, text) - out.data());
}

std::string error_body(GateErrc e, std::string_view message, std::string_view reason) {
  std::string body = R"({"error":{"code":)";
  append_json_string(body, info(e).code);
  body += R"(,"message":)";
  append_json_string(body, message);
  if (!reason.empty()) {
    body += R"(,"reason":)";
    append_json_string(body, reason);
  }
  body += "}}";
  return body;
}

}  // namespace boxoffice::gateway
