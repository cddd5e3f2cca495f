#include "shared/tokens/claims.h"

#include <boost/json/basic_parser_impl.hpp>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/json/json_writer.h"

namespace boxoffice::tokens {
namespace {

// Reads the payload as Boost.JSON's parser goes, without building a document: a token is
// verified on every uncached request. Members of the top-level object are checked as they
// come; nested values are only parsed (strictly: the parser's defaults refuse comments,
// trailing commas, invalid UTF-8 and nesting past 32) and skipped. A handler answering false
// stops the parse with an error: that is how a claim of the wrong type refuses the token.
class ClaimsHandler {
  using error_code = boost::system::error_code;
  using string_view = boost::json::string_view;

 public:
  // No limits of the handler's own: the request's header limit bounds a token.
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  explicit ClaimsHandler(Claims& out) : out_(out) { keys_.reserve(12); }

  enum Member : uint32_t {
    kSub = 1,
    kEvent = 2,
    kKind = 4,
    kExp = 8,
    kIat = 16,
    kNbf = 32,
    kPosition = 64,
    kJoinedAtMs = 128,
    kWave = 256,
    kOther = 0,
  };
  // The members seen, as bits of Member.
  uint32_t seen() const { return seen_; }

  bool on_document_begin(error_code& /*ec*/) { return true; }
  bool on_document_end(error_code& /*ec*/) { return true; }
  // The document is one object; an object or array inside it is no member's type.
  bool on_object_begin(error_code& /*ec*/) { return enter(depth_ == 0); }
  bool on_object_end(std::size_t /*n*/, error_code& /*ec*/) { return leave(); }
  bool on_array_begin(error_code& /*ec*/) { return enter(false); }
  bool on_array_end(std::size_t /*n*/, error_code& /*ec*/) { return leave(); }

  // Keys and strings with escapes may come in parts.
  bool on_key_part(string_view part, std::size_t /*n*/, error_code& /*ec*/) { return append(part); }
  bool on_key(string_view last, std::size_t /*n*/, error_code& /*ec*/) {
    return complete(last, &ClaimsHandler::key);
  }
  bool on_string_part(string_view part, std::size_t /*n*/, error_code& /*ec*/) {
    return append(part);
  }
  bool on_string(string_view last, std::size_t /*n*/, error_code& /*ec*/) {
    return complete(last, &ClaimsHandler::string);
  }

  bool on_number_part(string_view /*part*/, error_code& /*ec*/) { return true; }
  bool on_int64(int64_t value, string_view /*text*/, error_code& /*ec*/) {
    return depth_ != 1 || integer(value);
  }
  bool on_uint64(uint64_t value, string_view /*text*/, error_code& /*ec*/) {
    if (depth_ != 1) return true;
    if (member_ == kPosition) {
      out_.position = value;
      return true;
    }
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return member_ == kOther;
    return integer(static_cast<int64_t>(value));
  }
  // Floats, booleans and nulls are no member's type.
  bool on_double(double /*value*/, string_view /*text*/, error_code& /*ec*/) {
    return scalar_of_no_member_type();
  }
  bool on_bool(bool /*value*/, error_code& /*ec*/) { return scalar_of_no_member_type(); }
  bool on_null(error_code& /*ec*/) { return scalar_of_no_member_type(); }
  // The parser's defaults refuse comments before these are called.
  bool on_comment_part(string_view /*part*/, error_code& /*ec*/) { return false; }
  bool on_comment(string_view /*text*/, error_code& /*ec*/) { return false; }

 private:
  bool append(string_view part) {
    text_.append(part.data(), part.size());
    return true;
  }
  // Only the top-level object's keys and strings are read; nested ones are skipped. One that
  // came in one piece (no escapes) is read where the parser has it.
  bool complete(string_view last, bool (ClaimsHandler::*read)(std::string_view)) {
    if (text_.empty()) return depth_ != 1 || (this->*read)({last.data(), last.size()});
    append(last);
    const bool ok = depth_ != 1 || (this->*read)(text_);
    text_.clear();
    return ok;
  }
  bool key(std::string_view name) {
    // A member given twice is refused, whatever it is: readers that keep the first or the
    // last one must not disagree about what was signed.
    for (const std::string& k : keys_) {
      if (k == name) return false;
    }
    keys_.emplace_back(name);
    member_ = member_of(name);
    seen_ |= member_;
    return true;
  }
  bool string(std::string_view value) {
    switch (member_) {
      case kSub:
        return read_text(value, out_.sub);
      case kEvent:
        return read_text(value, out_.event);
      case kKind:
        return read_text(value, out_.kind);
      case kOther:
        return true;
      default:
        return false;
    }
  }
  bool integer(int64_t value) {
    switch (member_) {
      case kExp:
        out_.exp = value;
        return true;
      case kIat:
        out_.iat = value;
        return true;
      case kNbf:
        out_.nbf = value;
        return true;
      case kJoinedAtMs:
        out_.joined_at_ms = value;
        return true;
      case kWave:
        if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
          return false;
        }
        out_.wave = static_cast<int>(value);
        return true;
      case kPosition:
        if (value < 0) return false;
        out_.position = static_cast<uint64_t>(value);
        return true;
      case kOther:
        return true;
      default:
        return false;  // strings are not numbers
    }
  }
  static Member member_of(std::string_view name) {
    static constexpr std::pair<std::string_view, Member> kMembers[] = {
        {"sub", kSub},   {"event", kEvent}, {"kind", kKind},         {"exp", kExp},
        {"iat", kIat},   {"nbf", kNbf},     {"position", kPosition}, {"joined_at_ms", kJoinedAtMs},
        {"wave", kWave},
    };
    for (const auto& [n, m] : kMembers) {
      if (n == name) return m;
    }
    return kOther;
  }
  bool enter(bool is_the_document) {
    if (!is_the_document && (depth_ == 0 || (depth_ == 1 && member_ != kOther))) return false;
    ++depth_;
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }
  static bool read_text(std::string_view value, std::string& out) {
    if (value.empty()) return false;
    out.assign(value);
    return true;
  }
  bool scalar_of_no_member_type() const { return depth_ != 1 || member_ == kOther; }

  Claims& out_;
  std::vector<std::string> keys_;
  std::string text_;  // the key or string being read
  uint32_t seen_ = 0;
  Member member_ = kOther;
  int depth_ = 0;
};

}  // namespace

std::string claims_to_json(const Claims& claims) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("sub", claims.sub).field("event", claims.event).field("kind", claims.kind);
  if (claims.position != 0) w.field("position", claims.position);
  if (claims.joined_at_ms != 0) w.field("joined_at_ms", claims.joined_at_ms);
  if (claims.wave != 0) w.field("wave", claims.wave);
  if (claims.iat != 0) w.field("iat", claims.iat);
  if (claims.nbf != 0) w.field("nbf", claims.nbf);
  w.field("exp", claims.exp).end_object();
  return out;
}

std::optional<Claims> claims_from_json(std::string_view text) {
  Claims c;
  boost::json::basic_parser<ClaimsHandler> parser(boost::json::parse_options{}, c);
  boost::system::error_code ec;
  // The whole text is one document: anything after it but whitespace is refused too.
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec || used != text.size()) return std::nullopt;
  // A document that is not an object sees no member, so it lacks the required ones.
  using H = ClaimsHandler;
  const uint32_t required =
      H::kSub | H::kEvent | H::kKind | H::kExp | (c.kind == kKindAdmission ? H::kIat | H::kNbf : 0);
  if ((parser.handler().seen() & required) != required) return std::nullopt;
  if (c.kind != kKindAdmission && c.kind != kKindWaiting) return std::nullopt;
  return c;
}

}  // namespace boxoffice::tokens
