#pragma once
// maxmemory on the server (Redis's performEvictions): before a command, and
// in slices between loop iterations after CONFIG SET lowered the limit, keys
// are evicted until used memory is under maxmemory or this call's time
// budget (maxmemory-eviction-tenacity: 50 us per step up to 10, so 500 us by
// default) is spent. Each eviction is a deletion like an expiry: watchers see
// a change, and the log and replicas get `DEL key` (`UNLINK key` with
// lazyfree-lazy-eviction), so a replica never evicts on its own.
//
// Used memory comes from engine::usedMemory() only (less replica output
// buffers and the AOF buffer, as Redis); each eviction measures what its
// delete freed from it.
#include <cstdint>
#include <functional>
#include <string>

#include "erdtree/command/context.h"
#include "erdtree/config/settings.h"
#include "erdtree/engine/eviction.h"
#include "erdtree/engine/memory_probe.h"

namespace erdtree::server {

class EvictionRunner final : public command::MemoryGuard {
 public:
  explicit EvictionRunner(command::Services& svc) : svc_(svc) {}

  // Mirrors the settings; a lowered maxmemory starts slices (Redis's
  // startEvictionTimeProc after CONFIG SET maxmemory).
  void apply(const config::Settings& s);
  // Tells whether this server is a replica now (it then ignores maxmemory
  // unless replica-ignore-maxmemory is no).
  void setReplicaProbe(std::function<bool()> isReplica) { isReplica_ = std::move(isReplica); }
  // Memory not counted against maxmemory (Redis's
  // freeMemoryGetNotCountedMemory): replicas' output buffers and the AOF
  // buffer. Evicting grows both (each eviction is a DEL for them), so
  // counting them could evict every key while a replica lags.
  void setNotCountedProbe(std::function<uint64_t()> probe) { notCounted_ = std::move(probe); }
  uint64_t notCountedBytes() const { return notCounted_ ? notCounted_() : 0; }

  // command::MemoryGuard
  bool active() const override;
  bool performEvictions() override;

  // Before each loop iteration's work: used memory is read afresh.
  // Whether eviction must go on between iterations (over the limit when a
  // time budget ran out, or after maxmemory was lowered).
  bool slicePending() const { return slicePending_; }
  // One time-bounded slice, between loop iterations.
  void runSlice();

  uint64_t evictedKeys() const { return evictedKeys_; }
  // INFO's total/current_eviction_exceeded_time, in milliseconds: time spent
  // over maxmemory (Redis counts from the first call that could not get
  // under to the first that found memory fine).
  uint64_t totalExceededMs() const;
  uint64_t currentExceededMs() const;
  void resetStats();

  // Time budget of one call for a tenacity (Redis's evictionTimeLimitUs).
  static int64_t timeLimitUs(int64_t tenacity);

 private:
  enum class Result { kOk, kRunning, kFail };
  Result evict();
  // Used memory, less what is not counted, is within maxmemory.
  bool underLimit();
  void updateMetrics(Result r);
  // Removes key from db, propagates the deletion; returns the estimated bytes freed.
  uint64_t evictKey(int db, const std::string& key);

  command::Services& svc_;
  engine::Evictor evictor_;
  engine::EvictionConfig cfg_;
  uint64_t maxmemory_ = 0;
  int64_t tenacity_ = 10;
  bool ignoreAsReplica_ = true;
  std::function<bool()> isReplica_;
  std::function<uint64_t()> notCounted_;
  bool slicePending_ = false;
  bool configured_ = false;  // apply() ran once (start-up settings)
  std::string victim_;  // reused: the key being evicted

  uint64_t evictedKeys_ = 0;
  uint64_t totalExceededUs_ = 0;
  int64_t exceededSinceUs_ = 0;  // monotonic start of the current over-limit stretch (0: none)
};

}  // namespace erdtree::server
