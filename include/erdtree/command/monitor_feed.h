#pragma once
// MONITOR: every command a client runs is copied, formatted as Redis does
// ("+<sec>.<usec> [<db> <addr>] "arg" ...", each argument quoted as Redis's
// sdscatrepr), to each monitoring client's output. The dispatcher checks
// empty() first, so nobody monitoring costs one comparison per command.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace erdtree::command {

struct Session;

class MonitorFeed {
 public:
  bool empty() const { return monitors_.empty(); }
  void add(Session& s);
  void remove(Session& s);  // a closing client, RESET
  // redactMask: arguments shown as "(redacted)" (see slowlog.h).
  void feed(const Session& from, int db, std::span<const std::string_view> args, uint64_t redactMask,
            int64_t unixUs);

 private:
  std::vector<Session*> monitors_;
  std::string line_;  // reused between feeds
};

}  // namespace erdtree::command
