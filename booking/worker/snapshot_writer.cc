#include "booking/worker/snapshot_writer.h"

#include "shared/thread_name.h"

namespace boxoffice::booking {
namespace {
constexpr auto kAckPoll = std::chrono::milliseconds(1);
}  // namespace

SnapshotWriter::SnapshotWriter(std::unique_ptr<SnapshotStore> store, Stored stored,
                               std::chrono::milliseconds ack_timeout)
    : store_(std::move(store)), stored_(std::move(stored)), ack_timeout_(ack_timeout) {
  thread_ = std::thread([this] {
    name_this_thread("snapshot-write");
    run();
  });
}

SnapshotWriter::~SnapshotWriter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Partition SnapshotWriter::copy(const Partition& state) {
  std::optional<Partition> spare;
  {
    std::lock_guard lock(mutex_);
    spare.swap(spare_);
  }
  if (!spare) return state.clone();
  state.copy_to(*spare);
  return std::move(*spare);
}

void SnapshotWriter::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    job_ = std::move(job);
    busy_.store(true, std::memory_order_release);
  }
  wake_.notify_one();
}

void SnapshotWriter::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return !job_.has_value(); });
}

std::optional<std::string> SnapshotWriter::error() const {
  if (!failed_.load(std::memory_order_acquire)) return std::nullopt;
  std::lock_guard lock(mutex_);
  return error_;
}

void SnapshotWriter::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stop_ || job_.has_value(); });
    if (stop_) break;
    lock.unlock();
    std::optional<std::string> failed = store(*job_);  // job_ is only reset here
    lock.lock();
    if (failed && !error_) {
      error_ = std::move(failed);
      failed_.store(true, std::memory_order_release);
    }
    spare_.emplace(std::move(job_->state));
    job_.reset();
    busy_.store(false, std::memory_order_release);
    idle_.notify_all();
  }
  job_.reset();  // abandoned
  busy_.store(false, std::memory_order_release);
  idle_.notify_all();
}

std::optional<std::string> SnapshotWriter::store(const Job& job) {
  const auto deadline = std::chrono::steady_clock::now() + ack_timeout_;
  const StoredSnapshot snapshot{job.next_offset, job.state.last_seq(), job.state.snapshot()};
  while (job.counts->acknowledged.load(std::memory_order_acquire) < job.produced) {
    if (stop_) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::string("decisions could not be stored in Kafka");
    }
    std::this_thread::sleep_for(kAckPoll);
  }
  auto saved = store_->save(job.partition, snapshot);
  if (!saved) return saved.error();
  stored_(job.partition, job.next_offset, *saved);
  return std::nullopt;
}

}  // namespace boxoffice::booking
