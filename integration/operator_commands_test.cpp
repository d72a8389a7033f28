// Integration tests for the operator commands on the real binary: MONITOR,
// CLIENT PAUSE/UNPAUSE, CLIENT REPLY, CLIENT NO-EVICT, SLOWLOG, LATENCY,
// SWAPDB and RESET. Each test runs its own server (they change global state:
// pauses, thresholds, databases).
//
// Every expected reply was checked against Redis 7.0.15: run with
// ERDTREE_SERVER_BIN=/usr/bin/redis-server --gtest_filter='OperatorCommands*'.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/server_process.h"

namespace {

using erdtree::itest::Client;
using erdtree::itest::localPort;
using erdtree::itest::parseClientLine;
using erdtree::itest::RawConnection;
using erdtree::itest::Reply;
using erdtree::itest::ServerProcess;
using erdtree::itest::show;
using erdtree::itest::strCat;
using erdtree::itest::waitFor;
using Clock = std::chrono::steady_clock;

std::string resp(const std::vector<std::string>& args) {
  std::string out = strCat({"*", std::to_string(args.size()), "\r\n"});
  for (const auto& a : args) out += strCat({"$", std::to_string(a.size()), "\r\n", a, "\r\n"});
  return out;
}

// The part of a MONITOR line after the timestamp: "[db addr] "arg" ...".
// Checks the timestamp's shape (+seconds.microseconds) on the way.
std::string afterTimestamp(const std::string& line) {
  EXPECT_EQ(line.substr(0, 1), "+") << line;
  size_t dot = line.find('.');
  size_t space = line.find(' ');
  EXPECT_NE(dot, std::string::npos) << line;
  EXPECT_EQ(space, dot + 7) << line;  // six digits of microseconds
  return space == std::string::npos ? line : line.substr(space + 1);
}

// Reads one "\r\n"-terminated line from a raw connection.
std::string readLine(RawConnection& c) {
  std::string s = c.readUntil("\r\n", 5000);
  return s.size() >= 2 ? s.substr(0, s.size() - 2) : s;
}

class OperatorCommands : public ::testing::Test {
 protected:
  void SetUp() override { server_.start(); }
  void TearDown() override { server_.stop(); }
  int port() const { return server_.port(); }
  ServerProcess server_;
};

TEST_F(OperatorCommands, MonitorSeesOtherClientsCommandsInRedisFormat) {
  RawConnection mon(port());
  mon.send(resp({"MONITOR"}));
  EXPECT_EQ(readLine(mon), "+OK");
  Client c(port());
  const std::string addr = strCat({"127.0.0.1:", std::to_string(localPort(c.fd()))});
  EXPECT_EQ(show(c.cmd({"SET", "k\x01\"", "a b\\\n\t"})), "+OK");
  EXPECT_EQ(show(c.cmd({"CONFIG", "GET", "port"})).substr(0, 1), "[");  // admin: not shown
  c.cmd({"AUTH", "secret"});                                             // shown, redacted
  EXPECT_EQ(show(c.cmd({"SELECT", "3"})), "+OK");
  c.cmd({"GET", "a"});
  c.cmd({"NOSUCHCOMMAND"});  // refused: not shown
  c.cmd({"MULTI"});
  c.cmd({"SET", "a", "1"});
  c.cmd({"EXEC"});
  EXPECT_EQ(afterTimestamp(readLine(mon)), strCat({"[0 ", addr, "] \"SET\" \"k\\x01\\\"\" \"a b\\\\\\n\\t\""}));
  EXPECT_EQ(afterTimestamp(readLine(mon)), strCat({"[0 ", addr, "] \"AUTH\" \"(redacted)\""}));
  EXPECT_EQ(afterTimestamp(readLine(mon)), strCat({"[3 ", addr, "] \"SELECT\" \"3\""}));
  EXPECT_EQ(afterTimestamp(readLine(mon)), strCat({"[3 ", addr, "] \"GET\" \"a\""}));
  EXPECT_EQ(afterTimestamp(readLine(mon)), strCat({"[3 ", addr, "] \"MULTI\""}));
  EXPECT_EQ(afterTimestamp(readLine(mon)), strCat({"[3 ", addr, "] \"SET\" \"a\" \"1\""}));  // at EXEC time
  EXPECT_EQ(afterTimestamp(readLine(mon)), strCat({"[3 ", addr, "] \"EXEC\""}));
  // A monitor may not touch keys; it shows as O in CLIENT LIST.
  mon.send(resp({"GET", "a"}));
  EXPECT_EQ(readLine(mon), "-ERR Replica can't interact with the keyspace");
  auto line = c.cmd({"CLIENT", "LIST"}).str;
  EXPECT_NE(line.find("flags=O "), std::string::npos) << line;
  // RESET leaves MONITOR mode: nothing more arrives.
  mon.send(resp({"RESET"}));
  EXPECT_EQ(readLine(mon), "+RESET");
  c.cmd({"PING"});
  EXPECT_EQ(mon.readAvailable(200), "");
}

TEST_F(OperatorCommands, ClientPauseWriteHoldsWritesUntilUnpauseWhileReadsAnswer) {
  Client admin(port()), reader(port());
  RawConnection writer(port());
  EXPECT_EQ(show(admin.cmd({"SET", "k", "old"})), "+OK");
  EXPECT_EQ(show(admin.cmd({"CLIENT", "PAUSE", "20000", "WRITE"})), "+OK");
  writer.send(resp({"SET", "k", "new"}));
  EXPECT_EQ(show(reader.cmd({"GET", "k"})), "\"old\"");  // reads go on
  EXPECT_EQ(writer.readAvailable(300), "");                // the SET waits, unanswered
  EXPECT_NE(admin.cmd({"INFO", "clients"}).str.find("blocked_clients:1\r\n"), std::string::npos);
  bool heldShown = false;
  for (const auto& line : erdtree::itest::parseClientList(admin.cmd({"CLIENT", "LIST"}).str))
    heldShown |= line.at("flags") == "b" && line.at("cmd") == "set";
  EXPECT_TRUE(heldShown);
  EXPECT_EQ(show(reader.cmd({"GET", "k"})), "\"old\"");
  EXPECT_EQ(show(admin.cmd({"CLIENT", "UNPAUSE"})), "+OK");
  EXPECT_EQ(readLine(writer), "+OK");
  EXPECT_EQ(show(reader.cmd({"GET", "k"})), "\"new\"");
}

TEST_F(OperatorCommands, ClientPauseAllHoldsEveryCommandUntilTheTimeout) {
  Client admin(port()), other(port());
  EXPECT_EQ(show(admin.cmd({"CLIENT", "PAUSE", "400", "ALL"})), "+OK");
  auto start = Clock::now();
  EXPECT_EQ(show(other.cmd({"PING"})), "+PONG");
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  EXPECT_GE(waited, 300);
  EXPECT_LT(waited, 5000);
  EXPECT_EQ(show(admin.cmd({"CLIENT", "PAUSE", "x"})), "-ERR timeout is not an integer or out of range");
  EXPECT_EQ(show(admin.cmd({"CLIENT", "PAUSE", "-1"})), "-ERR timeout is negative");
  EXPECT_EQ(show(admin.cmd({"CLIENT", "PAUSE", "10", "foo"})), "-ERR CLIENT PAUSE mode must be WRITE or ALL");
}

TEST_F(OperatorCommands, ClientPauseHidesExpiredKeysWithoutDeletingThem) {
  Client c(port());
  EXPECT_EQ(show(c.cmd({"SET", "k", "v", "PX", "100"})), "+OK");
  EXPECT_EQ(show(c.cmd({"CLIENT", "PAUSE", "20000", "WRITE"})), "+OK");
  ASSERT_TRUE(waitFor([&] { return show(c.cmd({"GET", "k"})) == "(nil)"; }, 3000));
  EXPECT_EQ(show(c.cmd({"DBSIZE"})), ":1");  // no DEL while paused
  EXPECT_EQ(show(c.cmd({"CLIENT", "UNPAUSE"})), "+OK");
  c.cmd({"GET", "k"});
  EXPECT_EQ(show(c.cmd({"DBSIZE"})), ":0");
}

TEST_F(OperatorCommands, ClientReplyOffSkipAndOn) {
  RawConnection c(port());
  c.send(resp({"CLIENT", "REPLY", "OFF"}) + resp({"SET", "a", "2"}) + resp({"GET", "a"}) +
         resp({"CLIENT", "REPLY", "SKIP"}) + resp({"GET", "a"}) + resp({"CLIENT", "REPLY", "ON"}) +
         resp({"GET", "a"}));
  EXPECT_EQ(c.readExactly(12), "+OK\r\n$1\r\n2\r\n");
  EXPECT_EQ(c.readAvailable(100), "");
}

// A SKIP while skipping arms it again (Redis's CLIENT_REPLY_SKIP_NEXT): only
// the second GET is answered.
TEST_F(OperatorCommands, ClientReplySkipTwiceSkipsTheNextCommandOnly) {
  RawConnection c(port());
  c.send(resp({"SET", "b", "1"}) + resp({"CLIENT", "REPLY", "SKIP"}) + resp({"CLIENT", "REPLY", "SKIP"}) +
         resp({"GET", "b"}) + resp({"INCR", "b"}));
  EXPECT_EQ(c.readExactly(9), "+OK\r\n:2\r\n");
  EXPECT_EQ(c.readAvailable(100), "");
}

// Bytes hiredis would not tell apart: an unknown command's slot is a null
// bulk in RESP2 ($-1), as Redis's addReplyNull.
TEST_F(OperatorCommands, CommandInfoOfAnUnknownCommandIsANullBulk) {
  RawConnection c(port());
  c.send(resp({"COMMAND", "INFO", "nosuchcommand"}));
  EXPECT_EQ(c.readExactly(9), "*1\r\n$-1\r\n");
}

// CONFIG SET of Redis's sensitive settings never shows their values.
TEST_F(OperatorCommands, SlowlogRedactsSensitiveConfigSetValues) {
  Client c(port());
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "0"})), "+OK");
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "hz", "10", "masterauth", "p2"})), "+OK");
  Reply log = c.cmd({"SLOWLOG", "GET", "1"});
  ASSERT_EQ(log.elements.size(), 1u) << show(log);
  const Reply& args = log.elements[0].elements[3];
  ASSERT_EQ(args.elements.size(), 6u) << show(log);
  EXPECT_EQ(args.elements[3].str, "10");
  EXPECT_EQ(args.elements[5].str, "(redacted)");
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "masterauth", ""})), "+OK");
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "10000"})), "+OK");
}

TEST_F(OperatorCommands, ClientNoEvictShowsAsFlagE) {
  Client c(port());
  EXPECT_EQ(show(c.cmd({"CLIENT", "NO-EVICT", "on"})), "+OK");
  EXPECT_EQ(parseClientLine(c.cmd({"CLIENT", "INFO"}).str)["flags"], "e");
  EXPECT_EQ(show(c.cmd({"CLIENT", "NO-EVICT", "maybe"})), "-ERR syntax error");
  EXPECT_EQ(show(c.cmd({"CLIENT", "NO-EVICT", "off"})), "+OK");
  EXPECT_EQ(parseClientLine(c.cmd({"CLIENT", "INFO"}).str)["flags"], "N");
}

TEST_F(OperatorCommands, SlowlogWithThresholdZeroRecordsCommandsAsRedisTruncatesThem) {
  Client c(port());
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "0"})), "+OK");
  EXPECT_EQ(show(c.cmd({"CLIENT", "SETNAME", "ops"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SET", "k", std::string(130, 'a')})), "+OK");
  std::vector<std::string> push = {"RPUSH", "l"};
  for (int i = 1; i <= 40; ++i) push.push_back(std::to_string(i));
  c.cmd(push);
  Reply log = c.cmd({"SLOWLOG", "GET", "2"});
  ASSERT_EQ(log.elements.size(), 2u) << show(log);
  const Reply& rpush = log.elements[0];
  const Reply& set = log.elements[1];
  EXPECT_EQ(rpush.elements[0].integer, set.elements[0].integer + 1);  // ids grow
  EXPECT_GE(rpush.elements[2].integer, 0);                             // microseconds
  ASSERT_EQ(rpush.elements[3].elements.size(), 32u);
  EXPECT_EQ(rpush.elements[3].elements[31].str, "... (11 more arguments)");
  EXPECT_EQ(set.elements[3].elements[2].str, strCat({std::string(128, 'a'), "... (2 more bytes)"}));
  EXPECT_EQ(set.elements[4].str, strCat({"127.0.0.1:", std::to_string(localPort(c.fd()))}));
  EXPECT_EQ(set.elements[5].str, "ops");
  EXPECT_EQ(show(c.cmd({"SLOWLOG", "GET", "x"})), "-ERR count should be greater than or equal to -1");
  EXPECT_EQ(show(c.cmd({"SLOWLOG", "RESET"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SLOWLOG", "LEN"})), ":1");  // the RESET itself
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "slowlog-max-len", "2"})), "+OK");
  c.cmd({"PING"});
  c.cmd({"PING"});
  EXPECT_EQ(show(c.cmd({"SLOWLOG", "LEN"})), ":2");
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "-1"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SLOWLOG", "RESET"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SLOWLOG", "LEN"})), ":0");
}

TEST_F(OperatorCommands, SlowlogLogsABlockedCommandWhenAKeyServesIt) {
  Client c(port()), waiter(port());
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "0"})), "+OK");
  waiter.append({"BLPOP", "q", "10"});
  waiter.flush();
  ASSERT_TRUE(waitFor([&] { return c.cmd({"INFO", "clients"}).str.find("blocked_clients:1") != std::string::npos; },
                      3000));
  EXPECT_EQ(show(c.cmd({"RPUSH", "q", "x"})), ":1");
  EXPECT_EQ(show(waiter.getReply()), "[\"q\", \"x\"]");
  // Newest first: the BLPOP, logged once served, after the RPUSH that served it.
  Reply log = c.cmd({"SLOWLOG", "GET", "2"});
  ASSERT_EQ(log.elements.size(), 2u) << show(log);
  EXPECT_EQ(show(log.elements[0].elements[3]), "[\"BLPOP\", \"q\", \"10\"]");
  EXPECT_EQ(show(log.elements[1].elements[3]), "[\"RPUSH\", \"q\", \"x\"]");
  Reply h = c.cmd({"LATENCY", "HISTOGRAM", "blpop"});
  ASSERT_EQ(h.elements.size(), 2u) << show(h);
  EXPECT_EQ(h.elements[1].elements[1].integer, 1);  // calls: counted once, when served
}

TEST_F(OperatorCommands, LatencyMonitorRecordsASlowCommand) {
  Client c(port());
  EXPECT_EQ(c.cmd({"LATENCY", "DOCTOR"}).str.substr(0, 34), "I'm sorry, Dave, I can't do that. ");
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "latency-monitor-threshold", "1"})), "+OK");
  // A command that takes well over a millisecond: 200k elements returned.
  for (int chunk = 0; chunk < 20; ++chunk) {
    std::vector<std::string> push = {"RPUSH", "big"};
    for (int i = 0; i < 10000; ++i) push.push_back("element");
    c.cmd(push);
  }
  // The RPUSHes may have been slow too ("fast-command"): look for "command".
  auto commandEvent = [&]() -> Reply {
    for (const Reply& e : c.cmd({"LATENCY", "LATEST"}).elements)
      if (e.elements.size() == 4 && e.elements[0].str == "command") return e;
    return Reply{};
  };
  ASSERT_TRUE(waitFor([&] {
    c.cmd({"LRANGE", "big", "0", "-1"});
    return !commandEvent().elements.empty();
  }, 20000, 1));
  EXPECT_GE(commandEvent().elements[2].integer, 1);  // ms of the latest spike
  EXPECT_GE(c.cmd({"LATENCY", "HISTORY", "command"}).elements.size(), 1u);
  EXPECT_EQ(c.cmd({"LATENCY", "DOCTOR"}).str.substr(0, 56),
            "Dave, I have observed latency spikes in this Redis insta");
  EXPECT_EQ(c.cmd({"LATENCY", "GRAPH", "command"}).str.substr(0, 10), "command - ");
  EXPECT_EQ(show(c.cmd({"LATENCY", "GRAPH", "nope"})), "-ERR No samples available for event 'nope'");
  EXPECT_EQ(show(c.cmd({"LATENCY", "RESET", "command", "nope"})), ":1");
  EXPECT_TRUE(commandEvent().elements.empty());
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "latency-monitor-threshold", "0"})), "+OK");
  c.cmd({"LATENCY", "RESET"});
  EXPECT_EQ(show(c.cmd({"LATENCY", "LATEST"})), "[]");
}

TEST_F(OperatorCommands, LatencyHistogramCountsCalls) {
  Client c(port());
  for (int i = 0; i < 3; ++i) c.cmd({"SET", "k", "v"});
  Reply h = c.cmd({"LATENCY", "HISTOGRAM", "set", "nosuch"});
  ASSERT_EQ(h.elements.size(), 2u) << show(h);  // RESP2: name, then its map flattened
  EXPECT_EQ(h.elements[0].str, "set");
  const Reply& entry = h.elements[1];
  ASSERT_EQ(entry.elements.size(), 4u) << show(h);
  EXPECT_EQ(entry.elements[0].str, "calls");
  EXPECT_EQ(entry.elements[1].integer, 3);
  EXPECT_EQ(entry.elements[2].str, "histogram_usec");
  const Reply& buckets = entry.elements[3];
  ASSERT_GE(buckets.elements.size(), 2u);
  EXPECT_EQ(buckets.elements.back().integer, 3);  // cumulative
  const std::string info = c.cmd({"INFO", "latencystats"}).str;
  EXPECT_NE(info.find("# Latencystats\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("latency_percentiles_usec_set:p50="), std::string::npos) << info;
  EXPECT_NE(info.find(",p99=", info.find("latency_percentiles_usec_set:")), std::string::npos) << info;
  EXPECT_EQ(c.cmd({"INFO"}).str.find("latency_percentiles_usec_"), std::string::npos);  // not by default
}

TEST_F(OperatorCommands, SwapdbMovesDataWakesABlpopAndTouchesWatchers) {
  Client a(port()), waiter(port()), watcher(port());
  EXPECT_EQ(show(a.cmd({"SELECT", "1"})), "+OK");
  EXPECT_EQ(show(a.cmd({"RPUSH", "list", "x"})), ":1");
  EXPECT_EQ(show(a.cmd({"SET", "w", "1"})), "+OK");
  waiter.append({"BLPOP", "list", "10"});
  waiter.flush();
  ASSERT_TRUE(waitFor([&] { return a.cmd({"INFO", "clients"}).str.find("blocked_clients:1") != std::string::npos; },
                      3000));
  EXPECT_EQ(show(watcher.cmd({"WATCH", "w"})), "+OK");  // in db 0, where w is not (yet)
  EXPECT_EQ(show(a.cmd({"SWAPDB", "0", "1"})), "+OK");
  EXPECT_EQ(show(waiter.getReply()), "[\"list\", \"x\"]");
  EXPECT_EQ(show(watcher.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(watcher.cmd({"GET", "w"})), "+QUEUED");
  EXPECT_EQ(show(watcher.cmd({"EXEC"})), "(nil)");  // the swap changed w
  EXPECT_EQ(show(watcher.cmd({"GET", "w"})), "\"1\"");
  EXPECT_EQ(show(a.cmd({"DBSIZE"})), ":0");  // db 1 now holds what db 0 had
  EXPECT_EQ(show(a.cmd({"SWAPDB", "x", "1"})), "-ERR invalid first DB index");
  EXPECT_EQ(show(a.cmd({"SWAPDB", "0", "x"})), "-ERR invalid second DB index");
  EXPECT_EQ(show(a.cmd({"SWAPDB", "0", "99"})), "-ERR DB index is out of range");
}

TEST(OperatorCommandsAof, SwapdbIsReplayedFromTheLog) {
  ServerProcess server({"--appendonly", "yes"});
  server.start();
  {
    Client c(server.port());
    EXPECT_EQ(show(c.cmd({"SET", "k", "v"})), "+OK");
    EXPECT_EQ(show(c.cmd({"SWAPDB", "0", "2"})), "+OK");
  }
  server.stop();
  server.start();
  Client c(server.port());
  EXPECT_EQ(show(c.cmd({"GET", "k"})), "(nil)");
  EXPECT_EQ(show(c.cmd({"SELECT", "2"})), "+OK");
  EXPECT_EQ(show(c.cmd({"GET", "k"})), "\"v\"");
}

TEST_F(OperatorCommands, ResetRestoresAFreshConnection) {
  Client c(port());
  EXPECT_EQ(show(c.cmd({"SELECT", "5"})), "+OK");
  EXPECT_EQ(show(c.cmd({"CLIENT", "SETNAME", "x"})), "+OK");
  EXPECT_EQ(show(c.cmd({"CLIENT", "NO-EVICT", "on"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"RESET"})), "+RESET");
  auto info = parseClientLine(c.cmd({"CLIENT", "INFO"}).str);
  EXPECT_EQ(info["db"], "0");
  EXPECT_EQ(info["name"], "");
  EXPECT_EQ(info["flags"], "e");  // Redis 7.0.15 keeps NO-EVICT across RESET
  EXPECT_EQ(info["multi"], "-1");
  EXPECT_EQ(show(c.cmd({"RESET", "x"})), "-ERR wrong number of arguments for 'reset' command");
}

TEST(OperatorCommandsAuth, ResetForgetsAuthentication) {
  ServerProcess server({"--requirepass", "pw"});
  server.start();
  Client c(server.port());
  EXPECT_EQ(show(c.cmd({"AUTH", "pw"})), "+OK");
  EXPECT_EQ(show(c.cmd({"PING"})), "+PONG");
  EXPECT_EQ(show(c.cmd({"RESET"})), "+RESET");
  EXPECT_EQ(show(c.cmd({"PING"})), "-NOAUTH Authentication required.");
}

}  // namespace
