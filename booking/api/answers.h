// Answers to writes: which of a command's decisions answers the requester, and its HTTP form.
// Pure. Used for live outcomes from the command bus and for GET /requests/{key}, whose
// decisions come back from the read model.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "booking/api/errors.h"
#include "booking/core/catalog.h"
#include "booking/core/decision.h"

namespace boxoffice::booking::api {

// The link where the holder pays: (reservation key, user, amount in cents, currency).
using PaymentUrlFn =
    std::function<std::string(std::string_view reservation_key, std::string_view user,
                              int64_t amount_cents, std::string_view currency)>;

// A command's decisions can include others' (a hold of another fan that lazily expired, a
// waitlist offer it released). The requester's answer is the first success of theirs (held,
// payment_pending, booked, cancelled, waitlisted, waitlist_left), else their last refund
// notice, else their last rejection; user empty = anyone's. nullptr if there is none.
const Decision* answer_for(std::span<const Decision> decisions, std::string_view user);

struct AnswerContext {
  const Catalog& catalog;
  const PaymentUrlFn& payment_url;  // may be empty: no payment_url in the answer
};

// 201 reserved / waitlisted, 200 confirmed / cancelled / payment_pending / left, or the
// rejection's error (its code's status; refund_required: true when money must go back).
Response decided_response(const AnswerContext& context, std::span<const Decision> decisions,
                          std::string_view user);
// 202 {status: "pending", request_id, status_url}, with Location.
Response pending_response(uint64_t request_id);

// The error answer of a rejected or refund_required decision.
HttpError rejection_error(const Catalog& catalog, const Decision& d);

// "likely", "possible" or "unlikely" for a waitlist position: how many holds ahead must end
// unpaid before this fan gets an offer.
std::string_view estimated_wait(uint32_t position);

}  // namespace boxoffice::booking::api
