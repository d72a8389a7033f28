#pragma once
// Argument parsing shared by SCAN, HSCAN, SSCAN and ZSCAN, in Redis's order:
// the cursor is checked first, then (for the key-scoped forms, only once the
// key exists) the MATCH / COUNT / TYPE options.
#include <cstdint>
#include <optional>
#include <string_view>

#include "erdtree/command/context.h"

namespace erdtree::command {

struct ScanOptions {
  int64_t count = 10;
  std::string_view pattern;  // empty with hasPattern false: match everything
  bool hasPattern = false;   // MATCH given and not "*"
  std::string_view type;     // SCAN ... TYPE t
  bool hasType = false;
};

// Redis parses the cursor with strtoul: "" is 0, "+5" is 5, "-1" wraps, and
// anything else (leading space, trailing junk, overflow) is invalid.
std::optional<uint64_t> parseScanCursor(std::string_view text);

// Parses the options from argument `first` on; TYPE only when allowType.
// Replies Redis's error and returns false when they are invalid.
bool parseScanOptions(Context& ctx, size_t first, bool allowType, ScanOptions& out);

// Replies [cursor, [item...]] header: the cursor as a bulk string and the
// header of the item array; the caller writes the n items.
void replyScanHeader(Context& ctx, uint64_t cursor, size_t n);

}  // namespace erdtree::command
