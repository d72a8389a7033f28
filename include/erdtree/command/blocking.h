#pragma once
// Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP; BZPOPMIN and
// friends use the same pieces): a client that finds nothing to take waits,
// without holding the loop, until another client's write makes one of its
// keys ready, its timeout passes, CLIENT UNBLOCK releases it, or it
// disconnects. The mechanism is Redis 7.0's (blocked.c):
//
//  - Wait queues: per (db, key) a FIFO of waiting sessions, so clients
//    blocked on the same key are served in arrival order. A client may wait
//    on several keys; it is served once, from the first of them that becomes
//    ready, and then leaves every queue.
//  - Ready keys: the engine reports every key it adds (Db::insert, which is
//    Redis's dbAdd: a push that creates a list, LMOVE's destination, RENAME,
//    MOVE, COPY, ZADD creating a zset...). A key with waiters is queued once
//    (deduplicated) in the ready list. Waiting only ever happens on missing
//    keys (collections are deleted when they become empty), so "added" is
//    the one event that can make a waiter servable.
//  - Serving: after each top-level command (a whole EXEC counts as one), the
//    dispatcher runs serveReadyKeys(): for each ready key in signal order,
//    the waiters of that key whose wanted type the key now holds are served
//    in FIFO order until the key is gone. Serving may add keys (BLMOVE
//    pushes to its destination); those are handled in the next round, and
//    rounds repeat until none are left. A key pushed and popped again within
//    one command or EXEC is missing when served, so it wakes nobody; a key
//    that became another type (a string) leaves its waiters waiting.
//  - Replies for a served client go to its ReplySink; the session is then
//    listed in takeUnblocked(), and the server resumes executing the
//    commands the client pipelined after the blocking one (they stayed in
//    its input buffer meanwhile, as Redis keeps them in the query buffer).
//  - Timeouts: a sorted index of deadlines; the server arms one timer for
//    nextDeadlineMs() and calls expireTimedOut() when it fires.
//
// Adding a blocking command to a family (e.g. BZPOPMIN in zset_commands.cpp):
//  1. Define one `static const BlockingCommand` for it: the value type that
//     can serve it, a serve function and a timeout reply.
//  2. In the handler: parse the arguments, then parseBlockTimeout(); look at
//     the keys in order and, if one has something to take, act as the
//     non-blocking form (reply, ctx.propagate the non-blocking canonical
//     form). Otherwise, if !mayBlock(ctx) (inside MULTI/EXEC, internal
//     client) reply the timeout reply, else blockForKeys(ctx, keys, deadline,
//     kThatCommand) and reply nothing.
//  3. serve(ctx, key) runs later, in the blocked client's context: ctx.args
//     are its saved arguments, ctx.out writes to its output, ctx.session.db
//     is the database it blocked in. `key` holds a value of the wanted type.
//     It takes from that key, replies, propagates the non-blocking form
//     (Redis: BLPOP -> LPOP key, BZPOPMIN -> ZPOPMIN key), touches WATCHed
//     keys it changed (ctx.svc.watches.touch) and returns true; false means
//     nothing could be taken and the client keeps waiting.
//  4. Register the spec with kBlocking (COMMAND INFO shows "blocking").
// Nothing else is needed: signals come from the engine, serving from the
// dispatcher, timers and connection handling from the server.
//
// WAIT blocks here too, on no key: its waiter holds the replication offset
// the client's writes reached and how many replicas it wants. The server
// calls serveAckWaiters() before the loop sleeps (Redis's
// processClientsWaitingReplicas); the reply, served or timed out, is the
// number of replicas that acknowledged the offset (the ack counter).
//
// SHUTDOWN blocks here as well while a master waits for its replicas
// (blockForShutdown): no key, no deadline, no timeout reply.
//
// Limits: waiters hold Session pointers; the server calls forget() before a
// session is destroyed. Keys are only served by type (a list key never
// serves a zset waiter), as in Redis 7.0.
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "erdtree/engine/entry.h"
#include "erdtree/resp/writer.h"
#include "erdtree/command/error_stats.h"

namespace erdtree::command {

struct Context;
struct Session;
struct Services;

// How one blocking command is served and timed out (one static per command).
struct BlockingCommand {
  engine::ValueType type;                          // what a ready key must hold
  bool (*serve)(Context& ctx, std::string_view key);
  void (*timedOut)(resp::Writer& out);             // null array, null bulk...
};

// Parses a timeout in seconds as Redis 7.0 does (a long double, ceil'd to
// milliseconds; 0 waits forever) into an absolute deadline (0: none).
// Replies the error and returns false when it is not valid.
bool parseBlockTimeout(Context& ctx, std::string_view arg, int64_t& deadlineMs);
// False inside EXEC and for the internal (replay) client: such a caller gets
// the timeout reply at once instead of blocking.
bool mayBlock(const Context& ctx);
// Blocks the calling client on keys (in its current db) until served. The
// command's arguments are copied; nothing is replied now.
void blockForKeys(Context& ctx, std::span<const std::string_view> keys, int64_t deadlineMs,
                  const BlockingCommand& cmd);

class BlockingRegistry {
 public:
  bool empty() const { return waiters_.empty(); }
  size_t blockedCount() const { return waiters_.size(); }
  size_t timeoutCount() const { return deadlines_.size(); }

  void block(Session& s, int db, std::span<const std::string_view> keys, int64_t deadlineMs,
             const BlockingCommand& cmd, std::span<const std::string_view> args);

  // WAIT: blocks until countAcks(offset) >= numReplicas or the deadline.
  void blockForAcks(Session& s, int64_t offset, int64_t numReplicas, int64_t deadlineMs,
                    std::span<const std::string_view> args);
  bool hasAckWaiters() const { return ackWaiters_ != 0; }
  // SHUTDOWN while the server waits for its replicas: blocked, with no
  // deadline, until the server exits (no reply) or the shutdown is
  // cancelled (failShutdownWaiters). CLIENT UNBLOCK does not release it.
  void blockForShutdown(Session& s);
  // Replies the error to every SHUTDOWN waiter and releases it.
  void failShutdownWaiters(std::string_view error);
  // How many replicas acknowledged an offset (set by the server; 0 without).
  void setAckCounter(std::function<int64_t(int64_t)> counter) { ackCounter_ = std::move(counter); }
  // Told when a blocked command ends, with the command as received: INFO
  // commandstats counts it then, as Redis 7.0.15's updateStatsOnUnblock;
  // SLOWLOG and the latency histograms only when a key served it (served).
  // failed: it got an error, or CLIENT UNBLOCK ended it (Redis counts both).
  using FinishedListener = std::function<void(Session&, std::span<const std::string>, bool served, bool failed)>;
  void setFinishedListener(FinishedListener l) { finished_ = std::move(l); }
  // Where the error replies given to blocked clients are counted (INFO
  // errorstats: UNBLOCKED, an error of the served command).
  void setErrorStats(ErrorStats* errors) { errors_ = errors; }
  // Replies to and releases the WAIT clients whose replicas are there.
  void serveAckWaiters();

  // A key was added; queued as ready when someone waits for it.
  void signalKeyReady(int db, std::string_view key) {
    if (!byKey_.empty()) queueReady(db, key);
  }
  // SWAPDB: each key of db that clients wait for and exists(key) says is
  // there now becomes ready (Redis's scanDatabaseForReadyKeys).
  template <class Exists>
  void signalWaitedKeysIn(int db, Exists&& exists) {
    std::vector<std::string> keys;
    for (const auto& [ck, q] : byKey_) {
      int keyDb = 0;
      std::memcpy(&keyDb, ck.data(), sizeof(int));
      std::string_view key = std::string_view(ck).substr(sizeof(int));
      if (keyDb == db && !q.empty() && exists(key)) keys.emplace_back(key);
    }
    for (const auto& k : keys) signalKeyReady(db, k);
  }
  bool hasReadyKeys() const { return !ready_.empty(); }
  // Serves waiters of ready keys, in rounds, until no key is ready.
  void serveReadyKeys(Services& svc, int64_t nowMs);

  // Earliest deadline of a waiting client (unix ms), 0 when none has one.
  int64_t nextDeadlineMs() const { return deadlines_.empty() ? 0 : deadlines_.begin()->first; }
  // Gives every client whose deadline is <= nowMs its timeout reply.
  void expireTimedOut(int64_t nowMs);
  // Becoming a replica (Redis's disconnectAllBlockedClients): every waiter
  // gets the error and is released without resuming; returns their ids (the
  // server closes them after the reply).
  std::vector<uint64_t> unblockAll(std::string_view error);
  // CLIENT UNBLOCK: false when that client is not blocked.
  bool unblock(uint64_t sessionId, bool withError);
  // The session is going away: drop it from every queue (no reply).
  void forget(Session& s);

  // Sessions released since the last call, whose pipelined input can run.
  std::vector<uint64_t> takeUnblocked() { return std::exchange(unblocked_, {}); }
  bool hasUnblocked() const { return !unblocked_.empty(); }

 private:
  using Queue = std::list<Session*>;
  struct Waiter {
    Session* session;
    int db;
    const BlockingCommand* cmd;     // null for WAIT
    int64_t deadlineMs;
    std::vector<std::string> args;  // the blocking command as received
    // Where this session sits in each key's queue (composite key, node).
    std::vector<std::pair<std::string, Queue::iterator>> positions;
    int64_t ackOffset = 0;          // WAIT: the offset to be acknowledged
    int64_t ackReplicas = 0;        // WAIT: by how many replicas
    bool shutdown = false;          // SHUTDOWN (no cmd either, not a WAIT)
  };

  static std::string composite(int db, std::string_view key);
  void queueReady(int db, std::string_view key);
  // The reply a waiter gets when it times out or CLIENT UNBLOCK releases it.
  void timeoutReply(const Waiter& w, resp::Writer& out) const;
  int64_t countAcks(int64_t offset) const { return ackCounter_ ? ackCounter_(offset) : 0; }
  // Serves the waiters of one key in FIFO order.
  void serveKey(Services& svc, int db, std::string_view key, int64_t nowMs);
  // Removes the waiter from every structure and clears the session's flag.
  void release(uint64_t sessionId, bool resume);
  // Writes a reply to a waiting client's output through its sink.
  template <class F>
  bool replyTo(Session& s, F&& write);  // true when it wrote an error

  std::unordered_map<uint64_t, Waiter> waiters_;        // by session id
  std::unordered_map<std::string, Queue> byKey_;        // composite key -> FIFO
  std::set<std::pair<int64_t, uint64_t>> deadlines_;    // (deadline, session id)
  std::vector<std::pair<int, std::string>> ready_;      // in signal order
  std::unordered_set<std::string> readySet_;            // composite keys in ready_
  std::vector<uint64_t> unblocked_;
  size_t ackWaiters_ = 0;                               // WAIT clients among waiters_
  std::function<int64_t(int64_t)> ackCounter_;
  FinishedListener finished_;
  ErrorStats* errors_ = nullptr;
};

}  // namespace erdtree::command
