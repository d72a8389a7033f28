#include "erdtree/command/dispatcher.h"

#include <string>

#include "erdtree/command/registry.h"
#include "erdtree/command/replies.h"

namespace erdtree::command {
namespace {

// Redis puts request text inside error lines; newlines would break the reply.
void appendSanitized(std::string& out, std::string_view s) {
  for (char c : s) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
}

// Redis formats request text into these errors with %s, so each piece ends
// at its first NUL byte ("SET\0x" is reported as 'SET').
std::string_view untilNul(std::string_view s) { return s.substr(0, s.find('\0')); }

void replyUnknownCommand(resp::Writer& out, std::span<const std::string_view> args) {
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
  msg += rest;
  out.error(msg);
}

void replyWrongArity(resp::Writer& out, std::string_view fullName) {
  std::string msg = "ERR wrong number of arguments for '";
  msg += fullName;
  msg += "' command";
  out.error(msg);
}

bool arityOk(int arity, size_t argc) {
  return arity >= 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
}

}  // namespace

const CommandSpec* Dispatcher::resolve(std::span<const std::string_view> args, resp::Writer& out) {
  const CommandSpec* spec = svc_.registry.find(args[0]);
  if (spec == nullptr) {
    ++svc_.stats.rejectedCalls;
    replyUnknownCommand(out, args);
    return nullptr;
  }
  // A container with no subcommand runs its own handler if it has one (COMMAND).
  if (!spec->subcommands.empty() && !(args.size() == 1 && spec->handler != nullptr)) {
    if (args.size() == 1) {
      ++svc_.stats.rejectedCalls;
      replyWrongArity(out, spec->name);
      return nullptr;
    }
    const CommandSpec* sub = Registry::findSubcommand(*spec, args[1]);
    if (sub == nullptr) {
      ++svc_.stats.rejectedCalls;
      std::string upper(untilNul(args[0]));
      for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
      std::string msg = "ERR unknown subcommand '";
      appendSanitized(msg, untilNul(args[1]).substr(0, 128));
      msg += "'. Try " + upper + " HELP.";
      out.error(msg);
      return nullptr;
    }
    spec = sub;
  }
  if (!arityOk(spec->arity, args.size())) {
    ++svc_.stats.rejectedCalls;
    replyWrongArity(out, spec->name);
    return nullptr;
  }
  return spec;
}

namespace {

// What a RESP2 client with subscriptions may still run.
bool allowedWhileSubscribed(const CommandSpec& spec) {
  std::string_view n = spec.name;
  return n == "subscribe" || n == "ssubscribe" || n == "unsubscribe" || n == "sunsubscribe" ||
         n == "psubscribe" || n == "punsubscribe" || n == "ping" || n == "quit" || n == "reset";
}

// Commands that act on the transaction itself instead of being queued.
bool controlsTransaction(const CommandSpec& spec) {
  std::string_view n = spec.name;
  return n == "exec" || n == "discard" || n == "multi" || n == "watch" || n == "quit" || n == "reset";
}

}  // namespace

void Dispatcher::execute(Session& session, std::span<const std::string_view> args, resp::Writer& out,
                         int64_t nowMs) {
  const CommandSpec* spec = resolve(args, out);
  if (spec == nullptr) {
    session.tx.aborted |= session.tx.inMulti;  // EXEC will answer EXECABORT
    return;
  }
  if (authRequired_ && !session.authenticated && !session.internal && (spec->flags & kNoAuth) == 0) {
    ++svc_.stats.rejectedCalls;
    session.tx.aborted |= session.tx.inMulti;
    out.error(err::kNoAuth);
    return;
  }
  if (session.protocol == 2 && session.subscribed() && !allowedWhileSubscribed(*spec)) {
    ++svc_.stats.rejectedCalls;
    session.tx.aborted |= session.tx.inMulti;
    out.error("ERR Can't execute '" + std::string(spec->name) +
              "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
    return;
  }
  if (session.tx.inMulti && !controlsTransaction(*spec)) {
    if (spec->flags & kNoMulti) {
      session.tx.aborted = true;
      out.error("ERR Command not allowed inside a transaction");
      return;
    }
    session.tx.queued.emplace_back(args.begin(), args.end());
    out.simple("QUEUED");
    return;
  }
  call(session, *spec, args, out, nowMs);
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
  spec.handler(ctx);
  ++svc_.stats.commandsProcessed;
  // A write that changed data touches its key arguments for WATCH.
  if (svc_.stats.dirty != dirtyBefore && !svc_.watches.empty() && spec.firstKey > 0) {
    int last = spec.lastKey < 0 ? static_cast<int>(args.size()) + spec.lastKey : spec.lastKey;
    for (int i = spec.firstKey; i <= last && i < static_cast<int>(args.size()); i += spec.step)
      svc_.watches.touch(db, args[static_cast<size_t>(i)]);
  }
}

}  // namespace erdtree::command
