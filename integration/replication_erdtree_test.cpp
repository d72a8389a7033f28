// Erdtree replicating to erdtree (the other suites pair it with redis-server):
// full sync of every type and the live stream, a partial resync after the
// master cuts the link, promotion with REPLICAOF NO ONE, and a replica of a
// replica (chained) that gets the top master's stream relayed unchanged.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/dataset.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }

std::vector<std::string> replicaArgs(int masterPort) {
  return {"--save", "", "--replicaof", "127.0.0.1 " + std::to_string(masterPort)};
}

}  // namespace

TEST(ReplicationErdtree, FullSyncStreamPartialResyncAndPromotion) {
  if (underRedis()) GTEST_SKIP() << "erdtree on both ends";
  ServerProcess master({"--save", ""});
  master.start();
  Client m(master.port());
  fillAllTypes(m);

  ServerProcess replica(replicaArgs(master.port()));
  replica.start();
  Client r(replica.port());
  expectSameData(m, r);
  writeMoreAllTypes(m);
  expectSameData(m, r);
  EXPECT_EQ(infoField(m, "replication", "connected_slaves"), "1");
  EXPECT_EQ(r.cmd({"SET", "x", "1"}).repr(), "-READONLY You can't write against a read only replica.");

  // The master drops the link: the replica comes back with +CONTINUE.
  EXPECT_EQ(m.cmd({"CLIENT", "KILL", "TYPE", "replica"}).integer, 1);
  ASSERT_EQ(m.cmd({"SET", "while-cut", "1"}).repr(), "+OK");
  ASSERT_TRUE(waitLong([&] { return infoField(m, "stats", "sync_partial_ok") == "1"; }));
  EXPECT_EQ(infoField(m, "stats", "sync_full"), "1");
  expectSameData(m, r);
  EXPECT_NE(replica.log().find("Successful partial resynchronization with master."), std::string::npos);

  // Promotion keeps the data, shifts the ID and accepts writes.
  const std::string oldId = infoField(r, "replication", "master_replid");
  EXPECT_EQ(r.cmd({"REPLICAOF", "NO", "ONE"}).repr(), "+OK");
  EXPECT_EQ(infoField(r, "replication", "role"), "master");
  EXPECT_EQ(infoField(r, "replication", "master_replid2"), oldId);
  EXPECT_EQ(r.cmd({"SET", "x", "1"}).repr(), "+OK");
  EXPECT_EQ(r.cmd({"GET", "while-cut"}).str, "1");
}

TEST(ReplicationErdtree, ChainedReplicaSeesTheTopMastersWrites) {
  if (underRedis()) GTEST_SKIP() << "erdtree on both ends";
  ServerProcess top({"--save", ""});
  top.start();
  Client t(top.port());
  fillAllTypes(t);
  ServerProcess middle(replicaArgs(top.port()));
  middle.start();
  Client mid(middle.port());
  ServerProcess bottom(replicaArgs(middle.port()));
  bottom.start();
  Client b(bottom.port());
  expectSameData(t, mid);
  writeMoreAllTypes(t);
  expectSameData(t, mid);
  // The bottom replica gets the top's stream relayed byte for byte: the
  // same data, the same replication ID and offset.
  expectSameData(t, b);
  EXPECT_EQ(infoField(b, "replication", "master_replid"), infoField(t, "replication", "master_replid"));
  EXPECT_EQ(infoField(mid, "replication", "master_replid"), infoField(t, "replication", "master_replid"));
}
