#include "gateway/io/gate_errors.h"

#include <array>

#include "shared/json/json_writer.h"

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

}  // namespace

GateErrcInfo info(GateErrc e) { return kInfo[static_cast<size_t>(e)]; }

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
