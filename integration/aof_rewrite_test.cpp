// The AOF rewrite against the real binary: BGREWRITEAOF with an RDB base and
// with a RESP base, writes during the rewrite, the automatic trigger,
// BGREWRITEAOF with the log off (a base-only log), CONFIG SET appendonly yes
// at run time, scheduling next to BGSAVE and inside MULTI, a failing child.
// Each checks the files on disk, INFO persistence and that a restart gives
// back exactly the data. Erdtree's files and messages (Redis 7.0's layout),
// so these skip against redis-server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/dataset.h"
#include "harness/server_process.h"

using namespace erdtree::itest;
namespace fs = std::filesystem;

namespace {

bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string manifest(const ServerProcess& s) { return readFile(s.dir() + "/appendonlydir/appendonly.aof.manifest"); }

std::vector<std::string> logFiles(const ServerProcess& s) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(s.dir() + "/appendonlydir")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::string, std::string> persistence(Client& c) { return parseInfo(c.cmd({"INFO", "persistence"}).str); }

// Waits until `rewrites` rewrites have finished and none runs.
bool waitRewrites(Client& c, int rewrites, int timeoutMs = 20000) {
  return waitFor(
      [&] {
        auto p = persistence(c);
        return p["aof_rewrite_in_progress"] == "0" && p["aof_rewrite_scheduled"] == "0" &&
               std::stoi(p["aof_rewrites"]) >= rewrites;
      },
      timeoutMs);
}

// Enough keys that a rewrite takes a moment (the second BGREWRITEAOF of a
// pipeline then still finds it running).
void bulkLoad(Client& c, int keys) {
  for (int i = 0; i < keys; ++i) c.append({"SET", strCat({"bulk:", std::to_string(i)}), "some-value-of-moderate-size"});
  c.flush();
  for (int i = 0; i < keys; ++i) ASSERT_EQ(c.getReply().repr(), "+OK");
}

}  // namespace

TEST(AofRewrite, BgrewriteaofWritesRdbBaseAndRestartsIdentical) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes", "--appendfsync", "everysec"});
  s.start();
  std::string before;
  {
    Client c(s.port());
    fillAllTypes(c);
    for (int i = 0; i < 2000; ++i) c.cmd({"INCR", "counter:many"});  // much log, one key
    bulkLoad(c, 50000);
    const auto sizeBefore = std::stoull(persistence(c)["aof_current_size"]);
    c.append({"BGREWRITEAOF"});
    c.append({"BGREWRITEAOF"});
    c.flush();
    EXPECT_EQ(c.getReply().repr(), "+Background append only file rewriting started");
    EXPECT_EQ(c.getReply().repr(), "-ERR Background append only file rewriting already in progress");
    // Writes go on while the child works; they belong to the new segment.
    for (int i = 0; i < 200; ++i) ASSERT_EQ(c.cmd({"RPUSH", "during", std::to_string(i)}).integer, i + 1);
    ASSERT_TRUE(waitRewrites(c, 1));
    auto p = persistence(c);
    EXPECT_EQ(p["aof_last_bgrewrite_status"], "ok");
    EXPECT_EQ(p["aof_rewrites_consecutive_failures"], "0");
    EXPECT_NE(p["aof_last_rewrite_time_sec"], "-1");
    EXPECT_GT(std::stoull(p["aof_last_cow_size"]), 0u);  // the child's own report at its end
    EXPECT_GT(std::stoull(p["aof_base_size"]), 0u);
    EXPECT_LT(std::stoull(p["aof_current_size"]), sizeBefore);
    EXPECT_EQ(p["aof_current_segment"], "appendonly.aof.2.incr.aof");
    EXPECT_EQ(manifest(s), "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    EXPECT_EQ(readFile(s.dir() + "/appendonlydir/appendonly.aof.1.base.rdb").substr(0, 9), "REDIS0010");
    // The old segment goes once the manifest no longer lists it.
    EXPECT_TRUE(waitFor([&] { return !fs::exists(s.dir() + "/appendonlydir/appendonly.aof.1.incr.aof"); }, 5000));
    before = dumpAll(c);
  }
  ASSERT_EQ(s.stop(), 0);
  s.start();
  {
    Client c(s.port());
    EXPECT_EQ(dumpAll(c), before);
    // A second rewrite: base 2, the next segment, the old base removed.
    c.cmd({"SET", "after-restart", "1"});
    EXPECT_EQ(c.cmd({"BGREWRITEAOF"}).repr(), "+Background append only file rewriting started");
    ASSERT_TRUE(waitRewrites(c, 1));
    EXPECT_EQ(manifest(s), "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n");
    EXPECT_TRUE(waitFor([&] { return logFiles(s).size() == 3; }, 5000));
    before = dumpAll(c);
  }
  expectSameDataAfterRestart(s, before, true);
}

TEST(AofRewrite, RespBaseWhenPreambleIsOff) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes", "--aof-use-rdb-preamble", "no"});
  s.start();
  std::string before;
  {
    Client c(s.port());
    fillAllTypes(c);
    for (int i = 0; i < 300; ++i) c.cmd({"ZADD", "big-zset", std::to_string(i) + ".25", strCat({"m", std::to_string(i)})});
    for (int i = 0; i < 300; ++i) c.cmd({"HSET", "big-hash", strCat({"f", std::to_string(i)}), std::to_string(i)});
    EXPECT_EQ(c.cmd({"BGREWRITEAOF"}).repr(), "+Background append only file rewriting started");
    ASSERT_TRUE(waitRewrites(c, 1));
    before = dumpAll(c);
  }
  ASSERT_EQ(s.stop(), 0);
  EXPECT_EQ(manifest(s), "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
  const std::string base = readFile(s.dir() + "/appendonlydir/appendonly.aof.1.base.aof");
  EXPECT_EQ(base.substr(0, 18), "*2\r\n$6\r\nSELECT\r\n$1");
  EXPECT_NE(base.find("PEXPIREAT"), std::string::npos);
  s.start();
  Client c(s.port());
  EXPECT_EQ(dumpAll(c), before);
}

TEST(AofRewrite, AutomaticRewriteOnGrowth) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes", "--auto-aof-rewrite-percentage", "100", "--auto-aof-rewrite-min-size",
                   "64kb"});
  s.start();
  Client c(s.port());
  const std::string value(200, 'x');
  // One key overwritten again and again: the log grows, the data does not.
  for (int round = 0; round < 10 && persistence(c)["aof_rewrites"] == "0"; ++round) {
    for (int i = 0; i < 200; ++i) c.append({"SET", "same", value});
    c.flush();
    for (int i = 0; i < 200; ++i) ASSERT_EQ(c.getReply().repr(), "+OK");
    waitFor([&] { return persistence(c)["aof_rewrites"] != "0"; }, 300);
  }
  ASSERT_TRUE(waitRewrites(c, 1));
  auto p = persistence(c);
  EXPECT_LT(std::stoull(p["aof_current_size"]), 64u * 1024);
  EXPECT_NE(s.log().find("Starting automatic rewriting of AOF"), std::string::npos);
  // Percentage 0 turns it off.
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "auto-aof-rewrite-percentage", "0"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "auto-aof-rewrite-min-size"}).strings(),
            (std::vector<std::string>{"auto-aof-rewrite-min-size", "65536"}));
}

TEST(AofRewrite, BgrewriteaofWithTheLogOffWritesABaseOnlyLog) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "no"});
  s.start();
  std::string before;
  {
    Client c(s.port());
    fillAllTypes(c);
    EXPECT_EQ(c.cmd({"BGREWRITEAOF"}).repr(), "+Background append only file rewriting started");
    ASSERT_TRUE(waitRewrites(c, 1));
    EXPECT_EQ(persistence(c)["aof_enabled"], "0");
    before = dumpAll(c);
  }
  ASSERT_EQ(s.stop(), 0);
  EXPECT_EQ(manifest(s), "file appendonly.aof.1.base.rdb seq 1 type b\n");
  s.setExtraArgs({"--appendonly", "yes"});
  s.start();
  Client c(s.port());
  EXPECT_EQ(dumpAll(c), before);
}

TEST(AofRewrite, ConfigSetAppendonlyYesWritesTheBaseThenLogs) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "no"});
  s.start();
  std::string before;
  {
    Client c(s.port());
    fillAllTypes(c);
    bulkLoad(c, 20000);
    EXPECT_EQ(c.cmd({"CONFIG", "SET", "appendonly", "yes"}).repr(), "+OK");
    EXPECT_EQ(persistence(c)["aof_enabled"], "1");
    // Written while the base is being made: in the temp incr, then the first segment.
    for (int i = 0; i < 100; ++i) c.cmd({"SADD", "while-enabling", std::to_string(i)});
    ASSERT_TRUE(waitRewrites(c, 1));
    c.cmd({"SET", "after-enabling", "yes"});
    EXPECT_EQ(manifest(s), "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    EXPECT_FALSE(fs::exists(s.dir() + "/appendonlydir/temp-appendonly.aof.incr"));
    before = dumpAll(c);
  }
  s.kill9();
  s.setExtraArgs({"--appendonly", "yes"});
  s.start();
  {
    Client c(s.port());
    EXPECT_EQ(dumpAll(c), before);
    // Off and on again: the new log replaces the old files.
    EXPECT_EQ(c.cmd({"CONFIG", "SET", "appendonly", "no"}).repr(), "+OK");
    c.cmd({"SET", "while-off", "1"});
    EXPECT_EQ(c.cmd({"CONFIG", "SET", "appendonly", "yes"}).repr(), "+OK");
    ASSERT_TRUE(waitRewrites(c, 1));
    EXPECT_EQ(manifest(s), "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    EXPECT_TRUE(waitFor([&] { return logFiles(s).size() == 3; }, 5000));
    before = dumpAll(c);
  }
  expectSameDataAfterRestart(s, before);
}

TEST(AofRewrite, ScheduledNextToBgsaveAndInsideMulti) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes"});
  s.start();
  Client c(s.port());
  bulkLoad(c, 50000);
  c.append({"BGSAVE"});
  c.append({"BGREWRITEAOF"});
  c.flush();
  EXPECT_EQ(c.getReply().repr(), "+Background saving started");
  EXPECT_EQ(c.getReply().repr(), "+Background append only file rewriting scheduled");
  ASSERT_TRUE(waitRewrites(c, 1));
  EXPECT_EQ(persistence(c)["rdb_last_bgsave_status"], "ok");

  c.cmd({"MULTI"});
  c.cmd({"SET", "in-tx", "1"});
  c.cmd({"BGREWRITEAOF"});
  c.cmd({"INCR", "in-tx"});
  Reply r = c.cmd({"EXEC"});
  ASSERT_EQ(r.elements.size(), 3u);
  EXPECT_EQ(r.elements[1].repr(), "+Background append only file rewriting scheduled");
  ASSERT_TRUE(waitRewrites(c, 2));
  std::string before = dumpAll(c);
  expectSameDataAfterRestart(s, before);
}

TEST(AofRewrite, FailedChildKeepsTheOldLog) {
  if (underRedis()) GTEST_SKIP() << "erdtree's crash points";
  ServerProcess s({"--appendonly", "yes"});
  s.start();
  {
    Client c(s.port());
    fillAllTypes(c);
  }
  ASSERT_EQ(s.stop(), 0);
  ::setenv("ERDTREE_CRASH_AT", "rewrite-child", 1);
  s.start();
  ::unsetenv("ERDTREE_CRASH_AT");
  std::string before;
  {
    Client c(s.port());
    const std::string manifestBefore = manifest(s);
    EXPECT_EQ(c.cmd({"BGREWRITEAOF"}).repr(), "+Background append only file rewriting started");
    ASSERT_TRUE(waitFor([&] { return persistence(c)["aof_last_bgrewrite_status"] == "err"; }, 10000));
    auto p = persistence(c);
    EXPECT_EQ(p["aof_rewrites_consecutive_failures"], "1");
    EXPECT_EQ(p["aof_rewrites"], "0");
    EXPECT_EQ(p["aof_rewrite_in_progress"], "0");
    // The segment switch at the start stays; nothing else changed.
    EXPECT_EQ(manifest(s), manifestBefore + "file appendonly.aof.2.incr.aof seq 2 type i\n");
    for (const std::string& f : logFiles(s)) EXPECT_FALSE(f.starts_with("temp-")) << f;
    c.cmd({"SET", "after-failure", "1"});
    before = dumpAll(c);
  }
  expectSameDataAfterRestart(s, before);
}

TEST(AofRewrite, BgsaveWaitsForTheRewriteChild) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes", "--save", ""});
  s.start();
  Client c(s.port());
  bulkLoad(c, 50000);
  c.append({"BGREWRITEAOF"});
  c.append({"BGSAVE"});
  c.append({"BGSAVE", "SCHEDULE"});
  c.flush();
  EXPECT_EQ(c.getReply().repr(), "+Background append only file rewriting started");
  EXPECT_EQ(c.getReply().repr(),
            "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to "
            "schedule a BGSAVE whenever possible.");
  EXPECT_EQ(c.getReply().repr(), "+Background saving scheduled");
  ASSERT_TRUE(waitRewrites(c, 1));
  ASSERT_TRUE(waitFor([&] { return persistence(c)["rdb_saves"] == "1"; }, 10000));
  ASSERT_TRUE(waitFor([&] { return persistence(c)["rdb_bgsave_in_progress"] == "0"; }, 10000));
  EXPECT_EQ(persistence(c)["rdb_last_bgsave_status"], "ok");
  EXPECT_TRUE(fs::exists(s.dir() + "/dump.rdb"));
}

// Until the first base exists the writes since CONFIG SET appendonly yes are
// in no file a restart reads: SHUTDOWN refuses (as Redis), FORCE goes.
TEST(AofRewrite, ShutdownWaitsForTheInitialBase) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "no", "--save", ""});
  s.start();
  Client c(s.port());
  bulkLoad(c, 100000);
  c.append({"CONFIG", "SET", "appendonly", "yes"});
  c.append({"SHUTDOWN"});
  c.flush();
  EXPECT_EQ(c.getReply().repr(), "+OK");
  EXPECT_EQ(c.getReply().repr(), "-ERR Errors trying to SHUTDOWN. Check logs.");
  EXPECT_NE(s.log().find("Writing initial AOF, can't exit."), std::string::npos);
  ASSERT_TRUE(waitRewrites(c, 1));
  EXPECT_EQ(c.cmd({"SET", "last", "1"}).repr(), "+OK");
  c.append({"SHUTDOWN"});
  c.flush();
  EXPECT_TRUE(s.waitExit(10000));
  s.setExtraArgs({"--appendonly", "yes", "--save", ""});
  s.start();
  Client d(s.port());
  EXPECT_EQ(d.cmd({"DBSIZE"}).integer, 100001);
}
