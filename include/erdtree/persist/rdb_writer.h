#pragma once
// Writes the whole keyspace as a Redis RDB file (version 10, as Redis 7.0
// writes it; format in rdb_format.h). Encodings written:
//   strings      int8/16/32 when the text is a canonical 32-bit integer, LZF
//                when compression is on, the string is over 20 bytes and
//                LZF saves at least 4 bytes, else raw
//   lists        QUICKLIST_2 with packed listpack nodes (up to the node size
//                list-max-listpack-size gives, 8 KiB by default)
//   sets         an intset blob while the set is an intset, else a plain set
//   hashes       a listpack blob while the hash is a listpack, else plain
//   sorted sets  a listpack blob while listpack, else ZSET_2 (binary scores)
// Keys already expired at nowMs are left out.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "erdtree/engine/encoding_limits.h"
#include "erdtree/engine/keyspace.h"
#include "erdtree/persist/repl_position.h"

namespace erdtree::persist {

struct SaveOptions {
  int64_t nowMs = 0;                 // ctime and the expiry cut-off
  uint64_t usedMemory = 0;           // the used-mem aux field
  engine::EncodingLimits limits{};   // list node size
  bool compress = true;              // rdbcompression
  bool checksum = true;              // rdbchecksum (false writes a 0 checksum)
  // repl-stream-db, repl-id, repl-offset (Redis's rdbSaveInfo); written when valid.
  ReplPosition repl;
};

struct SaveStats {
  uint64_t keys = 0;
  uint64_t bytes = 0;
};

// Serializes the keyspace; `out` receives the file in chunks and returns
// false to abort (then writeRdb returns false).
bool writeRdb(engine::Keyspace& ks, const SaveOptions& opts, const std::function<bool(std::string_view)>& out,
              SaveStats* stats = nullptr);

// DEBUG OBJECT's figures for one value.
struct ValueLayout {
  uint64_t serializedLength = 0;  // its RDB encoding without type byte and key (Redis's rdbSavedObjectLen)
  uint64_t listNodes = 0;         // lists: the listpack nodes the writer cuts it into
  uint64_t listBytes = 0;         // lists: those nodes' total size
};
ValueLayout describeValue(engine::Entry* e, const SaveOptions& opts);

// The whole file in memory (tests, DEBUG-style uses).
std::string dumpRdb(engine::Keyspace& ks, const SaveOptions& opts);

// Saves to `path` atomically: writes "temp-<pid>.rdb" in the same directory,
// fsyncs it, renames it over path and fsyncs the directory. Returns "" or
// the reason it failed (the old file is then untouched).
std::string saveRdbFile(const std::string& path, engine::Keyspace& ks, const SaveOptions& opts,
                        SaveStats* stats = nullptr);

}  // namespace erdtree::persist
