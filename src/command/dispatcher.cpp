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

void replyUnknownCommand(resp::Writer& out, std::span<const std::string_view> args) {
  std::string msg = "ERR unknown command '";
  appendSanitized(msg, args[0].substr(0, 128));
  msg += "', with args beginning with: ";
  std::string rest;
  for (size_t i = 1; i < args.size() && rest.size() < 128; ++i) {
    size_t room = 128 - rest.size();  // each argument is cut to what is left of 128 bytes
    rest += '\'';
    appendSanitized(rest, args[i].substr(0, room));
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

void Dispatcher::execute(Session& session, std::span<const std::string_view> args, resp::Writer& out,
                         int64_t nowMs) {
  const CommandSpec* spec = svc_.registry.find(args[0]);
  if (spec == nullptr) {
    ++svc_.stats.rejectedCalls;
    replyUnknownCommand(out, args);
    return;
  }
  // A container with no subcommand runs its own handler if it has one (COMMAND).
  if (!spec->subcommands.empty() && !(args.size() == 1 && spec->handler != nullptr)) {
    if (args.size() == 1) {
      ++svc_.stats.rejectedCalls;
      replyWrongArity(out, spec->name);
      return;
    }
    const CommandSpec* sub = Registry::findSubcommand(*spec, args[1]);
    if (sub == nullptr) {
      ++svc_.stats.rejectedCalls;
      std::string upper(args[0]);
      for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
      std::string msg = "ERR unknown subcommand '";
      appendSanitized(msg, args[1].substr(0, 128));
      msg += "'. Try " + upper + " HELP.";
      out.error(msg);
      return;
    }
    spec = sub;
  }
  if (!arityOk(spec->arity, args.size())) {
    ++svc_.stats.rejectedCalls;
    replyWrongArity(out, spec->name);
    return;
  }
  if (authRequired_ && !session.authenticated && !session.internal && (spec->flags & kNoAuth) == 0) {
    ++svc_.stats.rejectedCalls;
    out.error(err::kNoAuth);
    return;
  }
  session.lastCommand = spec;  // CLIENT LIST shows the running command as cmd=
  Context ctx{session, args, out, svc_, nowMs};
  spec->handler(ctx);
  ++svc_.stats.commandsProcessed;
}

}  // namespace erdtree::command
