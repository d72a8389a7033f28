// Persistence commands: SAVE (foreground RDB snapshot) and LASTSAVE. The
// snapshot itself is the server's (dir, dbfilename, the writer); handlers
// reach it through command::Persistence.
#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"

namespace erdtree::command {
namespace {

void saveCommand(Context& ctx) {
  if (ctx.svc.persistence == nullptr || !ctx.svc.persistence->save().empty()) return ctx.out.error("ERR");
  ctx.out.ok();
}

void lastsaveCommand(Context& ctx) {
  ctx.out.integer(ctx.svc.persistence != nullptr ? ctx.svc.persistence->lastSaveTime() : 0);
}

}  // namespace

void registerPersistenceCommands(Registry& r) {
  r.add({"save", 1, kAdmin | kNoscript | kNoMulti, 0, 0, 0, saveCommand, "@admin @slow @dangerous", "server", "Synchronously saves the database(s) to disk.", "1.0.0", "O(N) where N is the total number of keys in all databases", {}});
  r.add({"lastsave", 1, kLoading | kStale | kFast, 0, 0, 0, lastsaveCommand, "@admin @fast @dangerous", "server", "Returns the Unix timestamp of the last successful save to disk.", "1.0.0", "O(1)", {}});
}

}  // namespace erdtree::command
