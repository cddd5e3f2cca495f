// A typed configuration from a TOML file: every key is a "section.key" name with one setter
// that knows its type and range. Unknown keys and values of the wrong type or range are errors
// naming the key, so a typo never silently falls back to a default. Both services build their
// config structs with it.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace boxoffice::config {

// Writes one value into the config; answers "" or what is wrong with the value.
template <class Config>
using Setter = std::function<std::string(const toml::node&, Config&)>;

template <class Config>
using Setters = std::map<std::string, Setter<Config>, std::less<>>;

template <class Config>
Setter<Config> text(std::string Config::*field, bool allow_empty = true) {
  return [=](const toml::node& n, Config& c) -> std::string {
    const auto v = n.value<std::string>();
    if (!n.is_string() || !v) return "must be a string";
    if (!allow_empty && v->empty()) return "must not be empty";
    c.*field = *v;
    return "";
  };
}

template <class Config, class T>
Setter<Config> integer(T Config::*field, int64_t min, int64_t max) {
  return [=](const toml::node& n, Config& c) -> std::string {
    if (!n.is_integer()) return "must be an integer";
    const int64_t v = *n.value<int64_t>();
    if (v < min || v > max) {
      return "must be between " + std::to_string(min) + " and " + std::to_string(max);
    }
    c.*field = static_cast<T>(v);
    return "";
  };
}

template <class Config>
Setter<Config> number(double Config::*field, double min, double max) {
  return [=](const toml::node& n, Config& c) -> std::string {
    if (!n.is_number()) return "must be a number";
    const double v = *n.value<double>();
    if (v < min || v > max) {
      return "must be between " + std::to_string(min) + " and " + std::to_string(max);
    }
    c.*field = v;
    return "";
  };
}

template <class Config>
Setter<Config> boolean(bool Config::*field) {
  return [=](const toml::node& n, Config& c) -> std::string {
    if (!n.is_boolean()) return "must be true or false";
    c.*field = *n.value<bool>();
    return "";
  };
}

// Applies a TOML document over base. Every top-level entry must be a table of known keys.
template <class Config>
Result<Config, std::string> parse(std::string_view toml_text, Config base,
                                  const Setters<Config>& setters) {
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
      auto it = setters.find(full);
      if (it == setters.end()) return unexpected(full + ": unknown key");
      if (std::string err = it->second(value, base); !err.empty()) {
        full += ": ";
        full += err;
        return unexpected(full);
      }
    }
  }
  return base;
}

template <class Config>
Result<Config, std::string> load_file(const std::string& path, Config base,
                                      const Setters<Config>& setters) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return unexpected(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse(text.str(), std::move(base), setters);
  if (!parsed) return unexpected(path + ": " + parsed.error());
  return parsed;
}

}  // namespace boxoffice::config
