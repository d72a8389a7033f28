// The latency monitor's storage and its two text reports (LATENCY DOCTOR and
// LATENCY GRAPH), written to read as Redis 7.0's.
#include "erdtree/command/latency_monitor.h"

#include <cstdio>

namespace erdtree::command {

void LatencyMonitor::addSample(std::string_view event, int64_t ms, int64_t unixSec) {
  Series* s = nullptr;
  for (auto& x : series_)
    if (x.event == event) s = &x;
  if (s == nullptr) {
    series_.emplace_back();
    s = &series_.back();
    s->event = std::string(event);
  }
  if (ms > s->maxMs) s->maxMs = ms;
  // One sample per second: a second event in the same second keeps the worst.
  Sample& prev = s->samples[(s->next + kSamples - 1) % kSamples];
  if (prev.unixSec == unixSec) {
    if (ms > prev.ms) prev.ms = ms;
    return;
  }
  s->samples[s->next] = Sample{unixSec, ms};
  s->next = (s->next + 1) % kSamples;
}

const LatencyMonitor::Series* LatencyMonitor::find(std::string_view event) const {
  for (const auto& s : series_)
    if (s.event == event) return &s;
  return nullptr;
}

bool LatencyMonitor::reset(std::string_view event) {
  for (auto it = series_.begin(); it != series_.end(); ++it) {
    if (it->event == event) {
      series_.erase(it);
      return true;
    }
  }
  return false;
}

size_t LatencyMonitor::resetAll() {
  size_t n = series_.size();
  series_.clear();
  return n;
}

namespace {

// Redis's analyzeLatencyForEvent: average, mean deviation and the seconds
// since the oldest sample.
struct EventStats {
  int64_t samples = 0, avg = 0, mad = 0, period = 0;
};

EventStats analyze(const LatencyMonitor::Series& s, int64_t nowSec) {
  EventStats st;
  int64_t sum = 0, oldest = 0;
  for (const auto& x : s.samples) {
    if (x.unixSec == 0) continue;
    ++st.samples;
    sum += x.ms;
    if (oldest == 0 || x.unixSec < oldest) oldest = x.unixSec;
  }
  if (st.samples == 0) return st;
  st.avg = sum / st.samples;
  st.period = nowSec - oldest;
  if (st.period == 0) st.period = 1;
  int64_t dev = 0;
  for (const auto& x : s.samples)
    if (x.unixSec != 0) dev += x.ms > st.avg ? x.ms - st.avg : st.avg - x.ms;
  st.mad = dev / st.samples;
  return st;
}

}  // namespace

std::string LatencyMonitor::doctor(int64_t nowSec) const {
  if (series_.empty() && thresholdMs == 0)
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use "
           "\"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep "
           "space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  if (series_.empty())
    return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest "
           "bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";
  std::string out =
      "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
  int n = 0;
  // The advice Redis gives per event class (createLatencyReport), for the
  // classes erdtree records and whose advice text was checked against 7.0.15.
  bool slowlogEnabled = false, slowlogTuning = false, slowlogInspect = false, scheduler = false, hz = false,
       largeObjects = false;
  for (const auto& s : series_) {
    if (s.event == "command") {
      if (advice.slowlogSlowerThanUs < 0 || advice.slowlogMaxLen == 0) slowlogEnabled = true;
      else if (advice.slowlogSlowerThanUs / 1000 > thresholdMs) slowlogTuning = true;
      slowlogInspect = largeObjects = true;
    } else if (s.event == "fast-command") {
      scheduler = true;
    } else if (s.event == "expire-cycle") {
      hz = advice.hz < 100;
      largeObjects = true;
    }
  }
  for (const auto& s : series_) {
    EventStats st = analyze(s, nowSec);
    char line[512];
    std::snprintf(line, sizeof(line),
                  "%d. %s: %lld latency spikes (average %lldms, mean deviation %lldms, period %.2f sec). Worst all "
                  "time event %lldms.\n",
                  ++n, s.event.c_str(), static_cast<long long>(st.samples), static_cast<long long>(st.avg),
                  static_cast<long long>(st.mad),
                  st.samples != 0 ? static_cast<double>(st.period) / static_cast<double>(st.samples) : 0.0,
                  static_cast<long long>(s.maxMs));
    out += line;
  }
  if (!(slowlogEnabled || slowlogTuning || slowlogInspect || scheduler || hz || largeObjects)) {
    out += "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis "
           "community to get some help, providing this report in your help request.\n";
    return out;
  }
  out += "\nI have a few advices for you:\n\n";
  const std::string threshold = std::to_string(thresholdMs * 1000);
  if (slowlogEnabled)
    out += "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log "
           "Redis feature using the command 'CONFIG SET slowlog-log-slower-than " + threshold +
           "'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n";
  if (slowlogTuning)
    out += "- Your current Slow Log configuration only logs events that are slower than your configured latency "
           "monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than " + threshold + "'.\n";
  if (slowlogInspect)
    out += "- Check your Slow Log to understand what are the commands you are running which are too slow to "
           "execute. Please check https://redis.io/commands/slowlog for more information.\n";
  if (scheduler)
    out += "- The system is slow to execute Redis code paths not containing system calls. This usually means the "
           "system does not provide Redis CPU time to run for long periods. You should try to:\n"
           "  1) Lower the system load.\n"
           "  2) Use a computer / VM just for Redis if you are running other software in the same system.\n"
           "  3) Check if you have a \"noisy neighbour\" problem.\n"
           "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n"
           "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using "
           "Jemalloc. However this may create fragmentation problems.\n";
  if (hz)
    out += "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration "
           "parameter to 100 using 'CONFIG SET hz 100'.\n";
  if (largeObjects)
    out += "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If "
           "you have very large objects that are often deleted, expired, or evicted, try to fragment those objects "
           "into multiple smaller objects.\n";
  return out;
}

namespace {

// Redis's sparkline renderer (4 rows of "_o#", filled with '|' below the
// peak, then the vertical labels), for one chunk of up to 80 samples.
struct Point {
  double value;
  std::string label;
};

void renderRange(std::string& out, const std::vector<Point>& seq, double min, double max, size_t offset,
                 size_t len) {
  constexpr char kFill[] = "_o#";
  constexpr int kCharsetLen = 3, kRows = 4, kLabelMarginTop = 1;
  double relmax = max - min;
  if (relmax == 0) relmax = 1;
  const int steps = kCharsetLen * kRows;
  std::string chars;
  for (int row = 0;; ++row) {
    bool loop = false;
    chars.assign(len, ' ');
    for (size_t j = 0; j < len; ++j) {
      const Point& p = seq[j + offset];
      double relval = p.value - min;
      int step = static_cast<int>(static_cast<int>(relval * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      if (row < kRows) {
        int idx = step - (kRows - row - 1) * kCharsetLen;
        loop = true;
        if (idx >= 0 && idx < kCharsetLen) chars[j] = kFill[idx];
        else if (idx >= kCharsetLen) chars[j] = '|';
      } else {
        if (row - kRows < kLabelMarginTop) {
          loop = true;
          break;
        }
        int labelChar = row - kRows - kLabelMarginTop;
        if (static_cast<int>(p.label.size()) > labelChar) {
          loop = true;
          chars[j] = p.label[static_cast<size_t>(labelChar)];
        }
      }
    }
    if (!loop) break;
    out += chars;
    out += '\n';
  }
}

}  // namespace

std::string LatencyMonitor::graph(std::string_view event, int64_t nowSec) const {
  const Series* s = find(event);
  if (s == nullptr) return "";
  std::vector<Point> seq;
  double min = 0, max = 0;
  for (size_t j = 0; j < kSamples; ++j) {
    const Sample& x = s->samples[(s->next + j) % kSamples];
    if (x.unixSec == 0) continue;
    double v = static_cast<double>(x.ms);
    if (seq.empty()) min = max = v;
    else if (v < min) min = v;
    else if (v > max) max = v;
    int64_t ago = nowSec - x.unixSec;
    std::string label = ago < 60      ? std::to_string(ago) + "s"
                        : ago < 3600  ? std::to_string(ago / 60) + "m"
                        : ago < 86400 ? std::to_string(ago / 3600) + "h"
                                      : std::to_string(ago / 86400) + "d";
    seq.push_back({v, std::move(label)});
  }
  char head[256];
  std::snprintf(head, sizeof(head), "%s - high %lld ms, low %lld ms (all time high %lld ms)\n", s->event.c_str(),
                static_cast<long long>(max), static_cast<long long>(min), static_cast<long long>(s->maxMs));
  std::string out = head;
  out.append(80, '-');
  out += '\n';
  for (size_t j = 0; j < seq.size(); j += 80) {
    if (j != 0) out += '\n';
    renderRange(out, seq, min, max, j, std::min<size_t>(80, seq.size() - j));
  }
  return out;
}

}  // namespace erdtree::command
