// erdtree-check-aof (tools/aof_check) on logs the real server wrote: a valid
// log passes; a torn tail (a cut record, an unfinished MULTI, zeros after the
// last checksummed group) is reported with its offset and --fix cuts it so a
// server with aof-load-truncated no starts again with every complete record;
// damage before an intact group is reported as corruption.
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
  // appendfsync no: each SET is a checksummed group of its own.
  ServerProcess s({"--appendonly", "yes", "--appendfsync", "no"});
  s.start();
  {
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SET", "a", "1"}).repr(), "+OK");
    ASSERT_EQ(c.cmd({"SET", "b", "2"}).repr(), "+OK");
  }
  ASSERT_EQ(s.stop(), 0);
  std::string data;
  {
    std::ifstream in(incrOf(s), std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t first = data.find("\r\n") + 2;  // the first group starts after the header line
  const size_t at = data.find("*3\r\n$3\r\nSET\r\n$1\r\na");
  ASSERT_NE(at, std::string::npos);
  data[at + 1] = 'x';  // "*x": not a count, in the first of two groups
  std::ofstream(incrOf(s), std::ios::binary | std::ios::trunc) << data;
  auto r = checkAof({incrOf(s)});
  EXPECT_EQ(r.exitCode(), 1) << r.describe();
  EXPECT_NE(r.out.find("corrupt at offset " + std::to_string(at)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("valid up to offset " + std::to_string(first)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("intact record group follows"), std::string::npos) << r.out;
  auto usage = checkAof({});
  EXPECT_EQ(usage.exitCode(), 2) << usage.describe();
}

TEST(AofCheck, ReportsAndFixesZerosAfterTheLastGroup) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes", "--aof-load-truncated", "no"});
  s.start();
  {
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SET", "a", "1"}).repr(), "+OK");
  }
  ASSERT_EQ(s.stop(), 0);
  const auto good = fs::file_size(incrOf(s));
  append(incrOf(s), std::string(4096, '\0'));
  auto bad = checkAof({manifestOf(s)});
  EXPECT_EQ(bad.exitCode(), 1) << bad.describe();
  EXPECT_NE(bad.out.find("torn tail at offset " + std::to_string(good)), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("checksummed group(s), valid up to offset " + std::to_string(good)), std::string::npos)
      << bad.out;
  auto fixed = checkAof({"--fix", manifestOf(s)});
  EXPECT_EQ(fixed.exitCode(), 0) << fixed.describe();
  EXPECT_EQ(fs::file_size(incrOf(s)), good);
  s.start();  // aof-load-truncated no: the log is whole again
  Client c(s.port());
  EXPECT_EQ(c.cmd({"GET", "a"}).str, "1");
}

}  // namespace
// A rewritten log's RDB base is judged by the server's RDB loader.
TEST(AofCheck, ChecksTheRdbBaseOfARewrittenLog) {
  if (underRedis()) GTEST_SKIP() << "erdtree's log layout";
  ServerProcess s({"--appendonly", "yes"});
  s.start();
  {
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SET", "a", "1"}).repr(), "+OK");
    ASSERT_EQ(c.cmd({"SADD", "s", "x", "y"}).repr(), ":2");
    ASSERT_EQ(c.cmd({"BGREWRITEAOF"}).repr(), "+Background append only file rewriting started");
    ASSERT_TRUE(waitFor([&] { return parseInfo(c.cmd({"INFO", "persistence"}).str)["aof_rewrites"] == "1"; }, 10000));
  }
  ASSERT_EQ(s.stop(), 0);
  auto ok = checkAof({manifestOf(s)});
  EXPECT_EQ(ok.exitCode(), 0) << ok.describe();
  EXPECT_NE(ok.out.find("RDB base, "), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("2 key(s), valid"), std::string::npos) << ok.out;

  const std::string base = s.dir() + "/appendonlydir/appendonly.aof.1.base.rdb";
  fs::resize_file(base, fs::file_size(base) - 12);  // the end of the file and its checksum
  auto bad = checkAof({manifestOf(s)});
  EXPECT_EQ(bad.exitCode(), 1) << bad.describe();
  EXPECT_NE(bad.out.find("RDB base, invalid"), std::string::npos) << bad.out;
}

}  // namespace erdtree::itest
