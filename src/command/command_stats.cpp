#include "erdtree/command/command_stats.h"

#include <bit>

namespace erdtree::command {
namespace {

// The highest nanosecond value Redis's HDR log iterator (first bucket 1024
// ns, base 2, two significant digits) reports for bucket k:
// 2^(10+k) plus the sub-bucket width 2^(3+k), minus one.
constexpr uint64_t bucketTopNs(size_t k) { return (uint64_t{1} << (10 + k)) + (uint64_t{1} << (3 + k)) - 1; }

}  // namespace

size_t latencyBucket(int64_t durationUs) {
  if (durationUs <= 1) return 0;  // Redis records at least 1 ns; 1 us still fits bucket 0
  uint64_t ns = static_cast<uint64_t>(durationUs) * 1000;
  // The first power-of-two bucket at or above ns, then one lower if the
  // previous bucket's top (slightly above its power of two) still covers it.
  size_t k = static_cast<size_t>(std::bit_width((ns - 1) >> 10));
  if (k > 0 && ns <= bucketTopNs(k - 1)) --k;
  return k < CommandStats::kBuckets ? k : CommandStats::kBuckets - 1;
}

int64_t latencyBucketLabelUs(size_t bucket) { return static_cast<int64_t>(bucketTopNs(bucket) / 1000); }

}  // namespace erdtree::command
