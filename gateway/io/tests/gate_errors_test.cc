#include "gateway/io/gate_errors.h"

#include <gtest/gtest.h>

#include <string>

namespace boxoffice::gateway {
namespace {

std::string json_string(std::string_view text) {
  std::string out = "x";
  append_json_string(out, text);
  return out;
}

TEST(AppendJsonString, CopiesPlainTextAndEscapesWhatJsonForbids) {
  EXPECT_EQ(json_string(""), R"(x"")");
  EXPECT_EQ(json_string("eyJhbGciOiJFZERTQSJ9.e30.sig-_"), R"(x"eyJhbGciOiJFZERTQSJ9.e30.sig-_")");
  EXPECT_EQ(json_string(R"(say "hi")"), R"(x"say \"hi\"")");
  EXPECT_EQ(json_string(R"(a\b)"), R"(x"a\\b")");
  EXPECT_EQ(json_string("line\nnext\t\x01"), R"(x"line\nnext\u0009\u0001")");
  EXPECT_EQ(json_string("\"\"\\"), R"(x"\"\"\\")");
  EXPECT_EQ(json_string("caf\xc3\xa9"), "x\"caf\xc3\xa9\"");
}

// Every byte value, at every offset of a long plain string (the word-at-a-time scan and the
// byte-at-a-time tail), is escaped exactly when JSON requires it.
TEST(AppendJsonString, EveryByteAtEveryOffset) {
  for (int c = 0; c < 256; ++c) {
    const auto byte = static_cast<char>(c);
    std::string expected;
    if (byte == '"') {
      expected = R"(\")";
    } else if (byte == '\\') {
      expected = R"(\\)";
    } else if (byte == '\n') {
      expected = R"(\n)";
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      expected = std::string(R"(\u00)") + kHex[c >> 4] + kHex[c & 0xf];
    } else {
      expected = std::string(1, byte);
    }
    for (size_t at = 0; at < 20; ++at) {
      std::string text(20, 'a');
      text[at] = byte;
      const std::string want =
          "x\"" + std::string(at, 'a') + expected + std::string(19 - at, 'a') + "\"";
      ASSERT_EQ(json_string(text), want) << "byte " << c << " at " << at;
    }
  }
}

TEST(ErrorBody, IsTheStableShape) {
  EXPECT_EQ(error_body(GateErrc::kBadJson, "no \"x\"", ""),
            R"({"error":{"code":"bad_json","message":"no \"x\""}})");
}

}  // namespace
}  // namespace boxoffice::gateway
