#include "erdtree/repl/replica_link.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "erdtree/util/ascii.h"
#include "erdtree/util/clock.h"
#include "erdtree/util/numbers.h"

namespace erdtree::repl {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kEofMarkLen = 40;  // RDB_EOF_MARK_SIZE
constexpr int64_t kAckPeriodMs = 1000;
constexpr int64_t kReconnectPeriodMs = 1000;

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

struct WriteReq {
  uv_write_t req{};
  std::string data;
};

}  // namespace

PsyncReply parsePsyncReply(std::string_view line) {
  PsyncReply r;
  if (startsWith(line, "+FULLRESYNC")) {
    // +FULLRESYNC <replid> <offset>
    std::string_view rest = line.substr(11);
    if (rest.size() < 2 + 40 || rest[0] != ' ' || rest[41] != ' ') return r;
    auto off = util::parseInt64(rest.substr(42));
    if (!off) return r;
    r.kind = PsyncReply::Kind::FullResync;
    r.replid = std::string(rest.substr(1, 40));
    r.offset = *off;
    return r;
  }
  if (startsWith(line, "+CONTINUE")) {
    std::string_view rest = line.substr(9);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
    if (!rest.empty() && rest.size() != 40) return r;
    r.kind = PsyncReply::Kind::Continue;
    r.replid = std::string(rest);
    return r;
  }
  // The master can't serve us right now: try again later.
  if (startsWith(line, "-NOMASTERLINK") || startsWith(line, "-LOADING")) r.kind = PsyncReply::Kind::Retry;
  return r;
}

BulkPreamble parseBulkPreamble(std::string_view line) {
  BulkPreamble b;
  if (line.empty() || line[0] != '$') return b;
  if (startsWith(line, "$EOF:")) {
    if (line.size() != 5 + kEofMarkLen) return b;
    b.ok = true;
    b.eofMark = true;
    b.mark = std::string(line.substr(5));
    return b;
  }
  auto n = util::parseUint64(line.substr(1));
  if (!n) return b;
  b.ok = true;
  b.length = *n;
  return b;
}

struct ReplicaLink::Socket {
  uv_tcp_t tcp{};
  uv_connect_t connectReq{};
  ReplicaLink* owner = nullptr;  // nullptr once the link let go of it
  std::string readBuf;

  void close() {
    owner = nullptr;
    auto* h = reinterpret_cast<uv_handle_t*>(&tcp);
    if (!uv_is_closing(h)) uv_close(h, [](uv_handle_t* handle) { delete static_cast<Socket*>(handle->data); });
  }
};

ReplicaLink::ReplicaLink(uv_loop_t* loop, ReplicaLinkHandler& handler, ReplicationIds& ids, ReplicaLinkOptions opts)
    : loop_(loop), handler_(handler), ids_(ids), opts_(std::move(opts)) {
  parser_.setAuthenticated(true);
}

ReplicaLink::~ReplicaLink() {
  if (socket_ != nullptr) socket_->close();
  socket_ = nullptr;
  if (tmpFd_ >= 0) {
    ::close(tmpFd_);
    ::unlink(tmpPath_.c_str());
  }
}

void ReplicaLink::setState(State s) {
  if (s == state_) return;
  state_ = s;
  if (stateListener_) stateListener_();
}

const char* ReplicaLink::stateName() const {
  switch (state_) {
    case State::Connect: return "connect";
    case State::Connecting: return "connecting";
    case State::Handshake: return "handshake";
    case State::Transfer: return "sync";
    case State::Connected: return "connected";
  }
  return "connect";
}

void ReplicaLink::start() { connect(); }

void ReplicaLink::connect() {
  const int64_t now = util::unixTimeMs();
  lastConnectMs_ = now;
  lastIoMs_ = now;
  spdlog::info("Connecting to MASTER {}:{}", opts_.host, opts_.port);
  sockaddr_storage addr{};
  if (uv_ip4_addr(opts_.host.c_str(), opts_.port, reinterpret_cast<sockaddr_in*>(&addr)) != 0 &&
      uv_ip6_addr(opts_.host.c_str(), opts_.port, reinterpret_cast<sockaddr_in6*>(&addr)) != 0) {
    // A name: resolved synchronously (rare; Redis resolves in its connect too).
    uv_getaddrinfo_t req{};
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    if (uv_getaddrinfo(loop_, &req, nullptr, opts_.host.c_str(), std::to_string(opts_.port).c_str(), &hints) != 0 ||
        req.addrinfo == nullptr) {
      spdlog::warn("Unable to connect to MASTER: can't resolve {}", opts_.host);
      downSinceMs_ = downSinceMs_ == 0 ? now : downSinceMs_;
      return;
    }
    std::memcpy(&addr, req.addrinfo->ai_addr, req.addrinfo->ai_addrlen);
    uv_freeaddrinfo(req.addrinfo);
  }
  socket_ = new Socket;
  socket_->owner = this;
  uv_tcp_init(loop_, &socket_->tcp);
  socket_->tcp.data = socket_;
  socket_->connectReq.data = socket_;
  int rc = uv_tcp_connect(&socket_->connectReq, &socket_->tcp, reinterpret_cast<const sockaddr*>(&addr),
                          [](uv_connect_t* req, int status) {
                            auto* s = static_cast<Socket*>(req->data);
                            if (s->owner != nullptr) s->owner->onConnected(status);
                          });
  if (rc != 0) {
    drop(std::string("Unable to connect to MASTER: ") + uv_strerror(rc));
    return;
  }
  setState(State::Connecting);
  spdlog::info("MASTER <-> REPLICA sync started");
}

void ReplicaLink::drop(std::string_view why) {
  if (!why.empty()) spdlog::warn("{}", why);
  if (socket_ != nullptr) socket_->close();
  socket_ = nullptr;
  if (tmpFd_ >= 0) {
    ::close(tmpFd_);
    ::unlink(tmpPath_.c_str());
    tmpFd_ = -1;
  }
  if (state_ == State::Connected || downSinceMs_ == 0) downSinceMs_ = util::unixTimeMs();
  setState(State::Connect);
  in_.clear();
  parser_.reset();
  preamble_ = {};
  if (inTx_) handler_.linkLost();
  inTx_ = false;
  txRaw_.clear();
}

void ReplicaLink::send(std::string_view bytes) {
  if (socket_ == nullptr) return;
  auto* stream = reinterpret_cast<uv_stream_t*>(&socket_->tcp);
  uv_buf_t buf = uv_buf_init(const_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
  int n = uv_try_write(stream, &buf, 1);
  if (n == static_cast<int>(bytes.size())) return;
  if (n < 0 && n != UV_EAGAIN) return;  // the read side reports the failure
  size_t done = n > 0 ? static_cast<size_t>(n) : 0;
  auto* w = new WriteReq;
  w->data.assign(bytes.substr(done));
  w->req.data = w;
  uv_buf_t rest = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  if (uv_write(&w->req, stream, &rest, 1, [](uv_write_t* req, int) { delete static_cast<WriteReq*>(req->data); }) != 0)
    delete w;
}

void ReplicaLink::sendCommand(std::initializer_list<std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out.append(a);
    out += "\r\n";
  }
  send(out);
}

void ReplicaLink::onConnected(int status) {
  if (status < 0) {
    drop(std::string("Error condition on socket for SYNC: ") + uv_strerror(status));
    return;
  }
  spdlog::info("Non blocking connect for SYNC fired the event.");
  setState(State::Handshake);
  step_ = Step::Pong;
  lastIoMs_ = util::unixTimeMs();
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&socket_->tcp),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* s = static_cast<Socket*>(h->data);
        s->readBuf.resize(kReadChunk);
        *buf = uv_buf_init(s->readBuf.data(), static_cast<unsigned>(s->readBuf.size()));
      },
      [](uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
        auto* s = static_cast<Socket*>(stream->data);
        if (s->owner == nullptr || nread == 0) return;
        ReplicaLink* self = s->owner;
        if (nread < 0) {
          // Redis's wording for each stage: the stream, the payload, the handshake.
          const std::string err = nread == UV_EOF ? "connection lost" : uv_strerror(static_cast<int>(nread));
          if (self->state_ == State::Connected) self->drop("Connection with master lost.");
          else if (self->state_ == State::Transfer) self->drop("I/O error trying to sync with MASTER: " + err);
          else self->drop("Error reading from MASTER: " + std::string(uv_strerror(static_cast<int>(nread))));
          return;
        }
        self->onRead(buf->base, static_cast<size_t>(nread));
      });
  sendCommand({"PING"});
}

void ReplicaLink::onRead(const char* data, size_t len) {
  lastIoMs_ = util::unixTimeMs();
  in_.append(data, len);
  size_t pos = 0;
  while (pos < in_.size()) {
    if (state_ == State::Handshake) {
      while (pos < in_.size() && in_[pos] == '\n') ++pos;  // keepalives while the master prepares
      if (pos == in_.size()) break;
      size_t eol = in_.find("\r\n", pos);
      if (eol == std::string::npos) break;
      std::string line = in_.substr(pos, eol - pos);
      pos = eol + 2;
      if (!handleLine(line)) return;
      continue;
    }
    if (state_ == State::Transfer && !preamble_.ok) {
      while (pos < in_.size() && in_[pos] == '\n') ++pos;  // the master's keepalive newlines
      size_t eol = in_.find("\r\n", pos);
      if (eol == std::string::npos) break;
      std::string line = in_.substr(pos, eol - pos);
      pos = eol + 2;
      if (line.size() > 0 && line[0] == '-') return drop("Error reply from MASTER instead of the payload: " + line);
      preamble_ = parseBulkPreamble(line);
      if (!preamble_.ok) return drop("Bad protocol from MASTER, the first byte is not '$': " + line);
      tmpPath_ = opts_.tempDir + "/temp-" + std::to_string(util::unixTimeMs()) + "." + std::to_string(getpid()) +
                 ".rdb";
      tmpFd_ = ::open(tmpPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (tmpFd_ < 0) return drop("Opening the temp file needed for MASTER <-> REPLICA synchronization: " +
                                  std::string(std::strerror(errno)));
      transferSize_ = preamble_.eofMark ? 0 : preamble_.length;
      transferRead_ = 0;
      tail_.clear();
      if (preamble_.eofMark)
        spdlog::info("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
      else
        spdlog::info("MASTER <-> REPLICA sync: receiving {} bytes from master to disk", preamble_.length);
      if (!preamble_.eofMark && preamble_.length == 0) {
        in_.erase(0, pos);
        pos = 0;
        if (!handleTransfer()) return;
      }
      continue;
    }
    if (state_ == State::Transfer) {
      in_.erase(0, pos);
      pos = 0;
      if (!handleTransfer()) return;
      if (state_ == State::Transfer) return;  // needs more
      continue;
    }
    if (state_ == State::Connected) {
      in_.erase(0, pos);
      pos = 0;
      handleStream();
      return;
    }
    break;
  }
  if (state_ != State::Connect) in_.erase(0, pos);
}

bool ReplicaLink::handleLine(std::string_view line) {
  switch (step_) {
    case Step::Pong:
      if (!line.empty() && line[0] == '-' && !startsWith(line, "-NOAUTH") && !startsWith(line, "-NOPERM") &&
          !startsWith(line, "-ERR operation not permitted")) {
        drop("Error reply to PING from master: '" + std::string(line) + "'");
        return false;
      }
      spdlog::info("Master replied to PING, replication can continue...");
      if (!opts_.masterauth.empty()) {
        step_ = Step::Auth;
        if (opts_.masteruser.empty()) sendCommand({"AUTH", opts_.masterauth});
        else sendCommand({"AUTH", opts_.masteruser, opts_.masterauth});
        return true;
      }
      [[fallthrough]];
    case Step::Auth:
      if (step_ == Step::Auth && !line.empty() && line[0] == '-') {
        drop("Unable to AUTH to MASTER: " + std::string(line));
        return false;
      }
      step_ = Step::ListeningPort;
      sendCommand({"REPLCONF", "listening-port", std::to_string(opts_.listeningPort)});
      return true;
    case Step::ListeningPort:
      if (!line.empty() && line[0] == '-')
        spdlog::info("(Non critical) Master does not understand REPLCONF listening-port: {}", line);
      if (!opts_.announceIp.empty()) {
        step_ = Step::IpAddress;
        sendCommand({"REPLCONF", "ip-address", opts_.announceIp});
        return true;
      }
      step_ = Step::Capa;
      sendCommand({"REPLCONF", "capa", "eof", "capa", "psync2"});
      return true;
    case Step::IpAddress:
      if (!line.empty() && line[0] == '-')
        spdlog::info("(Non critical) Master does not understand REPLCONF ip-address: {}", line);
      step_ = Step::Capa;
      sendCommand({"REPLCONF", "capa", "eof", "capa", "psync2"});
      return true;
    case Step::Capa:
      if (!line.empty() && line[0] == '-')
        spdlog::info("(Non critical) Master does not understand REPLCONF capa: {}", line);
      sendPsync();
      return true;
    case Step::Psync: {
      PsyncReply r = parsePsyncReply(line);
      switch (r.kind) {
        case PsyncReply::Kind::FullResync:
          spdlog::info("Full resync from master: {}:{}", r.replid, r.offset);
          fullReplid_ = r.replid;
          fullOffset_ = r.offset;
          setState(State::Transfer);
          step_ = Step::RdbPreamble;
          preamble_ = {};
          return true;
        case PsyncReply::Kind::Continue:
          spdlog::info("Successful partial resynchronization with master.");
          if (!r.replid.empty() && r.replid != ids_.replid) {
            ids_.replid2 = ids_.replid;
            ids_.secondOffset = ids_.offset + 1;
            ids_.replid = r.replid;
            spdlog::info("Master replication ID changed to {}", r.replid);
          }
          spdlog::info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
          setState(State::Connected);
          readOffset_ = ids_.offset;
          parser_.reset();
          return true;
        case PsyncReply::Kind::Retry:
          drop("Master is currently unable to PSYNC but should be in the future: " + std::string(line));
          return false;
        case PsyncReply::Kind::Error:
          drop("Unexpected reply to PSYNC from master: " + std::string(line));
          return false;
      }
      return false;
    }
    case Step::RdbPreamble: break;
  }
  return true;
}

void ReplicaLink::sendPsync() {
  step_ = Step::Psync;
  std::string off = std::to_string(ids_.offset + 1);
  spdlog::info("Trying a partial resynchronization (request {}:{}).", ids_.replid, off);
  sendCommand({"PSYNC", ids_.replid, off});
}

bool ReplicaLink::handleTransfer() {
  std::string_view chunk(in_);
  size_t take = chunk.size();
  bool done = false;
  uint64_t truncateTo = 0;
  if (!preamble_.eofMark) {
    take = static_cast<size_t>(std::min<uint64_t>(chunk.size(), preamble_.length - transferRead_));
    done = transferRead_ + take == preamble_.length;
    truncateTo = preamble_.length;
  } else {
    std::string window = tail_;
    window.append(chunk);
    size_t f = window.find(preamble_.mark);
    if (f != std::string::npos) {
      take = f + kEofMarkLen - tail_.size();
      done = true;
      truncateTo = transferRead_ + take - kEofMarkLen;
    } else {
      size_t keep = std::min(window.size(), kEofMarkLen - 1);
      tail_ = window.substr(window.size() - keep);
    }
  }
  for (size_t off = 0; off < take;) {
    ssize_t n = ::write(tmpFd_, chunk.data() + off, take - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      drop("Write error saving the DB on disk: " + std::string(std::strerror(errno)));
      return false;
    }
    off += static_cast<size_t>(n);
  }
  transferRead_ += take;
  in_.erase(0, take);
  if (!done) return true;
  if (preamble_.eofMark && ::ftruncate(tmpFd_, static_cast<off_t>(truncateTo)) != 0) {
    drop("Failed trying to truncate the EOF mark of the transferred RDB: " + std::string(std::strerror(errno)));
    return false;
  }
  ::fsync(tmpFd_);
  ::close(tmpFd_);
  tmpFd_ = -1;
  spdlog::info("MASTER <-> REPLICA sync: Flushing old data");
  // The master's place is ours before the load: the rewrite the handler
  // starts must save the loaded data with it.
  ids_.replid = fullReplid_;
  ids_.offset = fullOffset_;
  ids_.clearSecond();
  std::string err = handler_.loadFullSync(tmpPath_);
  ::unlink(tmpPath_.c_str());  // a no-op when the handler kept it (renamed)
  if (!err.empty()) {
    // The data set is gone: no history may be claimed for it.
    ids_.replid = ReplicationIds::newReplid();
    ids_.offset = 0;
    drop("Failed trying to load the MASTER synchronization DB from disk: " + err);
    return false;
  }
  readOffset_ = fullOffset_;
  handler_.fullSyncDone();
  setState(State::Connected);
  preamble_ = {};
  parser_.reset();
  spdlog::info("MASTER <-> REPLICA sync: Finished with success");
  sendAck();  // a diskless master puts us online on the first ACK
  return true;
}

bool ReplicaLink::handleStream() {
  size_t pos = 0;
  while (pos < in_.size()) {
    resp::ParseStatus st = parser_.parse(in_.data() + pos, in_.size() - pos);
    if (st == resp::ParseStatus::NeedMore) break;
    if (st == resp::ParseStatus::Error) {
      drop("Protocol error from MASTER: " + std::string(parser_.errorMessage()));
      return false;
    }
    auto args = parser_.args();
    size_t consumed = parser_.consumed();
    if (args.size() >= 2 && util::equalsIgnoreCase(args[0], "replconf") &&
        util::equalsIgnoreCase(args[1], "getack")) {
      sendAck();  // the offset before this command, as Redis answers
    } else if (!args.empty()) {
      handler_.applyCommand(args);
    }
    const std::string_view raw(in_.data() + pos, consumed);
    if (!args.empty() && util::equalsIgnoreCase(args[0], "multi")) inTx_ = true;
    if (!inTx_) {
      advance(raw);
    } else {
      txRaw_.append(raw);
      if (!args.empty() && (util::equalsIgnoreCase(args[0], "exec") || util::equalsIgnoreCase(args[0], "discard"))) {
        inTx_ = false;
        advance(txRaw_);
        txRaw_.clear();
      }
    }
    pos += consumed;
    parser_.reset();
  }
  in_.erase(0, pos);
  readOffset_ = ids_.offset + static_cast<int64_t>(txRaw_.size() + in_.size());
  return true;
}

void ReplicaLink::advance(std::string_view raw) {
  if (!handler_.relayStream(raw)) ids_.offset += static_cast<int64_t>(raw.size());
}

void ReplicaLink::sendAck() {
  lastAckMs_ = util::unixTimeMs();
  sendCommand({"REPLCONF", "ACK", std::to_string(ids_.offset)});
}

void ReplicaLink::cron(int64_t nowMs) {
  if (state_ == State::Connect) {
    if (nowMs - lastConnectMs_ >= kReconnectPeriodMs) connect();
    return;
  }
  if (nowMs - lastIoMs_ > opts_.timeoutSeconds * 1000) {
    drop(state_ == State::Connected ? "MASTER timeout: no data nor PING received..."
                                    : "Timeout connecting to the MASTER...");
    return;
  }
  if (state_ == State::Connected && nowMs - lastAckMs_ >= kAckPeriodMs) sendAck();
}

}  // namespace erdtree::repl
