#pragma once
// One client socket: TCP, or a Unix domain socket (the unixsocket setting).
// Bytes read land in input(); replies are appended to
// output() and leave when the loop flushes (TcpServer::flushPending, run once
// per loop turn before polling, like Redis's beforeSleep): one try-write for
// all the replies of a pipeline, and a queued uv_write only for what the
// kernel did not take.
//
// Backpressure: while more than the high-water mark of output is waiting, the
// server stops reading (and processing) this client's requests, so a client
// that never reads cannot make the server buffer without bound.
#include <uv.h>

#include <cstdint>
#include <string>

#include "erdtree/util/byte_buffer.h"

namespace erdtree::net {

class TcpServer;

class Connection {
 public:
  Connection(TcpServer& server, uint64_t id);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  uint64_t id() const { return id_; }
  util::ByteBuffer& input() { return input_; }
  std::string& output() { return output_; }

  // Queues this connection for the next flush (cheap to call repeatedly).
  void markPendingWrite();
  // Closes at once; pending output is dropped.
  void close();
  // Closes once everything queued so far has been written.
  void closeAfterFlush();
  bool closing() const { return closing_; }

  void pauseReading();
  void resumeReading();
  bool readingPaused() const { return readPaused_; }

  // Bytes waiting to be written (queued replies plus the in-flight write).
  size_t pendingOutputBytes() const { return output_.size() + inflight_.size(); }
  // Bytes the output buffers hold allocated, sent or not (maxmemory leaves
  // replicas' out of its count).
  size_t outputCapacity() const { return output_.capacity() + inflight_.capacity(); }
  const std::string& peerAddress() const { return peer_; }
  const std::string& localAddress() const { return local_; }
  int fd() const { return fd_; }
  // Accepted on the Unix socket: both addresses are "<path>:0", as in Redis.
  bool unixSocket() const { return unixSocket_; }

  void* userData = nullptr;  // owned by the ConnectionHandler
  // Bytes the handler knows it still needs (a large bulk in progress), so the
  // next read reserves them once instead of growing the buffer repeatedly.
  size_t readHint = 0;

 private:
  friend class TcpServer;
  bool startReading();
  void flush();  // called by TcpServer::flushPending
  void startWrite();
  void finishClose();
  // Every stream call goes through here: libuv's stream functions take TCP
  // and pipe handles alike, so the hot path has no branch on the kind.
  uv_stream_t* stream() { return &handle_.stream; }

  static void onAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void onWrite(uv_write_t* req, int status);
  static void onClosed(uv_handle_t* h);

  TcpServer& server_;
  uint64_t id_;
  // Initialised as one or the other by the accepting listener.
  union Handle {
    uv_stream_t stream;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_{};
  uv_write_t writeReq_{};
  util::ByteBuffer input_;
  std::string output_;     // replies not yet handed to the kernel
  std::string inflight_;   // bytes owned by the running uv_write
  bool writing_ = false;
  bool pendingWrite_ = false;
  bool closing_ = false;
  bool closeAfterFlush_ = false;
  bool readPaused_ = false;
  int fd_ = -1;
  bool unixSocket_ = false;
  std::string peer_, local_;
};

}  // namespace erdtree::net
