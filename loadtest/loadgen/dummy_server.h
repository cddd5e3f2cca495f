// A stand-in for the booking API: answers POST /events/{event}/seats/{seat}/reserve with 201
// the first time a seat is asked for and 409 seat_taken after, over keep-alive HTTP/1.1
// (Boost.Beast), on one thread. The load generator's tests run against it, and so does
// `loadtest/bench loadgen`, which measures what the generator can drive on this machine.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace boxoffice::loadgen {

class DummyServer {
 public:
  struct Options {
    bool track_seats = true;  // false: always 201, no bookkeeping (for the ceiling measurement)
    // The answer to the stall_request-th request (1-based; 0 = none) waits stall_ms, as a
    // backend pause would; requests on other connections go on.
    uint64_t stall_request = 0;
    int64_t stall_ms = 0;
    // Every close_every-th answer says Connection: close and closes (0 = never).
    uint64_t close_every = 0;
  };

  // Listens on 127.0.0.1 at port (0 = any free one).
  explicit DummyServer(Options options, uint16_t port = 0);
  ~DummyServer();
  DummyServer(const DummyServer&) = delete;
  DummyServer& operator=(const DummyServer&) = delete;

  uint16_t port() const;
  void start();  // serves on a thread of its own until stop()
  void run();    // serves on this thread until stop()
  void stop();

  // Readable while it runs.
  uint64_t requests() const { return requests_.load(); }
  uint64_t repeated_seats() const { return repeated_seats_.load(); }  // answered 409
  uint64_t repeated_users() const { return repeated_users_.load(); }
  uint64_t connections() const { return connections_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> repeated_seats_{0};
  std::atomic<uint64_t> repeated_users_{0};
  std::atomic<uint64_t> connections_{0};
};

}  // namespace boxoffice::loadgen
