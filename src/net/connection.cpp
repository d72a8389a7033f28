#include "erdtree/net/connection.h"

#include <algorithm>

#include "erdtree/net/tcp_server.h"

namespace erdtree::net {
namespace {

constexpr size_t kReadChunk = 16 * 1024;         // minimum free space offered to a read
constexpr size_t kKeepOutputCapacity = 1u << 20; // larger idle output buffers are released

}  // namespace

Connection::Connection(TcpServer& server, uint64_t id) : server_(server), id_(id) {
  handle_.stream.data = this;
  writeReq_.data = this;
}

void Connection::markPendingWrite() {
  if (pendingWrite_ || closing_) return;
  pendingWrite_ = true;
  server_.queueFlush(this);
}

bool Connection::startReading() { return uv_read_start(stream(), onAlloc, onRead) == 0; }

void Connection::pauseReading() {
  if (readPaused_ || closing_) return;
  readPaused_ = true;
  uv_read_stop(stream());
}

void Connection::resumeReading() {
  if (!readPaused_ || closing_) return;
  readPaused_ = false;
  startReading();
}

void Connection::close() {
  if (closing_) return;
  closing_ = true;
  uv_read_stop(stream());
  server_.handler_.onClose(*this);
  uv_close(reinterpret_cast<uv_handle_t*>(stream()), onClosed);
}

void Connection::closeAfterFlush() {
  closeAfterFlush_ = true;
  uv_read_stop(stream());
  if (pendingOutputBytes() == 0) close();
  else markPendingWrite();
}

void Connection::flush() {
  pendingWrite_ = false;
  if (closing_ || writing_) return;
  if (!output_.empty()) {
    uv_buf_t buf = uv_buf_init(output_.data(), static_cast<unsigned>(std::min<size_t>(output_.size(), UINT32_MAX)));
    int n = uv_try_write(stream(), &buf, 1);
    if (n < 0 && n != UV_EAGAIN) {
      close();
      return;
    }
    size_t written = n > 0 ? static_cast<size_t>(n) : 0;
    server_.bytesWritten_ += written;
    if (written == output_.size()) {
      output_.clear();
      if (output_.capacity() > kKeepOutputCapacity) std::string().swap(output_);
    } else {
      // The kernel is full: hand the rest to a queued write; new replies keep
      // going into output_ meanwhile.
      inflight_.swap(output_);
      inflight_.erase(0, written);
      startWrite();
      return;
    }
  }
  if (closeAfterFlush_) close();
}

void Connection::startWrite() {
  writing_ = true;
  uv_buf_t buf = uv_buf_init(inflight_.data(), static_cast<unsigned>(std::min<size_t>(inflight_.size(), UINT32_MAX)));
  int rc = uv_write(&writeReq_, stream(), &buf, 1, onWrite);
  if (rc != 0) {
    writing_ = false;
    close();
  }
}

void Connection::onWrite(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  c->writing_ = false;
  if (status < 0 || c->closing_) {
    if (!c->closing_) c->close();
    return;
  }
  size_t sent = std::min<size_t>(c->inflight_.size(), UINT32_MAX);
  c->server_.bytesWritten_ += sent;
  c->inflight_.erase(0, sent);
  if (!c->inflight_.empty()) {
    c->startWrite();
    return;
  }
  if (c->inflight_.capacity() > kKeepOutputCapacity) std::string().swap(c->inflight_);
  if (c->readPaused_ && c->pendingOutputBytes() < c->server_.outputHighWater / 2 && !c->closeAfterFlush_) {
    c->resumeReading();
    c->server_.handler_.onDrained(*c);
    if (c->closing_) return;
  }
  if (!c->output_.empty() || c->closeAfterFlush_) c->markPendingWrite();
}

void Connection::onAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  size_t want = std::max(kReadChunk, c->readHint);
  char* p = c->input_.reserveTail(want);
  buf->base = p;
  buf->len = c->input_.tailRoom();
}

void Connection::onRead(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  auto* c = static_cast<Connection*>(s->data);
  if (nread > 0) {
    c->input_.commit(static_cast<size_t>(nread));
    c->server_.bytesRead_ += static_cast<uint64_t>(nread);
    c->server_.handler_.onInput(*c);
  } else if (nread < 0) {
    c->close();
  }
}

void Connection::onClosed(uv_handle_t* h) {
  auto* c = static_cast<Connection*>(h->data);
  c->server_.destroy(c);
}

}  // namespace erdtree::net
