// A full disk gives errors, never corruption. Each test mounts a 4 MB tmpfs
// (we run as root; without the privilege to mount the tests skip), runs the
// server with its data directory there, fills the disk (a filler file the
// test can delete again, plus the server's own writes) and checks:
//   - appendfsync everysec: writes and PING get the AOF -MISCONF, reads go
//     on, nothing crashes; freeing space lets the server recover by itself;
//     a clean restart has every write that was acknowledged with +OK, and
//     erdtree-check-aof finds the log valid;
//   - a BGSAVE onto the full disk fails (rdb_last_bgsave_status:err, no temp
//     file left), with save rules on writes get the RDB -MISCONF, which wins
//     over the AOF one; after freeing space a BGSAVE succeeds and writes work;
//     both the log and the snapshot load afterwards;
//   - appendfsync always: the server exits (it cannot take back replies that
//     promised durability) and a restart has every acknowledged write.
// The tmpfs is unmounted in TearDown, also when a test fails.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
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

constexpr char kAofMisconf[] = "-MISCONF Errors writing to the AOF file: No space left on device";
constexpr char kRdbMisconf[] =
    "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that "
    "may modify the data set are disabled, because this instance is configured to report errors during writes if RDB "
    "snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";
constexpr size_t kValueSize = 10000;

std::string key(int i) { return "key:" + std::to_string(i); }
// Incompressible (the snapshot's LZF must not shrink it), different per key.
std::string value(int i) {
  std::mt19937 rng(static_cast<uint32_t>(i));
  std::string v(kValueSize, ' ');
  for (char& ch : v) ch = static_cast<char>('!' + rng() % 90);
  return v + std::to_string(i);
}

std::map<std::string, std::string> persistence(Client& c) { return parseInfo(c.cmd({"INFO", "persistence"}).str); }

uint64_t freeBytes(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

// Writes up to `bytes` into a new file (less when the disk fills first).
void writeFiller(const std::string& path, uint64_t bytes) {
  std::ofstream out(path, std::ios::binary);
  const std::string chunk(64 * 1024, 'F');
  while (bytes > 0 && out) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(bytes, chunk.size()));
    out.write(chunk.data(), static_cast<std::streamsize>(n));
    bytes -= n;
  }
}

class DiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/erdtree-diskfull-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr) << std::strerror(errno);
    mountPoint_ = tmpl;
    if (::mount("tmpfs", mountPoint_.c_str(), "tmpfs", 0, "size=4m") != 0) {
      const int e = errno;
      ::rmdir(mountPoint_.c_str());
      mountPoint_.clear();
      if (e == EPERM || e == EACCES || e == ENODEV)
        GTEST_SKIP() << "cannot mount a tmpfs (" << std::strerror(e) << "); needs root / CAP_SYS_ADMIN";
      FAIL() << "mount tmpfs: " << std::strerror(e);
    }
    mounted_ = true;
    data_ = mountPoint_ + "/data";
    fs::create_directories(data_);
  }
  void TearDown() override {
    if (mounted_ && ::umount2(mountPoint_.c_str(), MNT_DETACH) != 0)
      ADD_FAILURE() << "umount " << mountPoint_ << ": " << std::strerror(errno);
    if (!mountPoint_.empty()) ::rmdir(mountPoint_.c_str());
  }

  std::string filler() const { return mountPoint_ + "/filler"; }
  // Leaves about `keep` bytes free on the tmpfs.
  void fillLeaving(uint64_t keep) {
    const uint64_t avail = freeBytes(mountPoint_);
    writeFiller(filler(), avail > keep ? avail - keep : 0);
  }
  // SETs key(i) from `from` until a write is refused; returns the refusal
  // (the acknowledged indexes are appended to acked).
  std::string setUntilRefused(Client& c, int from, std::vector<int>& acked) {
    for (int i = from; i < from + 2000; ++i) {
      Reply r = c.cmd({"SET", key(i), value(i)});
      if (r.isError()) return r.repr();
      EXPECT_EQ(r.repr(), "+OK");
      acked.push_back(i);
    }
    return "(never refused)";
  }
  static void expectAll(Client& c, const std::vector<int>& acked) {
    EXPECT_EQ(c.cmd({"DBSIZE"}).integer, static_cast<long long>(acked.size()));
    for (int i : acked) {
      Reply r = c.cmd({"GET", key(i)});
      ASSERT_FALSE(r.isNil()) << key(i) << " was acknowledged but is missing";
      ASSERT_EQ(r.str, value(i)) << key(i);
    }
  }

  std::string mountPoint_;
  std::string data_;
  bool mounted_ = false;
};

TEST_F(DiskFull, EverysecRefusesWritesKeepsReadsAndRecovers) {
  ServerProcess s;
  s.setExtraArgs({"--dir", data_, "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""});
  s.start();
  Client c(s.port());
  writeFiller(filler(), 2u << 20);
  std::vector<int> acked;
  const std::string refusal = setUntilRefused(c, 0, acked);
  ASSERT_EQ(refusal, kAofMisconf);
  ASSERT_GT(acked.size(), 10u);
  // Reads work and see every acknowledged write; writes and PING are refused.
  EXPECT_EQ(c.cmd({"GET", key(acked.front())}).str, value(acked.front()));
  EXPECT_EQ(c.cmd({"GET", key(acked.back())}).str, value(acked.back()));
  EXPECT_EQ(c.cmd({"DBSIZE"}).integer, static_cast<long long>(acked.size()));
  EXPECT_EQ(c.cmd({"PING"}).repr(), kAofMisconf);
  EXPECT_EQ(c.cmd({"DEL", key(0)}).repr(), kAofMisconf);
  EXPECT_EQ(c.cmd({"SET", "big", std::string(1 << 20, 'b')}).repr(), kAofMisconf);
  EXPECT_EQ(persistence(c)["aof_last_write_status"], "err");
  for (int i = 0; i < 20; ++i) ASSERT_EQ(c.cmd({"INCR", "n"}).repr(), kAofMisconf);
  EXPECT_TRUE(s.running());

  // Space comes back: the buffered records are written and writes resume.
  fs::remove(filler());
  ASSERT_TRUE(waitFor([&] { return c.cmd({"PING"}).repr() == "+PONG"; }, 5000, 50)) << s.log();
  EXPECT_EQ(persistence(c)["aof_last_write_status"], "ok");
  for (int i = 5000; i < 5020; ++i) {
    ASSERT_EQ(c.cmd({"SET", key(i), value(i)}).repr(), "+OK");
    acked.push_back(i);
  }
  EXPECT_EQ(s.stop(), 0) << s.log();

  // Every acknowledged write is there; the log is valid.
  s.start();
  Client again(s.port());
  expectAll(again, acked);
  EXPECT_EQ(s.stop(), 0);
  if (!s.isRedis()) {
    ProcessResult check = runProcess(
        {ERDTREE_CHECK_AOF_PATH, data_ + "/appendonlydir/appendonly.aof.manifest"}, "", 30000);
    EXPECT_EQ(check.exitCode(), 0) << check.describe();
  }
}

// A snapshot needs room for the whole data set: with the log still fitting,
// a BGSAVE fails; with save rules on, writes then get the RDB -MISCONF, which
// wins over the log's own error (Redis checks it first).
TEST_F(DiskFull, BgsaveOntoAFullDiskStopsWritesUntilASnapshotSucceeds) {
  ServerProcess s;
  s.setExtraArgs({"--dir", data_, "--appendonly", "yes", "--appendfsync", "everysec", "--save", "3600 1"});
  s.start();
  Client c(s.port());
  std::vector<int> acked;
  // 600 KB in the log: the final save later needs room for the old snapshot,
  // its successor and the log together.
  for (int i = 0; i < 60; ++i) {
    ASSERT_EQ(c.cmd({"SET", key(i), value(i)}).repr(), "+OK");
    acked.push_back(i);
  }
  fillLeaving(300 * 1024);
  EXPECT_EQ(c.cmd({"BGSAVE"}).repr(), "+Background saving started");
  ASSERT_TRUE(waitFor([&] { return persistence(c)["rdb_bgsave_in_progress"] == "0"; }, 10000, 20));
  auto info = persistence(c);
  EXPECT_EQ(info["rdb_last_bgsave_status"], "err");
  EXPECT_EQ(info["aof_last_write_status"], "ok");
  for (const auto& e : fs::directory_iterator(data_))
    EXPECT_EQ(e.path().filename().string().rfind("temp-", 0), std::string::npos) << "left behind: " << e.path();
  EXPECT_EQ(c.cmd({"SET", "x", "1"}).repr(), kRdbMisconf);
  EXPECT_EQ(c.cmd({"PING"}).repr(), kRdbMisconf);
  EXPECT_EQ(c.cmd({"GET", key(7)}).str, value(7));

  // Let writes through to fill the log too: the AOF error shows...
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "stop-writes-on-bgsave-error", "no"}).repr(), "+OK");
  EXPECT_EQ(setUntilRefused(c, 1000, acked), kAofMisconf);
  // ...until the RDB condition is back, which is reported first.
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"SET", "x", "1"}).repr(), kRdbMisconf);
  EXPECT_TRUE(s.running());

  // Space comes back: the log recovers on its own, the RDB error stays until
  // a snapshot succeeds.
  fs::remove(filler());
  ASSERT_TRUE(waitFor([&] { return persistence(c)["aof_last_write_status"] == "ok"; }, 5000, 50)) << s.log();
  EXPECT_EQ(c.cmd({"SET", "x", "1"}).repr(), kRdbMisconf);
  EXPECT_EQ(c.cmd({"BGSAVE"}).repr(), "+Background saving started");
  ASSERT_TRUE(waitFor([&] { return persistence(c)["rdb_bgsave_in_progress"] == "0"; }, 10000, 20));
  EXPECT_EQ(persistence(c)["rdb_last_bgsave_status"], "ok");
  EXPECT_EQ(c.cmd({"SET", key(2000), value(2000)}).repr(), "+OK");
  acked.push_back(2000);
  EXPECT_EQ(s.stop(), 0) << s.log();  // saves again (rules on), flushes the log

  // Both the log and the snapshot load and have every acknowledged write.
  s.start();
  {
    Client again(s.port());
    expectAll(again, acked);
  }
  EXPECT_EQ(s.stop(), 0);
  s.setExtraArgs({"--dir", data_, "--appendonly", "no", "--save", ""});
  s.start();
  Client fromRdb(s.port());
  expectAll(fromRdb, acked);
  s.stop();
}

// appendfsync always: a reply means the write is on disk, so a write that
// fails cannot be answered nor taken back; the server exits (Redis does the
// same). Everything it acknowledged comes back after a restart.
TEST_F(DiskFull, AlwaysExitsAndKeepsEveryAcknowledgedWrite) {
  ServerProcess s;
  s.setExtraArgs({"--dir", data_, "--appendonly", "yes", "--appendfsync", "always", "--save", ""});
  s.start();
  std::vector<int> acked;
  writeFiller(filler(), 3u << 20);
  {
    Client c(s.port());
    bool closed = false;
    for (int i = 0; i < 2000 && !closed; ++i) {
      try {
        Reply r = c.cmd({"SET", key(i), value(i)});
        ASSERT_EQ(r.repr(), "+OK") << "no reply but +OK may come before the exit";
        acked.push_back(i);
      } catch (const std::runtime_error&) {
        closed = true;  // the server exited without answering this one
      }
    }
    ASSERT_TRUE(closed) << "the server never gave up";
  }
  ASSERT_TRUE(s.waitExit(10000));
  EXPECT_TRUE(WIFEXITED(s.exitStatus())) << s.exitStatus();
  EXPECT_EQ(WEXITSTATUS(s.exitStatus()), 1) << s.log();
  ASSERT_GT(acked.size(), 10u);

  fs::remove(filler());
  s.start();  // a torn last record (the unanswered write) is cut off, as aof-load-truncated allows
  Client c(s.port());
  const long long keys = c.cmd({"DBSIZE"}).integer;
  EXPECT_GE(keys, static_cast<long long>(acked.size()));
  EXPECT_LE(keys, static_cast<long long>(acked.size()) + 1);  // the unanswered one may have reached the disk
  for (int i : acked) ASSERT_EQ(c.cmd({"GET", key(i)}).str, value(i)) << key(i);
  s.stop();
}

}  // namespace
