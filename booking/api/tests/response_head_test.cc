#include "booking/api/response_head.h"

#include <gtest/gtest.h>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <string>

namespace boxoffice::booking::api {
namespace {

namespace http = boost::beast::http;

Response answer(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::make_shared<const std::string>(std::move(body));
  return r;
}

// What a client makes of the head followed by the body.
http::response<http::string_body> parse(const std::string& wire) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  boost::system::error_code ec;
  const size_t used = parser.put(boost::asio::buffer(wire), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(used, wire.size());
  EXPECT_TRUE(parser.is_done());
  return parser.release();
}

TEST(ResponseHeadTest, StatusLineFieldsAndLength) {
  Response r = answer(202, R"({"status":"pending"})");
  r.headers.emplace_back("Location", "/requests/001000000000002a");
  EXPECT_EQ(response_head(r, 11, true),
            "HTTP/1.1 202 Accepted\r\n"
            "Server: boxoffice\r\n"
            "Content-Type: application/json\r\n"
            "Location: /requests/001000000000002a\r\n"
            "Content-Length: 20\r\n"
            "\r\n");
}

TEST(ResponseHeadTest, ParsesBackAsTheAnswerItDescribes) {
  Response r = answer(405, R"({"error":{}})");
  r.headers.emplace_back("Allow", "POST");
  const auto parsed = parse(response_head(r, 11, true) + *r.body);
  EXPECT_EQ(parsed.result_int(), 405);
  EXPECT_EQ(parsed.reason(), "Method Not Allowed");
  EXPECT_EQ(parsed[http::field::allow], "POST");
  EXPECT_EQ(parsed[http::field::content_type], "application/json");
  EXPECT_EQ(parsed.body(), *r.body);
  EXPECT_TRUE(parsed.keep_alive());
}

TEST(ResponseHeadTest, ConnectionFieldOnlyWhereTheVersionDefaultsOtherwise) {
  const Response r = answer(200, "{}");
  EXPECT_EQ(response_head(r, 11, true).find("Connection"), std::string::npos);
  EXPECT_NE(response_head(r, 11, false).find("Connection: close\r\n"), std::string::npos);
  EXPECT_FALSE(parse(response_head(r, 11, false) + "{}").keep_alive());

  const std::string old_close = response_head(r, 10, false);
  EXPECT_EQ(old_close.rfind("HTTP/1.0 200 OK\r\n", 0), 0U);
  EXPECT_EQ(old_close.find("Connection"), std::string::npos);
  EXPECT_NE(response_head(r, 10, true).find("Connection: keep-alive\r\n"), std::string::npos);
  EXPECT_TRUE(parse(response_head(r, 10, true) + "{}").keep_alive());
}

TEST(ResponseHeadTest, NoBodyMeansLengthZero) {
  Response r;
  r.status = 503;
  EXPECT_NE(response_head(r, 11, true).find("Content-Length: 0\r\n"), std::string::npos);
  EXPECT_EQ(parse(response_head(r, 11, true)).body(), "");
}

TEST(ResponseHeadTest, NoContentCarriesNoLength) {
  Response r;
  r.status = 204;
  const std::string head = response_head(r, 11, true);
  EXPECT_EQ(head.rfind("HTTP/1.1 204 No Content\r\n", 0), 0U);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
}

TEST(ResponseHeadTest, ChunkedStreamHead) {
  Response r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  EXPECT_EQ(response_head(r, 11, false, BodyFraming::kChunked),
            "HTTP/1.1 200 OK\r\n"
            "Server: boxoffice\r\n"
            "Content-Type: text/event-stream\r\n"
            "Cache-Control: no-cache\r\n"
            "Transfer-Encoding: chunked\r\n"
            "Connection: close\r\n"
            "\r\n");
}

TEST(ResponseHeadTest, FieldsThatWouldSplitTheHeadAreLeftOut) {
  Response r = answer(201, "{}");
  r.headers.emplace_back("Location", "/a\r\nSet-Cookie: x=1");
  r.headers.emplace_back("X-Bad\nName", "v");
  r.headers.emplace_back(std::string("X-Nul", 5), std::string("a\0b", 3));
  r.headers.emplace_back("Retry-After", "1");
  const std::string head = response_head(r, 11, true);
  EXPECT_EQ(head.find("Set-Cookie"), std::string::npos);
  EXPECT_EQ(head.find("X-Bad"), std::string::npos);
  EXPECT_EQ(head.find(std::string("a\0b", 3)), std::string::npos);
  EXPECT_NE(head.find("Retry-After: 1\r\n"), std::string::npos);
  EXPECT_EQ(parse(head + "{}")[http::field::location], "");
}

}  // namespace
}  // namespace boxoffice::booking::api
