#pragma once
// The master side of replication, as Redis 7.0 runs it with disk-based sync.
//
//   replica                              master
//   PING, REPLCONF listening-port/capa   remembered per client (handshake)
//   PSYNC <replid> <offset+1>            decidePsync():
//     partial: +CONTINUE <replid>, then the backlog from that offset, and the
//              link is online (live stream)
//     full:    +FULLRESYNC <replid> <offset> once a fork child starts writing
//              the snapshot to a file (the offset is the stream offset at the
//              fork); the stream produced meanwhile is kept. When the child
//              is done: $<len>\r\n + the file (read in chunks as the socket
//              drains, see pump()), then the kept stream; then online.
//   REPLCONF ACK <offset>                the replica's offset (INFO, ROLE, lag,
//                                        WAIT, min-replicas-to-write)
//
// WAIT asks for acknowledgements with requestAck(): before the loop sleeps,
// sendRequestedAck() puts one REPLCONF GETACK * into the stream (Redis's
// beforeSleep does the same), however many clients asked. countAcks() is the
// number of online replicas that acknowledged an offset.
//
// Good replicas (min-replicas-to-write): online ones whose last ACK is at most
// the good-lag setting old; the count is refreshed by cron() and whenever a
// replica comes online or goes away, and the transport is told when it
// changes. cron() also drops online replicas that sent nothing for
// repl-timeout seconds, and ones in send_bulk whose socket took no snapshot
// bytes for that long; replicas waiting for the snapshot child are left alone
// (they send nothing meanwhile).
//
// Replicas arriving while the sync child runs share its file (they get the
// same FULLRESYNC offset and the same kept stream). While another fork child
// (BGSAVE, AOF rewrite) runs, new full syncs wait for it (wait_bgsave) and
// the child starts from cron().
//
// The stream is the propagation records in RESP, with SELECT whenever the db
// differs from the previous record's; after each sync fork the next record
// gets a SELECT (a freshly loaded replica starts at db 0). It is fed to the
// backlog (which advances master_repl_offset) only once the backlog exists:
// it is created when the first replica asks to sync, as in Redis.
//
// The repl part knows no sockets: the server hands client output buffers
// and the fork in through ReplicaTransport.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "erdtree/repl/backlog.h"
#include "erdtree/repl/replication_ids.h"

namespace erdtree::repl {

enum class PsyncDecision { Continue, FullResync };
// Redis's masterTryPartialResynchronization test: replid is the current ID,
// or the previous one with offset <= secondOffset; and offset is inside the
// backlog. backlog may be null (then always a full resync).
PsyncDecision decidePsync(const ReplicationIds& ids, const Backlog* backlog, std::string_view replid,
                          int64_t offset);

class ReplicaTransport {
 public:
  virtual ~ReplicaTransport() = default;
  // The client's output buffer; nullptr when it is gone.
  virtual std::string* replicaOutput(uint64_t id) = 0;
  virtual size_t replicaPendingBytes(uint64_t id) = 0;
  // Output was added outside the client's own command: flush it soon.
  virtual void replicaWake(uint64_t id) = 0;
  // Closes the link (later, never from inside the master's own loops).
  virtual void replicaClose(uint64_t id) = 0;
  // Another fork child (BGSAVE, AOF rewrite) runs: no sync child now.
  virtual bool otherChildActive() = 0;
  // Forks a child that writes the whole data set as an RDB file at path and
  // exits 0 on success. Returns its pid or -1 (fork failed).
  virtual int forkSnapshot(const std::string& path) = 0;
  // The number of good replicas changed (see Master::goodReplicas()).
  virtual void goodReplicasChanged() {}
};

class Master {
 public:
  enum class State { WaitBgsaveStart, WaitBgsaveEnd, SendBulk, Online };
  struct ReplicaView {
    uint64_t id;
    std::string ip;
    int64_t port;
    State state;
    int64_t ackOffset;
    int64_t lagSeconds;
  };

  Master(ReplicationIds& ids, ReplicaTransport& transport);
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  // Settings.
  void setBacklogSize(uint64_t size);
  void setPingPeriodSeconds(int64_t s) { pingPeriodMs_ = s * 1000; }
  void setPendingLimit(uint64_t bytes) { pendingLimit_ = bytes; }  // 0: none
  void setSyncDir(std::string dir) { dir_ = std::move(dir); }
  void setTimeoutSeconds(int64_t s) { timeoutMs_ = s * 1000; }  // repl-timeout
  // min-replicas-max-lag: a good replica acknowledged within this many seconds.
  void setGoodLagSeconds(int64_t s, int64_t nowMs);

  // The stream: one propagation record (ignored while proxying).
  void feed(int db, std::span<const std::string_view> args);

  // Chained replication (this server is itself a replica): its replicas get
  // the master's stream byte for byte, so offsets and the replication ID stay
  // the master's, as in Redis. While proxying, feed() ignores the records the
  // applied stream propagates, the backlog keeps the master's ID when it is
  // created, and proxy() forwards the raw bytes (advancing the offset) and
  // returns true; false when there is no backlog to feed.
  void setProxying(bool on);
  bool proxy(std::string_view raw);
  // Hands the stream fed since the last call to the replicas (one append
  // each). pump() and every call that changes a replica's state do it first;
  // the server's loop calls pump() before it writes to sockets.
  void flushStream();
  // A full resync with our master: the history our replicas have is gone.
  // Drops them and the backlog, and starts a new backlog at the master's
  // offset (Redis's disconnectSlaves + a fresh backlog).
  void newHistory();

  // Handshake (REPLCONF before PSYNC).
  void setListeningPort(uint64_t id, int64_t port) { hello_[id].port = port; }
  void setAnnouncedIp(uint64_t id, std::string ip) { hello_[id].ip = std::move(ip); }
  void ack(uint64_t id, int64_t offset, int64_t nowMs);
  // Any bytes from the replica's connection: it is alive (repl-timeout).
  void heard(uint64_t id, int64_t nowMs);
  // PSYNC (oldSync: the SYNC command, which gets no +FULLRESYNC line). The
  // client becomes a replica; peerIp is used unless it announced one.
  // Writes the replies into the transport's output.
  void psync(uint64_t id, const std::string& peerIp, std::string_view replid, int64_t offset, bool oldSync,
             int64_t nowMs);
  bool isReplica(uint64_t id) const;
  // Calls f(id) for every replica's client (cheap: no copies, for the
  // maxmemory check that runs before every command).
  template <class F>
  void forEachReplicaId(F&& f) const {
    for (const Replica& r : replicas_) f(r.id);
  }
  void clientClosed(uint64_t id);

  // Server cron: reaps the sync child, starts a waiting one, pings.
  void cron(int64_t nowMs);
  // Each loop turn: moves file chunks into replica outputs while they drain.
  // True when a replica could take more right now (keep the loop turning).
  bool pump(int64_t nowMs);
  // A replica in send_bulk could take more file bytes right now.
  bool hungry();
  // WAIT: online replicas whose acknowledged offset is at least offset.
  int64_t countAcks(int64_t offset) const;
  void requestAck() { ackRequested_ = true; }
  // Graceful shutdown (Redis's isReadyToShutdown): every replica, whatever
  // its state, acknowledged exactly offset (true when there are none).
  bool allAcked(int64_t offset) const;
  // Logs Redis's "Lagging replica ..." line for each replica that did not;
  // returns how many.
  size_t logLagging(int64_t offset, int64_t nowMs) const;
  size_t replicaCount() const { return replicas_.size(); }
  // Sends the requested REPLCONF GETACK * (once); true when one was sent.
  bool sendRequestedAck();
  // min-replicas-to-write: online replicas that acknowledged recently enough.
  size_t goodReplicas() const { return good_; }
  // Kills the sync child and removes its file (shutdown).
  void killChild();
  bool childActive() const { return childPid_ > 0; }

  // INFO / ROLE.
  std::vector<ReplicaView> replicas(int64_t nowMs) const;
  const Backlog* backlog() const { return backlog_.get(); }
  uint64_t backlogSize() const { return backlogSize_; }
  // The db the stream has selected (Redis's slaveseldb, 0 when none yet):
  // a saved position's repl-stream-db.
  int streamDb() const { return lastDb_ < 0 ? 0 : lastDb_; }
  uint64_t syncFull() const { return syncFull_; }
  uint64_t syncPartialOk() const { return syncPartialOk_; }
  uint64_t syncPartialErr() const { return syncPartialErr_; }
  void resetStats() { syncFull_ = syncPartialOk_ = syncPartialErr_ = 0; }
  static const char* stateName(State s);

 private:
  struct SyncFile;  // the snapshot on disk, removed when the last user is done
  struct Hello {
    int64_t port = 0;
    std::string ip;
  };
  struct Replica {
    uint64_t id = 0;
    std::string ip;
    int64_t port = 0;
    State state = State::WaitBgsaveStart;
    bool oldSync = false;
    int64_t ackOffset = 0;
    int64_t ackTimeMs = 0;
    int64_t heardMs = 0;     // last bytes from it (online: repl-timeout)
    int64_t bulkMovedMs = 0; // send_bulk: when its socket last took snapshot bytes
    bool good = false;       // counted in good_
    std::string pending;  // stream since the fork, sent after the file
    std::shared_ptr<SyncFile> file;
    int fd = -1;
    uint64_t left = 0;    // file bytes still to send
  };

  void feedBytes(std::string_view bytes);
  void startFork();
  void reap(int64_t nowMs);
  void fullResyncLine(Replica& r);
  Replica* find(uint64_t id);
  void closeLater(uint64_t id) { toClose_.push_back(id); }
  void closeQueued();
  void feedCommand(std::span<const std::string_view> args);  // no SELECT: PING, GETACK
  void dropTimedOut(int64_t nowMs);
  void refreshGood(int64_t nowMs);

  ReplicationIds& ids_;
  ReplicaTransport& transport_;
  std::unique_ptr<Backlog> backlog_;
  uint64_t backlogSize_ = kDefaultBacklogSize;
  int64_t pingPeriodMs_ = 10000;
  int64_t lastPingMs_ = 0;
  int64_t lastKeepaliveMs_ = 0;
  int64_t timeoutMs_ = 60000;
  int64_t goodLagSeconds_ = 10;
  size_t good_ = 0;
  bool ackRequested_ = false;
  uint64_t pendingLimit_ = 0;
  std::string dir_ = ".";
  int lastDb_ = -1;  // Redis's slaveseldb
  bool proxying_ = false;
  std::string scratch_;
  std::string fanout_;  // stream bytes not yet handed to the replicas (flushStream)
  static constexpr size_t kKeepFanoutCapacity = 1 << 20;
  std::vector<Replica> replicas_;
  std::unordered_map<uint64_t, Hello> hello_;
  std::vector<uint64_t> toClose_;
  // The sync child: its pid, the file it writes, the offset it starts at and
  // the stream produced since.
  int childPid_ = -1;
  std::shared_ptr<SyncFile> childFile_;
  int64_t forkOffset_ = 0;
  std::string forkStream_;
  uint64_t forks_ = 0;
  uint64_t syncFull_ = 0, syncPartialOk_ = 0, syncPartialErr_ = 0;
};

}  // namespace erdtree::repl
