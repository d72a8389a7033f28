// The server's half of the master side of replication: it hands the repl
// part (repl/master.h) the replica clients' output buffers and the sync fork,
// and answers the replication commands (command/replication.h).
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "erdtree/persist/rdb_writer.h"
#include "erdtree/server/server.h"
#include "erdtree/util/clock.h"

namespace erdtree::server {
namespace {

// "1.2.3.4:5678" or "[::1]:5678" -> the address part.
std::string hostOf(const std::string& peer) {
  size_t colon = peer.rfind(':');
  std::string host = colon == std::string::npos ? peer : peer.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host;
}

}  // namespace

void Server::applyReplicationSettings() {
  const config::Settings& s = config_.settings();
  master_.setBacklogSize(s.replBacklogSize);
  master_.setPingPeriodSeconds(s.replPingReplicaPeriod);
  master_.setPendingLimit(s.outputLimitReplica.hardBytes);
  master_.setSyncDir(s.dir);
  master_.setTimeoutSeconds(s.replTimeout);
  master_.setGoodLagSeconds(s.minReplicasMaxLag, util::unixTimeMs());
  refreshWriteQuorum();
}

// Redis's checkGoodReplicasStatus: on (both settings non-zero) only on a
// master; a replica takes its master's writes whatever its own replicas do.
void Server::refreshWriteQuorum() {
  const config::Settings& s = config_.settings();
  services_.tooFewReplicas = replicaLink_ == nullptr && s.minReplicasToWrite > 0 && s.minReplicasMaxLag > 0 &&
                             master_.goodReplicas() < static_cast<size_t>(s.minReplicasToWrite);
}

void Server::serveWaitingForAcks() {
  master_.sendRequestedAck();
  services_.blocking.serveAckWaiters();
}

void Server::replconfListeningPort(command::Session& s, int64_t port) { master_.setListeningPort(s.id, port); }
void Server::replconfIpAddress(command::Session& s, std::string_view ip) {
  master_.setAnnouncedIp(s.id, std::string(ip));
}
void Server::replconfAck(command::Session& s, int64_t offset) { master_.ack(s.id, offset, util::unixTimeMs()); }

void Server::psync(command::Session& s, std::string_view replid, int64_t offset, bool oldSync) {
  net::Connection* conn = tcp_->find(s.id);
  if (conn == nullptr || s.replica) return;
  s.replica = true;
  master_.setSyncDir(config_.settings().dir);
  master_.psync(s.id, hostOf(conn->peerAddress()), replid, offset, oldSync, util::unixTimeMs());
}

std::vector<command::Replication::ReplicaEntry> Server::replicaEntries() const {
  std::vector<ReplicaEntry> out;
  for (const auto& r : master_.replicas(util::unixTimeMs())) out.push_back({r.ip, r.port, r.ackOffset});
  return out;
}

std::string* Server::replicaOutput(uint64_t id) {
  net::Connection* conn = tcp_->find(id);
  if (conn == nullptr || conn->closing() || conn->userData == nullptr) return nullptr;
  return &conn->output();
}

size_t Server::replicaPendingBytes(uint64_t id) {
  net::Connection* conn = tcp_->find(id);
  return conn != nullptr ? conn->pendingOutputBytes() : 0;
}

void Server::replicaWake(uint64_t id) {
  net::Connection* conn = tcp_->find(id);
  if (conn == nullptr || conn->closing()) return;
  if (auto* c = static_cast<Client*>(conn->userData)) c->appended();  // flush and check the replica limit
}

void Server::replicaClose(uint64_t id) {
  net::Connection* conn = tcp_->find(id);
  if (conn == nullptr || conn->closing()) return;
  auto* c = static_cast<Client*>(conn->userData);
  if (c != nullptr && c == current_) c->session.closeAfterReply = true;
  else conn->close();
}

bool Server::otherChildActive() { return snapshot_.childActive() || rewriter_.inProgress(); }

int Server::forkSnapshot(const std::string& path) {
  persist::SaveOptions opts = rdbSaveOptions(config_.settings(), services_.encoding, util::unixTimeMs());
  replPosition(opts.repl);  // as Redis: the stream position the snapshot is at
  const int64_t forkStartUs = util::monotonicUs();
  const pid_t pid = ::fork();
  if (pid > 0)  // LATENCY's "fork" event: how long the parent was stopped
    services_.latency.addSampleIfNeeded("fork", (util::monotonicUs() - forkStartUs) / 1000, util::unixTimeMs() / 1000);
  if (pid < 0) return -1;
  if (pid == 0) {
    // As the BGSAVE child (snapshot.h): no logging, no sockets, just the file.
    std::string err = persist::saveRdbFile(path, keyspace_, opts);
    ::_exit(err.empty() ? 0 : 1);
  }
  return pid;
}

void Server::pumpReplicas() {
  if (master_.hungry()) uv_idle_start(&replIdle_, [](uv_idle_t*) {});
  else uv_idle_stop(&replIdle_);
}

}  // namespace erdtree::server
