// For tests of servers out of descriptors: connects to a loopback port while the process can open
// no descriptor, so the server's accept fails with EMFILE while the kernel keeps the connection
// in the listen backlog; the limit comes back after `hold`. Under UBSan, keep the server's work
// in that window to code it ran before: a type's first vptr check reads memory through a pipe,
// and without a free descriptor reports "invalid vptr" (a webhook session of the payment
// simulator closing in the window did).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>
#include <thread>

#include "shared/result.h"

namespace boxoffice::testing {

// The connected socket (the caller closes it), or what failed.
inline Result<int, std::string> connect_out_of_descriptors(uint16_t port,
                                                           std::chrono::milliseconds hold) {
  auto failed = [](const std::string& what) {
    return unexpected(what + ": " + std::error_code(errno, std::generic_category()).message());
  };
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return failed("socket");
  // The limit bounds descriptor numbers: at the lowest free one, nothing new can be opened.
  const int lowest_free = ::dup(fd);
  if (lowest_free < 0) return failed("dup");
  ::close(lowest_free);
  rlimit saved{};
  if (::getrlimit(RLIMIT_NOFILE, &saved) != 0) return failed("getrlimit");
  rlimit exhausted = saved;
  exhausted.rlim_cur = static_cast<rlim_t>(lowest_free);
  if (::setrlimit(RLIMIT_NOFILE, &exhausted) != 0) return failed("setrlimit");
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // The kernel completes the handshake on its own; the connection then waits in the backlog.
  const int connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  const int connect_errno = errno;
  std::this_thread::sleep_for(hold);
  if (::setrlimit(RLIMIT_NOFILE, &saved) != 0) return failed("setrlimit (restoring)");
  if (connected != 0) {
    errno = connect_errno;
    return failed("connect");
  }
  return fd;
}

}  // namespace boxoffice::testing
