#pragma once
// What redis.conf may hold beyond erdtree's own settings (config_table.h):
// every Redis 7.0 config name erdtree accepts without applying it, and which
// of Redis's settings take several words on one line.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace erdtree::config {

enum class ValueKind {
  kOneWord,  // exactly one value; any text is accepted
  kYesNo,    // exactly one value, "yes" or "no"
  kInteger,  // exactly one integer within [min, max]
  kMemory,   // exactly one memory value (1mb, 64kb, ...) within [min, max]
  kEnum,     // exactly one of `choices`
  kWords,    // one or more values on the line (Redis's MULTI_ARG_CONFIG)
};

struct UnsupportedDirective {
  std::string_view name;
  ValueKind kind;
  int64_t min = 0;
  int64_t max = 0;
  std::string_view choices = {};  // kEnum: "a, b, c" as Redis's error lists them
};

// "" when `value` is one Redis 7.0 would take for `d`, else Redis's reason
// (the value is then checked, never applied).
std::string checkUnsupportedValue(const UnsupportedDirective& d, std::string_view value);

// Every Redis 7.0.15 config name (CONFIG GET * plus the hidden ones) that
// erdtree does not implement, sorted by name. A name that erdtree's settings
// table also has (findSetting) is applied instead: the table wins.
std::span<const UnsupportedDirective> unsupportedDirectives();
// Exact, lower-case name; nullptr when not listed.
const UnsupportedDirective* findUnsupportedDirective(std::string_view lowerName);

// Redis 7.0 reads these settings with several words on one line (save 900 1,
// bind a b, client-output-buffer-limit normal 0 0 0, replicaof host port).
bool takesSeveralWords(std::string_view lowerName);

// Names Redis 7.0 still accepts and ignores with exactly one value.
bool isDeprecatedIgnored(std::string_view lowerName);

}  // namespace erdtree::config
