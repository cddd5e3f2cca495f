#include "shared/tokens/strict_json.h"

#include <string>
#include <unordered_set>

namespace boxoffice::tokens::detail {

std::optional<nlohmann::json> parse_object(std::string_view text) {
  std::unordered_set<std::string> seen;
  bool duplicate = false;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1 && parsed.is_string()) {
      if (!seen.insert(parsed.get_ref<const std::string&>()).second) duplicate = true;
    }
    return true;
  };
  nlohmann::json value = nlohmann::json::parse(text, callback, /*allow_exceptions=*/false);
  if (duplicate || value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

}  // namespace boxoffice::tokens::detail
