// The backend behind the API in its tests: a CommandBus that applies each command to a real
// booking::Partition on a thread of its own, writes the decisions to the Redis read model with
// the real projector (as the worker and projector would), and then answers. The test can make
// it answer "pending" (and apply later) or "unavailable", and sees every command it received.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "booking/core/catalog.h"
#include "booking/core/partition.h"
#include "booking/projector/projector.h"
#include "booking/service/command_bus.h"

namespace boxoffice::booking::api::testing {

class TestBus final : public CommandBus {
 public:
  enum class Mode : uint8_t { kDecide, kPending, kUnavailable };

  TestBus(const Catalog& catalog, uint16_t redis_port);
  ~TestBus() override;
  TestBus(const TestBus&) = delete;
  TestBus& operator=(const TestBus&) = delete;

  void submit(Command cmd, std::chrono::milliseconds deadline, Done done) override;

  void set_mode(Mode mode);
  std::vector<OwnedCommand> received() const;
  size_t received_count() const;
  // Applies the commands answered kPending, in order, and waits until they are projected.
  void release_pending();
  // Applies a command that did not come through the API (an Expire at its due time, say) and
  // waits until it is projected; returns its decisions' types.
  std::vector<DecisionType> inject(const Command& cmd);
  // A projector failure, if any happened (tests assert it stays empty).
  std::string failure() const;

 private:
  struct Job {
    OwnedCommand command;
    Done done;  // empty: nobody waits for an answer
    std::function<void(const std::vector<Decision>&)> observe;
  };
  void run();
  void apply(Job& job);
  void enqueue(Job job);

  Partition partition_;
  std::unique_ptr<Projector> projector_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  std::vector<Job> held_;
  std::vector<OwnedCommand> received_;
  Mode mode_ = Mode::kDecide;
  uint64_t next_request_ = 0;
  bool stopping_ = false;
  std::string failure_;
  std::thread thread_;
};

}  // namespace boxoffice::booking::api::testing
