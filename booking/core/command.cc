#include "booking/core/command.h"

namespace boxoffice::booking {

OwnedCommand OwnedCommand::of(const Command& c) {
  OwnedCommand o;
  o.type = c.type;
  o.request_id = c.request_id;
  o.at_ms = c.at_ms;
  o.event_id = c.event_id;
  o.user_id = c.user_id;
  o.reservation_id = c.reservation_id;
  o.seats = c.seats;
  o.count = c.count;
  o.section = c.section;
  o.min_price_cents = c.min_price_cents;
  o.max_price_cents = c.max_price_cents;
  o.payment_id = c.payment_id;
  o.provider = c.provider;
  o.amount_cents = c.amount_cents;
  return o;
}

Command OwnedCommand::view() const {
  Command c;
  c.type = type;
  c.request_id = request_id;
  c.at_ms = at_ms;
  c.event_id = event_id;
  c.user_id = user_id;
  c.reservation_id = reservation_id;
  c.seats = seats;
  c.count = count;
  c.section = section;
  c.min_price_cents = min_price_cents;
  c.max_price_cents = max_price_cents;
  c.payment_id = payment_id;
  c.provider = provider;
  c.amount_cents = amount_cents;
  return c;
}

}  // namespace boxoffice::booking
