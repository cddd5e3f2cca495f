#include "lua-rules/lua_rules.h"

#include <algorithm>

#include "lua-rules/embedded_scripts.h"

namespace boxoffice::lua {

std::string_view script(std::string_view name) {
  const auto scripts = detail::embedded_scripts();
  const auto it = std::ranges::lower_bound(scripts, name, {}, &detail::EmbeddedScript::name);
  return it != scripts.end() && it->name == name ? it->text : std::string_view();
}

std::vector<std::string_view> script_names() {
  std::vector<std::string_view> names;
  for (const auto& s : detail::embedded_scripts()) names.push_back(s.name);
  return names;
}

Result<std::monostate, std::string> ScriptRunner::load_all() {
  for (std::string_view name : script_names()) {
    auto loaded = load(name);
    if (!loaded) return loaded;
  }
  return std::monostate{};
}

Result<std::monostate, std::string> ScriptRunner::load(std::string_view name) {
  const std::string_view text = script(name);
  if (text.empty()) return unexpected("unknown script " + std::string(name));
  auto reply = client_->command({"SCRIPT", "LOAD", text});
  if (!reply) return unexpected(reply.error());
  if (!reply->is_string()) {
    return unexpected("SCRIPT LOAD " + std::string(name) + ": " + reply->describe());
  }
  sha1_.insert_or_assign(std::string(name), std::string(reply->str()));
  return std::monostate{};
}

std::string_view ScriptRunner::sha1(std::string_view name) const {
  const auto it = sha1_.find(name);
  return it == sha1_.end() ? std::string_view() : std::string_view(it->second);
}

Result<std::string_view, std::string> ScriptRunner::loaded_sha1(std::string_view name) {
  if (sha1(name).empty()) {
    auto loaded = load(name);
    if (!loaded) return unexpected(loaded.error());
  }
  return sha1(name);
}

std::vector<std::string_view> ScriptRunner::evalsha_argv(std::string_view sha1,
                                                         std::span<const std::string_view> keys,
                                                         std::span<const std::string_view> args,
                                                         std::string& numkeys) const {
  numkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.insert(argv.end(), {"EVALSHA", sha1, numkeys});
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Result<redis::Reply, std::string> ScriptRunner::call(std::string_view name,
                                                     std::span<const std::string_view> keys,
                                                     std::span<const std::string_view> args) {
  for (int attempt = 0;; ++attempt) {
    auto sha = loaded_sha1(name);
    if (!sha) return unexpected(sha.error());
    std::string numkeys;
    auto reply = client_->command(evalsha_argv(*sha, keys, args, numkeys));
    if (!reply || attempt > 0 || !is_noscript(*reply)) return reply;
    auto reloaded = load(name);
    if (!reloaded) return unexpected(reloaded.error());
  }
}

Result<std::monostate, std::string> ScriptRunner::append_call(
    std::string_view name, std::span<const std::string_view> keys,
    std::span<const std::string_view> args) {
  // Loading here would read a pipelined answer as its own: the script must be loaded already.
  const std::string_view sha = sha1(name);
  if (sha.empty()) {
    return unexpected("script " + std::string(name) +
                      " is not loaded: load() it before pipelining");
  }
  std::string numkeys;
  client_->append(evalsha_argv(sha, keys, args, numkeys));
  return std::monostate{};
}

}  // namespace boxoffice::lua
