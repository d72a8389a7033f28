// Data files move between Debian's redis-server 7.0 and erdtree both ways (the
// migration guide in README.md promises it): the multi-part AOF directory a
// Redis 7.0 server writes (an RDB-preamble base or a RESP base, plus
// incremental files after a BGREWRITEAOF, "#TS:" annotations) loads in erdtree with every type
// and TTL; erdtree then appends to it, Debian's redis-check-aof accepts the
// result and redis-server loads it back; erdtree's own AOF directory and RDB
// file pass redis-check-aof and redis-check-rdb.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/dataset.h"
#include "harness/process.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;
namespace fs = std::filesystem;

namespace {

constexpr char kRedisCheckAof[] = "/usr/bin/redis-check-aof";
constexpr char kRedisCheckRdb[] = "/usr/bin/redis-check-rdb";

bool haveRedis() { return ::access(kRedisServerBin, X_OK) == 0; }
bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }

bool rewriteDone(Client& c) {
  auto info = parseInfo(c.cmd({"INFO", "persistence"}).str);
  return info["aof_rewrite_in_progress"] == "0" && info["aof_rewrite_scheduled"] == "0";
}

// Fills a server, compacts its log, writes more and returns the data as
// dumpAll() shows it once the short-lived key has gone.
std::string writeHistory(ServerProcess& s, bool timestamps = false) {
  Client c(s.port(), 30000);
  fillAllTypes(c);
  EXPECT_EQ(c.cmd({"BGREWRITEAOF"}).repr(), "+Background append only file rewriting started");
  EXPECT_TRUE(waitLong([&] { return rewriteDone(c); }));
  // Redis annotates a write only when the second changed since its last
  // "#TS:", which may have gone into the rewritten files.
  if (timestamps) std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  writeMoreAllTypes(c);
  EXPECT_EQ(c.cmd({"RPUSH", "after:list", "d"}).integer, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // fillAllTypes' 30 ms key expires
  EXPECT_EQ(c.cmd({"EXISTS", "short"}).integer, 0);  // and is deleted: digests count it until then
  return dumpAll(c);
}

void expectCheckAofAccepts(const std::string& manifest) {
  if (!fs::exists(kRedisCheckAof)) return;
  ProcessResult check = runProcess({kRedisCheckAof, manifest}, "", 30000);
  EXPECT_EQ(check.exitCode(), 0) << check.describe();
  EXPECT_NE(check.out.find("All AOF files and manifest are valid"), std::string::npos) << check.describe();
}

// A Redis 7.0 AOF directory (preamble: the base is an RDB file, or not)
// loads in erdtree; erdtree's appends keep it a valid Redis AOF directory.
// timestamps: aof-timestamp-enabled, so Redis writes "#TS:" annotations.
void redisAofDirectoryRoundTrip(const std::string& preamble, bool timestamps) {
  const std::string baseSuffix = preamble == "yes" ? ".base.rdb" : ".base.aof";
  ServerProcess redis;
  redis.setBinary(kRedisServerBin);
  redis.setExtraArgs({"--appendonly", "yes", "--aof-use-rdb-preamble", preamble, "--appenddirname", "aofdir",
                      "--appendfilename", "data.aof", "--enable-debug-command", "yes", "--aof-timestamp-enabled",
                      timestamps ? "yes" : "no"});
  redis.start();
  const std::string want = writeHistory(redis, timestamps);
  std::string redisDigest;
  {
    Client rc(redis.port());
    redisDigest = digest(rc);
  }
  ASSERT_EQ(redis.stop(), 0);
  const std::string redisDir = redis.dir() + "/aofdir";
  ASSERT_TRUE(fs::exists(redisDir + "/data.aof.2" + baseSuffix)) << "Redis wrote no rewritten base";
  ASSERT_TRUE(fs::exists(redisDir + "/data.aof.2.incr.aof"));
  if (timestamps) {
    std::ifstream in(redisDir + "/data.aof.2.incr.aof");
    const std::string incr((std::istreambuf_iterator<char>(in)), {});
    ASSERT_NE(incr.find("#TS:"), std::string::npos);
  }

  ServerProcess erd({"--appendonly", "yes", "--appenddirname", "aofdir", "--appendfilename", "data.aof"});
  fs::copy(redisDir, erd.dir() + "/aofdir");
  erd.start();
  {
    Client c(erd.port(), 30000);
    EXPECT_EQ(dumpAll(c), want);
    EXPECT_EQ(digest(c), redisDigest);
    ASSERT_EQ(c.cmd({"SET", "written:by", "erdtree"}).repr(), "+OK");
    ASSERT_EQ(c.cmd({"HSET", "after:hash", "f3", "v3"}).integer, 1);
  }
  ASSERT_EQ(erd.stop(), 0);
  expectCheckAofAccepts(erd.dir() + "/aofdir/data.aof.manifest");

  // And back: Redis loads what erdtree appended.
  ServerProcess back;
  back.setBinary(kRedisServerBin);
  back.setExtraArgs({"--appendonly", "yes", "--appenddirname", "aofdir", "--appendfilename", "data.aof"});
  fs::copy(erd.dir() + "/aofdir", back.dir() + "/aofdir");
  back.start();
  Client bc(back.port());
  EXPECT_EQ(bc.cmd({"GET", "written:by"}).str, "erdtree");
  EXPECT_EQ(bc.cmd({"HGET", "after:hash", "f3"}).str, "v3");
  EXPECT_EQ(bc.cmd({"LRANGE", "after:list", "0", "-1"}).strings(), (std::vector<std::string>{"b", "c", "d"}));
}

}  // namespace

TEST(RedisFiles, RedisAofDirectoryWithRdbPreambleLoads) {
  if (!haveRedis() || underRedis()) GTEST_SKIP() << "needs " << kRedisServerBin << " and erdtree";
  redisAofDirectoryRoundTrip("yes", false);
}

TEST(RedisFiles, RedisAofDirectoryWithRespBaseAndTimestampsLoads) {
  if (!haveRedis() || underRedis()) GTEST_SKIP() << "needs " << kRedisServerBin << " and erdtree";
  redisAofDirectoryRoundTrip("no", true);
}

// Erdtree's own files, rewritten with either base kind, pass Debian's checkers.
TEST(RedisFiles, ErdtreeFilesPassRedisCheckers) {
  if (underRedis()) GTEST_SKIP() << "erdtree's files";
  if (!fs::exists(kRedisCheckAof) || !fs::exists(kRedisCheckRdb)) GTEST_SKIP() << "no redis-tools";
  for (const char* preamble : {"yes", "no"}) {
    ServerProcess erd({"--appendonly", "yes", "--aof-use-rdb-preamble", preamble});
    erd.start();
    writeHistory(erd);
    {
      Client c(erd.port());
      ASSERT_EQ(c.cmd({"SAVE"}).repr(), "+OK");
    }
    ASSERT_EQ(erd.stop(), 0);
    expectCheckAofAccepts(erd.dir() + "/appendonlydir/appendonly.aof.manifest");
    ProcessResult check = runProcess({kRedisCheckRdb, erd.dir() + "/dump.rdb"}, "", 30000);
    EXPECT_EQ(check.exitCode(), 0) << check.describe();
    EXPECT_NE(check.out.find("RDB looks OK"), std::string::npos) << check.describe();
  }
}
