#pragma once
// Loads a Redis RDB file (versions 1..11: everything Redis 7.0 writes, and
// the older encodings it still loads) into an engine::Keyspace.
//
// Supported: strings (raw, int-encoded, LZF), lists (plain, ziplist,
// quicklist of ziplists, quicklist 2 with PLAIN and PACKED nodes), sets
// (plain, intset, listpack), hashes (plain, ziplist, listpack), sorted sets
// (plain with text scores, ZSET_2 with binary scores, ziplist, listpack),
// second and millisecond expiry times, AUX fields, IDLE/FREQ (ignored),
// module AUX data and function libraries (skipped and counted: erdtree has
// neither modules nor functions). Rejected with an error: module values,
// streams, zipmap hashes, the pre-GA function opcode.
//
// Values are built through the engine's own insert paths, so each one ends
// up in the encoding the configured thresholds (EncodingLimits) give, not
// the one the file used. Keys whose TTL has passed are dropped (as a master
// does), and empty collections are skipped, as Redis 7.0 does.
//
// Corrupt or truncated input yields an error naming the byte offset; every
// length is checked against the bytes left before anything is allocated.
// On error the keyspace holds whatever was loaded before the bad record.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "erdtree/engine/access_clock.h"
#include "erdtree/engine/encoding_limits.h"
#include "erdtree/engine/keyspace.h"

namespace erdtree::persist {

struct LoadOptions {
  int64_t nowMs = 0;                // for dropping expired keys
  bool dropExpired = true;
  engine::EncodingLimits limits{};
  uint64_t maxStringLen = 512ull << 20;  // longest string value accepted
  engine::AccessPolicy access{};        // loaded keys start as new keys do (LRU clock or LFU counter)
  bool replaceExisting = false;         // a key already in the keyspace is replaced (DEBUG RELOAD MERGE), not an error
};

struct LoadResult {
  bool ok = false;
  std::string error;      // "" when ok; otherwise includes the offset
  uint64_t errorOffset = 0;
  int version = 0;
  uint64_t keys = 0;             // keys loaded
  uint64_t expiredSkipped = 0;   // keys dropped because their TTL had passed
  uint64_t emptySkipped = 0;     // empty collections skipped
  uint64_t skippedModuleAux = 0;
  uint64_t skippedFunctions = 0;
  std::vector<std::pair<std::string, std::string>> aux;
};

LoadResult loadRdb(std::string_view data, engine::Keyspace& ks, const LoadOptions& opts);
// Reads the file and loads it; a missing file is an error (check first).
LoadResult loadRdbFile(const std::string& path, engine::Keyspace& ks, const LoadOptions& opts);

}  // namespace erdtree::persist
