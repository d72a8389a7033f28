// Crash tests for the log's file switches: the server is killed (SIGKILL,
// through the ERDTREE_CRASH_AT crash points of util/crash_point.h, so the
// instant is exact) while it rotates a segment, replaces the manifest,
// installs a rewrite's base or removes old files, and (kill -9 from outside)
// while a rewrite child is writing. Each time a pipelined write load with
// appendfsync always is running: after a restart every acknowledged write
// is there, in order. Erdtree's crash points, so these skip against
// redis-server.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/dataset.h"
#include "harness/server_process.h"

using namespace erdtree::itest;
namespace fs = std::filesystem;

namespace {

bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }

// Sets the crash point for the next start() only.
void startWithCrashPoint(ServerProcess& s, const char* point) {
  ::setenv("ERDTREE_CRASH_AT", point, 1);
  try {
    s.start();
  } catch (...) {
    ::unsetenv("ERDTREE_CRASH_AT");
    throw;
  }
  ::unsetenv("ERDTREE_CRASH_AT");
}

// RPUSHes 0, 1, 2, ... in pipelined batches (a BGREWRITEAOF from a second
// client every rewriteEvery batches, if non-zero) until the server dies or
// maxBatches pass. Returns how many pushes were acknowledged.
long long pushUntilDeath(ServerProcess& s, int rewriteEvery, int maxBatches = 400) {
  Client c(s.port(), 3000);
  Client admin(s.port(), 3000);
  const std::string pad(64, 'p');
  long long acked = 0;
  long long next = 0;
  try {
    for (int batch = 0; batch < maxBatches; ++batch) {
      for (int i = 0; i < 100; ++i) c.append({"RPUSH", "list", std::to_string(next++), pad});
      c.flush();
      for (int i = 0; i < 100; ++i) {
        Reply r = c.getReply();
        if (r.isError()) throw std::runtime_error(r.str);
        acked = r.integer / 2;
      }
      if (rewriteEvery > 0 && batch % rewriteEvery == rewriteEvery - 1) admin.cmd({"BGREWRITEAOF"});
    }
  } catch (const std::runtime_error&) {
    // The connection went down with the server.
  }
  return acked;
}

// After the restart: the list holds at least every acknowledged push, in order.
void expectAcknowledgedPresent(ServerProcess& s, long long acked) {
  s.start();
  Client c(s.port());
  const long long len = c.cmd({"LLEN", "list"}).integer / 2;
  EXPECT_GE(len, acked);
  auto items = c.cmd({"LRANGE", "list", "0", "-1"}).strings();
  ASSERT_EQ(static_cast<long long>(items.size()), len * 2);
  for (long long i = 0; i < len; ++i) ASSERT_EQ(items[static_cast<size_t>(2 * i)], std::to_string(i));
  // And the log keeps working from there.
  EXPECT_EQ(c.cmd({"SET", "after", "restart"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"BGREWRITEAOF"}).repr(), "+Background append only file rewriting started");
  ASSERT_TRUE(waitFor([&] { return parseInfo(c.cmd({"INFO", "persistence"}).str)["aof_rewrites"] == "1"; }, 10000));
  for (const auto& e : fs::directory_iterator(s.dir() + "/appendonlydir"))
    EXPECT_FALSE(e.path().filename().string().starts_with("temp-")) << e.path();
}

void crashAt(const char* point, std::vector<std::string> args, int rewriteEvery) {
  ServerProcess s(args);
  s.start();  // the fresh log's manifest, before any crash point is armed
  ASSERT_EQ(s.stop(), 0);
  startWithCrashPoint(s, point);
  const long long acked = pushUntilDeath(s, rewriteEvery);
  ASSERT_TRUE(s.waitExit(5000)) << "the server did not reach " << point;
  EXPECT_TRUE(WIFSIGNALED(s.exitStatus()) && WTERMSIG(s.exitStatus()) == SIGKILL) << s.exitStatus();
  EXPECT_GT(acked, 0);
  expectAcknowledgedPresent(s, acked);
}

const std::vector<std::string> kAlways = {"--appendonly", "yes", "--appendfsync", "always"};
std::vector<std::string> smallSegments() {
  auto a = kAlways;
  a.insert(a.end(), {"--aof-segment-max-size", "32kb"});  // a few batches per segment
  return a;
}

}  // namespace

TEST(AofCrash, DuringRotationBeforeTheManifestSwitch) {
  if (underRedis()) GTEST_SKIP() << "erdtree's crash points";
  crashAt("rotation-before-manifest", smallSegments(), 0);
}

TEST(AofCrash, DuringTheManifestReplaceBeforeRename) {
  if (underRedis()) GTEST_SKIP() << "erdtree's crash points";
  crashAt("manifest-before-rename", smallSegments(), 0);
}

TEST(AofCrash, DuringRewriteBeforeTheNewManifest) {
  if (underRedis()) GTEST_SKIP() << "erdtree's crash points";
  crashAt("rewrite-before-manifest", kAlways, 5);
}

TEST(AofCrash, DuringRewriteBeforeOldFilesAreRemoved) {
  if (underRedis()) GTEST_SKIP() << "erdtree's crash points";
  crashAt("rewrite-before-unlink", kAlways, 5);
}

// kill -9 of the server while its rewrite child writes: the child dies with
// it (PR_SET_PDEATHSIG), the old manifest is in force, the temp files go.
TEST(AofCrash, Kill9WhileTheRewriteChildWrites) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s(kAlways);
  s.start();
  std::string before;
  {
    Client c(s.port());
    fillAllTypes(c);
    // One big hash: enough for the child to take a while, one reply to dump.
    for (int i = 0; i < 200000; ++i) c.append({"HSET", "big", strCat({"f", std::to_string(i)}), "value-value-value"});
    c.flush();
    for (int i = 0; i < 200000; ++i) ASSERT_EQ(c.getReply().integer, 1);
    before = dumpAll(c);
    EXPECT_EQ(c.cmd({"BGREWRITEAOF"}).repr(), "+Background append only file rewriting started");
    c.cmd({"SET", "during", "rewrite"});
    EXPECT_EQ(parseInfo(c.cmd({"INFO", "persistence"}).str)["aof_rewrite_in_progress"], "1");
  }
  s.kill9();
  s.start();
  Client c(s.port());
  EXPECT_EQ(c.cmd({"GET", "during"}).str, "rewrite");
  c.cmd({"DEL", "during"});
  EXPECT_EQ(dumpAll(c), before);
  for (const auto& e : fs::directory_iterator(s.dir() + "/appendonlydir"))
    EXPECT_FALSE(e.path().filename().string().starts_with("temp-")) << e.path();
}

// everysec: a process crash loses nothing acknowledged either (each reply
// leaves after its record reached the kernel); only a machine crash can
// lose the last second, which a test on one machine cannot stage.
TEST(AofCrash, EverysecKill9UnderLoadKeepsAcknowledgedWrites) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes", "--appendfsync", "everysec", "--aof-segment-max-size", "64kb"});
  s.start();
  long long acked = 0;
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    s.kill9();
  });
  acked = pushUntilDeath(s, 20, 100000);
  killer.join();
  EXPECT_GT(acked, 0);
  expectAcknowledgedPresent(s, acked);
}
