// SAVE / BGSAVE [SCHEDULE] / SHUTDOWN option parsing and replies, against a
// fake snapshotter and server (the real ones are in integration/).
#include <gtest/gtest.h>

#include "command_test_support.h"

using erdtree::command::Persistence;
using erdtree::testing::CommandHarness;

namespace {

class FakePersistence : public Persistence {
 public:
  std::string save() override {
    ++saves;
    return saveError;
  }
  BgsaveStart bgsave(bool schedule, bool inTransaction) override {
    lastSchedule = schedule;
    lastInTransaction = inTransaction;
    return answer;
  }
  bool saveInProgress() const override { return inProgress; }
  int64_t lastSaveTime() const override { return 1700000000; }
  void flushedAll() override { ++flushes; }

  BgsaveStart answer = BgsaveStart::Started;
  std::string saveError;
  bool inProgress = false;
  bool lastSchedule = false;
  bool lastInTransaction = false;
  int saves = 0;
  int flushes = 0;
};

struct PersistenceHarness : CommandHarness {
  PersistenceHarness() { svc.persistence = &fake; }
  FakePersistence fake;
};

}  // namespace

TEST(PersistenceCommands, BgsaveRepliesAsRedis70) {
  PersistenceHarness h;
  using S = Persistence::BgsaveStart;
  EXPECT_EQ(h.run({"BGSAVE"}), "+Background saving started\r\n");
  EXPECT_FALSE(h.fake.lastSchedule);
  h.fake.answer = S::Scheduled;
  EXPECT_EQ(h.run({"BGSAVE", "schedule"}), "+Background saving scheduled\r\n");
  EXPECT_TRUE(h.fake.lastSchedule);
  h.fake.answer = S::AlreadyRunning;
  EXPECT_EQ(h.run({"BGSAVE"}), "-ERR Background save already in progress\r\n");
  h.fake.answer = S::OtherChildActive;
  EXPECT_EQ(h.run({"BGSAVE"}),
            "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to "
            "schedule a BGSAVE whenever possible.\r\n");
  h.fake.answer = S::Failed;
  EXPECT_EQ(h.run({"BGSAVE"}), "-ERR\r\n");
  EXPECT_EQ(h.run({"BGSAVE", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"BGSAVE", "schedule", "x"}), "-ERR syntax error\r\n");
}

TEST(PersistenceCommands, BgsaveInsideExecIsDeferred) {
  PersistenceHarness h;
  h.fake.answer = Persistence::BgsaveStart::Scheduled;
  EXPECT_EQ(h.run({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(h.run({"BGSAVE"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"EXEC"}), "*1\r\n+Background saving scheduled\r\n");
  EXPECT_TRUE(h.fake.lastInTransaction);
  h.fake.answer = Persistence::BgsaveStart::Started;
  EXPECT_EQ(h.run({"BGSAVE"}), "+Background saving started\r\n");
  EXPECT_FALSE(h.fake.lastInTransaction);
}

TEST(PersistenceCommands, SaveAndFlushall) {
  PersistenceHarness h;
  EXPECT_EQ(h.run({"SAVE"}), "+OK\r\n");
  h.fake.saveError = "disk full";
  EXPECT_EQ(h.run({"SAVE"}), "-ERR\r\n");
  h.fake.inProgress = true;
  EXPECT_EQ(h.run({"SAVE"}), "-ERR Background save already in progress\r\n");
  EXPECT_EQ(h.fake.saves, 2);
  EXPECT_EQ(h.run({"LASTSAVE"}), ":1700000000\r\n");
  EXPECT_EQ(h.run({"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(h.fake.flushes, 1);
  h.session.internal = true;  // log replay does not rewrite the snapshot
  EXPECT_EQ(h.run({"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(h.fake.flushes, 1);
}

TEST(PersistenceCommands, ShutdownOptions) {
  CommandHarness h;
  EXPECT_EQ(h.run({"SHUTDOWN", "bogus"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"SHUTDOWN", "nosave", "save"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"SHUTDOWN", "abort", "now"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"SHUTDOWN", "now", "force", "abort"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"SHUTDOWN", "abort"}), "-ERR No shutdown in progress.\r\n");
  EXPECT_FALSE(h.server.shutdownCalled);
  h.server.shutdownError = "ERR Errors trying to SHUTDOWN. Check logs.";
  EXPECT_EQ(h.run({"SHUTDOWN", "SAVE", "now", "FORCE"}), "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  EXPECT_TRUE(h.server.lastShutdown.save);
  EXPECT_FALSE(h.server.lastShutdown.nosave);
  EXPECT_TRUE(h.server.lastShutdown.now);
  EXPECT_TRUE(h.server.lastShutdown.force);
  h.server.shutdownError.clear();
  EXPECT_EQ(h.run({"SHUTDOWN", "nosave"}), "");  // stopping: no reply
  EXPECT_TRUE(h.server.lastShutdown.nosave);
  EXPECT_FALSE(h.server.lastShutdown.save);
  EXPECT_EQ(h.run({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SHUTDOWN"}), "-ERR Command not allowed inside a transaction\r\n");
}
