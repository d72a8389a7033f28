#include <gtest/gtest.h>

#include "command_test_support.h"

using erdtree::testing::CommandHarness;

TEST(Dispatcher, UnknownCommandAndArityErrorsMatchRedis) {
  CommandHarness h;
  EXPECT_EQ(h.run({"foo", "a", "b"}), "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
  EXPECT_EQ(h.run({"GET"}), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(h.run({"config"}), "-ERR wrong number of arguments for 'config' command\r\n");
  EXPECT_EQ(h.run({"config", "nope"}), "-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n");
  EXPECT_EQ(h.run({"config", "get"}), "-ERR wrong number of arguments for 'config|get' command\r\n");
}

TEST(Dispatcher, UnknownCommandArgumentsAreCutAt128Bytes) {
  CommandHarness h;
  std::string reply = h.run({"nope", std::string(300, 'x'), "second"});
  EXPECT_EQ(reply.find("second"), std::string::npos);
  EXPECT_NE(reply.find(std::string(128, 'x')), std::string::npos);
  EXPECT_EQ(reply.find(std::string(129, 'x')), std::string::npos);
}

TEST(Dispatcher, CommandNamesAreCaseInsensitive) {
  CommandHarness h;
  EXPECT_EQ(h.run({"SeT", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(h.run({"gEt", "k"}), "$1\r\nv\r\n");
}

TEST(Dispatcher, AuthRequiredExceptForNoAuthCommands) {
  CommandHarness h;
  h.server.pass = "secret";
  h.dispatcher.setAuthRequired(true);
  h.session.authenticated = false;
  EXPECT_EQ(h.run({"get", "k"}), "-NOAUTH Authentication required.\r\n");
  // Existence and arity come first, as in Redis.
  EXPECT_EQ(h.run({"nope"}), "-ERR unknown command 'nope', with args beginning with: \r\n");
  EXPECT_EQ(h.run({"auth", "bad"}), "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(h.run({"auth", "secret"}), "+OK\r\n");
  EXPECT_EQ(h.run({"get", "k"}), "$-1\r\n");
}

TEST(Propagation, RelativeTtlsBecomeAbsolute) {
  CommandHarness h;
  h.run({"set", "a", "1", "EX", "10"}, 1'000'000);
  h.run({"setex", "b", "5", "v"}, 1'000'000);
  h.run({"expire", "a", "100"}, 1'000'000);
  h.run({"pexpire", "b", "-1"}, 1'000'000);  // past: deleted
  ASSERT_EQ(h.propagator.records.size(), 4u);
  EXPECT_EQ(h.propagator.records[0], "0: SET a 1 PXAT 1010000");
  EXPECT_EQ(h.propagator.records[1], "0: SET b v PXAT 1005000");
  EXPECT_EQ(h.propagator.records[2], "0: PEXPIREAT a 1100000");
  EXPECT_EQ(h.propagator.records[3], "0: DEL b");
}

TEST(Propagation, NonDeterministicWritesAreRewritten) {
  CommandHarness h;
  h.run({"incrbyfloat", "f", "1.5"});
  h.run({"getdel", "f"});
  h.run({"getex", "missing", "EX", "5"});  // no key: nothing to propagate
  h.run({"get", "x"});                     // reads never propagate
  ASSERT_EQ(h.propagator.records.size(), 2u);
  EXPECT_EQ(h.propagator.records[0], "0: SET f 1.5 KEEPTTL");
  EXPECT_EQ(h.propagator.records[1], "0: DEL f");
}

TEST(Propagation, FailedOrNoOpWritesPropagateNothing) {
  CommandHarness h;
  h.run({"set", "k", "v", "NX"});
  h.run({"set", "k", "v2", "NX"});  // not set
  h.run({"incr", "k"});             // not an integer
  h.run({"del", "missing"});
  h.run({"persist", "k"});          // no TTL to remove
  ASSERT_EQ(h.propagator.records.size(), 1u);
  EXPECT_EQ(h.propagator.records[0], "0: SET k v");
}

TEST(Propagation, ExpiredKeysPropagateAsDel) {
  CommandHarness h;
  std::vector<std::string> dels;
  h.keyspace.setExpiredListener([&](int db, std::string_view key) { dels.push_back(std::to_string(db) + ":" + std::string(key)); });
  h.run({"set", "k", "v", "PX", "10"}, 1000);
  EXPECT_EQ(h.run({"get", "k"}, 1010), "$-1\r\n");
  EXPECT_EQ(dels, std::vector<std::string>{"0:k"});
}

TEST(Strings, InPlaceCountersKeepTtl) {
  CommandHarness h;
  h.run({"set", "n", "9", "PX", "100000"});
  EXPECT_EQ(h.run({"incr", "n"}), ":10\r\n");
  EXPECT_EQ(h.run({"pttl", "n"}), ":100000\r\n");
  EXPECT_EQ(h.run({"incrby", "n", "-20"}), ":-10\r\n");
  EXPECT_EQ(h.run({"get", "n"}), "$3\r\n-10\r\n");
}

TEST(Strings, SetrangeAndAppendRespectProtoMaxBulkLen) {
  CommandHarness h;
  h.svc.protoMaxBulkLen = 100;
  EXPECT_EQ(h.run({"setrange", "k", "95", "123456"}),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  EXPECT_EQ(h.run({"setrange", "k", "2", "ab"}), ":4\r\n");
  EXPECT_EQ(h.run({"get", "k"}), std::string("$4\r\n\0\0ab\r\n", 10));
  EXPECT_EQ(h.run({"append", "k", std::string(97, 'x')}),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
}

TEST(Propagation, ExecWrapsItsWritesAsOneUnit) {
  CommandHarness h;
  EXPECT_EQ(h.run({"multi"}), "+OK\r\n");
  EXPECT_EQ(h.run({"get", "x"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"set", "a", "1"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"incr", "a"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"exec"}), "*3\r\n$-1\r\n+OK\r\n:2\r\n");
  ASSERT_EQ(h.propagator.records.size(), 4u);
  EXPECT_EQ(h.propagator.records[0], "0: MULTI");
  EXPECT_EQ(h.propagator.records[1], "0: SET a 1");
  EXPECT_EQ(h.propagator.records[2], "0: incr a");
  EXPECT_EQ(h.propagator.records[3], "0: EXEC");
  // A read-only transaction propagates nothing.
  h.run({"multi"});
  h.run({"get", "a"});
  h.run({"exec"});
  EXPECT_EQ(h.propagator.records.size(), 4u);
}
