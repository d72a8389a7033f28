// Integration tests for the blocking list commands (BLPOP, BRPOP, BLMOVE,
// BRPOPLPUSH, BLMPOP) with several clients on the real binary: timeout
// replies and errors, waking by other clients' pushes (plain, MULTI/EXEC,
// LMOVE chains), FIFO fairness, multi-key order, pipelined commands held
// behind a blocked one, disconnects, CLIENT UNBLOCK/KILL/LIST, INFO, SELECT
// and the idle timeout.
//
// Every expected reply was checked against Redis 7.0.15: run with
// ERDTREE_SERVER_BIN=/usr/bin/redis-server --gtest_filter='Blocking*'.
// Waits are bounded: blocked clients are confirmed through INFO
// blocked_clients, and every socket read has a timeout.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/redis_errors.h"
#include "harness/shared_server.h"

namespace {

using erdtree::itest::kWrongType;
using erdtree::itest::Client;
using erdtree::itest::parseClientList;
using erdtree::itest::parseInfo;
using erdtree::itest::RawConnection;
using erdtree::itest::Reply;
using erdtree::itest::SharedServerTest;
using erdtree::itest::show;
using erdtree::itest::strCat;
using erdtree::itest::waitFor;
using Clock = std::chrono::steady_clock;

const std::string kNotFloat = "-ERR timeout is not a float or out of range";
const std::string kNegative = "-ERR timeout is negative";

// RESP2 bytes of one command, for raw-socket tests.
std::string resp(const std::vector<std::string>& args) {
  std::string out = strCat({"*", std::to_string(args.size()), "\r\n"});
  for (const auto& a : args) out += strCat({"$", std::to_string(a.size()), "\r\n", a, "\r\n"});
  return out;
}

class Blocking : public SharedServerTest<Blocking> {
 protected:
  static std::unique_ptr<Client> connect() { return std::make_unique<Client>(port(), 5000); }
  static long long infoField(const std::string& name) {
    auto info = parseInfo(client_->cmd({"INFO", "clients"}).str);
    return std::stoll(info[name]);
  }
  // Waits until exactly n clients are blocked (so arrival order is known).
  static bool waitBlocked(long long n) {
    return waitFor([&] { return infoField("blocked_clients") == n; }, 3000, 5);
  }
  // Sends a command without reading its reply.
  static void send(Client& c, const std::vector<std::string>& args) {
    c.append(args);
    c.flush();
  }
  // True when nothing arrives on c within ms.
  static bool silentFor(Client& c, int ms) {
    c.setTimeout(ms);
    bool silent = false;
    try {
      c.getReply();
    } catch (const std::runtime_error&) {
      silent = c.connected();
    }
    c.setTimeout(5000);
    return silent;
  }
  static long long clientId(Client& c) { return c.cmd({"CLIENT", "ID"}).integer; }
};

TEST_F(Blocking, TimeoutArgumentErrors) {
  for (const char* t : {"abc", "nan", " 1", "1 ", "", "1.5x"}) EXPECT_EQ(run("BLPOP", "k", t), kNotFloat) << t;
  // Redis converts ceil(seconds * 1000) to long long: out of range is "negative".
  for (const char* t : {"-1", "-0.0011", "inf", "-inf", "1e400", "9223372036854775.808"})
    EXPECT_EQ(run("BLPOP", "k", t), kNegative) << t;
  EXPECT_EQ(run("BRPOP", "a", "b", "-1"), kNegative);
  EXPECT_EQ(run("BRPOPLPUSH", "a", "b", "x"), kNotFloat);
  EXPECT_EQ(run("BLMOVE", "a", "b", "LEFT", "LEFT", "-1"), kNegative);
  // BLMOVE checks the ends first, BLMPOP its other arguments first.
  EXPECT_EQ(run("BLMOVE", "a", "b", "UP", "LEFT", "x"), "-ERR syntax error");
  EXPECT_EQ(run("BLMPOP", "x", "0", "k", "LEFT"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(run("BLMPOP", "x", "2", "k", "LEFT"), "-ERR syntax error");
  EXPECT_EQ(run("BLMPOP", "x", "1", "k", "UP"), "-ERR syntax error");
  EXPECT_EQ(run("BLMPOP", "x", "1", "k", "LEFT", "COUNT", "0"), "-ERR count should be greater than 0");
  EXPECT_EQ(run("BLMPOP", "0.01", "1", "k", "LEFT", "COUNT", "2", "COUNT", "3"), "-ERR syntax error");
  EXPECT_EQ(run("BLMPOP", "x", "1", "k", "LEFT"), kNotFloat);
  EXPECT_EQ(run("BLPOP", "k"), "-ERR wrong number of arguments for 'blpop' command");
  EXPECT_EQ(run("BLMPOP", "0", "1", "k"), "-ERR wrong number of arguments for 'blmpop' command");
}

TEST_F(Blocking, TimeoutRepliesAreNullArraysWithinPrecision) {
  RawConnection raw(port(), 5000);
  const std::vector<std::vector<std::string>> cmds = {{"BLPOP", "k1", "k2", "0.1"},
                                                      {"BRPOP", "k1", "0.1"},
                                                      {"BLMOVE", "k1", "d", "LEFT", "RIGHT", "0.1"},
                                                      {"BRPOPLPUSH", "k1", "d", "0.1"},
                                                      {"BLMPOP", "0.1", "1", "k1", "LEFT"}};
  for (const auto& c : cmds) {
    auto start = Clock::now();
    raw.send(resp(c));
    // Redis 7.0 answers every list timeout with a null array, BLMOVE's too.
    EXPECT_EQ(raw.readExactly(5, 3000), "*-1\r\n") << c[0];
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    EXPECT_GE(ms, 95) << c[0];
    // Redis checks timeouts at hz (100 ms steps); erdtree arms a timer.
    EXPECT_LT(ms, server().isRedis() ? 700 : 250) << c[0];
  }
  // Sub-millisecond timeouts round up to 1 ms instead of waiting forever.
  raw.send(resp({"BLPOP", "k", "0.0001"}));
  EXPECT_EQ(raw.readExactly(5, 3000), "*-1\r\n");
  raw.send(resp({"HELLO", "3"}));
  raw.readAvailable(100, 2000);
  raw.send(resp({"BLMOVE", "k1", "d", "LEFT", "RIGHT", "0.05"}));
  EXPECT_EQ(raw.readExactly(3, 3000), "_\r\n");
  raw.send(resp({"BLPOP", "k1", "0.05"}));
  EXPECT_EQ(raw.readExactly(3, 3000), "_\r\n");
}

TEST_F(Blocking, DataAvailableActsAtOnce) {
  run("RPUSH", "l", "a", "b", "c", "d");
  EXPECT_EQ(run("BLPOP", "missing", "l", "0"), "[\"l\", \"a\"]");
  EXPECT_EQ(run("BRPOP", "l", "missing", "0"), "[\"l\", \"d\"]");
  EXPECT_EQ(run("BLMOVE", "l", "dst", "LEFT", "RIGHT", "0"), "\"b\"");
  EXPECT_EQ(run("BRPOPLPUSH", "l", "dst", "0"), "\"c\"");
  EXPECT_EQ(run("LRANGE", "dst", "0", "-1"), "[\"c\", \"b\"]");
  EXPECT_EQ(run("EXISTS", "l"), ":0");
  EXPECT_EQ(run("BLMPOP", "0", "2", "l", "dst", "RIGHT", "COUNT", "5"), "[\"dst\", [\"b\", \"c\"]]");
  EXPECT_EQ(run("EXISTS", "dst"), ":0");
  // Keys are looked at in order: a non-empty list before a wrong type wins.
  run("SET", "s", "v");
  run("RPUSH", "l", "x");
  EXPECT_EQ(run("BLPOP", "l", "s", "0"), "[\"l\", \"x\"]");
  EXPECT_EQ(run("BLPOP", "missing", "s", "0"), kWrongType);
  EXPECT_EQ(run("BLMOVE", "s", "d", "LEFT", "LEFT", "0"), kWrongType);
  EXPECT_EQ(run("BLMPOP", "0", "2", "missing", "s", "LEFT"), kWrongType);
  run("RPUSH", "src", "x");
  EXPECT_EQ(run("BLMOVE", "src", "s", "LEFT", "LEFT", "0"), kWrongType);
  EXPECT_EQ(run("LLEN", "src"), ":1");
  // The same key twice is fine.
  EXPECT_EQ(run("BLPOP", "src", "src", "0"), "[\"src\", \"x\"]");
}

TEST_F(Blocking, WokenByPushFromAnotherClient) {
  auto waiter = connect();
  send(*waiter, {"BRPOP", "q", "0"});
  ASSERT_TRUE(waitBlocked(1));
  EXPECT_EQ(run("LPUSH", "q", "a", "b"), ":2");
  EXPECT_EQ(show(waiter->getReply()), "[\"q\", \"a\"]");
  EXPECT_EQ(run("LRANGE", "q", "0", "-1"), "[\"b\"]");
  EXPECT_EQ(infoField("blocked_clients"), 0);
  // The served client is usable again at once.
  EXPECT_EQ(show(waiter->cmd({"PING"})), "+PONG");
}

TEST_F(Blocking, WaitersOnOneKeyAreServedInArrivalOrder) {
  std::vector<std::unique_ptr<Client>> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.push_back(connect());
    send(*waiters.back(), {"BLPOP", "q", "0"});
    ASSERT_TRUE(waitBlocked(i + 1));
  }
  EXPECT_EQ(run("RPUSH", "q", "a", "b"), ":2");
  EXPECT_EQ(show(waiters[0]->getReply()), "[\"q\", \"a\"]");
  EXPECT_EQ(show(waiters[1]->getReply()), "[\"q\", \"b\"]");
  EXPECT_TRUE(silentFor(*waiters[2], 100));
  EXPECT_EQ(infoField("blocked_clients"), 1);
  EXPECT_EQ(run("RPUSH", "q", "c"), ":1");
  EXPECT_EQ(show(waiters[2]->getReply()), "[\"q\", \"c\"]");
  EXPECT_EQ(run("EXISTS", "q"), ":0");
}

TEST_F(Blocking, SeveralKeysServeFromTheFirstThatBecomesReady) {
  auto waiter = connect();
  send(*waiter, {"BLPOP", "k1", "k2", "k3", "0"});
  ASSERT_TRUE(waitBlocked(1));
  // Both become lists in one EXEC: k3 was pushed first, so it serves.
  run("MULTI");
  run("RPUSH", "k3", "three");
  run("RPUSH", "k1", "one");
  EXPECT_EQ(run("EXEC"), "[:1, :1]");
  EXPECT_EQ(show(waiter->getReply()), "[\"k3\", \"three\"]");
  EXPECT_EQ(run("LLEN", "k1"), ":1");
  // With data already there, the first key in argument order wins.
  run("RPUSH", "k2", "two");
  EXPECT_EQ(show(waiter->cmd({"BLPOP", "k2", "k1", "0"})), "[\"k2\", \"two\"]");
}

TEST_F(Blocking, BlmoveChainsIntoAnotherWaiter) {
  auto popper = connect();
  auto mover = connect();
  send(*popper, {"BLPOP", "dst", "0"});
  ASSERT_TRUE(waitBlocked(1));
  send(*mover, {"BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"});
  ASSERT_TRUE(waitBlocked(2));
  EXPECT_EQ(run("RPUSH", "src", "v"), ":1");
  EXPECT_EQ(show(mover->getReply()), "\"v\"");
  EXPECT_EQ(show(popper->getReply()), "[\"dst\", \"v\"]");
  EXPECT_EQ(run("EXISTS", "src", "dst"), ":0");

  auto rpl = connect();
  send(*rpl, {"BRPOPLPUSH", "a", "b", "0"});
  ASSERT_TRUE(waitBlocked(1));
  EXPECT_EQ(run("LMOVE", "x", "a", "LEFT", "LEFT"), "(nil)");
  run("RPUSH", "x", "1", "2");
  EXPECT_EQ(run("LMOVE", "x", "a", "LEFT", "LEFT"), "\"1\"");
  EXPECT_EQ(show(rpl->getReply()), "\"1\"");
  EXPECT_EQ(run("LRANGE", "b", "0", "-1"), "[\"1\"]");
  EXPECT_EQ(run("EXISTS", "a"), ":0");
}

TEST_F(Blocking, BlmpopServedWithCount) {
  auto waiter = connect();
  send(*waiter, {"BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2"});
  ASSERT_TRUE(waitBlocked(1));
  run("RPUSH", "b", "1", "2", "3");
  EXPECT_EQ(show(waiter->getReply()), "[\"b\", [\"3\", \"2\"]]");
  EXPECT_EQ(run("LRANGE", "b", "0", "-1"), "[\"1\"]");
}

TEST_F(Blocking, ExecWakesAfterTheWholeTransaction) {
  auto waiter = connect();
  send(*waiter, {"BLPOP", "q", "0"});
  ASSERT_TRUE(waitBlocked(1));
  // Pushed and popped within one EXEC: nobody is woken.
  run("MULTI");
  run("RPUSH", "q", "x");
  run("LPOP", "q");
  EXPECT_EQ(run("EXEC"), "[:1, \"x\"]");
  EXPECT_TRUE(silentFor(*waiter, 100));
  // Pushed twice and popped once: the waiter gets what is left after EXEC.
  run("MULTI");
  run("RPUSH", "q", "a", "b");
  run("LPOP", "q");
  EXPECT_EQ(run("EXEC"), "[:2, \"a\"]");
  EXPECT_EQ(show(waiter->getReply()), "[\"q\", \"b\"]");
}

TEST_F(Blocking, InsideMultiNeverBlocks) {
  RawConnection raw(port(), 5000);
  std::string req = resp({"MULTI"});
  req += resp({"BLPOP", "k", "0"});
  req += resp({"BLMOVE", "k", "d", "LEFT", "LEFT", "0"});
  req += resp({"BRPOPLPUSH", "k", "d", "0"});
  req += resp({"BLMPOP", "0", "1", "k", "LEFT"});
  req += resp({"EXEC"});
  raw.send(req);
  const std::string want = "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n";
  EXPECT_EQ(raw.readExactly(want.size(), 3000), want);
}

TEST_F(Blocking, PipelinedCommandsWaitForTheBlockedOne) {
  RawConnection raw(port(), 5000);
  raw.send(resp({"BLPOP", "q", "0"}) + resp({"PING"}) + resp({"RPUSH", "q", "mine"}));
  ASSERT_TRUE(waitBlocked(1));
  EXPECT_EQ(raw.readAvailable(100, 1000), "");
  EXPECT_EQ(run("LLEN", "q"), ":0");  // RPUSH q mine has not run
  // More requests while blocked queue up behind the first ones.
  raw.send(resp({"ECHO", "later"}));
  EXPECT_EQ(run("RPUSH", "q", "v"), ":1");
  const std::string want = "*2\r\n$1\r\nq\r\n$1\r\nv\r\n+PONG\r\n:1\r\n$5\r\nlater\r\n";
  EXPECT_EQ(raw.readExactly(want.size(), 3000), want);
  EXPECT_EQ(run("LRANGE", "q", "0", "-1"), "[\"mine\"]");
}

TEST_F(Blocking, DisconnectWhileBlockedLeavesTheQueue) {
  auto gone = connect();
  auto stays = connect();
  send(*gone, {"BLPOP", "q", "0"});
  ASSERT_TRUE(waitBlocked(1));
  send(*stays, {"BLPOP", "q", "0"});
  ASSERT_TRUE(waitBlocked(2));
  gone.reset();
  ASSERT_TRUE(waitBlocked(1));
  run("RPUSH", "q", "a", "b");
  EXPECT_EQ(show(stays->getReply()), "[\"q\", \"a\"]");
  EXPECT_EQ(run("LRANGE", "q", "0", "-1"), "[\"b\"]");
}

TEST_F(Blocking, ClientUnblockTimeoutAndError) {
  auto waiter = connect();
  const long long id = clientId(*waiter);
  const std::string ids = std::to_string(id);
  EXPECT_EQ(run("CLIENT", "UNBLOCK", ids), ":0");  // not blocked
  send(*waiter, {"BLMOVE", "a", "b", "LEFT", "LEFT", "0"});
  waiter->append({"PING"});  // pipelined behind the blocked command
  waiter->flush();
  ASSERT_TRUE(waitBlocked(1));
  EXPECT_EQ(run("CLIENT", "UNBLOCK", ids, "TIMEOUT"), ":1");
  EXPECT_EQ(show(waiter->getReply()), "(nil)");
  EXPECT_EQ(show(waiter->getReply()), "+PONG");
  send(*waiter, {"BLPOP", "a", "0"});
  ASSERT_TRUE(waitBlocked(1));
  EXPECT_EQ(run("CLIENT", "UNBLOCK", ids, "ERROR"), ":1");
  EXPECT_EQ(show(waiter->getReply()), "-UNBLOCKED client unblocked via CLIENT UNBLOCK");
  EXPECT_EQ(run("CLIENT", "UNBLOCK", ids, "ERROR"), ":0");
  EXPECT_EQ(infoField("blocked_clients"), 0);
  EXPECT_EQ(run("CLIENT", "UNBLOCK", ids, "MAYBE"), "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  EXPECT_EQ(run("CLIENT", "UNBLOCK", "x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(run("client", "UnBlock", ids, "TIMEOUT", "x"),
            "-ERR unknown subcommand or wrong number of arguments for 'UnBlock'. Try CLIENT HELP.");
}

TEST_F(Blocking, ClientListAndInfoShowBlockedClients) {
  auto forever = connect();
  auto timed = connect();
  const long long foreverId = clientId(*forever);
  send(*forever, {"BLPOP", "a", "0"});
  ASSERT_TRUE(waitBlocked(1));
  send(*timed, {"BLMPOP", "30", "1", "b", "LEFT"});
  ASSERT_TRUE(waitBlocked(2));
  auto info = parseInfo(client_->cmd({"INFO", "clients"}).str);
  EXPECT_EQ(info["blocked_clients"], "2");
  EXPECT_EQ(info["clients_in_timeout_table"], "1");
  bool seen = false;
  for (auto& c : parseClientList(client_->cmd({"CLIENT", "LIST"}).str)) {
    if (std::stoll(c["id"]) != foreverId) continue;
    seen = true;
    EXPECT_EQ(c["flags"], "b");
    EXPECT_EQ(c["cmd"], "blpop");
  }
  EXPECT_TRUE(seen);
  // CLIENT KILL works on a blocked client.
  EXPECT_EQ(run("CLIENT", "KILL", "ID", std::to_string(foreverId)), ":1");
  EXPECT_TRUE(forever->waitDisconnected(3000));
  ASSERT_TRUE(waitBlocked(1));
  run("RPUSH", "b", "x");
  EXPECT_EQ(show(timed->getReply()), "[\"b\", [\"x\"]]");
  info = parseInfo(client_->cmd({"INFO", "clients"}).str);
  EXPECT_EQ(info["blocked_clients"], "0");
  EXPECT_EQ(info["clients_in_timeout_table"], "0");
}

TEST_F(Blocking, WrongTypeDestinationEndsTheWaitWithAnError) {
  auto waiter = connect();
  send(*waiter, {"BLMOVE", "src", "dst", "LEFT", "LEFT", "0"});
  ASSERT_TRUE(waitBlocked(1));
  run("SET", "dst", "string");
  run("RPUSH", "src", "x");
  EXPECT_EQ(show(waiter->getReply()), kWrongType);
  EXPECT_EQ(run("LRANGE", "src", "0", "-1"), "[\"x\"]");
}

TEST_F(Blocking, KeyOfAnotherTypeKeepsTheClientWaiting) {
  auto waiter = connect();
  send(*waiter, {"BLPOP", "k", "0"});
  ASSERT_TRUE(waitBlocked(1));
  run("SET", "k", "string");
  EXPECT_TRUE(silentFor(*waiter, 100));
  EXPECT_EQ(infoField("blocked_clients"), 1);
  run("DEL", "k");
  run("RPUSH", "k", "v");
  EXPECT_EQ(show(waiter->getReply()), "[\"k\", \"v\"]");
}

TEST_F(Blocking, KeysAreWaitedForInTheirDatabase) {
  auto waiter = connect();
  EXPECT_EQ(show(waiter->cmd({"SELECT", "1"})), "+OK");
  send(*waiter, {"BLPOP", "k", "0"});
  ASSERT_TRUE(waitBlocked(1));
  run("RPUSH", "k", "db0");
  EXPECT_TRUE(silentFor(*waiter, 100));
  run("SELECT", "1");
  run("RPUSH", "k", "db1");
  EXPECT_EQ(show(waiter->getReply()), "[\"k\", \"db1\"]");
  EXPECT_EQ(run("EXISTS", "k"), ":0");
  run("SELECT", "0");
  EXPECT_EQ(run("LRANGE", "k", "0", "-1"), "[\"db0\"]");
  // MOVE adds the key to the waiter's database, which wakes it too.
  send(*waiter, {"BLPOP", "k", "0"});
  ASSERT_TRUE(waitBlocked(1));
  EXPECT_EQ(run("MOVE", "k", "1"), ":1");
  EXPECT_EQ(show(waiter->getReply()), "[\"k\", \"db0\"]");
}

class BlockingIdle : public SharedServerTest<BlockingIdle> {
 public:
  static std::vector<std::string> serverArgs() { return {"--timeout", "1"}; }
};

TEST_F(BlockingIdle, BlockedClientsAreExemptFromTheIdleTimeout) {
  Client waiter(port(), 5000);
  Client idle(port(), 5000);
  EXPECT_EQ(show(idle.cmd({"PING"})), "+PONG");
  waiter.append({"BLPOP", "q", "0"});
  waiter.flush();
  EXPECT_TRUE(idle.waitDisconnected(4000));
  client_ = std::make_unique<Client>(port(), 5000);  // the fixture's client went idle too
  EXPECT_EQ(show(client_->cmd({"RPUSH", "q", "v"})), ":1");
  EXPECT_EQ(show(waiter.getReply()), "[\"q\", \"v\"]");
}

// ---- sorted sets: BZPOPMIN, BZPOPMAX, BZMPOP (same registry) ----

TEST_F(Blocking, ZsetPopsActAtOnceWithData) {
  run("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d");
  EXPECT_EQ(run("BZPOPMIN", "missing", "z", "0"), "[\"z\", \"a\", \"1\"]");
  EXPECT_EQ(run("BZPOPMAX", "z", "0"), "[\"z\", \"d\", \"4\"]");
  EXPECT_EQ(run("BZMPOP", "0", "2", "missing", "z", "MAX", "COUNT", "5"), "[\"z\", [[\"c\", \"3\"], [\"b\", \"2\"]]]");
  EXPECT_EQ(run("EXISTS", "z"), ":0");
  run("RPUSH", "l", "x");
  EXPECT_EQ(run("BZPOPMIN", "missing", "l", "0"), kWrongType);
  EXPECT_EQ(run("BZMPOP", "0", "1", "l", "MIN"), kWrongType);
  EXPECT_EQ(run("BZPOPMIN", "z", "-1"), kNegative);
  EXPECT_EQ(run("BZPOPMAX", "z", "abc"), kNotFloat);
  EXPECT_EQ(run("BZMPOP", "0", "0", "z", "MIN"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(run("BZMPOP", "0", "1", "z", "MIDDLE"), "-ERR syntax error");
  EXPECT_EQ(run("BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"), "-ERR count should be greater than 0");
  // Argument errors come before the timeout's.
  EXPECT_EQ(run("BZMPOP", "x", "1", "z", "MIDDLE"), "-ERR syntax error");
  EXPECT_EQ(run("BZPOPMIN", "z", "0.05"), "(nil)");
  EXPECT_EQ(run("BZMPOP", "0.05", "1", "z", "MIN"), "(nil)");
}

TEST_F(Blocking, ZaddWakesZsetWaitersInArrivalOrder) {
  auto first = connect();
  auto second = connect();
  send(*first, {"BZPOPMIN", "zq", "0"});
  ASSERT_TRUE(waitBlocked(1));
  send(*second, {"BZMPOP", "0", "1", "zq", "MAX", "COUNT", "2"});
  ASSERT_TRUE(waitBlocked(2));
  // A list at the key serves nobody: zset waiters keep waiting.
  EXPECT_EQ(run("RPUSH", "zq", "x"), ":1");
  EXPECT_TRUE(silentFor(*first, 100));
  EXPECT_EQ(run("DEL", "zq"), ":1");
  EXPECT_EQ(run("ZADD", "zq", "5", "e", "1", "a", "3", "c", "4", "d"), ":4");
  EXPECT_EQ(show(first->getReply()), "[\"zq\", \"a\", \"1\"]");
  EXPECT_EQ(show(second->getReply()), "[\"zq\", [[\"e\", \"5\"], [\"d\", \"4\"]]]");
  EXPECT_EQ(run("ZRANGE", "zq", "0", "-1"), "[\"c\"]");
  EXPECT_EQ(infoField("blocked_clients"), 0);
}

TEST_F(Blocking, ZsetPopsInsideMultiNeverBlock) {
  RawConnection raw(port(), 5000);
  std::string req = resp({"MULTI"});
  req += resp({"BZPOPMIN", "zk", "0"});
  req += resp({"BZPOPMAX", "zk", "0"});
  req += resp({"BZMPOP", "0", "1", "zk", "MIN"});
  req += resp({"EXEC"});
  raw.send(req);
  const std::string want = "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n*-1\r\n*-1\r\n*-1\r\n";
  EXPECT_EQ(raw.readExactly(want.size(), 3000), want);
}

}  // namespace
