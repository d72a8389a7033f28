// CLIENT LIST / INFO / KILL: the socket-side facts about each client, in the
// field order Redis prints them.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

#include "erdtree/command/spec.h"
#include "erdtree/server/fd_limit.h"
#include "erdtree/server/server.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/clock.h"

namespace erdtree::server {
namespace {

// CLIENT LIST / KILL type of a client.
const char* clientType(const command::Session& s) {
  if (s.replica) return "replica";
  return s.subscribed() ? "pubsub" : "normal";
}

}  // namespace

std::string Server::clientLine(const Client& c, int64_t nowMs) const {
  const net::Connection& conn = *c.conn;
  const command::Session& s = c.session;
  std::string line;
  line.reserve(320);
  auto field = [&](std::string_view name, std::string_view value) {
    if (!line.empty()) line += ' ';
    line += name;
    line += '=';
    line += value;
  };
  auto num = [&](std::string_view name, int64_t v) { field(name, std::to_string(v)); };
  num("id", static_cast<int64_t>(s.id));
  field("addr", conn.peerAddress());
  field("laddr", conn.localAddress());
  num("fd", conn.fd());
  field("name", s.name);
  num("age", (nowMs - s.createdMs) / 1000);
  num("idle", (nowMs - s.lastInteractionMs) / 1000);
  std::string flags;  // in Redis's order
  if (s.monitor) flags += 'O';
  if (s.replica) flags += 'S';
  if (s.subscribed()) flags += 'P';
  if (s.tx.inMulti) flags += 'x';
  if (s.blocked || s.postponed) flags += 'b';  // a client held by CLIENT PAUSE is blocked in Redis too
  if (s.unixSocket) flags += 'U';
  if (s.noEvict) flags += 'e';
  field("flags", flags.empty() ? "N" : flags);
  num("db", s.db);
  num("sub", static_cast<int64_t>(s.channels.size()));
  num("psub", static_cast<int64_t>(s.patterns.size()));
  num("ssub", 0);
  num("multi", s.tx.inMulti ? static_cast<int64_t>(s.tx.queued.size()) : -1);
  num("qbuf", static_cast<int64_t>(const_cast<net::Connection&>(conn).input().size()));
  num("qbuf-free", static_cast<int64_t>(const_cast<net::Connection&>(conn).input().tailRoom()));
  num("argv-mem", 0);
  num("multi-mem", 0);
  num("rbs", static_cast<int64_t>(const_cast<net::Connection&>(conn).input().capacity()));
  num("rbp", 0);
  num("obl", 0);
  num("oll", 0);
  num("omem", static_cast<int64_t>(conn.pendingOutputBytes()));
  num("tot-mem", static_cast<int64_t>(const_cast<net::Connection&>(conn).input().capacity() + conn.pendingOutputBytes() + sizeof(Client)));
  field("events", "r");
  field("cmd", s.lastCommand != nullptr ? s.lastCommand->name : "NULL");
  field("user", "default");
  num("redir", -1);
  num("resp", s.protocol);
  field("lib-name", s.libName);
  field("lib-ver", s.libVer);
  line += '\n';
  return line;
}

std::string Server::clientList(const command::Session* only, std::span<const uint64_t> ids, std::string_view type) {
  int64_t nowMs = util::unixTimeMs();
  std::string out;
  if (only != nullptr) {
    if (net::Connection* conn = tcp_->find(only->id))
      if (auto* c = static_cast<Client*>(conn->userData)) out = clientLine(*c, nowMs);
    return out;
  }
  auto wanted = [&](uint64_t id) {
    if (ids.empty()) return true;
    for (uint64_t i : ids)
      if (i == id) return true;
    return false;
  };
  // Oldest first, as Redis lists them.
  std::vector<const Client*> clients;
  tcp_->forEach([&](net::Connection& conn) {
    auto* c = static_cast<Client*>(conn.userData);
    if (c == nullptr || !wanted(c->session.id)) return;
    if (!type.empty() && type != clientType(c->session) && !(type == "slave" && c->session.replica)) return;
    clients.push_back(c);
  });
  std::sort(clients.begin(), clients.end(), [](const Client* a, const Client* b) { return a->session.id < b->session.id; });
  for (const Client* c : clients) out += clientLine(*c, nowMs);
  return out;
}

size_t Server::clientKill(const command::Session& caller, const KillFilter& f) {
  std::vector<Client*> victims;
  tcp_->forEach([&](net::Connection& conn) {
    auto* c = static_cast<Client*>(conn.userData);
    if (c == nullptr || conn.closing()) return;
    if (!f.ids.empty() && std::find(f.ids.begin(), f.ids.end(), c->session.id) == f.ids.end()) return;
    if (!f.addr.empty() && conn.peerAddress() != f.addr) return;
    if (!f.laddr.empty() && conn.localAddress() != f.laddr) return;
    if (f.hasType && !util::equalsIgnoreCase(f.type, clientType(c->session)) &&
        !(c->session.replica && util::equalsIgnoreCase(f.type, "slave")))
      return;
    if (f.skipMe && c->session.id == caller.id) return;
    victims.push_back(c);
  });
  for (Client* c : victims) {
    if (c == current_) c->session.closeAfterReply = true;  // reply first, then close
    else c->conn->close();
  }
  return victims.size();
}

std::vector<std::pair<std::string, std::string>> Server::configGet(std::span<const std::string_view> patterns) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto p : patterns)
    for (auto& kv : config_.get(p))
      if (std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == kv.first; }) == out.end())
        out.push_back(std::move(kv));
  return out;
}

std::string Server::configSet(std::span<const std::string_view> pairs) {
  for (size_t i = 0; i < pairs.size(); i += 2) {
    if (!config_.known(pairs[i]))
      return "ERR Unknown option or number of arguments for CONFIG SET - '" + std::string(pairs[i]) + "'";
    for (size_t j = 0; j < i; j += 2)
      if (util::equalsIgnoreCase(pairs[i], pairs[j]))
        return "ERR CONFIG SET failed (possibly related to argument '" + std::string(pairs[i]) +
               "') - duplicate parameter";
  }
  // All or nothing: on the first failure the previous values come back.
  config::Settings before = config_.settings();
  for (size_t i = 0; i < pairs.size(); i += 2) {
    std::string err = config_.set(pairs[i], pairs[i + 1], false);
    if (err.empty() && util::equalsIgnoreCase(pairs[i], "dir")) {
      // The server works inside dir: changing it means changing directory.
      if (chdir(config_.settings().dir.c_str()) != 0) {
        err = std::strerror(errno);
      } else if (char* cwd = getcwd(nullptr, 0)) {
        config_.mutableSettings().dir = cwd;
        std::free(cwd);
      }
    }
    if (err.empty() && util::equalsIgnoreCase(pairs[i], "maxclients")) {
      int64_t fit = ensureFdsForClients(config_.settings().maxclients);
      if (fit < config_.settings().maxclients)
        err = "The operating system is not able to handle the specified number of clients, try with " +
              std::to_string(fit);
    }
    if (err.empty() && util::equalsIgnoreCase(pairs[i], "appendonly") && config_.settings().appendonly && !aof_)
      err = enableAof();
    if (!err.empty()) {
      config_.mutableSettings() = before;
      if (chdir(before.dir.c_str()) != 0) spdlog::warn("Can't return to '{}': {}", before.dir, std::strerror(errno));
      applySettings();
      return "ERR CONFIG SET failed (possibly related to argument '" + std::string(pairs[i]) + "') - " + err;
    }
  }
  if (aof_ && !config_.settings().appendonly) disableAof();
  return "";
}

std::string Server::configRewrite() {
  std::string err = config_.rewrite();
  if (!err.empty()) {
    if (!config_.configFile().empty()) spdlog::warn("CONFIG REWRITE failed: {}", err);
    return "ERR " + err;
  }
  spdlog::warn("CONFIG REWRITE executed with success.");  // Redis logs it at warning (#)
  return "";
}

}  // namespace erdtree::server
