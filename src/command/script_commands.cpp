// SCRIPT and FUNCTION without a scripting engine: Erdtree runs no Lua, so no
// script is ever busy and the cache is always empty. These answers exist for
// tools that manage Redis servers: Redis Sentinel sends SCRIPT KILL to a
// master that replies -BUSY, and admin tools flush or probe the cache.
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
  }});
}

}  // namespace erdtree::command
