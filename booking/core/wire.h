// The compact, versioned wire format of commands and decisions (the Kafka payloads of
// boxoffice.commands and boxoffice.events). Layout and policy: booking/core/WIRE.md.
//
// Decoding never crashes and never reads past the input: malformed bytes come back as a
// WireError. A decoded message re-encodes to exactly the bytes it came from.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "booking/core/command.h"
#include "booking/core/decision.h"
#include "shared/result.h"

namespace boxoffice::booking {

inline constexpr uint8_t kWireVersion = 1;
inline constexpr size_t kMaxWireIdBytes = 128;  // event, user, payment and provider ids

struct WireError {
  std::string_view what;  // a static string, e.g. "truncated varint"
  size_t offset;          // where the offending field starts
};

// Append the encoding to out. Only the fields the type uses travel (see WIRE.md); the encoder
// does not validate limits, so an oversized field yields bytes the decoder rejects.
void encode_command(const Command& c, std::string& out);
void encode_decision(const Decision& d, std::string& out);

// String fields of the result are views into bytes.
Result<Command, WireError> decode_command(std::string_view bytes);
Result<Decision, WireError> decode_decision(std::string_view bytes);

// A batch: one Kafka message of boxoffice.events, the decisions of one or more consecutive
// commands of a partition, in order (WIRE.md, Decision batches). A command's decisions never
// straddle two batches, so a reader gets a command's whole outcome at once. At most
// kMaxBatchDecisions, at least one.
inline constexpr size_t kMaxBatchDecisions = 4096;
void encode_decision_batch(std::span<const Decision> decisions, std::string& out);
Result<std::vector<Decision>, WireError> decode_decision_batch(std::string_view bytes);

// Builds a batch a decision at a time: the worker gathers the decisions of the commands it
// reads together into one message. Each decision is encoded as it is added, so the views it
// holds need not outlive add().
class DecisionBatchBuilder {
 public:
  void add(const Decision& d);
  size_t size() const { return count_; }
  // Appends the batch of the decisions added since the last finish() to out, and starts
  // over. A batch the decoder takes has 1..kMaxBatchDecisions decisions.
  void finish(std::string& out);

 private:
  std::string body_;  // each decision: varint length, then its bytes
  std::string one_;
  size_t count_ = 0;
};

}  // namespace boxoffice::booking
