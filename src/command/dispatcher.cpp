#include "erdtree/command/dispatcher.h"

#include <string>
#include <vector>

#include "erdtree/command/registry.h"
#include "erdtree/command/replication.h"
#include "erdtree/command/replies.h"
#include "erdtree/util/clock.h"

namespace erdtree::command {
namespace {

// Redis puts request text inside error lines; newlines would break the reply.
void appendSanitized(std::string& out, std::string_view s) {
  for (char c : s) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
}

// Redis formats request text into these errors with %s, so each piece ends
// at its first NUL byte ("SET\0x" is reported as 'SET').
std::string_view untilNul(std::string_view s) { return s.substr(0, s.find('\0')); }

std::string unknownCommandError(std::span<const std::string_view> args) {
  std::string msg = "ERR unknown command '";
  appendSanitized(msg, untilNul(args[0]).substr(0, 128));
  msg += "', with args beginning with: ";
  std::string rest;
  for (size_t i = 1; i < args.size() && rest.size() < 128; ++i) {
    size_t room = 128 - rest.size();  // each argument is cut to what is left of 128 bytes
    rest += '\'';
    appendSanitized(rest, untilNul(args[i]).substr(0, room));
    rest += "' ";
  }
  return msg + rest;
}

std::string wrongArityError(std::string_view fullName) {
  return "ERR wrong number of arguments for '" + std::string(fullName) + "' command";
}

bool arityOk(int arity, size_t argc) {
  return arity >= 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
}

}  // namespace

Dispatcher::Dispatcher(Services& svc) : svc_(svc) {
  svc_.dispatcher = this;
  svc_.blocking.setErrorStats(&svc_.errors);
  // A blocked command is timed and logged once it got its reply, with the
  // time its handler took when it blocked (Redis's updateStatsOnUnblock).
  svc_.blocking.setFinishedListener([this](Session& s, std::span<const std::string> args, bool served,
                                            bool failed) {
    if (s.lastCommand == nullptr || args.empty()) return;
    const CommandSpec& spec = *s.lastCommand;
    const int64_t runUs = svc_.timeCommands ? s.blockedRunUs : 0;
    svc_.commandStats.recordCall(spec.index, runUs, failed, served && svc_.timeCommands && svc_.latencyTracking);
    if (!served || !svc_.timeCommands) return;
    if (!svc_.slowlog.wants(s.blockedRunUs) || (spec.flags & kSkipSlowlog) != 0) return;
    std::vector<std::string_view> views(args.begin(), args.end());
    svc_.slowlog.push(views, 0, s.blockedRunUs, util::unixTimeMs() / 1000, s.addr, s.name);
  });
}

const CommandSpec* Dispatcher::lookup(std::span<const std::string_view> args, const CommandSpec*& found,
                                      std::string& error, bool internal) const {
  const CommandSpec* spec = svc_.registry.find(args[0]);
  // The AOF and the master's stream may name a renamed command by its own name.
  if (spec == nullptr && internal) spec = svc_.registry.findOriginal(args[0]);
  found = spec;
  if (spec == nullptr) {
    error = unknownCommandError(args);
    return nullptr;
  }
  // A container with no subcommand runs its own handler if it has one (COMMAND).
  if (!spec->subcommands.empty() && !(args.size() == 1 && spec->handler != nullptr)) {
    if (args.size() == 1) {
      error = wrongArityError(spec->name);
      return nullptr;
    }
    const CommandSpec* sub = Registry::findSubcommand(*spec, args[1]);
    if (sub == nullptr) {
      found = nullptr;  // Redis finds no command here: no commandstats line is charged
      std::string upper(untilNul(args[0]));
      for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
      error = "ERR unknown subcommand '";
      appendSanitized(error, untilNul(args[1]).substr(0, 128));
      error += "'. Try " + upper + " HELP.";
      return nullptr;
    }
    spec = sub;
    found = sub;
  }
  if (!arityOk(spec->arity, args.size())) {
    error = wrongArityError(spec->name);
    return nullptr;
  }
  return spec;
}

const CommandSpec* Dispatcher::resolve(std::span<const std::string_view> args, resp::Writer& out, bool internal) {
  const CommandSpec* found = nullptr;
  std::string error;
  const CommandSpec* spec = lookup(args, found, error, internal);
  if (spec == nullptr) {
    svc_.errors.count(error);
    out.error(error);
  }
  return spec;
}

void Dispatcher::reject(Session& session, const CommandSpec* spec, std::string_view error, resp::Writer& out) {
  if (spec != nullptr) svc_.commandStats.recordRejected(spec->index);
  errorsSeen_ = svc_.errors.total() + 1;  // the error below
  if (spec != nullptr && spec->name == "exec") {
    // Redis's rejectCommand: a refused EXEC discards the transaction (and
    // the watches), even outside MULTI, and says why.
    discardTransaction(svc_, session);
    if (error.starts_with("ERR ")) error.remove_prefix(4);
    const std::string abort = "EXECABORT Transaction discarded because of: " + std::string(error);
    svc_.errors.count(abort);
    out.error(abort);
    return;
  }
  session.tx.aborted |= session.tx.inMulti;  // EXEC will answer EXECABORT
  svc_.errors.count(error);
  out.error(error);
}

namespace {

// What a RESP2 client with subscriptions may still run.
bool allowedWhileSubscribed(const CommandSpec& spec) {
  std::string_view n = spec.name;
  return n == "subscribe" || n == "ssubscribe" || n == "unsubscribe" || n == "sunsubscribe" ||
         n == "psubscribe" || n == "punsubscribe" || n == "ping" || n == "quit" || n == "reset";
}

// The spec of each command an EXEC is about to run (subcommands resolved).
template <typename Pred>
bool anyQueued(const Registry& registry, const Session& session, Pred pred) {
  for (const auto& q : session.tx.queued) {
    const CommandSpec* s = q.empty() ? nullptr : registry.find(q[0]);
    if (s != nullptr && !s->subcommands.empty() && q.size() > 1)
      if (const CommandSpec* sub = Registry::findSubcommand(*s, q[1])) s = sub;
    if (s != nullptr && pred(*s)) return true;
  }
  return false;
}

bool isExecOfQueued(const CommandSpec& spec, const Session& session) {
  return spec.name == "exec" && session.tx.inMulti;
}

// A write, or an EXEC that queued one (Redis's is_write_command).
bool writesData(const Registry& registry, const CommandSpec& spec, const Session& session) {
  if ((spec.flags & kWrite) != 0) return true;
  return isExecOfQueued(spec, session) &&
         anyQueued(registry, session, [](const CommandSpec& s) { return (s.flags & kWrite) != 0; });
}

// A command without the stale flag, or an EXEC that queued one.
bool deniedWhileStale(const Registry& registry, const CommandSpec& spec, const Session& session) {
  if ((spec.flags & kStale) == 0 && spec.name != "exec") return true;
  return isExecOfQueued(spec, session) &&
         anyQueued(registry, session, [](const CommandSpec& s) { return (s.flags & kStale) == 0; });
}

// Under a disk error: writes, PING, and an EXEC that queued a write.
bool deniedOnDiskError(const Registry& registry, const CommandSpec& spec, const Session& session) {
  if (spec.name == "ping") return true;
  return writesData(registry, spec, session);
}

// Under maxmemory with nothing left to evict: commands flagged denyoom (an
// EXEC that queued one), and inside MULTI everything that would be queued.
bool deniedOnOom(const Registry& registry, const CommandSpec& spec, const Session& session) {
  if ((spec.flags & kDenyOom) != 0) return true;
  if (isExecOfQueued(spec, session))
    return anyQueued(registry, session, [](const CommandSpec& s) { return (s.flags & kDenyOom) != 0; });
  std::string_view n = spec.name;
  return session.tx.inMulti && n != "exec" && n != "discard" && n != "quit" && n != "reset";
}

// Commands CLIENT PAUSE WRITE holds besides writes: those Redis 7.0 flags
// may-replicate (they can emit a record while not writing keys).
bool mayReplicate(const Registry& registry, const CommandSpec& spec, const Session& session) {
  if (writesData(registry, spec, session)) return true;
  auto named = [](const CommandSpec& s) {
    std::string_view n = s.name;
    return n == "publish" || n == "spublish" || n == "pfcount" || n == "eval" || n == "evalsha" || n == "fcall" ||
           n == "script|load";
  };
  return named(spec) || (isExecOfQueued(spec, session) && anyQueued(registry, session, named));
}

bool protectedAllowed(ProtectedAccess access, const Session& session) {
  return access == ProtectedAccess::kYes || (access == ProtectedAccess::kLocal && session.local);
}

// Commands that act on the transaction itself instead of being queued.
bool controlsTransaction(const CommandSpec& spec) {
  std::string_view n = spec.name;
  return n == "exec" || n == "discard" || n == "multi" || n == "watch" || n == "quit" || n == "reset";
}

}  // namespace

void Dispatcher::execute(Session& session, std::span<const std::string_view> args, resp::Writer& out,
                         int64_t nowMs) {
  const CommandSpec* found = nullptr;  // the command named, even when refused
  std::string error;
  const CommandSpec* spec = lookup(args, found, error, session.internal);
  if (spec == nullptr) return reject(session, found, error, out);
  // Redis checks protected commands right after the arity, before auth.
  if ((spec->flags & kProtected) != 0 && !session.internal && !protectedAllowed(svc_.debugCommand, session))
    return reject(session, spec,
                  "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can "
                  "run it from a local connection, otherwise you need to set this option in the configuration "
                  "file, and then restart the server.",
                  out);
  if (authRequired_ && !session.authenticated && !session.internal && (spec->flags & kNoAuth) == 0)
    return reject(session, spec, err::kNoAuth, out);
  // maxmemory (Redis's processCommand): evict first; when memory stays over
  // the limit, refuse commands that may grow it (an EXEC that queued one),
  // and anything but EXEC/DISCARD/QUIT/RESET inside MULTI, where queueing
  // itself uses memory.
  // A CLIENT PAUSE pauses eviction too (nothing is refused meanwhile).
  if (svc_.memoryGuard != nullptr && !session.internal && svc_.memoryGuard->active() && svc_.pause.untilMs == 0) {
    const bool outOfMemory = !svc_.memoryGuard->performEvictions();
    if (outOfMemory && deniedOnOom(svc_.registry, *spec, session))
      return reject(session, spec, "OOM command not allowed when used memory > 'maxmemory'.", out);
  }
  // Redis's writeCommandsDeniedByDiskError: writes (an EXEC counts when it
  // queued one) and PING are refused while the log cannot be written.
  if (!svc_.diskWriteError.empty() && !session.internal && deniedOnDiskError(svc_.registry, *spec, session))
    return reject(session, spec, svc_.diskWriteError, out);
  // Redis's checkGoodReplicasStatus (min-replicas-to-write), right after it.
  if (svc_.tooFewReplicas && !session.internal && writesData(svc_.registry, *spec, session))
    return reject(session, spec, "NOREPLICAS Not enough good replicas to write.", out);
  // A read-only replica takes writes only from its master (internal session).
  if (svc_.readOnlyReplica && !session.internal && writesData(svc_.registry, *spec, session))
    return reject(session, spec, "READONLY You can't write against a read only replica.", out);
  if (session.protocol == 2 && session.subscribed() && !allowedWhileSubscribed(*spec))
    return reject(session, spec,
                  "ERR Can't execute '" + std::string(spec->name) +
                      "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                  out);
  // Redis's deny-stale check, after the subscribe context one.
  if (svc_.staleReplica && !session.internal && deniedWhileStale(svc_.registry, *spec, session))
    return reject(session, spec,
                  "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", out);
  // A MONITOR client counts as a replica in Redis: it may not touch keys
  // (so it cannot slip past a CLIENT PAUSE either).
  if (session.monitor && ((spec->flags & (kWrite | kReadonly)) != 0 || mayReplicate(svc_.registry, *spec, session)))
    return reject(session, spec, "ERR Replica can't interact with the keyspace", out);
  // CLIENT PAUSE: the request waits, unanswered and unread, until the pause
  // ends (Server::refreshPause); replicas and the master's stream go on.
  if (svc_.pause.untilMs != 0 && !session.internal && !session.replica && svc_.pause.active(nowMs) &&
      (svc_.pause.all || mayReplicate(svc_.registry, *spec, session))) {
    session.postponed = true;
    session.lastCommand = spec;  // CLIENT LIST shows the held command as cmd=, flags=b
    svc_.pause.held.push_back(session.id);
    return;
  }
  if (session.tx.inMulti && !controlsTransaction(*spec)) {
    if (spec->flags & kNoMulti) return reject(session, spec, "ERR Command not allowed inside a transaction", out);
    session.tx.queued.emplace_back(args.begin(), args.end());
    out.simple("QUEUED");
    return;
  }
  call(session, *spec, args, out, nowMs);
  // WAIT waits for the stream as it was after this client's last command
  // (read or write), as Redis 7.0's processCommand sets c->woff.
  if (svc_.replication != nullptr) session.woff = svc_.replication->masterOffset();
  // Keys this command (or this whole EXEC) made ready serve their blocked
  // clients now, before the next command, as Redis's handleClientsBlockedOnKeys.
  if (svc_.blocking.hasReadyKeys()) svc_.blocking.serveReadyKeys(svc_, nowMs);
}

void Dispatcher::call(Session& session, const CommandSpec& spec, std::span<const std::string_view> args,
                      resp::Writer& out, int64_t nowMs) {
  const uint64_t dirtyBefore = svc_.stats.dirty;
  const int db = session.db;
  session.lastCommand = &spec;  // CLIENT LIST shows the running command as cmd=
  Context ctx{session, args, out, svc_, nowMs};
  // SLOWLOG, LATENCY and the per-command histograms need the handler's
  // duration: one pair of vDSO clock reads, skipped when all three are off.
  const bool timed = svc_.timeCommands;
  const int64_t startUs = timed ? util::monotonicUs() : 0;
  const size_t replyMark = out.size();
  spec.handler(ctx);
  ++svc_.stats.commandsProcessed;
  if (out.size() > replyMark && out.buffer()[replyMark] == '-') countHandlerError(out, replyMark);
  // Failed when errors were sent since the last command ended, as Redis's
  // call() compares its error counter with the one it saw last: an EXEC
  // fails only on an error after its last queued command, CLIENT UNBLOCK
  // ERROR on the blocked client's error.
  const bool failed = svc_.errors.total() > errorsSeen_;  // not after CONFIG RESETSTAT
  errorsSeen_ = svc_.errors.total();
  // The log replay (an internal session without an address) is not a client.
  const bool fromClient = !session.internal || !session.addr.empty();
  if (timed && session.blocked) session.blockedRunUs = util::monotonicUs() - startUs;  // counted when it ends
  if (fromClient && !session.blocked) {
    const int64_t durationUs = timed ? util::monotonicUs() - startUs : 0;
    svc_.commandStats.recordCall(spec.index, durationUs, failed, timed && svc_.latencyTracking);
    const bool latencySpike = svc_.latency.thresholdMs != 0 && durationUs / 1000 >= svc_.latency.thresholdMs;
    if (timed && (svc_.slowlog.wants(durationUs) || latencySpike) && (spec.flags & kSkipSlowlog) == 0)
      recordSlow(session, spec, args, durationUs);
  }
  // MONITOR sees what ran, in the db it left selected, as Redis's call();
  // admin commands (CONFIG, DEBUG, ...) are never shown.
  if (!svc_.monitors.empty() && fromClient && (spec.flags & (kSkipMonitor | kAdmin)) == 0)
    svc_.monitors.feed(session, session.db, args, redactedArguments(spec.name, args), util::unixTimeUs());
  // A write that changed data touches its key arguments for WATCH (spec.h:
  // WatchTouch says which).
  if (svc_.stats.dirty != dirtyBefore && !svc_.watches.empty() && spec.hasKeys()) {
    if (spec.watchTouch == WatchTouch::kDestination) {
      if (spec.firstKey > 0 && static_cast<size_t>(spec.firstKey) < args.size())
        svc_.watches.touch(db, args[static_cast<size_t>(spec.firstKey)]);
    } else if (spec.watchTouch == WatchTouch::kAllKeys) {
      std::vector<size_t> keys;
      if (commandKeyPositions(spec, args, keys))
        for (size_t i : keys) svc_.watches.touch(db, args[i]);
    }
  }
}

void Dispatcher::countHandlerError(resp::Writer& out, size_t replyMark) {
  // The error line the handler wrote, without its '-' and CRLF.
  std::string_view reply(out.buffer());
  reply.remove_prefix(replyMark + 1);
  svc_.errors.count(reply.substr(0, reply.find('\r')));
}

void Dispatcher::recordSlow(const Session& session, const CommandSpec& spec, std::span<const std::string_view> args,
                            int64_t durationUs) {
  if (svc_.latency.thresholdMs != 0)
    svc_.latency.addSampleIfNeeded((spec.flags & kFast) != 0 ? "fast-command" : "command", durationUs / 1000,
                                   util::unixTimeMs() / 1000);
  if (svc_.slowlog.wants(durationUs))
    svc_.slowlog.push(args, redactedArguments(spec.name, args), durationUs, util::unixTimeMs() / 1000,
                      session.addr, session.name);
}

}  // namespace erdtree::command
