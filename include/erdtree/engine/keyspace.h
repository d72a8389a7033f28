#pragma once
// The keyspace: N numbered databases, each a BucketTable of Entry pointers.
// Db owns its entries. Every read goes through lookup(), which hides and
// deletes keys whose TTL has passed (lazy expiry); activeExpireCycle() finds
// the ones nobody reads (see expiry.cpp for the cycle's design).
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "erdtree/engine/entry.h"
#include "erdtree/engine/key_table.h"
#include "erdtree/engine/lazy_free.h"
#include "erdtree/engine/table.h"

namespace erdtree::engine {

// Told about every key the engine removes on its own (expiry), so the command
// layer can propagate a DEL and wake watchers. Never called for user deletes.
using ExpiredKeyListener = std::function<void(int db, std::string_view key)>;
// Told about every key added (Db::insert, Redis's dbAdd): blocked clients
// waiting for that key may now be served.
using KeyAddedListener = std::function<void(int db, std::string_view key)>;

// How lookups treat a key whose TTL has passed. A master deletes it (and the
// listener propagates a DEL); a replica must not delete on its own (the
// master's DEL arrives through the stream), so normal clients just don't see
// it (HideOnly) and the master's own commands see it as it still exists on
// the master (Ignore), as Redis's expireIfNeeded does on a replica.
enum class ExpiryMode { Delete, HideOnly, Ignore };

// Which deletions free big values in the background (the lazyfree-lazy-*
// settings; all off by default, as in Redis 7.0). The Db applies expire and
// serverDel itself; the eviction code passes eviction to Db::freeEntry; the
// others are read where the command is (DEL, FLUSHALL/FLUSHDB, a replica's
// flush before a full sync).
struct LazyFreePolicy {
  bool eviction = false;     // lazyfree-lazy-eviction: keys evicted for maxmemory
  bool expire = false;       // lazyfree-lazy-expire: expired keys
  bool serverDel = false;    // lazyfree-lazy-server-del: implicit deletes (overwrite, RENAME, ...)
  bool userDel = false;      // lazyfree-lazy-user-del: DEL behaves as UNLINK
  bool userFlush = false;    // lazyfree-lazy-user-flush: FLUSH* without a modifier are ASYNC
  bool replicaFlush = false; // replica-lazy-flush: a replica's flush before loading a full sync
};

// The freeing context a database reaches back to (owned by the Keyspace).
struct FreeContext {
  LazyFreer freer;
  LazyFreePolicy policy;
};

// Redis's 24-bit LRU clock in seconds (INFO lru_clock). Entries keep a
// finer stamp of their own (access_clock.h).
constexpr uint32_t kLruClockMax = (1u << 24) - 1;
uint32_t lruClockFromMs(int64_t unixMs);

class Db {
 public:
  Db(int index, ExpiredKeyListener* listener, KeyAddedListener* added = nullptr, const ExpiryMode* mode = nullptr,
     FreeContext* free = nullptr)
      : index_(index), listener_(listener), added_(added), mode_(mode), free_(free) {}
  ~Db();
  Db(Db&&) = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  int index() const { return index_; }

  // The live entry for key, or nullptr (expired keys are deleted here).
  Entry* lookup(std::string_view key, int64_t nowMs);
  // Slot holding key's live entry, for replacing it with a reallocated one.
  Entry** lookupRef(std::string_view key, int64_t nowMs);
  // Adds an entry whose key is absent. Takes ownership.
  void insert(Entry* e);
  // Replaces the entry stored in *ref with a separately built entry e (the
  // old one is freed, lazily under lazyfree-lazy-server-del), keeping the
  // expires count right.
  void replace(Entry** ref, Entry* e);
  // Sets or removes (kNoExpire) the TTL of the entry in *ref, which may be
  // reallocated; keeps the expires count right.
  void setExpire(Entry** ref, int64_t expireAtMs);
  // Deletes a live key; returns false if it did not exist (or had expired).
  // An implicit delete: lazy when lazyfree-lazy-server-del is on.
  bool remove(std::string_view key, int64_t nowMs);
  // The same with the freeing mode chosen by the caller (DEL, UNLINK).
  bool remove(std::string_view key, int64_t nowMs, bool lazy);
  // Detaches the entry from the table without freeing it (RENAME, MOVE).
  Entry* detach(std::string_view key);
  // Empties the database. lazy: the table is swapped for an empty one at
  // once and freed on the background thread (FLUSHALL ASYNC).
  void clear(bool lazy = false);
  // Frees an entry already detached from the table: inline, or in the
  // background when lazy and big (see lazy_free.h). For eviction, pass
  // policy().eviction.
  void freeEntry(Entry* e, bool lazy);
  // The lazy-free settings (defaults when the Db has no keyspace).
  const LazyFreePolicy& policy() const;

  size_t size() const { return table_.size(); }
  size_t expiresCount() const { return expires_; }
  KeyTable& table() { return table_; }

  // Bookkeeping for callers that change an entry's TTL in place.
  void noteExpireChange(bool hadExpire, bool hasExpire);

  // Active expiry state (expiry.cpp).
  uint64_t expireCursor = 0;
  int64_t avgTtlMs = 0;

  // SWAPDB: exchanges every key (and the expiry bookkeeping) with other.
  void swapContents(Db& other);

  // Removes an entry without telling anyone (a replica's stale entry).
  void detachSilently(std::string_view key);
  // Removes an entry found expired and tells the listener.
  void expireEntry(std::string_view key);

 private:
  int index_;
  ExpiredKeyListener* listener_;
  KeyAddedListener* added_;
  const ExpiryMode* mode_;
  FreeContext* free_;
  KeyTable table_;
  size_t expires_ = 0;
};

struct ExpireCycleStats {
  size_t sampled = 0;   // entries with a TTL looked at
  size_t expired = 0;   // of those, deleted
  bool timedOut = false;
};

class Keyspace {
 public:
  explicit Keyspace(int databases);
  Keyspace(const Keyspace&) = delete;  // databases point back at dispatch_
  Keyspace& operator=(const Keyspace&) = delete;
  Db& db(int index) { return dbs_[static_cast<size_t>(index)]; }
  int count() const { return static_cast<int>(dbs_.size()); }
  void setExpiredListener(ExpiredKeyListener l) { listener_ = std::move(l); }
  void setKeyAddedListener(KeyAddedListener l) { added_ = std::move(l); }
  void setExpiryMode(ExpiryMode m) { mode_ = m; }
  ExpiryMode expiryMode() const { return mode_; }

  // One active expiry cycle over all databases, spending at most budgetUs.
  ExpireCycleStats activeExpireCycle(int64_t nowMs, int64_t budgetUs, int effort);
  // Moves incremental rehashing along for up to budgetUs (server cron).
  void rehashStep(int64_t budgetUs);

  uint64_t totalKeys() const;

  // Lazy free (lazy_free.h): the settings, and the background freer whose
  // counters INFO memory reports.
  LazyFreePolicy& lazyFreePolicy() { return free_.policy; }
  LazyFreer& lazyFreer() { return free_.freer; }
  // Empties every database (FLUSHALL; a replica before a full sync).
  void clearAll(bool lazy);
  uint64_t expiredKeys() const { return expiredKeys_; }
  void addExpiredKeys(uint64_t n) { expiredKeys_ += n; }
  void resetStats() { expiredKeys_ = 0; }

 private:
  FreeContext free_;  // before dbs_: outlives them
  std::vector<Db> dbs_;
  ExpiredKeyListener listener_;
  ExpiredKeyListener dispatch_;
  KeyAddedListener added_;
  ExpiryMode mode_ = ExpiryMode::Delete;
  uint64_t expiredKeys_ = 0;
  int nextDb_ = 0;
};

}  // namespace erdtree::engine
