// A replica applying its master's stream never deletes a key because a
// deadline has passed (Redis's checkAlreadyExpired): a lagging replica gets
// PEXPIREAT after its time while the master still holds the key and goes on
// writing to it, so deleting would lose those writes.
#include <gtest/gtest.h>

#include "command_test_support.h"

using erdtree::testing::CommandHarness;
using erdtree::engine::ExpiryMode;

TEST(ReplicaExpire, PastDeadlineKeepsTheKeyOnAReplica) {
  CommandHarness h;
  EXPECT_EQ(h.run({"SET", "c", "1"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SET", "g", "v"}), "+OK\r\n");
  h.keyspace.setExpiryMode(ExpiryMode::Ignore);  // as while the master's commands apply
  h.session.internal = true;
  EXPECT_EQ(h.run({"PEXPIREAT", "c", "999000"}, 1'000'000), ":1\r\n");
  EXPECT_EQ(h.run({"INCR", "c"}, 1'000'000), ":2\r\n");  // the master still had it
  EXPECT_EQ(h.run({"GETEX", "g", "PXAT", "999000"}, 1'000'000), "$1\r\nv\r\n");
  EXPECT_EQ(h.propagator.records.back(), "0: PEXPIREAT g 999000");
  EXPECT_EQ(h.run({"PERSIST", "c"}, 1'000'000), ":1\r\n");
  EXPECT_EQ(h.run({"GET", "c"}, 1'000'000), "$1\r\n2\r\n");
  EXPECT_EQ(h.keyspace.db(0).size(), 2u);
}

TEST(ReplicaExpire, PastDeadlineDeletesOnAMaster) {
  CommandHarness h;
  EXPECT_EQ(h.run({"SET", "c", "1"}), "+OK\r\n");
  EXPECT_EQ(h.run({"PEXPIREAT", "c", "999000"}, 1'000'000), ":1\r\n");
  EXPECT_EQ(h.propagator.records.back(), "0: DEL c");
  EXPECT_EQ(h.keyspace.db(0).size(), 0u);
}
