// WAIT and the min-replicas-to-write denial through the real dispatcher,
// with a fake replication side: answering at once, blocking until enough
// ACKs (served before the loop sleeps), timing out with the count, MULTI,
// the replica refusal, the client's write offset, and -NOREPLICAS.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_test_support.h"
#include "erdtree/command/replication.h"

namespace {

using erdtree::command::ReplySink;
using erdtree::command::Session;
using erdtree::testing::CommandHarness;

constexpr int64_t kNow = 1'000'000;

// acks says which offset each replica acknowledged.
struct FakeReplication final : erdtree::command::Replication {
  void replconfListeningPort(Session&, int64_t) override {}
  void replconfIpAddress(Session&, std::string_view) override {}
  void replconfAck(Session&, int64_t) override {}
  void psync(Session&, std::string_view, int64_t, bool) override {}
  // Every propagated record moves the stream by 10 bytes.
  int64_t masterOffset() const override { return offset + 10 * static_cast<int64_t>(records->size()); }
  std::vector<ReplicaEntry> replicaEntries() const override { return {}; }
  bool followsMaster() const override { return replica; }
  int64_t countAcks(int64_t off) const override {
    int64_t n = 0;
    for (int64_t a : acks) n += a >= off ? 1 : 0;
    return n;
  }
  void requestAcks() override { ++ackRequests; }
  int64_t offset = 0;
  const std::vector<std::string>* records = nullptr;
  std::vector<int64_t> acks;
  bool replica = false;
  int ackRequests = 0;
};

struct CapturingSink : ReplySink {
  std::string out;
  std::string& buffer() override { return out; }
  void appended() override {}
};

struct WaitHarness : CommandHarness {
  WaitHarness() {
    svc.replication = &repl;
    repl.records = &propagator.records;
    svc.blocking.setAckCounter([this](int64_t off) { return repl.countAcks(off); });
    session.sink = &sink;
    session.id = 7;
  }
  std::string cmd(std::vector<std::string> args, int64_t nowMs = kNow) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    erdtree::resp::Writer w(out);
    dispatcher.execute(session, views, w, nowMs);
    return out;
  }
  FakeReplication repl;
  CapturingSink sink;
};

TEST(Wait, AnswersAtOnceWhenEnoughReplicasAcked) {
  WaitHarness h;
  EXPECT_EQ(h.cmd({"WAIT", "0", "0"}), ":0\r\n");
  h.repl.acks = {0, 0};
  EXPECT_EQ(h.cmd({"WAIT", "2", "0"}), ":2\r\n");  // nothing written: offset 0
  EXPECT_EQ(h.repl.ackRequests, 0);
  EXPECT_FALSE(h.session.blocked);
}

TEST(Wait, ErrorsAsRedis) {
  WaitHarness h;
  EXPECT_EQ(h.cmd({"WAIT", "0", "-1"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(h.cmd({"WAIT", "a", "0"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.cmd({"WAIT", "1", "0.5"}), "-ERR timeout is not an integer or out of range\r\n");
  h.repl.replica = true;  // checked before the arguments
  EXPECT_EQ(h.cmd({"WAIT", "a", "b"}),
            "-ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is "
            "configured to be writable (which is not the default) writes to replicas are just local and are not "
            "propagated.\r\n");
}

TEST(Wait, BlocksUntilTheClientsWriteIsAcknowledged) {
  WaitHarness h;
  h.repl.acks = {0, 0};
  h.repl.offset = 100;  // as if SET moved the stream to 100
  h.session.woff = 100;
  EXPECT_EQ(h.cmd({"WAIT", "2", "0"}), "");
  EXPECT_TRUE(h.session.blocked);
  EXPECT_EQ(h.repl.ackRequests, 1);
  EXPECT_EQ(h.svc.blocking.blockedCount(), 1u);
  h.svc.blocking.serveAckWaiters();
  EXPECT_TRUE(h.session.blocked);
  h.repl.acks = {100, 40};
  h.svc.blocking.serveAckWaiters();
  EXPECT_TRUE(h.session.blocked);
  h.repl.acks = {100, 120};
  h.svc.blocking.serveAckWaiters();
  EXPECT_FALSE(h.session.blocked);
  EXPECT_EQ(h.sink.out, ":2\r\n");
  EXPECT_EQ(h.svc.blocking.takeUnblocked(), std::vector<uint64_t>{7});
  EXPECT_FALSE(h.svc.blocking.hasAckWaiters());
}

TEST(Wait, TimesOutWithTheCountSoFar) {
  WaitHarness h;
  h.repl.acks = {50, 0};
  h.repl.offset = 50;  // where the stream is (and stays)
  h.session.woff = 50;
  EXPECT_EQ(h.cmd({"WAIT", "2", "300"}), "");
  EXPECT_EQ(h.svc.blocking.nextDeadlineMs(), kNow + 300);
  h.svc.blocking.expireTimedOut(kNow + 299);
  EXPECT_TRUE(h.session.blocked);
  h.svc.blocking.expireTimedOut(kNow + 300);
  EXPECT_EQ(h.sink.out, ":1\r\n");
  EXPECT_FALSE(h.session.blocked);
  // CLIENT UNBLOCK answers the count too.
  h.sink.out.clear();
  EXPECT_EQ(h.cmd({"WAIT", "2", "0"}), "");
  EXPECT_TRUE(h.svc.blocking.unblock(7, false));
  EXPECT_EQ(h.sink.out, ":1\r\n");
}

TEST(Wait, InsideMultiAnswersAtOnce) {
  WaitHarness h;
  h.session.woff = 10;
  EXPECT_EQ(h.cmd({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(h.cmd({"WAIT", "3", "0"}), "+QUEUED\r\n");
  EXPECT_EQ(h.cmd({"EXEC"}), "*1\r\n:0\r\n");
  EXPECT_FALSE(h.session.blocked);
}

// Redis 7.0 sets the client's offset after every command it runs (not the
// queued ones, not refused ones): a WAIT covers everything up to there.
TEST(Wait, ClientOffsetIsTheStreamAfterItsLastCommand) {
  WaitHarness h;
  EXPECT_EQ(h.cmd({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(h.session.woff, 10);
  h.repl.offset = 500;  // others' writes, PINGs, GETACKs
  EXPECT_EQ(h.session.woff, 10);
  h.repl.acks = {10};
  EXPECT_EQ(h.cmd({"WAIT", "1", "0"}), ":1\r\n");  // the offset before WAIT ran
  EXPECT_EQ(h.session.woff, 510);
  EXPECT_EQ(h.cmd({"WAIT", "1", "0"}), "");  // 10 < 510: blocks
  EXPECT_TRUE(h.session.blocked);
  h.svc.blocking.unblock(7, false);
  EXPECT_EQ(h.cmd({"MULTI"}), "+OK\r\n");
  h.repl.offset = 600;
  EXPECT_EQ(h.cmd({"GET", "k"}), "+QUEUED\r\n");  // queued: no update
  EXPECT_EQ(h.session.woff, 510);
  EXPECT_EQ(h.cmd({"EXEC"}), "*1\r\n$1\r\nv\r\n");
  EXPECT_EQ(h.session.woff, 610);
}

TEST(NoReplicas, WritesAndExecOfWritesAreRefused) {
  WaitHarness h;
  h.svc.tooFewReplicas = true;
  const std::string refused = "-NOREPLICAS Not enough good replicas to write.\r\n";
  EXPECT_EQ(h.cmd({"SET", "k", "v"}), refused);
  EXPECT_EQ(h.cmd({"GET", "k"}), "$-1\r\n");
  EXPECT_EQ(h.cmd({"PUBLISH", "c", "m"}), ":0\r\n");  // not a write
  h.svc.tooFewReplicas = false;
  EXPECT_EQ(h.cmd({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(h.cmd({"SET", "k", "v"}), "+QUEUED\r\n");
  h.svc.tooFewReplicas = true;
  EXPECT_EQ(h.cmd({"EXEC"}), "-EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write.\r\n");
  // The internal session (the log replay, a master's stream) is not refused.
  h.session.internal = true;
  EXPECT_EQ(h.cmd({"SET", "k", "v"}), "+OK\r\n");
}

TEST(Publish, GoesToReplicasOnly) {
  WaitHarness h;
  EXPECT_EQ(h.cmd({"PUBLISH", "c", "m"}), ":0\r\n");
  EXPECT_EQ(h.propagator.records, std::vector<std::string>{"0: (replicas) PUBLISH c m"});
}

}  // namespace
