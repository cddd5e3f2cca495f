#include "shared/tokens/claims.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "shared/tokens/strict_json.h"

namespace boxoffice::tokens {
namespace {

using nlohmann::json;

// Each reader answers false for a present member of the wrong type or range; an absent member
// leaves *out alone and answers !required.
bool read_string(const json& object, std::string_view name, bool required, std::string* out) {
  auto it = object.find(name);
  if (it == object.end()) return !required;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return !out->empty();
}

bool read_int64(const json& object, std::string_view name, bool required, int64_t* out) {
  auto it = object.find(name);
  if (it == object.end()) return !required;
  if (it->is_number_unsigned()) {
    const auto v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *out = static_cast<int64_t>(v);
    return true;
  }
  if (!it->is_number_integer()) return false;  // floats, strings, booleans: refused
  *out = it->get<int64_t>();
  return true;
}

bool read_uint64(const json& object, std::string_view name, uint64_t* out) {
  auto it = object.find(name);
  if (it == object.end()) return true;
  if (!it->is_number_unsigned()) return false;
  *out = it->get<uint64_t>();
  return true;
}

bool read_int(const json& object, std::string_view name, int* out) {
  int64_t v = 0;
  if (!read_int64(object, name, false, &v)) return false;
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) return false;
  *out = static_cast<int>(v);
  return true;
}

}  // namespace

std::string claims_to_json(const Claims& claims) {
  nlohmann::ordered_json out;
  out["sub"] = claims.sub;
  out["event"] = claims.event;
  out["kind"] = claims.kind;
  if (claims.position != 0) out["position"] = claims.position;
  if (claims.joined_at_ms != 0) out["joined_at_ms"] = claims.joined_at_ms;
  if (claims.wave != 0) out["wave"] = claims.wave;
  if (claims.iat != 0) out["iat"] = claims.iat;
  if (claims.nbf != 0) out["nbf"] = claims.nbf;
  out["exp"] = claims.exp;
  return detail::dump(out);
}

std::optional<Claims> claims_from_json(std::string_view text) {
  auto object = detail::parse_object(text);
  if (!object) return std::nullopt;
  Claims c;
  const bool ok =
      read_string(*object, "sub", true, &c.sub) && read_string(*object, "event", true, &c.event) &&
      read_string(*object, "kind", true, &c.kind) && read_int64(*object, "exp", true, &c.exp) &&
      read_int64(*object, "iat", c.kind == kKindAdmission, &c.iat) &&
      read_int64(*object, "nbf", c.kind == kKindAdmission, &c.nbf) &&
      read_uint64(*object, "position", &c.position) &&
      read_int64(*object, "joined_at_ms", false, &c.joined_at_ms) &&
      read_int(*object, "wave", &c.wave);
  if (!ok) return std::nullopt;
  if (c.kind != kKindAdmission && c.kind != kKindWaiting) return std::nullopt;
  return c;
}

}  // namespace boxoffice::tokens
