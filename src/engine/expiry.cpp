// Active expiry.
//
// Lazy expiry (Db::lookup) removes an expired key when someone touches it;
// this cycle removes the ones nobody touches, so their memory comes back.
//
// A key's TTL lives inside its entry (there is no second "expires" table as in
// Redis, which saves a table slot per volatile key), so the cycle walks each
// database's table with a SCAN cursor, which keeps its place across table
// growth. A round walks buckets until it has seen kVolatilePerRound * effort
// entries with a TTL (or kMaxBucketsPerRound buckets, so a database with few
// volatile keys cannot make a round long); it deletes the expired ones. Like
// Redis's cycle, another round follows while more than kRepeatPercent of the
// sampled keys had expired (a burst of expiries), and the whole cycle stops
// at its time budget: 1M keys expiring at once are reclaimed over many
// cycles while clients keep being served between them.
#include <cstdint>
#include <vector>

#include "erdtree/engine/keyspace.h"
#include "erdtree/util/clock.h"

namespace erdtree::engine {
namespace {

constexpr size_t kVolatilePerRound = 20;    // TTL keys examined per round per effort unit
constexpr size_t kMaxBucketsPerRound = 400; // bound on walking non-volatile keys
constexpr size_t kRepeatPercent = 10;       // keep going while more than this % expired

}  // namespace

ExpireCycleStats Keyspace::activeExpireCycle(int64_t nowMs, int64_t budgetUs, int effort) {
  ExpireCycleStats stats;
  if (mode_ != ExpiryMode::Delete) return stats;  // a replica waits for the master's DELs
  const int64_t start = util::monotonicUs();
  const size_t wantVolatile = kVolatilePerRound * static_cast<size_t>(effort < 1 ? 1 : effort);
  std::vector<Entry*> expired;
  expired.reserve(wantVolatile * 2);

  const int dbCount = count();
  for (int n = 0; n < dbCount; ++n) {
    Db& d = dbs_[static_cast<size_t>(nextDb_)];
    nextDb_ = (nextDb_ + 1) % dbCount;
    while (d.expiresCount() > 0) {
      size_t sampled = 0;
      size_t buckets = 0;
      int64_t ttlSum = 0;
      size_t ttlCount = 0;
      expired.clear();
      do {
        d.expireCursor = d.table().scan(d.expireCursor, [&](Entry* e) {
          if (!e->hasExpire()) return;
          ++sampled;
          int64_t left = e->expireAt() - nowMs;
          if (left <= 0) {
            expired.push_back(e);
          } else {
            // Saturate: TTLs near the end of time would overflow the sum.
            ttlSum = left > INT64_MAX - ttlSum ? INT64_MAX : ttlSum + left;
            ++ttlCount;
          }
        });
        ++buckets;
      } while (d.expireCursor != 0 && sampled < wantVolatile && buckets < kMaxBucketsPerRound);

      for (Entry* e : expired) d.expireEntry(e->key());
      stats.sampled += sampled;
      stats.expired += expired.size();
      if (ttlCount > 0) {
        int64_t avg = ttlSum / static_cast<int64_t>(ttlCount);
        d.avgTtlMs = d.avgTtlMs == 0 ? avg : (d.avgTtlMs / 50) * 49 + avg / 50;
      }
      if (util::monotonicUs() - start > budgetUs) {
        stats.timedOut = true;
        return stats;
      }
      // A full pass over a database that found little: wait for the next cycle.
      if (d.expireCursor == 0 && expired.empty()) break;
      if (sampled == 0 || expired.size() * 100 <= sampled * kRepeatPercent) break;
    }
  }
  return stats;
}

}  // namespace erdtree::engine
