#include "shared/http/content_coding.h"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <new>
#include <optional>
#include <stdexcept>

#include "shared/http/ows.h"

namespace boxoffice::http {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // the largest window, with a gzip header and trailer
constexpr int kMemLevel = 8;              // zlib's default
constexpr size_t kInflateChunk = size_t{64} * 1024;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ): whether it is above zero, or
// nullopt when it is not a qvalue.
std::optional<bool> positive_qvalue(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return std::nullopt;
  bool positive = q[0] == '1';
  if (q.size() == 1) return positive;
  if (q[1] != '.' || q.size() > 5) return std::nullopt;
  for (char c : q.substr(2)) {
    if (c < '0' || c > '9' || (q[0] == '1' && c != '0')) return std::nullopt;
    positive = positive || c != '0';
  }
  return positive;
}

// Whether the weight in one list element's parameters (what follows its coding, from the
// first ';') is above zero; nullopt when they are malformed. No parameters is weight 1.
std::optional<bool> positive_weight(std::string_view params) {
  bool positive = true;
  while (!params.empty()) {
    const size_t semi = params.find(';', 1);
    const std::string_view param =
        trim_ows(params.substr(1, semi == std::string_view::npos ? semi : semi - 1));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi);
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') {
      return std::nullopt;  // codings take no parameter but the weight
    }
    auto q = positive_qvalue(param.substr(2));
    if (!q) return std::nullopt;
    positive = *q;
  }
  return positive;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  std::optional<bool> gzip_listed;
  std::optional<bool> any_listed;
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    const std::string_view element = trim_ows(accept_encoding.substr(0, comma));
    accept_encoding =
        comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    const size_t semi = element.find(';');
    const std::string_view coding = trim_ows(element.substr(0, semi));
    if (coding.empty()) continue;  // "a, , b": empty list elements are allowed
    const std::optional<bool> weight =
        positive_weight(semi == std::string_view::npos ? std::string_view{} : element.substr(semi));
    const bool yes = weight.value_or(false);
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      gzip_listed = gzip_listed.value_or(true) && yes;  // any refusal of gzip wins
    } else if (coding == "*") {
      any_listed = any_listed.value_or(true) && yes;
    }
  }
  if (gzip_listed) return *gzip_listed;
  return any_listed.value_or(false);
}

std::string gzip(std::string_view data) {
  if (data.size() > std::numeric_limits<uInt>::max()) throw std::length_error("gzip: over 4 GiB");
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::bad_alloc();  // the only way deflateInit2 fails with these constants
  }
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  // deflateBound leaves room for the whole output: one call finishes the stream.
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::bad_alloc();
  return out;
}

Result<std::string, std::string> gunzip(std::string_view data, size_t max_bytes) {
  if (data.size() > std::numeric_limits<uInt>::max()) return unexpected(std::string("too large"));
  z_stream z{};
  if (inflateInit2(&z, kGzipWindowBits) != Z_OK) return unexpected(std::string("out of memory"));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  // One byte past the limit tells "exactly max_bytes" from "more".
  const size_t room = max_bytes < std::numeric_limits<size_t>::max() ? max_bytes + 1 : max_bytes;
  std::string out;
  int rc = Z_OK;
  while (rc == Z_OK && out.size() < room) {
    const size_t have = out.size();
    out.resize(std::min(have + kInflateChunk, room));
    z.next_out = reinterpret_cast<Bytef*>(out.data() + have);
    z.avail_out = static_cast<uInt>(out.size() - have);
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(out.size() - z.avail_out);
  }
  const bool trailing = z.avail_in != 0;
  inflateEnd(&z);
  if (out.size() > max_bytes) {
    return unexpected("inflates to more than " + std::to_string(max_bytes) + " bytes");
  }
  if (rc != Z_STREAM_END) {
    // Z_BUF_ERROR: no progress was possible, the input having run out mid-stream.
    return unexpected(std::string(rc == Z_BUF_ERROR ? "truncated" : "corrupt"));
  }
  if (trailing) return unexpected(std::string("bytes after the gzip member"));
  return out;
}

}  // namespace boxoffice::http
