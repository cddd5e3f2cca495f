#include "shared/http/content_coding.h"

#include <gtest/gtest.h>

#include <string>

namespace boxoffice::http {
namespace {

TEST(AcceptsGzip, WhatBrowsersAndClientsSend) {
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br, zstd"));  // Chromium
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));        // Firefox, Safari
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, gzip;q=1.0, *;q=0.5"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("GZIP"));
  EXPECT_TRUE(accepts_gzip(" \tgzip ; q=0.001 , br"));
  EXPECT_TRUE(accepts_gzip("br;q=1, gzip;q=0.8"));
  EXPECT_TRUE(accepts_gzip(",,gzip,"));
}

TEST(AcceptsGzip, AStarCountsUnlessGzipIsRuledOut) {
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip("identity;q=1, *;q=0.1"));
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0, *"));
  EXPECT_FALSE(accepts_gzip("*, gzip;q=0"));
  EXPECT_TRUE(accepts_gzip("gzip;q=0.5, *;q=0"));
}

TEST(AcceptsGzip, NoYesMeansTheBodyAsItIs) {
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("deflate, br"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.000"));
  EXPECT_FALSE(accepts_gzip("gzip;Q=0."));
  EXPECT_FALSE(accepts_gzip("gzip, gzip;q=0"));  // a refusal anywhere wins
  EXPECT_FALSE(accepts_gzip("gzipx"));
  EXPECT_FALSE(accepts_gzip("gzi"));
  EXPECT_FALSE(accepts_gzip("x-gzip-2"));
}

TEST(AcceptsGzip, AWeightThatIsNoQvalueIsNoYes) {
  for (const char* header :
       {"gzip;q=2", "gzip;q=1.5", "gzip;q=0.0001", "gzip;q=x", "gzip;q=", "gzip;q", "gzip;level=9",
        "gzip;q=.5", "gzip;q=-1", "gzip;q=1.001", "gzip;q=0.5;q=", "*;q=abc"}) {
    EXPECT_FALSE(accepts_gzip(header)) << header;
  }
  EXPECT_TRUE(accepts_gzip("gzip;q=1.000"));
  EXPECT_TRUE(accepts_gzip("gzip;q=0.999"));
  EXPECT_TRUE(accepts_gzip("gzip;q=1."));
}

TEST(Gzip, RoundTripsWhatItCompresses) {
  std::string seat_map = R"({"event_id":"evt","sections":[)";
  for (int i = 0; i < 20'000; ++i) {
    seat_map += R"({"seat_id":"A-1-)" + std::to_string(i) + R"(","status":"available"},)";
  }
  seat_map += "]}";
  for (const std::string& data :
       {std::string(), std::string("x"), seat_map, std::string(200'000, '\0')}) {
    const std::string packed = gzip(data);
    ASSERT_GE(packed.size(), 18U);  // header and trailer at least
    EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
    auto back = gunzip(packed, data.size());
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, data);
  }
  EXPECT_LT(gzip(seat_map).size() * 10, seat_map.size());
}

TEST(Gunzip, RefusesWhatIsNotOneWholeMember) {
  const std::string data(100'000, 'a');
  const std::string packed = gzip(data);
  auto too_big = gunzip(packed, data.size() - 1);
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().find("more than 99999"), std::string::npos);
  auto cut = gunzip(packed.substr(0, packed.size() - 4), data.size());
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error(), "truncated");
  std::string flipped = packed;
  flipped[packed.size() - 6] ^= 0x55;  // the CRC
  auto corrupt = gunzip(flipped, data.size());
  ASSERT_FALSE(corrupt);
  EXPECT_EQ(corrupt.error(), "corrupt");
  auto trailing = gunzip(packed + "x", data.size());
  ASSERT_FALSE(trailing);
  EXPECT_EQ(trailing.error(), "bytes after the gzip member");
  EXPECT_FALSE(gunzip("not gzip at all", 100));
  EXPECT_FALSE(gunzip("", 100));
}

}  // namespace
}  // namespace boxoffice::http
