#pragma once
// Per-command statistics: INFO commandstats (calls, usec, rejected and
// failed calls) and latency histograms (LATENCY HISTOGRAM, Redis's
// latency-tracking). Instead of an HDR histogram, each command keeps one
// counter per power-of-two bucket, bounded the way Redis's HDR log iterator
// reports them (1, 2, 4, 8, 16, 33, 66, 132, ... microseconds), so the reply
// has Redis's shape and bucket labels. Recording is a few instructions and
// never allocates: the table is sized once the registry is complete.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace erdtree::command {

struct CommandStats {
  static constexpr size_t kBuckets = 21;  // up to ~1.08 s: Redis clamps at 1 s
  uint64_t calls = 0;          // handler runs (blocked ones when they end)
  uint64_t usec = 0;           // their total duration (while commands are timed)
  uint64_t rejectedCalls = 0;  // refused before running (arity, NOAUTH, OOM, ...)
  uint64_t failedCalls = 0;    // ran and replied with an error
  uint64_t samples = 0;        // durations in the histogram (latency-tracking on)
  std::array<uint64_t, kBuckets> buckets{};
};

// The highest nanosecond value Redis's HDR log iterator (first bucket 1024
// ns, base 2, two significant digits) reports for bucket k: 2^(10+k) plus
// the sub-bucket width 2^(3+k), minus one.
constexpr uint64_t latencyBucketTopNs(size_t k) { return (uint64_t{1} << (10 + k)) + (uint64_t{1} << (3 + k)) - 1; }

// The bucket a duration falls into (inline: it runs after every command).
inline size_t latencyBucket(int64_t durationUs) {
  if (durationUs <= 1) return 0;  // Redis records at least 1 ns; 1 us still fits bucket 0
  const uint64_t ns = static_cast<uint64_t>(durationUs) * 1000;
  // The first power-of-two bucket at or above ns, then one lower if the
  // previous bucket's top (slightly above its power of two) still covers it.
  size_t k = static_cast<size_t>(std::bit_width((ns - 1) >> 10));
  if (ns <= latencyBucketTopNs(k - 1)) --k;  // k >= 1 here: ns > 1000
  return k < CommandStats::kBuckets ? k : CommandStats::kBuckets - 1;
}
// The label Redis prints for a bucket (microseconds).
inline int64_t latencyBucketLabelUs(size_t bucket) { return static_cast<int64_t>(latencyBucketTopNs(bucket) / 1000); }

// The value Redis's hdr_value_at_percentile reports, at this histogram's
// resolution: the top (ns) of the first bucket holding the
// round(pct% of calls)-th call (at least the first). 0 without calls.
inline uint64_t latencyPercentileNs(const CommandStats& st, double pct) {
  if (st.samples == 0) return 0;
  uint64_t want = static_cast<uint64_t>(pct / 100.0 * static_cast<double>(st.samples) + 0.5);
  if (want == 0) want = 1;
  uint64_t seen = 0;
  for (size_t k = 0; k < CommandStats::kBuckets; ++k) {
    seen += st.buckets[k];
    if (seen >= want) return latencyBucketTopNs(k);
  }
  return latencyBucketTopNs(CommandStats::kBuckets - 1);
}

class CommandStatsTable {
 public:
  void resize(size_t specs) { stats_.assign(specs, CommandStats{}); }
  // One finished run; the histogram only gets it with latency-tracking on.
  void recordCall(uint32_t specIndex, int64_t durationUs, bool failed, bool histogram) {
    if (specIndex >= stats_.size()) return;
    CommandStats& s = stats_[specIndex];
    ++s.calls;
    s.usec += static_cast<uint64_t>(durationUs);
    s.failedCalls += failed ? 1 : 0;
    if (!histogram) return;
    ++s.samples;
    ++s.buckets[latencyBucket(durationUs)];
  }
  void recordRejected(uint32_t specIndex) {
    if (specIndex < stats_.size()) ++stats_[specIndex].rejectedCalls;
  }
  const CommandStats* get(uint32_t specIndex) const {
    return specIndex < stats_.size() ? &stats_[specIndex] : nullptr;
  }
  void reset() { for (auto& s : stats_) s = CommandStats{}; }

 private:
  std::vector<CommandStats> stats_;
};

}  // namespace erdtree::command
