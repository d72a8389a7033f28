#pragma once
// maxmemory eviction: which key goes next, as Redis's approximated LRU/LFU.
//
// Exact LRU would need a list through every key (16 bytes each). Instead,
// each round samples maxmemory-samples keys per database (the whole keyspace
// for allkeys-*, keys with a TTL for volatile-*), scores them (idle time
// for LRU, in 1/32 s ticks; 255 - decayed counter for LFU; time left
// reversed for volatile-ttl) and offers them to a pool of the 16 best
// candidates seen so far, kept across rounds and calls. The best pooled key
// that still exists is evicted. With 5 samples this is close to true LRU (Redis measured it);
// more samples get closer at some CPU cost.
//
// Sampling: allkeys-* draws keys with BucketTable::randomEntry. Keys with a
// TTL have no table of their own, so volatile-* walks buckets with a SCAN
// cursor kept per database (continuing where the last round stopped) and
// keeps the TTL keys it meets, visiting more buckets the rarer TTL keys are,
// within kMaxScanBuckets per database and round. pick() gives up after
// kMaxRounds rounds (about 16k buckets, ~80k keys, per database): with a
// handful of TTL keys among millions it can report no candidate, and the
// caller then answers OOM as when there is none.
//
// Random policies skip the pool: a random key (with a TTL for
// volatile-random) of the next non-empty database, round robin. For
// volatile-random, when at least half the keys have a TTL, up to
// kVolatileRandomDraws uniform draws until one has a TTL; else (or if all
// miss) a random TTL key of the first bucket with any, walking from a random
// cursor.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "erdtree/engine/keyspace.h"

namespace erdtree::engine {

enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kVolatileLru,
  kAllKeysLfu,
  kVolatileLfu,
  kAllKeysRandom,
  kVolatileRandom,
  kVolatileTtl,
};

// Redis's maxmemory-policy names; nullopt for anything else.
std::optional<EvictionPolicy> evictionPolicyFromName(std::string_view name);
bool isLfuPolicy(EvictionPolicy p);
bool isVolatilePolicy(EvictionPolicy p);

// The best candidates seen so far, lowest score first (Redis's
// EVPOOL_SIZE pool). Key strings keep their capacity between uses, so
// offering a key of up to kCachedKeyBytes allocates nothing.
class EvictionPool {
 public:
  static constexpr size_t kSize = 16;
  static constexpr size_t kCachedKeyBytes = 255;

  EvictionPool();
  // Keeps (db, key) if its score beats the worst pooled one or the pool has
  // room. A key already pooled is re-scored.
  void offer(uint64_t score, int db, std::string_view key);
  // Moves the highest-scored candidate out into db/key; false when empty.
  bool popBest(int& db, std::string& key);
  size_t size() const { return count_; }
  void clear() { count_ = 0; }
  // Score of candidate i (0 = lowest), for tests.
  uint64_t scoreAt(size_t i) const { return slots_[order_[i]].score; }

 private:
  struct Candidate {
    uint64_t score = 0;
    uint64_t keyHash = 0;  // compared before the key itself
    int db = 0;
    std::string key;
  };
  // Candidates stay in their slots (their key buffers are reused); order_
  // lists the pooled slots by ascending score, then the free ones, so
  // keeping the order moves bytes, not strings.
  std::array<Candidate, kSize> slots_;
  std::array<uint8_t, kSize> order_{};
  size_t count_ = 0;
};

struct EvictionConfig {
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  int64_t samples = 5;       // maxmemory-samples
  int64_t lfuDecayTime = 1;  // lfu-decay-time
};

// The eviction score of e under cfg (higher = evict first).
uint64_t evictionScore(const Entry* e, const EvictionConfig& cfg, int64_t nowMs);

class Evictor {
 public:
  // Rounds of sampling pick() tries before concluding there is nothing to
  // evict (each round that finds only keys deleted since they were pooled
  // starts another).
  static constexpr int kMaxRounds = 16;
  // volatile-*: buckets visited per database and round.
  static constexpr size_t kMinScanBuckets = 64;
  static constexpr size_t kMaxScanBuckets = 1024;
  // volatile-random: uniform draws tried first when most keys have a TTL.
  static constexpr int kVolatileRandomDraws = 8;

  // Names the next key to evict under cfg (db and key); false when there is
  // none (no keys, or no keys with a TTL for volatile-*, or noeviction).
  bool pick(Keyspace& ks, const EvictionConfig& cfg, int64_t nowMs, int& db, std::string& key);
  // Forgets pooled candidates (FLUSHALL, policy change).
  void reset() { pool_.clear(); }
  const EvictionPool& pool() const { return pool_; }

 private:
  void populate(Db& d, const EvictionConfig& cfg, int64_t nowMs);
  Entry* randomVolatile(Db& d);
  uint64_t nextRandom();

  EvictionPool pool_;
  // Where volatile-* sampling goes on in each database's table.
  uint64_t& scanCursor(int db);
  std::vector<uint64_t> scanCursors_;
  int nextDb_ = 0;
  uint64_t rng_ = 0x853c49e6748fea9bULL;
};

}  // namespace erdtree::engine
