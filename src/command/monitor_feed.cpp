#include "erdtree/command/monitor_feed.h"

#include <algorithm>
#include <cstdio>

#include "erdtree/command/context.h"
#include "erdtree/util/repr.h"

namespace erdtree::command {

void MonitorFeed::add(Session& s) {
  if (std::find(monitors_.begin(), monitors_.end(), &s) == monitors_.end()) monitors_.push_back(&s);
}

void MonitorFeed::remove(Session& s) { std::erase(monitors_, &s); }

void MonitorFeed::feed(const Session& from, int db, std::span<const std::string_view> args, uint64_t redactMask,
                       int64_t unixUs) {
  char head[64];
  std::snprintf(head, sizeof(head), "+%lld.%06lld [%d ", static_cast<long long>(unixUs / 1000000),
                static_cast<long long>(unixUs % 1000000), db);
  line_ = head;
  if (from.unixSocket) {  // Redis names the socket: "unix:<path>"
    line_ += "unix:";
    line_.append(from.addr, 0, from.addr.size() - 2);  // without the ":0"
  } else {
    line_ += from.addr;
  }
  line_ += ']';
  for (size_t i = 0; i < args.size(); ++i) {
    line_ += ' ';
    util::appendRepr(line_, i < 64 && (redactMask >> i & 1) != 0 ? std::string_view("(redacted)") : args[i]);
  }
  line_ += "\r\n";
  for (Session* m : monitors_) {
    if (m->sink == nullptr || m->replyMode == Session::ReplyMode::kOff) continue;
    m->sink->buffer() += line_;
    m->sink->appended();
  }
}

}  // namespace erdtree::command
