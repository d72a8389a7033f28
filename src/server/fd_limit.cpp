#include "erdtree/server/fd_limit.h"

#include <sys/resource.h>

#include <algorithm>

namespace erdtree::server {

int64_t ensureFdsForClients(int64_t maxclients) {
  rlim_t wanted = static_cast<rlim_t>(maxclients) + static_cast<rlim_t>(kReservedFds);
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return maxclients;
  if (lim.rlim_cur < wanted) {
    rlimit raised = lim;
    raised.rlim_cur = std::min(wanted, lim.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur >= wanted) return maxclients;
  return lim.rlim_cur > static_cast<rlim_t>(kReservedFds) ? static_cast<int64_t>(lim.rlim_cur) - kReservedFds : 1;
}

}  // namespace erdtree::server
