#include "tests/embedded_backend.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "tests/http_client.h"

namespace boxoffice::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(90);

// Starts `boxoffice embedded --api-port 0 args...` with its stdout (and, if asked, its stderr)
// on the write end of out, which it closes; -1 if fork failed, having closed the read end too.
pid_t spawn(const std::vector<std::string>& args, const int out[2], bool with_stderr) {
  std::vector<std::string> argv = {"boxoffice", "embedded", "--api-port", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    if (with_stderr) dup2(out[1], STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> cargv;
    cargv.reserve(argv.size() + 1);
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(BOXOFFICE_BINARY, cargv.data());
    _exit(127);
  }
  close(out[1]);
  if (pid < 0) close(out[0]);
  return pid;
}

}  // namespace

EmbeddedBackend::Exited EmbeddedBackend::run_to_exit(const std::vector<std::string>& args) {
  int out[2];
  if (pipe(out) != 0) return {-1, "pipe failed"};
  const pid_t pid = spawn(args, out, true);
  Exited exited{-1, ""};
  if (pid < 0) {
    exited.output = "fork failed";
    return exited;
  }
  // A start that goes on instead of failing is stopped at the deadline.
  bool ended = false;
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (!ended && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(out[0], buf, sizeof buf);
    if (n > 0) exited.output.append(buf, static_cast<size_t>(n));
    ended = n <= 0;
  }
  close(out[0]);
  if (!ended) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  exited.status = ended && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return exited;
}

Result<EmbeddedBackend, std::string> EmbeddedBackend::start(const std::vector<std::string>& args) {
  int out[2];
  if (pipe(out) != 0) return unexpected(std::string("pipe failed"));
  const pid_t pid = spawn(args, out, false);
  if (pid < 0) return unexpected(std::string("fork failed"));
  EmbeddedBackend b;
  b.pid_ = pid;
  b.stdout_fd_ = out[0];
  std::string pending;
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{b.stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(b.stdout_fd_, buf, sizeof buf);
    if (n <= 0) return unexpected(std::string("boxoffice embedded exited before it was ready"));
    pending.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
      const std::string line = pending.substr(0, nl);
      const std::string prefix = "boxoffice: ";
      if (line.rfind(prefix, 0) != 0) continue;
      const std::string rest = line.substr(prefix.size());
      if (rest == "ready") return b;
      const size_t space = rest.find(' ');
      if (space == std::string::npos) continue;
      std::string value = rest.substr(space + 1);
      value = value.substr(0, value.find(' '));
      b.addresses_[rest.substr(0, space)] = value;
    }
  }
  return unexpected(std::string("boxoffice embedded was not ready in time"));
}

EmbeddedBackend::EmbeddedBackend(EmbeddedBackend&& o) noexcept
    : pid_(o.pid_), stdout_fd_(o.stdout_fd_), addresses_(std::move(o.addresses_)) {
  o.pid_ = -1;
  o.stdout_fd_ = -1;
}

EmbeddedBackend::~EmbeddedBackend() { stop(); }

std::string EmbeddedBackend::address(const std::string& part) const {
  auto it = addresses_.find(part);
  return it == addresses_.end() ? "" : it->second;
}

uint16_t EmbeddedBackend::api_port() const { return port_of(address("api")); }
uint16_t EmbeddedBackend::paysim_port() const { return port_of(address("paysim")); }
uint16_t EmbeddedBackend::redis_port() const {
  const std::string a = address("redis");
  return static_cast<uint16_t>(std::stoi(a.substr(a.rfind(':') + 1)));
}

int EmbeddedBackend::stop() {
  if (pid_ <= 0) return 0;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300; ++i) {  // 30 s for a graceful stop
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      close(stdout_fd_);
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  close(stdout_fd_);
  return -1;
}

}  // namespace boxoffice::testing
