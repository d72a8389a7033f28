// twemproxy (Debian's nutcracker) in front of two erdtree masters, from
// conf/twemproxy/nutcracker.yml with the ports replaced: commands through the
// proxy land on the shard their key hashes to (both get keys), read back the
// same directly from the shards, and a dead shard is ejected from the ring
// (auto_eject_hosts) so its keys go to the live one.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "harness/client.h"
#include "harness/external_process.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

constexpr const char* kNutcrackerBin = "/usr/sbin/nutcracker";
constexpr int kKeys = 200;

std::string proxyConfig(int listenPort, int shard0, int shard1) {
  std::string text = readSourceFile("conf/twemproxy/nutcracker.yml");
  text = replaceLine(text, "  listen: ", "  listen: 127.0.0.1:" + std::to_string(listenPort));
  text = replaceLine(text, "    - 127.0.0.1:6379:1 ", "    - 127.0.0.1:" + std::to_string(shard0) + ":1 shard0");
  text = replaceLine(text, "    - 127.0.0.1:6380:1 ", "    - 127.0.0.1:" + std::to_string(shard1) + ":1 shard1");
  return text;
}

struct Shards {
  ServerProcess a{{"--save", "", "--appendonly", "no"}};
  ServerProcess b{{"--save", "", "--appendonly", "no"}};
  ExternalProcess proxy{"nutcracker", kNutcrackerBin};
  int port = 0;

  void start() {
    a.start();
    b.start();
    port = pickFreePort();
    const std::string conf = proxy.writeFile("nutcracker.yml", proxyConfig(port, a.port(), b.port()));
    proxy.start({"-c", conf, "-s", std::to_string(pickFreePort()), "-a", "127.0.0.1", "-v", "6"}, port);
  }
};

}  // namespace

TEST(Twemproxy, ShardsKeysOverTwoErdtreeServers) {
  const std::string missing = missingBinary(kNutcrackerBin, "nutcracker");
  ASSERT_TRUE(missing.empty()) << missing;
  Shards s;
  s.start();
  Client p(s.port);
  EXPECT_EQ(p.cmd({"PING"}).repr(), "+PONG");

  for (int i = 0; i < kKeys; ++i) ASSERT_EQ(p.cmd({"SET", "key:" + std::to_string(i), "v" + std::to_string(i)}).repr(), "+OK");
  EXPECT_EQ(p.cmd({"GET", "key:7"}).str, "v7");
  EXPECT_EQ(p.cmd({"INCR", "counter"}).integer, 1);
  EXPECT_EQ(p.cmd({"INCRBY", "counter", "41"}).integer, 42);
  EXPECT_EQ(p.cmd({"HSET", "user:1", "name", "ada", "lang", "c++"}).integer, 2);
  EXPECT_EQ(p.cmd({"HGET", "user:1", "name"}).str, "ada");
  EXPECT_EQ(p.cmd({"LPUSH", "queue", "a", "b", "c"}).integer, 3);
  EXPECT_EQ(p.cmd({"LRANGE", "queue", "0", "-1"}).strings(), (std::vector<std::string>{"c", "b", "a"}));
  // MGET and DEL over keys on both shards: the proxy splits and merges them.
  EXPECT_EQ(p.cmd({"MGET", "key:1", "key:2", "key:3", "key:4", "missing"}).strings(),
            (std::vector<std::string>{"v1", "v2", "v3", "v4", "(nil)"}));

  // Every key is on exactly one shard, both shards have some, and the values
  // read directly are the ones written through the proxy.
  Client a(s.a.port()), b(s.b.port());
  const long long onA = a.cmd({"DBSIZE"}).integer, onB = b.cmd({"DBSIZE"}).integer;
  EXPECT_EQ(onA + onB, kKeys + 3);
  EXPECT_GT(onA, kKeys / 10);
  EXPECT_GT(onB, kKeys / 10);
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = "key:" + std::to_string(i);
    Reply ra = a.cmd({"GET", key}), rb = b.cmd({"GET", key});
    ASSERT_NE(ra.isNil(), rb.isNil()) << key;
    EXPECT_EQ(ra.isNil() ? rb.str : ra.str, "v" + std::to_string(i));
  }
  Client& counterShard = a.cmd({"EXISTS", "counter"}).integer == 1 ? a : b;
  EXPECT_EQ(counterShard.cmd({"GET", "counter"}).str, "42");
  Client& userShard = a.cmd({"EXISTS", "user:1"}).integer == 1 ? a : b;
  EXPECT_EQ(userShard.cmd({"HGETALL", "user:1"}).strings(), (std::vector<std::string>{"name", "ada", "lang", "c++"}));

  EXPECT_EQ(p.cmd({"DEL", "key:1", "key:2", "key:3", "key:4", "missing"}).integer, 4);
  EXPECT_EQ(a.cmd({"DBSIZE"}).integer + b.cmd({"DBSIZE"}).integer, kKeys + 3 - 4);
}

TEST(Twemproxy, DeadShardIsEjectedAndItsKeysGoToTheLiveOne) {
  const std::string missing = missingBinary(kNutcrackerBin, "nutcracker");
  ASSERT_TRUE(missing.empty()) << missing;
  Shards s;
  s.start();
  Client p(s.port);
  for (int i = 0; i < 50; ++i) ASSERT_EQ(p.cmd({"SET", "key:" + std::to_string(i), "1"}).repr(), "+OK");
  // A key that lives on shard b.
  Client b(s.b.port());
  std::string onB;
  for (int i = 0; i < 50 && onB.empty(); ++i)
    if (b.cmd({"EXISTS", "key:" + std::to_string(i)}).integer == 1) onB = "key:" + std::to_string(i);
  ASSERT_FALSE(onB.empty());

  s.b.kill9();
  // The first requests fail (server_failure_limit), then the ring holds only
  // shard a and the key is written there.
  Client a(s.a.port());
  ASSERT_TRUE(waitLong([&] {
    try {
      Client c(s.port, 2000);
      return c.cmd({"SET", onB, "moved"}).repr() == "+OK" && a.cmd({"GET", onB}).str == "moved";
    } catch (const std::exception&) {
      return false;  // the proxy may close a client whose server failed
    }
  }))
      << s.proxy.log();
}
