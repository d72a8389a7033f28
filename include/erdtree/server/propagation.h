#pragma once
// The propagation hub: every applied write's canonical record (one per write
// command) arrives here and is handed to each sink: the append-only log
// (Server::AofSink) and, with replication, the backlog. It also counts the
// records, which INFO reports. Records for replicas only (PUBLISH) skip the
// log sinks and are not counted.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "erdtree/command/context.h"

namespace erdtree::server {

class PropagationSink {
 public:
  virtual ~PropagationSink() = default;
  virtual void append(int db, std::span<const std::string_view> args) = 0;
};

class PropagationHub final : public command::Propagator {
 public:
  void propagate(int db, std::span<const std::string_view> args) override {
    if (muted_) return;
    ++records_;
    for (PropagationSink* s : sinks_) s->append(db, args);
  }
  void propagateToReplicas(int db, std::span<const std::string_view> args) override {
    if (muted_) return;
    for (PropagationSink* s : streamSinks_) s->append(db, args);
  }
  // A log sink gets what propagate() sends; a stream sink also what
  // propagateToReplicas() sends.
  void addSink(PropagationSink* sink) { sinks_.push_back(sink); }
  void addStreamSink(PropagationSink* sink) {
    sinks_.push_back(sink);
    streamSinks_.push_back(sink);
  }
  uint64_t records() const { return records_; }
  // While muted nothing is propagated: DEBUG LOADAOF replays the log into
  // the data set without writing it to the log again.
  void setMuted(bool muted) { muted_ = muted; }

 private:
  std::vector<PropagationSink*> sinks_;
  std::vector<PropagationSink*> streamSinks_;
  uint64_t records_ = 0;
  bool muted_ = false;
};

}  // namespace erdtree::server
