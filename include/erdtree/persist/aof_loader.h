#pragma once
// Start-up recovery from the multi-part log (aof_manifest.h): the manifest
// names the base and the incr segments; each file's records are handed, in
// order, to a sink (the server feeds them through the Dispatcher as an
// internal client, so there is no second implementation of any command).
//
// Failure rules, as Redis 7.0, with checksummed groups (aof_file_check.h
// decides what a file's bytes amount to):
//  - no manifest and no log files: nothing to load (a fresh start);
//    log files but no manifest, a manifest that does not parse, or a listed
//    file that does not exist: an error naming it;
//  - a torn tail at the end of the last file (a record cut short by a crash
//    mid-write, a MULTI without its EXEC, or in a checksummed file zeros,
//    garbage or a failed group with no intact group after them): with
//    allowTruncated the file is truncated to its valid end and loading goes
//    on with a warning; otherwise an error;
//  - corruption anywhere (a malformed byte; in a checksummed file damage
//    with an intact group after it), or a torn tail in a file that is not
//    the last: an error naming the file and the byte offset; the file is
//    not modified;
//  - a record the sink refuses (an error reply): an error naming file and offset.
// A base whose bytes start with "REDIS" is an RDB file (the rewrite writes
// one when aof-use-rdb-preamble is yes, as Redis 7.0 does, named
// <prefix>.<seq>.base.rdb) and goes to the sink's loadRdbBase whole.
// A file is checked whole before any of its records is replayed.
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
  // Applies one record; returns "" or the error reply text. A file's
  // records never end inside MULTI (an unfinished one is not replayed).
  virtual std::string apply(std::span<const std::string_view> args) = 0;
  // Loads a base file in RDB form (aof-use-rdb-preamble): the whole file.
  // Returns "" or the error; keys receives the number of keys loaded.
  virtual std::string loadRdbBase(std::string_view data, uint64_t& keys) = 0;
  // A '#' line among the replayed records (only from verified groups), in
  // order with them: the replication position lines (repl_position.h).
  virtual void annotation(std::string_view /*line*/) {}
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
  // The last file is checksummed and ends after a whole group, so the writer
  // may append its groups to it (else it starts a new segment).
  bool lastFileSealed = false;
};

// dir is the log directory (dir/<appenddirname>), prefix the appendfilename.
AofLoadResult loadAof(const std::string& dir, std::string_view prefix, bool allowTruncated, AofLoadSink& sink);

}  // namespace erdtree::persist
