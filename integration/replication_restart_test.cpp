// Restarts that keep the replication history (docs/replication.md, "Restarts"):
// a replica restarted from its own log or snapshot continues with a partial
// resync when its master's backlog still covers it (clean SHUTDOWN, kill -9
// under a write load with either fsync policy), falls back to a full sync
// when the backlog moved on, and both directions work with Debian's
// redis-server 7.0.15; a restarted master lets its replicas continue.
// The master's INFO stats (sync_full, sync_partial_ok) say which sync it was.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/dataset.h"
#include "harness/process.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }
bool haveRedis() { return ::access(kRedisServerBin, X_OK) == 0; }

std::string masterAddr(int port) { return "127.0.0.1 " + std::to_string(port); }

long long statOf(Client& c, const std::string& name) {
  const std::string v = infoField(c, "stats", name);
  return v.empty() ? -1 : std::stoll(v);
}

// SHUTDOWN [modifier] and wait for the process to be gone.
void shutdown(ServerProcess& s, Client& c, const std::string& modifier = "") {
  std::vector<std::string> args{"SHUTDOWN"};
  if (!modifier.empty()) args.push_back(modifier);
  c.append(args);
  c.flush();
  ASSERT_TRUE(s.waitExit(10000)) << s.log();
}

// A full sync's data reaches an erdtree replica's log through the rewrite it
// starts; until that is done its log carries no position (#RP:reset), and a
// restart would be a full sync again.
void waitLogHoldsTheSync(Client& r) {
  ASSERT_TRUE(waitLong([&] {
    return infoField(r, "persistence", "aof_rewrite_in_progress") == "0" &&
           infoField(r, "persistence", "aof_rewrite_scheduled") == "0";
  }));
}

// Starts the replica, waits for its full sync to be loaded and in its log,
// and shuts it down cleanly.
void syncThenShutdown(Client& m, ServerProcess& replica) {
  replica.start();
  Client r(replica.port());
  expectSameData(m, r);
  waitLogHoldsTheSync(r);
  shutdown(replica, r);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The replica's log has position lines, and both checkers accept it.
void expectCheckedLogWithPositions(const ServerProcess& s) {
  const std::string dir = s.dir() + "/appendonlydir";
  bool sawPosition = false;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".aof") sawPosition |= slurp(e.path()).find("\n#RP:") != std::string::npos;
  EXPECT_TRUE(sawPosition);
  const std::string manifest = dir + "/appendonly.aof.manifest";
  ProcessResult ours = runProcess({ERDTREE_CHECK_AOF_PATH, manifest}, "", 30000);
  EXPECT_EQ(ours.exitCode(), 0) << ours.describe();
  if (std::filesystem::exists("/usr/bin/redis-check-aof")) {
    ProcessResult redis = runProcess({"/usr/bin/redis-check-aof", manifest}, "", 30000);
    EXPECT_EQ(redis.exitCode(), 0) << redis.describe();
  }
}

// The master's counters before a replica comes back, and the check after.
struct SyncCounts {
  long long full, partialOk;
  explicit SyncCounts(Client& m) : full(statOf(m, "sync_full")), partialOk(statOf(m, "sync_partial_ok")) {}
  void expectPartial(Client& m, const ServerProcess& replica) const {
    EXPECT_TRUE(waitLong([&] { return statOf(m, "sync_partial_ok") == partialOk + 1; }))
        << "sync_partial_ok " << statOf(m, "sync_partial_ok") << ", sync_full " << statOf(m, "sync_full")
        << "\nthe replica's log:\n" << replica.log();
    EXPECT_EQ(statOf(m, "sync_full"), full);
  }
};

// A client writing to the master from its own thread until stopped.
class WriteLoad {
 public:
  explicit WriteLoad(int port) : thread_([this, port] {
    Client c(port);
    for (long i = 0; !stop_; ++i) {
      c.cmd({"SET", "load:" + std::to_string(i % 500), std::to_string(i)});
      c.cmd({"RPUSH", "load:list", std::to_string(i)});
      if (i % 7 == 0) c.cmd({"HSET", "load:hash", std::to_string(i % 50), std::to_string(i)});
      ++writes_;
    }
  }) {}
  ~WriteLoad() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  long writes() const { return writes_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<long> writes_{0};
  std::thread thread_;
};

class ReplicationRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    if (underRedis()) GTEST_SKIP() << "erdtree's restart paths";
  }
};

}  // namespace

// From its log (appendonly yes, the default) or from the dump.rdb of SHUTDOWN
// SAVE (appendonly no).
TEST_F(ReplicationRestart, ReplicaShutdownAndRestartContinuesPartially) {
  for (bool aof : {true, false}) {
    SCOPED_TRACE(aof ? "appendonly yes" : "appendonly no + SHUTDOWN SAVE");
    ServerProcess master({"--save", ""});
    master.start();
    Client m(master.port());
    fillAllTypes(m);
    ServerProcess replica(
        {"--save", "", "--appendonly", aof ? "yes" : "no", "--replicaof", masterAddr(master.port())});
    replica.start();
    {
      Client r(replica.port());
      expectSameData(m, r);
      waitLogHoldsTheSync(r);
      writeMoreAllTypes(m);  // a MULTI/EXEC and several dbs in the stream
      ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
      shutdown(replica, r, aof ? "" : "SAVE");
    }
    if (aof) expectCheckedLogWithPositions(replica);
    SyncCounts before(m);
    writeMoreAllTypes(m);
    m.cmd({"SELECT", "3"});
    m.cmd({"SET", "while:down", "1"});  // the stream continues in db 3
    replica.start();
    Client r(replica.port());
    before.expectPartial(m, replica);
    m.cmd({"SET", "after:restart", "2"});  // no SELECT: the restored stream db
    expectSameData(m, r);
    EXPECT_NE(replica.log().find("Successful partial resynchronization"), std::string::npos);
  }
}

// kill -9 while the master is busy: the position in the replica's log is the
// one of the records it holds, whatever the fsync policy.
TEST_F(ReplicationRestart, ReplicaKilledUnderWriteLoadContinuesPartially) {
  for (const char* policy : {"always", "everysec"}) {
    SCOPED_TRACE(policy);
    // The load writes MBs per second and an fsync-always replica lags behind
    // it: a backlog that surely covers the outage, so a full sync can only
    // come from a wrong position.
    ServerProcess master({"--save", "", "--repl-backlog-size", "64mb"});
    master.start();
    Client m(master.port());
    fillAllTypes(m);
    ServerProcess replica({"--save", "", "--appendfsync", policy, "--replicaof", masterAddr(master.port())});
    replica.start();
    {
      Client r(replica.port());
      expectSameData(m, r);
      waitLogHoldsTheSync(r);
    }
    SyncCounts before(m);
    {
      WriteLoad load(master.port());
      ASSERT_TRUE(waitLong([&] { return load.writes() > 2000; }));
      replica.kill9();
      const long atKill = load.writes();
      ASSERT_TRUE(waitLong([&] { return load.writes() > atKill + 1000; }));
      replica.start();
      ASSERT_TRUE(waitLong([&] { return load.writes() > atKill + 3000; }));
    }
    Client r(replica.port());
    before.expectPartial(m, replica);
    expectSameData(m, r);
  }
}

TEST_F(ReplicationRestart, ReplicaBeyondTheBacklogGetsAFullSync) {
  ServerProcess master({"--save", "", "--repl-backlog-size", "16kb"});
  master.start();
  Client m(master.port());
  fillAllTypes(m);
  ServerProcess replica({"--save", "", "--replicaof", masterAddr(master.port())});
  syncThenShutdown(m, replica);
  SyncCounts before(m);
  const std::string value(1000, 'v');
  for (int i = 0; i < 100; ++i) m.cmd({"SET", "big:" + std::to_string(i), value});  // ~100 KB > the backlog
  replica.start();
  Client r(replica.port());
  EXPECT_TRUE(waitLong([&] { return statOf(m, "sync_full") == before.full + 1; }));
  EXPECT_EQ(statOf(m, "sync_partial_ok"), before.partialOk);
  expectSameData(m, r);
}

TEST_F(ReplicationRestart, ErdtreeReplicaOfRedisMasterContinuesPartially) {
  if (!haveRedis()) GTEST_SKIP() << "no " << kRedisServerBin;
  ServerProcess master({"--repl-diskless-sync-delay", "0"});
  master.setBinary(kRedisServerBin);
  master.start();
  Client m(master.port());
  fillAllTypes(m);
  ServerProcess replica({"--save", "", "--replicaof", masterAddr(master.port())});
  syncThenShutdown(m, replica);
  SyncCounts before(m);
  writeMoreAllTypes(m);
  replica.start();
  Client r(replica.port());
  before.expectPartial(m, replica);
  expectSameData(m, r);
}

// The redis-server replica restarts from the dump.rdb its SHUTDOWN SAVE wrote
// (repl-id/repl-offset aux fields) and asks the erdtree master to continue.
TEST_F(ReplicationRestart, RedisReplicaOfErdtreeMasterContinuesPartially) {
  if (!haveRedis()) GTEST_SKIP() << "no " << kRedisServerBin;
  ServerProcess master({"--save", ""});
  master.start();
  Client m(master.port());
  fillAllTypes(m);
  ServerProcess replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  replica.setBinary(kRedisServerBin);
  replica.start();
  {
    Client r(replica.port());
    expectSameData(m, r);
    waitLogHoldsTheSync(r);
    writeMoreAllTypes(m);
    ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
    shutdown(replica, r, "SAVE");
  }
  SyncCounts before(m);
  writeMoreAllTypes(m);
  replica.start();
  Client r(replica.port());
  before.expectPartial(m, replica);
  expectSameData(m, r);
}

// The master goes down cleanly and comes back from its log (appendonly yes)
// or its snapshot (appendonly no, SHUTDOWN SAVE): its erdtree and redis-server
// replicas continue from it partially.
TEST_F(ReplicationRestart, RestartedMasterLetsItsReplicasContinue) {
  for (bool aof : {true, false}) {
    SCOPED_TRACE(aof ? "appendonly yes" : "appendonly no + SHUTDOWN SAVE");
    // No PING while the master is down-bound: the replicas must have every
    // byte the master counted before it exits (erdtree does not wait for them).
    const std::vector<std::string> masterArgs{"--save", "", "--appendonly", aof ? "yes" : "no",
                                              "--repl-ping-replica-period", "3600"};
    ServerProcess master(masterArgs);
    master.start();
    auto m = std::make_unique<Client>(master.port());
    fillAllTypes(*m);
    ServerProcess replica({"--save", "", "--replicaof", masterAddr(master.port())});
    replica.start();
    Client r(replica.port());
    expectSameData(*m, r);
    waitLogHoldsTheSync(r);
    std::unique_ptr<ServerProcess> redisReplica;
    std::unique_ptr<Client> rr;
    if (haveRedis()) {
      redisReplica = std::make_unique<ServerProcess>(
          std::vector<std::string>{"--replicaof", "127.0.0.1", std::to_string(master.port())});
      redisReplica->setBinary(kRedisServerBin);
      redisReplica->start();
      rr = std::make_unique<Client>(redisReplica->port());
    }
    expectSameData(*m, r);
    writeMoreAllTypes(*m);
    ASSERT_TRUE(waitLong([&] { return inSync(*m, r) && (!rr || inSync(*m, *rr)); }));
    shutdown(master, *m, aof ? "" : "SAVE");
    m.reset();
    master.start();
    m = std::make_unique<Client>(master.port());
    const long long replicas = rr ? 2 : 1;
    EXPECT_TRUE(waitLong([&] { return statOf(*m, "sync_partial_ok") == replicas; }))
        << "sync_partial_ok " << statOf(*m, "sync_partial_ok") << "\n" << master.log();
    EXPECT_EQ(statOf(*m, "sync_full"), 0);
    writeMoreAllTypes(*m);
    expectSameData(*m, r);
    if (rr) expectSameData(*m, *rr);
  }
}
