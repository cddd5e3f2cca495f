// The Redis Lua scripts of lua-rules/, compiled into the binary at build time, and a runner
// that loads them (SCRIPT LOAD) and calls them by name (EVALSHA).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "shared/redis/sync_client.h"
#include "shared/result.h"

namespace boxoffice::lua {

// The text of a script by its path under lua-rules/ ("booking/apply.lua"); empty if unknown.
std::string_view script(std::string_view name);
// Every script's name, sorted.
std::vector<std::string_view> script_names();

// Calls scripts through a blocking client it does not own. Scripts are loaded with SCRIPT LOAD
// (load_all() up front, or each on its first call) and run with EVALSHA. A server that lost its
// script cache (a restart, SCRIPT FLUSH) answers NOSCRIPT: call() then loads the script again
// and retries once. Errors are I/O failures and unknown script names; what a script answers,
// error replies included, comes back as the Reply.
class ScriptRunner {
 public:
  explicit ScriptRunner(redis::SyncClient& client) : client_(&client) {}

  Result<std::monostate, std::string> load_all();
  // Loads one script (again), keeping its sha1.
  Result<std::monostate, std::string> load(std::string_view name);

  Result<redis::Reply, std::string> call(std::string_view name,
                                         std::span<const std::string_view> keys,
                                         std::span<const std::string_view> args);

  // Pipelined calls: append_call() buffers an EVALSHA of a script this runner has loaded
  // (an error otherwise: loading would read a pipelined answer); the client's get_reply()
  // returns the answers in order. A NOSCRIPT answer is the caller's to handle: read the
  // remaining answers, load(name), then send that call and the ones after it again.
  Result<std::monostate, std::string> append_call(std::string_view name,
                                                  std::span<const std::string_view> keys,
                                                  std::span<const std::string_view> args);

  // The sha1 SCRIPT LOAD gave for the script; empty until it was loaded.
  std::string_view sha1(std::string_view name) const;

  static bool is_noscript(const redis::ReplyView& reply) {
    return reply.is_error() && reply.str().starts_with("NOSCRIPT");
  }

 private:
  Result<std::string_view, std::string> loaded_sha1(std::string_view name);
  std::vector<std::string_view> evalsha_argv(std::string_view sha1,
                                             std::span<const std::string_view> keys,
                                             std::span<const std::string_view> args,
                                             std::string& numkeys) const;

  redis::SyncClient* client_;
  std::map<std::string, std::string, std::less<>> sha1_;  // by script name
};

}  // namespace boxoffice::lua
