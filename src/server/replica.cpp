// The server's replica side: REPLICAOF / SLAVEOF / ROLE (command::ReplicaControl),
// the link's handler (repl::ReplicaLinkHandler: a full resync's RDB load and
// the master's stream), and INFO replication's replica fields.
//
// The stream runs through the Dispatcher as the `master` session (internal:
// no auth, MISCONF or read-only checks; replies discarded), so what the
// replica applies reaches the propagation hub (its own AOF) exactly as a
// client's write would. While a replica the keyspace does not expire keys on
// its own (engine::ExpiryMode): normal clients don't see logically expired
// keys, the master's commands see them as the master does, and the master's
// DELs remove them.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "erdtree/persist/rdb_loader.h"
#include "erdtree/persist/repl_position.h"
#include "erdtree/server/log_format.h"
#include "erdtree/server/server.h"
#include "erdtree/util/clock.h"
#include "erdtree/util/numbers.h"

namespace erdtree::server {

void Server::startReplication(const std::string& host, int port) {
  const config::Settings& s = config_.settings();
  if (masterSession_.tx.inMulti) command::discardTransaction(services_, masterSession_);
  masterSession_ = command::Session{};
  masterSession_.internal = true;
  masterSession_.authenticated = true;
  masterSession_.name = "master";
  masterSession_.addr = host + ":" + std::to_string(port);  // MONITOR and SLOWLOG show the master's address
  keyspace_.setExpiryMode(engine::ExpiryMode::HideOnly);
  master_.setProxying(true);  // our replicas get our master's stream as is
  repl::ReplicaLinkOptions o;
  o.host = host;
  o.port = port;
  o.masterauth = s.masterauth;
  o.masteruser = s.masteruser;
  o.listeningPort = static_cast<int>(s.replicaAnnouncePort != 0 ? s.replicaAnnouncePort : s.port);
  o.announceIp = s.replicaAnnounceIp;
  o.timeoutSeconds = s.replTimeout;
  o.tempDir = s.dir;
  replicaLink_ = std::make_unique<repl::ReplicaLink>(&loop_, static_cast<repl::ReplicaLinkHandler&>(*this), replIds_, std::move(o));
  replicaLink_->setStateListener([this] { applyReplicaSettings(); });
  if (restoredStreamDb_ >= 0) masterSession_.db = restoredStreamDb_;  // the stream continues in it
  restoredStreamDb_ = -1;
  applyReplicaSettings();
  replicaLink_->start();
}

void Server::startConfiguredReplication() {
  const std::string& v = config_.settings().replicaof;
  if (v.empty()) return;
  size_t sp = v.rfind(' ');
  auto port = util::parseInt64(std::string_view(v).substr(sp + 1));
  if (sp == std::string::npos || !port) return;
  startReplication(v.substr(0, sp), static_cast<int>(*port));
}

void Server::applyReplicaSettings() {
  const config::Settings& s = config_.settings();
  setLogRole(replicaLink_ ? 'S' : 'M');
  services_.readOnlyReplica = replicaLink_ != nullptr && s.replicaReadOnly;
  services_.staleReplica = replicaLink_ != nullptr && !replicaLink_->up() && !s.replicaServeStaleData;
  if (replicaLink_) {
    replicaLink_->setTimeout(s.replTimeout);
    replicaLink_->setAuth(s.masteruser, s.masterauth);
  }
  refreshWriteQuorum();  // a replica never refuses writes for want of replicas
}

bool Server::replicaOf(std::string_view host, int port, const std::string& byClient) {
  if (replicaLink_ && replicaLink_->host() == host && replicaLink_->port() == port) {
    spdlog::info(
        "REPLICAOF would result into synchronization with the master we are already connected with. No operation "
        "performed.");
    return false;
  }
  replicaLink_.reset();
  // The setting follows the role, so CONFIG REWRITE writes what a restart needs.
  config_.mutableSettings().replicaof = std::string(host) + " " + std::to_string(port);
  startReplication(std::string(host), port);
  spdlog::info("REPLICAOF {}:{} enabled (user request from '{}')", host, port, byClient);
  // Clients blocked on a master (BLPOP, WAIT) would wait on a replica's
  // terms now: Redis answers them and closes them.
  for (uint64_t id : services_.blocking.unblockAll(
           "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)")) {
    net::Connection* conn = tcp_->find(id);
    auto* c = conn != nullptr ? static_cast<Client*>(conn->userData) : nullptr;
    if (c == nullptr) continue;
    c->session.closeAfterReply = true;  // what it pipelined is not run
    conn->closeAfterFlush();
  }
  return true;
}

void Server::replicaOfNoOne(const std::string& byClient) {
  if (!replicaLink_) return;
  replicaLink_.reset();
  config_.mutableSettings().replicaof.clear();
  if (masterSession_.tx.inMulti) command::discardTransaction(services_, masterSession_);
  keyspace_.setExpiryMode(engine::ExpiryMode::Delete);
  master_.setProxying(false);
  replIds_.shift();
  spdlog::info("Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
               replIds_.replid2, replIds_.secondOffset, replIds_.replid);
  applyReplicaSettings();
  spdlog::info("MASTER MODE enabled (user request from '{}')", byClient);
}

command::ReplicaControl::Role Server::role() const {
  Role r;
  if (!replicaLink_) {
    r.offset = replIds_.offset;
    return r;
  }
  r.replica = true;
  r.host = replicaLink_->host();
  r.port = replicaLink_->port();
  r.state = replicaLink_->stateName();
  r.offset = replicaLink_->up() ? replIds_.offset : -1;
  return r;
}

std::string Server::loadFullSync(const std::string& rdbPath) {
  const config::Settings& s = config_.settings();
  // Until the rewrite below installs a base with the new data, the log does
  // not hold it: say so now (#RP:reset), in the segment the rewrite retires,
  // even when the FLUSHALL below writes no record.
  if (aof_) aof_->appendNote(persist::kPositionReset);
  // Through the dispatcher: watchers see the change and the log gets the
  // FLUSHALL before the rewrite below gives it the new data set. Its freeing
  // mode is replica-lazy-flush's alone (an explicit SYNC overrides
  // lazyfree-lazy-user-flush; the plain form is kept when it agrees).
  {
    std::string out;
    resp::Writer w(out, 2);
    const engine::LazyFreePolicy& lazy = keyspace_.lazyFreePolicy();
    const std::string_view flush[] = {"FLUSHALL", lazy.replicaFlush ? "ASYNC" : "SYNC"};
    const bool plain = lazy.replicaFlush == lazy.userFlush;
    dispatcher_.execute(masterSession_, std::span<const std::string_view>(flush, plain ? 1 : 2), w,
                        util::unixTimeMs());
  }
  spdlog::info("MASTER <-> REPLICA sync: Loading DB in memory");
  const int64_t startUs = util::monotonicUs();
  persist::LoadOptions opts;
  opts.nowMs = util::unixTimeMs();
  opts.dropExpired = false;  // a replica keeps them: the master's DELs follow
  opts.limits = services_.encoding;
  opts.access = services_.access;
  opts.maxStringLen = services_.protoMaxBulkLen;
  persist::LoadResult r = persist::loadRdbFile(rdbPath, keyspace_, opts);
  if (!r.ok) {
    for (int i = 0; i < keyspace_.count(); ++i) keyspace_.db(i).clear();
    return r.error;
  }
  spdlog::info("Done loading RDB, keys loaded: {}, keys expired: 0 ({:.3f} seconds).", r.keys,
               static_cast<double>(util::monotonicUs() - startUs) / 1e6);
  // The transferred file is this server's snapshot now, as in Redis.
  const std::string dump = s.dir + "/" + s.dbfilename;
  if (std::rename(rdbPath.c_str(), dump.c_str()) != 0)
    spdlog::warn("Failed trying to rename the synchronization file to {}", dump);
  // The log must hold the new data set: rewrite it (Redis restarts the AOF).
  if (aof_) spdlog::info("MASTER <-> REPLICA sync: {}", bgrewriteaof(false));
  return "";
}

bool Server::relayStream(std::string_view raw) { return master_.proxy(raw); }

void Server::linkLost() {
  if (masterSession_.tx.inMulti) command::discardTransaction(services_, masterSession_);
}

bool Server::replPosition(persist::ReplPosition& out) const {
  if (replicaLink_) {
    out = {replIds_.replid, replIds_.offset, masterSession_.db};
    return true;
  }
  if (master_.backlog() == nullptr) return false;  // the writes are in no stream
  out = {replIds_.replid, replIds_.offset, master_.streamDb()};
  return true;
}

void Server::appendPositionNote(std::string& out) {
  // Called for every flushed group: written in place, no copy of the ID.
  if (replicaLink_) {
    persist::appendPositionAnnotation(out, replIds_.replid, replIds_.offset, masterSession_.db);
  } else if (master_.backlog() != nullptr) {
    persist::appendPositionAnnotation(out, replIds_.replid, replIds_.offset, master_.streamDb());
  }
}

// Redis's loadDataFromDisk with a valid rdbSaveInfo.
void Server::restoreReplPosition(const persist::ReplPosition& p) {
  if (!config_.settings().replicaof.empty()) {
    // The cached master is ourselves: PSYNC <replid> <offset+1> continues.
    replIds_.replid = p.replid;
    replIds_.offset = p.offset;
    replIds_.clearSecond();
    restoredStreamDb_ = p.streamDb;
    spdlog::info("Restored the master's replication ID {} and offset {}: trying a partial resync first", p.replid,
                 p.offset);
    return;
  }
  // A master: the saved history stays valid as the previous ID, and a
  // backlog starts at its offset, so the replicas can +CONTINUE.
  replIds_.replid2 = p.replid;
  replIds_.secondOffset = p.offset + 1;
  replIds_.offset = p.offset;
  master_.newHistory();
  spdlog::info("Restored replication ID {} (offset {}) as the secondary ID, valid up to offset {}", p.replid, p.offset,
               replIds_.secondOffset);
}

// Our replicas' history ended with our full resync (Redis disconnects them);
// a new backlog starts at the master's offset, so they can resync from us.
void Server::fullSyncDone() { master_.newHistory(); }

void Server::applyCommand(std::span<const std::string_view> args) {
  std::string out;
  resp::Writer w(out, 2);
  keyspace_.setExpiryMode(engine::ExpiryMode::Ignore);
  dispatcher_.execute(masterSession_, args, w, util::unixTimeMs());
  keyspace_.setExpiryMode(engine::ExpiryMode::HideOnly);
  if (!out.empty() && out[0] == '-')
    spdlog::warn("== CRITICAL == This replica is sending an error to its master: '{}' after processing the command '{}'",
                 out.substr(1, out.find('\r') - 1), args[0]);
}

void Server::replicaInfo(std::string& out) const {
  const repl::ReplicaLink& l = *replicaLink_;
  const int64_t nowMs = util::unixTimeMs();
  auto add = [&](std::string_view name, const std::string& v) {
    out.append(name);
    out += ':';
    out += v;
    out += "\r\n";
  };
  add("role", "slave");
  add("master_host", l.host());
  add("master_port", std::to_string(l.port()));
  add("master_link_status", l.up() ? "up" : "down");
  add("master_last_io_seconds_ago", std::to_string(l.up() ? (nowMs - l.lastIoMs()) / 1000 : -1));
  add("master_sync_in_progress", l.transferring() ? "1" : "0");
  add("slave_read_repl_offset", std::to_string(l.up() ? l.readOffset() : replIds_.offset));
  add("slave_repl_offset", std::to_string(replIds_.offset));
  if (l.transferring()) {
    const uint64_t total = l.transferSize(), read = l.transferRead();
    add("master_sync_total_bytes", total == 0 ? "-1" : std::to_string(total));
    add("master_sync_read_bytes", std::to_string(read));
    add("master_sync_left_bytes", total == 0 ? "-1" : std::to_string(total - read));
    char perc[32];
    std::snprintf(perc, sizeof(perc), "%.2f", total == 0 ? 0.0 : 100.0 * static_cast<double>(read) / static_cast<double>(total));
    add("master_sync_perc", perc);
    add("master_sync_last_io_seconds_ago", std::to_string((nowMs - l.lastIoMs()) / 1000));
  }
  if (!l.up())
    add("master_link_down_since_seconds", std::to_string(l.downSinceMs() == 0 ? -1 : (nowMs - l.downSinceMs()) / 1000));
  add("slave_priority", std::to_string(config_.settings().replicaPriority));
  add("slave_read_only", config_.settings().replicaReadOnly ? "1" : "0");
  add("replica_announced", config_.settings().replicaAnnounced ? "1" : "0");
}

}  // namespace erdtree::server
