// DEBUG: the subcommands operators and test suites use with Redis: DIGEST and
// DIGEST-VALUE (compare an erdtree and a redis-server data set with one
// command each), SLEEP, RELOAD, LOADAOF, OBJECT and SET-ACTIVE-EXPIRE. DEBUG
// is a protected command: the dispatcher admits it as enable-debug-command
// says (no|yes|local). Replies and argument handling follow Redis 7.0's
// debugCommand, including its leniency (SLEEP and SET-ACTIVE-EXPIRE read
// their number as strtod/atoi do, so junk counts as 0).
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/engine/access_clock.h"
#include "erdtree/engine/digest.h"
#include "erdtree/util/ascii.h"

namespace erdtree::command {
namespace {

using util::equalsIgnoreCase;

// DEBUG DIGEST: Redis's dataset digest as a status line (zeros when empty).
void debugDigest(Context& ctx) {
  ctx.out.simple(engine::digestHex(engine::datasetDigest(ctx.svc.keyspace)));
}

// DEBUG DIGEST-VALUE key [key ...]: one status line per key. Like Redis it
// reads the table directly, so a key whose TTL has passed still counts and
// no hit/miss is recorded; a missing key gives zeros.
void debugDigestValue(Context& ctx) {
  ctx.out.arrayHeader(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); ++j)
    ctx.out.simple(engine::digestHex(engine::valueDigest(ctx.db().table().find(ctx.arg(j)))));
}

// DEBUG SLEEP seconds: the whole server stops, which is the point (tests of
// timeouts and of clients facing a stalled server). A negative time returns
// at once, as nanosleep refuses it.
void debugSleep(Context& ctx) {
  const std::string text(ctx.arg(2));
  const auto us = static_cast<long long>(std::strtod(text.c_str(), nullptr) * 1000000);
  timespec ts{static_cast<time_t>(us / 1000000), static_cast<long>((us % 1000000) * 1000)};
  nanosleep(&ts, nullptr);
  ctx.out.ok();
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load the RDB back.
void debugReload(Context& ctx) {
  bool save = true, flush = true, merge = false;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    if (equalsIgnoreCase(ctx.arg(j), "merge")) merge = true;
    else if (equalsIgnoreCase(ctx.arg(j), "noflush")) flush = false;
    else if (equalsIgnoreCase(ctx.arg(j), "nosave")) save = false;
    else return ctx.out.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
  }
  if (ctx.svc.persistence == nullptr) return ctx.out.error("ERR");
  std::string err = ctx.svc.persistence->debugReload(save, flush, merge);
  if (!err.empty()) return ctx.out.error(err);
  ctx.out.ok();
}

void debugLoadAof(Context& ctx) {
  std::string err = ctx.svc.server.debugLoadAof();
  if (!err.empty()) return ctx.out.error(err);
  ctx.out.ok();
}

// DEBUG OBJECT key, in Redis's line format. The address is erdtree's entry;
// serializedlength is the value's RDB encoding as a save would write it now;
// lru is the entry's 24-bit access field. A list adds the quicklist figures
// its RDB nodes give (erdtree compresses no list nodes: ql_compressed:0).
void debugObject(Context& ctx) {
  engine::Entry* e = ctx.db().table().find(ctx.arg(2));  // no expiry, no touch, as Redis
  if (e == nullptr) return ctx.out.error("ERR no such key");
  const ValueLayout layout = ctx.svc.server.valueLayout(e);
  const bool isString = e->type() == engine::ValueType::String;
  const std::string_view encoding = isString ? stringEncoding(e) : e->object()->encodingName();
  std::string extra;
  if (e->type() == engine::ValueType::List) {
    const uint64_t nodes = layout.listNodes;
    const double avg = nodes == 0 ? 0.0 : static_cast<double>(e->object()->length()) / static_cast<double>(nodes);
    char buf[160];
    std::snprintf(buf, sizeof(buf), " ql_nodes:%llu ql_avg_node:%.2f ql_listpack_max:%lld ql_compressed:0 ql_uncompressed_size:%llu",
                  static_cast<unsigned long long>(nodes), avg, static_cast<long long>(ctx.svc.encoding.listMaxListpackSize),
                  static_cast<unsigned long long>(layout.listBytes));
    extra = buf;
  }
  char line[256];
  std::snprintf(line, sizeof(line), "Value at:%p refcount:%d encoding:%.*s serializedlength:%llu lru:%u lru_seconds_idle:%u",
                static_cast<void*>(e), sharedInteger(e) ? 2147483647 : 1, static_cast<int>(encoding.size()),
                encoding.data(), static_cast<unsigned long long>(layout.serializedLength), e->lru(),
                engine::lruIdleSeconds(e->lru(), ctx.nowMs));
  ctx.out.simple(std::string(line) + extra);
}

void debugSetActiveExpire(Context& ctx) {
  ctx.svc.activeExpire = std::atoi(std::string(ctx.arg(2)).c_str()) != 0;
  ctx.out.ok();
}

void debugHelp(Context& ctx) {
  static const char* const lines[] = {
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DIGEST",
      "    Output a hex signature representing the current DB content.",
      "DIGEST-VALUE <key> [<key> ...]",
      "    Output a hex signature of the values of all the specified keys.",
      "LOADAOF",
      "    Flush the AOF buffers on disk and reload the AOF in memory.",
      "OBJECT <key>",
      "    Show low level info about `key` and associated value.",
      "RELOAD [option ...]",
      "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
      "    * MERGE: conflicting keys will be loaded from RDB.",
      "    * NOFLUSH: the existing database will not be removed before load, but",
      "      conflicting keys will generate an exception and kill the server.",
      "    * NOSAVE: the database will be loaded from an existing RDB file.",
      "    Examples:",
      "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
      "      the database.",
      "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
      "      existing RDB file.",
      "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
      "      file to the database.",
      "SET-ACTIVE-EXPIRE <0|1>",
      "    Setting it to 0 disables expiring keys in background when they are not",
      "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
      "    default.",
      "SLEEP <seconds>",
      "    Stop the server for <seconds>. Decimals allowed.",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

// Subcommands are matched here, not in the registry: Redis registers DEBUG as
// one command (arity -2) and answers a wrong subcommand or argument count
// with its subcommand syntax error. RELOAD and LOADAOF take any argument
// count, as in Redis.
void debugCommand(Context& ctx) {
  std::string_view sub = ctx.arg(1);
  const size_t argc = ctx.argc();
  if (equalsIgnoreCase(sub, "help") && argc == 2) return debugHelp(ctx);
  if (equalsIgnoreCase(sub, "digest") && argc == 2) return debugDigest(ctx);
  if (equalsIgnoreCase(sub, "digest-value")) return debugDigestValue(ctx);
  if (equalsIgnoreCase(sub, "sleep") && argc == 3) return debugSleep(ctx);
  if (equalsIgnoreCase(sub, "reload")) return debugReload(ctx);
  if (equalsIgnoreCase(sub, "loadaof")) return debugLoadAof(ctx);
  if (equalsIgnoreCase(sub, "object") && argc == 3) return debugObject(ctx);
  if (equalsIgnoreCase(sub, "set-active-expire") && argc == 3) return debugSetActiveExpire(ctx);
  replySubcommandSyntaxError(ctx);
}

}  // namespace

void registerDebugCommands(Registry& r) {
  r.add({"debug", -2, kAdmin | kNoscript | kLoading | kStale | kProtected, 0, 0, 0, debugCommand,
         "@admin @slow @dangerous", "server", "A container for debugging commands", "1.0.0",
         "Depends on subcommand.", {}});
}

}  // namespace erdtree::command
