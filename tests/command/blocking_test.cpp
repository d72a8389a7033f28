// The blocking-waiters registry through the real dispatcher, without
// sockets: FIFO order, ready-key deduplication, one serve per multi-key
// waiter, type filtering, timeouts in deadline order, CLIENT UNBLOCK,
// forgetting a gone session, the propagated non-blocking forms, SHUTDOWN
// waiters and the shutdown part of the client pause.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "command_test_support.h"
#include "erdtree/command/blocking.h"

namespace {

using erdtree::command::BlockingCommand;
using erdtree::command::Context;
using erdtree::command::ReplySink;
using erdtree::command::Session;
using erdtree::engine::ValueType;
using erdtree::testing::CommandHarness;

constexpr int64_t kNow = 1'000'000;

struct CapturingSink : ReplySink {
  std::string out;
  int appends = 0;
  std::string& buffer() override { return out; }
  void appended() override { ++appends; }
};

// A client of the harness besides h.session, with its own output.
struct Peer {
  explicit Peer(uint64_t id) {
    session.id = id;
    session.authenticated = true;
    session.sink = &sink;
  }
  Session session;
  CapturingSink sink;
};

std::string runFor(CommandHarness& h, Session& s, std::vector<std::string> args, int64_t nowMs = kNow) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string out;
  erdtree::resp::Writer w(out, s.protocol);
  h.dispatcher.execute(s, views, w, nowMs);
  return out;
}

std::vector<std::string> records(CommandHarness& h) { return h.propagator.records; }

TEST(BlockingRegistry, WaitersOnOneKeyAreServedFirstComeFirstServed) {
  CommandHarness h;
  Peer p1(1), p2(2), p3(3);
  for (Peer* p : {&p1, &p2, &p3}) EXPECT_EQ(runFor(h, p->session, {"BLPOP", "q", "0"}), "");
  EXPECT_TRUE(p1.session.blocked && p2.session.blocked && p3.session.blocked);
  EXPECT_EQ(h.svc.blocking.blockedCount(), 3u);
  EXPECT_EQ(h.run({"RPUSH", "q", "a", "b"}), ":2\r\n");
  EXPECT_EQ(p1.sink.out, "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
  EXPECT_EQ(p2.sink.out, "*2\r\n$1\r\nq\r\n$1\r\nb\r\n");
  EXPECT_EQ(p3.sink.out, "");
  EXPECT_TRUE(p3.session.blocked);
  EXPECT_FALSE(p1.session.blocked);
  EXPECT_EQ(h.svc.blocking.takeUnblocked(), (std::vector<uint64_t>{1, 2}));
  // The pops reach the log after the push, as their non-blocking form.
  EXPECT_EQ(records(h), (std::vector<std::string>{"0: RPUSH q a b", "0: LPOP q", "0: LPOP q"}));
  EXPECT_EQ(h.run({"EXISTS", "q"}), ":0\r\n");
}

TEST(BlockingRegistry, MultiKeyWaiterIsServedOnceFromTheFirstReadyKey) {
  CommandHarness h;
  Peer p(1);
  runFor(h, p.session, {"BRPOP", "a", "b", "0"});
  h.run({"MULTI"});
  h.run({"RPUSH", "b", "x"});
  h.run({"RPUSH", "a", "y"});
  h.run({"EXEC"});
  EXPECT_EQ(p.sink.out, "*2\r\n$1\r\nb\r\n$1\r\nx\r\n");
  EXPECT_EQ(h.run({"LRANGE", "a", "0", "-1"}), "*1\r\n$1\r\ny\r\n");
  EXPECT_TRUE(h.svc.blocking.empty());
  // The EXEC block propagates as a unit; the served pop follows it.
  EXPECT_EQ(records(h), (std::vector<std::string>{"0: MULTI", "0: RPUSH b x", "0: RPUSH a y", "0: EXEC", "0: RPOP b"}));
}

// Counts serve calls; takes nothing but ends the wait.
int gServed = 0;
const BlockingCommand kCounting{ValueType::List, [](Context&, std::string_view) {
                                  ++gServed;
                                  return true;
                                },
                                [](erdtree::resp::Writer& out) { out.nullArray(); }};

TEST(BlockingRegistry, ReadyKeysAreSignalledOncePerRound) {
  CommandHarness h;
  Peer p(1);
  h.svc.blocking.signalKeyReady(0, "k");  // nobody waits: ignored
  EXPECT_FALSE(h.svc.blocking.hasReadyKeys());
  const std::string_view key[] = {"k"}, args[] = {"X", "k"};
  h.svc.blocking.block(p.session, 0, key, 0, kCounting, args);
  gServed = 0;
  h.run({"MULTI"});
  h.run({"RPUSH", "k", "a"});
  h.run({"DEL", "k"});
  h.run({"RPUSH", "k", "b"});
  h.run({"EXEC"});
  EXPECT_EQ(gServed, 1);
  EXPECT_FALSE(h.svc.blocking.hasReadyKeys());
  EXPECT_TRUE(h.svc.blocking.empty());
}

TEST(BlockingRegistry, PushedAndPoppedWithinOneExecWakesNobody) {
  CommandHarness h;
  Peer p(1);
  runFor(h, p.session, {"BLPOP", "k", "0"});
  h.run({"MULTI"});
  h.run({"RPUSH", "k", "a"});
  h.run({"LPOP", "k"});
  h.run({"EXEC"});
  EXPECT_TRUE(p.session.blocked);
  EXPECT_EQ(p.sink.out, "");
  EXPECT_FALSE(h.svc.blocking.hasReadyKeys());
}

TEST(BlockingRegistry, WaitersOfAnotherTypeAreSkipped) {
  CommandHarness h;
  Peer zset(1), list(2);
  const BlockingCommand kZsetWaiter{ValueType::ZSet, [](Context&, std::string_view) { return true; },
                                    [](erdtree::resp::Writer& out) { out.nullArray(); }};
  const std::string_view key[] = {"k"}, args[] = {"X", "k", "0"};
  h.svc.blocking.block(zset.session, 0, key, 0, kZsetWaiter, args);
  runFor(h, list.session, {"BLPOP", "k", "0"});
  h.run({"RPUSH", "k", "v"});
  EXPECT_TRUE(zset.session.blocked);
  EXPECT_FALSE(list.session.blocked);
  EXPECT_EQ(list.sink.out, "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
  h.svc.blocking.forget(zset.session);
  EXPECT_TRUE(h.svc.blocking.empty());
}

TEST(BlockingRegistry, TimeoutsExpireInDeadlineOrder) {
  CommandHarness h;
  Peer slow(1), fast(2);
  fast.session.protocol = 3;
  runFor(h, slow.session, {"BLPOP", "a", "0.5"}, kNow);
  runFor(h, fast.session, {"BLMOVE", "b", "c", "LEFT", "LEFT", "0.2"}, kNow);
  runFor(h, h.session, {"BLPOP", "forever", "0"});
  EXPECT_EQ(h.svc.blocking.timeoutCount(), 2u);
  EXPECT_EQ(h.svc.blocking.nextDeadlineMs(), kNow + 200);
  h.svc.blocking.expireTimedOut(kNow + 199);
  EXPECT_EQ(fast.sink.out, "");
  h.svc.blocking.expireTimedOut(kNow + 200);
  EXPECT_EQ(fast.sink.out, "_\r\n");
  EXPECT_EQ(h.svc.blocking.nextDeadlineMs(), kNow + 500);
  h.svc.blocking.expireTimedOut(kNow + 10'000);
  EXPECT_EQ(slow.sink.out, "*-1\r\n");
  EXPECT_EQ(h.svc.blocking.nextDeadlineMs(), 0);
  EXPECT_EQ(h.svc.blocking.blockedCount(), 1u);  // the one without a timeout
  EXPECT_TRUE(records(h).empty());
}

TEST(BlockingRegistry, TimeoutArgumentRoundsUpToMilliseconds) {
  CommandHarness h;
  Peer p(1);
  runFor(h, p.session, {"BLPOP", "a", "0.0001"}, kNow);
  EXPECT_EQ(h.svc.blocking.nextDeadlineMs(), kNow + 1);
  h.svc.blocking.forget(p.session);
  runFor(h, p.session, {"BLPOP", "a", "-0.001"}, kNow);  // ceil(-1.0000000001e0) is -0: forever
  EXPECT_TRUE(p.session.blocked);
  EXPECT_EQ(h.svc.blocking.nextDeadlineMs(), 0);
}

TEST(BlockingRegistry, UnblockAndForget) {
  CommandHarness h;
  Peer p(1), gone(2);
  EXPECT_FALSE(h.svc.blocking.unblock(1, false));
  runFor(h, p.session, {"BLPOP", "k", "0"});
  runFor(h, gone.session, {"BLPOP", "k", "0"});
  EXPECT_EQ(h.run({"CLIENT", "UNBLOCK", "1", "ERROR"}), ":1\r\n");
  EXPECT_EQ(p.sink.out, "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_EQ(h.run({"CLIENT", "UNBLOCK", "1"}), ":0\r\n");
  h.svc.blocking.forget(gone.session);
  EXPECT_FALSE(gone.session.blocked);
  EXPECT_TRUE(h.svc.blocking.empty());
  EXPECT_EQ(h.svc.blocking.takeUnblocked(), (std::vector<uint64_t>{1}));  // the forgotten one never resumes
  h.run({"RPUSH", "k", "v"});
  EXPECT_EQ(h.run({"LLEN", "k"}), ":1\r\n");
}

TEST(BlockingRegistry, CallersThatMayNotBlockGetTheTimeoutReply) {
  CommandHarness h;
  h.session.internal = true;
  EXPECT_EQ(h.run({"BLPOP", "k", "0"}), "*-1\r\n");
  EXPECT_EQ(h.run({"BLMOVE", "k", "d", "LEFT", "LEFT", "0"}), "$-1\r\n");
  h.session.internal = false;
  h.run({"MULTI"});
  h.run({"BRPOPLPUSH", "k", "d", "0"});
  h.run({"BLMPOP", "0", "1", "k", "LEFT"});
  EXPECT_EQ(h.run({"EXEC"}), "*2\r\n$-1\r\n*-1\r\n");
  EXPECT_TRUE(h.svc.blocking.empty());
}

TEST(BlockingRegistry, PropagatesTheNonBlockingForms) {
  CommandHarness h;
  h.run({"RPUSH", "l", "a", "b", "c", "d", "e"});
  h.propagator.records.clear();
  h.run({"BLPOP", "l", "0"});
  h.run({"BLMOVE", "l", "m", "left", "right", "0"});  // as typed when at once
  h.run({"BRPOPLPUSH", "l", "m", "0"});
  h.run({"BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "5"});
  EXPECT_EQ(records(h), (std::vector<std::string>{"0: LPOP l", "0: LMOVE l m left right", "0: RPOPLPUSH l m",
                                                  "0: RPOP l 2"}));
  h.propagator.records.clear();
  Peer mover(1), mpop(2), rpl(3);
  runFor(h, mover.session, {"BLMOVE", "src", "dst", "left", "right", "0"});
  runFor(h, rpl.session, {"BRPOPLPUSH", "dst", "out", "0"});
  runFor(h, mpop.session, {"BLMPOP", "0", "2", "x", "out", "LEFT", "COUNT", "3"});
  h.run({"SELECT", "3"});
  h.run({"RPUSH", "src", "other db"});
  EXPECT_TRUE(mover.session.blocked);
  h.run({"SELECT", "0"});
  h.run({"RPUSH", "src", "v"});
  EXPECT_EQ(mover.sink.out, "$1\r\nv\r\n");
  EXPECT_EQ(rpl.sink.out, "$1\r\nv\r\n");
  EXPECT_EQ(mpop.sink.out, "*2\r\n$3\r\nout\r\n*1\r\n$1\r\nv\r\n");
  EXPECT_EQ(records(h), (std::vector<std::string>{"3: RPUSH src other db", "0: RPUSH src v",
                                                  "0: LMOVE src dst LEFT RIGHT", "0: RPOPLPUSH dst out",
                                                  "0: LPOP out 1"}));
}

TEST(BlockingRegistry, ServedPopsTouchWatchedKeys) {
  CommandHarness h;
  Peer mover(1), pusher(2);
  runFor(h, mover.session, {"BLMOVE", "src", "dst", "LEFT", "LEFT", "0"});
  h.run({"WATCH", "dst"});
  runFor(h, pusher.session, {"RPUSH", "src", "v"});
  h.run({"MULTI"});
  h.run({"PING"});
  EXPECT_EQ(h.run({"EXEC"}), "*-1\r\n");
}

}  // namespace

// SHUTDOWN waiting for replicas: no deadline, not a WAIT, not released by
// CLIENT UNBLOCK; failShutdownWaiters gives each the error and resumes it.
TEST(BlockingRegistry, ShutdownWaitersAreReleasedOnlyWithTheError) {
  CommandHarness h;
  Peer p1(1), p2(2);
  h.svc.blocking.blockForShutdown(p1.session);
  h.svc.blocking.blockForShutdown(p2.session);
  EXPECT_TRUE(p1.session.blocked && p2.session.blocked);
  EXPECT_EQ(h.svc.blocking.blockedCount(), 2u);
  EXPECT_FALSE(h.svc.blocking.hasAckWaiters());
  EXPECT_EQ(h.svc.blocking.nextDeadlineMs(), 0);
  EXPECT_FALSE(h.svc.blocking.unblock(1, true));
  h.svc.blocking.serveAckWaiters();
  EXPECT_TRUE(p1.session.blocked);
  h.svc.blocking.failShutdownWaiters("ERR Errors trying to SHUTDOWN. Check logs.");
  EXPECT_FALSE(p1.session.blocked || p2.session.blocked);
  EXPECT_EQ(p1.sink.out, "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  EXPECT_EQ(p2.sink.out, "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  EXPECT_EQ(h.svc.blocking.takeUnblocked().size(), 2u);
  EXPECT_TRUE(h.svc.blocking.empty());
}

// CLIENT PAUSE and a shutdown's write pause: the stronger one is in effect,
// CLIENT UNPAUSE ends only its own.
TEST(ClientPause, ShutdownPauseOutlastsClientPause) {
  CommandHarness h;
  auto& p = h.svc.pause;
  p.duringShutdown = true;
  p.combine(kNow);
  EXPECT_TRUE(p.active(kNow));
  EXPECT_FALSE(p.all);
  EXPECT_EQ(h.run({"CLIENT", "PAUSE", "100", "ALL"}, kNow), "+OK\r\n");
  EXPECT_TRUE(p.all);
  p.combine(kNow + 100);  // the ALL pause is over: writes only again
  EXPECT_TRUE(p.active(kNow + 100));
  EXPECT_FALSE(p.all);
  // (Under an ALL pause CLIENT UNPAUSE itself is held, as in Redis.)
  EXPECT_EQ(h.run({"CLIENT", "PAUSE", "100", "WRITE"}, kNow + 100), "+OK\r\n");
  EXPECT_EQ(h.run({"CLIENT", "UNPAUSE"}, kNow + 100), "+OK\r\n");
  EXPECT_EQ(p.byClientUntilMs, 0);
  EXPECT_TRUE(p.active(kNow + 100));
  EXPECT_FALSE(p.all);
  p.duringShutdown = false;
  p.combine(kNow);
  EXPECT_FALSE(p.active(kNow));
  EXPECT_EQ(p.untilMs, 0);
}
