#include "shared/http/request_target.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "shared/http/percent.h"

namespace boxoffice::http {
namespace {

TEST(PercentDecode, DecodesEscapesOfEitherCase) {
  EXPECT_EQ(percent_decode("a%20b%2fc%2F", false), "a b/c/");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_EQ(percent_decode("", false), "");
  EXPECT_EQ(percent_decode("plain-run%41", false), "plain-runA");
  EXPECT_EQ(percent_decode("%41%42+c", true), "AB c");
}

TEST(PercentDecode, RejectsBadEscapesAndNul) {
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_FALSE(percent_decode("%4", false));
  EXPECT_FALSE(percent_decode("abc%g0", false));
  EXPECT_FALSE(percent_decode("%00", false));
  EXPECT_FALSE(percent_decode(std::string_view("a\0b", 3), false));
}

TEST(RequestTarget, SplitsPathSegmentsAndQuery) {
  auto t = parse_request_target("/queue/e%2D1/status?user_id=u+1&x=%26&flag&&x=2");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/queue/e-1/status");
  ASSERT_EQ(t->segments.size(), 3U);
  EXPECT_EQ(t->segments[0], "queue");
  EXPECT_EQ(t->segments[1], "e-1");
  EXPECT_EQ(t->segments[2], "status");
  ASSERT_EQ(t->params.size(), 4U);
  EXPECT_EQ(t->query("user_id"), "u 1");
  EXPECT_EQ(t->query("x"), "&");  // the first of repeated keys
  EXPECT_EQ(t->query("flag"), "");
  EXPECT_FALSE(t->query("missing"));
}

TEST(RequestTarget, RootAndTrailingSlash) {
  auto root = parse_request_target("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->path, "/");
  EXPECT_TRUE(root->segments.empty());
  auto trailing = parse_request_target("/a/b/");
  ASSERT_TRUE(trailing);
  EXPECT_EQ(trailing->path, "/a/b/");
  EXPECT_EQ(trailing->segments, (std::vector<std::string>{"a", "b"}));
  auto query_only = parse_request_target("/?a=1");
  ASSERT_TRUE(query_only);
  EXPECT_TRUE(query_only->segments.empty());
  EXPECT_EQ(query_only->query("a"), "1");
}

TEST(RequestTarget, ParsingIntoAUsedTargetLeavesNothingOfTheLastOne) {
  RequestTarget t;
  ASSERT_TRUE(parse_request_target_into("/a-long-first-segment/b/c/d?x=1&y=2&z=3", t));
  ASSERT_TRUE(parse_request_target_into("/e/f?w=%41", t));
  EXPECT_EQ(t.path, "/e/f");
  EXPECT_EQ(t.segments, (std::vector<std::string>{"e", "f"}));
  ASSERT_EQ(t.params.size(), 1U);
  EXPECT_EQ(t.query("w"), "A");
  EXPECT_FALSE(t.query("x"));
  ASSERT_TRUE(parse_request_target_into("/", t));
  EXPECT_EQ(t.path, "/");
  EXPECT_TRUE(t.segments.empty());
  EXPECT_TRUE(t.params.empty());
  auto bad = parse_request_target_into("/a/%zz", t);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), Errc::kBadEscape);
}

// Escaping a byte that needs no escaping changes nothing: the unescaped path (copied as it is)
// and the escaped one (decoded) parse to the same path and segments, or fail alike.
TEST(RequestTarget, EscapingAPlainPathByteChangesNothing) {
  std::mt19937 rng(20261129);
  constexpr std::string_view kAlphabet = "/./ab+-~:@!$&'()*,;=_0Z";
  constexpr std::string_view kHex = "0123456789ABCDEF";
  RequestTarget reused;
  for (int i = 0; i < 20000; ++i) {
    std::string path = "/";
    const size_t length = rng() % 12;
    for (size_t j = 0; j < length; ++j) path += kAlphabet[rng() % kAlphabet.size()];
    const size_t at = 1 + rng() % path.size();
    if (at >= path.size() || path[at] == '/') continue;
    const auto byte = static_cast<unsigned char>(path[at]);
    std::string escaped =
        path.substr(0, at) + '%' + kHex[byte >> 4] + kHex[byte & 0xf] + path.substr(at + 1);
    auto plain = parse_request_target(path);
    auto decoded = parse_request_target(escaped);
    ASSERT_EQ(plain.has_value(), decoded.has_value()) << path << " vs " << escaped;
    auto into = parse_request_target_into(path, reused);
    ASSERT_EQ(into.has_value(), plain.has_value()) << path;
    if (!plain) {
      EXPECT_EQ(plain.error(), decoded.error()) << path << " vs " << escaped;
      continue;
    }
    EXPECT_EQ(plain->path, decoded->path) << escaped;
    EXPECT_EQ(plain->segments, decoded->segments) << escaped;
    EXPECT_EQ(reused.path, plain->path) << path;
    EXPECT_EQ(reused.segments, plain->segments) << path;
  }
}

TEST(RequestTarget, KeepsDecodedQueryBytes) {
  auto t = parse_request_target("/a?q=%0Aline&e=a%3Db");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->query("q"), "\nline");
  EXPECT_EQ(t->query("e"), "a=b");
}

void expect_error(std::string_view target, Errc want) {
  auto t = parse_request_target(target);
  ASSERT_FALSE(t) << target;
  EXPECT_EQ(t.error(), want) << target << " gave " << errc_code(t.error());
}

TEST(RequestTarget, Rejects) {
  expect_error("", Errc::kNotOriginForm);
  expect_error("*", Errc::kNotOriginForm);
  expect_error("http://x/a", Errc::kNotOriginForm);
  expect_error("/" + std::string(kMaxRequestTargetBytes, 'a'), Errc::kTooLong);
  expect_error("/a b", Errc::kBadByte);
  expect_error("/a\tb", Errc::kBadByte);
  expect_error("/a\x7f", Errc::kBadByte);
  expect_error("/caf\xc3\xa9", Errc::kBadByte);
  expect_error("/a#frag", Errc::kBadByte);
  expect_error("/a%0Ab", Errc::kBadByte);
  expect_error("/a%zz", Errc::kBadEscape);
  expect_error("/a%2", Errc::kBadEscape);
  expect_error("/a%00", Errc::kBadEscape);
  expect_error("/a?x=%", Errc::kBadEscape);
  expect_error("/a?%00=1", Errc::kBadEscape);
  expect_error("/a/../b", Errc::kDotSegment);
  expect_error("/a/./b", Errc::kDotSegment);
  expect_error("/..", Errc::kDotSegment);
  expect_error("/a/%2e%2E/b", Errc::kDotSegment);
  expect_error("/a//b", Errc::kEmptySegment);
  expect_error("//", Errc::kEmptySegment);
  expect_error("/a%2Fb", Errc::kEncodedSlash);
}

TEST(RequestTarget, LimitIsInclusive) {
  EXPECT_TRUE(parse_request_target("/" + std::string(kMaxRequestTargetBytes - 1, 'a')));
}

TEST(RequestTarget, ErrorCodesAreStable) {
  EXPECT_EQ(errc_code(Errc::kNotOriginForm), "not_origin_form");
  EXPECT_EQ(errc_code(Errc::kTooLong), "too_long");
  EXPECT_EQ(errc_code(Errc::kBadByte), "bad_byte");
  EXPECT_EQ(errc_code(Errc::kBadEscape), "bad_escape");
  EXPECT_EQ(errc_code(Errc::kDotSegment), "dot_segment");
  EXPECT_EQ(errc_code(Errc::kEmptySegment), "empty_segment");
  EXPECT_EQ(errc_code(Errc::kEncodedSlash), "encoded_slash");
}

}  // namespace
}  // namespace boxoffice::http
