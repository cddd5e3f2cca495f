#include "booking/api/tests/test_backend.h"

#include <future>
#include <stdexcept>

#include "booking/core/wire.h"

namespace boxoffice::booking::api::testing {

TestBus::TestBus(const Catalog& catalog, uint16_t redis_port) : partition_(catalog) {
  auto projector = Projector::connect(catalog, "127.0.0.1", redis_port);
  if (!projector) throw std::runtime_error("projector: " + projector.error());
  projector_ = std::make_unique<Projector>(std::move(projector).value());
  thread_ = std::thread([this] { run(); });
}

TestBus::~TestBus() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void TestBus::submit(Command cmd, std::chrono::milliseconds /*deadline*/, Done done) {
  Mode mode;
  Job job;
  {
    std::lock_guard lock(mu_);
    cmd.request_id = (uint64_t{1} << 48) | ++next_request_;
    job.command = OwnedCommand::of(cmd);
    received_.push_back(job.command);
    mode = mode_;
  }
  CommandOutcome outcome;
  outcome.request_id = cmd.request_id;
  switch (mode) {
    case Mode::kUnavailable:
      outcome.status = CommandOutcome::Status::kUnavailable;
      return done(std::move(outcome));
    case Mode::kPending: {
      {
        std::lock_guard lock(mu_);
        held_.push_back(std::move(job));
      }
      outcome.status = CommandOutcome::Status::kPending;
      return done(std::move(outcome));
    }
    case Mode::kDecide:
      job.done = std::move(done);
      return enqueue(std::move(job));
  }
}

void TestBus::set_mode(Mode mode) {
  std::lock_guard lock(mu_);
  mode_ = mode;
}

std::vector<OwnedCommand> TestBus::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

size_t TestBus::received_count() const {
  std::lock_guard lock(mu_);
  return received_.size();
}

std::string TestBus::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

void TestBus::release_pending() {
  std::vector<Job> held;
  {
    std::lock_guard lock(mu_);
    held.swap(held_);
  }
  std::vector<std::future<void>> done;
  for (Job& job : held) {
    auto finished = std::make_shared<std::promise<void>>();
    done.push_back(finished->get_future());
    job.observe = [finished](const std::vector<Decision>&) { finished->set_value(); };
    enqueue(std::move(job));
  }
  for (auto& f : done) f.wait();
}

std::vector<DecisionType> TestBus::inject(const Command& cmd) {
  Job job;
  job.command = OwnedCommand::of(cmd);
  std::promise<std::vector<DecisionType>> types;
  auto result = types.get_future();
  job.observe = [&types](const std::vector<Decision>& decisions) {
    std::vector<DecisionType> t;
    t.reserve(decisions.size());
    for (const Decision& d : decisions) t.push_back(d.type);
    types.set_value(std::move(t));
  };
  enqueue(std::move(job));
  return result.get();
}

void TestBus::enqueue(Job job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_all();
}

void TestBus::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    apply(job);
  }
}

void TestBus::apply(Job& job) {
  std::vector<Decision> decisions;
  partition_.apply(job.command.view(), decisions);
  auto batch = std::make_shared<std::string>();
  encode_decision_batch(decisions, *batch);
  const std::string_view batches[] = {*batch};
  auto projected = projector_->apply(0, batches);
  if (!projected || !projected->malformed.empty()) {
    std::lock_guard lock(mu_);
    failure_ = projected ? projected->malformed.front() : projected.error();
  }
  // The outcome's decisions point into the batch they share, as the Kafka bus's do.
  CommandOutcome outcome;
  outcome.status = CommandOutcome::Status::kDecided;
  outcome.request_id = job.command.request_id;
  auto decoded = decode_decision_batch(*batch);
  if (decoded) outcome.decisions = std::move(*decoded);
  outcome.batch = std::move(batch);
  if (job.observe) job.observe(outcome.decisions);
  if (job.done) job.done(std::move(outcome));
}

}  // namespace boxoffice::booking::api::testing
