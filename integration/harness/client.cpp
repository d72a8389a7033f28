// Test clients. Client uses hiredis only to connect and to parse replies; it
// does its own socket I/O with poll() so that
// - every wait is bounded by the client's timeout (no hang can outlive it),
// - a long pipeline is written while replies are read (no deadlock against a
//   server that applies backpressure), and
// - a reply the server sent just before closing the connection (for example
//   "-ERR max number of clients reached") is still delivered even if our
//   write failed because the connection was already gone.
#include "harness/client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace erdtree::itest {
namespace {

using Clock = std::chrono::steady_clock;

// Writing to a socket the server has closed must be an error, not SIGPIPE.
const bool kIgnoreSigpipe = [] {
  ::signal(SIGPIPE, SIG_IGN);
  return true;
}();

constexpr size_t kReadChunk = 64 * 1024;

int msLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1000000));
}

bool isDisconnectErrno(int e) { return e == EPIPE || e == ECONNRESET || e == ENOTCONN || e == ESHUTDOWN; }

Reply convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::String;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::Status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::Error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::Integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_NIL:
      out.type = Reply::Type::Nil;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::Array;
      break;
#ifdef REDIS_REPLY_MAP
    case REDIS_REPLY_MAP:
      out.type = Reply::Type::Map;
      break;
#endif
#ifdef REDIS_REPLY_SET
    case REDIS_REPLY_SET:
      out.type = Reply::Type::Set;
      break;
#endif
#ifdef REDIS_REPLY_PUSH
    case REDIS_REPLY_PUSH:
      out.type = Reply::Type::Push;
      break;
#endif
#ifdef REDIS_REPLY_DOUBLE
    case REDIS_REPLY_DOUBLE:
      out.type = Reply::Type::Double;
      out.str.assign(r->str, r->len);
      break;
#endif
#ifdef REDIS_REPLY_BOOL
    case REDIS_REPLY_BOOL:
      out.type = Reply::Type::Bool;
      out.integer = r->integer;
      break;
#endif
#ifdef REDIS_REPLY_VERB
    case REDIS_REPLY_VERB:
      out.type = Reply::Type::Verb;
      out.str.assign(r->str, r->len);
      break;
#endif
#ifdef REDIS_REPLY_BIGNUM
    case REDIS_REPLY_BIGNUM:
      out.type = Reply::Type::BigNum;
      out.str.assign(r->str, r->len);
      break;
#endif
    default:
      throw std::runtime_error(strCat({"Client: unsupported reply type ", std::to_string(r->type)}));
  }
  if (out.type == Reply::Type::Array || out.type == Reply::Type::Map || out.type == Reply::Type::Set ||
      out.type == Reply::Type::Push) {
    out.elements.reserve(r->elements);
    for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
  }
  return out;
}

std::string joinRepr(const std::vector<Reply>& els, bool pairs) {
  std::string s;
  for (size_t i = 0; i < els.size(); ++i) {
    if (i > 0) s += (pairs && i % 2 == 1) ? ": " : ", ";
    s += els[i].repr();
  }
  return s;
}

// Reads from fd into out until done(out) holds, the peer closes (returns
// true), or nothing arrives within min(idleMs, time left before deadline).
// Each recv takes at most wanted(out) bytes, so nothing past what the caller
// asked for is consumed.
template <class Done, class Wanted>
bool recvInto(int fd, std::string& out, Done done, Wanted wanted, int idleMs, Clock::time_point deadline) {
  char buf[kReadChunk];
  while (!done(out)) {
    ssize_t n = ::recv(fd, buf, std::min(sizeof buf, wanted(out)), MSG_DONTWAIT);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return true;
    int wait = std::min(idleMs, msLeft(deadline));
    if (wait <= 0) break;
    pollfd p{fd, POLLIN, 0};
    int rc = ::poll(&p, 1, wait);
    if (rc == 0) break;
    if (rc < 0 && errno != EINTR) break;
  }
  return false;
}

}  // namespace

std::string Reply::repr() const {
  switch (type) {
    case Type::String: return "$" + str;
    case Type::Status: return "+" + str;
    case Type::Error: return "-" + str;
    case Type::Integer: return strCat({":", std::to_string(integer)});
    case Type::Nil: return "(nil)";
    case Type::Array: return strCat({"[", joinRepr(elements, false), "]"});
    case Type::Double: return "," + str;
    case Type::Bool: return integer ? "#t" : "#f";
    case Type::Map: return strCat({"%{", joinRepr(elements, true), "}"});
    case Type::Set: return strCat({"~[", joinRepr(elements, false), "]"});
    case Type::Verb: return "=" + str;
    case Type::BigNum: return "(" + str;
    case Type::Push: return strCat({">[", joinRepr(elements, false), "]"});
  }
  return "?";
}

std::vector<std::string> Reply::strings() const {
  std::vector<std::string> out;
  out.reserve(elements.size());
  for (const auto& e : elements) {
    if (e.type == Type::Nil) out.emplace_back("(nil)");
    else if (e.type == Type::Integer) out.push_back(std::to_string(e.integer));
    else out.push_back(e.str);
  }
  return out;
}

// ---------------------------------------------------------------- Client

Client::Client(int port, int timeoutMs) : timeoutMs_(timeoutMs) {
  (void)kIgnoreSigpipe;
  timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
  ctx_ = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (ctx_ == nullptr) throw std::runtime_error("Client: cannot allocate hiredis context");
  if (ctx_->err) {
    std::string msg = strCat({"Client: connect to 127.0.0.1:", std::to_string(port)}) + " failed: " + ctx_->errstr;
    redisFree(ctx_);
    ctx_ = nullptr;
    throw std::runtime_error(msg);
  }
  redisSetTimeout(ctx_, tv);  // only matters if a test drives raw() itself
  ::fcntl(ctx_->fd, F_SETFD, FD_CLOEXEC);
}

Client::Client(const std::string& unixSocketPath, int timeoutMs) : timeoutMs_(timeoutMs) {
  (void)kIgnoreSigpipe;
  timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
  ctx_ = redisConnectUnixWithTimeout(unixSocketPath.c_str(), tv);
  if (ctx_ == nullptr) throw std::runtime_error("Client: cannot allocate hiredis context");
  if (ctx_->err) {
    std::string msg = "Client: connect to " + unixSocketPath + " failed: " + ctx_->errstr;
    redisFree(ctx_);
    ctx_ = nullptr;
    throw std::runtime_error(msg);
  }
  redisSetTimeout(ctx_, tv);
  ::fcntl(ctx_->fd, F_SETFD, FD_CLOEXEC);
}

Client::~Client() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

void Client::append(const std::vector<std::string>& args) {
  // RESP multibulk encoding, binary safe.
  out_ += '*';
  out_ += std::to_string(args.size());
  out_ += "\r\n";
  for (const auto& a : args) {
    out_ += '$';
    out_ += std::to_string(a.size());
    out_ += "\r\n";
    out_ += a;
    out_ += "\r\n";
  }
}

void Client::appendRaw(const std::string& bytes) { out_ += bytes; }

// Sends as much of the queued requests as the socket takes without blocking.
// The sent prefix is dropped lazily so huge requests are not copied per send.
long Client::sendPending() {
  size_t chunk = std::min<size_t>(out_.size() - outOff_, 4u << 20);
  ssize_t n = ::send(ctx_->fd, out_.data() + outOff_, chunk, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n > 0) {
    outOff_ += static_cast<size_t>(n);
    if (outOff_ == out_.size()) {
      out_.clear();
      outOff_ = 0;
    } else if (outOff_ > (64u << 20) && outOff_ > out_.size() / 2) {
      out_.erase(0, outOff_);
      outOff_ = 0;
    }
  }
  return n;
}

Reply Client::cmd(const std::vector<std::string>& args) {
  append(args);
  return getReply();
}

bool Client::takeParsed(Reply& out) {
  void* r = nullptr;
  if (redisReaderGetReply(ctx_->reader, &r) != REDIS_OK) {
    std::string msg = std::string("Client: protocol error in reply: ") + ctx_->reader->errstr;
    writeFailed_ = eof_ = true;
    throw std::runtime_error(msg);
  }
  if (r == nullptr) return false;
  Reply converted;
  try {
    converted = convert(static_cast<redisReply*>(r));
  } catch (...) {
    freeReplyObject(r);
    throw;
  }
  freeReplyObject(r);
  out = std::move(converted);
  return true;
}

// Reads what is available into the reply parser; false on EOF or error.
bool Client::readSome() {
  char buf[kReadChunk];
  ssize_t n = ::recv(ctx_->fd, buf, sizeof buf, MSG_DONTWAIT);
  if (n > 0) {
    if (redisReaderFeed(ctx_->reader, buf, static_cast<size_t>(n)) != REDIS_OK)
      throw std::runtime_error("Client: reply parser failed");
    return true;
  }
  if (n == 0) {
    eof_ = true;
    return false;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
  eof_ = true;
  ioError_ = std::strerror(errno);
  return false;
}

Reply Client::getReply() {
  if (ctx_ == nullptr) throw std::runtime_error("Client: not connected");
  Reply reply;
  if (takeParsed(reply)) return reply;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs_);
  while (true) {
    if (eof_) {
      std::string msg = "Client: connection closed by server";
      if (!ioError_.empty()) msg += " (" + ioError_ + ")";
      throw std::runtime_error(msg);
    }
    const bool wantWrite = pendingBytes() > 0 && !writeFailed_;
    pollfd p{ctx_->fd, static_cast<short>(POLLIN | (wantWrite ? POLLOUT : 0)), 0};
    int rc = ::poll(&p, 1, msLeft(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) throw std::runtime_error(std::string("Client: poll: ") + std::strerror(errno));
    if (rc == 0) {
      throw std::runtime_error(strCat({"Client: no reply within ", std::to_string(timeoutMs_)}) + " ms (" +
                               std::to_string(pendingBytes()) + " request bytes still unsent)");
    }
    bool progress = false;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      // Read before acting on a write error: the server may have replied and
      // then closed.
      readSome();
      progress = true;
      if (takeParsed(reply)) return reply;
    }
    if (wantWrite && (p.revents & POLLOUT)) {
      ssize_t n = sendPending();
      if (n > 0) {
        progress = true;
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        // Keep reading whatever the server sent before it went away.
        writeFailed_ = true;
        ioError_ = std::strerror(errno);
        out_.clear();
        outOff_ = 0;
      }
    }
    if (progress) deadline = Clock::now() + std::chrono::milliseconds(timeoutMs_);
  }
}

void Client::flush() {
  if (ctx_ == nullptr) throw std::runtime_error("Client: not connected");
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs_);
  while (pendingBytes() > 0 && !writeFailed_) {
    ssize_t n = sendPending();
    if (n > 0) {
      deadline = Clock::now() + std::chrono::milliseconds(timeoutMs_);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      writeFailed_ = true;
      ioError_ = std::strerror(errno);
      out_.clear();
      outOff_ = 0;
      break;
    }
    pollfd p{ctx_->fd, static_cast<short>(POLLIN | POLLOUT), 0};
    int rc = ::poll(&p, 1, msLeft(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) throw std::runtime_error(strCat({"Client::flush: server not reading within ", std::to_string(timeoutMs_)}) + " ms");
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!readSome()) break;  // replies stay in the parser for getReply()
    }
  }
}

bool Client::connected() const {
  if (ctx_ == nullptr || ctx_->err || eof_) return false;
  pollfd p{ctx_->fd, POLLIN, 0};
  if (::poll(&p, 1, 0) != 1) return true;
  char c;
  ssize_t n = ::recv(ctx_->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return false;
  if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
  return true;
}

bool Client::waitDisconnected(int timeoutMs) {
  if (ctx_ == nullptr) return true;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  while (!eof_) {
    pollfd p{ctx_->fd, POLLIN, 0};
    int rc = ::poll(&p, 1, msLeft(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;
    readSome();  // keeps any replies for getReply()
  }
  return true;
}

int Client::fd() const { return ctx_ == nullptr ? -1 : ctx_->fd; }

// ---------------------------------------------------------------- RawConnection

RawConnection::RawConnection(int port, int timeoutMs) : timeoutMs_(timeoutMs) {
  (void)kIgnoreSigpipe;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("RawConnection: socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = 0;
  if (rc != 0 && errno != EINPROGRESS) {
    err = errno;
  } else if (rc != 0) {
    pollfd p{fd_, POLLOUT, 0};
    int prc = ::poll(&p, 1, timeoutMs);
    if (prc == 1) {
      socklen_t len = sizeof err;
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    } else {
      err = ETIMEDOUT;
    }
  }
  if (err != 0) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(strCat({"RawConnection: connect to 127.0.0.1:", std::to_string(port)}) +
                             " failed: " + std::strerror(err));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::trySend(const std::string& bytes, std::string* why) {
  size_t off = 0;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs_);
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      deadline = Clock::now() + std::chrono::milliseconds(timeoutMs_);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      if (why) *why = std::strerror(errno);
      if (isDisconnectErrno(errno)) peerClosed_ = true;
      return false;
    }
    pollfd p{fd_, POLLOUT, 0};
    int rc = ::poll(&p, 1, msLeft(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) {
      if (why) *why = strCat({"send timed out after ", std::to_string(timeoutMs_)}) + " ms without progress";
      return false;
    }
    if (rc < 0) {
      if (why) *why = std::strerror(errno);
      return false;
    }
  }
  return true;
}

void RawConnection::send(const std::string& bytes) {
  std::string why;
  if (!trySend(bytes, &why)) throw std::runtime_error("RawConnection::send: " + why);
}

std::string RawConnection::readExactly(size_t expectedBytes, int timeoutMs) {
  std::string out;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  peerClosed_ |= recvInto(
      fd_, out, [&](const std::string& o) { return o.size() >= expectedBytes; },
      [&](const std::string& o) { return expectedBytes - o.size(); }, timeoutMs, deadline);
  return out;
}

std::string RawConnection::readAvailable(int idleMs, int timeoutMs) {
  std::string out;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  peerClosed_ |= recvInto(
      fd_, out, [](const std::string&) { return false; }, [](const std::string&) { return kReadChunk; }, idleMs,
      deadline);
  return out;
}

std::string RawConnection::readUntil(const std::string& terminator, int timeoutMs) {
  std::string out;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  // One byte at a time: bytes after the terminator stay in the socket.
  peerClosed_ |= recvInto(
      fd_, out, [&](const std::string& o) { return o.ends_with(terminator); },
      [](const std::string&) { return size_t{1}; }, timeoutMs, deadline);
  return out;
}

bool RawConnection::waitClosed(int timeoutMs) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  char buf[kReadChunk];
  while (!peerClosed_) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) continue;  // discard
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      peerClosed_ = true;
      break;
    }
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, msLeft(deadline));
    if (rc == 0) return false;
    if (rc < 0 && errno != EINTR) return false;
  }
  return true;
}

}  // namespace erdtree::itest

// ---------------------------------------------------------------- helpers

namespace erdtree::itest {

namespace {
std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string::npos ? text.size() : nl;
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return lines;
}
}  // namespace

std::map<std::string, std::string> parseInfo(const std::string& info) {
  std::map<std::string, std::string> out;
  for (const auto& line : splitLines(info)) {
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    out[line.substr(0, colon)] = line.substr(colon + 1);
  }
  return out;
}

std::vector<std::string> infoSections(const std::string& info) {
  std::vector<std::string> out;
  for (const auto& line : splitLines(info)) {
    if (line.size() > 2 && line.compare(0, 2, "# ") == 0) out.push_back(line.substr(2));
  }
  return out;
}

std::vector<std::string> clientLineKeys(const std::string& line) {
  std::vector<std::string> keys;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t sp = line.find(' ', pos);
    std::string tok = line.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    size_t eq = tok.find('=');
    if (!tok.empty()) keys.push_back(eq == std::string::npos ? tok : tok.substr(0, eq));
    if (sp == std::string::npos) break;
    pos = sp + 1;
  }
  return keys;
}

std::map<std::string, std::string> parseClientLine(const std::string& rawLine) {
  std::string line = rawLine;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t sp = line.find(' ', pos);
    std::string tok = line.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    size_t eq = tok.find('=');
    if (!tok.empty()) {
      if (eq == std::string::npos) out[tok] = "";
      else out[tok.substr(0, eq)] = tok.substr(eq + 1);
    }
    if (sp == std::string::npos) break;
    pos = sp + 1;
  }
  return out;
}

std::vector<std::map<std::string, std::string>> parseClientList(const std::string& text) {
  std::vector<std::map<std::string, std::string>> out;
  for (const auto& line : splitLines(text)) {
    if (!line.empty()) out.push_back(parseClientLine(line));
  }
  return out;
}

bool waitFor(const std::function<bool()>& cond, int timeoutMs, int pollMs) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  while (true) {
    if (cond()) return true;
    if (Clock::now() >= deadline) return false;
    ::poll(nullptr, 0, pollMs);
  }
}

std::string strCat(std::initializer_list<std::string_view> parts) {
  size_t n = 0;
  for (auto p : parts) n += p.size();
  std::string out;
  out.reserve(n);
  for (auto p : parts) out.append(p);
  return out;
}

bool isDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isVersionString(const std::string& s) {
  size_t pos = 0;
  for (int part = 0; part < 3; ++part) {
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return false;
    if (part < 2) {
      if (pos >= s.size() || s[pos] != '.') return false;
      ++pos;
    }
  }
  return true;
}

int localPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  return ntohs(addr.sin_port);
}

}  // namespace erdtree::itest

namespace erdtree::itest {

std::string RawConnection::roundTrip(const std::string& bytes, size_t expectedBytes, int timeoutMs) {
  std::string in;
  size_t off = 0;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  char buf[kReadChunk];
  bool writeOk = true;
  while (in.size() < expectedBytes && !peerClosed_) {
    bool progress = false;
    if (writeOk && off < bytes.size()) {
      size_t chunk = std::min<size_t>(bytes.size() - off, 1u << 20);
      ssize_t n = ::send(fd_, bytes.data() + off, chunk, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<size_t>(n);
        progress = true;
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        writeOk = false;  // keep reading what the server sent before closing
      }
    }
    ssize_t n = ::recv(fd_, buf, std::min(sizeof buf, expectedBytes - in.size()), MSG_DONTWAIT);
    if (n > 0) {
      in.append(buf, static_cast<size_t>(n));
      progress = true;
    } else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      peerClosed_ = true;
      break;
    }
    if (progress) {
      deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
      continue;
    }
    short events = POLLIN;
    if (writeOk && off < bytes.size()) events |= POLLOUT;
    pollfd p{fd_, events, 0};
    int rc = ::poll(&p, 1, msLeft(deadline));
    if (rc == 0) break;
    if (rc < 0 && errno != EINTR) break;
  }
  return in;
}

std::string show(const Reply& r) {
  switch (r.type) {
    case Reply::Type::Status: return "+" + r.str;
    case Reply::Type::Error: return "-" + r.str;
    case Reply::Type::Integer: return ":" + std::to_string(r.integer);
    case Reply::Type::Nil: return "(nil)";
    case Reply::Type::Array: {
      std::string out = "[";
      for (size_t i = 0; i < r.elements.size(); ++i) {
        if (i) out += ", ";
        out += show(r.elements[i]);
      }
      return out + "]";
    }
    default: return "\"" + r.str + "\"";
  }
}

}  // namespace erdtree::itest
