// A redis-server child process on a private port and directory: what tests and the embedded
// mode run against. Stopping it (or destroying the object) ends the server with SIGTERM.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <variant>

#include "shared/result.h"

namespace boxoffice::redis {

class RedisProcess {
 public:
  struct Options {
    std::string dir;          // data directory; empty = a fresh temporary one, removed at stop
    uint16_t port = 0;        // 0 = a free loopback port
    bool append_only = true;  // AOF with fsync every second, so restart() brings the data back
    std::string binary = "redis-server";
    // The server gets SIGTERM when the thread that started it ends (PR_SET_PDEATHSIG), so a
    // crashed test or process never leaves a server behind. Start it from a thread that lives
    // as long as the server should, or turn this off.
    bool stop_with_parent = true;
  };

  // Starts the server and waits (up to a few seconds) until it answers PING.
  static Result<RedisProcess, std::string> start(const Options& options);

  RedisProcess(RedisProcess&&) noexcept;
  RedisProcess& operator=(RedisProcess&&) noexcept;
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;
  ~RedisProcess();

  static constexpr const char* kHost = "127.0.0.1";
  const char* host() const { return kHost; }
  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  void stop();  // SIGTERM and wait; idempotent

  // For crash tests: SIGKILL and wait, keeping the directory (with its AOF) for a restart.
  void kill();
  // Starts the server again on the same port and directory (after stop() or kill(); stops it
  // first if it runs). With append_only the data written before comes back from the AOF.
  Result<std::monostate, std::string> restart();

 private:
  RedisProcess() = default;
  Result<std::monostate, std::string> launch();  // starts on port_ (0 = pick) in dir_
  void terminate(int signal, bool remove_dir);

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string dir_;
  bool owns_dir_ = false;
  bool append_only_ = true;
  bool stop_with_parent_ = true;
  std::string binary_;
};

}  // namespace boxoffice::redis
