#include "gateway/core/proof_of_work.h"

#include <gtest/gtest.h>

#include <string>

namespace boxoffice::gateway {
namespace {

TEST(ProofOfWorkTest, ChallengeDependsOnEventIdentityAndBucket) {
  const ProofOfWork pow("secret", 60'000);
  const std::string c = pow.challenge("evt", "alice", 120'000);
  EXPECT_EQ(c.size(), 64u);
  EXPECT_EQ(pow.challenge("evt", "alice", 179'999), c) << "same bucket";
  EXPECT_NE(pow.challenge("evt", "alice", 180'000), c);
  EXPECT_NE(pow.challenge("evt", "bob", 120'000), c);
  EXPECT_NE(pow.challenge("evt2", "alice", 120'000), c);
  EXPECT_NE(ProofOfWork("other", 60'000).challenge("evt", "alice", 120'000), c);
}

TEST(ProofOfWorkTest, SolveThenVerify) {
  const ProofOfWork pow("secret", 60'000);
  const std::string c = pow.challenge("evt", "alice", 1'000);
  const auto nonce = pow_solve(c, 12);
  ASSERT_TRUE(nonce);
  EXPECT_GE(pow_zero_bits(c, *nonce), 12);
  EXPECT_TRUE(pow.verify("evt", "alice", 1'000, *nonce, 12));
  EXPECT_TRUE(pow.verify("evt", "alice", 61'000, *nonce, 12)) << "the previous bucket counts";
  EXPECT_FALSE(pow.verify("evt", "alice", 121'000, *nonce, 12)) << "two buckets later";
  EXPECT_FALSE(pow.verify("evt", "bob", 1'000, *nonce, 12));
}

TEST(ProofOfWorkTest, BadNoncesAreRejected) {
  const ProofOfWork pow("secret");
  EXPECT_FALSE(pow.verify("evt", "alice", 0, "", 1));
  EXPECT_FALSE(pow.verify("evt", "alice", 0, "has space", 1));
  EXPECT_FALSE(pow.verify("evt", "alice", 0, std::string(65, '1'), 1));
  EXPECT_TRUE(pow.verify("evt", "alice", 0, "", 0)) << "difficulty 0 is off";
  EXPECT_FALSE(pow_solve("c", 30, 10)) << "gives up after max_tries";
}

}  // namespace
}  // namespace boxoffice::gateway
