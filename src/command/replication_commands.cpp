// Replication commands, master side: REPLCONF (a replica's handshake and its
// acknowledgements), PSYNC and SYNC (start streaming to it), WAIT (block
// until replicas acknowledged this client's writes); ROLE is in
// replicaof_commands.cpp (it answers for either role). The links
// themselves are the server's (repl/master.h), reached through
// command::Replication.
#include "erdtree/command/blocking.h"
#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/command/replication.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/numbers.h"

namespace erdtree::command {
namespace {

// REPLCONF <option> <value> [<option> <value> ...]. ACK and GETACK get no
// reply (Redis answers neither on a master); the rest +OK.
void replconfCommand(Context& ctx) {
  if (ctx.argc() % 2 == 0) return ctx.out.error(err::kSyntax);
  Replication* repl = ctx.svc.replication;
  if (repl == nullptr) return ctx.out.error("ERR replication is not available");
  for (size_t i = 1; i + 1 < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i), val = ctx.arg(i + 1);
    if (util::equalsIgnoreCase(opt, "listening-port")) {
      auto port = util::parseInt64(val);
      if (!port) return ctx.out.error("ERR value is not an integer or out of range");
      repl->replconfListeningPort(ctx.session, *port);
    } else if (util::equalsIgnoreCase(opt, "ip-address")) {
      repl->replconfIpAddress(ctx.session, val);
    } else if (util::equalsIgnoreCase(opt, "capa") || util::equalsIgnoreCase(opt, "rdb-only") ||
               util::equalsIgnoreCase(opt, "rdb-filter-only")) {
      // Capabilities (eof, psync2): this master always sends a sized bulk
      // from disk and +CONTINUE <replid>, which psync2 replicas expect.
    } else if (util::equalsIgnoreCase(opt, "ack")) {
      auto off = util::parseInt64(val);
      if (off) repl->replconfAck(ctx.session, *off);
      return;  // "fack <aofoffset>" may follow: ignored
    } else if (util::equalsIgnoreCase(opt, "getack")) {
      return;  // only a replica answers GETACK
    } else {
      return ctx.out.error("ERR Unrecognized REPLCONF option: " + std::string(opt));
    }
  }
  ctx.out.ok();
}

void psyncCommand(Context& ctx) {
  Replication* repl = ctx.svc.replication;
  if (repl == nullptr) return ctx.out.error("ERR replication is not available");
  auto off = util::parseInt64(ctx.arg(2));
  if (!off) return ctx.out.error("ERR value is not an integer or out of range");
  repl->psync(ctx.session, ctx.arg(1), *off, false);
}

void syncCommand(Context& ctx) {
  Replication* repl = ctx.svc.replication;
  if (repl == nullptr) return ctx.out.error("ERR replication is not available");
  repl->psync(ctx.session, "?", -1, true);
}

// WAIT numreplicas timeout (Redis 7.0's waitCommand): the number of online
// replicas that acknowledged the stream up to where it was after this
// client's previous command (Session::woff); it
// blocks (timeout in ms, 0 = forever) until numreplicas did, asking them
// for an ACK. Inside MULTI/EXEC it answers at once.
void waitCommand(Context& ctx) {
  Replication* repl = ctx.svc.replication;
  if (repl == nullptr) return ctx.out.error("ERR replication is not available");
  if (repl->followsMaster())
    return ctx.out.error(
        "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is "
        "configured to be writable (which is not the default) writes to replicas are just local and are not "
        "propagated.");
  auto numReplicas = util::parseInt64(ctx.arg(1));
  if (!numReplicas) return ctx.out.error("ERR value is not an integer or out of range");
  auto timeout = util::parseInt64(ctx.arg(2));
  if (!timeout) return ctx.out.error("ERR timeout is not an integer or out of range");
  if (*timeout < 0) return ctx.out.error("ERR timeout is negative");
  const int64_t offset = ctx.session.woff;
  const int64_t acked = repl->countAcks(offset);
  if (acked >= *numReplicas || !mayBlock(ctx)) return ctx.out.integer(acked);
  const int64_t deadline = *timeout == 0 ? 0 : (*timeout > INT64_MAX - ctx.nowMs ? INT64_MAX : ctx.nowMs + *timeout);
  ctx.svc.blocking.blockForAcks(ctx.session, offset, *numReplicas, deadline, ctx.args);
  repl->requestAcks();
}

}  // namespace

void registerReplicationCommands(Registry& r) {
  r.add({"replconf", -1, kAdmin | kNoscript | kLoading | kStale | kAllowBusy, 0, 0, 0, replconfCommand, "@admin @slow @dangerous", "server", "An internal command for configuring the replication stream.", "3.0.0", "O(1)", {}});
  r.add({"psync", -3, kAdmin | kNoMulti | kNoscript, 0, 0, 0, psyncCommand, "@admin @slow @dangerous", "server", "An internal command used in replication.", "2.8.0", "", {}});
  r.add({"wait", 3, kNoscript, 0, 0, 0, waitCommand, "@slow @connection", "generic", "Wait for the synchronous replication of all the write commands sent in the context of the current connection", "3.0.0", "O(1)", {}});
  r.add({"sync", 1, kAdmin | kNoMulti | kNoscript, 0, 0, 0, syncCommand, "@admin @slow @dangerous", "server", "An internal command used in replication.", "1.0.0", "", {}});
}

}  // namespace erdtree::command
