#include "shared/redis/redis_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace boxoffice::redis {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kStartTimeout = std::chrono::seconds(5);
constexpr auto kStopTimeout = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(5);
constexpr int kPortAttempts = 5;

std::string errno_message(int e) { return std::error_code(e, std::generic_category()).message(); }

// The kernel hands out a free port for port 0; the server binds it right after. Another
// process may take it in between, which start() answers by trying again.
Result<uint16_t, std::string> pick_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return unexpected(std::string("socket: ") + errno_message(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if (::bind(fd, sa, sizeof(addr)) != 0 || ::getsockname(fd, sa, &len) != 0) {
    const std::string error = std::string("bind to a free port: ") + errno_message(errno);
    ::close(fd);
    return unexpected(error);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// execv needs a path; PATH is searched here, before fork, where allocating is allowed.
Result<std::string, std::string> resolve_binary(const std::string& binary) {
  if (binary.find('/') != std::string::npos) return binary;
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): read only
  std::istringstream dirs(path == nullptr ? "/usr/local/bin:/usr/bin:/bin" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + binary;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return unexpected(binary + ": not found in PATH");
}

std::string log_tail(const std::string& dir) {
  std::ifstream in(dir + "/redis.log");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  const size_t from = lines.size() > 5 ? lines.size() - 5 : 0;
  for (size_t i = from; i < lines.size(); ++i) out += "\n  " + lines[i];
  return out;
}

// True once the server on the port is our child (with a taken port another server would
// answer) and has loaded its data (PING answers LOADING until then).
bool ready(uint16_t port, pid_t pid) {
  const timeval timeout{0, 200'000};
  redisContext* c = redisConnectWithTimeout(RedisProcess::kHost, port, timeout);
  if (c == nullptr) return false;
  bool ours = false;
  bool pong = false;
  if (c->err == 0) {
    auto* reply = static_cast<redisReply*>(redisCommand(c, "INFO server"));
    if (reply != nullptr && reply->type == REDIS_REPLY_STRING) {
      const std::string_view info(reply->str, reply->len);
      const std::string field = "\nprocess_id:" + std::to_string(pid) + "\r";
      ours = info.find(field) != std::string_view::npos;
    }
    if (reply != nullptr) freeReplyObject(reply);
  }
  if (ours) {
    auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
    pong = reply != nullptr && reply->type == REDIS_REPLY_STATUS &&
           std::string_view(reply->str, reply->len) == "PONG";
    if (reply != nullptr) freeReplyObject(reply);
  }
  redisFree(c);
  return pong;
}

// Waits for the child to exit; true when it did within the timeout.
bool wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

// Runs in the forked child: only async-signal-safe calls until execv.
[[noreturn]] void exec_child(const char* path, char* const* argv, int error_fd, pid_t parent,
                             bool stop_with_parent) {
  if (stop_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(126);  // the parent is gone already
  }
  sigset_t none;
  sigemptyset(&none);
  ::pthread_sigmask(SIG_SETMASK, &none, nullptr);  // a parent may block SIGTERM for sigwait
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGINT, SIG_DFL);
  const int devnull = ::open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    ::dup2(devnull, STDIN_FILENO);
    ::dup2(devnull, STDOUT_FILENO);
  }
  // The server must not keep the parent's sockets and files open.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execv(path, argv);
  const int e = errno;
  [[maybe_unused]] auto n = ::write(error_fd, &e, sizeof(e));
  ::_exit(127);
}

}  // namespace

Result<RedisProcess, std::string> RedisProcess::start(const Options& options) {
  RedisProcess p;
  p.port_ = options.port;
  p.append_only_ = options.append_only;
  p.stop_with_parent_ = options.stop_with_parent;
  auto binary = resolve_binary(options.binary);
  if (!binary) return unexpected(binary.error());
  p.binary_ = std::move(binary).value();

  std::error_code ec;
  if (options.dir.empty()) {
    std::string tmpl = (fs::temp_directory_path(ec) / "boxoffice-redis-XXXXXX").string();
    if (ec || ::mkdtemp(tmpl.data()) == nullptr) {
      return unexpected("temporary directory: " + (ec ? ec.message() : errno_message(errno)));
    }
    p.dir_ = tmpl;
    p.owns_dir_ = true;
  } else {
    fs::create_directories(options.dir, ec);
    if (ec) return unexpected("data directory " + options.dir + ": " + ec.message());
    p.dir_ = fs::absolute(options.dir, ec).string();  // the server resolves --dir itself
  }

  auto launched = p.launch();
  if (!launched) return unexpected(launched.error());  // p's destructor removes its directory
  return p;
}

Result<std::monostate, std::string> RedisProcess::launch() {
  const bool pick_port = port_ == 0;
  std::string last_error;
  for (int attempt = 0; attempt < (pick_port ? kPortAttempts : 1); ++attempt) {
    if (pick_port) {
      auto port = pick_free_port();
      if (!port) return unexpected(port.error());
      port_ = *port;
    }
    // No per-command latency percentiles (INFO latencystats): they update a histogram on every
    // command, each of a script's too; the services time what they need themselves.
    std::vector<std::string> args = {binary_,
                                     "--port",
                                     std::to_string(port_),
                                     "--bind",
                                     kHost,
                                     "--dir",
                                     dir_,
                                     "--save",
                                     "",
                                     "--appendonly",
                                     append_only_ ? "yes" : "no",
                                     "--appendfsync",
                                     "everysec",
                                     "--daemonize",
                                     "no",
                                     "--latency-tracking",
                                     "no",
                                     "--logfile",
                                     dir_ + "/redis.log"};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    int error_pipe[2];
    if (::pipe2(error_pipe, O_CLOEXEC) != 0) {
      return unexpected(std::string("pipe: ") + errno_message(errno));
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      const std::string error = std::string("fork: ") + errno_message(errno);
      ::close(error_pipe[0]);
      ::close(error_pipe[1]);
      return unexpected(error);
    }
    if (pid == 0) {
      exec_child(binary_.c_str(), argv.data(), error_pipe[1], parent, stop_with_parent_);
    }
    ::close(error_pipe[1]);
    int exec_errno = 0;
    ssize_t n = 0;
    do {
      n = ::read(error_pipe[0], &exec_errno, sizeof(exec_errno));
    } while (n < 0 && errno == EINTR);
    ::close(error_pipe[0]);
    if (n > 0) {
      ::waitpid(pid, nullptr, 0);
      return unexpected(binary_ + ": " + errno_message(exec_errno));
    }
    pid_ = pid;

    const auto deadline = Clock::now() + kStartTimeout;
    bool exited = false;
    while (Clock::now() < deadline) {
      if (ready(port_, pid_)) return std::monostate{};
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited = true;
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    const std::string tail = log_tail(dir_);
    if (!exited) {
      terminate(SIGKILL, false);
      return unexpected("redis-server on port " + std::to_string(port_) +
                        " did not answer within 5 s" + tail);
    }
    last_error = "redis-server on port " + std::to_string(port_) + " exited at start" + tail;
    if (tail.find("in use") == std::string::npos) break;  // not a port race: retrying won't help
  }
  return unexpected(last_error);
}

void RedisProcess::terminate(int signal, bool remove_dir) {
  if (pid_ > 0) {
    ::kill(pid_, signal);
    if (!wait_exit(pid_, std::chrono::duration_cast<std::chrono::milliseconds>(kStopTimeout))) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }
  if (remove_dir && owns_dir_) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    owns_dir_ = false;
  }
}

void RedisProcess::stop() { terminate(SIGTERM, true); }

void RedisProcess::kill() { terminate(SIGKILL, false); }

Result<std::monostate, std::string> RedisProcess::restart() {
  terminate(SIGTERM, false);
  return launch();
}

RedisProcess::RedisProcess(RedisProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      port_(o.port_),
      dir_(std::move(o.dir_)),
      owns_dir_(std::exchange(o.owns_dir_, false)),
      append_only_(o.append_only_),
      stop_with_parent_(o.stop_with_parent_),
      binary_(std::move(o.binary_)) {}

RedisProcess& RedisProcess::operator=(RedisProcess&& o) noexcept {
  if (this != &o) {
    stop();
    pid_ = std::exchange(o.pid_, -1);
    port_ = o.port_;
    dir_ = std::move(o.dir_);
    owns_dir_ = std::exchange(o.owns_dir_, false);
    append_only_ = o.append_only_;
    stop_with_parent_ = o.stop_with_parent_;
    binary_ = std::move(o.binary_);
  }
  return *this;
}

RedisProcess::~RedisProcess() { stop(); }

}  // namespace boxoffice::redis
