#include "shared/http/query.h"

#include <gtest/gtest.h>

namespace boxoffice::http {
namespace {

TEST(QueryTest, SplitsTargets) {
  EXPECT_EQ(split_target("/a/b?x=1&y").path, "/a/b");
  EXPECT_EQ(split_target("/a/b?x=1&y").query, "x=1&y");
  EXPECT_EQ(split_target("/a?").query, "");
  EXPECT_EQ(split_target("/a").path, "/a");
  EXPECT_EQ(split_target("/a").query, "");
}

TEST(QueryTest, ParsesAndDecodesParametersInOrder) {
  auto q = parse_query("user=fan+1&location=Los%20Angeles&&flag&e=%26&user=again");
  ASSERT_TRUE(q.has_value());
  const QueryParams expected = {
      {"user", "fan 1"}, {"location", "Los Angeles"}, {"flag", ""}, {"e", "&"}, {"user", "again"}};
  EXPECT_EQ(*q, expected);
  EXPECT_EQ(query_value(*q, "user"), "fan 1");  // the first of a repeated name
  EXPECT_EQ(query_value(*q, "flag"), "");
  EXPECT_FALSE(query_value(*q, "missing").has_value());
  EXPECT_EQ(parse_query("")->size(), 0U);
}

TEST(QueryTest, RefusesBadEscapesAndNul) {
  using namespace std::string_view_literals;
  for (const std::string_view bad : {"a=%zz"sv, "a=%4"sv, "%=1"sv, "a=%00"sv, "a=\0"sv}) {
    EXPECT_FALSE(parse_query(bad).has_value()) << bad;
  }
}

TEST(QueryTest, ReusesTheParamsItParsesInto) {
  QueryParams params;
  ASSERT_TRUE(parse_query_into("a=1&b=2&c=3", params));
  ASSERT_TRUE(parse_query_into("z=9", params));
  EXPECT_EQ(params, (QueryParams{{"z", "9"}}));
}

}  // namespace
}  // namespace boxoffice::http
