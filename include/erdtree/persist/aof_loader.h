#pragma once
// Start-up recovery from the multi-part log (aof_manifest.h): the manifest
// names the base and the incr segments; each file's records are handed, in
// order, to a sink (the server feeds them through the Dispatcher as an
// internal client, so there is no second implementation of any command).
//
// Failure rules, as Redis 7.0:
//  - no manifest and no log files: nothing to load (a fresh start);
//    log files but no manifest, a manifest that does not parse, or a listed
//    file that does not exist: an error naming it;
//  - a record cut short at the end of the last file (a crash mid-write), or a
//    MULTI without its EXEC there: with allowTruncated the file is truncated
//    to the last complete record (or to before that MULTI) and loading goes
//    on with a warning; otherwise an error;
//  - a malformed byte anywhere, or a short record in a file that is not the
//    last: an error naming the file and the byte offset;
//  - a record the sink refuses (an error reply): an error naming file and offset.
// A base whose bytes start with "REDIS" is an RDB file (the rewrite writes
// one when aof-use-rdb-preamble is yes, as Redis 7.0 does, named
// <prefix>.<seq>.base.rdb) and goes to the sink's loadRdbBase whole.
// Each file is read whole into memory while it is replayed (segments are
// bounded by aof-segment-max-size; a base is as large as the data set).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "erdtree/persist/aof_manifest.h"

namespace erdtree::persist {

class AofLoadSink {
 public:
  virtual ~AofLoadSink() = default;
  // A new file starts: replay state (selected db, open MULTI) starts afresh.
  virtual void beginFile() = 0;
  // Applies one record; returns "" or the error reply text.
  virtual std::string apply(std::span<const std::string_view> args) = 0;
  // Drops a MULTI whose EXEC was cut off (the truncated-tail case).
  virtual void abortMulti() = 0;
  // Loads a base file in RDB form (aof-use-rdb-preamble): the whole file.
  // Returns "" or the error; keys receives the number of keys loaded.
  virtual std::string loadRdbBase(std::string_view data, uint64_t& keys) = 0;
};

struct AofLoadResult {
  enum class Status { Loaded, NoLog, Error };
  Status status = Status::NoLog;
  std::string error;           // Error: what and where
  AofManifest manifest;        // Loaded: the manifest read
  uint64_t records = 0;        // records applied
  uint64_t baseSize = 0;       // bytes, after any truncation
  uint64_t totalSize = 0;      // base + incr segments
  bool truncated = false;      // a truncated tail was cut off
};

// dir is the log directory (dir/<appenddirname>), prefix the appendfilename.
AofLoadResult loadAof(const std::string& dir, std::string_view prefix, bool allowTruncated, AofLoadSink& sink);

}  // namespace erdtree::persist
