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
