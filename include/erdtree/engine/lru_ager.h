#pragma once
// Moves LRU stamps idle for long into the old form (access_clock.h).
//
// Accesses write a recent stamp (1/32 s ticks, 23 bits), which wraps after
// 3.03 days: left alone, a key idle for 3.1 days would look 0.1 days idle.
// The server cron calls step() at every tick; it walks each database's table
// with a SCAN cursor, a share per tick sized so that a whole pass takes about
// kPassMs, and rewrites stamps idle for over kLruAgeAfterSeconds (12 h) in
// the 2-second old form. A key is so converted between 12 and ~16 hours idle,
// two days before its stamp could wrap.
//
// Cost: one read of each key's entry per pass, e.g. ~7k keys a second with
// 100M keys (under 0.1% of a core); only keys idle for 12 h are written.
// Not run under LFU policies, whose field holds a counter.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "erdtree/engine/keyspace.h"

namespace erdtree::engine {

class LruAger {
 public:
  static constexpr int64_t kPassMs = 4 * 3600 * 1000;

  // One cron tick's share (ticks every tickMs) of every database; returns
  // the stamps rewritten.
  size_t step(Keyspace& ks, int64_t nowMs, int64_t tickMs);
  // Visits up to `buckets` buckets of d's table from where the last visit
  // stopped; returns the stamps rewritten.
  size_t visit(Db& d, size_t buckets, int64_t nowMs);

 private:
  uint64_t& cursor(int db);
  std::vector<uint64_t> cursors_;
};

}  // namespace erdtree::engine
