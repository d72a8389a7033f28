#include "erdtree/util/crash_point.h"

#include <signal.h>

#include <cstdlib>
#include <cstring>

namespace erdtree::util {

void crashPoint(const char* name) {
  static const char* const target = std::getenv("ERDTREE_CRASH_AT");
  if (target == nullptr || std::strcmp(target, name) != 0) return;
  ::raise(SIGKILL);
}

}  // namespace erdtree::util
