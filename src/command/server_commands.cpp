// Server commands: INFO, DBSIZE, FLUSHDB/FLUSHALL, CONFIG (GET/SET/RESETSTAT/REWRITE), TIME, SHUTDOWN.
// What only the server knows (INFO's numbers, the configuration store, the
// process lifetime) is reached through ServerApi.
#include <string>

#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/clock.h"
#include "erdtree/util/numbers.h"

namespace erdtree::command {
namespace {

using util::equalsIgnoreCase;

void infoCommand(Context& ctx) {
  ctx.out.verbatim(ctx.svc.server.info(ctx.args.subspan(1)));
}

void dbsizeCommand(Context& ctx) { ctx.out.integer(static_cast<int64_t>(ctx.db().size())); }

// FLUSHDB/FLUSHALL [ASYNC|SYNC]. ASYNC swaps the tables for empty ones and
// frees the old ones on the lazy-free thread, so the reply comes at once
// whatever the size; no modifier means lazyfree-lazy-user-flush.
bool parseFlushMode(Context& ctx, bool& lazy) {
  lazy = ctx.svc.keyspace.lazyFreePolicy().userFlush;
  if (ctx.argc() == 1) return true;
  if (ctx.argc() == 2 && equalsIgnoreCase(ctx.arg(1), "async")) {
    lazy = true;
    return true;
  }
  if (ctx.argc() == 2 && equalsIgnoreCase(ctx.arg(1), "sync")) {
    lazy = false;
    return true;
  }
  ctx.out.error(err::kSyntax);
  return false;
}

void flushdbCommand(Context& ctx) {
  bool lazy = false;
  if (!parseFlushMode(ctx, lazy)) return;
  uint64_t n = ctx.db().size();
  ctx.svc.watches.touchFlushed(ctx.session.db, [&](int db, std::string_view key) {
    return ctx.svc.keyspace.db(db).table().find(key) != nullptr;
  });
  ctx.db().clear(lazy);
  ctx.propagateAsIs(n);
  ctx.out.ok();
}

void flushallCommand(Context& ctx) {
  bool lazy = false;
  if (!parseFlushMode(ctx, lazy)) return;
  uint64_t n = ctx.svc.keyspace.totalKeys();
  ctx.svc.watches.touchFlushed(-1, [&](int db, std::string_view key) {
    return ctx.svc.keyspace.db(db).table().find(key) != nullptr;
  });
  ctx.svc.keyspace.clearAll(lazy);
  ctx.propagateAsIs(n);
  // With save rules on, Redis also resets the snapshot (not while replaying
  // the log, where the dump would only be rewritten for nothing).
  if (ctx.svc.persistence != nullptr && !ctx.session.internal) ctx.svc.persistence->flushedAll();
  ctx.out.ok();
}

void configGetCommand(Context& ctx) {
  auto pairs = ctx.svc.server.configGet(ctx.args.subspan(2));
  ctx.out.mapHeader(pairs.size());
  for (const auto& [name, value] : pairs) {
    ctx.out.bulk(name);
    ctx.out.bulk(value);
  }
}

void configSetCommand(Context& ctx) {
  if (ctx.argc() % 2 != 0) return ctx.out.error(err::kSyntax);
  std::string err = ctx.svc.server.configSet(ctx.args.subspan(2));
  if (!err.empty()) return ctx.out.error(err);
  ctx.out.ok();
}

void configResetstatCommand(Context& ctx) {
  ctx.svc.server.resetStats();
  ctx.out.ok();
}

void configRewriteCommand(Context& ctx) {
  std::string err = ctx.svc.server.configRewrite();
  if (!err.empty()) return ctx.out.error(err);
  ctx.out.ok();
}

void configHelpCommand(Context& ctx) {
  static const char* const lines[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

void timeCommand(Context& ctx) {
  int64_t us = util::unixTimeUs();
  char buf[24];
  ctx.out.arrayHeader(2);
  ctx.out.bulk(std::string_view(buf, util::formatInt64(us / 1000000, buf)));
  ctx.out.bulk(std::string_view(buf, util::formatInt64(us % 1000000, buf)));
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], Redis 7.0's parsing: ABORT
// combines with nothing, NOSAVE not with SAVE. A master with lagging
// replicas waits for them (the caller stays blocked); ABORT cancels that.
void shutdownCommand(Context& ctx) {
  bool abort = false;
  ServerApi::ShutdownFlags flags;
  for (size_t j = 1; j < ctx.argc(); ++j) {
    std::string_view o = ctx.arg(j);
    if (equalsIgnoreCase(o, "nosave")) flags.nosave = true;
    else if (equalsIgnoreCase(o, "save")) flags.save = true;
    else if (equalsIgnoreCase(o, "now")) flags.now = true;
    else if (equalsIgnoreCase(o, "force")) flags.force = true;
    else if (equalsIgnoreCase(o, "abort")) abort = true;
    else return ctx.out.error(err::kSyntax);
  }
  const bool anyFlag = flags.nosave || flags.save || flags.now || flags.force;
  if ((abort && anyFlag) || (flags.nosave && flags.save)) return ctx.out.error(err::kSyntax);
  if (abort) {
    if (!ctx.svc.server.abortShutdown()) return ctx.out.error("ERR No shutdown in progress.");
    return ctx.out.ok();
  }
  std::string err = ctx.svc.server.shutdown(flags);
  if (!err.empty()) ctx.out.error(err);
}

// SWAPDB a b: the two databases trade contents at once. Clients stay in
// their db, so watchers of a key present on either side are touched and
// clients blocked on a key the swap brought in are served (Redis 7.0's
// dbSwapDatabases); the command is logged and replicated as is.
void swapdbCommand(Context& ctx) {
  auto first = util::parseInt64(ctx.arg(1));
  if (!first || *first < INT32_MIN || *first > INT32_MAX) return ctx.out.error("ERR invalid first DB index");
  auto second = util::parseInt64(ctx.arg(2));
  if (!second || *second < INT32_MIN || *second > INT32_MAX) return ctx.out.error("ERR invalid second DB index");
  const int64_t n = ctx.svc.keyspace.count();
  if (*first < 0 || *first >= n || *second < 0 || *second >= n) return ctx.out.error(err::kDbIndex);
  const int a = static_cast<int>(*first), b = static_cast<int>(*second);
  if (a != b) {
    engine::Keyspace& ks = ctx.svc.keyspace;
    auto inEither = [&](int, std::string_view key) {
      return ks.db(a).table().find(key) != nullptr || ks.db(b).table().find(key) != nullptr;
    };
    ctx.svc.watches.touchFlushed(a, inEither);
    ctx.svc.watches.touchFlushed(b, inEither);
    ks.db(a).swapContents(ks.db(b));
    for (int db : {a, b})
      ctx.svc.blocking.signalWaitedKeysIn(db, [&](std::string_view key) { return ks.db(db).table().find(key) != nullptr; });
  }
  ctx.propagateAsIs();
  ctx.out.ok();
}

}  // namespace

void registerServerCommands(Registry& r) {
  r.add({"info", -1, kLoading | kStale | kSentinel, 0, 0, 0, infoCommand, "@slow @dangerous", "server", "Returns information and statistics about the server.", "1.0.0", "O(1)", {}});
  r.add({"dbsize", 1, kReadonly | kFast, 0, 0, 0, dbsizeCommand, "@keyspace @read @fast", "server", "Returns the number of keys in the database.", "1.0.0", "O(1)", {}});
  r.add({"flushdb", -1, kWrite, 0, 0, 0, flushdbCommand, "@keyspace @write @slow @dangerous", "server", "Remove all keys from the current database.", "1.0.0", "O(N) where N is the number of keys in the selected database", {}});
  r.add({"flushall", -1, kWrite, 0, 0, 0, flushallCommand, "@keyspace @write @slow @dangerous", "server", "Removes all keys from all databases.", "1.0.0", "O(N) where N is the total number of keys in all databases", {}});
  r.add({"swapdb", 3, kWrite | kFast, 0, 0, 0, swapdbCommand, "@keyspace @write @fast @dangerous", "server", "Swaps two Redis databases", "4.0.0", "O(N) where N is the count of clients watching or blocking on keys from both databases.", {}});
  r.add({"time", 1, kLoading | kStale | kFast, 0, 0, 0, timeCommand, "@fast", "server", "Returns the server time.", "2.6.0", "O(1)", {}});
  r.add({"shutdown", -1, kAdmin | kNoscript | kLoading | kStale | kNoMulti | kSentinel | kAllowBusy, 0, 0, 0, shutdownCommand, "@admin @slow @dangerous", "server", "Synchronously saves the database(s) to disk and shuts down the Redis server.", "1.0.0", "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)", {}});
  r.add({"config", -2, 0, 0, 0, 0, nullptr, "@slow", "server", "A container for server configuration commands.", "2.0.0", "Depends on subcommand.", {
      {"config|get", -3, kAdmin | kNoscript | kLoading | kStale, 0, 0, 0, configGetCommand, "@admin @slow @dangerous", "server", "Returns the effective values of configuration parameters.", "2.0.0", "O(N) when N is the number of configuration parameters provided", {}},
      {"config|set", -4, kAdmin | kNoscript | kLoading | kStale, 0, 0, 0, configSetCommand, "@admin @slow @dangerous", "server", "Sets configuration parameters in-flight.", "2.0.0", "O(N) when N is the number of configuration parameters provided", {}},
      {"config|resetstat", 2, kAdmin | kNoscript | kLoading | kStale, 0, 0, 0, configResetstatCommand, "@admin @slow @dangerous", "server", "Resets the server's statistics.", "2.0.0", "O(1)", {}},
      {"config|rewrite", 2, kAdmin | kNoscript | kLoading | kStale, 0, 0, 0, configRewriteCommand, "@admin @slow @dangerous", "server", "Persists the effective configuration to file.", "2.8.0", "O(1)", {}},
      {"config|help", 2, kLoading | kStale, 0, 0, 0, configHelpCommand, "@slow", "server", "Returns helpful text about the different subcommands.", "5.0.0", "O(1)", {}},
  }});
}

}  // namespace erdtree::command
