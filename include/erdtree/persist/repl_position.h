#pragma once
// Where a saved data set stands in its replication stream, so a restarted
// server can continue partially instead of taking a full resync.
//
// Two carriers, both readable by Redis tools:
//  - RDB aux fields, as Redis 7.0 writes them: `repl-stream-db` (the db the
//    stream had selected), `repl-id` (the stream's replication ID) and
//    `repl-offset` (the offset of the last byte the data set includes).
//  - An annotation line in the append-only log, inside the checksummed group
//    it describes (Redis and redis-check-aof skip '#' lines):
//
//      #RP:<40-hex replid>:<offset>:<stream db>\r\n
//
//    "the records up to here are the stream up to <offset>". A position is
//    only good while no record follows it, so every group of a server that
//    replicates ends with one. After a full resync the log no longer holds
//    the data set until the rewrite that follows has installed a new base;
//    `#RP:reset` in the old segments says so: a load that meets it ignores
//    every position of that load (the new base carries the right one).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace erdtree::persist {

struct ReplPosition {
  std::string replid;  // 40 hex digits
  int64_t offset = -1;
  int streamDb = 0;
  bool valid() const { return replid.size() == 40 && offset >= 0; }
};

inline constexpr std::string_view kPositionTag = "#RP:";
inline constexpr std::string_view kPositionReset = "#RP:reset\r\n";

// Appends `#RP:<replid>:<offset>:<db>\r\n` (p must be valid).
void appendPositionAnnotation(std::string& out, const ReplPosition& p);
void appendPositionAnnotation(std::string& out, std::string_view replid, int64_t offset, int streamDb);

enum class PositionLine { NotPosition, Position, Reset, Malformed };
// Classifies one annotation line (from '#' through "\r\n" or "\n").
PositionLine parsePositionAnnotation(std::string_view line, ReplPosition& out);

// The position in an RDB file's aux fields; false when absent or invalid
// (Redis ignores it then too: repl-stream-db -1 or a missing repl-id).
bool positionFromAux(const std::vector<std::pair<std::string, std::string>>& aux, ReplPosition& out);

// Replays the log's annotations in load order and tells the position that
// holds for what was loaded.
class PositionTracker {
 public:
  void annotation(std::string_view line);
  void record() { stale_ = true; }        // a record was replayed
  void base(const ReplPosition* p);       // an RDB base was loaded (p: its aux position)
  // The position of the data loaded so far; false when there is none.
  bool current(ReplPosition& out) const;
  bool sawReset() const { return reset_; }

 private:
  ReplPosition last_;
  bool have_ = false;
  bool stale_ = false;  // a record came after last_
  bool reset_ = false;
};

}  // namespace erdtree::persist
