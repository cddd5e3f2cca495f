#include "shared/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace boxoffice {
namespace {

std::string name_of(pthread_t thread) {
  char name[16] = {};
  EXPECT_EQ(pthread_getname_np(thread, name, sizeof name), 0);
  return name;
}

// The name a new thread ends with after name_this_thread(name).
std::string named_in_a_thread(const std::string& name) {
  std::string seen;
  std::thread t([&] {
    name_this_thread(name);
    seen = name_of(pthread_self());
  });
  t.join();
  return seen;
}

TEST(NameThisThread, NamesTheCallingThreadOnly) {
  const std::string before = name_of(pthread_self());
  EXPECT_EQ(named_in_a_thread("projector"), "projector");
  EXPECT_EQ(name_of(pthread_self()), before);
}

TEST(NameThisThread, CutsANameToTheFifteenBytesLinuxKeeps) {
  EXPECT_EQ(named_in_a_thread("snapshot-writer-of-partition-7"), "snapshot-writer");
}

}  // namespace
}  // namespace boxoffice
