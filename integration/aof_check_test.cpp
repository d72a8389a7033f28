// erdtree-check-aof (tools/aof_check) on logs the real server wrote: a valid
// log passes; a torn tail and an unfinished MULTI are reported with their
// offsets and --fix cuts them so a server with aof-load-truncated no starts
// again with every complete record; corruption in the middle is reported.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/process.h"
#include "harness/server_process.h"

namespace erdtree::itest {
namespace {

namespace fs = std::filesystem;

bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }

ProcessResult checkAof(const std::vector<std::string>& args) {
  std::vector<std::string> argv{ERDTREE_CHECK_AOF_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return runProcess(argv, "", 30000);
}

std::string manifestOf(const ServerProcess& s) { return s.dir() + "/appendonlydir/appendonly.aof.manifest"; }
std::string incrOf(const ServerProcess& s) { return s.dir() + "/appendonlydir/appendonly.aof.1.incr.aof"; }

void append(const std::string& file, const std::string& bytes) {
  std::ofstream(file, std::ios::app | std::ios::binary) << bytes;
}

TEST(AofCheck, ReportsAndFixesATornTailAndAnUnfinishedMulti) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes", "--aof-load-truncated", "no"});
  s.start();
  {
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SET", "a", "1"}).repr(), "+OK");
    ASSERT_EQ(c.cmd({"RPUSH", "l", "x", "y"}).repr(), ":2");
  }
  ASSERT_EQ(s.stop(), 0);
  auto ok = checkAof({manifestOf(s)});
  EXPECT_EQ(ok.exitCode(), 0) << ok.describe();
  EXPECT_NE(ok.out.find("AOF is valid"), std::string::npos) << ok.out;

  const auto good = fs::file_size(incrOf(s));
  append(incrOf(s), "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$1\r\nc");
  auto bad = checkAof({manifestOf(s)});
  EXPECT_EQ(bad.exitCode(), 1) << bad.describe();
  EXPECT_NE(bad.out.find("valid up to offset " + std::to_string(good)), std::string::npos) << bad.out;
  EXPECT_THROW(s.start(), std::runtime_error);  // aof-load-truncated no refuses the torn log

  auto fixed = checkAof({"--fix", manifestOf(s)});
  EXPECT_EQ(fixed.exitCode(), 0) << fixed.describe();
  EXPECT_EQ(fs::file_size(incrOf(s)), good);  // the whole unfinished MULTI went
  s.start();
  Client c(s.port());
  EXPECT_EQ(c.cmd({"GET", "a"}).str, "1");
  EXPECT_EQ(c.cmd({"LLEN", "l"}).integer, 2);
  EXPECT_EQ(c.cmd({"EXISTS", "b"}).integer, 0);
}

TEST(AofCheck, ReportsCorruptionWithItsOffset) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes"});
  s.start();
  {
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SET", "a", "1"}).repr(), "+OK");
  }
  ASSERT_EQ(s.stop(), 0);
  const auto good = fs::file_size(incrOf(s));
  append(incrOf(s), "garbage\r\n*1\r\n$4\r\nPING\r\n");
  auto r = checkAof({incrOf(s)});
  EXPECT_EQ(r.exitCode(), 1) << r.describe();
  EXPECT_NE(r.out.find("corrupt at offset " + std::to_string(good)), std::string::npos) << r.out;
  auto usage = checkAof({});
  EXPECT_EQ(usage.exitCode(), 2) << usage.describe();
}

}  // namespace
}  // namespace erdtree::itest
