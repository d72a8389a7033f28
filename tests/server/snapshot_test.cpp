// The Snapshotter's fork-child rules without a running server: one fork
// child at a time (the hook other children plug into), BGSAVE SCHEDULE and
// BGSAVE inside EXEC deferred to the cron, the status listener behind the
// RDB -MISCONF, and the retry delay after a failed BGSAVE.
#include "erdtree/server/snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "../command/command_test_support.h"

using erdtree::command::Persistence;
using erdtree::server::Snapshotter;
using erdtree::testing::CommandHarness;
using Start = Persistence::BgsaveStart;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/erdtree-snapshot-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

// Drives the cron until the child is reaped (bounded).
bool waitChild(Snapshotter& snap) {
  for (int i = 0; i < 1000 && snap.childActive(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    snap.cron();
  }
  return !snap.childActive();
}

struct Fixture {
  Fixture() {
    config.mutableSettings().dir = dir.path;
    config.mutableSettings().save.clear();  // no rules: only what the test asks for
    h.run({"SET", "k", "v"});
  }
  TempDir dir;
  erdtree::config::Config config;
  CommandHarness h;
};

}  // namespace

TEST(Snapshotter, OneForkChildAtATime) {
  Fixture f;
  Snapshotter snap(f.config, f.h.svc);
  bool other = true;
  snap.setOtherChildActive([&] { return other; });
  EXPECT_EQ(snap.bgsave(false, false), Start::OtherChildActive);
  EXPECT_FALSE(snap.bgsaveScheduled());
  EXPECT_EQ(snap.bgsave(true, false), Start::Scheduled);
  EXPECT_TRUE(snap.bgsaveScheduled());
  snap.cron();
  EXPECT_FALSE(snap.childActive()) << "waits for the other child";
  EXPECT_EQ(snap.saves(), 0u);
  other = false;
  snap.cron();  // the other child is gone: the scheduled BGSAVE starts
  EXPECT_TRUE(snap.childActive());
  EXPECT_FALSE(snap.bgsaveScheduled());
  EXPECT_EQ(snap.bgsave(true, false), Start::AlreadyRunning);
  EXPECT_EQ(snap.save(), "ERR Background save already in progress");
  ASSERT_TRUE(waitChild(snap));
  EXPECT_TRUE(snap.lastBgsaveOk());
  EXPECT_EQ(snap.saves(), 1u);
  EXPECT_TRUE(fs::exists(f.dir.path + "/dump.rdb"));
  EXPECT_EQ(f.h.svc.stats.dirty, 0u);

  // From EXEC: deferred even with no other child, started by the cron.
  EXPECT_EQ(snap.bgsave(false, true), Start::Scheduled);
  EXPECT_FALSE(snap.childActive());
  snap.cron();
  EXPECT_TRUE(snap.childActive());
  ASSERT_TRUE(waitChild(snap));
  EXPECT_EQ(snap.saves(), 2u);
}

TEST(Snapshotter, FailedBgsaveReportsAndWaitsBeforeRetrying) {
  Fixture f;
  Snapshotter snap(f.config, f.h.svc);
  int changes = 0;
  snap.setStatusListener([&] { ++changes; });
  f.config.mutableSettings().dir = f.dir.path + "/missing";
  EXPECT_EQ(snap.bgsave(false, false), Start::Started);
  ASSERT_TRUE(waitChild(snap));
  EXPECT_FALSE(snap.lastBgsaveOk());
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(f.h.svc.stats.dirty, 1u) << "nothing was saved";
  // A failed SAVE leaves the status alone; the retry delay holds a scheduled
  // BGSAVE back.
  EXPECT_NE(snap.save(), "");
  EXPECT_EQ(snap.bgsave(false, true), Start::Scheduled);
  snap.cron();
  EXPECT_FALSE(snap.childActive());
  EXPECT_TRUE(snap.bgsaveScheduled());
  // A good SAVE clears the error (and tells the listener).
  f.config.mutableSettings().dir = f.dir.path;
  EXPECT_EQ(snap.save(), "");
  EXPECT_TRUE(snap.lastBgsaveOk());
  EXPECT_EQ(changes, 2);
  snap.cron();  // status ok again: the scheduled BGSAVE may run
  EXPECT_TRUE(snap.childActive());
  ASSERT_TRUE(waitChild(snap));
  EXPECT_EQ(snap.saves(), 4u);  // both BGSAVEs and both SAVEs
}

TEST(Snapshotter, KillChildRemovesItsTempFileAndKeepsTheStatus) {
  Fixture f;
  std::vector<std::string> mset = {"MSET"};
  for (int i = 0; i < 50000; ++i) {
    mset.push_back("key:" + std::to_string(i));
    mset.push_back(std::string(200, 'x'));
  }
  f.h.run(mset);
  Snapshotter snap(f.config, f.h.svc);
  EXPECT_EQ(snap.bgsave(false, false), Start::Started);
  snap.killChild();
  EXPECT_FALSE(snap.childActive());
  EXPECT_TRUE(snap.lastBgsaveOk());
  for (const auto& e : fs::directory_iterator(f.dir.path))
    EXPECT_EQ(e.path().filename().string().rfind("temp-", 0), std::string::npos) << e.path();
}
