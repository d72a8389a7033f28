#pragma once
// What a command handler sees: the calling client's session, its arguments,
// the reply writer and the server's services. Handlers stay a few lines
// because lookups, type checks and error replies are shared (replies.h).
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "erdtree/engine/access_clock.h"
#include "erdtree/engine/encoding_limits.h"
#include "erdtree/engine/keyspace.h"
#include "erdtree/command/blocking.h"
#include "erdtree/command/command_stats.h"
#include "erdtree/command/error_stats.h"
#include "erdtree/command/latency_monitor.h"
#include "erdtree/command/monitor_feed.h"
#include "erdtree/command/slowlog.h"
#include "erdtree/command/persistence.h"
#include "erdtree/command/pubsub.h"
#include "erdtree/command/replica_control.h"
#include "erdtree/command/watch_registry.h"
#include "erdtree/resp/writer.h"

namespace erdtree::command {

class Replication;

class Registry;
class Dispatcher;
struct CommandSpec;

// MULTI/EXEC and WATCH state of one client.
struct Transaction {
  bool inMulti = false;
  bool aborted = false;      // a queue-time error: EXEC answers EXECABORT
  bool watchDirty = false;   // a watched key changed: EXEC answers null
  std::vector<std::vector<std::string>> queued;  // copies: the input buffer moves on
  struct Watched {
    int db;
    std::string key;
    bool expiredAtWatch;     // already logically expired when WATCHed
  };
  std::vector<Watched> watched;
};

// Per-client state the command layer needs (net knows the socket side).
struct Session {
  uint64_t id = 0;
  int db = 0;
  int protocol = 2;
  bool authenticated = false;
  bool closeAfterReply = false;   // QUIT
  std::string name;               // CLIENT SETNAME
  std::string libName, libVer;    // CLIENT SETINFO
  int64_t createdMs = 0;
  int64_t lastInteractionMs = 0;
  const CommandSpec* lastCommand = nullptr;
  bool blocked = false;           // waiting in a blocking command (blocking.h)
  bool internal = false;          // log replay / replication: skips auth and limits
  bool replica = false;           // a replica's link after PSYNC/SYNC (CLIENT LIST flags=S, type replica)
  int64_t woff = 0;               // the replication offset right after its last command (WAIT)
  bool local = false;             // from 127.0.0.1, ::1 or the Unix socket (enable-debug-command local)
  std::string addr;               // "ip:port" of the peer, "<path>:0" on the Unix socket (SLOWLOG, MONITOR)
  bool unixSocket = false;        // connected through unixsocket (CLIENT LIST flag U)
  bool monitor = false;           // in MONITOR mode (CLIENT LIST flags=O)
  bool noEvict = false;           // CLIENT NO-EVICT on (flags=e)
  // CLIENT REPLY: Off drops every reply; SKIP drops the next command's.
  enum class ReplyMode : uint8_t { kOn, kOff, kSkipNext, kSkipThis } replyMode = ReplyMode::kOn;
  bool postponed = false;         // held by CLIENT PAUSE: the request waits in the input buffer
  int64_t blockedRunUs = 0;       // how long the handler of the command now blocked ran (SLOWLOG)
  Transaction tx;
  // Pub/Sub: this client's subscriptions, and where messages for it go.
  std::vector<std::string> channels;
  std::vector<std::string> patterns;
  ReplySink* sink = nullptr;
  bool subscribed() const { return !channels.empty() || !patterns.empty(); }
};

// The canonical form of every applied write goes here exactly once
// (DESIGN.md: the log and the replication stream carry the same bytes).
class Propagator {
 public:
  virtual ~Propagator() = default;
  virtual void propagate(int db, std::span<const std::string_view> args) = 0;
  // Only into the replication stream, not the log (PUBLISH, as Redis's
  // PROPAGATE_REPL).
  virtual void propagateToReplicas(int db, std::span<const std::string_view> args) = 0;
};

// What MEMORY STATS and INFO memory report (Redis's memory overhead
// breakdown); every byte figure comes from util::usedMemory()'s counter or
// the structures' own sizes. See docs/memory.md.
struct MemoryStats {
  uint64_t peakAllocated = 0;
  uint64_t totalAllocated = 0;    // used_memory
  uint64_t startupAllocated = 0;  // used_memory right before the data load
  uint64_t replicationBacklog = 0;
  uint64_t clientsReplicas = 0;   // output buffers of replica links
  uint64_t clientsNormal = 0;     // query and output buffers of other clients
  uint64_t aofBuffer = 0;
  struct Db {
    int index = 0;
    uint64_t mainTable = 0;       // bucket arrays of the keyspace table
    uint64_t expiresTable = 0;    // 0: TTLs live inside the entries
  };
  std::vector<Db> dbs;            // only databases holding keys, as Redis
  uint64_t overheadTotal = 0;
  uint64_t keys = 0;
  uint64_t rss = 0;
  uint64_t dataset() const { return totalAllocated > overheadTotal ? totalAllocated - overheadTotal : 0; }
};

// DEBUG OBJECT's figures for a value, as the RDB writer would lay it out.
struct ValueLayout {
  uint64_t serializedLength = 0;  // RDB encoding without type byte and key (Redis's rdbSavedObjectLen)
  uint64_t listNodes = 0;         // lists: quicklist nodes
  uint64_t listBytes = 0;         // lists: their listpacks' total size
};

// Server-level operations a command needs but the command layer must not own
// (sockets, configuration storage, process lifetime). Implemented by server.
class ServerApi {
 public:
  virtual ~ServerApi() = default;
  virtual std::string info(std::span<const std::string_view> sections) = 0;
  virtual std::vector<std::pair<std::string, std::string>> configGet(std::span<const std::string_view> patterns) = 0;
  // Applies name/value pairs atomically; returns "" or the full error text.
  virtual std::string configSet(std::span<const std::string_view> pairs) = 0;
  virtual void resetStats() = 0;
  // CONFIG REWRITE: "" or the full error text.
  virtual std::string configRewrite() = 0;
  virtual const std::string& requirePass() const = 0;
  // type: "" for every client, else normal/pubsub/replica/master (lower case).
  virtual std::string clientList(const Session* only, std::span<const uint64_t> ids, std::string_view type) = 0;
  // CLIENT KILL with its filters already parsed; returns how many were closed.
  struct KillFilter {
    std::vector<uint64_t> ids;
    std::string addr, laddr;
    bool skipMe = true;
    bool hasType = false;
    std::string type;
  };
  virtual size_t clientKill(const Session& caller, const KillFilter& filter) = 0;
  // SHUTDOWN's modifiers (NOW and FORCE as Redis 7.0 defines them).
  struct ShutdownFlags {
    bool save = false;    // save a snapshot even without save rules
    bool nosave = false;  // no snapshot even with save rules
    bool now = false;     // don't wait for lagging replicas
    bool force = false;   // exit even if the final save fails
  };
  // SHUTDOWN: kills a BGSAVE child and, with save rules (or flags.save) and
  // not flags.nosave, saves in the foreground. Returns "" when the server
  // stops after this command (the log flushed and fsynced; the client gets
  // no reply) or when the calling client was blocked while a master waits
  // for its replicas (shutdown-timeout), else the error reply (the server
  // keeps running).
  virtual std::string shutdown(const ShutdownFlags& flags) = 0;
  // SHUTDOWN ABORT: cancels a shutdown waiting for replicas; false when
  // there is none.
  virtual bool abortShutdown() { return false; }
  // BGREWRITEAOF (inExec: called from EXEC, so it is only scheduled): the status reply ("Background append only file rewriting
  // started" / "... scheduled"), or an error reply starting with "ERR".
  virtual std::string bgrewriteaof(bool inExec) = 0;
  // MEMORY STATS (and INFO memory): the overhead breakdown right now.
  virtual MemoryStats memoryStats() { return {}; }
  // DEBUG LOADAOF: writes out the log's buffer, empties every database and
  // replays the log from disk. Returns "" or the error reply.
  virtual std::string debugLoadAof() { return "ERR DEBUG LOADAOF is not supported here"; }
  // DEBUG OBJECT: how the value would be saved with the current settings.
  virtual ValueLayout valueLayout(engine::Entry* /*e*/) { return {}; }
};

// maxmemory as the dispatcher sees it (Redis's performEvictions): brings
// used memory under the limit by evicting keys, within a time budget.
class MemoryGuard {
 public:
  virtual ~MemoryGuard() = default;
  // Whether a limit is set and this server evicts at all (not a replica
  // ignoring maxmemory, not loading): when false, nothing is ever refused.
  virtual bool active() const = 0;
  // Evicts what it can; false when memory is still over the limit and
  // nothing more can go (noeviction, no candidate keys): Redis's EVICT_FAIL.
  // Running out of time with keys left is not a failure (the rest is
  // evicted between later commands).
  virtual bool performEvictions() = 0;
};

// CLIENT PAUSE: until when clients are held, and whether only commands that
// may write (or replicate) are. Held clients keep their request unread and
// run it once the pause ends (Server::refreshPause, server/pause.cpp).
//
// Two things pause, as Redis 7.0's pause purposes: CLIENT PAUSE (byClient*)
// and a shutdown waiting for its replicas (duringShutdown: writes, with no
// end). untilMs/all are the pause in effect, the stronger of the two; the
// dispatcher reads only those. combine() recomputes them after either part
// changed (and drops an expired CLIENT PAUSE).
struct ClientPause {
  int64_t untilMs = 0;       // in effect; 0: not paused
  bool all = false;          // in effect: ALL; else WRITE
  std::vector<uint64_t> held;  // session ids waiting for the end
  int64_t byClientUntilMs = 0;  // CLIENT PAUSE; 0: none
  bool byClientAll = false;
  bool duringShutdown = false;  // SHUTDOWN waiting for replicas (writes)
  bool active(int64_t nowMs) const { return untilMs != 0 && nowMs < untilMs; }
  void combine(int64_t nowMs) {
    if (byClientUntilMs != 0 && nowMs >= byClientUntilMs) byClientUntilMs = 0;
    untilMs = duringShutdown ? INT64_MAX : byClientUntilMs;
    all = byClientUntilMs != 0 && byClientAll;
  }
};

struct Stats {
  uint64_t commandsProcessed = 0;
  uint64_t keyspaceHits = 0;
  uint64_t keyspaceMisses = 0;
  uint64_t dirty = 0;            // writes since the last save
};

// Who may run a protected command (Redis's enable-debug-command values).
enum class ProtectedAccess : uint8_t { kNo, kYes, kLocal };

struct Services {
  Services(engine::Keyspace& ks, Registry& reg, ServerApi& srv, Propagator& prop)
      : keyspace(ks), registry(reg), server(srv), propagator(prop) {
    // Every key the engine adds may be one that blocked clients wait for.
    ks.setKeyAddedListener([this](int db, std::string_view key) { blocking.signalKeyReady(db, key); });
  }

  engine::Keyspace& keyspace;
  Registry& registry;
  ServerApi& server;
  Propagator& propagator;
  Stats stats{};
  uint64_t protoMaxBulkLen = 512ull << 20;  // mirrors the setting (APPEND/SETRANGE cap)
  engine::EncodingLimits encoding{};        // mirrors the *-max-listpack-* settings
  engine::AccessPolicy access{};            // mirrors maxmemory-policy (LFU or not) and lfu-*
  // Runs maxmemory eviction before a command (set by the server).
  MemoryGuard* memoryGuard = nullptr;
  ProtectedAccess debugCommand = ProtectedAccess::kLocal;  // mirrors enable-debug-command
  // DEBUG SET-ACTIVE-EXPIRE: false stops the active expiry cycle (keys then
  // expire only when touched), as Redis's active_expire_enabled.
  bool activeExpire = true;
  WatchRegistry watches{keyspace};
  PubSubRegistry pubsub;
  BlockingRegistry blocking;                // BLPOP & co.: wait queues, ready keys, timeouts
  Dispatcher* dispatcher = nullptr;         // EXEC runs queued commands through it
  // Set by the server while the log cannot be written (the full error reply,
  // e.g. "MISCONF Errors writing to the AOF file: ..."): write commands are
  // refused with it, reads go on. Empty when the disk is fine.
  std::string diskWriteError;
  Persistence* persistence = nullptr;       // SAVE/LASTSAVE (set by the server)
  ReplicaControl* replicaControl = nullptr;  // REPLICAOF, ROLE on a replica (set by the server)
  // A replica with replica-read-only: writes from normal clients get -READONLY.
  bool readOnlyReplica = false;
  // A master with min-replicas-to-write and fewer good replicas than that:
  // writes from normal clients get -NOREPLICAS.
  bool tooFewReplicas = false;
  // A replica whose link is down with replica-serve-stale-data no: commands
  // without the stale flag get -MASTERDOWN.
  bool staleReplica = false;
  Replication* replication = nullptr;       // REPLCONF/PSYNC/SYNC/ROLE (command/replication.h)
  SlowLog slowlog;                          // SLOWLOG (mirrors slowlog-*)
  LatencyMonitor latency;                   // LATENCY (mirrors latency-monitor-threshold)
  CommandStatsTable commandStats;           // INFO commandstats, LATENCY HISTOGRAM (sized by the server)
  ErrorStats errors;                        // total_error_replies, INFO errorstats
  bool latencyTracking = true;              // mirrors latency-tracking
  // Whether the dispatcher times handlers at all: slowlog, latency monitor
  // or latency tracking on (refreshed with the settings).
  bool timeCommands = true;
  MonitorFeed monitors;                     // MONITOR clients
  ClientPause pause;                        // CLIENT PAUSE / UNPAUSE
  // Set while EXEC runs: the first write emits MULTI so the block replays as one unit.
  bool execWrapPending = false;
  bool execWrapOpen = false;
};

struct Context {
  Session& session;
  std::span<const std::string_view> args;
  resp::Writer& out;
  Services& svc;
  int64_t nowMs;

  engine::Db& db() { return svc.keyspace.db(session.db); }
  size_t argc() const { return args.size(); }
  std::string_view arg(size_t i) const { return args[i]; }
  // Emits this command's canonical write record and counts it as a change.
  void propagate(std::span<const std::string_view> record, uint64_t changes = 1) {
    if (svc.execWrapPending && !svc.execWrapOpen) {
      const std::string_view multi[] = {"MULTI"};
      svc.propagator.propagate(session.db, multi);
      svc.execWrapOpen = true;
    }
    svc.propagator.propagate(session.db, record);
    svc.stats.dirty += changes;
  }
  void propagate(std::initializer_list<std::string_view> record, uint64_t changes = 1) {
    propagate(std::span<const std::string_view>(record.begin(), record.size()), changes);
  }
  // The command exactly as received is already canonical.
  void propagateAsIs(uint64_t changes = 1) { propagate(args, changes); }
};

}  // namespace erdtree::command
