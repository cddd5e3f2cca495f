// Static files served from memory: a directory is read once at start; only what was loaded can
// be served, so no request path can reach outside it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/server/server.h"
#include "shared/result.h"

namespace boxoffice::gateway::server {

struct StaticFile {
  std::string body;
  std::string content_type;
  std::string etag;           // strong: a quoted SHA-256 prefix of the body
  std::string cache_control;  // "no-cache" for HTML (revalidated by ETag), a day otherwise
};

class StaticFiles {
 public:
  // Reads every regular file under `dir` (recursively; names starting with '.' are skipped).
  // Fails on an unreadable directory or file, or past max_total_bytes.
  static Result<StaticFiles, std::string> load(const std::string& dir,
                                               size_t max_total_bytes = size_t{64} << 20);

  // The file for a decoded request path ("/app.js"), or nullptr.
  const StaticFile* find(std::string_view path) const;

  // Answers GET/HEAD of `path` with the file (200) or 304 when If-None-Match names its ETag.
  // False when no such file was loaded: the caller answers 404 its own way.
  bool serve(const Request& request, ResponseWriter& writer, std::string_view path) const;

  size_t size() const { return files_.size(); }

 private:
  std::unordered_map<std::string, StaticFile> files_;  // key: "/dir/name.ext"
};

// The content type for a file name, by extension; application/octet-stream if unknown.
std::string_view content_type_for(std::string_view name);

// True when an If-None-Match value matches `etag` ("*", a list, weak W/ forms compare equal).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace boxoffice::gateway::server
