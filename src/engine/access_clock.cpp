#include "erdtree/engine/access_clock.h"

#include "erdtree/engine/keyspace.h"
#include "erdtree/util/random.h"

namespace erdtree::engine {

uint32_t lfuMinutesFromMs(int64_t unixMs) { return static_cast<uint32_t>(unixMs / 60000) & kLfuMinutesMask; }

uint32_t lfuMinutesElapsed(uint32_t then, int64_t nowMs) {
  const uint32_t now = lfuMinutesFromMs(nowMs);
  return now >= then ? now - then : kLfuMinutesMask - then + now;
}

uint8_t lfuDecayedCounter(uint32_t lruField, int64_t nowMs, int64_t decayTime) {
  const uint32_t counter = lruField & 0xff;
  if (decayTime <= 0) return static_cast<uint8_t>(counter);
  const uint64_t periods = lfuMinutesElapsed(lruField >> 8, nowMs) / static_cast<uint64_t>(decayTime);
  return periods >= counter ? 0 : static_cast<uint8_t>(counter - periods);
}

uint8_t lfuLogIncr(uint8_t counter, int64_t logFactor, double r) {
  if (counter == 255) return counter;
  const double base = counter > kLfuInitVal ? static_cast<double>(counter - kLfuInitVal) : 0.0;
  const double p = 1.0 / (base * static_cast<double>(logFactor) + 1.0);
  return r < p ? static_cast<uint8_t>(counter + 1) : counter;
}

namespace {

// Elapsed units between a 23-bit stamp and now's, one wrap allowed.
uint64_t elapsed23(uint32_t then, uint32_t now) { return (now - then) & kLruStampMask; }

uint32_t oldStampFromSeconds(int64_t unixSeconds) {
  return kLruOldStamp | (static_cast<uint32_t>(unixSeconds / kLruOldUnitSeconds) & kLruStampMask);
}

}  // namespace

uint64_t lruIdleTicks(uint32_t lruField, int64_t nowMs) {
  if ((lruField & kLruOldStamp) == 0) return elapsed23(lruField, lruStampFromMs(nowMs));
  const uint32_t nowUnits = oldStampFromSeconds(nowMs / 1000) & kLruStampMask;
  const uint64_t units = elapsed23(lruField & kLruStampMask, nowUnits);
  return units * kLruOldUnitSeconds * kLruTicksPerSecond;
}

uint32_t lruIdleSeconds(uint32_t lruField, int64_t nowMs) {
  return static_cast<uint32_t>(lruIdleTicks(lruField, nowMs) / kLruTicksPerSecond);
}

uint32_t lruAgedField(uint32_t lruField, int64_t nowMs) {
  if ((lruField & kLruOldStamp) != 0) return lruField;
  const int64_t idleSeconds = static_cast<int64_t>(lruIdleTicks(lruField, nowMs) / kLruTicksPerSecond);
  if (idleSeconds < kLruAgeAfterSeconds) return lruField;
  return oldStampFromSeconds(nowMs / 1000 - idleSeconds);
}

uint32_t initialAccessField(const AccessPolicy& p, int64_t nowMs) {
  return p.lfu ? lfuField(lfuMinutesFromMs(nowMs), kLfuInitVal) : lruStampFromMs(nowMs);
}

void touchEntryLfu(Entry* e, const AccessPolicy& p, int64_t nowMs) {
  const uint8_t decayed = lfuDecayedCounter(e->lru(), nowMs, p.lfuDecayTime);
  // 53 random bits make a uniform double in [0, 1).
  const double r = static_cast<double>(util::randomU64() >> 11) * 0x1.0p-53;
  e->setLru(lfuField(lfuMinutesFromMs(nowMs), lfuLogIncr(decayed, p.lfuLogFactor, r)));
}

}  // namespace erdtree::engine
