// RDB save rules, saving on SHUTDOWN and on signals, stop-writes-on-bgsave-error
// and BGSAVE's bookkeeping, as Redis 7.0 behaves (the expected replies were
// taken from redis-server 7.0.15; tests that need erdtree's absolute dump path
// or its log lines skip under ERDTREE_SERVER_BIN=redis-server).
//
// A snapshot is made to fail by removing the directory it is written to
// (root ignores permissions); erdtree writes to dir/dbfilename by absolute
// path, so recreating the directory makes the next save succeed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/server_process.h"

using namespace erdtree::itest;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr char kRdbMisconf[] =
    "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that "
    "may modify the data set are disabled, because this instance is configured to report errors during writes if RDB "
    "snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";

std::map<std::string, std::string> persistence(Client& c) { return parseInfo(c.cmd({"INFO", "persistence"}).str); }

bool bgsaveIdle(Client& c) { return persistence(c)["rdb_bgsave_in_progress"] == "0"; }

// A data directory below the harness's own, so the test can remove it.
std::string subdir(const ServerProcess& s) { return s.dir() + "/data"; }

}  // namespace

TEST(SaveRules, RuleStartsABgsaveOnceChangesAndSecondsAreReached) {
  ServerProcess s({"--appendonly", "no", "--save", "1 2"});
  s.start();
  Client c(s.port());
  ASSERT_EQ(c.cmd({"CONFIG", "GET", "save"}).strings(), (std::vector<std::string>{"save", "1 2"}));
  ASSERT_EQ(c.cmd({"SET", "a", "1"}).repr(), "+OK");
  // One change is not enough for "1 2", however long we wait.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(persistence(c)["rdb_saves"], "0");
  ASSERT_EQ(c.cmd({"SET", "b", "2"}).repr(), "+OK");
  ASSERT_TRUE(waitFor([&] { return persistence(c)["rdb_saves"] == "1" && bgsaveIdle(c); }, 5000, 20));
  auto info = persistence(c);
  EXPECT_EQ(info["rdb_last_bgsave_status"], "ok");
  EXPECT_EQ(info["rdb_changes_since_last_save"], "0");
  EXPECT_NE(info.find("rdb_last_cow_size"), info.end());
  EXPECT_TRUE(fs::exists(s.dir() + "/dump.rdb"));
  if (!s.isRedis()) {
    EXPECT_NE(s.log().find("2 changes in 1 seconds. Saving..."), std::string::npos) << s.log();
  }
  // Nothing changed since: no further snapshot.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(persistence(c)["rdb_saves"], "1");
  // Changes made while the child ran stay counted (none here), and a SET
  // counts again.
  ASSERT_EQ(c.cmd({"SET", "c", "3"}).repr(), "+OK");
  EXPECT_EQ(persistence(c)["rdb_changes_since_last_save"], "1");
}

// The failed BGSAVE turns writes (and PING) into RDB -MISCONF while save rules
// are on and stop-writes-on-bgsave-error is yes; reads go on; the rule waits
// 5 s after a failed attempt; the first good save clears the error.
TEST(SaveRules, FailedBgsaveStopsWritesUntilASaveSucceeds) {
  ServerProcess s;
  if (s.isRedis()) GTEST_SKIP() << "redis-server keeps saving into its deleted working directory";
  s.setExtraArgs({"--appendonly", "no", "--dir", subdir(s), "--save", "1 1"});
  s.start();
  Client c(s.port());
  ASSERT_EQ(c.cmd({"SET", "a", "1"}).repr(), "+OK");
  fs::remove_all(subdir(s));
  // The rule fires after a second and fails.
  Clock::time_point firstAttempt;
  ASSERT_TRUE(waitFor([&] { return persistence(c)["rdb_saves"] == "1"; }, 5000, 10));
  firstAttempt = Clock::now();
  ASSERT_TRUE(waitFor([&] { return persistence(c)["rdb_last_bgsave_status"] == "err"; }, 5000, 10));
  EXPECT_EQ(c.cmd({"SET", "b", "2"}).repr(), kRdbMisconf);
  EXPECT_EQ(c.cmd({"PING"}).repr(), kRdbMisconf);
  EXPECT_EQ(c.cmd({"GET", "a"}).repr(), "$1");
  // MULTI: the write is refused at queue time, EXEC aborts.
  EXPECT_EQ(c.cmd({"MULTI"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"INCR", "n"}).repr(), kRdbMisconf);
  EXPECT_EQ(c.cmd({"EXEC"}).repr().substr(0, 10), "-EXECABORT");
  // The setting and the rules decide.
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "stop-writes-on-bgsave-error", "no"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"SET", "b", "2"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"SET", "b", "3"}).repr(), kRdbMisconf);
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "save", ""}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"SET", "b", "3"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "save", "1 1"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"SET", "b", "4"}).repr(), kRdbMisconf);
  EXPECT_EQ(persistence(c)["rdb_saves"], "1") << "no new attempt within the retry delay";
  // The disk comes back: the rule retries 5 s after the failed attempt.
  fs::create_directories(subdir(s));
  ASSERT_TRUE(waitFor([&] { return persistence(c)["rdb_saves"] == "2"; }, 8000, 10));
  const auto retryAfter = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - firstAttempt);
  EXPECT_GE(retryAfter.count(), 4800);
  EXPECT_LE(retryAfter.count(), 6500);
  ASSERT_TRUE(waitFor([&] { return persistence(c)["rdb_last_bgsave_status"] == "ok"; }, 5000, 10));
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "save", "3600 1"}).repr(), "+OK");  // no more automatic saves here
  EXPECT_EQ(c.cmd({"SET", "b", "5"}).repr(), "+OK");
  EXPECT_TRUE(fs::exists(subdir(s) + "/dump.rdb"));

  // A BGSAVE failing again; a good foreground SAVE clears the error too,
  // while a failed SAVE leaves the status alone (as Redis's rdbSave).
  fs::remove_all(subdir(s));
  EXPECT_EQ(c.cmd({"SAVE"}).repr(), "-ERR");
  EXPECT_EQ(persistence(c)["rdb_last_bgsave_status"], "ok");
  EXPECT_EQ(c.cmd({"BGSAVE"}).repr(), "+Background saving started");
  ASSERT_TRUE(waitFor([&] { return persistence(c)["rdb_last_bgsave_status"] == "err"; }, 5000, 10));
  EXPECT_EQ(c.cmd({"DEL", "a"}).repr(), kRdbMisconf);
  fs::create_directories(subdir(s));
  EXPECT_EQ(c.cmd({"SAVE"}).repr(), "+OK");
  EXPECT_EQ(persistence(c)["rdb_last_bgsave_status"], "ok");
  EXPECT_EQ(c.cmd({"DEL", "a"}).repr(), ":1");
  // Attempts, failed ones included: 2 by the rule, the BGSAVE, both SAVEs.
  EXPECT_EQ(persistence(c)["rdb_saves"], "5");
  s.stop();
}

TEST(SaveRules, ShutdownAndSignalsSaveWhenRulesAreSet) {
  ServerProcess s({"--appendonly", "no", "--save", "3600 1"});
  s.start();
  {
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SET", "by-shutdown", "1"}).repr(), "+OK");
    c.append({"SHUTDOWN"});
    c.flush();
    EXPECT_TRUE(c.waitDisconnected(10000));
  }
  ASSERT_TRUE(s.waitExit(10000)) << s.log();
  EXPECT_TRUE(WIFEXITED(s.exitStatus()) && WEXITSTATUS(s.exitStatus()) == 0) << s.log();
  ASSERT_TRUE(fs::exists(s.dir() + "/dump.rdb"));
  s.start();
  {
    Client c(s.port());
    EXPECT_EQ(c.cmd({"GET", "by-shutdown"}).str, "1");
    auto info = persistence(c);
    EXPECT_EQ(info["rdb_last_load_keys_loaded"], "1");
    EXPECT_EQ(info["rdb_last_load_keys_expired"], "0");
    ASSERT_EQ(c.cmd({"SET", "by-sigterm", "1"}).repr(), "+OK");
  }
  EXPECT_EQ(s.stop(), 0);  // SIGTERM
  s.start();
  {
    Client c(s.port());
    EXPECT_EQ(c.cmd({"GET", "by-sigterm"}).str, "1");
    ASSERT_EQ(c.cmd({"SET", "not-saved", "1"}).repr(), "+OK");
    c.append({"SHUTDOWN", "NOSAVE"});
    c.flush();
    EXPECT_TRUE(c.waitDisconnected(10000));
  }
  ASSERT_TRUE(s.waitExit(10000));
  // Without rules: SIGTERM does not save, SHUTDOWN SAVE does.
  s.setExtraArgs({"--appendonly", "no", "--save", ""});
  s.start();
  {
    Client c(s.port());
    EXPECT_TRUE(c.cmd({"GET", "not-saved"}).isNil());
    EXPECT_EQ(c.cmd({"GET", "by-sigterm"}).str, "1");
    ASSERT_EQ(c.cmd({"SET", "sigterm-no-rules", "1"}).repr(), "+OK");
  }
  EXPECT_EQ(s.stop(), 0);
  s.start();
  {
    Client c(s.port());
    EXPECT_TRUE(c.cmd({"GET", "sigterm-no-rules"}).isNil());
    ASSERT_EQ(c.cmd({"SET", "shutdown-save", "1"}).repr(), "+OK");
    c.append({"SHUTDOWN", "SAVE", "NOW"});
    c.flush();
    EXPECT_TRUE(c.waitDisconnected(10000));
  }
  ASSERT_TRUE(s.waitExit(10000));
  s.start();
  Client c(s.port());
  EXPECT_EQ(c.cmd({"GET", "shutdown-save"}).str, "1");
  EXPECT_EQ(c.cmd({"SHUTDOWN", "ABORT"}).repr(), "-ERR No shutdown in progress.");
  EXPECT_EQ(c.cmd({"SHUTDOWN", "SAVE", "NOSAVE"}).repr(), "-ERR syntax error");
  s.stop();
}

// A final save that fails keeps the server running (SHUTDOWN answers an
// error, a signal is logged); FORCE, NOSAVE or shutdown-on-sigterm nosave
// still stop it. A running BGSAVE child is killed first.
TEST(SaveRules, ShutdownIsRefusedWhenTheFinalSaveFails) {
  ServerProcess s;
  if (s.isRedis()) GTEST_SKIP() << "erdtree's log lines";
  s.setExtraArgs({"--appendonly", "no", "--dir", subdir(s), "--save", "3600 1"});
  s.start();
  Client c(s.port());
  ASSERT_EQ(c.cmd({"SET", "k", "v"}).repr(), "+OK");
  fs::remove_all(subdir(s));
  EXPECT_EQ(c.cmd({"SHUTDOWN"}).repr(), "-ERR Errors trying to SHUTDOWN. Check logs.");
  EXPECT_EQ(c.cmd({"SHUTDOWN", "NOW"}).repr(), "-ERR Errors trying to SHUTDOWN. Check logs.");
  EXPECT_TRUE(s.running());
  EXPECT_EQ(c.cmd({"GET", "k"}).str, "v");
  s.sendSignal(SIGTERM);
  ASSERT_TRUE(waitFor([&] { return s.log().find("SIGTERM received but errors trying to shut down") != std::string::npos; },
                      5000))
      << s.log();
  EXPECT_TRUE(s.running());
  EXPECT_EQ(c.cmd({"PING"}).repr(), "+PONG");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "shutdown-on-sigterm", "nosave"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "shutdown-on-sigterm"}).strings(),
            (std::vector<std::string>{"shutdown-on-sigterm", "nosave"}));
  fs::create_directories(subdir(s));
  // A BGSAVE child running at shutdown is killed and its temp file removed.
  std::vector<std::string> big = {"MSET"};
  for (int i = 0; i < 20000; ++i) {
    big.push_back("key:" + std::to_string(i));
    big.push_back(std::string(100, 'v'));
  }
  ASSERT_EQ(c.cmd(big).repr(), "+OK");
  // Pipelined: the server exits before the BGSAVE reply leaves (as Redis,
  // which exits inside the SHUTDOWN command).
  c.append({"BGSAVE"});
  c.append({"SHUTDOWN", "FORCE"});
  c.flush();
  EXPECT_TRUE(c.waitDisconnected(10000));
  ASSERT_TRUE(s.waitExit(10000)) << s.log();
  EXPECT_EQ(WEXITSTATUS(s.exitStatus()), 0);
  for (const auto& e : fs::directory_iterator(subdir(s)))
    EXPECT_EQ(e.path().filename().string().rfind("temp-", 0), std::string::npos) << e.path();
  EXPECT_NE(s.log().find("Killing it!"), std::string::npos) << s.log();
  // The SHUTDOWN's own save has the 20000 keys.
  s.start();
  Client again(s.port());
  EXPECT_EQ(again.cmd({"DBSIZE"}).integer, 20001);
  // FORCE exits although the save fails; so does SIGTERM with nosave.
  fs::remove_all(subdir(s));
  again.append({"SHUTDOWN", "FORCE"});
  again.flush();
  EXPECT_TRUE(again.waitDisconnected(10000));
  ASSERT_TRUE(s.waitExit(10000)) << s.log();
  EXPECT_NE(s.log().find("Error trying to save the DB. Exit anyway."), std::string::npos);
  fs::create_directories(subdir(s));
  s.setExtraArgs({"--appendonly", "no", "--dir", subdir(s), "--save", "3600 1", "--shutdown-on-sigterm", "nosave"});
  s.start();
  fs::remove_all(subdir(s));
  s.sendSignal(SIGTERM);
  ASSERT_TRUE(s.waitExit(10000)) << s.log();
  EXPECT_EQ(WEXITSTATUS(s.exitStatus()), 0);
}

TEST(SaveRules, BgsaveRepliesAndScheduling) {
  ServerProcess s({"--appendonly", "no", "--save", ""});
  s.start();
  Client c(s.port(), 30000);
  std::vector<std::string> big = {"MSET"};
  for (int i = 0; i < 20000; ++i) {
    big.push_back("key:" + std::to_string(i));
    big.push_back(std::string(100, 'v'));
  }
  ASSERT_EQ(c.cmd(big).repr(), "+OK");
  // Pipelined: the cron cannot reap the child between them.
  c.append({"BGSAVE"});
  c.append({"BGSAVE"});
  c.append({"BGSAVE", "SCHEDULE"});
  c.append({"SAVE"});
  c.flush();
  EXPECT_EQ(c.getReply().repr(), "+Background saving started");
  EXPECT_EQ(c.getReply().repr(), "-ERR Background save already in progress");
  EXPECT_EQ(c.getReply().repr(), "-ERR Background save already in progress");
  EXPECT_EQ(c.getReply().repr(), "-ERR Background save already in progress");
  ASSERT_TRUE(waitFor([&] { return bgsaveIdle(c); }, 10000, 20));
  EXPECT_EQ(persistence(c)["rdb_saves"], "1");
  // BGSAVE SCHEDULE with no other child starts at once.
  EXPECT_EQ(c.cmd({"BGSAVE", "SCHEDULE"}).repr(), "+Background saving started");
  ASSERT_TRUE(waitFor([&] { return bgsaveIdle(c); }, 10000, 20));
  // Inside EXEC it is deferred to the cron (a fork now would see half the
  // transaction), then runs.
  EXPECT_EQ(c.cmd({"MULTI"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"SET", "x", "1"}).repr(), "+QUEUED");
  EXPECT_EQ(c.cmd({"BGSAVE"}).repr(), "+QUEUED");
  EXPECT_EQ(c.cmd({"EXEC"}).repr(), "[+OK, +Background saving scheduled]");
  ASSERT_TRUE(waitFor([&] { return persistence(c)["rdb_saves"] == "3" && bgsaveIdle(c); }, 10000, 20));
  auto info = persistence(c);
  EXPECT_EQ(info["rdb_last_bgsave_status"], "ok");
  EXPECT_EQ(info["rdb_changes_since_last_save"], "0");
  EXPECT_NE(info["rdb_last_cow_size"], "");
  s.stop();
}

// With save rules on, FLUSHALL rewrites the snapshot at once (Redis), so a
// crash right after does not bring the flushed keys back; without rules the
// old snapshot stays.
TEST(SaveRules, FlushallResetsTheSnapshotWhenRulesAreOn) {
  ServerProcess s({"--appendonly", "no", "--save", "3600 1"});
  s.start();
  {
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SET", "a", "1"}).repr(), "+OK");
    ASSERT_EQ(c.cmd({"SAVE"}).repr(), "+OK");
    ASSERT_EQ(c.cmd({"FLUSHALL"}).repr(), "+OK");
    EXPECT_EQ(persistence(c)["rdb_changes_since_last_save"], "0");
  }
  s.kill9();
  s.start();
  {
    Client c(s.port());
    EXPECT_EQ(c.cmd({"DBSIZE"}).integer, 0);
  }
  s.kill9();
  s.setExtraArgs({"--appendonly", "no", "--save", ""});
  s.start();
  {
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SET", "a", "1"}).repr(), "+OK");
    ASSERT_EQ(c.cmd({"SAVE"}).repr(), "+OK");
    ASSERT_EQ(c.cmd({"FLUSHALL"}).repr(), "+OK");
  }
  s.kill9();
  s.start();
  Client c(s.port());
  EXPECT_EQ(c.cmd({"GET", "a"}).str, "1");
  s.stop();
}
