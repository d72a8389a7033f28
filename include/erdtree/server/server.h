#pragma once
// The server: wires configuration, the event loop, the network, the command
// dispatcher and the keyspace together, and answers what only it knows
// (INFO, CONFIG, CLIENT LIST/KILL, SHUTDOWN) through command::ServerApi.
//
// Loop shape (DESIGN.md's mapping of Redis's loop onto libuv):
//   read callbacks -> parse -> dispatch -> replies appended to the client
//   uv_prepare (before polling): write the log (and fsync it under
//   appendfsync always), then flush every client's replies (beforeSleep)
//   uv_async from the log's background fsync thread: pick up its status
//   uv_idle while maxmemory eviction has slices left (eviction_runner.h)
//   uv_timer at hz: active expiry, idle timeouts, rehash steps, LRU stamp
//   ageing (lru_ager.h), metrics,
//   reaping the BGSAVE child and the save rules (snapshot.h)
//   uv_timer at the earliest blocked-client deadline: BLPOP & co. time out
//   (command/blocking.h); clients released from a blocking command run their
//   pipelined commands in beforeSleep
#include <uv.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "erdtree/command/context.h"
#include "erdtree/command/dispatcher.h"
#include "erdtree/command/registry.h"
#include "erdtree/command/replication.h"
#include "erdtree/config/config.h"
#include "erdtree/engine/keyspace.h"
#include "erdtree/engine/lru_ager.h"
#include "erdtree/net/tcp_server.h"
#include "erdtree/persist/aof_writer.h"
#include "erdtree/repl/replica_link.h"
#include "erdtree/repl/master.h"
#include "erdtree/repl/replication_ids.h"
#include "erdtree/resp/parser.h"
#include "erdtree/server/aof_rewriter.h"
#include "erdtree/server/eviction_runner.h"
#include "erdtree/server/propagation.h"
#include "erdtree/server/snapshot.h"

namespace erdtree::server {

class Server;

struct Client final : command::ReplySink {
  net::Connection* conn = nullptr;
  Server* server = nullptr;
  command::Session session;
  resp::Parser parser;
  int64_t softLimitSinceMs = 0;  // when the output first exceeded the soft limit
  bool limitCheckQueued = false;

  // ReplySink: output for this client produced by another client's command
  // (a PUBLISH). The write and the limit check happen before the loop sleeps.
  std::string& buffer() override { return conn->output(); }
  void appended() override;
};

class Server final : public net::ConnectionHandler,
                     public command::ServerApi,
                     public command::ReplicaControl,
                     public command::Replication,
                     public repl::ReplicaTransport,
                     private repl::ReplicaLinkHandler {
 public:
  explicit Server(config::Config& config);
  ~Server() override;

  // Binds and starts serving; returns "" or the reason it could not.
  std::string start();
  // Runs the loop until SHUTDOWN or a signal; returns the exit code.
  int run();
  int port() const { return static_cast<int>(config_.settings().port); }

  // net::ConnectionHandler
  bool onOpen(net::Connection& conn) override;
  void onInput(net::Connection& conn) override;
  void onDrained(net::Connection& conn) override;
  void onClose(net::Connection& conn) override;

  // command::ServerApi
  std::string info(std::span<const std::string_view> sections) override;
  std::vector<std::pair<std::string, std::string>> configGet(std::span<const std::string_view> patterns) override;
  std::string configSet(std::span<const std::string_view> pairs) override;
  void resetStats() override;
  std::string configRewrite() override;
  const std::string& requirePass() const override { return config_.settings().requirepass; }
  std::string clientList(const command::Session* only, std::span<const uint64_t> ids,
                         std::string_view type) override;
  size_t clientKill(const command::Session& caller, const KillFilter& filter) override;
  std::string shutdown(const ShutdownFlags& flags) override;
  bool abortShutdown() override;
  std::string bgrewriteaof(bool inExec) override;
  command::MemoryStats memoryStats() override;  // memory_stats.cpp
  std::string debugLoadAof() override;           // persistence.cpp
  command::ValueLayout valueLayout(engine::Entry* e) override;  // persistence.cpp

  // command::ReplicaControl (replica.cpp)
  bool replicaOf(std::string_view host, int port, const std::string& byClient) override;
  void replicaOfNoOne(const std::string& byClient) override;
  Role role() const override;
  // command::Replication (src/server/replication.cpp)
  void replconfListeningPort(command::Session& s, int64_t port) override;
  void replconfIpAddress(command::Session& s, std::string_view ip) override;
  void replconfAck(command::Session& s, int64_t offset) override;
  void psync(command::Session& s, std::string_view replid, int64_t offset, bool oldSync) override;
  int64_t masterOffset() const override { return replIds_.offset; }
  std::vector<ReplicaEntry> replicaEntries() const override;
  bool followsMaster() const override { return replicaLink_ != nullptr; }
  int64_t countAcks(int64_t offset) const override { return master_.countAcks(offset); }
  void requestAcks() override { master_.requestAck(); }

  // repl::ReplicaTransport (src/server/replication.cpp)
  std::string* replicaOutput(uint64_t id) override;
  size_t replicaPendingBytes(uint64_t id) override;
  void replicaWake(uint64_t id) override;
  void replicaClose(uint64_t id) override;
  bool otherChildActive() override;
  int forkSnapshot(const std::string& path) override;
  void goodReplicasChanged() override { refreshWriteQuorum(); }

 private:
  friend struct Client;
  void processInput(Client& client);
  bool enforceOutputLimits(Client& client, int64_t nowMs);
  void applyReplyMode(Client& client, size_t replyMark);
  void applySettings();
  void cron();
  void beforeSleep();
  // Shutting down (SHUTDOWN, SIGTERM/SIGINT), as Redis 7.0 (shutdown.cpp).
  // waitForReplicasFirst() is prepareForShutdown's first half: a master
  // whose replicas have not acknowledged its offset pauses writes, asks
  // them for an ACK and waits up to shutdown-timeout (true: waiting; the
  // loop checks in serveShutdownWait()). Then Redis's finishShutdown in two
  // halves: prepareShutdown() logs lagging replicas and does what may fail
  // (the final save); false means keep running (logged). performShutdown()
  // closes clients and the log and stops the loop. cancelShutdown() ends a
  // wait (ABORT, a failed save): the blocked callers get the error, writes
  // resume.
  bool waitForReplicasFirst(const ShutdownFlags& flags);
  void serveShutdownWait();
  void cancelShutdown();
  bool prepareShutdown(const ShutdownFlags& flags);
  void performShutdown();
  int64_t shutdownDeadlineMs_ = 0;  // a shutdown waits for replicas until then (0: none)
  ShutdownFlags shutdownFlags_;     // the waiting shutdown's modifiers
  std::string clientLine(const Client& c, int64_t nowMs) const;
  resp::ParseLimits parseLimits() const;

  // The append-only log (persist/aof_writer.h). loadAof() replays it at
  // start (before listening) and opens it for appending.
  std::string loadAof();
  persist::ReplPosition aofPosition_;  // what loadAof found (invalid: none)
  // lastSealed: the loader found the last segment safe to append to.
  std::string openAof(const persist::AofManifest* loaded, uint64_t size, uint64_t baseSize, bool lastSealed);
  void flushAof(bool force = false);
  void closeAof();
  // CONFIG SET appendonly yes/no at run time; "" or the error.
  std::string enableAof();
  void disableAof();
  void refreshDiskError();
  static void onAofAsync(uv_async_t* h);

  // The replica side (replica.cpp): the link to the master and the session
  // its stream runs in.
  std::string loadFullSync(const std::string& rdbPath) override;
  void applyCommand(std::span<const std::string_view> args) override;
  bool relayStream(std::string_view raw) override;
  void fullSyncDone() override;
  void linkLost() override;
  void startReplication(const std::string& host, int port);
  void startConfiguredReplication();  // the replicaof setting, at start
  void applyReplicaSettings();
  void replicaInfo(std::string& out) const;  // INFO replication's replica fields
  void applyReplicationSettings();
  // min-replicas-to-write: whether writes are refused now (Services::tooFewReplicas).
  void refreshWriteQuorum();
  // Before the loop sleeps: the GETACK a WAIT asked for, then the WAIT
  // clients whose replicas acknowledged.
  void serveWaitingForAcks();
  // Where the data set stands in its replication stream (repl_position.h):
  // a replica's master stream, or a master's own stream once it has a
  // backlog; false when the data is in no stream. appendPositionNote is the
  // AOF writer's group note: the `#RP:` line.
  bool replPosition(persist::ReplPosition& out) const;
  void appendPositionNote(std::string& out);
  // After loading: a replica continues from the saved position (its cached
  // master); a master keeps it as its previous ID, so its replicas can.
  void restoreReplPosition(const persist::ReplPosition& p);
  // Each loop turn: snapshot chunks for syncing replicas; keeps the loop
  // turning while one could take more.
  void pumpReplicas();
  std::string replicationInfo() const;  // INFO replication's master fields

  void runExpireSlice();
  void runEvictionSlice();
  // Puts entries the lazy-free thread freed back into their slab pages, for
  // at most kReclaimSliceUs per cron tick.
  void reclaimRemoteFrees();
  // Replica output buffers and the AOF buffer (eviction_runner.h).
  uint64_t notCountedForEviction();
  void resumeUnblocked();
  void armBlockTimer();
  // CLIENT PAUSE (pause.cpp): ends an expired pause, runs the held clients
  // once it is over, keeps expiry from deleting keys while it lasts and
  // arms pauseTimer_ for its end.
  void refreshPause();
  bool expiryPausedByUs_ = false;
  uv_timer_t pauseTimer_{};
  int64_t pauseTimerDeadline_ = 0;

  static void onPrepare(uv_prepare_t* h);
  static void onCronTimer(uv_timer_t* h);
  static void onBlockTimer(uv_timer_t* h);
  static void onSignal(uv_signal_t* h, int signum);

  config::Config& config_;
  uv_loop_t loop_{};
  uv_prepare_t prepare_{};
  uv_timer_t cronTimer_{};
  uv_timer_t blockTimer_{};       // fires at the earliest blocked-client deadline
  int64_t blockTimerDeadline_ = 0;  // what blockTimer_ is armed for (0: stopped)
  uv_idle_t expireIdle_{};        // keeps the loop turning while expiry budget remains
  int64_t expireBudgetUs_ = 0;    // granted by the cron, spent in slices in beforeSleep
  uv_signal_t sigterm_{}, sigint_{};
  uv_async_t aofAsync_{};         // the background fsync thread finished a job
  bool aofAsyncReady_ = false;
  std::unique_ptr<net::TcpServer> tcp_;
  engine::Keyspace keyspace_;
  command::Registry registry_;
  PropagationHub propagation_;
  command::Services services_;
  command::Dispatcher dispatcher_;
  EvictionRunner eviction_{services_};  // maxmemory (eviction_runner.h)
  engine::LruAger lruAger_;             // ages idle LRU stamps from the cron
  uv_idle_t evictIdle_{};               // keeps the loop turning while eviction slices remain
  struct AofSink final : PropagationSink {
    persist::AofWriter* writer = nullptr;
    void append(int db, std::span<const std::string_view> args) override {
      if (writer != nullptr) writer->append(db, args);
    }
  } aofSink_;
  std::unique_ptr<persist::AofWriter> aof_;
  struct ReplSink final : PropagationSink {
    repl::Master* master = nullptr;
    void append(int db, std::span<const std::string_view> args) override { master->feed(db, args); }
  } replSink_;
  uv_idle_t replIdle_{};  // keeps the loop turning while a replica takes the snapshot
  Snapshotter snapshot_;                             // SAVE, BGSAVE, save rules, LASTSAVE, start-up load
  AofRewriter rewriter_;                             // BGREWRITEAOF, automatic rewrite
  std::vector<std::unique_ptr<Client>> graveyard_;  // freed at the next loop turn
  std::vector<Client*> limitChecks_;                 // clients that got output from others
  Client* current_ = nullptr;                        // client whose command is running
  bool shutdownRequested_ = false;
  bool stopped_ = false;
  int exitCode_ = 0;

  // Statistics for INFO.
  int64_t startTimeMs_ = 0;
  uint64_t rejectedConnections_ = 0;
  uint64_t startupMemory_ = 0;  // used_memory_startup: before the data load
  std::string runId_;
  repl::ReplicationIds replIds_;  // master_replid, offsets (INFO replication, ROLE)
  std::unique_ptr<repl::ReplicaLink> replicaLink_;  // set while a replica
  command::Session masterSession_;                  // the master's stream runs as this client
  int restoredStreamDb_ = -1;                        // the saved repl-stream-db for the first link
  repl::Master master_{replIds_, *this};  // replica links, backlog (repl/master.h)
  // instantaneous_ops_per_sec: a ring of per-100ms samples, as Redis keeps.
  static constexpr int kMetricSamples = 16;
  std::array<double, kMetricSamples> opsSamples_{};
  std::array<double, kMetricSamples> inSamples_{};
  std::array<double, kMetricSamples> outSamples_{};
  int sampleIdx_ = 0;
  int64_t lastSampleMs_ = 0;
  uint64_t lastSampleOps_ = 0, lastSampleIn_ = 0, lastSampleOut_ = 0;
};

}  // namespace erdtree::server
