// RESP3 (HELLO 3) checked byte for byte against Debian's redis-server running
// beside the server under test: the same requests on both, the same replies.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

constexpr const char* kRedisServer = "/usr/bin/redis-server";

// Length of the first complete RESP2/RESP3 frame in buf, or 0 if incomplete.
size_t frameLength(const std::string& buf, size_t pos = 0) {
  size_t eol = buf.find("\r\n", pos);
  if (eol == std::string::npos) return 0;
  char type = buf[pos];
  size_t headerEnd = eol + 2;
  auto count = [&] { return std::stoll(buf.substr(pos + 1, eol - pos - 1)); };
  switch (type) {
    case '$': case '=': case '!': {  // blob types
      long long n = count();
      if (n < 0) return headerEnd - pos;
      size_t end = headerEnd + static_cast<size_t>(n) + 2;
      return end <= buf.size() ? end - pos : 0;
    }
    case '*': case '~': case '>': case '%': case '|': {  // aggregates
      long long n = count();
      if (n < 0) return headerEnd - pos;
      if (type == '%' || type == '|') n *= 2;
      size_t at = headerEnd;
      for (long long i = 0; i < n; ++i) {
        size_t len = frameLength(buf, at);
        if (len == 0) return 0;
        at += len;
      }
      return at - pos;
    }
    default:  // + - : _ , # ( single-line types
      return headerEnd - pos;
  }
}

// Sends each request and collects each complete reply, raw.
std::vector<std::string> exchange(int port, const std::vector<std::string>& requests) {
  RawConnection c(port);
  std::vector<std::string> replies;
  std::string buf;
  for (const auto& r : requests) {
    c.send(r + "\r\n");
    size_t len = 0;
    for (int i = 0; i < 100 && (len = frameLength(buf)) == 0; ++i) buf += c.readAvailable(20, 1000);
    replies.push_back(buf.substr(0, len));
    buf.erase(0, len);
  }
  return replies;
}

}  // namespace

TEST(Resp3, RepliesMatchRedisByteForByte) {
  if (access(kRedisServer, X_OK) != 0) GTEST_SKIP() << "redis-server is not installed";
  ServerProcess subject;
  subject.start();
  ServerProcess oracle;
  oracle.setBinary(kRedisServer);
  oracle.start();

  const std::vector<std::string> requests = {
      "HELLO 3 SETNAME resp3",
      "GET missing",
      "SET k 1",
      "INCRBYFLOAT k 1.5",
      "MGET k missing",
      "CONFIG GET maxmemory",
      "CONFIG GET maxmemory-policy",
      "SCAN 0",
      "OBJECT ENCODING missing",
      "RANDOMKEY",
      "TTL k",
      "EXISTS k missing",
      "TYPE k",
      "GETEX missing",
      "SET k v GET",
      "GETDEL k",
      "RANDOMKEY",
      "KEYS *",
      "INFO keyspace",
      "CLIENT GETNAME",
      "NOSUCHCOMMAND x",
      "HELLO 2",
      "GET missing",
      "CONFIG GET maxmemory",
  };
  auto expected = exchange(oracle.port(), requests);
  auto actual = exchange(subject.port(), requests);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    std::string want = expected[i], got = actual[i];
    if (requests[i].rfind("HELLO", 0) == 0) {
      // The connection id differs between servers: compare around it.
      auto cut = [](std::string s) {
        size_t at = s.find("$2\r\nid\r\n:");
        if (at != std::string::npos) s.erase(at + 9, s.find("\r\n", at + 9) - (at + 9));
        return s;
      };
      want = cut(want);
      got = cut(got);
    }
    EXPECT_EQ(got, want) << "request: " << requests[i];
  }
}
