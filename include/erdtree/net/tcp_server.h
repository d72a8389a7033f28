#pragma once
// Listening sockets (TCP, plus an optional Unix domain socket) and the set of
// live connections on a libuv loop. It knows bytes and sockets only: what the
// bytes mean is the ConnectionHandler's job.
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "erdtree/net/connection.h"

namespace erdtree::net {

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  // A new client. Return false to refuse it (the handler may have queued an
  // error reply; the connection is closed after it is written).
  virtual bool onOpen(Connection& conn) = 0;
  // New bytes were appended to conn.input().
  virtual void onInput(Connection& conn) = 0;
  // Queued output dropped below the low-water mark after a pause.
  virtual void onDrained(Connection& conn) = 0;
  // The connection is going away; conn is destroyed after this returns.
  virtual void onClose(Connection& conn) = 0;
};

struct ListenOptions {
  std::vector<std::string> bind;
  int port = 6379;
  int backlog = 511;
  int keepaliveSeconds = 300;
  bool tcp = true;         // false: port 0, no TCP listener at all (Redis)
  std::string unixSocket;  // unixsocket: "" = none
  unsigned unixSocketPerm = 0;  // unixsocketperm: 0 = leave the umask's mode
};

class TcpServer {
 public:
  TcpServer(uv_loop_t* loop, ConnectionHandler& handler);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  // Returns "" or an error naming the address (Redis's words).
  std::string listen(const ListenOptions& options);
  // Closes every listener and removes the Unix socket's file (as Redis does
  // at shutdown). Returns true if there was such a file to remove.
  bool closeListeners();
  // Writes every connection's queued output; called once per loop turn.
  void flushPending();
  void closeAll();

  size_t connectionCount() const { return connections_.size(); }
  template <class Fn>
  void forEach(Fn&& fn) {
    for (auto& [id, conn] : connections_) fn(*conn);
  }
  Connection* find(uint64_t id);
  uv_loop_t* loop() const { return loop_; }
  ConnectionHandler& handler() { return handler_; }
  void setKeepalive(int seconds) { keepaliveSeconds_ = seconds; }
  uint64_t totalConnectionsReceived() const { return totalConnections_; }
  uint64_t bytesRead() const { return bytesRead_; }
  uint64_t bytesWritten() const { return bytesWritten_; }

  // Output above this pauses reading from the client; below half resumes it.
  size_t outputHighWater = 64u << 20;

 private:
  friend class Connection;
  std::string listenTcp(const ListenOptions& options);
  std::string listenUnix(const ListenOptions& options);
  static void onTcpConnection(uv_stream_t* listener, int status);
  static void onUnixConnection(uv_stream_t* listener, int status);
  // Takes a new client from `listener` once the handle is initialised;
  // false if it was refused before reaching the handler.
  bool adopt(uv_stream_t* listener, std::unique_ptr<Connection> conn);
  void open(Connection* conn);  // addresses known: hand it to the handler
  bool closeUnixListener();
  void queueFlush(Connection* conn) { pending_.push_back(conn); }
  void destroy(Connection* conn);

  uv_loop_t* loop_;
  ConnectionHandler& handler_;
  std::vector<std::unique_ptr<uv_tcp_t>> listeners_;
  std::unique_ptr<uv_pipe_t> unixListener_;
  std::string unixPath_;     // the bound socket file, removed by closeListeners
  std::string unixAddress_;  // "<path>:0", every Unix client's two addresses
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> pending_;
  std::vector<Connection*> flushing_;
  uint64_t nextId_ = 1;
  uint64_t totalConnections_ = 0;
  uint64_t bytesRead_ = 0;
  uint64_t bytesWritten_ = 0;
  int keepaliveSeconds_ = 300;
};

}  // namespace erdtree::net
