// SCRIPT and FUNCTION without a scripting engine: Erdtree runs no Lua, so no
// script is ever busy and the cache is always empty. These answers exist for
// tools that manage Redis servers: Redis Sentinel sends SCRIPT KILL to a
// master that replies -BUSY, and admin tools flush or probe the cache.
// FUNCTION answers as a Redis with no libraries does (FLUSH, LIST, STATS,
// DUMP, DELETE); FUNCTION LOAD and RESTORE do not exist.
#include <string>

#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/util/ascii.h"

namespace erdtree::command {
namespace {

constexpr const char* kNotBusy = "NOTBUSY No scripts in execution right now.";

void scriptKillCommand(Context& ctx) { ctx.out.error(kNotBusy); }

// SCRIPT FLUSH [ASYNC|SYNC]: nothing to free.
void scriptFlushCommand(Context& ctx) {
  if (ctx.argc() > 3 || (ctx.argc() == 3 && !util::equalsIgnoreCase(ctx.arg(2), "async") &&
                         !util::equalsIgnoreCase(ctx.arg(2), "sync")))
    return ctx.out.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  ctx.out.ok();
}

void scriptExistsCommand(Context& ctx) {
  ctx.out.arrayHeader(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); ++j) ctx.out.integer(0);
}

void scriptHelpCommand(Context& ctx) {
  static const char* const lines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

void functionKillCommand(Context& ctx) { ctx.out.error(kNotBusy); }

// FUNCTION FLUSH [ASYNC|SYNC]: no libraries to delete.
void functionFlushCommand(Context& ctx) {
  if (ctx.argc() > 3) return replySubcommandSyntaxError(ctx);
  if (ctx.argc() == 3 && !util::equalsIgnoreCase(ctx.arg(2), "async") && !util::equalsIgnoreCase(ctx.arg(2), "sync"))
    return ctx.out.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  ctx.out.ok();
}

void functionDeleteCommand(Context& ctx) { ctx.out.error("ERR Library not found"); }

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: the arguments are checked
// as Redis does (each option once), then the empty list.
void functionListCommand(Context& ctx) {
  bool withCode = false, named = false;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    if (!withCode && util::equalsIgnoreCase(ctx.arg(j), "withcode")) {
      withCode = true;
    } else if (!named && util::equalsIgnoreCase(ctx.arg(j), "libraryname")) {
      if (j + 1 >= ctx.argc()) return ctx.out.error("ERR library name argument was not given");
      named = true;
      ++j;
    } else {
      return ctx.out.error("ERR Unknown argument " + std::string(ctx.arg(j)));
    }
  }
  ctx.out.arrayHeader(0);
}

// FUNCTION STATS: nothing running; the Lua engine Redis always lists, empty.
void functionStatsCommand(Context& ctx) {
  ctx.out.mapHeader(2);
  ctx.out.bulk("running_script");
  ctx.out.nullBulk();
  ctx.out.bulk("engines");
  ctx.out.mapHeader(1);
  ctx.out.bulk("LUA");
  ctx.out.mapHeader(2);
  ctx.out.bulk("libraries_count");
  ctx.out.integer(0);
  ctx.out.bulk("functions_count");
  ctx.out.integer(0);
}

// FUNCTION DUMP with no libraries: Redis's empty payload, the RDB version
// (10, two bytes little-endian) and the CRC-64 of those two bytes.
void functionDumpCommand(Context& ctx) {
  static constexpr char kEmptyPayload[] = "\x0a\x00\x5d\x9b\x5c\x40\x0f\x7f\xa2\xda";
  ctx.out.bulk(std::string_view(kEmptyPayload, sizeof(kEmptyPayload) - 1));
}

void functionHelpCommand(Context& ctx) {
  static const char* const lines[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
      "      libraries with the new libraries (notice that even on this option there is a chance of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

}  // namespace

void registerScriptCommands(Registry& r) {
  r.add({"script", -2, 0, 0, 0, 0, nullptr, "@slow", "scripting", "A container for Lua scripts management commands", "2.6.0", "Depends on subcommand.", {
      {"script|kill", 2, kNoscript | kAllowBusy, 0, 0, 0, scriptKillCommand, "@slow @scripting", "scripting", "Kill the script currently in execution.", "2.6.0", "O(1)", {}},
      {"script|flush", -2, kNoscript, 0, 0, 0, scriptFlushCommand, "@slow @scripting", "scripting", "Remove all the scripts from the script cache.", "2.6.0", "O(N) with N being the number of scripts in cache", {}},
      {"script|exists", -3, kNoscript, 0, 0, 0, scriptExistsCommand, "@slow @scripting", "scripting", "Check existence of scripts in the script cache.", "2.6.0", "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).", {}},
      {"script|help", 2, kLoading | kStale, 0, 0, 0, scriptHelpCommand, "@slow @scripting", "scripting", "Show helpful text about the different subcommands", "5.0.0", "O(1)", {}},
  }});
  r.add({"function", -2, 0, 0, 0, 0, nullptr, "@slow", "scripting", "A container for function commands", "7.0.0", "Depends on subcommand.", {
      {"function|kill", 2, kNoscript | kAllowBusy, 0, 0, 0, functionKillCommand, "@slow @scripting", "scripting", "Kill the function currently in execution.", "7.0.0", "O(1)", {}},
      {"function|flush", -2, kWrite | kNoscript, 0, 0, 0, functionFlushCommand, "@write @slow @scripting", "scripting", "Deletes all libraries and functions.", "7.0.0", "O(N) where N is the number of functions deleted", {}},
      {"function|delete", 3, kWrite | kNoscript, 0, 0, 0, functionDeleteCommand, "@write @slow @scripting", "scripting", "Deletes a library and its functions.", "7.0.0", "O(1)", {}},
      {"function|list", -2, kNoscript, 0, 0, 0, functionListCommand, "@slow @scripting", "scripting", "Returns information about all libraries.", "7.0.0", "O(N) where N is the number of functions", {}},
      {"function|stats", 2, kNoscript | kAllowBusy, 0, 0, 0, functionStatsCommand, "@slow @scripting", "scripting", "Returns information about a function during execution.", "7.0.0", "O(1)", {}},
      {"function|dump", 2, kNoscript, 0, 0, 0, functionDumpCommand, "@slow @scripting", "scripting", "Dumps all libraries into a serialized binary payload.", "7.0.0", "O(N) where N is the number of functions", {}},
      {"function|help", 2, kLoading | kStale, 0, 0, 0, functionHelpCommand, "@slow @scripting", "scripting", "Returns helpful text about the different subcommands.", "7.0.0", "O(1)", {}},
  }});
}

}  // namespace erdtree::command
