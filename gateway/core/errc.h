// The gateway core's error codes: stable strings that end up in JSON error bodies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace boxoffice::gateway {

enum class Errc : uint8_t {
  kBadArgument,  // a value out of range or of the wrong form (the message names the field)
  kBadJson,      // not a JSON object
  kUnknownField,
  kBadReply,  // a script's reply lacks a field or has a malformed one
};

constexpr std::string_view to_string(Errc e) {
  switch (e) {
    case Errc::kBadArgument:
      return "bad_argument";
    case Errc::kBadJson:
      return "bad_json";
    case Errc::kUnknownField:
      return "unknown_field";
    case Errc::kBadReply:
      return "bad_reply";
  }
  return "unknown";
}

struct Error {
  Errc code = Errc::kBadArgument;
  std::string message;  // for people: names the field and what is wrong with it
};

}  // namespace boxoffice::gateway
