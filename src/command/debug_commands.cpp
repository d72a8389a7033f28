// DEBUG: only the data-set digests so far (DIGEST, DIGEST-VALUE), so an
// erdtree and a redis-server data set (a master and its replicas) can be
// compared with one command each. DEBUG is a protected command: the
// dispatcher admits it as enable-debug-command says (no|yes|local).
#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
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

void debugHelp(Context& ctx) {
  static const char* const lines[] = {
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DIGEST",
      "    Output a hex signature representing the current DB content.",
      "DIGEST-VALUE <key> [<key> ...]",
      "    Output a hex signature of the values of all the specified keys.",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

// Subcommands are matched here, not in the registry: Redis registers DEBUG as
// one command (arity -2) and answers a wrong subcommand or argument count
// with its subcommand syntax error.
void debugCommand(Context& ctx) {
  std::string_view sub = ctx.arg(1);
  if (equalsIgnoreCase(sub, "help") && ctx.argc() == 2) return debugHelp(ctx);
  if (equalsIgnoreCase(sub, "digest") && ctx.argc() == 2) return debugDigest(ctx);
  if (equalsIgnoreCase(sub, "digest-value")) return debugDigestValue(ctx);
  replySubcommandSyntaxError(ctx);
}

}  // namespace

void registerDebugCommands(Registry& r) {
  r.add({"debug", -2, kAdmin | kNoscript | kLoading | kStale | kProtected, 0, 0, 0, debugCommand,
         "@admin @slow @dangerous", "server", "A container for debugging commands", "1.0.0",
         "Depends on subcommand.", {}});
}

}  // namespace erdtree::command
