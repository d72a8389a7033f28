#pragma once
#include <cstdint>

namespace erdtree::util {

// Wall-clock time (Unix epoch): TTLs are absolute wall-clock deadlines, as in Redis.
int64_t unixTimeMs();
int64_t unixTimeUs();
// Monotonic time for measuring durations and timeouts.
int64_t monotonicUs();

}  // namespace erdtree::util
