#include "booking/app/config.h"

#include <toml++/toml.h>

#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

namespace boxoffice::booking {
namespace {

// One setter per key: each knows its type and range and writes into the config.
using Setter = std::function<std::string(const toml::node&, BackendConfig&)>;

Setter text(std::string BackendConfig::*field, bool allow_empty = true) {
  return [=](const toml::node& n, BackendConfig& c) -> std::string {
    const auto v = n.value<std::string>();
    if (!n.is_string() || !v) return "must be a string";
    if (!allow_empty && v->empty()) return "must not be empty";
    c.*field = *v;
    return "";
  };
}

Setter topic(std::string Topics::*field) {
  return [=](const toml::node& n, BackendConfig& c) -> std::string {
    if (!n.is_string() || n.value<std::string>()->empty()) return "must be a non-empty string";
    c.topics.*field = *n.value<std::string>();
    return "";
  };
}

template <class T>
Setter integer(T BackendConfig::*field, int64_t min, int64_t max) {
  return [=](const toml::node& n, BackendConfig& c) -> std::string {
    if (!n.is_integer()) return "must be an integer";
    const int64_t v = *n.value<int64_t>();
    if (v < min || v > max) {
      return "must be between " + std::to_string(min) + " and " + std::to_string(max);
    }
    c.*field = static_cast<T>(v);
    return "";
  };
}

const std::map<std::string, Setter>& setters() {
  constexpr int64_t kDay = 86'400'000;
  static const std::map<std::string, Setter> all = {
      {"catalog.path", text(&BackendConfig::catalog, false)},
      {"kafka.bootstrap", text(&BackendConfig::kafka_bootstrap)},
      {"kafka.partitions", integer(&BackendConfig::kafka_partitions, 1, 1024)},
      {"kafka.commands_topic", topic(&Topics::commands)},
      {"kafka.events_topic", topic(&Topics::events)},
      {"kafka.delay_topic", topic(&Topics::delay)},
      {"redis.host", text(&BackendConfig::redis_host, false)},
      {"redis.port", integer(&BackendConfig::redis_port, 0, 65535)},
      {"redis.dir", text(&BackendConfig::redis_dir)},
      {"api.host", text(&BackendConfig::api_host, false)},
      {"api.port", integer(&BackendConfig::api_port, 0, 65535)},
      {"api.threads", integer(&BackendConfig::api_threads, 1, 256)},
      {"api.decision_deadline_ms", integer(&BackendConfig::decision_deadline_ms, 1, kDay)},
      {"api.seat_map_cache_ms", integer(&BackendConfig::seat_map_cache_ms, 0, kDay)},
      {"api.max_body_bytes", integer(&BackendConfig::max_body_bytes, 1024, 64 << 20)},
      {"worker.snapshot_every_commands",
       integer(&BackendConfig::snapshot_every_commands, 1, std::numeric_limits<int32_t>::max())},
      {"worker.snapshot_every_ms", integer(&BackendConfig::snapshot_every_ms, 10, kDay)},
      {"worker.session_timeout_ms", integer(&BackendConfig::session_timeout_ms, 3'000, 300'000)},
      {"payments.provider", text(&BackendConfig::provider, false)},
      {"payments.provider_url", text(&BackendConfig::provider_url)},
      {"payments.paysim_port", integer(&BackendConfig::paysim_port, 0, 65535)},
      {"payments.webhook_secret", text(&BackendConfig::webhook_secret, false)},
      {"payments.checkout_secret", text(&BackendConfig::checkout_secret, false)},
  };
  return all;
}

}  // namespace

Result<BackendConfig, std::string> parse_config(std::string_view toml_text, BackendConfig base) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "line " << e.source().begin.line << ": " << e.description();
    return unexpected(msg.str());
  }
  for (const auto& [section, body] : doc) {
    const std::string name(section.str());
    const toml::table* table = body.as_table();
    if (table == nullptr) {
      std::string msg = name;
      msg.append(": expected a [").append(name).append("] table");
      return unexpected(msg);
    }
    for (const auto& [key, value] : *table) {
      std::string full = name;
      full += '.';
      full += key.str();
      auto it = setters().find(full);
      if (it == setters().end()) return unexpected(full + ": unknown key");
      if (std::string err = it->second(value, base); !err.empty()) {
        full += ": ";
        full += err;
        return unexpected(full);
      }
    }
  }
  return base;
}

Result<BackendConfig, std::string> load_config_file(const std::string& path, BackendConfig base) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return unexpected(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse_config(text.str(), std::move(base));
  if (!parsed) return unexpected(path + ": " + parsed.error());
  return parsed;
}

}  // namespace boxoffice::booking
