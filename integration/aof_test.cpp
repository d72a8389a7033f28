// The append-only log end to end: every data type (with TTLs, MULTI/EXEC and
// served blocking pops) survives a restart and a kill -9; with appendfsync
// always every acknowledged write survives kill -9 under a pipeline; a torn
// tail is cut off with a warning; corruption stops start-up naming file and
// offset; segments rotate and reload. Erdtree's layout and messages, so these
// skip when the suite runs against redis-server.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
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

std::vector<std::string> incrFiles(const ServerProcess& s) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(s.dir() + "/appendonlydir"))
    if (e.path().filename().string().ends_with(".incr.aof")) out.push_back(e.path().string());
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return fs::path(a).stem().stem().extension().string().size() < fs::path(b).stem().stem().extension().string().size() ||
           (fs::path(a).stem().stem().extension().string().size() ==
                fs::path(b).stem().stem().extension().string().size() &&
            a < b);
  });
  return out;
}

}  // namespace

TEST(Aof, AllTypesSurviveRestartAndKill9) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes", "--appendfsync", "everysec"});
  s.start();
  std::string before;
  {
    Client c(s.port());
    fillAllTypes(c);
    // A blocking pop served later propagates as its non-blocking form.
    Client waiter(s.port());
    waiter.append({"BLPOP", "queue", "5"});
    waiter.flush();
    Client waiter2(s.port());
    waiter2.append({"BLMOVE", "queue2", "dest", "LEFT", "RIGHT", "5"});
    waiter2.flush();
    ASSERT_TRUE(waitFor([&] { return parseInfo(c.cmd({"INFO", "clients"}).str)["blocked_clients"] == "2"; }, 5000));
    c.cmd({"RPUSH", "queue", "j1", "j2"});
    c.cmd({"RPUSH", "queue2", "k1"});
    EXPECT_EQ(waiter.getReply().strings(), (std::vector<std::string>{"queue", "j1"}));
    EXPECT_EQ(waiter2.getReply().str, "k1");
    // The short-lived key expires (its DEL is logged) before the snapshot.
    ASSERT_TRUE(waitFor([&] { return c.cmd({"EXISTS", "short"}).integer == 0; }, 3000));
    auto info = parseInfo(c.cmd({"INFO", "persistence"}).str);
    EXPECT_EQ(info["aof_enabled"], "1");
    EXPECT_EQ(info["aof_last_write_status"], "ok");
    EXPECT_EQ(info["aof_rewrite_in_progress"], "0");
    EXPECT_NE(info["aof_current_size"], "0");
    before = dumpAll(c);
    EXPECT_NE(before.find("queue list"), std::string::npos) << before;
    EXPECT_NE(before.find("dest list"), std::string::npos) << before;
    EXPECT_EQ(before.find("short"), std::string::npos) << before;
  }
  ASSERT_EQ(s.stop(), 0);
  s.start();
  {
    Client c(s.port());
    EXPECT_EQ(dumpAll(c), before);
    c.cmd({"SET", "after", "restart"});
    before = dumpAll(c);
  }
  EXPECT_NE(s.log().find("DB loaded from append only file"), std::string::npos);
  // everysec: the write is in the kernel by the time the reply left, so a
  // kill -9 (not a machine crash) loses nothing.
  expectSameDataAfterRestart(s, before, true);
}

TEST(Aof, AlwaysKeepsEveryAcknowledgedWriteThroughKill9) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes", "--appendfsync", "always"});
  s.start();
  long long acked = 0;
  {
    Client c(s.port());
    const int total = 20000;
    for (int i = 0; i < total; ++i) c.append({"RPUSH", "list", std::to_string(i)});
    c.flush();
    for (int i = 0; i < total / 2; ++i) {
      Reply r = c.getReply();
      ASSERT_FALSE(r.isError()) << r.repr();
      acked = r.integer;
    }
    s.kill9();  // with half the pipeline unacknowledged
  }
  s.start();
  Client c(s.port());
  long long len = c.cmd({"LLEN", "list"}).integer;
  EXPECT_GE(len, acked);
  auto items = c.cmd({"LRANGE", "list", "0", "-1"}).strings();
  ASSERT_EQ(static_cast<long long>(items.size()), len);
  for (long long i = 0; i < len; ++i) ASSERT_EQ(items[static_cast<size_t>(i)], std::to_string(i));
}

TEST(Aof, TruncatedTailStartsWithAWarning) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes"});
  s.start();
  {
    Client c(s.port());
    c.cmd({"SET", "a", "1"});
    c.cmd({"SET", "b", "2"});
  }
  ASSERT_EQ(s.stop(), 0);
  auto files = incrFiles(s);
  ASSERT_EQ(files.size(), 1u);
  std::uintmax_t good = fs::file_size(files.back());
  std::ofstream(files.back(), std::ios::app | std::ios::binary) << "*3\r\n$3\r\nSET\r\n$1\r\nc";
  // aof-load-truncated no refuses.
  s.setExtraArgs({"--appendonly", "yes", "--aof-load-truncated", "no"});
  EXPECT_THROW(s.start(), std::runtime_error);
  EXPECT_NE(s.log().find("aof-load-truncated is no"), std::string::npos) << s.log();
  // The default cuts the half record off.
  s.setExtraArgs({"--appendonly", "yes"});
  s.start();
  EXPECT_NE(s.log().find("short read while loading the AOF file"), std::string::npos) << s.log();
  EXPECT_EQ(fs::file_size(files.back()), good);
  Client c(s.port());
  EXPECT_EQ(c.cmd({"MGET", "a", "b", "c"}).strings(), (std::vector<std::string>{"1", "2", "(nil)"}));
  c.cmd({"SET", "c", "3"});  // appends cleanly after the cut
  ASSERT_EQ(s.stop(), 0);
  s.start();
  Client c2(s.port());
  EXPECT_EQ(c2.cmd({"MGET", "a", "b", "c"}).strings(), (std::vector<std::string>{"1", "2", "3"}));
}

TEST(Aof, CorruptionInTheMiddleRefusesNamingFileAndOffset) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  // appendfsync no: each SET is a checksummed group of its own, so k4's has
  // intact groups after it (damage in the last group would be a torn tail).
  ServerProcess s({"--appendonly", "yes", "--appendfsync", "no"});
  s.start();
  {
    Client c(s.port());
    for (int i = 0; i < 10; ++i) c.cmd({"SET", strCat({"k", std::to_string(i)}), "v"});
  }
  ASSERT_EQ(s.stop(), 0);
  auto files = incrFiles(s);
  ASSERT_EQ(files.size(), 1u);
  std::string data;
  {
    std::ifstream in(files.back(), std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t at = data.find("*3\r\n$3\r\nSET\r\n$2\r\nk4");
  ASSERT_NE(at, std::string::npos);
  data[at + 1] = 'x';  // "*x": not a count
  std::ofstream(files.back(), std::ios::binary | std::ios::trunc) << data;
  EXPECT_THROW(s.start(), std::runtime_error);
  std::string log = s.log();
  EXPECT_NE(log.find(strCat({"appendonly.aof.1.incr.aof at offset ", std::to_string(at)})), std::string::npos) << log;
  EXPECT_EQ(fs::file_size(files.back()), data.size()) << "a corrupt file is never truncated";
}

TEST(Aof, MissingManifestOrListedFileRefuses) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes"});
  s.start();
  {
    Client c(s.port());
    c.cmd({"SET", "a", "1"});
  }
  ASSERT_EQ(s.stop(), 0);
  const std::string manifest = s.dir() + "/appendonlydir/appendonly.aof.manifest";
  fs::rename(manifest, manifest + ".away");
  EXPECT_THROW(s.start(), std::runtime_error);
  EXPECT_NE(s.log().find("but no manifest"), std::string::npos) << s.log();
  fs::rename(manifest + ".away", manifest);
  std::ofstream(manifest, std::ios::app) << "file appendonly.aof.9.incr.aof seq 9 type i\n";
  EXPECT_THROW(s.start(), std::runtime_error);
  EXPECT_NE(s.log().find("appendonly.aof.9.incr.aof listed in appendonly.aof.manifest doesn't exist"),
            std::string::npos)
      << s.log();
}

TEST(Aof, SegmentsRotateAndReload) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  // appendfsync always: no background fsync can postpone a turn's write, so
  // every 50-command batch (6.5 KB) lands in its own turn and rotates.
  ServerProcess s({"--appendonly", "yes", "--appendfsync", "always", "--aof-segment-max-size", "4kb"});
  s.start();
  std::string before;
  {
    Client c(s.port());
    const std::string value(100, 'v');
    for (int i = 0; i < 300; ++i) {
      c.append({"SET", strCat({"key:", std::to_string(i)}), value});
      if (i % 50 == 49) {
        for (int j = 0; j < 50; ++j) ASSERT_EQ(c.getReply().repr(), "+OK");
      }
    }
    c.cmd({"MULTI"});
    c.cmd({"INCR", "n"});
    c.cmd({"SELECT", "3"});
    c.cmd({"INCR", "n"});
    c.cmd({"EXEC"});
    c.cmd({"SELECT", "0"});
    auto info = parseInfo(c.cmd({"INFO", "persistence"}).str);
    EXPECT_GE(std::stoi(info["aof_segment_rotations"]), 3) << info["aof_segment_rotations"];
    // Clients were served all along: the CONFIG SET takes effect at once.
    EXPECT_EQ(c.cmd({"CONFIG", "SET", "aof-segment-max-size", "64mb"}).repr(), "+OK");
    before = dumpAll(c);
  }
  ASSERT_EQ(s.stop(), 0);
  auto files = incrFiles(s);
  EXPECT_GE(files.size(), 4u);
  std::string manifest;
  {
    std::ifstream in(s.dir() + "/appendonlydir/appendonly.aof.manifest");
    manifest.assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_NE(manifest.find("file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n"),
            std::string::npos)
      << manifest;
  s.start();
  Client c(s.port());
  EXPECT_EQ(dumpAll(c), before);
}

// Turning the log on at run time is AofRewrite.ConfigSetAppendonlyYes... (aof_rewrite_test.cpp).
TEST(Aof, ConfigAppendonly) {
  if (underRedis()) GTEST_SKIP() << "erdtree's messages";
  ServerProcess s({"--appendonly", "no"});
  s.start();
  Client c(s.port());
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "appendonly"}).strings(), (std::vector<std::string>{"appendonly", "no"}));
  EXPECT_TRUE(c.cmd({"CONFIG", "SET", "appendfilename", "x.aof"}).isError());  // immutable, as Redis

  ServerProcess on({"--appendonly", "yes", "--appendfsync", "no"});
  on.start();
  Client d(on.port());
  EXPECT_EQ(d.cmd({"CONFIG", "SET", "appendfsync", "always"}).repr(), "+OK");
  d.cmd({"SET", "k", "v"});
  EXPECT_EQ(d.cmd({"CONFIG", "SET", "appendonly", "no"}).repr(), "+OK");
  EXPECT_EQ(parseInfo(d.cmd({"INFO", "persistence"}).str)["aof_enabled"], "0");
  d.cmd({"SET", "notlogged", "v"});
  ASSERT_EQ(on.stop(), 0);
  on.start();
  Client e(on.port());
  EXPECT_EQ(e.cmd({"GET", "k"}).str, "v");
  EXPECT_TRUE(e.cmd({"GET", "notlogged"}).isNil());
}
