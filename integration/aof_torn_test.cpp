// Checksummed record groups on logs the real server wrote: zeros or garbage
// after the last group (a power loss) are cut off with a warning and every
// acknowledged write is back; a damaged early group, or zeros in the middle,
// with intact groups after them refuse start-up naming file and offset; and
// the annotated log stays a valid AOF for Redis 7.0 (redis-check-aof and
// redis-server load it). Erdtree's layout, so these skip under redis-server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/process.h"
#include "harness/server_process.h"

using namespace erdtree::itest;
namespace fs = std::filesystem;

namespace {

constexpr char kRedisCheckAof[] = "/usr/bin/redis-check-aof";
constexpr char kRedisServer[] = "/usr/bin/redis-server";
constexpr int kKeys = 20;

bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }

std::string lastIncr(const ServerProcess& s) { return s.dir() + "/appendonlydir/appendonly.aof.1.incr.aof"; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// Where each group of a checksummed file starts: after the header line and
// after every group's "#EC:" line (the last entry is the end of the file).
std::vector<size_t> groupStarts(const std::string& data) {
  std::vector<size_t> out;
  for (size_t at = data.find("#EC:"); at != std::string::npos; at = data.find("\r\n#EC:", at)) {
    if (at != 0) at += 2;
    out.push_back(data.find("\r\n", at) + 2);
  }
  return out;
}

// kKeys SETs, each its own round trip and so its own group, then a clean stop.
void writeKeys(ServerProcess& s) {
  s.start();
  {
    Client c(s.port());
    for (int i = 0; i < kKeys; ++i)
      ASSERT_EQ(c.cmd({"SET", strCat({"k", std::to_string(i)}), strCat({"v", std::to_string(i)})}).repr(), "+OK");
  }
  ASSERT_EQ(s.stop(), 0);
}

void expectAllKeys(ServerProcess& s) {
  Client c(s.port());
  for (int i = 0; i < kKeys; ++i)
    EXPECT_EQ(c.cmd({"GET", strCat({"k", std::to_string(i)})}).str, strCat({"v", std::to_string(i)})) << i;
}

// The tail is cut with a warning, the data is all there, and the log goes on.
void expectTornTailCut(ServerProcess& s, const std::string& tail) {
  const std::string good = slurp(lastIncr(s));
  spit(lastIncr(s), good + tail);
  s.start();
  EXPECT_NE(s.log().find("torn tail at offset " + std::to_string(good.size())), std::string::npos) << s.log();
  EXPECT_NE(s.log().find("loaded anyway because aof-load-truncated is enabled"), std::string::npos) << s.log();
  EXPECT_EQ(fs::file_size(lastIncr(s)), good.size());
  expectAllKeys(s);
  {
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SET", "after", "cut"}).repr(), "+OK");
  }
  ASSERT_EQ(s.stop(), 0);
  s.start();
  Client again(s.port());
  EXPECT_EQ(again.cmd({"GET", "after"}).str, "cut");
  EXPECT_EQ(s.log().rfind("torn tail"), s.log().find("torn tail")) << "the second start found a clean log";
}

}  // namespace

TEST(AofChecksums, ZerosAfterTheLastGroupAreCutOff) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes"});
  writeKeys(s);
  expectTornTailCut(s, std::string(4096, '\0'));
}

TEST(AofChecksums, GarbageAfterTheLastGroupIsCutOff) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes"});
  writeKeys(s);
  std::mt19937 rng(20240607);
  std::string garbage(3000, '\0');
  for (char& ch : garbage) ch = static_cast<char>(rng());
  expectTornTailCut(s, garbage);
}

TEST(AofChecksums, ATornTailIsRefusedWithAofLoadTruncatedNo) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes", "--aof-load-truncated", "no"});
  writeKeys(s);
  const std::string good = slurp(lastIncr(s));
  spit(lastIncr(s), good + std::string(4096, '\0'));
  EXPECT_THROW(s.start(), std::runtime_error);
  EXPECT_NE(s.log().find("appendonly.aof.1.incr.aof at offset " + std::to_string(good.size())), std::string::npos)
      << s.log();
  EXPECT_NE(s.log().find("aof-load-truncated is no"), std::string::npos) << s.log();
  EXPECT_EQ(fs::file_size(lastIncr(s)), good.size() + 4096);
}

TEST(AofChecksums, ADamagedEarlyGroupRefusesNamingFileAndOffset) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  // appendfsync no: no background fsync postpones a turn's write, so each SET is a group.
  ServerProcess s({"--appendonly", "yes", "--appendfsync", "no"});
  writeKeys(s);
  std::string data = slurp(lastIncr(s));
  const std::vector<size_t> starts = groupStarts(data);
  ASSERT_GE(starts.size(), static_cast<size_t>(kKeys));
  // A byte of k2's value, in the middle of an early group: it still parses.
  const size_t value = data.find("$2\r\nv2\r\n");
  ASSERT_NE(value, std::string::npos);
  data[value + 5] = '7';
  spit(lastIncr(s), data);
  size_t group = 0;
  for (size_t start : starts)
    if (start <= value) group = start;
  EXPECT_THROW(s.start(), std::runtime_error);
  EXPECT_NE(s.log().find("Bad file format reading the append only file appendonly.aof.1.incr.aof at offset " +
                         std::to_string(group)),
            std::string::npos)
      << s.log();
  EXPECT_NE(s.log().find("checksum mismatch"), std::string::npos) << s.log();
  EXPECT_EQ(slurp(lastIncr(s)), data) << "a corrupt file is never modified";
}

TEST(AofChecksums, ZeroPaddingInTheMiddleRefuses) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  // appendfsync no: no background fsync postpones a turn's write, so each SET is a group.
  ServerProcess s({"--appendonly", "yes", "--appendfsync", "no"});
  writeKeys(s);
  std::string data = slurp(lastIncr(s));
  const std::vector<size_t> starts = groupStarts(data);
  ASSERT_GE(starts.size(), 5u);
  const size_t at = starts[3];
  data.insert(at, std::string(4096, '\0'));
  spit(lastIncr(s), data);
  EXPECT_THROW(s.start(), std::runtime_error);
  EXPECT_NE(s.log().find("appendonly.aof.1.incr.aof at offset " + std::to_string(at)), std::string::npos) << s.log();
  EXPECT_NE(s.log().find("intact record group follows"), std::string::npos) << s.log();
  EXPECT_EQ(fs::file_size(lastIncr(s)), data.size());
}

TEST(AofChecksums, TheAnnotatedLogIsAValidAofForRedis) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  if (!fs::exists(kRedisCheckAof)) GTEST_SKIP() << "no " << kRedisCheckAof << " (tools/install-deps.sh: redis-tools)";
  // Several segments, MULTI/EXEC, several dbs.
  ServerProcess s({"--appendonly", "yes", "--appendfsync", "always", "--aof-segment-max-size", "1kb"});
  s.start();
  {
    Client c(s.port());
    for (int i = 0; i < 60; ++i)
      ASSERT_EQ(c.cmd({"SET", strCat({"key:", std::to_string(i)}), std::string(40, 'v')}).repr(), "+OK");
    c.cmd({"MULTI"});
    c.cmd({"INCR", "n"});
    c.cmd({"SELECT", "3"});
    c.cmd({"RPUSH", "l", "a", "b"});
    ASSERT_EQ(c.cmd({"EXEC"}).elements.size(), 3u);
    c.cmd({"SELECT", "0"});
    EXPECT_GE(std::stoi(parseInfo(c.cmd({"INFO", "persistence"}).str)["aof_segment_rotations"]), 2);
  }
  ASSERT_EQ(s.stop(), 0);
  const std::string manifest = s.dir() + "/appendonlydir/appendonly.aof.manifest";
  ProcessResult check = runProcess({kRedisCheckAof, manifest}, "", 30000);
  EXPECT_EQ(check.exitCode(), 0) << check.describe();
  EXPECT_NE(check.out.find("All AOF files and manifest are valid"), std::string::npos) << check.describe();

  if (!fs::exists(kRedisServer)) return;
  // Redis 7.0 loads it too, skipping the annotations.
  ServerProcess redis;
  redis.setBinary(kRedisServer);
  fs::copy(s.dir() + "/appendonlydir", redis.dir() + "/appendonlydir");
  redis.setExtraArgs({"--appendonly", "yes"});
  redis.start();
  Client rc(redis.port());
  EXPECT_EQ(rc.cmd({"DBSIZE"}).integer, 61);
  EXPECT_EQ(rc.cmd({"GET", "key:59"}).str, std::string(40, 'v'));
  EXPECT_EQ(rc.cmd({"GET", "n"}).str, "1");
  rc.cmd({"SELECT", "3"});
  EXPECT_EQ(rc.cmd({"LRANGE", "l", "0", "-1"}).strings(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(redis.stop(), 0);
}
