// Replication control from the replica's point of view: REPLICAOF (and its
// old name SLAVEOF) and ROLE. The link itself lives in repl/replica_link;
// handlers reach the server's replica side through command::ReplicaControl.
#include <string>

#include "erdtree/command/context.h"
#include "erdtree/command/families.h"
#include "erdtree/command/replication.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/numbers.h"

namespace erdtree::command {
namespace {

void replicaofCommand(Context& ctx) {
  if (ctx.svc.replicaControl == nullptr) return ctx.out.error("ERR replication is not available");
  const std::string who = "id=" + std::to_string(ctx.session.id);
  if (util::equalsIgnoreCase(ctx.arg(1), "no") && util::equalsIgnoreCase(ctx.arg(2), "one")) {
    ctx.svc.replicaControl->replicaOfNoOne(who);
    return ctx.out.ok();
  }
  auto port = util::parseInt64(ctx.arg(2));
  if (!port || *port < 0 || *port > 65535) return ctx.out.error("ERR Invalid master port");
  if (!ctx.svc.replicaControl->replicaOf(ctx.arg(1), static_cast<int>(*port), who))
    return ctx.out.simple("OK Already connected to specified master");
  ctx.out.ok();
}

// ROLE: ["master", offset, [[ip, port, acked offset], ...]] (strings, as
// Redis sends them) or ["slave", host, port, state, offset] (offset -1
// until the first sync).
void roleCommand(Context& ctx) {
  ReplicaControl::Role r;
  if (ctx.svc.replicaControl != nullptr) r = ctx.svc.replicaControl->role();
  if (!r.replica) {
    Replication* repl = ctx.svc.replication;
    ctx.out.arrayHeader(3);
    ctx.out.bulk("master");
    ctx.out.integer(repl != nullptr ? repl->masterOffset() : r.offset);
    auto entries = repl != nullptr ? repl->replicaEntries() : std::vector<Replication::ReplicaEntry>{};
    ctx.out.arrayHeader(entries.size());
    for (const auto& e : entries) {
      ctx.out.arrayHeader(3);
      ctx.out.bulk(e.ip);
      ctx.out.bulk(std::to_string(e.port));
      ctx.out.bulk(std::to_string(e.offset));
    }
    return;
  }
  ctx.out.arrayHeader(5);
  ctx.out.bulk("slave");
  ctx.out.bulk(r.host);
  ctx.out.integer(r.port);
  ctx.out.bulk(r.state);
  ctx.out.integer(r.offset);
}

}  // namespace

void registerReplicaofCommands(Registry& r) {
  r.add({"replicaof", 3, kAdmin | kNoscript | kStale, 0, 0, 0, replicaofCommand, "@admin @slow @dangerous", "server", "Configures a server as replica of another, or promotes it to a master.", "5.0.0", "O(1)", {}});
  r.add({"slaveof", 3, kAdmin | kNoscript | kStale, 0, 0, 0, replicaofCommand, "@admin @slow @dangerous", "server", "Sets a Redis server as a replica of another, or promotes it to being a master.", "1.0.0", "O(1)", {}});
  r.add({"role", 1, kNoscript | kLoading | kStale | kFast, 0, 0, 0, roleCommand, "@admin @fast @dangerous", "server", "Returns the replication role.", "2.8.12", "O(1)", {}});
}

}  // namespace erdtree::command
