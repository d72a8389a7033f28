#pragma once
// The replica side of replication: one outbound connection to the master,
// driven by the server's libuv loop, never blocking it.
//
// State machine (Redis's replication.c names in ROLE / INFO):
//   Connect      waiting to (re)connect; the cron starts a connection
//   Connecting   uv_tcp_connect in flight
//   Handshake    PING -> [AUTH [masteruser] masterauth] ->
//                REPLCONF listening-port <port> -> [REPLCONF ip-address <ip>] -> REPLCONF capa eof capa psync2 ->
//                PSYNC <replid> <offset+1>; one request, one reply at a time
//   Transfer     after +FULLRESYNC: the RDB payload, "$<len>\r\n" + len bytes
//                or the diskless "$EOF:<40 byte mark>\r\n" ... <mark>, written
//                to a temp file (never held in memory), then handed to
//                ReplicaLinkHandler::loadFullSync
//   Connected    the command stream: each command goes to applyCommand and
//                its bytes are added to the offset (a MULTI ... EXEC block
//                only at its EXEC, as Redis's master client advances its
//                reploff only outside MULTI: the offset always describes
//                the applied data, which is what a saved position needs);
//                REPLCONF GETACK is
//                answered here with REPLCONF ACK <offset> (the offset before
//                the GETACK itself, as Redis counts it)
//
// Like a Redis replica, PSYNC always offers the replica's own replid and
// offset + 1 (a fresh server gets +FULLRESYNC; a reconnect after a drop, a
// restart from a saved position (persist/repl_position.h), or a
// promoted-then-demoted server, may get +CONTINUE). cron() (call it at least
// once a second) sends REPLCONF ACK every second, drops a link that saw no
// bytes for repl-timeout seconds and reconnects a dropped one.
#include <uv.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "erdtree/repl/replication_ids.h"
#include "erdtree/resp/parser.h"

namespace erdtree::repl {

// What the server does with what the link receives.
class ReplicaLinkHandler {
 public:
  virtual ~ReplicaLinkHandler() = default;
  // Full resync: drop every key and load the RDB file at rdbPath (the file
  // may be renamed or removed by the handler). Returns "" or the error.
  virtual std::string loadFullSync(const std::string& rdbPath) = 0;
  // One command of the master's stream (args[0] is the name).
  virtual void applyCommand(std::span<const std::string_view> args) = 0;
  // The raw bytes of that command, for this server's own replicas (chained
  // replication). True when the handler advanced the replication offset by
  // them (it fed a backlog); false: the link advances it.
  virtual bool relayStream(std::string_view raw) = 0;
  // A full resync finished: the IDs and offset are the master's now.
  virtual void fullSyncDone() = 0;
  // The link dropped: a MULTI the master began is not coming back (the
  // offset stopped before it, so the master sends it again).
  virtual void linkLost() {}
};

struct ReplicaLinkOptions {
  std::string host;
  int port = 0;
  std::string masterauth;   // AUTH after PING when set
  std::string masteruser;   // AUTH <user> <pass> when set too
  int listeningPort = 0;    // REPLCONF listening-port
  std::string announceIp;   // REPLCONF ip-address when set (replica-announce-ip)
  int64_t timeoutSeconds = 60;  // repl-timeout
  std::string tempDir = ".";    // where the RDB transfer is written
};

// Parsed replies of the handshake (pure functions, unit tested).
struct PsyncReply {
  enum class Kind { FullResync, Continue, Retry, Error } kind = Kind::Error;
  std::string replid;   // FULLRESYNC's, or CONTINUE's new one ("" if none)
  int64_t offset = -1;  // FULLRESYNC's
};
PsyncReply parsePsyncReply(std::string_view line);

struct BulkPreamble {
  bool ok = false;
  bool eofMark = false;  // diskless: the payload ends with mark
  uint64_t length = 0;
  std::string mark;
};
// "$<len>" or "$EOF:<40 bytes>" (the line without CRLF).
BulkPreamble parseBulkPreamble(std::string_view line);

class ReplicaLink {
 public:
  enum class State { Connect, Connecting, Handshake, Transfer, Connected };

  ReplicaLink(uv_loop_t* loop, ReplicaLinkHandler& handler, ReplicationIds& ids, ReplicaLinkOptions opts);
  ~ReplicaLink();  // closes the socket; pending libuv callbacks are ignored
  ReplicaLink(const ReplicaLink&) = delete;
  ReplicaLink& operator=(const ReplicaLink&) = delete;

  // Begins connecting at once.
  void start();
  void cron(int64_t nowMs);
  void setTimeout(int64_t seconds) { opts_.timeoutSeconds = seconds; }
  void setAuth(std::string user, std::string pass) {
    opts_.masteruser = std::move(user);
    opts_.masterauth = std::move(pass);
  }

  // Called on every state change (the server keeps -MASTERDOWN's flag).
  void setStateListener(std::function<void()> l) { stateListener_ = std::move(l); }

  const std::string& host() const { return opts_.host; }
  int port() const { return opts_.port; }
  State state() const { return state_; }
  // ROLE's state word: connect, connecting, handshake, sync, connected.
  const char* stateName() const;
  bool up() const { return state_ == State::Connected; }
  int64_t lastIoMs() const { return lastIoMs_; }
  int64_t downSinceMs() const { return downSinceMs_; }
  int64_t readOffset() const { return readOffset_; }
  bool transferring() const { return state_ == State::Transfer; }
  uint64_t transferSize() const { return transferSize_; }  // 0 when not known (EOF mark)
  uint64_t transferRead() const { return transferRead_; }

 private:
  enum class Step { Pong, Auth, ListeningPort, IpAddress, Capa, Psync, RdbPreamble };
  struct Socket;  // heap-owned uv_tcp_t; outlives the link until closed

  void connect();
  void setState(State s);
  void drop(std::string_view why);
  void send(std::string_view bytes);
  void sendCommand(std::initializer_list<std::string_view> args);
  void onConnected(int status);
  void onRead(const char* data, size_t len);
  // Each returns false when the link was dropped.
  bool handleLine(std::string_view line);
  bool handleTransfer();
  bool handleStream();
  // Adds stream bytes to the offset (or lets the handler relay them).
  void advance(std::string_view raw);
  void sendPsync();
  void sendAck();

  uv_loop_t* loop_;
  ReplicaLinkHandler& handler_;
  ReplicationIds& ids_;
  ReplicaLinkOptions opts_;
  State state_ = State::Connect;
  std::function<void()> stateListener_;
  Step step_ = Step::Pong;
  Socket* socket_ = nullptr;
  std::string in_;            // bytes not yet consumed
  resp::Parser parser_;
  bool inTx_ = false;         // the master's MULTI is open
  std::string txRaw_;         // its bytes so far (counted at EXEC/DISCARD)
  int64_t lastIoMs_ = 0;
  int64_t downSinceMs_ = 0;   // 0: never connected
  int64_t lastAckMs_ = 0;
  int64_t lastConnectMs_ = 0;
  int64_t readOffset_ = 0;    // slave_read_repl_offset
  // Transfer
  std::string tmpPath_;
  int tmpFd_ = -1;
  BulkPreamble preamble_;
  uint64_t transferSize_ = 0, transferRead_ = 0;
  std::string tail_;          // last bytes written (EOF mark detection)
  std::string fullReplid_;
  int64_t fullOffset_ = 0;
};

}  // namespace erdtree::repl
