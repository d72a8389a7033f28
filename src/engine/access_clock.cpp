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

uint32_t lruIdleSeconds(uint32_t lruField, int64_t nowMs) {
  const uint32_t now = lruClockFromMs(nowMs);
  return now >= lruField ? now - lruField : (kLruClockMax - lruField) + now;
}

uint32_t initialAccessField(const AccessPolicy& p, int64_t nowMs) {
  return p.lfu ? lfuField(lfuMinutesFromMs(nowMs), kLfuInitVal) : lruClockFromMs(nowMs);
}

void touchEntryLfu(Entry* e, const AccessPolicy& p, int64_t nowMs) {
  const uint8_t decayed = lfuDecayedCounter(e->lru(), nowMs, p.lfuDecayTime);
  // 53 random bits make a uniform double in [0, 1).
  const double r = static_cast<double>(util::randomU64() >> 11) * 0x1.0p-53;
  e->setLru(lfuField(lfuMinutesFromMs(nowMs), lfuLogIncr(decayed, p.lfuLogFactor, r)));
}

}  // namespace erdtree::engine
