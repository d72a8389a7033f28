// Persistence commands: SAVE (foreground RDB snapshot), BGSAVE (forked),
// BGREWRITEAOF (the log's compaction, through ServerApi) and LASTSAVE. The
// snapshot itself is the server's (dir, dbfilename, the writer); handlers
// reach it through command::Persistence.
#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/util/ascii.h"

namespace erdtree::command {
namespace {

void saveCommand(Context& ctx) {
  if (ctx.svc.persistence == nullptr) return ctx.out.error("ERR");
  if (ctx.svc.persistence->saveInProgress()) return ctx.out.error("ERR Background save already in progress");
  // Redis answers a failed SAVE with a bare -ERR (the reason goes to the log).
  if (!ctx.svc.persistence->save().empty()) return ctx.out.error("ERR");
  ctx.out.ok();
}

// BGSAVE [SCHEDULE]. One fork child at a time: next to another child (the
// AOF rewrite) SCHEDULE defers the snapshot until that child is gone, and
// inside EXEC the snapshot is always deferred (a child forked now would see
// half the transaction), as Redis 7.0 does.
void bgsaveCommand(Context& ctx) {
  if (ctx.argc() > 2 || (ctx.argc() == 2 && !util::equalsIgnoreCase(ctx.arg(1), "schedule")))
    return ctx.out.error(err::kSyntax);
  if (ctx.svc.persistence == nullptr) return ctx.out.error("ERR");
  using Start = Persistence::BgsaveStart;
  switch (ctx.svc.persistence->bgsave(ctx.argc() == 2, ctx.svc.execWrapPending)) {
    case Start::Started: return ctx.out.simple("Background saving started");
    case Start::Scheduled: return ctx.out.simple("Background saving scheduled");
    case Start::AlreadyRunning: return ctx.out.error("ERR Background save already in progress");
    case Start::OtherChildActive:
      return ctx.out.error(
          "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to "
          "schedule a BGSAVE whenever possible.");
    case Start::Failed: return ctx.out.error("ERR");
  }
}

void bgrewriteaofCommand(Context& ctx) {
  std::string reply = ctx.svc.server.bgrewriteaof(ctx.svc.execWrapPending);
  if (reply.starts_with("ERR")) return ctx.out.error(reply);
  ctx.out.simple(reply);
}

void lastsaveCommand(Context& ctx) {
  ctx.out.integer(ctx.svc.persistence != nullptr ? ctx.svc.persistence->lastSaveTime() : 0);
}

}  // namespace

void registerPersistenceCommands(Registry& r) {
  r.add({"save", 1, kAdmin | kNoscript | kNoMulti, 0, 0, 0, saveCommand, "@admin @slow @dangerous", "server", "Synchronously saves the database(s) to disk.", "1.0.0", "O(N) where N is the total number of keys in all databases", {}});
  r.add({"bgsave", -1, kAdmin | kNoscript, 0, 0, 0, bgsaveCommand, "@admin @slow @dangerous", "server", "Asynchronously saves the database(s) to disk.", "1.0.0", "O(1)", {}});
  r.add({"bgrewriteaof", 1, kAdmin | kNoscript, 0, 0, 0, bgrewriteaofCommand, "@admin @slow @dangerous", "server", "Asynchronously rewrites the append-only file to disk.", "1.0.0", "O(1)", {}});
  r.add({"lastsave", 1, kLoading | kStale | kFast, 0, 0, 0, lastsaveCommand, "@admin @fast @dangerous", "server", "Returns the Unix timestamp of the last successful save to disk.", "1.0.0", "O(1)", {}});
}

}  // namespace erdtree::command
