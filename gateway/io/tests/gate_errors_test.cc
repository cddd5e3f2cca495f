#include "gateway/io/gate_errors.h"

#include <gtest/gtest.h>

#include <string>

namespace boxoffice::gateway {
namespace {

TEST(ErrorBody, IsTheStableShape) {
  EXPECT_EQ(error_body(GateErrc::kBadJson, "no \"x\"", ""),
            R"({"error":{"code":"bad_json","message":"no \"x\""}})");
  EXPECT_EQ(error_body(GateErrc::kRateLimited, "slow down", "line\nnext"),
            R"({"error":{"code":"rate_limited","message":"slow down","reason":"line\nnext"}})");
}

}  // namespace
}  // namespace boxoffice::gateway
