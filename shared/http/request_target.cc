#include "shared/http/request_target.h"

#include "shared/http/percent.h"

namespace boxoffice::http {
namespace {

// Bytes never allowed raw in a request target: controls, space, DEL, '#' (fragments are not
// sent) and anything non-ASCII (must be percent-encoded).
bool bad_raw_byte(unsigned char c) { return c <= 0x20 || c >= 0x7f || c == '#'; }

// Decoded path bytes must not smuggle controls into routing, logs or the upstream.
bool bad_decoded_path_byte(unsigned char c) { return c < 0x20 || c == 0x7f; }

}  // namespace

std::string_view errc_code(Errc e) {
  switch (e) {
    case Errc::kNotOriginForm:
      return "not_origin_form";
    case Errc::kTooLong:
      return "too_long";
    case Errc::kBadByte:
      return "bad_byte";
    case Errc::kBadEscape:
      return "bad_escape";
    case Errc::kDotSegment:
      return "dot_segment";
    case Errc::kEmptySegment:
      return "empty_segment";
    case Errc::kEncodedSlash:
      return "encoded_slash";
  }
  return "unknown";
}

std::optional<std::string_view> RequestTarget::query(std::string_view key) const {
  return query_value(params, key);
}

Result<bool, Errc> parse_request_target_into(std::string_view target, RequestTarget& out) {
  if (target.size() > kMaxRequestTargetBytes) return unexpected(Errc::kTooLong);
  if (target.empty() || target[0] != '/') return unexpected(Errc::kNotOriginForm);
  for (const char c : target) {
    if (bad_raw_byte(static_cast<unsigned char>(c))) return unexpected(Errc::kBadByte);
  }
  const auto [raw_path, raw_query] = split_target(target);

  // A path without '%' is its own decoding (a '+' is literal in paths), and the raw-byte check
  // above has refused all the decoded-byte check would: its segments are copied as they are.
  const bool escaped = raw_path.find('%') != std::string_view::npos;
  out.path.assign(escaped ? std::string_view("/") : raw_path);
  size_t segments = 0;
  std::string_view rest = raw_path.substr(1);
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view raw_segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (raw_segment.empty()) return unexpected(Errc::kEmptySegment);
    if (segments == out.segments.size()) out.segments.emplace_back();
    std::string& segment = out.segments[segments++];
    if (!escaped) {
      segment.assign(raw_segment);
    } else {
      segment.clear();
      if (!percent_decode_append(raw_segment, false, segment)) {
        return unexpected(Errc::kBadEscape);
      }
      for (const char c : segment) {
        if (c == '/') return unexpected(Errc::kEncodedSlash);
        if (bad_decoded_path_byte(static_cast<unsigned char>(c))) {
          return unexpected(Errc::kBadByte);
        }
      }
      out.path.append(segment);
      if (slash != std::string_view::npos) out.path.push_back('/');
    }
    if (segment == "." || segment == "..") return unexpected(Errc::kDotSegment);
  }
  out.segments.resize(segments);

  if (!parse_query_into(raw_query, out.params)) return unexpected(Errc::kBadEscape);
  return true;
}

Result<RequestTarget, Errc> parse_request_target(std::string_view target) {
  RequestTarget out;
  if (auto parsed = parse_request_target_into(target, out); !parsed) {
    return unexpected(parsed.error());
  }
  return out;
}

}  // namespace boxoffice::http
