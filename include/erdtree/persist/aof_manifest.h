#pragma once
// The multi-part log's manifest, in Redis 7.0's text format.
//
// Layout (as Redis 7.0): dir/<appenddirname>/ holds
//   <appendfilename>.<seq>.base.aof   the data at some point (optional)
//   <appendfilename>.<seq>.incr.aof   records appended since, in seq order
//   <appendfilename>.manifest         which of these make up the data set
// One line per file: `file <name> seq <n> type b|i|h`, where h marks history
// a rewrite left behind (ignored on load). Names that need it are written in
// double quotes with C escapes, as Redis's sdscatrepr. The manifest is only
// ever replaced whole (write a temp file, fsync, rename, fsync the
// directory), so a crash leaves the old or the new one, never a mix.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace erdtree::persist {

enum class AofFileType : char { Base = 'b', Incr = 'i', History = 'h' };

struct AofFileInfo {
  std::string name;
  int64_t seq = 0;
  AofFileType type = AofFileType::Incr;
  bool operator==(const AofFileInfo&) const = default;
};

struct AofManifest {
  std::optional<AofFileInfo> base;
  std::vector<AofFileInfo> incrs;    // ascending seq: the load order after the base
  std::vector<AofFileInfo> history;  // left over from a rewrite; not loaded

  // The manifest's text; parse(format()) gives back the same manifest.
  std::string format() const;
  // Fills out, or returns false with the reason (Redis's wording where it has one).
  static bool parse(std::string_view text, AofManifest& out, std::string& error);
  // Sequence number for the next incr segment (1 for the first).
  int64_t nextIncrSeq() const { return incrs.empty() ? 1 : incrs.back().seq + 1; }
  // Sequence number for the next base (a rewrite's result).
  int64_t nextBaseSeq() const { return base ? base->seq + 1 : 1; }
  bool operator==(const AofManifest&) const = default;
};

std::string aofBaseName(std::string_view prefix, int64_t seq);      // appendonly.aof.1.base.aof
std::string aofBaseRdbName(std::string_view prefix, int64_t seq);   // appendonly.aof.1.base.rdb (RDB preamble)
std::string aofIncrName(std::string_view prefix, int64_t seq);      // appendonly.aof.1.incr.aof
std::string aofManifestName(std::string_view prefix);               // appendonly.aof.manifest

// The manifest a finished rewrite installs: newBase as the base and the incr
// segments of `current` whose seq is at least firstKeptIncr (pass INT64_MAX
// to keep none). Every file of `current` not listed any more (the old base,
// older incrs, history) is appended to obsolete: the caller removes them once
// the new manifest is durable.
AofManifest manifestAfterRewrite(const AofManifest& current, const AofFileInfo& newBase, int64_t firstKeptIncr,
                                 std::vector<std::string>& obsolete);

// Small file helpers shared by the writer and the loader. They return "" or
// the error text (with strerror).
std::string readWholeFile(const std::string& path, std::string& out);
std::string fsyncDirectory(const std::string& dir);
// Removes what a crash in the middle of a rewrite or of turning the log on
// leaves in dir: temp-rewriteaof-bg-*.aof, temp-*.rdb and
// temp-<prefix>.incr (none of them is ever listed in a manifest).
void removeTempLogFiles(const std::string& dir, std::string_view prefix);
// Replaces dir/<prefix>.manifest atomically (temp file, fsync, rename, fsync dir).
std::string storeManifest(const std::string& dir, std::string_view prefix, const AofManifest& manifest);

}  // namespace erdtree::persist
