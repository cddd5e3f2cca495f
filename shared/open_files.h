// The open-files limit of servers and load generators that hold many connections. Debian's
// default soft limit is 1024 descriptors (the hard limit much higher), which a backend facing a
// thousand clients, or a generator opening as many connections, runs out of: connect and
// accept fail with EMFILE. Raising the soft limit to the hard one is what the limit pair is for.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>

#include "shared/result.h"

namespace boxoffice {

// Descriptors Linux allows a process at most by default (fs.nr_open); an unlimited hard limit
// is read as this.
inline constexpr rlim_t kMostOpenFiles = 1 << 20;

// Raises the soft open-files limit to the hard limit (at most kMostOpenFiles); returns the
// soft limit in force afterwards.
inline Result<rlim_t, std::string> raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return unexpected("getrlimit(RLIMIT_NOFILE): " +
                      std::error_code(errno, std::generic_category()).message());
  }
  const rlim_t wanted = std::min(limit.rlim_max, kMostOpenFiles);
  if (limit.rlim_cur >= wanted) return limit.rlim_cur;
  limit.rlim_cur = wanted;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return unexpected("setrlimit(RLIMIT_NOFILE, " + std::to_string(wanted) +
                      "): " + std::error_code(errno, std::generic_category()).message());
  }
  return wanted;
}

// Accept errors that last until the process or the machine frees something (a descriptor,
// memory). The connection stays in the listen backlog, so accepting again at once fails again:
// a server pauses its accept loop on these (kAcceptPause) instead of spinning.
inline constexpr std::chrono::milliseconds kAcceptPause{100};
inline bool accept_needs_pause(int error) {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

}  // namespace boxoffice
