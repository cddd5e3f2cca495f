#include "gateway/core/room_config.h"

#include <utility>

namespace boxoffice::gateway {
namespace {

Unexpected<Error> bad(std::string_view field, std::string_view what) {
  return unexpected(Error{Errc::kBadArgument, std::string(field) + ": " + std::string(what)});
}

// A canonical decimal (no sign, no leading zero) of at most 15 digits: the form the scripts
// accept, so C++ and Lua agree on every value.
std::optional<int64_t> parse_count(std::string_view s) {
  if (s.empty() || s.size() > 15 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  int64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool in_range(int64_t v, int64_t min) { return v >= min && v <= kMaxConfigNumber; }

// A JSON integer in [min, kMaxConfigNumber].
Result<int64_t, Error> json_count(const nlohmann::json& v, std::string_view field, int64_t min) {
  if (!v.is_number_integer()) return bad(field, "must be an integer");
  if (v.is_number_unsigned()) {
    const auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(kMaxConfigNumber)) return bad(field, "is too large");
    if (static_cast<int64_t>(u) < min) return bad(field, "must be at least " + std::to_string(min));
    return static_cast<int64_t>(u);
  }
  const auto i = v.get<int64_t>();
  if (i < min) return bad(field, "must be at least " + std::to_string(min));
  if (i > kMaxConfigNumber) return bad(field, "is too large");
  return i;
}

Result<std::vector<Wave>, Error> json_waves(const nlohmann::json& v) {
  if (v.is_string()) return parse_waves(v.get_ref<const std::string&>());
  if (!v.is_array()) return bad("waves", "must be a string or an array of waves");
  std::vector<Wave> waves;
  for (const nlohmann::json& w : v) {
    if (!w.is_object() || !w.contains("opens_at_ms") || !w.contains("capacity")) {
      return bad("waves", R"(each wave is {"opens_at_ms": n, "capacity": n or "*"})");
    }
    Wave wave;
    auto at = json_count(w["opens_at_ms"], "waves.opens_at_ms", 0);
    if (!at) return unexpected(at.error());
    wave.opens_at_ms = *at;
    if (w["capacity"].is_string() && w["capacity"].get_ref<const std::string&>() == "*") {
      wave.unbounded = true;
    } else {
      auto cap = json_count(w["capacity"], "waves.capacity", 1);
      if (!cap) return unexpected(cap.error());
      wave.capacity = static_cast<uint64_t>(*cap);
    }
    waves.push_back(wave);
  }
  const std::string encoded = encode_waves(waves);
  return parse_waves(encoded);  // one place checks order, count and the unbounded rule
}

Result<std::monostate, Error> validate_waves(const std::vector<Wave>& waves) {
  if (waves.size() > kMaxWaves) return bad("waves", "at most 64 waves");
  for (size_t i = 0; i < waves.size(); ++i) {
    const Wave& w = waves[i];
    if (!in_range(w.opens_at_ms, 0)) return bad("waves", "opens_at_ms out of range");
    if (w.unbounded && i + 1 != waves.size()) {
      return bad("waves", "only the last wave may be unbounded (*)");
    }
    if (!w.unbounded && (w.capacity < 1 || w.capacity > uint64_t{kMaxConfigNumber})) {
      return bad("waves", "capacity must be a positive integer or *");
    }
    if (i > 0 && w.opens_at_ms < waves[i - 1].opens_at_ms) {
      return bad("waves", "opening times must not decrease");
    }
  }
  if (encode_waves(waves).size() > 2048) return bad("waves", "too long");
  return std::monostate{};
}

}  // namespace

std::string_view to_string(RoomMode mode) {
  switch (mode) {
    case RoomMode::kLottery:
      return "lottery";
    case RoomMode::kFifo:
      return "fifo";
    case RoomMode::kPassthrough:
      return "passthrough";
    case RoomMode::kClosed:
      return "closed";
  }
  return "closed";
}

std::optional<RoomMode> parse_room_mode(std::string_view text) {
  for (const RoomMode m :
       {RoomMode::kLottery, RoomMode::kFifo, RoomMode::kPassthrough, RoomMode::kClosed}) {
    if (to_string(m) == text) return m;
  }
  return std::nullopt;
}

std::string encode_waves(const std::vector<Wave>& waves) {
  std::string out;
  for (const Wave& w : waves) {
    if (!out.empty()) out += ',';
    out += std::to_string(w.opens_at_ms);
    out += ':';
    out += w.unbounded ? std::string("*") : std::to_string(w.capacity);
  }
  return out;
}

Result<std::vector<Wave>, Error> parse_waves(std::string_view text) {
  std::vector<Wave> waves;
  if (text.empty()) return waves;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    const size_t colon = part.find(':');
    if (colon == std::string_view::npos) {
      return bad("waves", "\"" + std::string(part) + "\" is not opens_at_ms:capacity");
    }
    Wave w;
    const auto at = parse_count(part.substr(0, colon));
    if (!at) return bad("waves", "\"" + std::string(part) + "\" is not opens_at_ms:capacity");
    w.opens_at_ms = *at;
    const std::string_view cap = part.substr(colon + 1);
    if (cap == "*") {
      w.unbounded = true;
    } else {
      const auto c = parse_count(cap);
      if (!c) return bad("waves", "capacity must be a positive integer or *");
      w.capacity = static_cast<uint64_t>(*c);
    }
    waves.push_back(w);
    if (waves.size() > kMaxWaves) return bad("waves", "at most 64 waves");
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  auto valid = validate_waves(waves);
  if (!valid) return unexpected(valid.error());
  return waves;
}

Result<std::monostate, Error> validate(const RoomConfig& c) {
  if (!in_range(c.queue_opens_at_ms, 0)) return bad("queue_opens_at_ms", "out of range");
  if (!in_range(c.on_sale_at_ms, 0)) return bad("on_sale_at_ms", "out of range");
  if (c.queue_opens_at_ms > c.on_sale_at_ms) {
    return bad("queue_opens_at_ms", "must not be after on_sale_at_ms");
  }
  if (c.batch_size < 1 || c.batch_size > uint64_t{kMaxConfigNumber}) {
    return bad("batch_size", "must be at least 1");
  }
  if (!in_range(c.batch_interval_ms, 1)) return bad("batch_interval_ms", "must be at least 1");
  if (c.active_cap > uint64_t{kMaxConfigNumber}) return bad("active_cap", "is too large");
  if (!in_range(c.session_ms, 1)) return bad("session_ms", "must be at least 1");
  if (c.pow_difficulty < 0 || c.pow_difficulty > kMaxPowDifficultyBits) {
    return bad("pow_difficulty", "must be 0 to 40 bits");
  }
  if (c.lag_target > uint64_t{kMaxConfigNumber}) return bad("lag_target", "is too large");
  return validate_waves(c.waves);
}

Result<RoomConfigUpdate, Error> parse_room_update(std::string_view json_text) {
  const nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return unexpected(Error{Errc::kBadJson, "the body must be a JSON object"});
  }
  RoomConfigUpdate u;
  for (const auto& item : doc.items()) {
    const std::string& field = item.key();
    const nlohmann::json& v = item.value();
    auto count = [&v, &field](int64_t min) { return json_count(v, field, min); };
    if (field == "queue_opens_at_ms" || field == "on_sale_at_ms" || field == "batch_interval_ms" ||
        field == "session_ms") {
      auto n = count(field == "batch_interval_ms" || field == "session_ms" ? 1 : 0);
      if (!n) return unexpected(n.error());
      if (field == "queue_opens_at_ms") u.queue_opens_at_ms = *n;
      if (field == "on_sale_at_ms") u.on_sale_at_ms = *n;
      if (field == "batch_interval_ms") u.batch_interval_ms = *n;
      if (field == "session_ms") u.session_ms = *n;
    } else if (field == "batch_size" || field == "active_cap" || field == "lag_target") {
      auto n = count(field == "batch_size" ? 1 : 0);
      if (!n) return unexpected(n.error());
      const auto value = static_cast<uint64_t>(*n);
      if (field == "batch_size") u.batch_size = value;
      if (field == "active_cap") u.active_cap = value;
      if (field == "lag_target") u.lag_target = value;
    } else if (field == "pow_difficulty") {
      auto n = count(0);
      if (!n) return unexpected(n.error());
      if (*n > kMaxPowDifficultyBits) return bad(field, "must be 0 to 40 bits");
      u.pow_difficulty = static_cast<int>(*n);
    } else if (field == "paused") {
      if (v.is_boolean()) {
        u.paused = v.get<bool>();
      } else if (v.is_number_integer() && (v == 0 || v == 1)) {
        u.paused = v == 1;
      } else {
        return bad(field, "must be true or false");
      }
    } else if (field == "mode") {
      const auto mode =
          v.is_string() ? parse_room_mode(v.get_ref<const std::string&>()) : std::nullopt;
      if (!mode) return bad(field, "must be lottery, fifo, passthrough or closed");
      u.mode = mode;
    } else if (field == "waves") {
      auto waves = json_waves(v);
      if (!waves) return unexpected(waves.error());
      u.waves = std::move(*waves);
    } else if (field == "version") {
      return bad(field, "is not settable: every change bumps it");
    } else {
      return unexpected(Error{Errc::kUnknownField, field + ": unknown field"});
    }
  }
  return u;
}

Result<RoomConfig, Error> apply_update(RoomConfig c, const RoomConfigUpdate& u) {
  if (u.queue_opens_at_ms) c.queue_opens_at_ms = *u.queue_opens_at_ms;
  if (u.on_sale_at_ms) c.on_sale_at_ms = *u.on_sale_at_ms;
  if (u.batch_size) c.batch_size = *u.batch_size;
  if (u.batch_interval_ms) c.batch_interval_ms = *u.batch_interval_ms;
  if (u.active_cap) c.active_cap = *u.active_cap;
  if (u.session_ms) c.session_ms = *u.session_ms;
  if (u.paused) c.paused = *u.paused;
  if (u.mode) c.mode = *u.mode;
  if (u.waves) c.waves = *u.waves;
  if (u.pow_difficulty) c.pow_difficulty = *u.pow_difficulty;
  if (u.lag_target) c.lag_target = *u.lag_target;
  auto valid = validate(c);
  if (!valid) return unexpected(valid.error());
  return c;
}

std::vector<std::string> configure_args(const RoomConfigUpdate& u) {
  std::vector<std::string> args;
  auto add = [&args](std::string_view field, std::string value) {
    args.emplace_back(field);
    args.push_back(std::move(value));
  };
  if (u.queue_opens_at_ms) add("queue_opens_at_ms", std::to_string(*u.queue_opens_at_ms));
  if (u.on_sale_at_ms) add("on_sale_at_ms", std::to_string(*u.on_sale_at_ms));
  if (u.batch_size) add("batch_size", std::to_string(*u.batch_size));
  if (u.batch_interval_ms) add("batch_interval_ms", std::to_string(*u.batch_interval_ms));
  if (u.active_cap) add("active_cap", std::to_string(*u.active_cap));
  if (u.session_ms) add("session_ms", std::to_string(*u.session_ms));
  if (u.paused) add("paused", *u.paused ? "1" : "0");
  if (u.mode) add("mode", std::string(to_string(*u.mode)));
  if (u.waves) add("waves", encode_waves(*u.waves));
  if (u.pow_difficulty) add("pow_difficulty", std::to_string(*u.pow_difficulty));
  if (u.lag_target) add("lag_target", std::to_string(*u.lag_target));
  return args;
}

nlohmann::json room_config_json(const RoomConfig& c) {
  nlohmann::json waves = nlohmann::json::array();
  for (const Wave& w : c.waves) {
    waves.push_back({{"opens_at_ms", w.opens_at_ms},
                     {"capacity", w.unbounded ? nlohmann::json("*") : nlohmann::json(w.capacity)}});
  }
  return {{"queue_opens_at_ms", c.queue_opens_at_ms},
          {"on_sale_at_ms", c.on_sale_at_ms},
          {"batch_size", c.batch_size},
          {"batch_interval_ms", c.batch_interval_ms},
          {"active_cap", c.active_cap},
          {"session_ms", c.session_ms},
          {"paused", c.paused},
          {"mode", to_string(c.mode)},
          {"waves", std::move(waves)},
          {"pow_difficulty", c.pow_difficulty},
          {"lag_target", c.lag_target},
          {"version", c.version}};
}

Result<RoomConfig, Error> parse_room_config(const FieldMap& f) {
  auto missing = [](std::string_view field) {
    return unexpected(Error{Errc::kBadReply, std::string(field) + ": missing or malformed"});
  };
  auto number = [&f](std::string_view field) -> std::optional<int64_t> {
    auto it = f.find(field);
    return it == f.end() ? std::nullopt : parse_count(it->second);
  };
  RoomConfig c;
  const std::pair<std::string_view, int64_t*> signed_fields[] = {
      {"queue_opens_at_ms", &c.queue_opens_at_ms},
      {"on_sale_at_ms", &c.on_sale_at_ms},
      {"batch_interval_ms", &c.batch_interval_ms},
      {"session_ms", &c.session_ms}};
  for (const auto& [field, out] : signed_fields) {
    const auto n = number(field);
    if (!n) return missing(field);
    *out = *n;
  }
  const std::pair<std::string_view, uint64_t*> unsigned_fields[] = {{"batch_size", &c.batch_size},
                                                                    {"active_cap", &c.active_cap},
                                                                    {"lag_target", &c.lag_target},
                                                                    {"version", &c.version}};
  for (const auto& [field, out] : unsigned_fields) {
    const auto n = number(field);
    if (!n) return missing(field);
    *out = static_cast<uint64_t>(*n);
  }
  const auto pow = number("pow_difficulty");
  if (!pow || *pow > kMaxPowDifficultyBits) return missing("pow_difficulty");
  c.pow_difficulty = static_cast<int>(*pow);
  const auto paused = number("paused");
  if (!paused || *paused > 1) return missing("paused");
  c.paused = *paused == 1;
  const auto mode_it = f.find("mode");
  const auto mode = mode_it == f.end() ? std::nullopt : parse_room_mode(mode_it->second);
  if (!mode) return missing("mode");
  c.mode = *mode;
  const auto waves_it = f.find("waves");
  if (waves_it == f.end()) return missing("waves");
  auto waves = parse_waves(waves_it->second);
  if (!waves) return unexpected(Error{Errc::kBadReply, waves.error().message});
  c.waves = std::move(*waves);
  return c;
}

}  // namespace boxoffice::gateway
