#include "erdtree/server/server.h"
#include "erdtree/server/supervision.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "erdtree/command/families.h"
#include "erdtree/util/clock.h"
#include "erdtree/util/small_alloc.h"

namespace erdtree::server {
namespace {

// Active expiry gets Redis's 25% of each cron tick, but spends it in slices of
// at most kExpireSliceUs between rounds of client work, so a burst of expiring
// keys costs clients at most one slice of latency instead of a whole cycle.
constexpr int kExpireCyclePercentOfTick = 25;
constexpr int64_t kExpireSliceUs = 1000;
constexpr int64_t kRehashBudgetUs = 1000;
constexpr int64_t kReclaimSliceUs = 1000;
constexpr size_t kReclaimBatch = 4096;

}  // namespace

Server::Server(config::Config& config)
    : config_(config),
      keyspace_(static_cast<int>(config.settings().databases)),
      services_{keyspace_, registry_, *this, propagation_},
      dispatcher_(services_),
      snapshot_(config, services_),
      rewriter_(config, services_) {
  command::registerAllCommands(registry_);
  // redis.conf's rename-command lines (checked against the same table when read).
  for (const auto& [from, to] : config_.commandRenames()) registry_.rename(from, to);
  services_.commandStats.resize(registry_.indexCount());
  services_.persistence = &snapshot_;
  services_.replicaControl = this;
  services_.replication = this;
  services_.memoryGuard = &eviction_;
  eviction_.setReplicaProbe([this] { return replicaLink_ != nullptr; });
  eviction_.setNotCountedProbe([this] { return notCountedForEviction(); });
  // One fork child at a time (Redis's hasActiveChildProcess); the replica
  // sync child (repl/master.h) counts too.
  rewriter_.setOtherChildActive([this] { return snapshot_.childActive() || master_.childActive(); });
  snapshot_.setOtherChildActive([this] { return rewriter_.inProgress() || master_.childActive(); });
  // Snapshots and rewritten bases carry the replication position (repl_position.h).
  snapshot_.setPositionSource([this](persist::ReplPosition& p) { return replPosition(p); });
  rewriter_.setPositionSource([this](persist::ReplPosition& p) { return replPosition(p); });
  uv_loop_init(&loop_);
  loop_.data = this;
  tcp_ = std::make_unique<net::TcpServer>(&loop_, *this);
  runId_ = repl::ReplicationIds::newReplid();
  config_.onChange([this](std::string_view) { applySettings(); });
  // Keys the engine removes on its own: watchers see a change, and the log
  // and replicas get the deletion (DESIGN.md: expired keys become DEL, or
  // UNLINK under lazyfree-lazy-expire, as Redis 7.0 propagates them).
  keyspace_.setExpiredListener([this](int db, std::string_view key) {
    services_.watches.touch(db, key);
    const std::string_view del[] = {keyspace_.lazyFreePolicy().expire ? "UNLINK" : "DEL", key};
    propagation_.propagate(db, del);
  });
  propagation_.addSink(&aofSink_);
  replSink_.master = &master_;
  propagation_.addStreamSink(&replSink_);
  snapshot_.setStatusListener([this] { refreshDiskError(); });
  services_.blocking.setAckCounter([this](int64_t offset) { return master_.countAcks(offset); });
  applySettings();
}

Server::~Server() {
  replicaLink_.reset();  // its socket closes in the loop run below
  closeAof();  // joins the fsync thread before its uv_async_t goes away
  // Close every handle and let libuv deliver the close callbacks before the
  // objects that own the handles go away.
  tcp_->closeListeners();
  tcp_->closeAll();
  uv_walk(&loop_, [](uv_handle_t* h, void*) {
    if (!uv_is_closing(h)) uv_close(h, nullptr);
  }, nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  tcp_.reset();
  graveyard_.clear();
  uv_loop_close(&loop_);
}

resp::ParseLimits Server::parseLimits() const {
  resp::ParseLimits l;
  l.maxBulkLen = config_.settings().protoMaxBulkLen;
  return l;
}

void Server::applySettings() {
  const config::Settings& s = config_.settings();
  services_.protoMaxBulkLen = s.protoMaxBulkLen;
  services_.debugCommand = s.enableDebugCommand == "yes"   ? command::ProtectedAccess::kYes
                           : s.enableDebugCommand == "no" ? command::ProtectedAccess::kNo
                                                          : command::ProtectedAccess::kLocal;
  services_.encoding = engine::EncodingLimits{s.hashMaxListpackEntries, s.hashMaxListpackValue,
                                              s.listMaxListpackSize,    s.setMaxIntsetEntries,
                                              s.zsetMaxListpackEntries, s.zsetMaxListpackValue};
  keyspace_.lazyFreePolicy() = engine::LazyFreePolicy{s.lazyfreeLazyEviction,  s.lazyfreeLazyExpire,
                                                      s.lazyfreeLazyServerDel, s.lazyfreeLazyUserDel,
                                                      s.lazyfreeLazyUserFlush, s.replicaLazyFlush};
  dispatcher_.setAuthRequired(!s.requirepass.empty());
  services_.slowlog.slowerThanUs = s.slowlogLogSlowerThan;
  services_.slowlog.maxLen = static_cast<size_t>(s.slowlogMaxLen);
  services_.slowlog.trim();
  services_.latency.thresholdMs = s.latencyMonitorThreshold;
  services_.latency.advice = {s.slowlogLogSlowerThan, s.slowlogMaxLen, s.hz};
  services_.latencyTracking = s.latencyTracking;
  services_.timeCommands = s.slowlogLogSlowerThan >= 0 || s.latencyMonitorThreshold != 0 || s.latencyTracking;
  eviction_.apply(s);
  if (aof_) {
    aof_->setPolicy(persist::parseFsyncPolicy(s.appendfsync));
    aof_->setSegmentMaxSize(s.aofSegmentMaxSize);
  }
  tcp_->setKeepalive(static_cast<int>(s.tcpKeepalive));
  resp::ParseLimits limits = parseLimits();
  tcp_->forEach([&](net::Connection& conn) {
    if (auto* c = static_cast<Client*>(conn.userData)) c->parser.setLimits(limits);
  });
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&cronTimer_))) {
    uint64_t period = static_cast<uint64_t>(1000 / s.hz);
    uv_timer_set_repeat(&cronTimer_, period == 0 ? 1 : period);
  }
  refreshDiskError();  // save and stop-writes-on-bgsave-error decide the RDB -MISCONF
  applyReplicaSettings();
  applyReplicationSettings();
}

std::string Server::start() {
  const config::Settings& s = config_.settings();
  spdlog::warn("Server initialized");  // scripts wait for it; the data loads after it, as in Redis
  startupMemory_ = util::usedMemory();  // as Redis: after initialisation, before the data
  std::string loadErr = snapshot_.loadAtStartup();
  if (!loadErr.empty()) return loadErr;
  net::ListenOptions opts;
  opts.bind = s.bind;
  opts.port = static_cast<int>(s.port);
  opts.backlog = static_cast<int>(s.tcpBacklog);
  opts.keepaliveSeconds = static_cast<int>(s.tcpKeepalive);
  opts.tcp = s.port != 0;  // port 0: the Unix socket only, as Redis allows
  opts.unixSocket = s.unixsocket;
  opts.unixSocketPerm = static_cast<unsigned>(s.unixsocketperm);
  if (!opts.tcp && opts.unixSocket.empty()) return "Configured to not listen anywhere, exiting.";
  uv_async_init(&loop_, &aofAsync_, onAofAsync);
  aofAsync_.data = this;
  aofAsyncReady_ = true;
  // The data set comes back before the first client is accepted.
  std::string err = loadAof();
  if (!err.empty()) return err;
  if (const persist::ReplPosition& p = s.appendonly ? aofPosition_ : snapshot_.loadedPosition(); p.valid())
    restoreReplPosition(p);
  err = tcp_->listen(opts);
  if (!err.empty()) return err;

  uv_prepare_init(&loop_, &prepare_);
  prepare_.data = this;
  uv_prepare_start(&prepare_, onPrepare);
  uv_idle_init(&loop_, &expireIdle_);
  uv_idle_init(&loop_, &evictIdle_);
  uv_idle_init(&loop_, &replIdle_);
  uv_timer_init(&loop_, &cronTimer_);
  cronTimer_.data = this;
  uint64_t period = static_cast<uint64_t>(1000 / s.hz);
  uv_timer_start(&cronTimer_, onCronTimer, period, period == 0 ? 1 : period);
  uv_timer_init(&loop_, &blockTimer_);
  blockTimer_.data = this;
  uv_timer_init(&loop_, &pauseTimer_);
  pauseTimer_.data = this;
  uv_signal_init(&loop_, &sigterm_);
  sigterm_.data = this;
  uv_signal_start(&sigterm_, onSignal, SIGTERM);
  uv_signal_init(&loop_, &sigint_);
  sigint_.data = this;
  uv_signal_start(&sigint_, onSignal, SIGINT);
  signal(SIGPIPE, SIG_IGN);

  startTimeMs_ = util::unixTimeMs();
  lastSampleMs_ = startTimeMs_;
  startConfiguredReplication();
  return "";
}

int Server::run() {
  // Redis 7.0's words: one line per kind of listener.
  if (config_.settings().port != 0) spdlog::info("Ready to accept connections");
  if (!config_.settings().unixsocket.empty())
    spdlog::info("The server is now ready to accept connections at {}", config_.settings().unixsocket);
  if (supervisedBySystemd()) {
    notifySystemd(config_.settings().replicaof.empty()
                      ? "STATUS=Ready to accept connections\n"
                      : "STATUS=Ready to accept connections in read-only mode. Waiting for MASTER <-> REPLICA sync\n");
    notifySystemd("READY=1\n");
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  return exitCode_;
}

bool Server::onOpen(net::Connection& conn) {
  if (tcp_->connectionCount() > static_cast<size_t>(config_.settings().maxclients)) {
    ++rejectedConnections_;
    conn.output().append("-ERR max number of clients reached\r\n");
    return false;
  }
  auto client = std::make_unique<Client>();
  client->conn = &conn;
  client->server = this;
  client->session.sink = client.get();
  client->session.id = conn.id();
  client->session.createdMs = util::unixTimeMs();
  client->session.lastInteractionMs = client->session.createdMs;
  client->session.authenticated = config_.settings().requirepass.empty();
  const std::string& peer = conn.peerAddress();  // "ip:port" or "[ip6]:port"
  client->session.addr = peer;
  // Unix socket clients are local too (Redis's islocalClient).
  client->session.unixSocket = conn.unixSocket();
  client->session.local = conn.unixSocket() || peer.starts_with("127.0.0.1:") || peer.starts_with("[::1]:");
  client->parser.setLimits(parseLimits());
  client->parser.setAuthenticated(client->session.authenticated);
  conn.userData = client.release();
  return true;
}

void Server::onClose(net::Connection& conn) {
  auto* c = static_cast<Client*>(conn.userData);
  if (c == nullptr) return;
  conn.userData = nullptr;
  c->conn = nullptr;
  services_.watches.unwatchAll(c->session);  // the registries hold Session pointers
  services_.pubsub.unsubscribeAll(c->session);
  services_.blocking.forget(c->session);
  if (c->session.monitor) services_.monitors.remove(c->session);
  master_.clientClosed(c->session.id);
  // The client may be mid-command (CLIENT KILL, a failed write): free it later.
  graveyard_.emplace_back(c);
}

void Server::onInput(net::Connection& conn) {
  auto* c = static_cast<Client*>(conn.userData);
  if (c == nullptr) return;
  c->session.lastInteractionMs = util::unixTimeMs();
  if (c->session.replica) master_.heard(c->session.id, c->session.lastInteractionMs);  // repl-timeout
  processInput(*c);
  if (shutdownRequested_) performShutdown();
}

void Server::onDrained(net::Connection& conn) {
  auto* c = static_cast<Client*>(conn.userData);
  if (c != nullptr) processInput(*c);
  if (shutdownRequested_) performShutdown();
}

void Server::processInput(Client& c) {
  net::Connection& conn = *c.conn;
  util::ByteBuffer& in = conn.input();
  resp::Writer out(conn.output(), c.session.protocol);
  const size_t highWater = tcp_->outputHighWater;
  size_t pos = 0;
  int64_t nowMs = util::unixTimeMs();
  current_ = &c;
  // A blocked client's further requests wait in its input buffer until the
  // blocking command ends (resumeUnblocked), as Redis keeps them queued.
  while (c.conn != nullptr && !conn.closing() && !c.session.closeAfterReply && !c.session.blocked &&
         !c.session.postponed && pos < in.size()) {
    if (conn.pendingOutputBytes() > highWater) {
      conn.pauseReading();  // resumed by onDrained once the client reads
      break;
    }
    resp::ParseStatus st = c.parser.parse(in.data() + pos, in.size() - pos);
    if (st == resp::ParseStatus::NeedMore) break;
    if (st == resp::ParseStatus::Error) {
      std::string msg = "ERR ";
      msg += c.parser.errorMessage();
      services_.errors.count(msg);
      out.error(msg);
      spdlog::debug("Protocol error ({}) from client id={} addr={}", c.parser.errorMessage(), c.session.id,
                    conn.peerAddress());
      in.clear();
      pos = 0;
      conn.closeAfterFlush();
      break;
    }
    auto args = c.parser.args();
    size_t consumed = c.parser.consumed();
    if (!args.empty()) {
      const size_t replyMark = conn.output().size();
      const auto replyMode = c.session.replyMode;
      // After CLIENT REPLY SKIP this command is the skipped one; it may arm
      // SKIP again for the next (Redis's CLIENT_REPLY_SKIP_NEXT).
      if (replyMode == command::Session::ReplyMode::kSkipNext)
        c.session.replyMode = command::Session::ReplyMode::kSkipThis;
      dispatcher_.execute(c.session, args, out, nowMs);
      if (c.conn == nullptr) break;  // killed itself
      if (c.session.postponed) {  // CLIENT PAUSE: runs again, unread so far, when the pause ends
        if (c.session.replyMode == command::Session::ReplyMode::kSkipThis) c.session.replyMode = replyMode;
        c.parser.reset();
        break;
      }
      if (replyMode != command::Session::ReplyMode::kOn) applyReplyMode(c, replyMark);
      c.parser.setAuthenticated(c.session.authenticated);
      if (!enforceOutputLimits(c, nowMs)) break;
    }
    pos += consumed;
    c.parser.reset();
    if (shutdownRequested_) break;
  }
  current_ = nullptr;
  if (c.conn == nullptr) return;
  in.consume(pos);
  if (c.session.closeAfterReply) {
    conn.closeAfterFlush();
    return;
  }
  if (in.size() > config_.settings().clientQueryBufferLimit) {
    spdlog::warn("Closing client that reached max query buffer length: id={} addr={} (qbuf initial bytes: {})",
                 c.session.id, conn.peerAddress(), in.size());
    conn.close();
    return;
  }
  size_t hint = c.parser.bytesNeededHint();
  conn.readHint = hint > in.size() ? hint - in.size() : 0;
  if (!conn.output().empty()) conn.markPendingWrite();
}

// CLIENT REPLY OFF drops every reply until ON; SKIP drops the next
// command's. A CLIENT REPLY ON among them is answered.
void Server::applyReplyMode(Client& c, size_t replyMark) {
  using Mode = command::Session::ReplyMode;
  Mode& mode = c.session.replyMode;
  if (mode != Mode::kOn && c.conn->output().size() > replyMark) c.conn->output().resize(replyMark);
  if (mode == Mode::kSkipThis) mode = Mode::kOn;
}

void Client::appended() {
  if (conn == nullptr) return;
  conn->markPendingWrite();
  if (!limitCheckQueued) {
    limitCheckQueued = true;
    server->limitChecks_.push_back(this);
  }
}

bool Server::enforceOutputLimits(Client& c, int64_t nowMs) {
  // Subscribers are held to the pubsub class, as in Redis.
  const config::OutputBufferLimit& lim = c.session.replica      ? config_.settings().outputLimitReplica
                                         : c.session.subscribed() ? config_.settings().outputLimitPubsub
                                                                  : config_.settings().outputLimitNormal;
  size_t used = c.conn->pendingOutputBytes();
  bool over = false;
  if (lim.hardBytes != 0 && used >= lim.hardBytes) {
    over = true;
  } else if (lim.softBytes != 0 && used >= lim.softBytes) {
    if (c.softLimitSinceMs == 0) c.softLimitSinceMs = nowMs;
    else if (nowMs - c.softLimitSinceMs >= lim.softSeconds * 1000) over = true;
  } else {
    c.softLimitSinceMs = 0;
  }
  if (!over) return true;
  spdlog::warn("Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer limits.",
               c.session.id, c.conn->peerAddress());
  c.conn->close();
  return false;
}

void Server::beforeSleep() {
  // Clients that received pub/sub messages: over-limit ones are closed here,
  // outside the PUBLISH that was iterating over the subscriptions.
  if (!limitChecks_.empty()) {
    int64_t nowMs = util::unixTimeMs();
    for (Client* c : limitChecks_) {
      c->limitCheckQueued = false;
      if (c->conn != nullptr) enforceOutputLimits(*c, nowMs);
    }
    limitChecks_.clear();
  }
  graveyard_.clear();
  serveShutdownWait();  // replicas caught up or time is up: exit (below), or resume writes
  refreshPause();
  runExpireSlice();
  runEvictionSlice();
  do {
    resumeUnblocked();
    serveWaitingForAcks();  // WAIT: GETACK once, then whoever has enough ACKs (resumed next round)
    flushAof();  // the log first: under appendfsync always, replies leave only once it is on disk
    master_.pump(util::unixTimeMs());  // snapshot chunks for replicas being synced
    tcp_->flushPending();
  } while (services_.blocking.hasUnblocked() && !shutdownRequested_);  // a drained client served others
  pumpReplicas();
  armBlockTimer();
  if (shutdownRequested_) performShutdown();
}

// Clients whose blocking command ended (served, timed out, CLIENT UNBLOCK)
// run what they pipelined after it, as Redis's processUnblockedClients. The
// reply they just got counts as interaction for the idle timeout.
void Server::resumeUnblocked() {
  while (services_.blocking.hasUnblocked() && !shutdownRequested_) {
    for (uint64_t id : services_.blocking.takeUnblocked()) {
      net::Connection* conn = tcp_->find(id);
      auto* c = conn != nullptr ? static_cast<Client*>(conn->userData) : nullptr;
      if (c == nullptr || conn->closing() || c->session.blocked) continue;
      c->session.lastInteractionMs = util::unixTimeMs();
      processInput(*c);
    }
  }
}

// One timer for all blocked clients, armed for the earliest deadline; it is
// re-armed here, before the loop sleeps, whenever that deadline changed.
void Server::armBlockTimer() {
  int64_t next = services_.blocking.nextDeadlineMs();
  if (next == blockTimerDeadline_ || stopped_) return;
  blockTimerDeadline_ = next;
  if (next == 0) {
    uv_timer_stop(&blockTimer_);
    return;
  }
  uv_update_time(&loop_);  // the delay is counted from the loop's clock
  int64_t delay = std::max<int64_t>(0, next - util::unixTimeMs());
  uv_timer_start(&blockTimer_, onBlockTimer, static_cast<uint64_t>(delay), 0);
}

void Server::runExpireSlice() {
  if (!services_.activeExpire && expireBudgetUs_ > 0) {  // DEBUG SET-ACTIVE-EXPIRE 0
    expireBudgetUs_ = 0;
    uv_idle_stop(&expireIdle_);
  }
  if (expireBudgetUs_ <= 0) return;
  if (services_.pause.untilMs != 0) {  // CLIENT PAUSE stops expiry too (refreshPause)
    expireBudgetUs_ = 0;
    uv_idle_stop(&expireIdle_);
    return;
  }
  int64_t start = util::monotonicUs();
  auto stats = keyspace_.activeExpireCycle(util::unixTimeMs(), std::min(expireBudgetUs_, kExpireSliceUs),
                                           static_cast<int>(config_.settings().activeExpireEffort));
  const int64_t tookUs = util::monotonicUs() - start;
  services_.latency.addSampleIfNeeded("expire-cycle", tookUs / 1000, util::unixTimeMs() / 1000);
  expireBudgetUs_ -= std::max<int64_t>(tookUs, 1);
  if (!stats.timedOut) expireBudgetUs_ = 0;  // caught up: nothing left to reclaim now
  // While budget remains, an idle handle makes the loop poll without blocking,
  // so the next slice runs right after the clients that are ready.
  if (expireBudgetUs_ > 0) uv_idle_start(&expireIdle_, [](uv_idle_t*) {});
  else uv_idle_stop(&expireIdle_);
}

// Allocated sizes, as Redis's sdsAllocSize: an emptied buffer keeps its
// capacity, and the counter counts it.
// Runs before every command while maxmemory is set: walks the replicas
// only, not every client.
uint64_t Server::notCountedForEviction() {
  uint64_t bytes = aof_ ? aof_->bufferCapacity() : 0;
  master_.forEachReplicaId([&](uint64_t id) {
    if (net::Connection* conn = tcp_->find(id)) bytes += conn->outputCapacity() + conn->input().capacity();
  });
  return bytes;
}

// After CONFIG SET lowered maxmemory, or when a command's eviction ran out of
// time: one time-bounded slice per loop iteration, between rounds of client
// work, until memory is under the limit (Redis's evictionTimeProc).
void Server::runEvictionSlice() {
  if (!eviction_.slicePending() || services_.pause.untilMs != 0) {
    uv_idle_stop(&evictIdle_);
    return;
  }
  eviction_.runSlice();
  if (eviction_.slicePending()) uv_idle_start(&evictIdle_, [](uv_idle_t*) {});
  else uv_idle_stop(&evictIdle_);
}

void Server::cron() {
  const config::Settings& s = config_.settings();
  int64_t nowMs = util::unixTimeMs();
  int64_t tickUs = 1000000 / s.hz;
  expireBudgetUs_ = tickUs * kExpireCyclePercentOfTick / 100;  // spent by runExpireSlice
  runExpireSlice();
  util::updatePeakMemory();
  keyspace_.rehashStep(kRehashBudgetUs);
  reclaimRemoteFrees();
  // Idle LRU stamps into the form that does not wrap for 194 days (lru_ager.h).
  if (!services_.access.lfu) lruAger_.step(keyspace_, nowMs, tickUs / 1000);
  if (replicaLink_) replicaLink_->cron(nowMs);
  rewriter_.poll(aof_.get());  // reaps/starts the rewrite child first, so a scheduled BGSAVE sees it
  snapshot_.cron();             // reaps the BGSAVE child; save rules and scheduled BGSAVEs
  master_.cron(nowMs);          // reaps the replica sync child, starts a waiting one, pings replicas
  refreshDiskError();

  if (s.timeoutSeconds > 0) {
    std::vector<net::Connection*> idle;
    tcp_->forEach([&](net::Connection& conn) {
      auto* c = static_cast<Client*>(conn.userData);
      // Blocked clients wait on purpose: exempt, as in Redis.
      // As Redis: blocked clients and pub/sub subscribers are never idle.
      if (c != nullptr && !c->session.blocked && !c->session.postponed && !c->session.subscribed() && !c->session.replica &&
          nowMs - c->session.lastInteractionMs > s.timeoutSeconds * 1000)
        idle.push_back(&conn);
    });
    for (auto* conn : idle) {
      spdlog::debug("Closing idle client id={}", conn->id());
      conn->close();
    }
  }

  // Soft output limits also expire while a client sends nothing.
  tcp_->forEach([&](net::Connection& conn) {
    if (auto* c = static_cast<Client*>(conn.userData); c != nullptr && c->softLimitSinceMs != 0)
      enforceOutputLimits(*c, nowMs);
  });

  if (nowMs - lastSampleMs_ >= 100) {
    double secs = static_cast<double>(nowMs - lastSampleMs_) / 1000.0;
    uint64_t ops = services_.stats.commandsProcessed;
    opsSamples_[sampleIdx_] = static_cast<double>(ops - lastSampleOps_) / secs;
    inSamples_[sampleIdx_] = static_cast<double>(tcp_->bytesRead() - lastSampleIn_) / secs;
    outSamples_[sampleIdx_] = static_cast<double>(tcp_->bytesWritten() - lastSampleOut_) / secs;
    sampleIdx_ = (sampleIdx_ + 1) % kMetricSamples;
    lastSampleMs_ = nowMs;
    lastSampleOps_ = ops;
    lastSampleIn_ = tcp_->bytesRead();
    lastSampleOut_ = tcp_->bytesWritten();
  }
}

void Server::onPrepare(uv_prepare_t* h) { static_cast<Server*>(h->data)->beforeSleep(); }
void Server::reclaimRemoteFrees() {
  int64_t start = util::monotonicUs();
  while (util::reclaimRemoteFrees(kReclaimBatch) && util::monotonicUs() - start < kReclaimSliceUs) {
  }
}

void Server::onCronTimer(uv_timer_t* h) { static_cast<Server*>(h->data)->cron(); }
void Server::onBlockTimer(uv_timer_t* h) {
  auto* self = static_cast<Server*>(h->data);
  self->blockTimerDeadline_ = 0;
  self->services_.blocking.expireTimedOut(util::unixTimeMs());  // replies now, resumes in beforeSleep
}
}  // namespace erdtree::server
