// DEBUG DIGEST / DIGEST-VALUE against Debian's redis-server 7.0.15 as the
// oracle: the same commands on both servers must give the same digests for
// every type and encoding (small and large collections, integers, long and
// binary strings, fractional and infinite scores, TTLs, several dbs), and the
// DEBUG error replies and the enable-debug-command guard must read the same.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/oracle_pair.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

using Cmd = std::vector<std::string>;

class DebugDigest : public OraclePairTest {
 protected:
  DebugDigest() : OraclePairTest({"--save", ""}, {"--enable-debug-command", "yes"}) {}

  // Runs cmd on both servers; the replies must agree too.
  void both(const Cmd& cmd) {
    const std::string x = a_->cmd(cmd).repr(), y = b_->cmd(cmd).repr();
    ASSERT_EQ(x, y) << cmd[0];
  }
  void expectSameDigests(const std::vector<std::string>& keys) {
    EXPECT_EQ(digest(*a_), digest(*b_));
    Cmd dv{"DEBUG", "DIGEST-VALUE"};
    dv.insert(dv.end(), keys.begin(), keys.end());
    EXPECT_EQ(a_->cmd(dv).repr(), b_->cmd(dv).repr());
  }
};

std::string n(int i) { return std::to_string(i); }

}  // namespace

TEST_F(DebugDigest, EmptyDataSetIsAllZeros) {
  EXPECT_EQ(a_->cmd({"DEBUG", "DIGEST"}).repr(), "+0000000000000000000000000000000000000000");
  EXPECT_EQ(b_->cmd({"DEBUG", "DIGEST"}).repr(), "+0000000000000000000000000000000000000000");
  expectSameDigests({"missing"});
  both({"SET", "k", "v"});
  both({"DEL", "k"});
  EXPECT_EQ(digest(*a_), std::string(40, '0'));
}

TEST_F(DebugDigest, StringsIntegersAndTtls) {
  both({"SET", "int", "12345"});
  both({"SET", "neg", "-9223372036854775808"});
  both({"SET", "zero-padded", "007"});
  both({"SET", "empty", ""});
  both({"SET", "long", std::string(5000, 'L')});
  both({"SET", "bin", std::string("a\0b\r\n\xff", 6)});
  both({"INCR", "counter"});
  both({"APPEND", "appended", "abc"});
  both({"INCRBYFLOAT", "float", "1.5"});
  both({"SET", "ttl", "v", "EX", "1000"});
  expectSameDigests({"int", "neg", "zero-padded", "empty", "long", "bin", "counter", "appended", "float", "ttl"});
  both({"PERSIST", "ttl"});
  both({"PEXPIRE", "int", "500000"});
  expectSameDigests({"ttl", "int"});
}

TEST_F(DebugDigest, ListsSetsHashesInBothEncodings) {
  for (int i = 0; i < 200; ++i) {
    both({"RPUSH", "biglist", "e" + n(i)});
    both({"SADD", "bigset", "m" + n(i)});
    both({"SADD", "bigintset", n(i * 7)});
    both({"HSET", "bighash", "f" + n(i), "v" + n(i)});
  }
  both({"RPUSH", "list", "a", "1", "", "b"});
  both({"LPUSH", "list", "z"});
  both({"RPUSH", "longlist", std::string(200, 'x'), "y"});
  both({"SADD", "intset", "3", "1", "-2"});
  both({"SADD", "set", "a", "b", "10"});
  both({"HSET", "hash", "f", "v", "n", "1", "empty", ""});
  both({"HSET", "longhash", "f", std::string(300, 'v')});
  expectSameDigests({"biglist", "bigset", "bigintset", "bighash", "list", "longlist", "intset", "set", "hash",
                     "longhash"});
}

TEST_F(DebugDigest, SortedSetScores) {
  both({"ZADD", "z", "1", "one", "2.5", "two", "-3.25", "neg", "0.1", "tenth", "1e100", "huge"});
  both({"ZADD", "z", "inf", "pinf", "-inf", "ninf", "0", "zero", "1234567890123", "int"});
  both({"ZADD", "z", "0.30000000000000004", "sum", "1e-300", "tiny"});
  for (int i = 0; i < 200; ++i) both({"ZADD", "bigz", n(i) + ".125", "m" + n(i)});
  both({"ZADD", "bigz", "inf", "top", "-inf", "bottom"});
  both({"ZINCRBY", "bigz", "0.1", "m1"});
  expectSameDigests({"z", "bigz"});
}

TEST_F(DebugDigest, SeveralDbsAndMovedKeys) {
  both({"SET", "k", "v"});
  both({"SELECT", "3"});
  both({"SET", "k", "v"});
  both({"RPUSH", "l", "x"});
  both({"SELECT", "15"});
  both({"HSET", "h", "a", "b"});
  expectSameDigests({"h", "nope"});
  const std::string before = digest(*a_);
  // The same data in another db is another data set.
  both({"MOVE", "h", "14"});
  EXPECT_NE(digest(*a_), before);
  expectSameDigests({"h"});
  both({"SELECT", "0"});
  both({"FLUSHALL"});
  expectSameDigests({});
}

TEST_F(DebugDigest, ErrorsAndHelp) {
  for (const Cmd& c : std::vector<Cmd>{{"DEBUG"}, {"DEBUG", "nosuch"}, {"DEBUG", "DIGEST", "x"},
                                       {"DEBUG", "digest-value"}, {"debug", "Digest-Value", "a", "b"}})
    both(c);
  const Reply help = a_->cmd({"DEBUG", "HELP"});
  ASSERT_EQ(help.type, Reply::Type::Array);
  EXPECT_EQ(help.elements.front().str, "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  EXPECT_EQ(a_->cmd({"CONFIG", "GET", "enable-debug-command"}).strings(),
            (std::vector<std::string>{"enable-debug-command", "local"}));
  EXPECT_EQ(a_->cmd({"COMMAND", "INFO", "debug"}).repr(), b_->cmd({"COMMAND", "INFO", "debug"}).repr());
}

TEST(DebugGuard, RefusedUnlessEnabled) {
  const std::string refused =
      "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it "
      "from a local connection, otherwise you need to set this option in the configuration file, and then "
      "restart the server.";
  ServerProcess no({"--save", "", "--enable-debug-command", "no"});
  no.start();
  Client c(no.port());
  EXPECT_EQ(c.cmd({"DEBUG", "DIGEST"}).repr(), refused);
  // The arity comes first, and inside MULTI the refusal aborts the EXEC.
  EXPECT_EQ(c.cmd({"DEBUG"}).repr(), "-ERR wrong number of arguments for 'debug' command");
  c.cmd({"MULTI"});
  EXPECT_EQ(c.cmd({"DEBUG", "DIGEST"}).repr(), refused);
  EXPECT_EQ(c.cmd({"EXEC"}).repr(), "-EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "enable-debug-command", "yes"}).isError(), true);
  if (std::filesystem::exists(kRedisServerBin)) {
    ServerProcess oracle;
    oracle.setBinary(kRedisServerBin);
    oracle.start();
    Client o(oracle.port());
    EXPECT_EQ(o.cmd({"DEBUG", "DIGEST"}).repr(), refused);
  }
  ServerProcess yes({"--save", "", "--enable-debug-command", "yes"});
  yes.start();
  Client y(yes.port());
  EXPECT_EQ(y.cmd({"DEBUG", "DIGEST"}).repr(), "+" + std::string(40, '0'));
}
