#pragma once
// When a collection leaves its compact encoding (Redis's listpack/intset) for
// the large one. Mirrors the settings of the same names; the server updates
// the copy in command::Services when they change.
#include <cstdint>

namespace erdtree::engine {

struct EncodingLimits {
  int64_t hashMaxListpackEntries = 128;   // hash-max-listpack-entries
  int64_t hashMaxListpackValue = 64;      // hash-max-listpack-value
  int64_t listMaxListpackSize = -2;       // list-max-listpack-size (-1..-5: 4..64 KiB per node; >0: entries)
  int64_t setMaxIntsetEntries = 512;      // set-max-intset-entries
  int64_t zsetMaxListpackEntries = 128;   // zset-max-listpack-entries
  int64_t zsetMaxListpackValue = 64;      // zset-max-listpack-value
};

}  // namespace erdtree::engine
