// Decisions as JSON, the read model's form (lua-rules/booking/README.md: bx:req, bx:audit, the
// deltas): {"seq", "type", "at", "event", "user", "rid", "seats", "expires_at", "amount",
// "position", "payment_id", "provider", "code"} in that order; fields a type does not use, empty
// strings and an empty seat list are left out. "rid" is the reservation key "{event}.{hex}" (a
// bare number is accepted too). The projector writes it (apply.lua stores it as given), the API
// reads it back.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "booking/core/decision.h"
#include "shared/result.h"

namespace boxoffice::booking {

// Decisions with the strings their views point into.
struct DecisionLog {
  std::vector<Decision> decisions;
  std::deque<std::string> strings;
};

// Appends the decision to log; the error says what is wrong with the document.
Result<bool, std::string> parse_decision_json(std::string_view json, DecisionLog& log);
Result<DecisionLog, std::string> parse_decision_list(const std::vector<std::string>& jsons);
// Decisions one per line (bx:req, a pub/sub delta message): JSON escapes line breaks in
// strings, so a line is one decision.
Result<DecisionLog, std::string> parse_decision_lines(std::string_view lines);

std::string decision_json(const Decision& d);

}  // namespace boxoffice::booking
