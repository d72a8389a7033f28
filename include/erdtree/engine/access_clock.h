#pragma once
// What the 24 bits of Entry::lru() mean, and how an access updates them.
//
// Under an LRU (or non-LFU) policy they hold when the key was last accessed,
// in one of two forms told apart by bit 23:
//   0: a recent stamp, unix time in 1/32 s ticks modulo 2^23 (wraps every
//      3.03 days). Every access writes this form.
//   1: an old stamp, unix time in 2 s units modulo 2^23 (wraps every 194
//      days, as Redis's 24-bit seconds clock).
// Redis keeps seconds, so a trace whose keys are reused within a second or
// two ties them all on idle time and eviction picks among them at random
// (measured: 1.6 points of hit ratio below exact LRU on memory_bench's Zipf
// trace; 1/32 s ticks: 0.2). The recent form alone would alias after three
// days, so LruAger (lru_ager.h) rewrites stamps idle for over
// kLruAgeAfterSeconds into the old form, visiting every key a few times
// within that window; idle time (OBJECT IDLETIME, in seconds) stays right
// up to 194 days like Redis's.
//
// Under an LFU policy (allkeys-lfu, volatile-lfu) they hold, as Redis does,
//   [16 bits: last decrement time, unix minutes mod 2^16][8 bits: counter]
// The counter is logarithmic: an access increments it with probability
// 1 / ((counter - kLfuInitVal) * lfu-log-factor + 1), so with the default
// factor 10 it reaches 255 after about a million accesses. It decays by one
// per lfu-decay-time minutes without access, applied lazily when the key is
// next touched or looked at. New keys start at kLfuInitVal so that they are
// not evicted before they had a chance to be read.
//
// Switching policy at run time leaves the bits as they were: they are read
// the new way and converge as keys are accessed (Redis says the same).
#include <cstdint>

#include "erdtree/engine/entry.h"
#include "erdtree/engine/keyspace.h"

namespace erdtree::engine {

// The lru-field behaviour the access paths need (mirrors the settings).
struct AccessPolicy {
  bool lfu = false;          // maxmemory-policy is allkeys-lfu or volatile-lfu
  int64_t lfuLogFactor = 10;
  int64_t lfuDecayTime = 1;  // minutes per decrement; 0: never decays
};

inline constexpr uint8_t kLfuInitVal = 5;
inline constexpr uint32_t kLfuMinutesMask = 0xffff;

uint32_t lfuMinutesFromMs(int64_t unixMs);
// Minutes since `then` (16-bit minutes, one wrap allowed).
uint32_t lfuMinutesElapsed(uint32_t then, int64_t nowMs);
// The counter of an LFU lru field after the decay due by now (OBJECT FREQ).
uint8_t lfuDecayedCounter(uint32_t lruField, int64_t nowMs, int64_t decayTime);
// One logarithmic increment; r is uniform in [0, 1).
uint8_t lfuLogIncr(uint8_t counter, int64_t logFactor, double r);
// An LFU lru field.
inline uint32_t lfuField(uint32_t minutes, uint8_t counter) { return ((minutes & kLfuMinutesMask) << 8) | counter; }

inline constexpr int64_t kLruTicksPerSecond = 32;
inline constexpr uint32_t kLruOldStamp = 1u << 23;  // bit 23: the old form
inline constexpr uint32_t kLruStampMask = kLruOldStamp - 1;
inline constexpr int64_t kLruOldUnitSeconds = 2;
// A recent stamp idle this long is due for the old form (well within the
// recent form's 3.03-day wrap, so a late ager still finds it right).
inline constexpr int64_t kLruAgeAfterSeconds = 12 * 3600;

// The recent-form stamp of unixMs (an access's LRU field).
inline uint32_t lruStampFromMs(int64_t unixMs) {
  return static_cast<uint32_t>(unixMs * kLruTicksPerSecond / 1000) & kLruStampMask;
}
// Idle time of an LRU field in 1/32 s ticks (LRU eviction's score).
uint64_t lruIdleTicks(uint32_t lruField, int64_t nowMs);
// Idle seconds of an LRU field (OBJECT IDLETIME).
uint32_t lruIdleSeconds(uint32_t lruField, int64_t nowMs);
// The field to keep for e's LRU field now: the same, or the old form once
// it has been idle for kLruAgeAfterSeconds.
uint32_t lruAgedField(uint32_t lruField, int64_t nowMs);

// The field a new key gets.
uint32_t initialAccessField(const AccessPolicy& p, int64_t nowMs);
// Records one access (a read or a write) of e under LFU.
void touchEntryLfu(Entry* e, const AccessPolicy& p, int64_t nowMs);
// Records one access (a read or a write) of e; the LRU case stays inline on
// the read path.
inline void touchEntry(Entry* e, const AccessPolicy& p, int64_t nowMs) {
  if (p.lfu) return touchEntryLfu(e, p, nowMs);
  e->setLru(lruStampFromMs(nowMs));
}

}  // namespace erdtree::engine
