// The master side's guarantees, against redis-server 7.0.15 and erdtree
// replicas: WAIT (counting, blocking until ACKs arrive, timing out while a
// replica is stopped), min-replicas-to-write (-NOREPLICAS, CONFIG, INFO),
// repl-timeout dropping a silent replica, and PUBLISH reaching the replicas'
// subscribers without entering the master's append-only log. With
// ERDTREE_SERVER_BIN=/usr/bin/redis-server the same expectations hold for
// Redis itself (the oracle).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;
namespace fs = std::filesystem;

namespace {

bool haveRedis() { return fs::exists(kRedisServerBin); }

// A master and any mix of redis-server and erdtree replicas.
struct Group {
  explicit Group(std::vector<std::string> masterArgs) : master(withNoSave(std::move(masterArgs))) { master.start(); }

  ServerProcess& addReplica(bool redis) {
    std::vector<std::string> args{"--replicaof", "127.0.0.1", std::to_string(master.port())};
    if (!redis) args = {"--save", "", "--replicaof", "127.0.0.1 " + std::to_string(master.port())};
    auto r = std::make_unique<ServerProcess>(args);
    if (redis) r->setBinary(kRedisServerBin);
    r->start();
    replicas.push_back(std::move(r));
    return *replicas.back();
  }

  static std::vector<std::string> withNoSave(std::vector<std::string> args) {
    args.insert(args.begin(), {"--save", ""});
    return args;
  }

  ServerProcess master;
  std::vector<std::unique_ptr<ServerProcess>> replicas;
};

// n replicas attached and all of them online.
bool allOnline(Client& m, size_t n) {
  if (infoField(m, "replication", "connected_slaves") != std::to_string(n)) return false;
  for (size_t i = 0; i < n; ++i)
    if (infoField(m, "replication", "slave" + std::to_string(i)).find("state=online") == std::string::npos)
      return false;
  return true;
}

// SIGSTOP for a scope: the process always gets its SIGCONT back.
struct Stopped {
  explicit Stopped(ServerProcess& p) : proc(p) { proc.sendSignal(SIGSTOP); }
  ~Stopped() { resume(); }
  void resume() {
    if (stopped) proc.sendSignal(SIGCONT);
    stopped = false;
  }
  ServerProcess& proc;
  bool stopped = true;
};

int64_t msSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

std::string readAofFiles(const std::string& dir) {
  std::string all;
  if (!fs::exists(dir)) return all;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return all;
}

class ReplicationWait : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!haveRedis()) GTEST_SKIP() << "no " << kRedisServerBin;
  }
};

}  // namespace

TEST_F(ReplicationWait, CountsRedisReplicasAndAnswersLikeRedis) {
  Group g({});
  Client m(g.master.port());
  // No replica: WAIT 0 answers at once, a bounded WAIT 1 times out with 0.
  EXPECT_EQ(m.cmd({"WAIT", "0", "0"}).repr(), ":0");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(m.cmd({"WAIT", "1", "200"}).repr(), ":0");
  EXPECT_GE(msSince(t0), 190);
  EXPECT_EQ(m.cmd({"WAIT", "0", "-1"}).repr(), "-ERR timeout is negative");
  EXPECT_EQ(m.cmd({"WAIT", "x", "0"}).repr(), "-ERR value is not an integer or out of range");
  EXPECT_EQ(m.cmd({"WAIT", "1", "1.5"}).repr(), "-ERR timeout is not an integer or out of range");
  EXPECT_EQ(m.cmd({"WAIT", "1"}).repr(), "-ERR wrong number of arguments for 'wait' command");

  g.addReplica(true);
  ASSERT_TRUE(waitLong([&] { return allOnline(m, 1); }));
  ASSERT_EQ(m.cmd({"SET", "k", "1"}).repr(), "+OK");
  EXPECT_EQ(m.cmd({"WAIT", "1", "5000"}).repr(), ":1");
  g.addReplica(true);
  ASSERT_TRUE(waitLong([&] { return allOnline(m, 2); }));
  ASSERT_EQ(m.cmd({"SET", "k", "2"}).repr(), "+OK");
  t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(m.cmd({"WAIT", "2", "5000"}).repr(), ":2");
  EXPECT_LT(msSince(t0), 4000);  // the GETACK brought the ACKs, not the 1 s timer alone
  // More than there are: times out with the count.
  t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(m.cmd({"WAIT", "3", "300"}).repr(), ":2");
  EXPECT_GE(msSince(t0), 290);
  // Inside MULTI it answers at once, with however many replicas already
  // acknowledged the stream as it was at MULTI (it includes the GETACK just
  // sent, which the replicas acknowledge with their next ACK).
  ASSERT_EQ(m.cmd({"MULTI"}).repr(), "+OK");
  ASSERT_EQ(m.cmd({"WAIT", "3", "0"}).repr(), "+QUEUED");
  t0 = std::chrono::steady_clock::now();
  Reply exec = m.cmd({"EXEC"});
  EXPECT_LT(msSince(t0), 200);
  ASSERT_EQ(exec.elements.size(), 1u);
  EXPECT_LE(exec.elements[0].integer, 2);
  // A fresh client has written nothing: every online replica has its offset.
  Client other(g.master.port());
  EXPECT_EQ(other.cmd({"WAIT", "0", "0"}).repr(), ":2");
  // The GETACKs went into the stream: the replicas still follow.
  for (auto& r : g.replicas) {
    Client rc(r->port());
    EXPECT_TRUE(waitLong([&] { return inSync(m, rc); }));
    EXPECT_EQ(rc.cmd({"GET", "k"}).str, "2");
  }
}

TEST_F(ReplicationWait, ErdtreeReplicasAcknowledgeAndRefuseWait) {
  Group g({});
  Client m(g.master.port());
  ServerProcess& r1 = g.addReplica(false);
  g.addReplica(false);
  ASSERT_TRUE(waitLong([&] { return allOnline(m, 2); }));
  ASSERT_EQ(m.cmd({"SET", "k", "v"}).repr(), "+OK");
  EXPECT_EQ(m.cmd({"WAIT", "2", "5000"}).repr(), ":2");
  EXPECT_EQ(m.cmd({"WAIT", "1", "0"}).repr(), ":2");
  Client r(r1.port());
  EXPECT_EQ(r.cmd({"WAIT", "0", "0"}).repr(),
            "-ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is "
            "configured to be writable (which is not the default) writes to replicas are just local and are not "
            "propagated.");
  EXPECT_EQ(r.cmd({"GET", "k"}).str, "v");
}

TEST_F(ReplicationWait, TimesOutWhileAReplicaIsStoppedAndReturnsWhenItAcks) {
  Group g({});
  Client m(g.master.port());
  ServerProcess& a = g.addReplica(true);
  g.addReplica(false);
  ASSERT_TRUE(waitLong([&] { return allOnline(m, 2); }));
  {
    Stopped stop(a);
    ASSERT_EQ(m.cmd({"SET", "k", "1"}).repr(), "+OK");
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(m.cmd({"WAIT", "2", "1000"}).repr(), ":1");  // only the running one
    EXPECT_GE(msSince(t0), 990);
    // A WAIT without timeout stays blocked until the stopped replica acks.
    Client w(g.master.port(), 20000);
    ASSERT_EQ(w.cmd({"SET", "k", "2"}).repr(), "+OK");
    w.append({"WAIT", "2", "0"});
    w.flush();
    ASSERT_TRUE(waitLong([&] { return infoField(m, "clients", "blocked_clients") == "1"; }));
    EXPECT_NE(m.cmd({"CLIENT", "LIST"}).str.find("flags=b"), std::string::npos);
    stop.resume();
    EXPECT_EQ(w.getReply().repr(), ":2");
  }
  EXPECT_EQ(infoField(m, "clients", "blocked_clients"), "0");
}

TEST_F(ReplicationWait, MinReplicasToWriteRefusesThenAccepts) {
  Group g({"--min-replicas-to-write", "1", "--min-replicas-max-lag", "2"});
  Client m(g.master.port());
  const std::string refused = "-NOREPLICAS Not enough good replicas to write.";
  EXPECT_EQ(m.cmd({"SET", "k", "1"}).repr(), refused);
  EXPECT_EQ(m.cmd({"GET", "k"}).repr(), "(nil)");  // reads go on
  // A queued write aborts the transaction, as Redis.
  ASSERT_EQ(m.cmd({"MULTI"}).repr(), "+OK");
  EXPECT_EQ(m.cmd({"SET", "k", "1"}).repr(), refused);
  EXPECT_EQ(m.cmd({"EXEC"}).repr(), "-EXECABORT Transaction discarded because of previous errors.");
  // INFO: the good count right after connected_slaves.
  std::string info = m.cmd({"INFO", "replication"}).str;
  EXPECT_NE(info.find("connected_slaves:0\r\nmin_slaves_good_slaves:0\r\nmaster_failover_state"), std::string::npos)
      << info;

  ServerProcess& r = g.addReplica(true);
  ASSERT_TRUE(waitLong([&] { return m.cmd({"SET", "k", "1"}).repr() == "+OK"; }));
  EXPECT_EQ(infoField(m, "replication", "min_slaves_good_slaves"), "1");

  // CONFIG: both names, and the range Redis allows.
  EXPECT_EQ(m.cmd({"CONFIG", "GET", "min-slaves-to-write"}).repr(), "[$min-slaves-to-write, $1]");
  EXPECT_EQ(m.cmd({"CONFIG", "GET", "min-replicas-max-lag"}).repr(), "[$min-replicas-max-lag, $2]");
  EXPECT_EQ(m.cmd({"CONFIG", "SET", "min-replicas-to-write", "-1"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'min-replicas-to-write') - argument must be between "
            "0 and 2147483647 inclusive");
  EXPECT_EQ(m.cmd({"CONFIG", "SET", "min-slaves-to-write", "2"}).repr(), "+OK");
  EXPECT_EQ(m.cmd({"CONFIG", "GET", "min-replicas-to-write"}).repr(), "[$min-replicas-to-write, $2]");
  EXPECT_EQ(m.cmd({"SET", "k", "2"}).repr(), refused);
  EXPECT_EQ(m.cmd({"CONFIG", "SET", "min-replicas-to-write", "1"}).repr(), "+OK");
  EXPECT_EQ(m.cmd({"SET", "k", "2"}).repr(), "+OK");

  // A transaction queued while the replica was good, executed after its
  // ACKs grew too old: EXEC is refused with the reason.
  ASSERT_EQ(m.cmd({"MULTI"}).repr(), "+OK");
  ASSERT_EQ(m.cmd({"SET", "k", "3"}).repr(), "+QUEUED");
  Client watcher(g.master.port());  // m is inside MULTI
  {
    Stopped stop(r);
    ASSERT_TRUE(waitLong([&] { return infoField(watcher, "replication", "min_slaves_good_slaves") == "0"; }, 10000));
    EXPECT_EQ(m.cmd({"EXEC"}).repr(),
              "-EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write.");
    // max-lag 0 turns the check off: writes go through, the field goes away.
    EXPECT_EQ(m.cmd({"CONFIG", "SET", "min-slaves-max-lag", "0"}).repr(), "+OK");
    EXPECT_EQ(m.cmd({"SET", "k", "4"}).repr(), "+OK");
    EXPECT_EQ(infoField(m, "replication", "min_slaves_good_slaves"), "");
    EXPECT_EQ(m.cmd({"CONFIG", "SET", "min-slaves-max-lag", "2"}).repr(), "+OK");
  }
  // Back with fresh ACKs: accepted again.
  EXPECT_TRUE(waitLong([&] { return m.cmd({"SET", "k", "5"}).repr() == "+OK"; }));
}

TEST_F(ReplicationWait, SilentReplicaIsDroppedAfterReplTimeout) {
  Group g({"--repl-timeout", "2"});
  Client m(g.master.port());
  ServerProcess& r = g.addReplica(true);
  ASSERT_TRUE(waitLong([&] { return allOnline(m, 1); }));
  {
    Stopped stop(r);
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(waitLong([&] { return infoField(m, "replication", "connected_slaves") == "0"; }, 10000));
    EXPECT_GE(msSince(t0), 1500);
    EXPECT_NE(g.master.log().find("Disconnecting timedout replica (streaming sync): 127.0.0.1:" +
                                  std::to_string(r.port())),
              std::string::npos)
        << g.master.log();
  }
  // Resumed, it reconnects and continues from the backlog.
  EXPECT_TRUE(waitLong([&] { return allOnline(m, 1); }));
  ASSERT_EQ(m.cmd({"SET", "after", "1"}).repr(), "+OK");
  Client rc(r.port());
  EXPECT_TRUE(waitLong([&] { return rc.cmd({"GET", "after"}).str == "1"; }));
}

TEST_F(ReplicationWait, PublishReachesReplicaSubscribersButNotTheLog) {
  Group g({"--appendonly", "yes"});
  Client m(g.master.port());
  ServerProcess& redisReplica = g.addReplica(true);
  ServerProcess& erdtreeReplica = g.addReplica(false);
  ASSERT_TRUE(waitLong([&] { return allOnline(m, 2); }));
  Client subRedis(redisReplica.port());
  Client subErdtree(erdtreeReplica.port());
  ASSERT_EQ(subRedis.cmd({"SUBSCRIBE", "news-channel"}).repr(), "[$subscribe, $news-channel, :1]");
  ASSERT_EQ(subErdtree.cmd({"SUBSCRIBE", "news-channel"}).repr(), "[$subscribe, $news-channel, :1]");

  EXPECT_EQ(m.cmd({"PUBLISH", "news-channel", "published-message"}).repr(), ":0");  // nobody on the master
  EXPECT_EQ(subRedis.getReply().repr(), "[$message, $news-channel, $published-message]");
  EXPECT_EQ(subErdtree.getReply().repr(), "[$message, $news-channel, $published-message]");
  // PUBLISH counts in the client's write offset: WAIT waits for it.
  EXPECT_EQ(m.cmd({"WAIT", "2", "5000"}).repr(), ":2");

  // A later write reaches the log; the PUBLISH never does.
  ASSERT_EQ(m.cmd({"SET", "after-publish", "1"}).repr(), "+OK");
  const std::string dir = g.master.dir() + "/appendonlydir";
  ASSERT_TRUE(waitLong([&] { return readAofFiles(dir).find("after-publish") != std::string::npos; }));
  EXPECT_EQ(readAofFiles(dir).find("published-message"), std::string::npos);
}

// Redis's disconnectAllBlockedClients: a master turned replica answers its
// blocked clients (WAIT and BLPOP alike) with -UNBLOCKED and closes them;
// what they pipelined is not run.
TEST_F(ReplicationWait, BecomingAReplicaReleasesBlockedClients) {
  ServerProcess other({"--save", ""});
  other.start();
  Group g({});
  Client m(g.master.port());
  Client waiter(g.master.port());
  Client popper(g.master.port());
  waiter.append({"WAIT", "1", "0"});
  waiter.flush();
  popper.append({"BLPOP", "q", "0"});
  popper.append({"PING"});
  popper.flush();
  ASSERT_TRUE(waitLong([&] { return infoField(m, "clients", "blocked_clients") == "2"; }));
  ASSERT_EQ(m.cmd({"REPLICAOF", "127.0.0.1", std::to_string(other.port())}).repr(), "+OK");
  const std::string unblocked =
      "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";
  EXPECT_EQ(waiter.getReply().repr(), unblocked);
  EXPECT_EQ(popper.getReply().repr(), unblocked);
  EXPECT_TRUE(waiter.waitDisconnected());
  EXPECT_TRUE(popper.waitDisconnected());
  EXPECT_EQ(infoField(m, "clients", "blocked_clients"), "0");
  EXPECT_EQ(m.cmd({"PING"}).repr(), "+PONG");
}
