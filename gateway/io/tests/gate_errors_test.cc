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

TEST(ErrorBody, IsTheStableShape) {
  EXPECT_EQ(error_body(GateErrc::kBadJson, "no \"x\"", ""),
            R"({"error":{"code":"bad_json","message":"no \"x\""}})");
}

}  // namespace
}  // namespace boxoffice::gateway
