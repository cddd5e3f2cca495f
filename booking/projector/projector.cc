#include "booking/projector/projector.h"

#include <deque>
#include <optional>
#include <utility>

#include "booking/core/wire.h"
#include "booking/service/decision_json.h"
#include "booking/service/ids.h"
#include "shared/decimal.h"

namespace boxoffice::booking {
namespace {

constexpr std::string_view kApplyScript = "booking/apply.lua";
constexpr size_t kFieldsPerDecision = 15;  // apply.lua's ARGV per decision

// What the read model needs of a decision for apply.lua to accept it (its NEEDS table) and for
// its keys to make sense: a known event, seats of that event, the ids its keys are built from.
std::optional<std::string> unusable(const Catalog& catalog, const Decision& d) {
  const auto t = d.type;
  if (t == DecisionType::kRejected || t == DecisionType::kRefundRequired) return std::nullopt;
  const Event* event = catalog.find_event(d.event_id);
  if (event == nullptr) return "unknown event \"" + std::string(d.event_id) + "\"";
  for (SeatIndex s : d.seats.span()) {
    if (s >= event->seats.size()) {
      return "seat " + std::to_string(s) + " is not a seat of " + event->id;
    }
  }
  const bool hold = t == DecisionType::kHeld || t == DecisionType::kOffered ||
                    t == DecisionType::kBooked || t == DecisionType::kPaymentPending ||
                    t == DecisionType::kCancelled || t == DecisionType::kExpired;
  const bool needs_user = t == DecisionType::kHeld || t == DecisionType::kOffered ||
                          t == DecisionType::kBooked || t == DecisionType::kWaitlisted ||
                          t == DecisionType::kWaitlistLeft;
  const bool needs_seats =
      needs_user || t == DecisionType::kReleased || t == DecisionType::kWaitlistCleared;
  if (hold && d.reservation_id == 0) return std::string("no reservation id");
  if (needs_user && d.user_id.empty()) return std::string("no user");
  if (needs_seats && d.seats.count == 0) return std::string("no seats");
  return std::nullopt;
}

}  // namespace

// One apply.lua call: its decision fields, the last seq in it.
struct Projector::Call {
  std::vector<std::string_view> args;
  uint64_t last_seq = 0;
};

Projector::Projector(const Catalog& catalog, redis::SyncClient client, Options options)
    : catalog_(&catalog),
      options_(options),
      client_(std::make_unique<redis::SyncClient>(std::move(client))),
      runner_(*client_) {
  if (options_.decisions_per_call == 0) options_.decisions_per_call = 1;
}

Result<Projector, std::string> Projector::connect(const Catalog& catalog, std::string host,
                                                  uint16_t port, Options options) {
  auto client = redis::SyncClient::connect(std::move(host), port);
  if (!client) return unexpected(client.error());
  return Projector(catalog, std::move(client).value(), options);
}

Result<std::monostate, std::string> Projector::ready() {
  if (!client_->healthy()) {
    auto reconnected = client_->reconnect();
    if (!reconnected) return reconnected;
  }
  if (runner_.sha1(kApplyScript).empty()) return runner_.load(kApplyScript);
  return std::monostate{};
}

Result<Projector::Applied, std::string> Projector::apply(
    int32_t partition, std::span<const std::string_view> batches) {
  if (partition < 0) return unexpected("partition " + std::to_string(partition) + " < 0");
  Applied out;
  std::deque<std::string> text;  // formatted fields; a deque never moves what it holds
  auto keep = [&text](std::string s) -> std::string_view {
    return text.emplace_back(std::move(s));
  };
  std::vector<Call> calls;
  size_t in_call = 0;
  uint64_t last_seq = 0;  // seqs at or below it are applied by an earlier call of this one

  for (size_t i = 0; i < batches.size(); ++i) {
    auto decoded = decode_decision_batch(batches[i]);
    if (!decoded) {
      out.malformed.push_back("batch " + std::to_string(i) + ": " +
                              std::string(decoded.error().what) + " at byte " +
                              std::to_string(decoded.error().offset));
      continue;
    }
    std::optional<std::string> problem;
    for (const Decision& d : *decoded) {
      if (auto why = unusable(*catalog_, d)) {
        problem = "decision seq " + std::to_string(d.seq) + " (" + std::string(to_string(d.type)) +
                  "): " + *why;
        break;
      }
    }
    if (problem) {
      out.malformed.push_back("batch " + std::to_string(i) + ": " + *problem);
      continue;
    }
    for (const Decision& d : *decoded) {
      // A batch delivered twice, or a decision at or below one already queued: the script
      // would skip it, and its seqs must increase within a call.
      if (d.seq <= last_seq) continue;
      last_seq = d.seq;
      if (calls.empty() || in_call == options_.decisions_per_call) {
        calls.emplace_back();
        calls.back().args.reserve(options_.decisions_per_call * kFieldsPerDecision);
        in_call = 0;
      }
      std::string seats;
      for (SeatIndex s : d.seats.span()) {
        if (!seats.empty()) seats += ',';
        seats += std::to_string(s);
      }
      const bool has_reservation = d.reservation_id != 0;
      Call& call = calls.back();
      call.args.insert(
          call.args.end(),
          {keep(std::to_string(d.seq)), to_string(d.type), keep(std::to_string(d.at_ms)),
           d.event_id, d.user_id,
           has_reservation ? keep(reservation_key(d.event_id, d.reservation_id))
                           : std::string_view(),
           keep(std::move(seats)), keep(std::to_string(d.expires_at_ms)),
           keep(std::to_string(d.amount_cents)), keep(std::to_string(d.position)), d.payment_id,
           d.provider, d.code == Errc::kOk ? std::string_view() : to_string(d.code),
           d.request_id != 0 ? keep(request_key(d.request_id)) : std::string_view(),
           keep(decision_json(d))});
      call.last_seq = d.seq;
      ++in_call;
    }
  }
  if (calls.empty()) return out;

  auto applied = send(std::to_string(partition), calls);
  if (!applied) return unexpected(applied.error());
  out.decisions = *applied;
  return out;
}

// Pipelines every call, each requiring the previous one's last seq to be applied, so a call
// that fails is never overtaken. A NOSCRIPT answer (Redis lost its scripts: a restart, a
// flush) reloads apply.lua and sends again from the first call that did not go through.
Result<size_t, std::string> Projector::send(const std::string& partition,
                                            std::span<const Call> calls) {
  size_t applied = 0;
  size_t first = 0;
  bool reloaded = false;
  while (first < calls.size()) {
    auto is_ready = ready();
    if (!is_ready) return unexpected(is_ready.error());
    std::vector<std::string> required;
    required.reserve(calls.size() - first);
    for (size_t k = first; k < calls.size(); ++k) {
      required.push_back(k == 0 ? "0" : std::to_string(calls[k - 1].last_seq));
      std::vector<std::string_view> args;
      args.reserve(2 + calls[k].args.size());
      args.insert(args.end(), {partition, required.back()});
      args.insert(args.end(), calls[k].args.begin(), calls[k].args.end());
      auto appended = runner_.append_call(kApplyScript, {}, args);
      if (!appended) return unexpected(appended.error());
    }
    std::optional<size_t> failed;
    std::string failure;
    bool noscript = false;
    for (size_t k = first; k < calls.size(); ++k) {
      auto reply = client_->get_reply();  // read every answer: the connection stays in step
      if (!reply) return unexpected(reply.error());
      if (reply->is_integer()) {
        applied += static_cast<size_t>(reply->integer());
      } else if (!failed) {
        failed = k;
        failure = reply->describe();
        noscript = lua::ScriptRunner::is_noscript(*reply);
      }
    }
    if (!failed) break;
    if (!noscript || reloaded) {
      std::string error = "apply.lua, partition " + partition + ", call ";
      error += std::to_string(*failed + 1) + " of " + std::to_string(calls.size());
      error += " (up to seq " + std::to_string(calls[*failed].last_seq) + "): ";
      error += failure;
      return unexpected(std::move(error));
    }
    auto loaded = runner_.load(kApplyScript);
    if (!loaded) return unexpected(loaded.error());
    reloaded = true;
    first = *failed;
  }
  return applied;
}

std::string applied_key(int32_t partition) { return "bx:applied:" + std::to_string(partition); }

Result<uint64_t, std::string> Projector::applied_seq(int32_t partition) {
  auto is_ready = ready();
  if (!is_ready) return unexpected(is_ready.error());
  const std::string key = applied_key(partition);
  auto reply = client_->command({"GET", key});
  if (!reply) return unexpected(reply.error());
  if (reply->is_nil()) return uint64_t{0};
  const auto seq = parse_decimal<uint64_t>(reply->str());
  if (!reply->is_string() || !seq) return unexpected(key + " is not a seq: " + reply->describe());
  return *seq;
}

}  // namespace boxoffice::booking
