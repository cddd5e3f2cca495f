#include "loadtest/loadgen/load.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/read.hpp>
#include <cmath>
#include <cstdio>
#include <latch>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "loadtest/loadgen/workload.h"

namespace boxoffice::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using std::chrono::duration_cast;
using std::chrono::nanoseconds;

constexpr size_t kSampleBytes = 160;                   // of an answer's body, for the report
constexpr uint64_t kMaxBodyBytes = uint64_t{1} << 20;  // anything larger is a broken server
constexpr auto kReconnectBackoff = std::chrono::milliseconds(100);
constexpr int kStatusLimit = 600;
// The open loop wakes for due requests at most this often and sends what is due together: a
// timer wake-up per request (every 0.2 ms at 5,000/s) cost the generator more than the sends.
// Latency still counts from each request's due time, so the wait shows in the figures.
constexpr auto kPacing = std::chrono::milliseconds(1);

Clock::duration seconds_of(double s) {
  return duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// Slices of the window with latencies of their own; a histogram is 35 KiB, hence the cap.
constexpr double kMaxSlices = 3600;
size_t slice_count(const LoadOptions& o) {
  return static_cast<size_t>(std::ceil(o.duration_s / o.slice_s));
}

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + (static_cast<double>(t.tv_usec) / 1e6);
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Keeps what the generator needs of an answer: its status, whether the connection stays open,
// and the start of its body as a sample. No allocation: the sample goes to a reused string.
class ResponseParser final : public http::basic_parser<false> {
 public:
  explicit ResponseParser(std::string& sample) : sample_(sample) { body_limit(kMaxBodyBytes); }
  int status() const { return status_; }

 private:
  void on_request_impl(http::verb /*method*/, beast::string_view /*method_str*/,
                       beast::string_view /*target*/, int /*version*/,
                       error_code& /*ec*/) override {}
  void on_response_impl(int code, beast::string_view /*reason*/, int /*version*/,
                        error_code& /*ec*/) override {
    status_ = code;
  }
  void on_field_impl(http::field /*name*/, beast::string_view /*name_string*/,
                     beast::string_view /*value*/, error_code& /*ec*/) override {}
  void on_header_impl(error_code& /*ec*/) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& /*content_length*/,
                         error_code& /*ec*/) override {}
  size_t on_body_impl(beast::string_view body, error_code& /*ec*/) override {
    keep(body);
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t /*size*/, beast::string_view /*extensions*/,
                            error_code& /*ec*/) override {}
  size_t on_chunk_body_impl(std::uint64_t /*remain*/, beast::string_view body,
                            error_code& /*ec*/) override {
    keep(body);
    return body.size();
  }
  void on_finish_impl(error_code& /*ec*/) override {}

  void keep(beast::string_view body) {
    const size_t room = kSampleBytes - std::min(kSampleBytes, sample_.size());
    sample_.append(body.data(), std::min(room, body.size()));
  }

  std::string& sample_;
  int status_ = 0;
};

// What every thread shares: read-only but for the cursor into the seat order.
struct Shared {
  const LoadOptions& options;
  const ReserveRequests& requests;
  tcp::endpoint endpoint;
  std::atomic<uint64_t> next_position;
  uint64_t end_position = 0;
};

struct WorkerResult {
  Outcomes outcomes;
  LatencyHistogram latency_ns;
  std::vector<LatencyHistogram> latency_by_slice_ns;
  uint64_t requests_sent = 0;
  uint64_t reconnects = 0;
  std::optional<Clock::time_point> ran_out_at;
  std::map<int, std::string> first_body_by_status;
};

// One thread's share: its own io_context, connections and (open loop) schedule.
class Worker {
 public:
  Worker(Shared& shared, int index, int connections)
      : shared_(shared), index_(index), schedule_timer_(io_), end_timer_(io_), drain_timer_(io_) {
    for (int i = 0; i < connections; ++i) conns_.push_back(std::make_unique<Connection>(io_));
  }

  // Opens every connection; the first failure, if any.
  std::optional<std::string> connect() {
    std::optional<std::string> failure;
    for (auto& c : conns_) {
      c->socket.async_connect(shared_.endpoint, [&failure, &c](const error_code& ec) {
        if (ec) {
          if (!failure) failure = ec.message();
          return;
        }
        ready(*c);
      });
    }
    io_.run();
    io_.restart();
    return failure;
  }

  void run(Clock::time_point start) {
    const LoadOptions& o = shared_.options;
    warmup_end_ = start + seconds_of(o.warmup_s);
    end_ = warmup_end_ + seconds_of(o.duration_s);
    slice_ = seconds_of(o.slice_s);
    result_.latency_by_slice_ns.resize(slice_count(o));
    open_loop_ = o.rate_per_s > 0;
    if (open_loop_) {
      // Each thread takes every threads-th slot of the global schedule.
      const double interval_ns = 1e9 / o.rate_per_s;
      schedule_.emplace(start + nanoseconds(std::llround(interval_ns * index_)),
                        interval_ns * o.threads);
      end_k_ = schedule_->due_by(end_ - nanoseconds(1));
      first_measured_k_ = schedule_->due_by(warmup_end_ - nanoseconds(1));
    }
    end_timer_.expires_at(end_);
    end_timer_.async_wait([this](const error_code& ec) {
      if (ec || finished_) return;
      ending_ = true;
      maybe_finish();
    });
    drain_timer_.expires_at(end_ + seconds_of(o.drain_s));
    drain_timer_.async_wait([this](const error_code& ec) {
      if (!ec) finish();
    });
    schedule_timer_.expires_at(start);
    schedule_timer_.async_wait([this](const error_code& ec) {
      if (ec || finished_) return;
      for (auto& c : conns_) became_idle(*c, Clock::now());
    });
    io_.run();
  }

  WorkerResult& result() { return result_; }

 private:
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io), retry(io) {
      request.reserve(512);
      sample.reserve(kSampleBytes);
    }
    tcp::socket socket;
    asio::steady_timer retry;
    beast::flat_buffer buffer;
    std::optional<ResponseParser> parser;
    std::string request;
    std::string sample;
    Clock::time_point started;  // due time (open loop) or send time (closed loop)
    bool measured = false;
    bool in_flight = false;
  };

  // Requests go out at once (no Nagle delay), written without blocking (see send).
  static void ready(Connection& c) {
    error_code ignored;
    c.socket.set_option(tcp::no_delay(true), ignored);
    c.socket.non_blocking(true, ignored);
  }

  // The next position of the slice, or nothing once it ran out.
  std::optional<uint64_t> take_seat(Clock::time_point at) {
    const uint64_t position = shared_.next_position.fetch_add(1, std::memory_order_relaxed);
    if (position < shared_.end_position) return position;
    if (!result_.ran_out_at) result_.ran_out_at = at;
    ending_ = true;
    return std::nullopt;
  }

  void became_idle(Connection& c, Clock::time_point now) {
    if (open_loop_) {
      idle_.push_back(&c);
      pump(now);
      return;
    }
    if (ending_ || now >= end_) {
      ending_ = true;
      maybe_finish();
      return;
    }
    const auto position = take_seat(now);
    if (!position) {
      maybe_finish();
      return;
    }
    send(c, *position, now, now >= warmup_end_);
  }

  // Open loop: sends what is due on idle connections; what finds none waits for the next
  // answer (its latency keeps counting from its due time).
  void pump(Clock::time_point now) {
    if (finished_) return;
    const uint64_t due = std::min(schedule_->due_by(now), end_k_);
    while (next_k_ < due && !idle_.empty()) {
      const Clock::time_point due_time = schedule_->due_at(next_k_);
      const auto position = take_seat(due_time);
      if (!position) {
        end_k_ = next_k_;
        break;
      }
      Connection& c = *idle_.back();
      idle_.pop_back();
      send(c, *position, due_time, due_time >= warmup_end_);
      ++next_k_;
    }
    if (next_k_ >= end_k_) {
      ending_ = true;
      maybe_finish();
      return;
    }
    // Wake at the next due time, or a pacing period from now if that is later. A timer already
    // armed is never later than the pacing allows (next_k_ only grows), so it stays: re-arming
    // would cost a cancellation per request.
    if (next_k_ >= due && !idle_.empty() && !schedule_armed_) {
      schedule_armed_ = true;
      schedule_timer_.expires_at(std::max(schedule_->due_at(next_k_), now + kPacing));
      schedule_timer_.async_wait([this](const error_code& ec) {
        schedule_armed_ = false;
        if (!ec) pump(Clock::now());
      });
    }
  }

  void send(Connection& c, uint64_t position, Clock::time_point started, bool measured) {
    shared_.requests.write(position, c.request);
    c.started = started;
    c.measured = measured;
    c.in_flight = true;
    ++in_flight_;
    ++result_.requests_sent;
    // A request fits the socket's send buffer almost always: write it now rather than through
    // a completion handler, and only hand a remainder to async_write.
    error_code ec;
    size_t written = c.socket.write_some(asio::buffer(c.request), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      written = 0;
      ec = {};
    }
    if (ec) {
      fail(c);
      return;
    }
    if (written == c.request.size()) {
      read_answer(c);
      return;
    }
    asio::async_write(c.socket,
                      asio::buffer(c.request.data() + written, c.request.size() - written),
                      [this, &c](const error_code& write_ec, size_t /*bytes*/) {
                        if (finished_) return;
                        if (write_ec) {
                          fail(c);
                          return;
                        }
                        read_answer(c);
                      });
  }

  void read_answer(Connection& c) {
    c.sample.clear();
    c.parser.emplace(c.sample);
    http::async_read(c.socket, c.buffer, *c.parser,
                     [this, &c](const error_code& ec, size_t /*bytes*/) { on_answer(c, ec); });
  }

  void on_answer(Connection& c, const error_code& ec) {
    if (finished_) return;
    if (ec) {
      fail(c);
      return;
    }
    const Clock::time_point now = Clock::now();
    c.in_flight = false;
    --in_flight_;
    const int status = c.parser->status();
    if (c.measured) {
      Outcomes& o = result_.outcomes;
      if (status == 201) {
        ++o.held;
      } else if (status == 409 || status == 422) {
        ++o.rejected;
      } else if (status == 202) {
        ++o.pending;
      } else {
        ++o.other;
      }
      const auto latency = static_cast<uint64_t>(
          std::max<int64_t>(0, duration_cast<nanoseconds>(now - c.started).count()));
      result_.latency_ns.record(latency);
      const auto slice = static_cast<size_t>((c.started - warmup_end_) / slice_);
      if (slice < result_.latency_by_slice_ns.size()) {
        result_.latency_by_slice_ns[slice].record(latency);
      }
    }
    if (status >= 0 && status < kStatusLimit && !have_sample_[status]) {
      have_sample_[status] = true;
      result_.first_body_by_status.emplace(status, c.sample);
    }
    if (!c.parser->keep_alive()) {
      reconnect(c);
      return;
    }
    became_idle(c, now);
  }

  // The connection broke under a request (reset, closed, unparsable answer): the request is
  // lost; the connection comes back.
  void fail(Connection& c) {
    if (c.in_flight) {
      c.in_flight = false;
      --in_flight_;
      if (c.measured) ++result_.outcomes.transport;
    }
    reconnect(c);
  }

  void reconnect(Connection& c) {
    error_code ignored;
    c.socket.close(ignored);
    c.buffer.clear();
    if (ending_ && !open_loop_) {
      maybe_finish();
      return;
    }
    ++result_.reconnects;
    ++connecting_;
    c.socket.async_connect(shared_.endpoint, [this, &c](const error_code& ec) {
      --connecting_;
      if (finished_) return;
      if (ec) {
        // Refused or unreachable: try again shortly rather than spin.
        ++connecting_;
        c.retry.expires_after(kReconnectBackoff);
        c.retry.async_wait([this, &c](const error_code& wait_ec) {
          --connecting_;
          if (!wait_ec && !finished_) reconnect(c);
        });
        maybe_finish();
        return;
      }
      ready(c);
      became_idle(c, Clock::now());
    });
  }

  void maybe_finish() {
    if (finished_ || in_flight_ > 0) return;
    const bool done = open_loop_ ? next_k_ >= end_k_ : ending_;
    if (done) finish();
  }

  // The end: whatever is still out counts as lost, every socket and timer closes, run() returns.
  void finish() {
    if (finished_) return;
    finished_ = true;
    for (auto& c : conns_) {
      if (c->in_flight && c->measured) ++result_.outcomes.timed_out;
      error_code ignored;
      c->socket.close(ignored);
      c->retry.cancel();
    }
    if (open_loop_ && next_k_ < end_k_) {
      result_.outcomes.unsent += end_k_ - std::max(next_k_, first_measured_k_);
    }
    schedule_timer_.cancel();
    end_timer_.cancel();
    drain_timer_.cancel();
  }

  Shared& shared_;
  const int index_;
  // Only this worker's thread touches its io_context, sockets and timers: no locks inside.
  asio::io_context io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
  std::vector<std::unique_ptr<Connection>> conns_;
  std::vector<Connection*> idle_;  // open loop only
  asio::steady_timer schedule_timer_;
  asio::steady_timer end_timer_;
  asio::steady_timer drain_timer_;
  Clock::time_point warmup_end_;
  Clock::time_point end_;
  Clock::duration slice_{};
  bool open_loop_ = false;
  std::optional<OpenLoopSchedule> schedule_;
  uint64_t next_k_ = 0;
  uint64_t end_k_ = 0;  // slots due before the end (or before the seats ran out)
  uint64_t first_measured_k_ = 0;
  bool schedule_armed_ = false;
  bool ending_ = false;    // no new requests (open loop: none beyond end_k_)
  bool finished_ = false;  // everything closed
  uint64_t in_flight_ = 0;
  int connecting_ = 0;
  std::array<bool, kStatusLimit> have_sample_{};
  WorkerResult result_;
};

std::string url_text(const Url& url) {
  return "http://" + url.host + ":" + std::to_string(url.port) + url.base_path;
}

}  // namespace

void Outcomes::add(const Outcomes& o) {
  held += o.held;
  rejected += o.rejected;
  pending += o.pending;
  other += o.other;
  transport += o.transport;
  timed_out += o.timed_out;
  unsent += o.unsent;
}

Result<Url, std::string> parse_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return unexpected("--url: expected http://HOST:PORT[/PATH]");
  url.remove_prefix(kScheme.size());
  Url out;
  const size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) out.base_path = std::string(url.substr(slash));
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    const std::string port_text(authority.substr(colon + 1));
    char* end = nullptr;
    const long port = std::strtol(port_text.c_str(), &end, 10);
    if (port_text.empty() || *end != '\0' || port <= 0 || port > 65535) {
      return unexpected("--url: bad port \"" + port_text + "\"");
    }
    out.port = static_cast<uint16_t>(port);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return unexpected(std::string("--url: no host"));
  out.host = std::string(authority);
  return out;
}

Result<LoadReport, std::string> run_load(const LoadOptions& options,
                                         const booking::Catalog& catalog) {
  if (options.connections < 1) return unexpected(std::string("connections: at least 1"));
  if (options.threads < 1 || options.threads > options.connections) {
    return unexpected(std::string("threads: between 1 and the number of connections"));
  }
  if (!(options.duration_s > 0) || options.warmup_s < 0 || options.rate_per_s < 0 ||
      options.drain_s < 0) {
    return unexpected(
        std::string("duration must be positive; warmup, rate and drain not negative"));
  }
  if (!(options.slice_s > 0) || options.duration_s / options.slice_s > kMaxSlices) {
    return unexpected(std::string("slice: positive, and at most 3600 slices in the duration"));
  }

  tcp::endpoint endpoint;
  {
    asio::io_context io;
    tcp::resolver resolver(io);
    error_code ec;
    auto found = resolver.resolve(options.url.host, std::to_string(options.url.port), ec);
    if (ec || found.empty()) {
      return unexpected("cannot resolve " + options.url.host + ": " + ec.message());
    }
    endpoint = found.begin()->endpoint();
  }

  const SeatOrder order(catalog, options.seed);
  if (options.seat_offset >= order.size()) {
    return unexpected("seat offset " + std::to_string(options.seat_offset) +
                      " is past the catalog's " + std::to_string(order.size()) + " seats");
  }
  const std::string host_header = options.url.host + ":" + std::to_string(options.url.port);
  ReserveRequests requests(catalog, order, host_header, options.url.base_path, options.seed);
  tokens::KeySet admission_keys;
  if (!options.admission_hs256_secret.empty()) {
    if (!admission_keys.add_hs256("hs1", options.admission_hs256_secret) ||
        !admission_keys.set_active("hs1")) {
      return unexpected(std::string("the admission secret is not usable"));
    }
    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    requests.admit_with(&admission_keys, now_s);
  }
  Shared shared{options, requests, endpoint, {options.seat_offset}, order.size()};
  if (options.seat_count > 0) {
    shared.end_position = std::min(order.size(), options.seat_offset + options.seat_count);
  }

  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < options.threads; ++t) {
    // Connections split as evenly as they go; the first threads take the remainder.
    const int share =
        (options.connections / options.threads) + (t < options.connections % options.threads);
    workers.push_back(std::make_unique<Worker>(shared, t, share));
  }
  std::vector<std::optional<std::string>> failures(workers.size());
  std::latch connected(static_cast<ptrdiff_t>(workers.size()));
  std::latch go(1);
  Clock::time_point start;
  bool abort = false;
  std::vector<std::thread> threads;
  for (size_t t = 0; t < workers.size(); ++t) {
    threads.emplace_back([&, t] {
      failures[t] = workers[t]->connect();
      connected.count_down();
      go.wait();
      if (!abort) workers[t]->run(start);
    });
  }
  connected.wait();
  for (const auto& f : failures) {
    if (f && !abort) abort = true;
  }
  // Every thread starts its clock at the same instant, a moment from now.
  start = Clock::now() + std::chrono::milliseconds(2);
  const double cpu_before = cpu_seconds();
  go.count_down();
  for (std::thread& t : threads) t.join();
  if (abort) {
    for (const auto& f : failures) {
      if (f) return unexpected("cannot connect to " + url_text(options.url) + ": " + *f);
    }
  }

  LoadReport report;
  report.options = options;
  report.cpu_s = cpu_seconds() - cpu_before;
  Clock::time_point window_end = start + seconds_of(options.warmup_s + options.duration_s);
  report.latency_by_slice_ns.resize(slice_count(options));
  for (auto& w : workers) {
    WorkerResult& r = w->result();
    report.outcomes.add(r.outcomes);
    report.latency_ns.merge(r.latency_ns);
    for (size_t i = 0; i < r.latency_by_slice_ns.size(); ++i) {
      report.latency_by_slice_ns[i].merge(r.latency_by_slice_ns[i]);
    }
    report.requests_sent += r.requests_sent;
    report.reconnects += r.reconnects;
    for (auto& [status, body] : r.first_body_by_status) {
      report.first_body_by_status.emplace(status, std::move(body));
    }
    if (r.ran_out_at && *r.ran_out_at < window_end) {
      window_end = *r.ran_out_at;
      report.ran_out_of_seats = true;
    }
  }
  report.seats_used =
      std::min(shared.next_position.load(), shared.end_position) - options.seat_offset;
  report.measured_s = seconds_between(start + seconds_of(options.warmup_s), window_end);
  if (report.measured_s <= 0) {
    return unexpected("the " + std::to_string(shared.end_position - options.seat_offset) +
                      " seats of the slice ran out during the warmup: give more seats (a "
                      "larger --seat-count) or a shorter --warmup-s");
  }
  return report;
}

std::string format_report(const LoadReport& r) {
  const LoadOptions& o = r.options;
  const Outcomes& c = r.outcomes;
  std::string out;
  char line[512];
  auto add = [&](const char* format, auto... args) {
    std::snprintf(line, sizeof line, format, args...);
    out += line;
  };
  auto ms = [](uint64_t ns) { return static_cast<double>(ns) / 1e6; };
  const double per_s = r.measured_s > 0 ? 1.0 / r.measured_s : 0;

  if (o.rate_per_s > 0) {
    add("loadgen: open loop at %.0f requests/s, %d connections, %d thread%s, %s\n", o.rate_per_s,
        o.connections, o.threads, o.threads == 1 ? "" : "s", url_text(o.url).c_str());
  } else {
    add("loadgen: closed loop, %d connections, %d thread%s, %s\n", o.connections, o.threads,
        o.threads == 1 ? "" : "s", url_text(o.url).c_str());
  }
  add("  window     %.2f s after %.2f s of warmup%s\n", r.measured_s, o.warmup_s,
      r.ran_out_of_seats ? " (cut short: the seat slice ran out)" : "");
  add("  answered   %llu (%.1f/s)\n", static_cast<unsigned long long>(c.answered()),
      static_cast<double>(c.answered()) * per_s);
  add("    held     %llu (%.1f/s)  201\n", static_cast<unsigned long long>(c.held),
      static_cast<double>(c.held) * per_s);
  add("    rejected %llu  409, 422\n", static_cast<unsigned long long>(c.rejected));
  add("    pending  %llu  202\n", static_cast<unsigned long long>(c.pending));
  add("    other    %llu  any other status\n", static_cast<unsigned long long>(c.other));
  add("  errors     %llu  (transport %llu, no answer by the drain %llu, never sent %llu)\n",
      static_cast<unsigned long long>(c.errors()), static_cast<unsigned long long>(c.transport),
      static_cast<unsigned long long>(c.timed_out), static_cast<unsigned long long>(c.unsent));
  const LatencyHistogram& h = r.latency_ns;
  add("  latency    p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms (from the %s)\n",
      ms(h.value_at_quantile(0.5)), ms(h.value_at_quantile(0.9)), ms(h.value_at_quantile(0.99)),
      ms(h.value_at_quantile(0.999)), ms(h.max()), o.rate_per_s > 0 ? "due time" : "send time");
  add("  seats      %llu used from position %llu of seed %llu's order\n",
      static_cast<unsigned long long>(r.seats_used), static_cast<unsigned long long>(o.seat_offset),
      static_cast<unsigned long long>(o.seed));
  const double cpu_us =
      r.requests_sent > 0 ? r.cpu_s * 1e6 / static_cast<double>(r.requests_sent) : 0;
  add("  client     %.2f s CPU for %llu requests (%.1f us each), %llu reconnects\n", r.cpu_s,
      static_cast<unsigned long long>(r.requests_sent), cpu_us,
      static_cast<unsigned long long>(r.reconnects));
  for (const auto& [status, body] : r.first_body_by_status) {
    add("  first %d:  %s\n", status, body.c_str());
  }
  uint64_t worst_slice_p99 = 0;
  for (size_t i = 0; i < r.latency_by_slice_ns.size(); ++i) {
    const LatencyHistogram& slice = r.latency_by_slice_ns[i];
    if (slice.count() == 0) continue;
    worst_slice_p99 = std::max(worst_slice_p99, slice.value_at_quantile(0.99));
    add("  slice %-4zu %.1f-%.1f s: %llu answered, p50 %.3f  p99 %.3f  max %.3f ms\n", i,
        static_cast<double>(i) * o.slice_s, static_cast<double>(i + 1) * o.slice_s,
        static_cast<unsigned long long>(slice.count()), ms(slice.value_at_quantile(0.5)),
        ms(slice.value_at_quantile(0.99)), ms(slice.max()));
  }
  add("loadgen.requests_per_s: %.1f\n", static_cast<double>(c.answered()) * per_s);
  add("loadgen.held_per_s: %.1f\n", static_cast<double>(c.held) * per_s);
  add("loadgen.p50_ms: %.3f\n", ms(h.value_at_quantile(0.5)));
  add("loadgen.p90_ms: %.3f\n", ms(h.value_at_quantile(0.9)));
  add("loadgen.p99_ms: %.3f\n", ms(h.value_at_quantile(0.99)));
  add("loadgen.p999_ms: %.3f\n", ms(h.value_at_quantile(0.999)));
  add("loadgen.max_ms: %.3f\n", ms(h.max()));
  add("loadgen.worst_slice_p99_ms: %.3f\n", ms(worst_slice_p99));
  add("loadgen.errors: %llu\n", static_cast<unsigned long long>(c.errors()));
  add("loadgen.seats_used: %llu\n", static_cast<unsigned long long>(r.seats_used));
  add("loadgen.cpu_us_per_request: %.1f\n", cpu_us);
  return out;
}

}  // namespace boxoffice::loadgen
