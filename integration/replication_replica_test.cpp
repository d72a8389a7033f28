// The replica side against a real master: Debian's redis-server 7.0 is the
// master, the built server follows it. Full sync of every type, the stream
// after it, -READONLY, INFO replication / ROLE, reconnecting after the master
// restarts, REPLICAOF NO ONE, and the replica's own log holding the data.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/dataset.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

constexpr const char* kRedisServer = kRedisServerBin;

bool haveRedis() { return ::access(kRedisServer, X_OK) == 0; }
bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }

// A real master that starts the transfer at once (no diskless delay).
std::unique_ptr<ServerProcess> startMaster(std::vector<std::string> extra = {}) {
  extra.insert(extra.end(), {"--repl-diskless-sync-delay", "0"});
  auto m = std::make_unique<ServerProcess>(extra);
  m->setBinary(kRedisServer);
  m->start();
  return m;
}

std::unique_ptr<ServerProcess> startReplica(int masterPort) {
  auto r = std::make_unique<ServerProcess>(std::vector<std::string>{"--replicaof", "127.0.0.1 " + std::to_string(masterPort)});
  r->start();
  return r;
}

// fillAllTypes and let its 30 ms key run out, so both dumps agree on it.
void fill(Client& m) {
  fillAllTypes(m);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

class ReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!haveRedis()) GTEST_SKIP() << "no " << kRedisServer;
    if (underRedis()) GTEST_SKIP() << "the replica under test is erdtree's";
  }
};

TEST_F(ReplicaTest, FullSyncThenStreamGiveTheMastersData) {
  auto master = startMaster();
  Client m(master->port());
  fill(m);
  auto replica = startReplica(master->port());
  Client r(replica->port());
  ASSERT_TRUE(waitLong([&] { return inSync(m, r); })) << replica->log();
  expectSameData(m, r);
  writeMoreAllTypes(m);
  ASSERT_TRUE(waitLong([&] { return inSync(m, r); })) << replica->log();
  expectSameData(m, r);
  EXPECT_NE(replica->log().find("MASTER <-> REPLICA sync: Finished with success"), std::string::npos);
  // The master's view: its replica is online at the same offset.
  EXPECT_TRUE(waitLong([&] { return infoField(m, "replication", "connected_slaves") == "1"; }));
}

TEST_F(ReplicaTest, WritesAreRefusedReadsWork) {
  auto master = startMaster();
  Client m(master->port());
  m.cmd({"SET", "k", "v"});
  auto replica = startReplica(master->port());
  Client r(replica->port());
  ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
  Reply w = r.cmd({"SET", "x", "1"});
  EXPECT_TRUE(w.isError());
  EXPECT_EQ(w.str, "READONLY You can't write against a read only replica.");
  EXPECT_EQ(r.cmd({"GET", "k"}).str, "v");
  // A MULTI with a write: queued write refused, EXEC aborts.
  r.cmd({"MULTI"});
  EXPECT_EQ(r.cmd({"INCR", "k"}).str, "READONLY You can't write against a read only replica.");
  EXPECT_EQ(r.cmd({"EXEC"}).str.rfind("EXECABORT", 0), 0u);
  // With replica-read-only no, the replica takes writes.
  EXPECT_EQ(r.cmd({"CONFIG", "SET", "replica-read-only", "no"}).str, "OK");
  EXPECT_EQ(r.cmd({"SET", "x", "1"}).str, "OK");
  EXPECT_EQ(infoField(r, "replication", "slave_read_only"), "0");
}

TEST_F(ReplicaTest, InfoAndRole) {
  auto master = startMaster();
  Client m(master->port());
  m.cmd({"SET", "k", "v"});
  auto replica = startReplica(master->port());
  Client r(replica->port());
  ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
  std::string info = r.cmd({"INFO", "replication"}).str;
  // Redis 7.0's order for a connected replica.
  const std::vector<std::string> order = {
      "role:slave", "master_host:127.0.0.1", "master_port:" + std::to_string(master->port()),
      "master_link_status:up", "master_last_io_seconds_ago:", "master_sync_in_progress:0",
      "slave_read_repl_offset:", "slave_repl_offset:", "slave_priority:100", "slave_read_only:1",
      "replica_announced:1", "connected_slaves:0", "master_failover_state:no-failover", "master_replid:",
      "master_replid2:", "master_repl_offset:", "second_repl_offset:", "repl_backlog_active:"};
  size_t pos = 0;
  for (const auto& f : order) {
    size_t p = info.find("\r\n" + f, pos == 0 ? 0 : pos - 2);
    if (f == "role:slave") p = info.find(f);
    ASSERT_NE(p, std::string::npos) << f << " in\n" << info;
    EXPECT_GE(p + 2, pos) << f << " out of order in\n" << info;
    pos = p + 2;
  }
  EXPECT_EQ(info.find("master_link_down_since_seconds"), std::string::npos);
  // The master's replid is adopted.
  EXPECT_EQ(infoField(r, "replication", "master_replid"), infoField(m, "replication", "master_replid"));
  Reply role = r.cmd({"ROLE"});
  ASSERT_EQ(role.elements.size(), 5u) << role.repr();
  EXPECT_EQ(role.elements[0].str, "slave");
  EXPECT_EQ(role.elements[1].str, "127.0.0.1");
  EXPECT_EQ(role.elements[2].integer, master->port());
  EXPECT_EQ(role.elements[3].str, "connected");
  EXPECT_EQ(std::to_string(role.elements[4].integer), infoField(m, "replication", "master_repl_offset"));
}

TEST_F(ReplicaTest, ReplicaofCommand) {
  auto master = startMaster();
  Client m(master->port());
  m.cmd({"SET", "k", "v"});
  ServerProcess standalone;
  standalone.start();
  Client r(standalone.port());
  EXPECT_EQ(r.cmd({"REPLICAOF", "127.0.0.1", "abc"}).str, "ERR Invalid master port");
  EXPECT_EQ(r.cmd({"REPLICAOF", "127.0.0.1", "70000"}).str, "ERR Invalid master port");
  EXPECT_EQ(r.cmd({"REPLICAOF", "127.0.0.1"}).str, "ERR wrong number of arguments for 'replicaof' command");
  EXPECT_EQ(r.cmd({"REPLICAOF", "NO", "ONE"}).str, "OK");  // already a master: still OK
  Reply role = r.cmd({"ROLE"});
  ASSERT_EQ(role.elements.size(), 3u);
  EXPECT_EQ(role.elements[0].str, "master");
  EXPECT_EQ(r.cmd({"SLAVEOF", "127.0.0.1", std::to_string(master->port())}).str, "OK");
  EXPECT_EQ(r.cmd({"REPLICAOF", "127.0.0.1", std::to_string(master->port())}).str,
            "OK Already connected to specified master");
  ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
  EXPECT_EQ(r.cmd({"GET", "k"}).str, "v");
}

TEST_F(ReplicaTest, ReconnectsAfterTheMasterRestarts) {
  auto master = startMaster({"--appendonly", "yes"});
  Client m(master->port());
  fill(m);
  auto replica = startReplica(master->port());
  Client r(replica->port());
  ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
  // Mid-stream: writes in flight while the master dies.
  for (int i = 0; i < 200; ++i) m.append({"SET", "burst:" + std::to_string(i), std::to_string(i)});
  m.flush();
  master->kill9();
  EXPECT_TRUE(waitLong([&] { return infoField(r, "replication", "master_link_status") == "down"; }));
  EXPECT_EQ(r.cmd({"ROLE"}).elements.at(0).str, "slave");
  master->start();  // same port, data from its log
  Client m2(master->port());
  m2.cmd({"SET", "after:restart", "yes"});
  ASSERT_TRUE(waitLong([&] { return inSync(m2, r); })) << replica->log();
  EXPECT_EQ(r.cmd({"GET", "after:restart"}).str, "yes");
  expectSameData(m2, r);
}

TEST_F(ReplicaTest, ReplicaofNoOneKeepsDataAndTakesWrites) {
  auto master = startMaster();
  Client m(master->port());
  fill(m);
  auto replica = startReplica(master->port());
  Client r(replica->port());
  ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
  const std::string masterReplid = infoField(m, "replication", "master_replid");
  const std::string offset = infoField(r, "replication", "master_repl_offset");
  const std::string data = dumpAll(r);
  EXPECT_EQ(r.cmd({"REPLICAOF", "NO", "ONE"}).str, "OK");
  EXPECT_EQ(infoField(r, "replication", "role"), "master");
  EXPECT_EQ(infoField(r, "replication", "master_replid2"), masterReplid);
  EXPECT_EQ(infoField(r, "replication", "second_repl_offset"), std::to_string(std::stoll(offset) + 1));
  EXPECT_NE(infoField(r, "replication", "master_replid"), masterReplid);
  EXPECT_EQ(dumpAll(r), data);
  r.cmd({"SELECT", "0"});
  EXPECT_EQ(r.cmd({"SET", "promoted", "1"}).str, "OK");
  // The old master's writes no longer arrive.
  m.cmd({"SELECT", "0"});
  m.cmd({"SET", "late", "1"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(r.cmd({"GET", "late"}).isNil());
}

TEST_F(ReplicaTest, ExpiredKeysWaitForTheMastersDel) {
  auto master = startMaster({"--enable-debug-command", "yes"});
  Client m(master->port());
  auto replica = startReplica(master->port());
  Client r(replica->port());
  ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
  // Stop the master's own expiry so only the replica's clock matters.
  ASSERT_EQ(m.cmd({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}).str, "OK");
  m.cmd({"SET", "soon", "v", "PX", "200"});
  ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  // Logically expired: hidden from reads, but still in the keyspace (DBSIZE).
  EXPECT_TRUE(r.cmd({"GET", "soon"}).isNil());
  EXPECT_EQ(r.cmd({"DBSIZE"}).integer, 1);
  // The master expires it on access and sends DEL.
  EXPECT_TRUE(m.cmd({"GET", "soon"}).isNil());
  ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
  EXPECT_EQ(r.cmd({"DBSIZE"}).integer, 0);
}

TEST_F(ReplicaTest, OwnLogHoldsTheData) {
  auto master = startMaster();
  Client m(master->port());
  fill(m);
  auto replica = startReplica(master->port());
  {
    Client r(replica->port());
    ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
    writeMoreAllTypes(m);
    ASSERT_TRUE(waitLong([&] { return inSync(m, r); }));
    // The full sync rewrote the log so its base holds the loaded data.
    ASSERT_TRUE(waitLong([&] {
      return infoField(r, "persistence", "aof_rewrite_in_progress") == "0" &&
             infoField(r, "persistence", "aof_rewrite_scheduled") == "0";
    }));
  }
  const std::string data = dumpAll(m);
  replica->stop();
  replica->setExtraArgs({});
  replica->start();
  Client r(replica->port());
  EXPECT_EQ(infoField(r, "replication", "role"), "master");
  EXPECT_EQ(dumpAll(r), data);
}

}  // namespace

namespace {

TEST_F(ReplicaTest, StaleDataRefusedWhenConfigured) {
  // Nobody listens on the master's port: the link stays down.
  const int deadPort = pickFreePort();
  ServerProcess replica({"--replicaof", "127.0.0.1 " + std::to_string(deadPort), "--replica-serve-stale-data", "no"});
  replica.start();
  Client r(replica.port());
  EXPECT_EQ(r.cmd({"GET", "k"}).str, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
  EXPECT_FALSE(r.cmd({"INFO", "replication"}).isError());
  EXPECT_EQ(infoField(r, "replication", "master_link_status"), "down");
  Reply role = r.cmd({"ROLE"});
  ASSERT_EQ(role.elements.size(), 5u);
  EXPECT_EQ(role.elements[4].integer, -1);
  EXPECT_EQ(r.cmd({"CONFIG", "SET", "replica-serve-stale-data", "yes"}).str, "OK");
  EXPECT_TRUE(r.cmd({"GET", "k"}).isNil());
}

TEST_F(ReplicaTest, DiskBasedTransferAndMasterauth) {
  auto master = startMaster({"--repl-diskless-sync", "no", "--requirepass", "s3cret"});
  Client m(master->port());
  ASSERT_EQ(m.cmd({"AUTH", "s3cret"}).str, "OK");
  fill(m);
  ServerProcess replica({"--replicaof", "127.0.0.1 " + std::to_string(master->port()), "--masterauth", "s3cret"});
  replica.start();
  Client r(replica.port());
  ASSERT_TRUE(waitLong([&] { return inSync(m, r); })) << replica.log();
  EXPECT_NE(replica.log().find("receiving"), std::string::npos);
  EXPECT_EQ(replica.log().find("with EOF"), std::string::npos);  // the "$<len>" form
  expectSameData(m, r);
  writeMoreAllTypes(m);
  expectSameData(m, r);
}

}  // namespace
