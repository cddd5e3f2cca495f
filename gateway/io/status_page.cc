#include "gateway/io/status_page.h"

#include <array>
#include <charconv>

#include "gateway/io/gate_errors.h"

namespace boxoffice::gateway {
namespace {

// `key` is the member's name already quoted, with its colon: one append instead of three.
void member(std::string& out, std::string_view key, std::string_view value) {
  out += key;
  append_json_string(out, value);
  out += ',';
}

void member(std::string& out, std::string_view key, int64_t value) {
  out += key;
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.begin(), digits.end(), value).ptr;
  out.append(digits.begin(), end);
  out += ',';
}

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
  std::string out;
  out.reserve(256 + v.waiting_token.size() + v.admission_token.size());
  out += '{';
  member(out, R"("event":)", v.event);
  member(out, R"("phase":)", to_string(s.phase));
  member(out, R"("position":)", static_cast<int64_t>(s.position));
  member(out, R"("people_ahead":)", static_cast<int64_t>(s.people_ahead));
  out += "\"estimated_wait_s\":{";
  member(out, R"("low":)", s.wait_low_s);
  member(out, R"("high":)", s.wait_high_s);
  out.back() = '}';
  out += ',';
  member(out, R"("wave":)", s.wave);
  if (!v.commitment.empty()) member(out, R"("lottery_commitment":)", v.commitment);
  if (!v.waiting_token.empty()) member(out, R"("token":)", v.waiting_token);
  if (!v.admission_token.empty()) member(out, R"("admission_token":)", v.admission_token);
  out.back() = '}';
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
