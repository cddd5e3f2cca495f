// Runs `boxoffice embedded` as a child process for end-to-end tests and reads the addresses it
// announces on stdout ("boxoffice: api http://127.0.0.1:PORT", ..., "boxoffice: ready").
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "shared/result.h"

namespace boxoffice::testing {

class EmbeddedBackend {
 public:
  // args are appended after `boxoffice embedded --api-port 0`.
  static Result<EmbeddedBackend, std::string> start(const std::vector<std::string>& args);
  // Runs it to its end instead, for a start that must fail: the exit status (-1 if it did not
  // exit by itself) and what it wrote to stdout and stderr.
  struct Exited {
    int status;
    std::string output;
  };
  static Exited run_to_exit(const std::vector<std::string>& args);
  EmbeddedBackend(EmbeddedBackend&&) noexcept;
  EmbeddedBackend& operator=(EmbeddedBackend&&) = delete;
  EmbeddedBackend(const EmbeddedBackend&) = delete;
  EmbeddedBackend& operator=(const EmbeddedBackend&) = delete;
  ~EmbeddedBackend();

  // The announced address of a part: "api", "paysim", "redis", "kafka".
  std::string address(const std::string& part) const;
  uint16_t api_port() const;
  uint16_t paysim_port() const;
  uint16_t redis_port() const;
  // SIGTERM and wait; returns the exit status (or -1 if it had to be killed).
  int stop();

 private:
  EmbeddedBackend() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::map<std::string, std::string> addresses_;
};

}  // namespace boxoffice::testing
