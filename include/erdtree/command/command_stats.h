#pragma once
// Per-command call counts and latency histograms (LATENCY HISTOGRAM, Redis's
// latency-tracking). Instead of an HDR histogram, each command keeps one
// counter per power-of-two bucket, bounded the way Redis's HDR log iterator
// reports them (1, 2, 4, 8, 16, 33, 66, 132, ... microseconds), so the reply
// has Redis's shape and bucket labels. Recording is a few instructions and
// never allocates: the table is sized once the registry is complete.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace erdtree::command {

struct CommandStats {
  static constexpr size_t kBuckets = 21;  // up to ~1.08 s: Redis clamps at 1 s
  uint64_t calls = 0;
  std::array<uint64_t, kBuckets> buckets{};
};

// The bucket a duration falls into, and the label Redis prints for it.
size_t latencyBucket(int64_t durationUs);
int64_t latencyBucketLabelUs(size_t bucket);

class CommandStatsTable {
 public:
  void resize(size_t specs) { stats_.assign(specs, CommandStats{}); }
  void record(uint32_t specIndex, int64_t durationUs) {
    if (specIndex >= stats_.size()) return;
    CommandStats& s = stats_[specIndex];
    ++s.calls;
    ++s.buckets[latencyBucket(durationUs)];
  }
  const CommandStats* get(uint32_t specIndex) const {
    return specIndex < stats_.size() ? &stats_[specIndex] : nullptr;
  }
  void reset() { for (auto& s : stats_) s = CommandStats{}; }

 private:
  std::vector<CommandStats> stats_;
};

}  // namespace erdtree::command
