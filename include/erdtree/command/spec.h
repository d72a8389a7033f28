#pragma once
// A command's static description: what the dispatcher checks before calling
// the handler, and what COMMAND INFO / COMMAND DOCS report to clients.
#include <cstdint>
#include <string_view>
#include <vector>

namespace erdtree::command {

struct Context;
using Handler = void (*)(Context&);

// Redis's command flags (the names COMMAND INFO prints).
enum CommandFlag : uint32_t {
  kWrite = 1u << 0,
  kReadonly = 1u << 1,
  kDenyOom = 1u << 2,
  kAdmin = 1u << 3,
  kPubsub = 1u << 4,
  kNoscript = 1u << 5,
  kLoading = 1u << 6,
  kStale = 1u << 7,
  kFast = 1u << 8,
  kNoAuth = 1u << 9,
  kSkipSlowlog = 1u << 10,
  kAllowBusy = 1u << 11,
  kNoMulti = 1u << 12,
  kSkipMonitor = 1u << 13,
  kSentinel = 1u << 14,
  kBlocking = 1u << 15,   // may block the client (blocking.h)
};

struct CommandSpec {
  std::string_view name;        // lower case; "config|get" style for subcommands
  int arity;                    // Redis convention: -N means at least N
  uint32_t flags;
  int firstKey;                 // 0 when the command takes no keys
  int lastKey;                  // -1: last argument
  int step;
  Handler handler;
  std::string_view aclCategories;  // "@write @string @slow"
  std::string_view group;          // COMMAND DOCS group
  std::string_view summary;
  std::string_view since;
  std::string_view complexity;
  std::vector<CommandSpec> subcommands;  // container commands (CONFIG, CLIENT, ...)
};

}  // namespace erdtree::command
