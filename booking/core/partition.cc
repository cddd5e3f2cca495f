#include "booking/core/partition.h"

#include "booking/core/event_state.h"

namespace boxoffice::booking {

Partition::Partition(const Catalog& catalog) : catalog_(&catalog), events_(catalog.events.size()) {}
Partition::~Partition() = default;
Partition::Partition(Partition&&) noexcept = default;
Partition& Partition::operator=(Partition&&) noexcept = default;

Partition Partition::clone() const {
  Partition copy(*catalog_);
  copy_to(copy);
  return copy;
}

void Partition::copy_to(Partition& target) const {
  target.catalog_ = catalog_;
  target.last_event_ = last_event_;
  target.seq_ = seq_;
  target.events_.resize(events_.size());
  for (size_t i = 0; i < events_.size(); ++i) {
    if (!events_[i]) {
      target.events_[i].reset();
    } else if (target.events_[i]) {
      *target.events_[i] = *events_[i];
    } else {
      target.events_[i] = std::make_unique<EventState>(*events_[i]);
    }
  }
}

void Partition::apply(const Command& cmd, std::vector<Decision>& out) {
  // Commands come in runs for one event: the last event's id is checked before the lookup.
  if (catalog_->events.empty() || cmd.event_id != catalog_->events[last_event_].id) {
    const auto it = catalog_->event_by_id.find(cmd.event_id);
    if (it == catalog_->event_by_id.end()) {
      DecisionSink sink(cmd, cmd.event_id, seq_, out);
      Decision& d = sink.emit(DecisionType::kRejected, Errc::kUnknownEvent);
      d.user_id = cmd.user_id;
      d.reservation_id = cmd.reservation_id;
      if (cmd.type == CommandType::kConfirm) sink.refund(Errc::kUnknownEvent);
      return;
    }
    last_event_ = it->second;
  }
  DecisionSink sink(cmd, catalog_->events[last_event_].id, seq_, out);
  state_for(last_event_)->apply(cmd, sink);
}

EventState* Partition::state_for(uint32_t event_index) {
  auto& state = events_[event_index];
  if (!state) state = std::make_unique<EventState>(catalog_->events[event_index]);
  return state.get();
}

const EventState* Partition::find_state(std::string_view event_id) const {
  const auto it = catalog_->event_by_id.find(event_id);
  return it == catalog_->event_by_id.end() ? nullptr : events_[it->second].get();
}

SeatStatus Partition::seat_status(std::string_view event_id, SeatIndex seat) const {
  const EventState* s = find_state(event_id);
  return s == nullptr ? SeatStatus::kAvailable : s->seat_status(seat);
}

std::optional<ReservationView> Partition::seat_holder(std::string_view event_id,
                                                      SeatIndex seat) const {
  const EventState* s = find_state(event_id);
  return s == nullptr ? std::nullopt : s->seat_holder(seat);
}

std::optional<ReservationView> Partition::reservation(std::string_view event_id,
                                                      ReservationId id) const {
  const EventState* s = find_state(event_id);
  return s == nullptr ? std::nullopt : s->reservation(id);
}

std::vector<ReservationView> Partition::reservations(std::string_view event_id) const {
  const EventState* s = find_state(event_id);
  return s == nullptr ? std::vector<ReservationView>{} : s->reservations();
}

std::vector<std::string_view> Partition::waitlist(std::string_view event_id, SeatIndex seat) const {
  const EventState* s = find_state(event_id);
  return s == nullptr ? std::vector<std::string_view>{} : s->waitlist(seat);
}

uint32_t Partition::tickets_of(std::string_view event_id, std::string_view user_id) const {
  const EventState* s = find_state(event_id);
  return s == nullptr ? 0 : s->tickets_of(user_id);
}

Partition::Memory Partition::memory() const {
  Memory m;
  m.inventory = sizeof(*this) + events_.capacity() * sizeof(events_[0]);
  for (const auto& e : events_) {
    if (e) m += e->memory();
  }
  return m;
}

Partition::Population Partition::population() const {
  Population p;
  for (const auto& e : events_) {
    if (e) p += e->population();
  }
  return p;
}

}  // namespace boxoffice::booking
