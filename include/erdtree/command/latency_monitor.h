#pragma once
// LATENCY: Redis's latency monitor. Each event class (command, fast-command,
// expire-cycle, eviction-cycle, aof-fsync-always, ...) keeps a ring of the
// last kSamples per-second maxima of events that took at least
// latency-monitor-threshold ms, plus its all-time maximum. With the threshold
// at 0 nothing is recorded and a sample costs one comparison.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace erdtree::command {

class LatencyMonitor {
 public:
  static constexpr size_t kSamples = 160;  // Redis's LATENCY_TS_LEN
  struct Sample {
    int64_t unixSec = 0;  // 0: unused slot
    int64_t ms = 0;
  };
  struct Series {
    std::string event;
    std::array<Sample, kSamples> samples{};
    size_t next = 0;      // where the next sample goes
    int64_t maxMs = 0;    // all-time high
    const Sample& latest() const { return samples[(next + kSamples - 1) % kSamples]; }
  };

  int64_t thresholdMs = 0;  // mirrors latency-monitor-threshold
  // The settings LATENCY DOCTOR's advice depends on (mirrored by the server).
  struct AdviceSettings {
    int64_t slowlogSlowerThanUs = 10000;
    int64_t slowlogMaxLen = 128;
    int64_t hz = 10;
  } advice;

  void addSampleIfNeeded(std::string_view event, int64_t ms, int64_t unixSec) {
    if (thresholdMs != 0 && ms >= thresholdMs) addSample(event, ms, unixSec);
  }
  void addSample(std::string_view event, int64_t ms, int64_t unixSec);
  const Series* find(std::string_view event) const;
  // Forgets one event class; false when it had none.
  bool reset(std::string_view event);
  size_t resetAll();
  const std::vector<Series>& series() const { return series_; }  // first-seen order

  // LATENCY DOCTOR's text; LATENCY GRAPH's, or "" for an unknown event.
  std::string doctor(int64_t nowSec) const;
  std::string graph(std::string_view event, int64_t nowSec) const;

 private:
  std::vector<Series> series_;
};

}  // namespace erdtree::command
