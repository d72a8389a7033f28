#pragma once
// SLOWLOG: the last slowlog-max-len commands that ran at least
// slowlog-log-slower-than microseconds, newest first, as Redis keeps them.
// An entry copies at most kMaxArgs arguments of at most kMaxArgBytes each
// (the rest summarised), so a huge MSET costs the log a bounded amount.
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace erdtree::command {

struct SlowLogEntry {
  int64_t id = 0;
  int64_t unixSec = 0;
  int64_t durationUs = 0;
  std::vector<std::string> args;
  std::string addr;  // client ip:port
  std::string name;  // client name
};

class SlowLog {
 public:
  static constexpr size_t kMaxArgs = 32;         // Redis's SLOWLOG_ENTRY_MAX_ARGC
  static constexpr size_t kMaxArgBytes = 128;    // Redis's SLOWLOG_ENTRY_MAX_STRING

  int64_t slowerThanUs = 10000;  // mirrors slowlog-log-slower-than (-1: off)
  size_t maxLen = 128;           // mirrors slowlog-max-len

  bool wants(int64_t durationUs) const { return slowerThanUs >= 0 && durationUs >= slowerThanUs; }
  // redactMask: bit i set shows args[i] as "(redacted)" (AUTH passwords).
  void push(std::span<const std::string_view> args, uint64_t redactMask, int64_t durationUs, int64_t unixSec,
            std::string_view addr, std::string_view name);
  void trim();  // after slowlog-max-len shrank
  void reset() { entries_.clear(); }
  const std::deque<SlowLogEntry>& entries() const { return entries_; }  // newest first

 private:
  std::deque<SlowLogEntry> entries_;
  int64_t nextId_ = 0;
};

// Which arguments of a request Redis 7.0 hides from SLOWLOG and MONITOR: bit i
// set means args[i] shows as "(redacted)" (AUTH's credentials, HELLO's AUTH
// pair). 0 for every other command.
uint64_t redactedArguments(std::string_view specName, std::span<const std::string_view> args);

}  // namespace erdtree::command
