#include "erdtree/server/eviction_runner.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <limits>

#include "erdtree/util/clock.h"

namespace erdtree::server {
namespace {

// Keys are evicted in batches of this many between clock reads (Redis: 16).
constexpr uint64_t kKeysPerTimeCheck = 16;

}  // namespace

int64_t EvictionRunner::timeLimitUs(int64_t tenacity) {
  if (tenacity <= 10) return 50 * tenacity;  // linear up to 500 us
  if (tenacity < 100) return static_cast<int64_t>(500.0 * std::pow(1.15, static_cast<double>(tenacity - 10)));
  return std::numeric_limits<int64_t>::max();  // no limit
}

void EvictionRunner::apply(const config::Settings& s) {
  const engine::EvictionPolicy policy =
      engine::evictionPolicyFromName(s.maxmemoryPolicy).value_or(engine::EvictionPolicy::kNoEviction);
  if (policy != cfg_.policy) evictor_.reset();  // pooled scores mean something else now
  cfg_.policy = policy;
  cfg_.samples = s.maxmemorySamples;
  cfg_.lfuDecayTime = s.lfuDecayTime;
  svc_.access = engine::AccessPolicy{engine::isLfuPolicy(policy), s.lfuLogFactor, s.lfuDecayTime};
  // A new or lower limit: evict down to it between loop iterations, without
  // waiting for a command.
  if (s.maxmemory != 0 && (maxmemory_ == 0 || s.maxmemory < maxmemory_)) {
    slicePending_ = true;
    const uint64_t used = configured_ ? engine::usedMemory() : 0;  // not at start-up
    if (used > s.maxmemory)
      spdlog::warn(
          "WARNING: the new maxmemory value set via CONFIG SET ({}) is smaller than the current memory usage ({}). "
          "This will result in key eviction and/or the inability to accept new write commands depending on the "
          "maxmemory-policy.",
          s.maxmemory, used);
  }
  maxmemory_ = s.maxmemory;
  tenacity_ = s.maxmemoryEvictionTenacity;
  ignoreAsReplica_ = s.replicaIgnoreMaxmemory;
  configured_ = true;
}

bool EvictionRunner::active() const {
  return maxmemory_ != 0 && !(ignoreAsReplica_ && isReplica_ && isReplica_());
}

bool EvictionRunner::performEvictions() {
  const Result r = evict();
  updateMetrics(r);
  return r != Result::kFail;
}

void EvictionRunner::runSlice() {
  slicePending_ = false;
  updateMetrics(evict());
}

bool EvictionRunner::underLimit() {
  const uint64_t used = engine::usedMemory();
  if (used <= maxmemory_) return true;
  const uint64_t notCounted = notCountedBytes();
  return used <= maxmemory_ + notCounted;
}

EvictionRunner::Result EvictionRunner::evict() {
  if (!active()) return Result::kOk;
  if (underLimit()) return Result::kOk;
  uint64_t used = engine::usedMemory();
  const uint64_t notCounted = notCountedBytes();
  used = used > notCounted ? used - notCounted : 0;
  if (cfg_.policy == engine::EvictionPolicy::kNoEviction) return Result::kFail;
  const uint64_t toFree = used - maxmemory_;
  const int64_t startUs = util::monotonicUs();
  const int64_t limitUs = timeLimitUs(tenacity_);
  const int64_t nowMs = util::unixTimeMs();
  uint64_t freed = 0;
  uint64_t keys = 0;
  Result result = Result::kOk;
  int db = 0;
  while (freed < toFree) {
    if (!evictor_.pick(svc_.keyspace, cfg_, nowMs, db, victim_)) {
      result = Result::kFail;
      break;
    }
    freed += evictKey(db, victim_);
    if (++keys % kKeysPerTimeCheck != 0) continue;
    // Lazily freed values leave later, on the lazy-free thread: what a delete
    // measured understates them, so look at memory itself now and then.
    if (svc_.keyspace.db(0).policy().eviction && underLimit()) break;
    if (util::monotonicUs() - startUs > limitUs) {
      slicePending_ = true;  // the rest between loop iterations
      result = Result::kRunning;
      break;
    }
  }
  if (svc_.latency.thresholdMs != 0)
    svc_.latency.addSampleIfNeeded("eviction-cycle", (util::monotonicUs() - startUs) / 1000, nowMs / 1000);
  return result;
}

uint64_t EvictionRunner::evictKey(int db, const std::string& key) {
  engine::Db& d = svc_.keyspace.db(db);
  const uint64_t before = engine::usedMemory();
  engine::Entry* e = d.detach(key);
  if (e == nullptr) return 0;
  // Propagated like an expiry (Redis's propagateDeletion), before the command
  // that made room for itself.
  const bool lazy = d.policy().eviction;  // lazyfree-lazy-eviction
  const std::string_view del[] = {lazy ? "UNLINK" : "DEL", key};
  svc_.propagator.propagate(db, del);
  svc_.watches.touch(db, key);
  d.freeEntry(e, lazy);  // a big value goes to the lazy-free thread when lazy
  ++evictedKeys_;
  const uint64_t after = engine::usedMemory();
  return before > after ? before - after : 0;
}

void EvictionRunner::updateMetrics(Result r) {
  const int64_t now = util::monotonicUs();
  if (r == Result::kOk) {
    if (exceededSinceUs_ != 0) totalExceededUs_ += static_cast<uint64_t>(now - exceededSinceUs_);
    exceededSinceUs_ = 0;
  } else if (exceededSinceUs_ == 0) {
    exceededSinceUs_ = now;
  }
}

uint64_t EvictionRunner::currentExceededMs() const {
  return exceededSinceUs_ == 0 ? 0 : static_cast<uint64_t>(util::monotonicUs() - exceededSinceUs_) / 1000;
}

uint64_t EvictionRunner::totalExceededMs() const {
  const uint64_t current = exceededSinceUs_ == 0 ? 0 : static_cast<uint64_t>(util::monotonicUs() - exceededSinceUs_);
  return (totalExceededUs_ + current) / 1000;
}

void EvictionRunner::resetStats() {
  evictedKeys_ = 0;
  totalExceededUs_ = 0;
  if (exceededSinceUs_ != 0) exceededSinceUs_ = util::monotonicUs();
}

}  // namespace erdtree::server
