#include "shared/tokens/base64url.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace boxoffice::tokens {
namespace {

using namespace std::string_literals;

TEST(Base64url, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");  // the two url-safe characters
}

TEST(Base64url, AppendsAfterWhatIsThere) {
  std::string token = "head.";
  base64url_append(token, "foob");
  EXPECT_EQ(token, "head.Zm9vYg");
  base64url_append(token, "");
  EXPECT_EQ(token, "head.Zm9vYg");
  base64url_append(token, "\xfb\xff");
  EXPECT_EQ(token, "head.Zm9vYg-_8");
}

TEST(Base64url, DecodesWhatItEncodes) {
  std::mt19937 rng(7);
  for (size_t len = 0; len < 70; ++len) {
    std::string bytes(len, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    auto back = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(back.has_value()) << len;
    EXPECT_EQ(*back, bytes);
  }
}

TEST(Base64url, RejectsPaddingInvalidCharactersAndImpossibleLengths) {
  EXPECT_FALSE(base64url_decode("Zg==").has_value());
  EXPECT_FALSE(base64url_decode("Zg=").has_value());
  EXPECT_FALSE(base64url_decode("Zm9v+A").has_value());  // standard alphabet, not url-safe
  EXPECT_FALSE(base64url_decode("Zm9v/A").has_value());
  EXPECT_FALSE(base64url_decode("Zm 9v").has_value());
  EXPECT_FALSE(base64url_decode(std::string("Zm\0v", 4)).has_value());
  EXPECT_FALSE(base64url_decode("Z").has_value());  // 6 bits cannot make a byte
  EXPECT_FALSE(base64url_decode("Zm9vY").has_value());
}

TEST(Base64url, RejectsNonCanonicalTrailingBits) {
  EXPECT_TRUE(base64url_decode("Zg").has_value());
  EXPECT_FALSE(base64url_decode("Zh").has_value());  // same byte, low bits set
  EXPECT_TRUE(base64url_decode("Zm8").has_value());
  EXPECT_FALSE(base64url_decode("Zm9").has_value());
}

// The decoder as the RFC states it, a bit at a time, to check the fast one against.
std::optional<std::string> decode_bitwise(std::string_view text) {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const size_t d = kAlphabet.find(c);
    if (d == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 6) return std::nullopt;  // a character with no byte of its own
  if ((acc & ((1U << bits) - 1)) != 0) return std::nullopt;
  return out;
}

TEST(Base64url, AgreesWithTheBitwiseDecoderOnEveryShortString) {
  // Every string of up to three characters from the alphabet and a few that are not in it,
  // then each of those characters at each place of longer strings.
  const std::string chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ .\0\x80\xff"s;
  std::vector<std::string> texts{""};
  for (size_t len = 1; len <= 3; ++len) {
    const size_t before = texts.size();
    for (size_t k = 0; k < before; ++k) {
      if (texts[k].size() != len - 1) continue;
      for (const char c : chars) texts.push_back(texts[k] + c);
    }
  }
  for (const std::string base : {"Zm9vYmFyYmF6", "Zm9vYmFyYmE", "Zm9vYmFyYg"}) {
    for (size_t at = 0; at < base.size(); ++at) {
      for (const char c : chars) {
        std::string text = base;
        text[at] = c;
        texts.push_back(text);
      }
    }
  }
  for (const std::string& text : texts) {
    ASSERT_EQ(base64url_decode(text), decode_bitwise(text)) << '"' << text << '"';
  }
}

}  // namespace
}  // namespace boxoffice::tokens
