#include "gateway/io/status_page.h"

#include <charconv>
#include <cstdint>
#include <cstring>

#include "shared/json/json_writer.h"

namespace boxoffice::gateway {
namespace {

constexpr size_t kMaxInt64Chars = 20;  // "-9223372036854775808"

// The status answer is on every fan's poll: it is written through a raw cursor into a buffer
// sized for the worst case, not by appends that each check the capacity.
char* put(char* out, std::string_view text) {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

char* put(char* out, int64_t value) { return std::to_chars(out, out + kMaxInt64Chars, value).ptr; }

void html_escape(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

std::string status_json(const StatusView& v) {
  const RoomStatus& s = v.status;
  const std::string_view phase = to_string(s.phase);
  // Member names and punctuation, five numbers, and the strings escaped at worst.
  constexpr size_t kFixedBytes = 256 + 5 * kMaxInt64Chars;
  std::string out(kFixedBytes + max_json_string_bytes(v.event) + max_json_string_bytes(phase) +
                      max_json_string_bytes(v.commitment) + max_json_string_bytes(v.waiting_token) +
                      max_json_string_bytes(v.admission_token),
                  '\0');
  char* p = out.data();
  p = write_json_string(put(p, R"({"event":)"), v.event);
  p = write_json_string(put(p, R"(,"phase":)"), phase);
  p = put(put(p, R"(,"position":)"), static_cast<int64_t>(s.position));
  p = put(put(p, R"(,"people_ahead":)"), static_cast<int64_t>(s.people_ahead));
  p = put(put(p, R"(,"estimated_wait_s":{"low":)"), s.wait_low_s);
  p = put(put(p, R"(,"high":)"), s.wait_high_s);
  p = put(put(p, R"(},"wave":)"), s.wave);
  if (!v.commitment.empty()) {
    p = write_json_string(put(p, R"(,"lottery_commitment":)"), v.commitment);
  }
  if (!v.waiting_token.empty()) p = write_json_string(put(p, R"(,"token":)"), v.waiting_token);
  if (!v.admission_token.empty()) {
    p = write_json_string(put(p, R"(,"admission_token":)"), v.admission_token);
  }
  *p++ = '}';
  out.resize(p - out.data());
  return out;
}

std::string status_html(const StatusView& v) {
  const RoomStatus& s = v.status;
  std::string out =
      R"(<!doctype html><html lang="en"><head><meta charset="utf-8">)"
      R"(<meta name="viewport" content="width=device-width, initial-scale=1">)"
      R"(<title>Waiting room</title><link rel="stylesheet" href="/static/style.css">)";
  if (s.phase != Phase::kAdmitted) out += R"(<meta http-equiv="refresh" content="10">)";
  out += "</head><body><main><h1>Waiting room: ";
  html_escape(out, v.event);
  out += "</h1><p class=\"phase\">";
  html_escape(out, to_string(s.phase));
  out += "</p>";
  if (s.phase == Phase::kAdmitted) {
    out += "<p>It is your turn. Your admission is valid for a limited time.</p>";
    out += R"(<p><a class="go" href="/#event=)";
    html_escape(out, v.event);
    out += R"(">Choose your seats</a></p>)";
  } else if (s.position > 0) {
    out += "<p>Your place: <strong>" + std::to_string(s.position) +
           "</strong>, people ahead: " + std::to_string(s.people_ahead) +
           "</p><p>Estimated wait: " + std::to_string(s.wait_low_s / 60) + "–" +
           std::to_string(s.wait_high_s / 60 + 1) + " minutes</p>";
  } else {
    out +=
        "<p>You are in the pre-queue. At the on-sale a lottery gives everyone here a "
        "place; joining early or often changes nothing.</p>";
  }
  if (!v.commitment.empty()) {
    out += R"(<p class="small">Lottery commitment (sha256 of the seed): <code>)";
    html_escape(out, v.commitment);
    out += "</code></p>";
  }
  out +=
      R"(<p class="small">This page refreshes by itself; keep it open.</p></main></body></html>)";
  return out;
}

}  // namespace boxoffice::gateway
