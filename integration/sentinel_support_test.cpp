// What Redis Sentinel relies on besides replication: CONFIG REWRITE (the
// TOML file keeps its comments and order, a restart keeps the rewritten
// values), the SCRIPT/FUNCTION answers of a server without scripting, and
// the replica settings Sentinel reads from INFO. Expected texts are Redis
// 7.0's (the file-less and script cases also pass against redis-server).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "harness/client.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST(SentinelSupport, WithoutAConfigFileIsAnError) {
  ServerProcess s;
  s.start();
  Client c(s.port());
  EXPECT_EQ(c.cmd({"CONFIG", "REWRITE"}).repr(), "-ERR The server is running without a config file");
  EXPECT_EQ(c.cmd({"CONFIG", "REWRITE", "x"}).repr(),
            "-ERR wrong number of arguments for 'config|rewrite' command");
}

TEST(SentinelSupport, UpdatesTheTomlFileInPlaceAndARestartKeepsIt) {
  if (underRedis()) GTEST_SKIP() << "erdtree's TOML file";
  ServerProcess s;
  const std::string file = s.dir() + "/erdtree.toml";
  const std::string original =
      "# my settings\n"
      "[server]\n"
      "hz = 10            # cron frequency\n"
      "\n"
      "[memory]\n"
      "maxmemory-policy = \"noeviction\"\n"
      "maxmemory = \"100mb\"  # stays in this spelling\n";
  std::ofstream(file) << original;
  s.setExtraArgs({"--config", file});
  s.start();
  {
    Client c(s.port());
    EXPECT_EQ(c.cmd({"CONFIG", "REWRITE"}).repr(), "+OK");
    const std::string once = readFile(file);
    // The harness's --port/--dir/--bind flags are not defaults: they are added to [server].
    EXPECT_EQ(once.find("# my settings\n[server]\nhz = 10            # cron frequency\n"), 0u) << once;
    EXPECT_NE(once.find("port = " + std::to_string(s.port()) + "\n"), std::string::npos) << once;
    EXPECT_NE(once.find("maxmemory = \"100mb\"  # stays in this spelling\n"), std::string::npos) << once;

    ASSERT_EQ(c.cmd({"CONFIG", "SET", "hz", "20", "maxmemory-policy", "allkeys-lru", "replica-priority", "7"}).repr(), "+OK");
    ASSERT_EQ(c.cmd({"REPLICAOF", "127.0.0.1", "1"}).repr(), "+OK");
    EXPECT_EQ(c.cmd({"CONFIG", "REWRITE"}).repr(), "+OK");
    const std::string text = readFile(file);
    EXPECT_NE(text.find("hz = 20            # cron frequency\n"), std::string::npos) << text;
    EXPECT_NE(text.find("[memory]\nmaxmemory-policy = \"allkeys-lru\"\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\n[replication]\n"), std::string::npos) << text;
    EXPECT_NE(text.find("replicaof = \"127.0.0.1 1\"\n"), std::string::npos) << text;
    EXPECT_NE(text.find("replica-priority = 7\n"), std::string::npos) << text;
  }
  s.stop();
  s.start();
  Client c(s.port());
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "hz"}).strings(), (std::vector<std::string>{"hz", "20"}));
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "maxmemory"}).strings(), (std::vector<std::string>{"maxmemory", "104857600"}));
  EXPECT_EQ(infoField(c, "replication", "role"), "slave");
  EXPECT_EQ(infoField(c, "replication", "master_port"), "1");
  EXPECT_EQ(infoField(c, "replication", "slave_priority"), "7");
  // Promoted again: the rewrite keeps it a master.
  ASSERT_EQ(c.cmd({"REPLICAOF", "NO", "ONE"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"CONFIG", "REWRITE"}).repr(), "+OK");
  EXPECT_NE(readFile(file).find("replicaof = \"\"\n"), std::string::npos) << readFile(file);
}

// CONFIG GET replicaof shows the current role, as Redis 7.0 (what CONFIG
// REWRITE writes).
TEST(SentinelSupport, ConfigGetReplicaofFollowsTheRole) {
  ServerProcess s;
  s.start();
  Client c(s.port());
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "replicaof"}).strings(), (std::vector<std::string>{"replicaof", ""}));
  ASSERT_EQ(c.cmd({"REPLICAOF", "127.0.0.1", "1"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "replicaof"}).strings(), (std::vector<std::string>{"replicaof", "127.0.0.1 1"}));
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "slaveof"}).strings(), (std::vector<std::string>{"slaveof", "127.0.0.1 1"}));
  ASSERT_EQ(c.cmd({"REPLICAOF", "NO", "ONE"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "replicaof"}).strings(), (std::vector<std::string>{"replicaof", ""}));
}

TEST(SentinelSupport, ScriptAndFunctionWithoutScripting) {
  ServerProcess s;
  s.start();
  Client c(s.port());
  EXPECT_EQ(c.cmd({"SCRIPT", "KILL"}).repr(), "-NOTBUSY No scripts in execution right now.");
  EXPECT_EQ(c.cmd({"FUNCTION", "KILL"}).repr(), "-NOTBUSY No scripts in execution right now.");
  EXPECT_EQ(c.cmd({"SCRIPT", "FLUSH"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"SCRIPT", "FLUSH", "async"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"SCRIPT", "FLUSH", "foo"}).repr(), "-ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  EXPECT_EQ(c.cmd({"SCRIPT", "EXISTS", "a", "b"}).repr(), "[:0, :0]");
  EXPECT_EQ(c.cmd({"SCRIPT", "EXISTS"}).repr(), "-ERR wrong number of arguments for 'script|exists' command");
  EXPECT_EQ(c.cmd({"SCRIPT", "KILL", "x"}).repr(), "-ERR wrong number of arguments for 'script|kill' command");
  EXPECT_EQ(c.cmd({"SCRIPT", "FOO"}).repr(), "-ERR unknown subcommand 'FOO'. Try SCRIPT HELP.");
}

TEST(SentinelSupport, ReplicaSettingsSentinelReads) {
  ServerProcess master;
  master.start();
  ServerProcess replica({"--replicaof", "127.0.0.1 " + std::to_string(master.port())});
  replica.start();
  Client r(replica.port());
  EXPECT_EQ(r.cmd({"CONFIG", "GET", "replica-priority"}).strings(), (std::vector<std::string>{"replica-priority", "100"}));
  EXPECT_EQ(r.cmd({"CONFIG", "GET", "replica-announced"}).strings(), (std::vector<std::string>{"replica-announced", "yes"}));
  EXPECT_EQ(infoField(r, "replication", "slave_priority"), "100");
  EXPECT_EQ(infoField(r, "replication", "replica_announced"), "1");
  ASSERT_EQ(r.cmd({"CONFIG", "SET", "slave-priority", "0", "replica-announced", "no"}).repr(), "+OK");
  EXPECT_EQ(infoField(r, "replication", "slave_priority"), "0");
  EXPECT_EQ(infoField(r, "replication", "replica_announced"), "0");
  EXPECT_EQ(r.cmd({"CONFIG", "SET", "replica-priority", "-1"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'replica-priority') - argument must be between 0 and "
            "2147483647 inclusive");

  // replica-announce-ip/port: what the master lists for this replica.
  ServerProcess announced({"--replicaof", "127.0.0.1 " + std::to_string(master.port()), "--replica-announce-ip",
                           "10.1.2.3", "--replica-announce-port", "7777"});
  announced.start();
  Client m(master.port());
  ASSERT_TRUE(waitLong([&] {
    return infoField(m, "replication", "slave0").find("ip=10.1.2.3,port=7777") != std::string::npos ||
           infoField(m, "replication", "slave1").find("ip=10.1.2.3,port=7777") != std::string::npos;
  })) << infoField(m, "replication", "slave0") << " " << infoField(m, "replication", "slave1");
}
