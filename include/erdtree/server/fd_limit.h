#pragma once
#include <cstdint>

namespace erdtree::server {

// Descriptors kept for listeners, log and data files beyond one per client.
constexpr int64_t kReservedFds = 32;

// Raises RLIMIT_NOFILE's soft limit so maxclients clients fit, as far as the
// hard limit allows. Returns how many clients the limit now admits (at least 1).
int64_t ensureFdsForClients(int64_t maxclients);

}  // namespace erdtree::server
