// Names the calling thread as top -H, ps -L, perf and gdb show it, so an operator can tell a
// process's threads apart. Linux keeps 15 bytes of a name; the rest is cut.
#pragma once

#include <pthread.h>

#include <string>
#include <string_view>

namespace boxoffice {

inline void name_this_thread(std::string_view name) {
  const std::string kept(name.substr(0, 15));
  pthread_setname_np(pthread_self(), kept.c_str());
}

}  // namespace boxoffice
