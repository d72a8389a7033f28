#pragma once
// What the 24 bits of Entry::lru() mean, and how an access updates them.
//
// Under an LRU (or non-LFU) policy they hold the LRU clock: unix seconds
// modulo 2^24, so idle time is a subtraction with one wrap (194 days).
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

// Seconds since the entry's LRU clock (OBJECT IDLETIME, LRU eviction).
uint32_t lruIdleSeconds(uint32_t lruField, int64_t nowMs);

// The field a new key gets.
uint32_t initialAccessField(const AccessPolicy& p, int64_t nowMs);
// Records one access (a read or a write) of e under LFU.
void touchEntryLfu(Entry* e, const AccessPolicy& p, int64_t nowMs);
// Records one access (a read or a write) of e; the LRU case stays inline on
// the read path.
inline void touchEntry(Entry* e, const AccessPolicy& p, int64_t nowMs) {
  if (p.lfu) return touchEntryLfu(e, p, nowMs);
  e->setLru(static_cast<uint32_t>(nowMs / 1000) & kLruClockMax);  // lruClockFromMs, inline
}

}  // namespace erdtree::engine
