// DEBUG SLEEP, RELOAD, LOADAOF, OBJECT and SET-ACTIVE-EXPIRE, and FUNCTION's
// answers with no libraries, with Debian's redis-server 7.0.15 as the oracle
// for every reply text and error.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/oracle_pair.h"
#include "harness/dataset.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

using Cmd = std::vector<std::string>;

std::string distinctChars(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(' ' + i));
  return s;
}

class DebugCommands : public OraclePairTest {
 protected:
  DebugCommands() : OraclePairTest({"--appendonly", "yes", "--save", ""}, {"--enable-debug-command", "yes"}, 30000) {}
  void both(const Cmd& cmd) {
    const std::string x = a_->cmd(cmd).repr(), y = b_->cmd(cmd).repr();
    EXPECT_EQ(x, y) << cmd[0] << " " << (cmd.size() > 1 ? cmd[1] : "");
  }
  // DEBUG OBJECT's line without the address and the clock fields.
  static std::string objectShape(Client& c, const std::string& key) {
    std::string line = c.cmd({"DEBUG", "OBJECT", key}).str;
    line = std::regex_replace(line, std::regex("at:0x[0-9a-f]+ "), "at:ADDR ");
    return std::regex_replace(line, std::regex(" lru:[0-9]+ lru_seconds_idle:[0-9]+"), " lru:L");
  }
};

}  // namespace

TEST_F(DebugCommands, ReloadKeepsEveryTypeAndTtl) {
  fillAllTypes(*a_);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the 30 ms key expires
  // and is deleted now: the digest, as Redis's, counts an expired key until
  // it is deleted, and the reloaded snapshot will not have it.
  EXPECT_EQ(a_->cmd({"EXISTS", "short"}).integer, 0);
  const std::string before = dumpAll(*a_), digestBefore = digest(*a_);
  EXPECT_EQ(a_->cmd({"DEBUG", "RELOAD"}).repr(), "+OK");
  EXPECT_EQ(dumpAll(*a_), before);
  EXPECT_EQ(digest(*a_), digestBefore);
  EXPECT_TRUE(std::filesystem::exists(ours_.dir() + "/dump.rdb"));
  // NOSAVE loads the file just written; NOFLUSH MERGE adds it to what is there.
  ASSERT_EQ(a_->cmd({"SET", "extra", "1"}).repr(), "+OK");
  EXPECT_EQ(a_->cmd({"DEBUG", "RELOAD", "NOSAVE"}).repr(), "+OK");
  EXPECT_EQ(a_->cmd({"EXISTS", "extra"}).integer, 0);
  ASSERT_EQ(a_->cmd({"SET", "extra", "1"}).repr(), "+OK");
  EXPECT_EQ(a_->cmd({"DEBUG", "RELOAD", "merge", "noflush", "nosave"}).repr(), "+OK");
  EXPECT_EQ(a_->cmd({"GET", "extra"}).str, "1");
  EXPECT_EQ(a_->cmd({"DEL", "extra"}).integer, 1);
  EXPECT_EQ(digest(*a_), digestBefore);
  EXPECT_NE(ours_.log().find("DB reloaded by DEBUG RELOAD"), std::string::npos);
  both({"DEBUG", "RELOAD", "FOO"});
  both({"DEBUG", "RELOAD"});
}

TEST_F(DebugCommands, LoadAofReplaysTheLogWithoutGrowingIt) {
  fillAllTypes(*a_);
  writeMoreAllTypes(*a_);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::string before = dumpAll(*a_);
  const std::string size = infoField(*a_, "persistence", "aof_current_size");
  EXPECT_EQ(a_->cmd({"DEBUG", "LOADAOF"}).repr(), "+OK");
  EXPECT_EQ(dumpAll(*a_), before);
  EXPECT_EQ(infoField(*a_, "persistence", "aof_current_size"), size);
  EXPECT_NE(ours_.log().find("Append Only File loaded by DEBUG LOADAOF"), std::string::npos);
}

TEST_F(DebugCommands, ObjectLineMatchesRedis) {
  const std::vector<Cmd> writes = {
      {"SET", "embstr", "bar"},
      {"SET", "shared", "123"},
      {"SET", "bigint", "123456789"},
      {"SET", "raw", distinctChars(60)},  // over 44 bytes, nothing for LZF to find
      {"SET", "ttl", "v", "EX", "100"},
      {"RPUSH", "list", "a", "b", "c", "12"},
      {"HSET", "hash", "f", "v", "n", "7"},
      {"SADD", "intset", "1", "2", "300"},
      {"SADD", "set", "a", "b"},
      {"ZADD", "zset", "1", "a", "2.5", "b"},
  };
  // Both LZF coders are valid but not byte-identical, so serializedlength is
  // compared without compression (erdtree's is still what its save writes).
  both({"CONFIG", "SET", "rdbcompression", "no"});
  for (const Cmd& w : writes) both(w);
  for (int i = 0; i < 300; ++i) both({"RPUSH", "biglist", "element:" + std::to_string(i)});
  for (int i = 0; i < 600; ++i) both({"HSET", "bighash", "f" + std::to_string(i), "v"});
  for (int i = 0; i < 200; ++i) both({"ZADD", "bigzset", std::to_string(i), "m" + std::to_string(i)});
  for (const char* key : {"embstr", "shared", "bigint", "raw", "ttl", "list", "hash", "intset", "set", "zset",
                          "biglist", "bighash", "bigzset"})
    EXPECT_EQ(objectShape(*a_, key), objectShape(*b_, key)) << key;
  const std::string line = a_->cmd({"DEBUG", "OBJECT", "embstr"}).str;
  EXPECT_TRUE(std::regex_match(line, std::regex("Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:4 "
                                                "lru:[0-9]+ lru_seconds_idle:[0-9]+")))
      << line;
  both({"DEBUG", "OBJECT", "missing"});
  both({"DEBUG", "OBJECT"});
  both({"DEBUG", "OBJECT", "a", "b"});
}

TEST_F(DebugCommands, SleepStopsTheServer) {
  both({"DEBUG", "SLEEP"});
  both({"DEBUG", "SLEEP", "0"});
  both({"DEBUG", "SLEEP", "junk"});
  Client other(ours_.port());
  std::thread sleeper([&] { EXPECT_EQ(a_->cmd({"DEBUG", "SLEEP", "0.4"}).repr(), "+OK"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(other.cmd({"PING"}).repr(), "+PONG");
  const auto waited = std::chrono::steady_clock::now() - start;
  sleeper.join();
  EXPECT_GE(waited, std::chrono::milliseconds(200));
}

TEST_F(DebugCommands, SetActiveExpireOffKeepsExpiredKeysUntilTouched) {
  both({"DEBUG", "SET-ACTIVE-EXPIRE"});
  both({"DEBUG", "SET-ACTIVE-EXPIRE", "0"});
  for (int i = 0; i < 50; ++i) both({"SET", "k" + std::to_string(i), "v", "PX", "50"});
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // several active cycles (hz 10)
  EXPECT_EQ(a_->cmd({"DBSIZE"}).integer, 50);
  EXPECT_EQ(b_->cmd({"DBSIZE"}).integer, 50);
  both({"GET", "k0"});
  EXPECT_EQ(a_->cmd({"DBSIZE"}).integer, 49);
  both({"DEBUG", "SET-ACTIVE-EXPIRE", "1"});
  EXPECT_TRUE(waitFor([&] { return a_->cmd({"DBSIZE"}).integer == 0; }, 5000));
}

TEST_F(DebugCommands, FunctionAnswersAsAnEmptyRedis) {
  for (const Cmd& c : std::vector<Cmd>{{"FUNCTION", "FLUSH"},
                                       {"FUNCTION", "FLUSH", "ASYNC"},
                                       {"FUNCTION", "FLUSH", "sync"},
                                       {"FUNCTION", "FLUSH", "foo"},
                                       {"FUNCTION", "FLUSH", "a", "b"},
                                       {"FUNCTION", "LIST"},
                                       {"FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "x*"},
                                       {"FUNCTION", "LIST", "WITHCODE", "WITHCODE"},
                                       {"FUNCTION", "LIST", "LIBRARYNAME"},
                                       {"FUNCTION", "LIST", "foo"},
                                       {"FUNCTION", "STATS"},
                                       {"FUNCTION", "DUMP"},
                                       {"FUNCTION", "DELETE", "lib"},
                                       {"FUNCTION", "HELP"},
                                       {"SCRIPT", "FLUSH"}})
    both(c);
}

TEST_F(DebugCommands, ReloadWithoutAFileFailsAsRedis) {
  both({"SET", "k", "v"});
  both({"DEBUG", "RELOAD", "NOSAVE"});  // no dump.rdb yet: an error, the data already flushed
  both({"DBSIZE"});
}

TEST(DebugLoadAof, NeedsTheLog) {
  ServerProcess s({"--appendonly", "no"});
  if (s.isRedis()) GTEST_SKIP() << "Redis exits here";
  s.start();
  Client c(s.port());
  ASSERT_EQ(c.cmd({"SET", "k", "v"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"DEBUG", "LOADAOF"}).repr(), "-ERR DEBUG LOADAOF needs appendonly yes");
  EXPECT_EQ(c.cmd({"GET", "k"}).str, "v");
}
