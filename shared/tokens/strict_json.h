// JSON objects parsed the strict way that token headers and payloads need: no exceptions, the
// top level must be an object, and a top-level member given twice is an error (two parsers that
// pick different duplicates would see different tokens).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace boxoffice::tokens::detail {

std::optional<nlohmann::json> parse_object(std::string_view text);

}  // namespace boxoffice::tokens::detail
