#pragma once
// Test clients: a binary-safe hiredis wrapper and a raw socket for protocol
// tests. Both connect to 127.0.0.1 only (or Client to a Unix socket) and time
// out instead of hanging.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace erdtree::itest {

// A reply copied out of hiredis so tests can compare values freely.
struct Reply {
  enum class Type { String, Status, Error, Integer, Nil, Array, Double, Bool, Map, Set, Verb, BigNum, Push };
  Type type = Type::Nil;
  std::string str;             // String, Status, Error, Double, Verb, BigNum text
  long long integer = 0;       // Integer (and Bool)
  std::vector<Reply> elements; // Array/Map/Set/Push

  bool isError() const { return type == Type::Error; }
  bool isNil() const { return type == Type::Nil; }
  // "+OK" for status, "-ERR ..." for errors, ":5" for integers, "$bytes" for
  // strings, "(nil)" for nil, "[a, b]" for arrays: handy in EXPECT_EQ.
  std::string repr() const;
  std::vector<std::string> strings() const;  // elements' str (nil -> "(nil)")
};

// A compact rendering of a RESP2 reply for comparisons in tests:
//   +OK   -ERR text   :5   "bulk"   (nil)   [elem, elem]
std::string show(const Reply& r);

class Client {
 public:
  explicit Client(int port, int timeoutMs = 10000);  // throws on failure
  // Over a Unix domain socket (the unixsocket setting) instead of TCP.
  explicit Client(const std::string& unixSocketPath, int timeoutMs = 10000);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Reply cmd(const std::vector<std::string>& args);   // binary safe
  // Pipelining: append any number of commands, then read their replies.
  void append(const std::vector<std::string>& args);
  Reply getReply();
  bool connected() const;  // false once the server closed the connection
  redisContext* raw() { return ctx_; }

  // Added by the harness implementation (not part of the original API):
  // raw()'s reply reader is the one getReply() feeds, so finish queued
  // append()s before driving raw() with hiredis calls directly.
  // strings() renders integer elements as decimal text.
  // cmd()/getReply() throw std::runtime_error when the server closes the
  // connection or no reply arrives within the timeout (measured from the last
  // byte of progress). A reply sent just before a close is still returned.
  void appendRaw(const std::string& bytes);  // queue raw protocol bytes
  void flush();                              // send queued commands now (bounded by the timeout)
  // Reads (and keeps for getReply) until the server closes the connection;
  // true if it did within timeoutMs.
  bool waitDisconnected(int timeoutMs = 5000);
  int fd() const;
  void setTimeout(int timeoutMs) { timeoutMs_ = timeoutMs; }

 private:
  bool takeParsed(Reply& out);
  bool readSome();
  long sendPending();
  size_t pendingBytes() const { return out_.size() - outOff_; }

  redisContext* ctx_ = nullptr;
  int timeoutMs_ = 10000;
  std::string out_;           // requests not yet written (from outOff_ on)
  size_t outOff_ = 0;
  bool eof_ = false;          // the server closed the connection (or it broke)
  bool writeFailed_ = false;
  std::string ioError_;
};

// Raw bytes over TCP, for malformed-protocol and split-write tests.
class RawConnection {
 public:
  explicit RawConnection(int port, int timeoutMs = 10000);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void send(const std::string& bytes);  // throws if the peer is gone
  // Reads until `expectedBytes` have arrived, the peer closes, or timeoutMs.
  std::string readExactly(size_t expectedBytes, int timeoutMs = 5000);
  // Reads whatever arrives until the connection is idle for idleMs or closed.
  std::string readAvailable(int idleMs = 200, int timeoutMs = 5000);
  // True if the server closed the connection within timeoutMs.
  bool waitClosed(int timeoutMs = 5000);
  int fd() const { return fd_; }

  // Added by the harness implementation (not part of the original API):
  // Like send() but returns false (with the reason in *why) instead of throwing.
  bool trySend(const std::string& bytes, std::string* why = nullptr);
  // Reads until the data ends with `terminator` (e.g. "\r\n"), the peer
  // closes, or timeoutMs; returns what arrived (never reads past it).
  std::string readUntil(const std::string& terminator, int timeoutMs = 5000);
  bool peerClosed() const { return peerClosed_; }  // a read or write saw the close
  // Sends `bytes` while reading the replies, until expectedBytes have arrived,
  // the peer closes, or nothing moves for timeoutMs. Use for large pipelines
  // (a server may stop reading while its replies are not being consumed).
  std::string roundTrip(const std::string& bytes, size_t expectedBytes, int timeoutMs = 10000);

 private:
  int fd_ = -1;
  int timeoutMs_ = 10000;
  bool peerClosed_ = false;
};

// ---- Helpers added by the harness implementation (not part of the original API)

// "key:value" lines of an INFO reply (section headers and blanks skipped).
std::map<std::string, std::string> parseInfo(const std::string& info);
// Section header names of an INFO reply in order, e.g. {"Server", "Clients"}.
std::vector<std::string> infoSections(const std::string& info);
// One CLIENT LIST / CLIENT INFO line: "id=3 addr=... cmd=ping" -> map, and
// the field names in the order they appear.
std::map<std::string, std::string> parseClientLine(const std::string& line);
std::vector<std::string> clientLineKeys(const std::string& line);
std::vector<std::map<std::string, std::string>> parseClientList(const std::string& text);
// Polls cond every pollMs until it is true (returns true) or timeoutMs passes.
bool waitFor(const std::function<bool()>& cond, int timeoutMs, int pollMs = 10);
// Concatenation, e.g. strCat({":", std::to_string(n)}). Prefer it to
// `"literal" + std::to_string(n)`, which trips a false -Werror=restrict in
// GCC 12 at -O3.
std::string strCat(std::initializer_list<std::string_view> parts);
// Non-empty and only ASCII digits (std::regex trips GCC 12 warnings under ASan).
bool isDigits(const std::string& s);
// "MAJOR.MINOR.PATCH" with numeric parts, optionally followed by more text.
bool isVersionString(const std::string& s);
// Local TCP port of a connected socket (to find a client's addr= field).
int localPort(int fd);

}  // namespace erdtree::itest
