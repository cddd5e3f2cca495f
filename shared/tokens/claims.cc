#include "shared/tokens/claims.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "shared/json/json_writer.h"
#include "shared/tokens/strict_json.h"

namespace boxoffice::tokens {
namespace {

using nlohmann::json;

// Reads the payload as it is parsed, without building a document: a token is verified on every
// uncached request, and a DOM (a std::map and a string per member) was most of that work.
// Members of the top-level object are checked as they come; nested values are only parsed
// (strictly) and skipped. A callback answering false stops the parse, and sax_parse then
// answers false: that is how a claim of the wrong type refuses the token.
class ClaimsReader final : public nlohmann::json_sax<json> {
 public:
  explicit ClaimsReader(Claims& out) : out_(out) { keys_.reserve(12); }

  // The members seen, as bits of Member.
  uint32_t seen() const { return seen_; }

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

  // The document is one object; an object or array inside it is no member's type.
  bool start_object(std::size_t /*size*/) override { return enter(depth_ == 0); }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t /*size*/) override { return enter(false); }
  bool end_array() override { return leave(); }

  bool key(string_t& name) override {
    if (depth_ != 1) return true;
    // A member given twice is refused, whatever it is: readers that keep the first or the
    // last one must not disagree about what was signed.
    for (const std::string& k : keys_) {
      if (k == name) return fail();
    }
    keys_.push_back(name);
    member_ = member_of(name);
    seen_ |= member_;
    return true;
  }

  bool string(string_t& value) override {
    if (depth_ != 1) return true;
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
        return fail();
    }
  }
  bool number_unsigned(number_unsigned_t value) override {
    if (depth_ != 1) return true;
    if (member_ == kPosition) {
      out_.position = value;
      return true;
    }
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return member_ == kOther || fail();
    }
    return number_integer(static_cast<int64_t>(value));
  }
  bool number_integer(number_integer_t value) override {
    if (depth_ != 1) return true;
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
          return fail();
        }
        out_.wave = static_cast<int>(value);
        return true;
      case kOther:
        return true;
      default:
        return fail();  // position is never negative; strings are not numbers
    }
  }
  // Floats, booleans and nulls are no member's type.
  bool number_float(number_float_t /*value*/, const string_t& /*text*/) override {
    return scalar_of_no_member_type();
  }
  bool boolean(bool /*value*/) override { return scalar_of_no_member_type(); }
  bool null() override { return scalar_of_no_member_type(); }
  bool binary(binary_t& /*value*/) override { return fail(); }  // not in JSON text
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*error*/) override {
    return fail();
  }

 private:
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
    if (!is_the_document && (depth_ == 0 || (depth_ == 1 && member_ != kOther))) return fail();
    ++depth_;
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }
  bool read_text(const std::string& value, std::string& out) {
    if (value.empty()) return fail();
    out = value;
    return true;
  }
  bool scalar_of_no_member_type() { return depth_ != 1 || member_ == kOther || fail(); }
  static bool fail() { return false; }

  Claims& out_;
  std::vector<std::string> keys_;
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
  ClaimsReader reader(c);
  // A document that is not an object sees no member, so it lacks the required ones.
  if (!json::sax_parse(text, &reader)) return std::nullopt;
  const uint32_t required =
      ClaimsReader::kSub | ClaimsReader::kEvent | ClaimsReader::kKind | ClaimsReader::kExp |
      (c.kind == kKindAdmission ? ClaimsReader::kIat | ClaimsReader::kNbf : 0);
  if ((reader.seen() & required) != required) return std::nullopt;
  if (c.kind != kKindAdmission && c.kind != kKindWaiting) return std::nullopt;
  return c;
}

}  // namespace boxoffice::tokens
