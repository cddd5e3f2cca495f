// libFuzzer target for the wire decoder. Decoding must never crash, and whatever decodes must be
// canonical: re-encoding gives back the input bytes and decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "booking/core/wire.h"

namespace {

using boxoffice::booking::decode_command;
using boxoffice::booking::decode_decision;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

template <class Decode, class Encode>
void round_trip(std::string_view input, Decode decode, Encode encode) {
  auto first = decode(input);
  if (!first) return;
  std::string again;
  encode(*first, again);
  check(again == input);
  auto second = decode(again);
  check(second.has_value() && *second == *first);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  round_trip(input, decode_command, boxoffice::booking::encode_command);
  round_trip(input, decode_decision, boxoffice::booking::encode_decision);
  round_trip(input, boxoffice::booking::decode_decision_batch,
             [](const std::vector<boxoffice::booking::Decision>& batch, std::string& out) {
               boxoffice::booking::encode_decision_batch(batch, out);
             });
  return 0;
}
