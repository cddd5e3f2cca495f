// A hash for unordered maps keyed by std::string that are looked up by std::string_view
// without making a string first: use it with std::equal_to<> (C++20 heterogeneous lookup).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace boxoffice {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace boxoffice
