// Transactions: MULTI queues, EXEC runs the queue atomically (nothing else
// runs on the single loop thread meanwhile), DISCARD drops it, WATCH makes
// EXEC fail when a watched key changed. Semantics as Redis: a queue-time error
// aborts the whole EXEC (EXECABORT), a run-time error inside EXEC does not
// roll back the others. The writes of one EXEC propagate as one MULTI/EXEC unit.
#include <string>
#include <vector>

#include "erdtree/command/dispatcher.h"
#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"

namespace erdtree::command {

void discardTransaction(Services& svc, Session& session) {
  session.tx.inMulti = false;
  session.tx.aborted = false;
  session.tx.queued.clear();
  svc.watches.unwatchAll(session);
}

namespace {

void discardTransaction(Context& ctx) { discardTransaction(ctx.svc, ctx.session); }

void multiCommand(Context& ctx) {
  if (ctx.session.tx.inMulti) return ctx.out.error("ERR MULTI calls can not be nested");
  ctx.session.tx.inMulti = true;
  ctx.out.ok();
}

void discardCommand(Context& ctx) {
  if (!ctx.session.tx.inMulti) return ctx.out.error("ERR DISCARD without MULTI");
  discardTransaction(ctx);
  ctx.out.ok();
}

// A watched key that was live at WATCH time and has expired since counts as
// changed (Redis 7), even if no one touched it.
bool watchedKeyExpired(Context& ctx) {
  for (const auto& w : ctx.session.tx.watched) {
    if (w.expiredAtWatch) continue;
    engine::Entry* e = ctx.svc.keyspace.db(w.db).table().find(w.key);
    if (e != nullptr && e->expiredAt(ctx.nowMs)) return true;
  }
  return false;
}

void execCommand(Context& ctx) {
  Transaction& tx = ctx.session.tx;
  if (!tx.inMulti) return ctx.out.error("ERR EXEC without MULTI");
  if (tx.aborted) {
    discardTransaction(ctx);
    return ctx.out.error("EXECABORT Transaction discarded because of previous errors.");
  }
  if (tx.watchDirty || watchedKeyExpired(ctx)) {
    discardTransaction(ctx);
    return ctx.out.nullArray();
  }
  std::vector<std::vector<std::string>> queued = std::move(tx.queued);
  discardTransaction(ctx);  // leaves MULTI and unwatches, as Redis does before running
  ctx.out.arrayHeader(queued.size());
  ctx.svc.execWrapPending = true;
  const int startDb = ctx.session.db;
  std::vector<std::string_view> views;
  for (const auto& cmd : queued) {
    views.assign(cmd.begin(), cmd.end());
    // Validated at queue time; resolve() only finds the spec again.
    if (const CommandSpec* spec = ctx.svc.dispatcher->resolve(views, ctx.out, ctx.session.internal))
      ctx.svc.dispatcher->call(ctx.session, *spec, views, ctx.out, ctx.nowMs);
  }
  if (ctx.svc.execWrapOpen) {
    const std::string_view exec[] = {"EXEC"};
    ctx.svc.propagator.propagate(startDb, exec);
  }
  ctx.svc.execWrapPending = false;
  ctx.svc.execWrapOpen = false;
}

void watchCommand(Context& ctx) {
  if (ctx.session.tx.inMulti) return ctx.out.error("ERR WATCH inside MULTI is not allowed");
  for (size_t i = 1; i < ctx.argc(); ++i) {
    engine::Entry* e = ctx.db().table().find(ctx.arg(i));
    ctx.svc.watches.watch(ctx.session, ctx.session.db, ctx.arg(i), e != nullptr && e->expiredAt(ctx.nowMs));
  }
  ctx.out.ok();
}

void unwatchCommand(Context& ctx) {
  ctx.svc.watches.unwatchAll(ctx.session);
  ctx.out.ok();
}

}  // namespace

void registerTransactionCommands(Registry& r) {
  constexpr uint32_t f = kNoscript | kLoading | kStale | kFast | kAllowBusy;
  r.add({"multi", 1, f, 0, 0, 0, multiCommand, "@fast @transaction", "transactions", "Starts a transaction.", "1.2.0", "O(1)", {}});
  r.add({"exec", 1, kNoscript | kLoading | kStale | kSkipSlowlog, 0, 0, 0, execCommand, "@slow @transaction", "transactions", "Executes all commands in a transaction.", "1.2.0", "Depends on commands in the transaction", {}});
  r.add({"discard", 1, f, 0, 0, 0, discardCommand, "@fast @transaction", "transactions", "Discards a transaction.", "2.0.0", "O(N), when N is the number of queued commands", {}});
  r.add({"watch", -2, f, 1, -1, 1, watchCommand, "@fast @transaction", "transactions", "Monitors changes to keys to determine the execution of a transaction.", "2.2.0", "O(1) for every key.", {}});
  r.add({"unwatch", 1, f, 0, 0, 0, unwatchCommand, "@fast @transaction", "transactions", "Forgets about watched keys of a transaction.", "2.2.0", "O(1)", {}});
}

}  // namespace erdtree::command
