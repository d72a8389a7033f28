// Erdtree as a replication master, followed by Debian's redis-server 7.0.15
// as the replica (--replicaof): full sync of a data set with every type, the
// live stream after it, INFO replication / ROLE / CLIENT LIST on the master,
// a partial resync (+CONTINUE) after the link is cut, a full one when the
// backlog no longer reaches back far enough, and two replicas at once.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
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

struct Pair {
  ServerProcess master{{"--save", "", "--appendonly", "no"}};
  std::vector<std::unique_ptr<ServerProcess>> replicas;

  void startMaster() { master.start(); }
  ServerProcess& addReplica() {
    auto r = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--replicaof", "127.0.0.1", std::to_string(master.port())});
    r->setBinary(kRedisServer);
    r->start();
    replicas.push_back(std::move(r));
    return *replicas.back();
  }
};

class ReplicationMaster : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kRedisServer)) GTEST_SKIP() << "no " << kRedisServer;
  }
};

TEST_F(ReplicationMaster, RedisReplicaFollowsAFullSyncAndTheLiveStream) {
  Pair p;
  p.startMaster();
  Client m(p.master.port());
  fillAllTypes(m);
  ServerProcess& replica = p.addReplica();
  Client r(replica.port());
  expectSameData(m, r);
  writeMoreAllTypes(m);
  expectSameData(m, r);

  // The replica acknowledges every second: its offset shows on the master.
  const std::string offset = infoField(m, "replication", "master_repl_offset");
  const std::string port = std::to_string(replica.port());
  ASSERT_TRUE(waitLong([&] {
    return infoField(m, "replication", "slave0") == "ip=127.0.0.1,port=" + port + ",state=online,offset=" + offset +
                                                        ",lag=0" ||
           infoField(m, "replication", "slave0") == "ip=127.0.0.1,port=" + port + ",state=online,offset=" + offset +
                                                        ",lag=1";
  })) << infoField(m, "replication", "slave0");
  EXPECT_EQ(infoField(m, "replication", "connected_slaves"), "1");
  EXPECT_EQ(infoField(m, "replication", "repl_backlog_active"), "1");
  EXPECT_EQ(infoField(m, "replication", "repl_backlog_first_byte_offset"), "1");
  EXPECT_EQ(infoField(m, "replication", "repl_backlog_histlen"), offset);
  EXPECT_EQ(infoField(m, "stats", "sync_full"), "1");
  EXPECT_EQ(infoField(m, "stats", "sync_partial_ok"), "0");
  // The replica follows the master's replication ID.
  EXPECT_EQ(infoField(r, "replication", "master_replid"), infoField(m, "replication", "master_replid"));

  Reply role = m.cmd({"ROLE"});
  ASSERT_EQ(role.elements.size(), 3u) << role.repr();
  EXPECT_EQ(role.elements[0].str, "master");
  EXPECT_EQ(std::to_string(role.elements[1].integer), offset);
  ASSERT_EQ(role.elements[2].elements.size(), 1u);
  EXPECT_EQ(role.elements[2].elements[0].strings(), (std::vector<std::string>{"127.0.0.1", port, offset}));

  std::string list = m.cmd({"CLIENT", "LIST", "TYPE", "replica"}).str;
  EXPECT_NE(list.find("flags=S"), std::string::npos) << list;
  EXPECT_EQ(list.find('\n'), list.size() - 1) << list;  // one line
}

TEST_F(ReplicationMaster, ACutLinkContinuesWithAPartialResync) {
  Pair p;
  p.startMaster();
  Client m(p.master.port());
  fillAllTypes(m);
  ServerProcess& replica = p.addReplica();
  Client r(replica.port());
  expectSameData(m, r);

  EXPECT_EQ(m.cmd({"CLIENT", "KILL", "TYPE", "replica"}).integer, 1);
  writeMoreAllTypes(m);
  expectSameData(m, r);
  EXPECT_EQ(infoField(m, "stats", "sync_full"), "1");
  EXPECT_EQ(infoField(m, "stats", "sync_partial_ok"), "1");
  EXPECT_EQ(infoField(m, "stats", "sync_partial_err"), "0");
  EXPECT_NE(p.master.log().find("Partial resynchronization request from 127.0.0.1"), std::string::npos);
  EXPECT_NE(replica.log().find("Successful partial resynchronization with master"), std::string::npos);
}

TEST_F(ReplicationMaster, AReplicaBeyondTheBacklogGetsAFullResync) {
  Pair p;
  p.startMaster();
  Client m(p.master.port());
  ASSERT_EQ(m.cmd({"CONFIG", "SET", "repl-backlog-size", "16kb"}).repr(), "+OK");
  ASSERT_EQ(m.cmd({"SET", "k", "v"}).repr(), "+OK");
  ServerProcess& replica = p.addReplica();
  Client r(replica.port());
  expectSameData(m, r);
  EXPECT_EQ(infoField(m, "replication", "repl_backlog_size"), "16384");

  replica.sendSignal(SIGSTOP);
  EXPECT_EQ(m.cmd({"CLIENT", "KILL", "TYPE", "replica"}).integer, 1);
  const std::string big(1000, 'x');
  for (int i = 0; i < 100; ++i) m.cmd({"SET", "big:" + std::to_string(i), big});  // ~100 KB > backlog
  EXPECT_EQ(infoField(m, "replication", "repl_backlog_histlen"), "16384");
  replica.sendSignal(SIGCONT);
  expectSameData(m, r);
  EXPECT_EQ(infoField(m, "stats", "sync_full"), "2");
  EXPECT_EQ(infoField(m, "stats", "sync_partial_err"), "1");
}

TEST_F(ReplicationMaster, TwoReplicasAtOnce) {
  Pair p;
  p.startMaster();
  Client m(p.master.port());
  fillAllTypes(m);
  // A larger data set, so the second replica may arrive while the first syncs.
  for (int i = 0; i < 2000; ++i) m.cmd({"SET", "bulk:" + std::to_string(i), std::string(200, 'a' + i % 26)});
  ServerProcess& a = p.addReplica();
  ServerProcess& b = p.addReplica();
  Client ra(a.port()), rb(b.port());
  expectSameData(m, ra);
  expectSameData(m, rb);
  writeMoreAllTypes(m);
  expectSameData(m, ra);
  expectSameData(m, rb);
  EXPECT_EQ(infoField(m, "replication", "connected_slaves"), "2");
  EXPECT_EQ(infoField(m, "stats", "sync_full"), "2");
  EXPECT_TRUE(waitLong([&] { return m.cmd({"ROLE"}).elements.at(2).elements.size() == 2; }));
}

// The stream selects the db again after each sync fork: a second replica
// loads its snapshot and must apply the next db-4 write to db 4, though the
// stream's previous record was in db 4 as well.
TEST_F(ReplicationMaster, ANewSyncStartsTheStreamWithASelect) {
  Pair p;
  p.startMaster();
  Client m(p.master.port());
  ServerProcess& a = p.addReplica();
  Client ra(a.port());
  ASSERT_EQ(m.cmd({"SELECT", "4"}).repr(), "+OK");
  ASSERT_EQ(m.cmd({"SET", "k1", "v1"}).repr(), "+OK");
  expectSameData(m, ra);
  ServerProcess& b = p.addReplica();
  Client rb(b.port());
  ASSERT_TRUE(waitLong([&] { return inSync(m, rb); }));
  ASSERT_EQ(m.cmd({"SELECT", "4"}).repr(), "+OK");  // dumpAll left it in db 0
  ASSERT_EQ(m.cmd({"SET", "k2", "v2"}).repr(), "+OK");
  expectSameData(m, ra);
  expectSameData(m, rb);
  rb.cmd({"SELECT", "4"});
  EXPECT_EQ(rb.cmd({"GET", "k2"}).repr(), "$v2");
}

// A snapshot much larger than what the master lets wait in a replica's
// output goes out in chunks as the socket drains, with writes going on.
TEST_F(ReplicationMaster, ALargeSnapshotIsStreamedWhileWritesContinue) {
  Pair p;
  p.startMaster();
  Client m(p.master.port());
  const int kKeys = 20000;
  for (int i = 0; i < kKeys; ++i) m.append({"SET", "big:" + std::to_string(i), std::string(1000, 'a' + i % 26)});
  for (int i = 0; i < kKeys; ++i) ASSERT_FALSE(m.getReply().isError());
  ServerProcess& replica = p.addReplica();
  Client r(replica.port());
  for (int i = 0; i < 200; ++i) m.cmd({"INCR", "during"});
  expectSameData(m, r);
  EXPECT_EQ(r.cmd({"GET", "during"}).repr(), "$200");
  EXPECT_EQ(r.cmd({"DBSIZE"}).integer, kKeys + 1);
}

// A replica that stops reading is held to the replica class of
// client-output-buffer-limit: the master drops it instead of buffering
// without bound, and it comes back with a new sync once it runs again.
TEST_F(ReplicationMaster, AStalledReplicaIsDroppedAtItsOutputLimit) {
  Pair p;
  p.startMaster();
  Client m(p.master.port());
  ASSERT_EQ(m.cmd({"CONFIG", "SET", "client-output-buffer-limit", "replica 1mb 0 0"}).repr(), "+OK");
  ServerProcess& replica = p.addReplica();
  Client r(replica.port());
  expectSameData(m, r);
  replica.sendSignal(SIGSTOP);
  const std::string value(10000, 'v');
  for (int i = 0; i < 2000; ++i) m.append({"SET", "stall:" + std::to_string(i), value});  // 20 MB of stream
  for (int i = 0; i < 2000; ++i) ASSERT_FALSE(m.getReply().isError());
  EXPECT_TRUE(waitLong([&] { return infoField(m, "replication", "connected_slaves") == "0"; }, 10000));
  EXPECT_NE(p.master.log().find("overcoming of output buffer limits"), std::string::npos);
  replica.sendSignal(SIGCONT);
  expectSameData(m, r);
  EXPECT_EQ(infoField(m, "stats", "sync_full"), "2");
}

}  // namespace
