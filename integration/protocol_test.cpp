// Wire-protocol tests over raw sockets: inline commands, requests split into
// single bytes, a 100k-command pipeline checked reply by reply, malformed
// requests (each closes only the offending connection, with Redis's exact
// "-ERR Protocol error: ..." text) and binary-safe keys and values.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/shared_server.h"
#include "harness/server_process.h"

namespace erdtree::itest {
namespace {

std::string bulk(const std::string& s) { return strCat({"$", std::to_string(s.size())}) + "\r\n" + s + "\r\n"; }

std::string multibulk(const std::vector<std::string>& args) {
  std::string out = strCat({"*", std::to_string(args.size())}) + "\r\n";
  for (const auto& a : args) out += bulk(a);
  return out;
}

std::string allBytes() {
  std::string s;
  for (int b = 0; b < 256; ++b) s += static_cast<char>(b);
  return s;
}

class ProtocolTest : public SharedServerTest<ProtocolTest> {
 protected:
  // Sends `request` on a fresh connection and expects exactly `reply`
  // followed by the server closing that connection, while an unrelated client
  // (connected before and after) keeps working.
  static void expectProtocolError(const std::string& request, const std::string& reply) {
    Client bystander(port());
    ASSERT_EQ(bystander.cmd({"SET", "bystander", "alive"}).repr(), "+OK");
    RawConnection bad(port());
    if (!bad.trySend(request)) {
      // The server may already have closed while we were still sending a
      // long request; what it sent before closing must still be readable.
    }
    EXPECT_EQ(bad.readExactly(reply.size(), 5000), reply) << "request: " << request.substr(0, 60);
    EXPECT_TRUE(bad.waitClosed(5000)) << "connection not closed after: " << request.substr(0, 60);
    EXPECT_EQ(bystander.cmd({"GET", "bystander"}).repr(), "$alive");
    Client fresh(port());
    EXPECT_EQ(fresh.cmd({"PING"}).repr(), "+PONG");
  }

};


// ---------------------------------------------------------------- inline commands

TEST_F(ProtocolTest, InlinePing) {
  RawConnection raw(port());
  raw.send("PING\r\n");
  EXPECT_EQ(raw.readExactly(7), "+PONG\r\n");
  raw.send("PING\n");  // a bare LF also ends an inline command
  EXPECT_EQ(raw.readExactly(7), "+PONG\r\n");
  raw.send("  ping   \r\n");  // surrounding blanks, lower case
  EXPECT_EQ(raw.readExactly(7), "+PONG\r\n");
  raw.send("\r\n\r\n\n");  // empty lines are ignored (no reply)
  raw.send("PING hello\r\n");
  EXPECT_EQ(raw.readExactly(11), "$5\r\nhello\r\n");
  EXPECT_EQ(raw.readAvailable(100), "");
}

TEST_F(ProtocolTest, InlineQuotedArguments) {
  RawConnection raw(port());
  raw.send("SET a \"b c\"\r\nGET a\r\n");
  EXPECT_EQ(raw.readExactly(5 + 9), "+OK\r\n$3\r\nb c\r\n");
  raw.send("SET 'k 2' 'single quoted'\r\nGET \"k 2\"\r\n");
  EXPECT_EQ(raw.readExactly(5 + 20), "+OK\r\n$13\r\nsingle quoted\r\n");
  // Double quotes understand escapes, including \xHH.
  raw.send("ECHO \"\\x41\\n\\t\\\\\"\r\n");
  EXPECT_EQ(raw.readExactly(10), "$4\r\nA\n\t\\\r\n");
  raw.send("ECHO \"\"\r\n");
  EXPECT_EQ(raw.readExactly(6), "$0\r\n\r\n");
  // Inline and multibulk requests can be mixed on one connection.
  raw.send(strCat({"SET m 1\r\n", multibulk({"INCR", "m"})}) + "GET m\r\n");
  EXPECT_EQ(raw.readExactly(5 + 4 + 7), "+OK\r\n:2\r\n$1\r\n2\r\n");
}

TEST_F(ProtocolTest, InlineUnbalancedQuotes) {
  expectProtocolError("SET a \"b c\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n");
  expectProtocolError("SET a 'b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n");
}

TEST_F(ProtocolTest, EmptyAndNegativeMultibulkCountsAreIgnored) {
  RawConnection raw(port());
  raw.send(strCat({"*0\r\n*-1\r\n", multibulk({"PING"})}));
  EXPECT_EQ(raw.readExactly(7), "+PONG\r\n");
  EXPECT_EQ(raw.readAvailable(100), "");
}

// ---------------------------------------------------------------- split writes

TEST_F(ProtocolTest, SplitWritesByteByByte) {
  RawConnection raw(port());
  std::string value = "split\r\nvalue";
  std::string request = multibulk({"SET", "splitkey", value}) + multibulk({"GET", "splitkey"}) + "PING\r\n" +
                        "ECHO \"in line\"\r\n";
  for (size_t i = 0; i < request.size(); ++i) {
    raw.send(request.substr(i, 1));
    if (i % 4 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::string expected = strCat({"+OK\r\n", bulk(value)}) + "+PONG\r\n" + bulk("in line");
  EXPECT_EQ(raw.readExactly(expected.size()), expected);
}

TEST_F(ProtocolTest, SplitAtEveryPosition) {
  // Each split point of one request, in two writes with a pause between them.
  std::string request = multibulk({"SET", "k", "v\r\n"});
  for (size_t cut = 1; cut < request.size(); ++cut) {
    RawConnection raw(port());
    raw.send(request.substr(0, cut));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    EXPECT_EQ(raw.readAvailable(5, 5), "") << "reply before the request was complete, cut " << cut;
    raw.send(request.substr(cut));
    EXPECT_EQ(raw.readExactly(5), "+OK\r\n") << "cut " << cut;
  }
}

// ---------------------------------------------------------------- pipelining

TEST_F(ProtocolTest, Pipeline100kCommandsEveryReplyChecked) {
  const int n = 100000;
  std::string request;
  std::string expected;
  request.reserve(static_cast<size_t>(n) * 40);
  std::map<std::string, std::string> model;
  long long counter = 0;
  for (int i = 0; i < n; ++i) {
    std::string key = strCat({"pk:", std::to_string(i % 997)});
    switch (i % 4) {
      case 0: {
        std::string value = strCat({"v", std::to_string(i)});
        request += multibulk({"SET", key, value});
        model[key] = value;
        expected += "+OK\r\n";
        break;
      }
      case 1: {
        request += multibulk({"GET", key});
        auto it = model.find(key);
        expected += it == model.end() ? "$-1\r\n" : bulk(it->second);
        break;
      }
      case 2:
        request += multibulk({"INCR", "pcounter"});
        expected += strCat({":", std::to_string(++counter)}) + "\r\n";
        break;
      default:
        if (i % 8 == 3) {
          request += "INCR pcounter\r\n";  // inline requests mixed in
          expected += strCat({":", std::to_string(++counter)}) + "\r\n";
        } else {
          request += multibulk({"GET", "pcounter"});
          expected += bulk(std::to_string(counter));
        }
    }
  }
  RawConnection raw(port());
  std::string got = raw.roundTrip(request, expected.size(), 20000);
  ASSERT_EQ(got.size(), expected.size()) << "replies missing; server log:\n" << server_->log();
  if (got != expected) {
    size_t diff = 0;
    while (diff < got.size() && got[diff] == expected[diff]) ++diff;
    size_t from = diff > 40 ? diff - 40 : 0;
    FAIL() << "first difference at byte " << diff << "\n got: " << got.substr(from, 80)
           << "\nwant: " << expected.substr(from, 80);
  }
  EXPECT_EQ(raw.readAvailable(100), "") << "extra replies";
  Client c(port());
  EXPECT_EQ(c.cmd({"GET", "pcounter"}).repr(), strCat({"$", std::to_string(counter)}));
}

TEST_F(ProtocolTest, PipelineWithHiredisClient) {
  Client c(port());
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    if (i % 2 == 0) c.append({"SET", strCat({"h", std::to_string(i)}), std::to_string(i)});
    else c.append({"GET", strCat({"h", std::to_string(i - 1)})});
  }
  for (int i = 0; i < n; ++i) {
    Reply r = c.getReply();
    if (i % 2 == 0) ASSERT_EQ(r.repr(), "+OK") << i;
    else ASSERT_EQ(r.repr(), strCat({"$", std::to_string(i - 1)})) << i;
  }
}

TEST_F(ProtocolTest, ManyArgumentsInOneCommand) {
  Client c(port());
  std::vector<std::string> mset{"MSET"};
  std::vector<std::string> mget{"MGET"};
  for (int i = 0; i < 10000; ++i) {
    mset.push_back(strCat({"m", std::to_string(i)}));
    mset.push_back(std::to_string(i * 7));
    mget.push_back(strCat({"m", std::to_string(i)}));
  }
  EXPECT_EQ(c.cmd(mset).repr(), "+OK");
  Reply r = c.cmd(mget);
  ASSERT_EQ(r.elements.size(), 10000u);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(r.elements[static_cast<size_t>(i)].str, std::to_string(i * 7));
}

// ---------------------------------------------------------------- protocol errors

TEST_F(ProtocolTest, ErrorInvalidMultibulkLength) {
  expectProtocolError("*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n");
  expectProtocolError("*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n");
  expectProtocolError("*1x\r\n", "-ERR Protocol error: invalid multibulk length\r\n");
}

TEST_F(ProtocolTest, ErrorMissingDollar) {
  expectProtocolError("*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n");
  expectProtocolError("*2\r\n$4\r\nECHO\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n");
  expectProtocolError("*1\r\n*1\r\n", "-ERR Protocol error: expected '$', got '*'\r\n");
}

TEST_F(ProtocolTest, ErrorInvalidBulkLength) {
  expectProtocolError("*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n");
  expectProtocolError("*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n");
  // Larger than proto-max-bulk-len (512 MB by default).
  expectProtocolError("*1\r\n$600000000\r\n", "-ERR Protocol error: invalid bulk length\r\n");
}

TEST_F(ProtocolTest, ErrorTooBigInlineRequest) {
  // More than 64 KB without a newline.
  expectProtocolError(std::string(70 * 1024, 'A'), "-ERR Protocol error: too big inline request\r\n");
}

TEST_F(ProtocolTest, ErrorTooBigCountStrings) {
  expectProtocolError(strCat({"*", std::string(70 * 1024, '1')}), "-ERR Protocol error: too big mbulk count string\r\n");
  expectProtocolError(strCat({"*1\r\n$", std::string(70 * 1024, '1')}), "-ERR Protocol error: too big bulk count string\r\n");
}

TEST_F(ProtocolTest, RepliesBeforeTheErrorAreDelivered) {
  expectProtocolError(strCat({"PING\r\n", multibulk({"ECHO", "x"})}) + "*abc\r\nPING\r\n",
                      "+PONG\r\n$1\r\nx\r\n-ERR Protocol error: invalid multibulk length\r\n");
}

TEST_F(ProtocolTest, UnauthenticatedClientsGetSmallLimits) {
  // Before AUTH, Redis refuses multibulk counts above 10 and bulks above
  // 16 KB, so an unauthenticated peer cannot make the server allocate much.
  ServerProcess server({"--requirepass", "pw"});
  server.start();
  auto expectClose = [&](const std::string& req, const std::string& reply) {
    RawConnection raw(server.port());
    raw.trySend(req);
    EXPECT_EQ(raw.readExactly(reply.size()), reply);
    EXPECT_TRUE(raw.waitClosed(5000));
  };
  expectClose("*11\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n");
  expectClose("*1\r\n$16385\r\n", "-ERR Protocol error: unauthenticated bulk length\r\n");
  // Within the limits the request is parsed and refused normally.
  RawConnection ok(server.port());
  ok.send(multibulk({"GET", std::string(16384, 'k')}));
  EXPECT_EQ(ok.readUntil("\r\n"), "-NOAUTH Authentication required.\r\n");
  ok.send(multibulk({"AUTH", "pw"}));
  EXPECT_EQ(ok.readExactly(5), "+OK\r\n");
  // After AUTH the normal limits apply.
  std::vector<std::string> big{"MSET"};
  for (int i = 0; i < 20; ++i) big.push_back(strCat({"k", std::to_string(i)}));
  ok.send(multibulk(big));
  EXPECT_EQ(ok.readExactly(5), "+OK\r\n");
  ok.send(multibulk({"SET", "big", std::string(20000, 'v')}));
  EXPECT_EQ(ok.readExactly(5), "+OK\r\n");
}

// ---------------------------------------------------------------- binary safety

TEST_F(ProtocolTest, BinarySafeKeysAndValues) {
  Client c(port());
  const std::string bytes = allBytes();
  std::string key = "key:" + bytes;
  std::string value;
  for (int i = 0; i < 4; ++i) value += bytes;
  value += std::string("\r\n\0\r\n", 5);
  ASSERT_EQ(c.cmd({"SET", key, value}).repr(), "+OK");
  Reply got = c.cmd({"GET", key});
  ASSERT_EQ(got.type, Reply::Type::String);
  EXPECT_EQ(got.str, value);
  EXPECT_EQ(c.cmd({"STRLEN", key}).repr(), strCat({":", std::to_string(value.size())}));
  EXPECT_EQ(c.cmd({"EXISTS", key}).repr(), ":1");
  // A key differing only after an embedded NUL is a different key.
  std::string nulKey("a\0b", 3);
  std::string nulKey2("a\0c", 3);
  ASSERT_EQ(c.cmd({"SET", nulKey, "1"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"GET", nulKey2}).repr(), "(nil)");
  EXPECT_EQ(c.cmd({"GET", std::string("a")}).repr(), "(nil)");
  EXPECT_EQ(c.cmd({"GET", nulKey}).repr(), "$1");
  // KEYS returns the exact bytes.
  Reply keys = c.cmd({"KEYS", "key:*"});
  ASSERT_EQ(keys.elements.size(), 1u);
  EXPECT_EQ(keys.elements[0].str, key);
  // Empty key and empty value.
  EXPECT_EQ(c.cmd({"SET", "", ""}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"GET", ""}).repr(), "$");
  EXPECT_EQ(c.cmd({"EXISTS", ""}).repr(), ":1");
}

TEST_F(ProtocolTest, BinarySafeRawBytesOnTheWire) {
  RawConnection raw(port());
  std::string key = std::string("\r\n\0", 3) + allBytes();
  std::string value = allBytes() + std::string("$5\r\n*1\r\n\0", 10);
  raw.send(multibulk({"SET", key, value}) + multibulk({"GET", key}) + multibulk({"ECHO", value}));
  std::string expected = strCat({"+OK\r\n", bulk(value)}) + bulk(value);
  EXPECT_EQ(raw.readExactly(expected.size()), expected);
  // Every single byte value as a one-byte key and value.
  std::string req;
  std::string want;
  for (int b = 0; b < 256; ++b) {
    std::string k(1, static_cast<char>(b));
    req += multibulk({"SET", k, k + k}) + multibulk({"GET", k});
    want += strCat({"+OK\r\n", bulk(k + k)});
  }
  EXPECT_EQ(raw.roundTrip(req, want.size()), want);
  Client c(port());
  EXPECT_EQ(c.cmd({"DBSIZE"}).repr(), ":257");
}

}  // namespace
}  // namespace erdtree::itest
