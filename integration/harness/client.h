#pragma once
// Test clients: a binary-safe hiredis wrapper and a raw socket for protocol
// tests. Both connect to 127.0.0.1 only and time out instead of hanging.
#include <cstdint>
#include <string>
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

class Client {
 public:
  explicit Client(int port, int timeoutMs = 10000);  // throws on failure
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Reply cmd(const std::vector<std::string>& args);   // binary safe
  // Pipelining: append any number of commands, then read their replies.
  void append(const std::vector<std::string>& args);
  Reply getReply();
  bool connected() const;  // false once the server closed the connection
  redisContext* raw() { return ctx_; }

 private:
  redisContext* ctx_ = nullptr;
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

 private:
  int fd_ = -1;
};

}  // namespace erdtree::itest
