#include "shared/tokens/base64url.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace boxoffice::tokens {
namespace {

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

}  // namespace
}  // namespace boxoffice::tokens
