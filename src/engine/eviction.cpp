#include "erdtree/engine/eviction.h"
#include "erdtree/util/hash.h"

#include <algorithm>
#include <limits>

#include "erdtree/engine/access_clock.h"
#include "erdtree/util/random.h"

namespace erdtree::engine {

std::optional<EvictionPolicy> evictionPolicyFromName(std::string_view name) {
  if (name == "noeviction") return EvictionPolicy::kNoEviction;
  if (name == "allkeys-lru") return EvictionPolicy::kAllKeysLru;
  if (name == "volatile-lru") return EvictionPolicy::kVolatileLru;
  if (name == "allkeys-lfu") return EvictionPolicy::kAllKeysLfu;
  if (name == "volatile-lfu") return EvictionPolicy::kVolatileLfu;
  if (name == "allkeys-random") return EvictionPolicy::kAllKeysRandom;
  if (name == "volatile-random") return EvictionPolicy::kVolatileRandom;
  if (name == "volatile-ttl") return EvictionPolicy::kVolatileTtl;
  return std::nullopt;
}

bool isLfuPolicy(EvictionPolicy p) { return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu; }

bool isVolatilePolicy(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

EvictionPool::EvictionPool() {
  for (size_t i = 0; i < kSize; ++i) {
    slots_[i].key.reserve(kCachedKeyBytes);
    order_[i] = static_cast<uint8_t>(i);
  }
}

void EvictionPool::offer(uint64_t score, int db, std::string_view key) {
  const auto at = [&](size_t i) { return order_.begin() + static_cast<ptrdiff_t>(i); };
  // Most samples are no better than anything in a full pool: out at once,
  // before the key comparisons (this runs for every sampled key).
  if (count_ == kSize && score <= slots_[order_[0]].score) return;
  // A key pooled earlier is taken out first, so it is never pooled twice.
  const uint64_t keyHash = util::hashBytes(key, 0);
  for (size_t i = 0; i < count_; ++i) {
    const Candidate& c = slots_[order_[i]];
    if (c.keyHash == keyHash && c.db == db && c.key == key) {
      std::rotate(at(i), at(i + 1), at(count_));  // its slot joins the free ones
      --count_;
      break;
    }
  }
  // k: where the new candidate goes to keep scores ascending.
  size_t k = 0;
  while (k < count_ && slots_[order_[k]].score < score) ++k;
  if (count_ == kSize) {
    if (k == 0) return;  // no better than anything pooled
    // Drop the lowest: its slot moves to position k-1 and takes the new one.
    std::rotate(at(0), at(1), at(k));
    --k;
  } else {
    // The first free slot moves to position k.
    std::rotate(at(k), at(count_), at(count_ + 1));
    ++count_;
  }
  Candidate& c = slots_[order_[k]];
  c.score = score;
  c.keyHash = keyHash;
  c.db = db;
  c.key.assign(key);
}

bool EvictionPool::popBest(int& db, std::string& key) {
  if (count_ == 0) return false;
  const Candidate& c = slots_[order_[--count_]];
  db = c.db;
  key.assign(c.key);
  return true;
}

uint64_t evictionScore(const Entry* e, const EvictionConfig& cfg, int64_t nowMs) {
  switch (cfg.policy) {
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      return 255u - lfuDecayedCounter(e->lru(), nowMs, cfg.lfuDecayTime);
    case EvictionPolicy::kVolatileTtl:
      // The sooner it expires, the higher the score.
      return std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(e->expireAt());
    default:
      return lruIdleTicks(e->lru(), nowMs);
  }
}

uint64_t Evictor::nextRandom() { return util::randomU64(); }

void Evictor::populate(Db& d, const EvictionConfig& cfg, int64_t nowMs) {
  const int db = d.index();
  KeyTable& t = d.table();
  // Capped so one round stays short whatever maxmemory-samples says.
  const size_t samples = static_cast<size_t>(std::clamp<int64_t>(cfg.samples, 1, 4096));
  if (!isVolatilePolicy(cfg.policy)) {
    for (size_t i = 0; i < samples; ++i) {
      Entry* e = t.randomEntry(nextRandom());
      if (e != nullptr) pool_.offer(evictionScore(e, cfg, nowMs), db, e->key());
    }
    return;
  }
  // Buckets to visit for about `samples` TTL keys, given how rare they are
  // (a bucket holds ~5 keys).
  const size_t spread = d.size() / std::max<size_t>(d.expiresCount(), 1);
  const size_t budget = std::clamp(samples * spread / 4, kMinScanBuckets, kMaxScanBuckets);
  uint64_t& cursor = scanCursor(db);
  size_t found = 0;
  for (size_t visited = 0; visited < budget && found < samples; ++visited) {
    cursor = t.scan(cursor, [&](Entry* e) {
      if (!e->hasExpire()) return;
      pool_.offer(evictionScore(e, cfg, nowMs), db, e->key());
      ++found;
    });
  }
}

uint64_t& Evictor::scanCursor(int db) {
  if (scanCursors_.size() <= static_cast<size_t>(db)) scanCursors_.resize(static_cast<size_t>(db) + 1, 0);
  return scanCursors_[static_cast<size_t>(db)];
}

Entry* Evictor::randomVolatile(Db& d) {
  KeyTable& t = d.table();
  // Where most keys have a TTL (a cache setting EX on every write), a few
  // uniform draws find one.
  if (d.expiresCount() * 2 >= d.size()) {
    for (int i = 0; i < kVolatileRandomDraws; ++i) {
      Entry* e = t.randomEntry(nextRandom());
      if (e != nullptr && e->hasExpire()) return e;
    }
  }
  // Otherwise walk buckets from a random cursor and take a random one of
  // the TTL keys of the first bucket that has any: not always its first
  // slot, which tends to hold the bucket's longest-lived key (often a hot
  // one: taking it cost 2.4 points of hit ratio against Redis).
  Entry* pickEntry = nullptr;
  uint64_t cursor = nextRandom();
  for (size_t visited = 0; visited < kMaxScanBuckets && pickEntry == nullptr; ++visited) {
    uint64_t seen = 0;
    cursor = t.scan(cursor, [&](Entry* e) {
      if (!e->hasExpire()) return;
      ++seen;
      if (nextRandom() % seen == 0) pickEntry = e;  // reservoir of one
    });
  }
  return pickEntry;
}

bool Evictor::pick(Keyspace& ks, const EvictionConfig& cfg, int64_t nowMs, int& db, std::string& key) {
  if (cfg.policy == EvictionPolicy::kNoEviction) return false;
  const bool volatileOnly = isVolatilePolicy(cfg.policy);
  auto candidates = [&](Db& d) { return volatileOnly ? d.expiresCount() : d.size(); };

  if (cfg.policy == EvictionPolicy::kAllKeysRandom || cfg.policy == EvictionPolicy::kVolatileRandom) {
    for (int round = 0; round < kMaxRounds; ++round) {
      for (int i = 0; i < ks.count(); ++i) {
        Db& d = ks.db(nextDb_);
        nextDb_ = (nextDb_ + 1) % ks.count();
        if (candidates(d) == 0) continue;
        Entry* e = volatileOnly ? randomVolatile(d) : d.table().randomEntry(nextRandom());
        if (e == nullptr) continue;
        db = d.index();
        key.assign(e->key());
        return true;
      }
    }
    return false;
  }

  for (int round = 0; round < kMaxRounds; ++round) {
    size_t total = 0;
    for (int i = 0; i < ks.count(); ++i) {
      Db& d = ks.db(i);
      if (candidates(d) == 0) continue;
      populate(d, cfg, nowMs);
      total += candidates(d);
    }
    if (total == 0) return false;
    // Best first; candidates deleted (or TTL removed) since pooled are skipped.
    while (pool_.popBest(db, key)) {
      Entry* e = ks.db(db).table().find(key);
      if (e != nullptr && (!volatileOnly || e->hasExpire())) return true;
    }
  }
  return false;
}

}  // namespace erdtree::engine
