#pragma once
// The AOF rewrite's base file in RESP form (aof-use-rdb-preamble no), as
// Redis 7.0's rewriteAppendOnlyFileRio writes it: the whole keyspace as the
// commands that rebuild it, each a record of aof_format.h. Per database
// holding live keys, a `SELECT <db>` record (db 0 included), then per key:
//
//   string       SET key value
//   list         RPUSH key e1 ... e64, repeated until the list is out (head first)
//   set          SADD key m1 ... m64, repeated
//   sorted set   ZADD key s1 m1 ... s64 m64, repeated (ascending); scores as
//                util::formatDouble writes them ("%.17g", "inf", "-inf"),
//                which parse back to the identical double
//   hash         HSET key f1 v1 ... f64 v64, repeated
//
// and after a key with a TTL, `PEXPIREAT key <unix ms>`. 64 is Redis's
// AOF_REWRITE_ITEMS_PER_CMD (kRewriteItemsPerCommand). Keys expired at nowMs
// (Entry::expiredAt, as the RDB writer decides) are left out. A keyspace
// with no live key gives an empty file, which loads as an empty data set.
//
// Memory: records go through a ~64 KiB buffer that is handed to the sink
// whenever it fills, and an argument of 64 KiB or more goes to the sink
// directly instead of being copied, so a rewrite holds a bounded amount
// besides the keyspace itself, however large the data set or a value.
//
// The keyspace is only read: the tables are walked with forEach (no
// lookups, so no lazy expiry or rehash step touches them), which suits the
// forked child writing from its copy-on-write snapshot. The callers must not
// change ks while a call runs.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "erdtree/engine/keyspace.h"
#include "erdtree/persist/repl_position.h"

namespace erdtree::persist {

// Redis's AOF_REWRITE_ITEMS_PER_CMD: list elements, set members, sorted-set
// (score, member) pairs or hash (field, value) pairs per rewritten command.
inline constexpr size_t kRewriteItemsPerCommand = 64;

struct RewriteOptions {
  int64_t nowMs = 0;  // keys expired at nowMs are skipped
  // When valid, writeAofBaseFile ends the file with its `#RP:` line
  // (repl_position.h): the base is the stream up to that offset.
  ReplPosition repl;
};

struct RewriteStats {
  uint64_t keys = 0;   // keys written
  uint64_t bytes = 0;  // bytes handed to the sink
};

// Serializes the keyspace as RESP records (SELECT per non-empty db, one or
// more commands per key, PEXPIREAT for TTLs); out receives the bytes in
// chunks and returns false to abort, after which it is not called again and
// writeAofCommands returns false. stats, when given, is filled either way.
bool writeAofCommands(engine::Keyspace& ks, const RewriteOptions& opts,
                      const std::function<bool(std::string_view)>& out, RewriteStats* stats = nullptr);

// Writes the records to `path` (created, or truncated if it exists) and
// fsyncs it. Returns "" or the error: "<what failed> <path>: <strerror>".
// On an error the partial file is left for the caller, which owns the temp
// name and renames a complete file into place itself.
std::string writeAofBaseFile(const std::string& path, engine::Keyspace& ks, const RewriteOptions& opts,
                             RewriteStats* stats = nullptr);

}  // namespace erdtree::persist
