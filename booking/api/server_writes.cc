// Write handlers: checks, then one command on the bus, then the requester's answer. A request
// that fails a check gets its error and sends nothing.
#include <boost/asio/use_awaitable.hpp>

#include "booking/api/server_impl.h"
#include "shared/json/json_writer.h"

namespace boxoffice::booking::api {
namespace {

constexpr std::string_view kSignatureHeader = "Boxoffice-Signature";

}  // namespace

Awaitable<CommandOutcome> ServerImpl::submit(const OwnedCommand& command) {
  const Command cmd = command.view();
  const auto submitted = std::chrono::steady_clock::now();
  CommandOutcome outcome = co_await bus_bridge_.async_call(
      [this, &cmd](std::function<void(CommandOutcome)> done) {
        bus_.submit(cmd, config_.decision_deadline, std::move(done));
      },
      UseAwaitable{});
  metrics_.command_done(outcome, std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - submitted));
  co_return outcome;
}

Response ServerImpl::outcome_response(const CommandOutcome& outcome, std::string_view user) {
  switch (outcome.status) {
    case CommandOutcome::Status::kUnavailable:
      return error_response(
          api_error(ApiErrc::kUnavailable, "the command log is unreachable; nothing was done"));
    case CommandOutcome::Status::kPending:
      return pending_response(outcome.request_id);
    case CommandOutcome::Status::kDecided:
      break;
  }
  const AnswerContext context{catalog_, config_.payment_url};
  return decided_response(context, outcome.decisions, user);
}

Result<std::string, HttpError> ServerImpl::writer_identity(const RequestContext& rc,
                                                           std::string_view event_id,
                                                           const boost::json::object& body) {
  auto claimed = require_identity(rc.header(kIdentityHeader), body);
  if (!config_.verify_admission) return claimed;
  // Booking checks the gate's admission token too: a write that bypassed the gate has none.
  auto subject = config_.verify_admission(rc.header("Authorization"), event_id);
  if (!subject) return subject;
  if (claimed && *claimed != *subject) {
    return unexpected(
        api_error(ApiErrc::kIdentityMismatch, "the admission token was issued to another user"));
  }
  return subject;
}

Awaitable<Response> ServerImpl::reserve(const RequestContext& rc, ReserveKind kind) {
  auto event = find_event(catalog_, rc.route.param("event_id"));
  if (!event) co_return error_response(event.error());
  auto body = parse_body(rc.http.body());
  if (!body) co_return error_response(body.error());
  auto user = writer_identity(rc, (*event)->id, *body);
  if (!user) co_return error_response(user.error());
  auto command = [&] {
    switch (kind) {
      case ReserveKind::kSeat:
        return reserve_seat_command(**event, rc.route.param("seat_id"), *user, now_ms());
      case ReserveKind::kSeats:
        return reserve_seats_command(**event, *body, *user, now_ms());
      case ReserveKind::kBest:
        break;
    }
    return reserve_best_command(**event, *body, *user, now_ms());
  }();
  if (!command) co_return error_response(command.error());
  const CommandOutcome outcome = co_await submit(*command);
  co_return outcome_response(outcome, *user);
}

Awaitable<Response> ServerImpl::waitlist_change(const RequestContext& rc, CommandType type) {
  auto event = find_event(catalog_, rc.route.param("event_id"));
  if (!event) co_return error_response(event.error());
  auto seat = find_seat(**event, rc.route.param("seat_id"));
  if (!seat) co_return error_response(seat.error());
  auto body = parse_body(rc.http.body());
  if (!body) co_return error_response(body.error());
  // DELETE usually has no body: the query may name the user instead.
  if (type == CommandType::kLeaveWaitlist && body->empty()) {
    if (auto q = query_value(rc.query, "user_id"); q && !q->empty()) {
      (*body)["user_id"] = *q;
    }
  }
  auto user = writer_identity(rc, (*event)->id, *body);
  if (!user) co_return error_response(user.error());
  const OwnedCommand command = waitlist_command(type, **event, *seat, *user, now_ms());
  const CommandOutcome outcome = co_await submit(command);
  co_return outcome_response(outcome, *user);
}

Result<ServerImpl::ReservationWrite, HttpError> ServerImpl::reservation_write(
    const RequestContext& rc) {
  const std::string_view key = rc.route.param("reservation_id");
  auto ref = parse_reservation(key);
  if (!ref) return unexpected(ref.error());
  if (auto event = find_event(catalog_, ref->event_id); !event) return unexpected(event.error());
  auto body = parse_body(rc.http.body());
  if (!body) return unexpected(body.error());
  auto user = writer_identity(rc, ref->event_id, *body);
  if (!user) return unexpected(user.error());
  return ReservationWrite{key, *ref, std::move(*body), std::move(*user)};
}

Awaitable<Response> ServerImpl::cancel_reservation(const RequestContext& rc) {
  auto write = reservation_write(rc);
  if (!write) co_return error_response(write.error());
  const OwnedCommand command =
      reservation_command(CommandType::kCancel, write->ref, write->user, now_ms());
  const CommandOutcome outcome = co_await submit(command);
  co_return outcome_response(outcome, write->user);
}

Awaitable<Response> ServerImpl::confirm_booking(const RequestContext& rc) {
  auto write = reservation_write(rc);
  if (!write) co_return error_response(write.error());
  const std::string_view key = write->key;
  const ReservationRef& ref = write->ref;
  const std::string& user = write->user;
  auto request = parse_confirm_request(write->body);
  if (!request) co_return error_response(request.error());
  if (!config_.fetch_payment) {
    co_return error_response(
        api_error(ApiErrc::kPaymentProviderUnavailable, "no payment provider is configured"));
  }

  // The money must have been taken for this reservation: ask the provider, not the client.
  const ProviderPayment payment = co_await payment_bridge_.async_call(
      [this, &request](std::function<void(ProviderPayment)> done) {
        config_.fetch_payment(request->provider, request->payment_id, std::move(done));
      },
      UseAwaitable{});
  const std::string what = "payment " + request->payment_id + " at " + request->provider;
  switch (payment.status) {
    case ProviderPayment::Status::kUnavailable:
      co_return error_response(api_error(ApiErrc::kPaymentProviderUnavailable,
                                         request->provider + " did not answer; try again"));
    case ProviderPayment::Status::kUnknown:
      co_return error_response(api_error(ApiErrc::kUnknownPayment, what + " does not exist"));
    default:
      break;
  }
  if (payment.reservation != key) {
    co_return error_response(
        api_error(ApiErrc::kPaymentMismatch, what + " is for reservation " + payment.reservation));
  }
  if (payment.user != user) {
    co_return error_response(
        api_error(ApiErrc::kPaymentMismatch, what + " was made by another user"));
  }
  if (payment.status != ProviderPayment::Status::kSucceeded) {
    co_return error_response(api_error(
        ApiErrc::kPaymentNotSucceeded,
        what + (payment.status == ProviderPayment::Status::kFailed ? " failed"
                                                                   : " is still processing")));
  }
  const OwnedCommand command = confirm_command(ref, user, request->payment_id, request->provider,
                                               payment.amount_cents, now_ms());
  const CommandOutcome outcome = co_await submit(command);
  co_return outcome_response(outcome, user);
}

Awaitable<Response> ServerImpl::payment_webhook(const RequestContext& rc) {
  if (!config_.verify_webhook) {
    co_return error_response(
        api_error(ApiErrc::kUnavailable, "payment webhooks are not configured"));
  }
  auto verified = config_.verify_webhook(rc.http.body(), rc.header(kSignatureHeader));
  if (!verified) {
    const WebhookRejection& why = verified.error();
    co_return error_response(
        api_error(why.bad_signature ? ApiErrc::kBadSignature : ApiErrc::kBadWebhook, why.message));
  }
  const WebhookPayment& p = *verified;
  if (p.user.empty() || p.payment_id.empty() || p.provider.empty()) {
    co_return error_response(
        api_error(ApiErrc::kBadWebhook, "the event names no user, payment or provider"));
  }
  auto ref = parse_reservation(p.reservation);
  if (!ref) co_return error_response(ref.error());
  // Even for an event this catalog does not know, a succeeded payment goes to the core: it
  // answers refund_required, so the money is returned rather than lost.
  OwnedCommand command;
  switch (p.type) {
    case WebhookPayment::Type::kSucceeded:
      command = confirm_command(*ref, p.user, p.payment_id, p.provider, p.amount_cents, now_ms());
      break;
    case WebhookPayment::Type::kFailed:
      command = reservation_command(CommandType::kCancel, *ref, p.user, now_ms());
      break;
    case WebhookPayment::Type::kProcessing:
      command = reservation_command(CommandType::kPaymentStarted, *ref, p.user, now_ms());
      break;
  }
  const CommandOutcome outcome = co_await submit(command);
  if (outcome.status == CommandOutcome::Status::kUnavailable) {
    co_return outcome_response(outcome, p.user);  // 503: the provider retries
  }
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("received", true);
  if (outcome.status == CommandOutcome::Status::kPending) {
    const std::string key = request_key(outcome.request_id);
    w.field("status", "pending").field("request_id", key);
    w.field("status_url", "/requests/" + key).end_object();
    co_return json_response(202, std::move(out));
  }
  w.field("status", "decided");
  if (const Decision* d = answer_for(outcome.decisions, p.user)) {
    w.field("outcome", to_string(d->type));
    if (d->code != Errc::kOk) w.field("code", to_string(d->code));
  }
  w.end_object();
  co_return json_response(200, std::move(out));
}

}  // namespace boxoffice::booking::api
