#include "shared/json/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace boxoffice {
namespace {

TEST(JsonWriterTest, WritesNestedValues) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("a", 1).field("b", "x").key("c").begin_array();
  w.number(-2).boolean(true).null().begin_object().end_object().end_array();
  w.field("d", uint64_t{18446744073709551615ULL}).end_object();
  EXPECT_EQ(out, R"({"a":1,"b":"x","c":[-2,true,null,{}],"d":18446744073709551615})");
}

TEST(JsonWriterTest, EscapesStringsAndReplacesInvalidUtf8) {
  std::string out;
  append_json_string(out, std::string("q\"b\\n\n\x01\t\0", 9));
  EXPECT_EQ(out, R"("q\"b\\n\n\u0001\t\u0000")");
  out.clear();
  append_json_string(out, "caf\xC3\xA9 \xFF \xC0\xAF end");  // é, a stray byte, an overlong '/'
  EXPECT_EQ(out, "\"caf\xC3\xA9 \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD end\"");
  EXPECT_FALSE(nlohmann::json::parse(out, nullptr, false).is_discarded());
}

std::string json_string(std::string_view text) {
  std::string out = "x";
  append_json_string(out, text);
  return out;
}

TEST(JsonWriterTest, CopiesPlainTextAndEscapesWhatJsonForbids) {
  EXPECT_EQ(json_string(""), R"(x"")");
  EXPECT_EQ(json_string("eyJhbGciOiJFZERTQSJ9.e30.sig-_"), R"(x"eyJhbGciOiJFZERTQSJ9.e30.sig-_")");
  EXPECT_EQ(json_string(R"(say "hi")"), R"(x"say \"hi\"")");
  EXPECT_EQ(json_string(R"(a\b)"), R"(x"a\\b")");
  EXPECT_EQ(json_string("\"\"\\"), R"(x"\"\"\\")");
  EXPECT_EQ(json_string("caf\xc3\xa9 au lait, caf\xc3\xa9 noir"),
            "x\"caf\xc3\xa9 au lait, caf\xc3\xa9 noir\"");
}

// Every byte value, at every offset of a long plain string (the word-at-a-time scan and the
// byte-at-a-time tail), is escaped or replaced exactly when it must be; written through a cursor
// it takes no more than max_json_string_bytes.
TEST(JsonWriterTest, EveryByteAtEveryOffset) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int c = 0; c < 256; ++c) {
    const auto byte = static_cast<char>(c);
    std::string expected;
    if (byte == '"' || byte == '\\') {
      expected = std::string("\\") + byte;
    } else if (byte == '\n') {
      expected = R"(\n)";
    } else if (byte == '\r') {
      expected = R"(\r)";
    } else if (byte == '\t') {
      expected = R"(\t)";
    } else if (c < 0x20) {
      expected = std::string(R"(\u00)") + kHex[c >> 4] + kHex[c & 0xf];
    } else if (c >= 0x80) {
      expected = "\xEF\xBF\xBD";  // a lone byte >= 0x80 is not UTF-8
    } else {
      expected = std::string(1, byte);
    }
    for (size_t at = 0; at < 20; ++at) {
      std::string text(20, 'a');
      text[at] = byte;
      const std::string want =
          "x\"" + std::string(at, 'a') + expected + std::string(19 - at, 'a') + "\"";
      ASSERT_EQ(json_string(text), want) << "byte " << c << " at " << at;
      std::string buffer(max_json_string_bytes(text), '\0');
      const char* end = write_json_string(buffer.data(), text);
      ASSERT_LE(static_cast<size_t>(end - buffer.data()), buffer.size());
      ASSERT_EQ(std::string_view(buffer.data(), end - buffer.data()), want.substr(1));
    }
  }
  // Control characters are the worst case: the bound is met exactly.
  const std::string worst(20, '\x01');
  std::string buffer(max_json_string_bytes(worst), '\0');
  EXPECT_EQ(write_json_string(buffer.data(), worst), buffer.data() + buffer.size());
}

TEST(JsonWriterTest, MoneyInWholeUnitsAndCents) {
  EXPECT_EQ(money_units(4500), "45");
  EXPECT_EQ(money_units(4510), "45.10");
  EXPECT_EQ(money_units(4599), "45.99");
  EXPECT_EQ(money_units(5), "0.05");
  EXPECT_EQ(money_units(0), "0");
  EXPECT_EQ(money_units(-5), "-0.05");
  EXPECT_EQ(money_units(INT64_MIN), "-92233720368547758.08");
  std::string out;
  JsonWriter(out).begin_object().money("price", 29950).end_object();
  EXPECT_EQ(out, R"({"price":299.50,"price_cents":29950})");
  EXPECT_EQ(nlohmann::json::parse(out)["price"].get<double>(), 299.5);
}

}  // namespace
}  // namespace boxoffice
