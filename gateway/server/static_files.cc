#include "gateway/server/static_files.h"

#include <openssl/evp.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>
#include <vector>

namespace boxoffice::gateway::server {
namespace {

namespace fs = std::filesystem;

std::string strong_etag(std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), digest.data(), &len, EVP_sha256(), nullptr);
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string etag = "\"";
  for (unsigned int i = 0; i < 16 && i < len; ++i) {
    etag.push_back(kHex[digest[i] >> 4]);
    etag.push_back(kHex[digest[i] & 0xf]);
  }
  etag.push_back('"');
  return etag;
}

bool hidden(const fs::path& relative) {
  for (const fs::path& part : relative) {
    if (!part.empty() && part.native()[0] == '.') return true;
  }
  return false;
}

}  // namespace

std::string_view content_type_for(std::string_view name) {
  struct Type {
    std::string_view ext;
    std::string_view type;
  };
  static constexpr std::array<Type, 16> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
  }};
  for (const Type& t : kTypes) {
    if (name.ends_with(t.ext)) return t.type;
  }
  return "application/octet-stream";
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  auto strip_weak = [](std::string_view t) { return t.starts_with("W/") ? t.substr(2) : t; };
  const std::string_view want = strip_weak(etag);
  while (!if_none_match.empty()) {
    const size_t comma = if_none_match.find(',');
    std::string_view item = if_none_match.substr(0, comma);
    if_none_match =
        comma == std::string_view::npos ? std::string_view() : if_none_match.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*" || strip_weak(item) == want) return true;
  }
  return false;
}

Result<StaticFiles, std::string> StaticFiles::load(const std::string& dir, size_t max_total_bytes) {
  std::error_code ec;
  const fs::path root(dir);
  if (!fs::is_directory(root, ec)) return unexpected(dir + ": not a directory");
  StaticFiles out;
  size_t total = 0;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const fs::path relative = it->path().lexically_relative(root);
    if (hidden(relative)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) return unexpected(it->path().string() + ": cannot read");
    StaticFile file;
    file.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    total += file.body.size();
    if (total > max_total_bytes) return unexpected(dir + ": more than the static files limit");
    const std::string name = "/" + relative.generic_string();
    file.content_type = content_type_for(name);
    file.etag = strong_etag(file.body);
    file.cache_control =
        file.content_type.starts_with("text/html") ? "no-cache" : "public, max-age=86400";
    out.files_.emplace(name, std::move(file));
  }
  if (ec) return unexpected(dir + ": " + ec.message());
  return out;
}

const StaticFile* StaticFiles::find(std::string_view path) const {
  // Heterogeneous lookup needs a transparent hash; the key copy is small and off the hot path.
  auto it = files_.find(std::string(path));
  return it == files_.end() ? nullptr : &it->second;
}

bool StaticFiles::serve(const Request& request, ResponseWriter& writer,
                        std::string_view path) const {
  const StaticFile* file = find(path);
  if (file == nullptr) return false;
  std::vector<Header> headers;
  headers.reserve(3);
  headers.push_back(Header{"etag", file->etag});
  headers.push_back(Header{"cache-control", file->cache_control});
  const std::string_view inm = request.header("if-none-match");
  if (!inm.empty() && etag_matches(inm, file->etag)) {
    writer.respond(304, std::move(headers), std::string());
    return true;
  }
  headers.push_back(Header{"content-type", file->content_type});
  writer.respond(200, std::move(headers), file->body);
  return true;
}

}  // namespace boxoffice::gateway::server
