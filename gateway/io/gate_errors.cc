#include "gateway/io/gate_errors.h"

#include <array>

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

}  // namespace

GateErrcInfo info(GateErrc e) { return kInfo[static_cast<size_t>(e)]; }

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  // Ids, digests and tokens never need escaping: copy runs, not characters.
  size_t i = 0;
  while (i < text.size()) {
    size_t run = i;
    while (run < text.size() && !kNeedsEscape[static_cast<unsigned char>(text[run])]) ++run;
    out.append(text.substr(i, run - i));
    if (run == text.size()) break;
    const char c = text[run];
    i = run + 1;
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += "\\u00";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
    }
  }
  out += '"';
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
