#pragma once
// A command's static description: what the dispatcher checks before calling
// the handler, and what COMMAND INFO / COMMAND DOCS report to clients.
#include <cstddef>
#include <cstdint>
#include <span>
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
  kProtected = 1u << 16,  // DEBUG: only as enable-debug-command allows (never shown, as Redis)
};

// Keys whose positions depend on the arguments (Redis's "movablekeys"): the
// key count is argument countAt and that many keys follow from firstAt, one
// every step. They come in addition to the fixed firstKey..lastKey range,
// which then holds only the keys always at a fixed place (ZUNIONSTORE's
// destination). COMMAND GETKEYS, COMMAND INFO (movablekeys flag, keynum key
// spec) and the WATCH touch all read keys through commandKeyPositions().
//   LMPOP numkeys key [key ...] ...       -> NumKeys{1, 2, 1}, range 0, 0, 0
//   ZUNIONSTORE dst numkeys key [key ...] -> NumKeys{2, 3, 1}, range 1, 1, 1
struct NumKeys {
  int countAt = 0;   // 0: the command has no counted keys
  int firstAt = 0;
  int step = 1;
};

// Which keys a command that changed data touches for WATCH (the dispatcher
// does it after the handler, when the dirty counter moved).
enum class WatchTouch : uint8_t {
  kAllKeys,      // every key argument: the range and the counted keys (most commands)
  kDestination,  // only the first key of the fixed range: the destination of
                 // SINTERSTORE and ZUNIONSTORE-like commands (the sources are only read)
  kByHandler,    // none: the handler touches exactly the keys it changed
                 // (DEL: the keys it removed; LMPOP: the list it popped; COPY)
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
  NumKeys numKeys{};                     // movable keys, see NumKeys
  WatchTouch watchTouch = WatchTouch::kAllKeys;
  uint32_t index = 0;  // set by Registry::add: the command's slot in per-command tables (command_stats.h)

  bool movableKeys() const { return numKeys.countAt > 0; }
  bool hasKeys() const { return firstKey > 0 || movableKeys(); }
};

// Positions (indices into args; args[0] is the command name) of a request's
// keys, in COMMAND GETKEYS order: the fixed range, then the counted keys. A
// count that is not a usable integer falls back to C atoi() with the counted
// keys first, as Redis's getkeys_proc does. Returns false when the count gives
// no keys ("Invalid arguments specified for command"). The arity must have
// been checked.
bool commandKeyPositions(const CommandSpec& spec, std::span<const std::string_view> args,
                         std::vector<size_t>& out);

}  // namespace erdtree::command
