#include "shared/open_files.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace boxoffice {
namespace {

rlimit open_files() {
  rlimit limit{};
  EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  return limit;
}

// Lowers the soft limit for one test and puts the original back.
class OpenFilesLimitTest : public ::testing::Test {
 protected:
  void SetUp() override { original_ = open_files(); }
  void TearDown() override { EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &original_), 0); }
  rlimit original_{};
};

TEST_F(OpenFilesLimitTest, RaisesTheSoftLimitToTheHardOne) {
  if (original_.rlim_max < 512) GTEST_SKIP() << "the hard limit leaves nothing to raise";
  rlimit lowered = original_;
  lowered.rlim_cur = 256;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);

  auto raised = raise_open_files_limit();
  ASSERT_TRUE(raised) << raised.error();
  const rlim_t expected = std::min(original_.rlim_max, kMostOpenFiles);
  EXPECT_EQ(*raised, expected);
  EXPECT_EQ(open_files().rlim_cur, expected);
  EXPECT_EQ(open_files().rlim_max, original_.rlim_max);
}

TEST_F(OpenFilesLimitTest, LeavesALimitAlreadyThereAlone) {
  auto once = raise_open_files_limit();
  ASSERT_TRUE(once) << once.error();
  auto again = raise_open_files_limit();
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(*again, *once);
  EXPECT_EQ(open_files().rlim_cur, *once);
}

TEST(AcceptNeedsPause, OnlyForErrorsThatLastUntilSomethingIsFreed) {
  for (const int lasting : {EMFILE, ENFILE, ENOBUFS, ENOMEM})
    EXPECT_TRUE(accept_needs_pause(lasting));
  // A client that gave up, a signal, a non-blocking socket with nothing pending: accept again.
  for (const int passing : {ECONNABORTED, EINTR, EAGAIN, EPROTO, EPERM}) {
    EXPECT_FALSE(accept_needs_pause(passing)) << passing;
  }
}

}  // namespace
}  // namespace boxoffice
