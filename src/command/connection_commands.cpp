// Connection commands: PING, ECHO, SELECT, QUIT, AUTH, HELLO, RESET and CLIENT.
// Socket-level facts (addresses, buffers) come from the server via ServerApi.
#include <algorithm>
#include <string>

#include "erdtree/command/dispatcher.h"
#include "erdtree/command/families.h"
#include "erdtree/util/ascii.h"
#include "erdtree/command/lookup.h"
#include "erdtree/util/numbers.h"

namespace erdtree::command {
namespace {

using util::equalsIgnoreCase;

// The Redis version erdtree answers as: clients gate features on it.
constexpr std::string_view kRedisCompatVersion = "7.0.15";

void pingCommand(Context& ctx) {
  if (ctx.argc() > 2) return ctx.out.error("ERR wrong number of arguments for 'ping' command");
  // A subscribed RESP2 client gets PONG in the shape of a pub/sub message.
  if (ctx.session.protocol == 2 && ctx.session.subscribed()) {
    ctx.out.arrayHeader(2);
    ctx.out.bulk("pong");
    return ctx.out.bulk(ctx.argc() == 2 ? ctx.arg(1) : "");
  }
  if (ctx.argc() == 2) return ctx.out.bulk(ctx.arg(1));
  ctx.out.simple("PONG");
}

void echoCommand(Context& ctx) { ctx.out.bulk(ctx.arg(1)); }

void selectCommand(Context& ctx) {
  auto v = util::parseInt64(ctx.arg(1));
  if (!v || *v < INT32_MIN || *v > INT32_MAX) return ctx.out.error(err::kNotInteger);
  if (*v < 0 || *v >= ctx.svc.keyspace.count()) return ctx.out.error(err::kDbIndex);
  ctx.session.db = static_cast<int>(*v);
  ctx.out.ok();
}

void quitCommand(Context& ctx) {
  ctx.session.closeAfterReply = true;
  ctx.out.ok();
}

// Checks credentials against requirepass (the only user is "default").
// Replies the error and returns false when they do not match.
bool checkCredentials(Context& ctx, std::string_view user, std::string_view pass) {
  const std::string& required = ctx.svc.server.requirePass();
  bool ok = user == "default" && (required.empty() || pass == required);
  if (!ok) {
    ctx.out.error("WRONGPASS invalid username-password pair or user is disabled.");
    return false;
  }
  ctx.session.authenticated = true;
  return true;
}

void authCommand(Context& ctx) {
  if (ctx.argc() > 3) return ctx.out.error(err::kSyntax);
  if (ctx.argc() == 2 && ctx.svc.server.requirePass().empty())
    return ctx.out.error(
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your "
        "configuration is correct?");
  std::string_view user = ctx.argc() == 3 ? ctx.arg(1) : "default";
  std::string_view pass = ctx.argc() == 3 ? ctx.arg(2) : ctx.arg(1);
  if (checkCredentials(ctx, user, pass)) ctx.out.ok();
}

bool validClientName(std::string_view name) {
  for (char c : name)
    if (c < '!' || c > '~') return false;  // no spaces, newlines or other specials
  return true;
}

void helloCommand(Context& ctx) {
  int64_t version = ctx.session.protocol;
  size_t j = 1;
  if (ctx.argc() >= 2) {
    auto v = util::parseInt64(ctx.arg(1));
    if (!v) return ctx.out.error("ERR Protocol version is not an integer or out of range");
    version = *v;
    j = 2;
    if (version != 2 && version != 3) return ctx.out.error("NOPROTO unsupported protocol version");
  }
  for (; j < ctx.argc(); ++j) {
    size_t left = ctx.argc() - j - 1;
    if (equalsIgnoreCase(ctx.arg(j), "auth") && left >= 2) {
      if (!checkCredentials(ctx, ctx.arg(j + 1), ctx.arg(j + 2))) return;
      j += 2;
    } else if (equalsIgnoreCase(ctx.arg(j), "setname") && left >= 1) {
      // As Redis 7.0: validated and set as soon as it is parsed, so the name
      // sticks even when a later option (or the NOAUTH check) fails.
      std::string_view setName = ctx.arg(++j);
      if (!validClientName(setName))
        return ctx.out.error("ERR Client names cannot contain spaces, newlines or special characters.");
      ctx.session.name = std::string(setName);
    } else {
      // Redis formats the option with %s: it ends at its first NUL byte.
      std::string_view opt = ctx.arg(j);
      return ctx.out.error("ERR Syntax error in HELLO option '" + std::string(opt.substr(0, opt.find('\0'))) +
                           "'");
    }
  }
  if (!ctx.session.authenticated && !ctx.svc.server.requirePass().empty())
    return ctx.out.error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH "
        "<user> <pass> option can be used to authenticate the client and select the RESP protocol version at "
        "the same time");
  // The reply already speaks the new protocol, as in Redis.
  ctx.session.protocol = static_cast<int>(version);
  ctx.out.setProtocol(ctx.session.protocol);
  ctx.out.mapHeader(7);
  ctx.out.bulk("server");
  ctx.out.bulk("redis");
  ctx.out.bulk("version");
  ctx.out.bulk(kRedisCompatVersion);
  ctx.out.bulk("proto");
  ctx.out.integer(version);
  ctx.out.bulk("id");
  ctx.out.integer(static_cast<int64_t>(ctx.session.id));
  ctx.out.bulk("mode");
  ctx.out.bulk("standalone");
  ctx.out.bulk("role");
  ctx.out.bulk("master");
  ctx.out.bulk("modules");
  ctx.out.arrayHeader(0);
}

void clientIdCommand(Context& ctx) { ctx.out.integer(static_cast<int64_t>(ctx.session.id)); }

void clientSetnameCommand(Context& ctx) {
  if (!validClientName(ctx.arg(2)))
    return ctx.out.error("ERR Client names cannot contain spaces, newlines or special characters.");
  ctx.session.name = std::string(ctx.arg(2));
  ctx.out.ok();
}

void clientGetnameCommand(Context& ctx) {
  if (ctx.session.name.empty()) return ctx.out.nullBulk();
  ctx.out.bulk(ctx.session.name);
}

void clientSetinfoCommand(Context& ctx) {
  std::string_view attr = ctx.arg(2), value = ctx.arg(3);
  bool isName = equalsIgnoreCase(attr, "lib-name"), isVer = equalsIgnoreCase(attr, "lib-ver");
  if (!isName && !isVer) return ctx.out.error("ERR Unrecognized option '" + std::string(attr) + "'");
  if (!validClientName(value))
    return ctx.out.error(std::string("ERR ") + (isName ? "lib-name" : "lib-ver") +
                         " cannot contain spaces, newlines or special characters.");
  (isName ? ctx.session.libName : ctx.session.libVer) = std::string(value);
  ctx.out.ok();
}

void clientListCommand(Context& ctx) {
  std::vector<uint64_t> ids;
  std::string type;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    if (equalsIgnoreCase(ctx.arg(j), "id") && j + 1 < ctx.argc()) {
      for (++j; j < ctx.argc(); ++j) {
        auto id = util::parseUint64(ctx.arg(j));
        if (!id || *id == 0) return ctx.out.error("ERR Invalid client ID");
        ids.push_back(*id);
      }
    } else if (equalsIgnoreCase(ctx.arg(j), "type") && j + 1 < ctx.argc()) {
      std::string_view t = ctx.arg(++j);
      if (!equalsIgnoreCase(t, "normal") && !equalsIgnoreCase(t, "master") && !equalsIgnoreCase(t, "replica") && !equalsIgnoreCase(t, "slave") && !equalsIgnoreCase(t, "pubsub"))
        return ctx.out.error("ERR Unknown client type '" + std::string(t) + "'");
      for (char c : t) type.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
      if (type == "slave") type = "replica";
    } else {
      return ctx.out.error(err::kSyntax);
    }
  }
  ctx.out.verbatim(ctx.svc.server.clientList(nullptr, ids, type));
}

void clientInfoCommand(Context& ctx) { ctx.out.verbatim(ctx.svc.server.clientList(&ctx.session, {}, "")); }

void clientKillCommand(Context& ctx) {
  ServerApi::KillFilter f;
  if (ctx.argc() == 3) {  // old form: CLIENT KILL addr:port
    f.addr = std::string(ctx.arg(2));
    f.skipMe = false;
    if (ctx.svc.server.clientKill(ctx.session, f) == 0) return ctx.out.error("ERR No such client");
    return ctx.out.ok();
  }
  for (size_t j = 2; j < ctx.argc(); j += 2) {
    if (j + 1 >= ctx.argc()) return ctx.out.error(err::kSyntax);
    std::string_view opt = ctx.arg(j), val = ctx.arg(j + 1);
    if (equalsIgnoreCase(opt, "id")) {
      auto id = util::parseUint64(val);
      if (!id || *id == 0) return ctx.out.error("ERR client-id should be greater than 0");
      f.ids.push_back(*id);
    } else if (equalsIgnoreCase(opt, "addr")) {
      f.addr = std::string(val);
    } else if (equalsIgnoreCase(opt, "laddr")) {
      f.laddr = std::string(val);
    } else if (equalsIgnoreCase(opt, "type")) {
      if (!equalsIgnoreCase(val, "normal") && !equalsIgnoreCase(val, "master") && !equalsIgnoreCase(val, "replica") && !equalsIgnoreCase(val, "slave") &&
          !equalsIgnoreCase(val, "pubsub"))
        return ctx.out.error("ERR Unknown client type '" + std::string(val) + "'");
      f.hasType = true;
      f.type = std::string(val);
    } else if (equalsIgnoreCase(opt, "skipme")) {
      if (equalsIgnoreCase(val, "yes")) f.skipMe = true;
      else if (equalsIgnoreCase(val, "no")) f.skipMe = false;
      else return ctx.out.error(err::kSyntax);
    } else if (equalsIgnoreCase(opt, "user")) {
      if (val != "default") return ctx.out.error("ERR No such user '" + std::string(val) + "'");
    } else {
      return ctx.out.error(err::kSyntax);
    }
  }
  ctx.out.integer(static_cast<int64_t>(ctx.svc.server.clientKill(ctx.session, f)));
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's blocking command
// with its timeout reply, or with an -UNBLOCKED error.
void clientUnblockCommand(Context& ctx) {
  if (ctx.argc() > 4) return replySubcommandSyntaxError(ctx);
  bool withError = false;
  if (ctx.argc() == 4) {
    if (equalsIgnoreCase(ctx.arg(3), "error")) withError = true;
    else if (!equalsIgnoreCase(ctx.arg(3), "timeout"))
      return ctx.out.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  }
  int64_t id = 0;
  if (!parseIntArg(ctx, ctx.arg(2), id)) return;
  bool unblocked = id > 0 && ctx.svc.blocking.unblock(static_cast<uint64_t>(id), withError);
  ctx.out.integer(unblocked ? 1 : 0);
}

// CLIENT PAUSE timeout [WRITE|ALL]: a second pause extends the first and
// never weakens it (ALL stays ALL), as Redis's pauseClients.
void clientPauseCommand(Context& ctx) {
  if (ctx.argc() > 4) return replySubcommandSyntaxError(ctx);
  auto ms = util::parseInt64(ctx.arg(2));
  if (!ms) return ctx.out.error("ERR timeout is not an integer or out of range");
  if (*ms < 0) return ctx.out.error("ERR timeout is negative");
  bool all = true;
  if (ctx.argc() == 4) {
    if (equalsIgnoreCase(ctx.arg(3), "write")) all = false;
    else if (!equalsIgnoreCase(ctx.arg(3), "all")) return ctx.out.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
  }
  ClientPause& p = ctx.svc.pause;
  const int64_t until = *ms > INT64_MAX - ctx.nowMs ? INT64_MAX : ctx.nowMs + *ms;
  const bool wasPaused = p.byClientUntilMs != 0 && ctx.nowMs < p.byClientUntilMs;
  p.byClientAll = all || (wasPaused && p.byClientAll);
  p.byClientUntilMs = wasPaused ? std::max(p.byClientUntilMs, until) : until;
  p.combine(ctx.nowMs);
  ctx.out.ok();
}

// Ends CLIENT PAUSE only: a shutdown's write pause stays, as in Redis.
void clientUnpauseCommand(Context& ctx) {
  ctx.svc.pause.byClientUntilMs = 0;
  ctx.svc.pause.combine(ctx.nowMs);  // the held clients run before the loop sleeps
  ctx.out.ok();
}

void clientNoEvictCommand(Context& ctx) {
  if (equalsIgnoreCase(ctx.arg(2), "on")) ctx.session.noEvict = true;
  else if (equalsIgnoreCase(ctx.arg(2), "off")) ctx.session.noEvict = false;
  else return ctx.out.error(err::kSyntax);
  ctx.out.ok();
}

// CLIENT REPLY ON|OFF|SKIP: OFF and SKIP are not answered themselves; the
// server drops what the following commands write (Server::processInput).
void clientReplyCommand(Context& ctx) {
  if (equalsIgnoreCase(ctx.arg(2), "on")) {
    ctx.session.replyMode = Session::ReplyMode::kOn;
    return ctx.out.ok();
  }
  if (equalsIgnoreCase(ctx.arg(2), "off")) ctx.session.replyMode = Session::ReplyMode::kOff;
  else if (equalsIgnoreCase(ctx.arg(2), "skip")) ctx.session.replyMode = Session::ReplyMode::kSkipNext;
  else return ctx.out.error(err::kSyntax);
}

// RESET: back to a fresh connection's state (Redis's clearClientConnectionState):
// out of MULTI and MONITOR, no watches or subscriptions, db 0, RESP2, no
// name, replies on, and unauthenticated when a password is set. CLIENT
// NO-EVICT stays as it was: Redis 7.0.15's RESET keeps it too.
void resetCommand(Context& ctx) {
  Session& s = ctx.session;
  if (s.replica || s.internal) return ctx.out.error("ERR can only reset normal client connections");
  if (s.monitor) {
    ctx.svc.monitors.remove(s);
    s.monitor = false;
  }
  discardTransaction(ctx.svc, s);
  ctx.svc.pubsub.unsubscribeAll(s);
  s.db = 0;
  s.protocol = 2;
  ctx.out.setProtocol(2);
  s.authenticated = ctx.svc.server.requirePass().empty();
  s.name.clear();
  s.replyMode = Session::ReplyMode::kOn;
  ctx.out.simple("RESET");
}

// Redis 7.0.15's text, without the client-side caching subcommands erdtree
// does not have (CACHING, GETREDIR, TRACKING, TRACKINGINFO).
void clientHelpCommand(Context& ctx) {
  static const char* const lines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

}  // namespace

void registerConnectionCommands(Registry& r) {
  constexpr uint32_t conn = kLoading | kStale;
  r.add({"ping", -1, kFast | kSentinel, 0, 0, 0, pingCommand, "@fast @connection", "connection", "Returns the server's liveliness response.", "1.0.0", "O(1)", {}});
  r.add({"echo", 2, kFast, 0, 0, 0, echoCommand, "@fast @connection", "connection", "Returns the given string.", "1.0.0", "O(1)", {}});
  r.add({"select", 2, conn | kFast, 0, 0, 0, selectCommand, "@fast @connection", "connection", "Changes the selected database.", "1.0.0", "O(1)", {}});
  r.add({"quit", -1, kAllowBusy | kNoAuth | conn | kFast, 0, 0, 0, quitCommand, "@fast @connection", "connection", "Closes the connection.", "1.0.0", "O(1)", {}});
  r.add({"auth", -2, kNoscript | conn | kFast | kNoAuth | kSentinel | kAllowBusy, 0, 0, 0, authCommand, "@fast @connection", "connection", "Authenticates the connection.", "1.0.0", "O(N) where N is the number of passwords defined for the user", {}});
  r.add({"hello", -1, kNoscript | conn | kFast | kNoAuth | kSentinel | kAllowBusy, 0, 0, 0, helloCommand, "@fast @connection", "connection", "Handshakes with the Redis server.", "6.0.0", "O(1)", {}});
  r.add({"reset", 1, kNoscript | conn | kFast | kNoAuth | kAllowBusy, 0, 0, 0, resetCommand, "@fast @connection", "connection", "Reset the connection", "6.2.0", "O(1)", {}});
  r.add({"client", -2, kSentinel, 0, 0, 0, nullptr, "@slow", "connection", "A container for client connection commands.", "2.4.0", "Depends on subcommand.", {
      {"client|id", 2, kNoscript | conn | kSentinel, 0, 0, 0, clientIdCommand, "@slow @connection", "connection", "Returns the unique client ID of the connection.", "5.0.0", "O(1)", {}},
      {"client|setname", 3, kNoscript | conn | kSentinel, 0, 0, 0, clientSetnameCommand, "@slow @connection", "connection", "Sets the connection name.", "2.6.9", "O(1)", {}},
      {"client|getname", 2, kNoscript | conn | kSentinel, 0, 0, 0, clientGetnameCommand, "@slow @connection", "connection", "Returns the name of the connection.", "2.6.9", "O(1)", {}},
      {"client|setinfo", 4, kNoscript | conn | kSentinel, 0, 0, 0, clientSetinfoCommand, "@slow @connection", "connection", "Sets information specific to the client or connection.", "7.2.0", "O(1)", {}},
      {"client|list", -2, kAdmin | kNoscript | conn | kSentinel, 0, 0, 0, clientListCommand, "@admin @slow @dangerous @connection", "connection", "Lists open connections.", "2.4.0", "O(N) where N is the number of client connections", {}},
      {"client|info", 2, kNoscript | conn | kSentinel, 0, 0, 0, clientInfoCommand, "@slow @connection", "connection", "Returns information about the connection.", "6.2.0", "O(1)", {}},
      {"client|kill", -3, kAdmin | kNoscript | conn | kSentinel, 0, 0, 0, clientKillCommand, "@admin @slow @dangerous @connection", "connection", "Terminates open connections.", "2.4.0", "O(N) where N is the number of client connections", {}},
      {"client|unblock", -3, kAdmin | kNoscript | conn, 0, 0, 0, clientUnblockCommand, "@admin @slow @dangerous @connection", "connection", "Unblock a client blocked in a blocking command from a different connection", "5.0.0", "O(log N) where N is the number of client connections", {}},
      {"client|pause", -3, kAdmin | kNoscript | conn, 0, 0, 0, clientPauseCommand, "@admin @slow @dangerous @connection", "connection", "Stop processing commands from clients for some time", "2.9.50", "O(1)", {}},
      {"client|unpause", 2, kAdmin | kNoscript | conn, 0, 0, 0, clientUnpauseCommand, "@admin @slow @dangerous @connection", "connection", "Resume processing of clients that were paused", "6.2.0", "O(N) Where N is the number of paused clients", {}},
      {"client|no-evict", 3, kAdmin | kNoscript | conn, 0, 0, 0, clientNoEvictCommand, "@admin @slow @dangerous @connection", "connection", "Set client eviction mode for the current connection", "7.0.0", "O(1)", {}},
      {"client|reply", 3, kNoscript | conn, 0, 0, 0, clientReplyCommand, "@slow @connection", "connection", "Instruct the server whether to reply to commands", "3.2.0", "O(1)", {}},
      {"client|help", 2, conn, 0, 0, 0, clientHelpCommand, "@slow @connection", "connection", "Returns helpful text about the different subcommands.", "5.0.0", "O(1)", {}},
  }});
}

}  // namespace erdtree::command
