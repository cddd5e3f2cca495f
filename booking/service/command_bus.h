// How the API hands a write to the backend: a command goes onto boxoffice.commands and the
// caller is told the decisions it produced, or that the deadline passed first.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "booking/core/command.h"
#include "booking/core/decision.h"

namespace boxoffice::booking {

struct CommandOutcome {
  enum class Status : uint8_t {
    kDecided,      // decisions holds every decision of the command, in order
    kPending,      // queued, but no decision before the deadline: it will still be applied
    kUnavailable,  // could not be queued (the log is unreachable): nothing will happen
  };
  Status status = Status::kUnavailable;
  uint64_t request_id = 0;
  // The decisions' string views point into batch, which they share.
  std::shared_ptr<const std::string> batch;
  std::vector<Decision> decisions;

  // Where a decided command's time went, each from submit: until the log stored it (the
  // producer's delivery report), until the worker produced its decisions (their message's Kafka
  // timestamp: the worker's clock, in milliseconds) and until the bus read them. Empty where the
  // bus does not know.
  struct Timing {
    std::optional<std::chrono::microseconds> stored;
    std::optional<std::chrono::microseconds> decided;
    std::optional<std::chrono::microseconds> received;
  };
  Timing timing;
};

class CommandBus {
 public:
  using Done = std::function<void(CommandOutcome)>;
  virtual ~CommandBus() = default;
  // Sets cmd.request_id, queues the command (its string views need only live through this
  // call) and calls done exactly once, from any thread: post to your own executor.
  virtual void submit(Command cmd, std::chrono::milliseconds deadline, Done done) = 0;
};

}  // namespace boxoffice::booking
