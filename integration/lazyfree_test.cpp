// Integration tests for lazy free: UNLINK and FLUSHALL/FLUSHDB ASYNC hand big
// values to the background thread and reply at once; the lazyfree-lazy-*
// settings make DEL, flushes without a modifier, expiry and implicit deletes
// do the same. What went to the background is read from INFO memory's
// lazyfreed_objects (Redis 7.0 counts one per value, or per key of a flushed
// database), so the tests hold on Redis too (ERDTREE_SERVER_BIN=/usr/bin/redis-server).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/replication.h"
#include "harness/server_process.h"
#include "harness/shared_server.h"

namespace {

using erdtree::itest::Client;
using erdtree::itest::infoField;
using erdtree::itest::inSync;
using erdtree::itest::ServerProcess;
using erdtree::itest::waitLong;
using erdtree::itest::SharedServerTest;
using erdtree::itest::show;
using erdtree::itest::strCat;
using erdtree::itest::waitFor;
using Clock = std::chrono::steady_clock;

const char* const kSettings[] = {"lazyfree-lazy-eviction",   "lazyfree-lazy-expire",     "lazyfree-lazy-server-del",
                                 "lazyfree-lazy-user-del",   "lazyfree-lazy-user-flush", "replica-lazy-flush"};

// A reply time bound far above a table swap and far below freeing 1M
// elements inline (hundreds of ms), with room for a loaded machine.
constexpr double kQuickMs = 50;

class LazyFree : public SharedServerTest<LazyFree> {
 public:
  // No save rules: with them FLUSHALL also writes an empty snapshot
  // synchronously (as Redis does), an fsync the reply time would include.
  static std::vector<std::string> serverArgs() { return {"--save", ""}; }

 protected:
  void SetUp() override {
    SharedServerTest::SetUp();
    for (const char* s : kSettings) ASSERT_EQ(run("CONFIG", "SET", s, "no"), "+OK");
  }

  // lazyfreed_objects once nothing is pending.
  static long long settledFreed() {
    EXPECT_TRUE(waitFor([] { return infoField(client(), "memory", "lazyfree_pending_objects") == "0"; }, 30000));
    return std::stoll(infoField(client(), "memory", "lazyfreed_objects"));
  }

  // Runs cmds pipelined; every reply must be `expect`.
  static void pipeline(const std::vector<std::vector<std::string>>& cmds, const std::string& expect) {
    for (const auto& c : cmds) client().append(c);
    for (size_t i = 0; i < cmds.size(); ++i) ASSERT_EQ(show(client().getReply()), expect) << i;
  }

  // Fills key with n elements of the given type (1000 per command).
  static void fillCollection(const std::string& type, const std::string& key, long n) {
    std::vector<std::vector<std::string>> cmds;
    for (long base = 0; base < n; base += 1000) {
      std::vector<std::string> c;
      if (type == "set") c = {"SADD", key};
      if (type == "hash") c = {"HSET", key};
      if (type == "zset") c = {"ZADD", key};
      if (type == "list") c = {"RPUSH", key};
      for (long i = base; i < base + 1000 && i < n; ++i) {
        const std::string m = strCat({"member:", std::to_string(i)});
        if (type == "zset") c.push_back(std::to_string(i));
        c.push_back(m);
        if (type == "hash") c.emplace_back("v");
      }
      cmds.push_back(std::move(c));
    }
    for (const auto& c : cmds) client().append(c);
    for (size_t i = 0; i < cmds.size(); ++i) ASSERT_FALSE(client().getReply().isError());
  }

  // Milliseconds the server took to answer args (one round trip).
  static double timed(const std::vector<std::string>& args, std::string& reply) {
    const auto t = Clock::now();
    reply = show(cmd(args));
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  }
};

TEST_F(LazyFree, SettingsDefaultToNoAndAreSettable) {
  for (const char* s : kSettings) {
    EXPECT_EQ(run("CONFIG", "GET", s), strCat({"[\"", s, "\", \"no\"]"}));
    EXPECT_EQ(run("CONFIG", "SET", s, "yes"), "+OK");
    EXPECT_EQ(run("CONFIG", "GET", s), strCat({"[\"", s, "\", \"yes\"]"}));
  }
  EXPECT_EQ(run("CONFIG", "SET", "lazyfree-lazy-expire", "maybe"),
            "-ERR CONFIG SET failed (possibly related to argument 'lazyfree-lazy-expire') - argument must be 'yes' or 'no'");
  EXPECT_EQ(run("CONFIG", "SET", "slave-lazy-flush", "no"), "+OK");  // the old name
  EXPECT_EQ(run("CONFIG", "GET", "replica-lazy-flush"), "[\"replica-lazy-flush\", \"no\"]");
  const std::string info = cmd({"INFO", "memory"}).str;
  EXPECT_NE(info.find("\r\nlazyfree_pending_objects:"), std::string::npos);
  EXPECT_NE(info.find("\r\nlazyfreed_objects:"), std::string::npos);
  EXPECT_LT(info.find("mem_allocator:"), info.find("lazyfree_pending_objects:"));
  EXPECT_LT(info.find("lazyfree_pending_objects:"), info.find("lazyfreed_objects:"));
}

// A million elements of each collection type: UNLINK replies at once and the
// value is freed in the background; a small value is freed inline.
TEST_F(LazyFree, UnlinkOfBigCollectionsReturnsAtOnce) {
  const long n = 1000000;
  for (const std::string type : {"set", "hash", "zset"}) {
    SCOPED_TRACE(type);
    fillCollection(type, "big", n);
    const long long before = settledFreed();
    std::string reply;
    const double ms = timed({"UNLINK", "big", "nothing"}, reply);
    EXPECT_EQ(reply, ":1");
    EXPECT_EQ(run("EXISTS", "big"), ":0");
    std::printf("UNLINK of a %ld-element %s: %.2f ms\n", n, type.c_str(), ms);
    EXPECT_LT(ms, kQuickMs);
    EXPECT_EQ(settledFreed(), before + 1);
  }
  // A list counts its chunks (Redis: quicklist nodes of 8 KB): 100k short
  // elements fill more than 64 of them.
  fillCollection("list", "list", 100000);
  long long before = settledFreed();
  EXPECT_EQ(run("UNLINK", "list"), ":1");
  EXPECT_EQ(settledFreed(), before + 1);
  // Small values (64 elements or fewer, strings) are not worth a hand-over.
  fillCollection("set", "small", 64);
  ASSERT_EQ(run("SET", "str", "v"), "+OK");
  before = settledFreed();
  EXPECT_EQ(run("UNLINK", "small", "str"), ":2");
  EXPECT_EQ(settledFreed(), before);
}

TEST_F(LazyFree, FlushallAsyncOfAMillionKeysRepliesAtOnce) {
  const long n = 1000000;
  std::vector<std::vector<std::string>> cmds;
  for (long base = 0; base < n; base += 1000) {
    std::vector<std::string> c{"MSET"};
    for (long i = base; i < base + 1000; ++i) {
      c.push_back(strCat({"key:", std::to_string(i)}));
      c.emplace_back("value");
    }
    cmds.push_back(std::move(c));
  }
  pipeline(cmds, "+OK");
  ASSERT_EQ(run("SELECT", "1"), "+OK");
  ASSERT_EQ(run("SET", "other", "db"), "+OK");
  ASSERT_EQ(run("SELECT", "0"), "+OK");
  const long long before = settledFreed();

  std::string reply;
  const double ms = timed({"FLUSHALL", "ASYNC"}, reply);
  EXPECT_EQ(reply, "+OK");
  std::printf("FLUSHALL ASYNC of %ld keys: %.2f ms\n", n + 1, ms);
  EXPECT_LT(ms, kQuickMs);
  // The data is gone at once and the databases take writes.
  EXPECT_EQ(run("DBSIZE"), ":0");
  EXPECT_EQ(run("GET", "key:1"), "(nil)");
  EXPECT_EQ(run("SET", "key:1", "new"), "+OK");
  EXPECT_EQ(run("GET", "key:1"), "\"new\"");
  ASSERT_EQ(run("SELECT", "1"), "+OK");
  EXPECT_EQ(run("DBSIZE"), ":0");
  ASSERT_EQ(run("SELECT", "0"), "+OK");
  // Writes (which allocate, as the freeing thread frees) keep being served
  // while the old tables are freed.
  double worstMs = 0;
  long writes = 0;
  for (;;) {
    const bool pending = infoField(client(), "memory", "lazyfree_pending_objects") != "0";
    worstMs = std::max(worstMs, timed({"SET", strCat({"new:", std::to_string(writes++)}), "v"}, reply));
    EXPECT_EQ(reply, "+OK");
    if (!pending) break;
  }
  std::printf("while freeing in the background: %ld writes, slowest %.2f ms\n", writes, worstMs);
  EXPECT_LT(worstMs, kQuickMs);
  EXPECT_EQ(settledFreed(), before + n + 1);
}

TEST_F(LazyFree, FlushdbAsyncAndUserFlushSetting) {
  ASSERT_EQ(run("MSET", "a", "1", "b", "2"), "+OK");
  long long before = settledFreed();
  EXPECT_EQ(run("FLUSHDB", "ASYNC"), "+OK");
  EXPECT_EQ(run("DBSIZE"), ":0");
  EXPECT_EQ(settledFreed(), before + 2);

  ASSERT_EQ(run("CONFIG", "SET", "lazyfree-lazy-user-flush", "yes"), "+OK");
  ASSERT_EQ(run("MSET", "a", "1", "b", "2", "c", "3"), "+OK");
  before = settledFreed();
  EXPECT_EQ(run("FLUSHALL"), "+OK");  // no modifier: ASYNC now
  EXPECT_EQ(settledFreed(), before + 3);
  ASSERT_EQ(run("MSET", "a", "1", "b", "2"), "+OK");
  EXPECT_EQ(run("FLUSHDB", "SYNC"), "+OK");  // SYNC overrides the setting
  EXPECT_EQ(run("DBSIZE"), ":0");
  EXPECT_EQ(settledFreed(), before + 3);
  EXPECT_EQ(run("FLUSHALL", "ASYNC", "SYNC"), "-ERR syntax error");
  EXPECT_EQ(run("FLUSHDB", "LATER"), "-ERR syntax error");
}

TEST_F(LazyFree, UserDelSettingMakesDelLazy) {
  fillCollection("set", "s1", 1000);
  long long before = settledFreed();
  EXPECT_EQ(run("DEL", "s1"), ":1");  // default: DEL frees inline
  EXPECT_EQ(settledFreed(), before);

  ASSERT_EQ(run("CONFIG", "SET", "lazyfree-lazy-user-del", "yes"), "+OK");
  fillCollection("set", "s2", 1000);
  fillCollection("hash", "h2", 1000);
  before = settledFreed();
  EXPECT_EQ(run("DEL", "s2", "h2", "missing"), ":2");
  EXPECT_EQ(settledFreed(), before + 2);
}

TEST_F(LazyFree, ServerDelSettingCoversOverwritesAndRenames) {
  fillCollection("zset", "z", 1000);
  fillCollection("zset", "y", 1000);
  long long before = settledFreed();
  EXPECT_EQ(run("SET", "z", "v"), "+OK");  // default: the old value is freed inline
  EXPECT_EQ(settledFreed(), before);

  ASSERT_EQ(run("CONFIG", "SET", "lazyfree-lazy-server-del", "yes"), "+OK");
  ASSERT_EQ(run("DEL", "z"), ":1");
  fillCollection("zset", "z", 1000);
  before = settledFreed();
  EXPECT_EQ(run("SET", "z", "v"), "+OK");      // overwrite
  EXPECT_EQ(run("RENAME", "z", "y"), "+OK");   // y's big value is deleted
  EXPECT_EQ(run("TYPE", "y"), "+string");
  EXPECT_EQ(settledFreed(), before + 2);
}

TEST_F(LazyFree, ExpireSettingFreesExpiredKeysInTheBackground) {
  ASSERT_EQ(run("CONFIG", "SET", "lazyfree-lazy-expire", "yes"), "+OK");
  fillCollection("set", "gone", 1000);
  fillCollection("hash", "past", 1000);
  const long long before = settledFreed();
  EXPECT_EQ(run("PEXPIRE", "gone", "20"), ":1");
  // Active expiry (nobody reads the key) removes it through the lazy path.
  EXPECT_TRUE(waitFor([] { return run("DBSIZE") == ":1"; }, 10000));
  // A TTL in the past deletes at once, lazily too (Redis: lazyfree-lazy-expire).
  EXPECT_EQ(run("EXPIRE", "past", "-1"), ":1");
  EXPECT_EQ(run("EXISTS", "past"), ":0");
  EXPECT_EQ(settledFreed(), before + 2);
}

TEST_F(LazyFree, ResetstatClearsTheCounter) {
  fillCollection("set", "s", 1000);
  EXPECT_EQ(run("UNLINK", "s"), ":1");
  EXPECT_GT(settledFreed(), 0);
  EXPECT_EQ(run("CONFIG", "RESETSTAT"), "+OK");
  EXPECT_EQ(settledFreed(), 0);
}

// Everything the log holds so far (all incr files of appendonlydir).
std::string logText(const ServerProcess& s) {
  std::string all;
  for (const auto& e : std::filesystem::directory_iterator(s.dir() + "/appendonlydir")) {
    if (!e.path().filename().string().ends_with(".incr.aof")) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    all += buf.str();
  }
  return all;
}

std::string record(const std::string& cmd, const std::string& key) {
  return strCat({"*2\r\n$", std::to_string(cmd.size()), "\r\n", cmd, "\r\n$", std::to_string(key.size()), "\r\n",
                 key, "\r\n"});
}

// As Redis 7.0, deletions made lazily by a setting reach the log (and the
// replicas) as UNLINK: expiry under lazyfree-lazy-expire, GETDEL under
// lazyfree-lazy-user-del. SPOP of a whole set stays DEL in 7.0 (later
// versions follow lazyfree-lazy-server-del).
TEST(LazyFreeLog, LazyDeletionsArePropagatedAsUnlink) {
  ServerProcess server({"--save", "", "--appendonly", "yes"});
  server.start();
  Client c(server.port());
  for (const char* s : {"lazyfree-lazy-expire", "lazyfree-lazy-user-del", "lazyfree-lazy-server-del"})
    ASSERT_EQ(show(c.cmd({"CONFIG", "SET", s, "yes"})), "+OK");
  ASSERT_EQ(show(c.cmd({"MSET", "exp-past", "1", "getdel-key", "2", "getex-key", "3", "exp-active", "4"})), "+OK");
  ASSERT_EQ(show(c.cmd({"SADD", "spop-key", "a", "b"})), ":2");
  EXPECT_EQ(show(c.cmd({"EXPIRE", "exp-past", "-1"})), ":1");
  EXPECT_EQ(show(c.cmd({"GETDEL", "getdel-key"})), "\"2\"");
  EXPECT_EQ(show(c.cmd({"GETEX", "getex-key", "PXAT", "1"})), "\"3\"");
  EXPECT_EQ(c.cmd({"SPOP", "spop-key", "5"}).elements.size(), 2u);
  EXPECT_EQ(show(c.cmd({"PEXPIRE", "exp-active", "1"})), ":1");
  EXPECT_TRUE(waitFor([&] { return show(c.cmd({"DBSIZE"})) == ":0"; }, 10000));  // active expiry
  EXPECT_TRUE(waitFor([&] { return logText(server).find(record("DEL", "spop-key")) != std::string::npos; }, 5000));
  for (const std::string key : {"exp-past", "getdel-key", "getex-key", "exp-active"}) {
    EXPECT_TRUE(waitFor([&] { return logText(server).find(record("UNLINK", key)) != std::string::npos; }, 5000))
        << key << " in\n" << logText(server);
    EXPECT_EQ(logText(server).find(record("DEL", key)), std::string::npos) << key;
  }
  server.stop();
}

// replica-lazy-flush: the replica's own keys, dropped before it loads the
// master's data, are freed in the background (one lazyfreed object per key).
TEST(LazyFreeReplica, ReplicaLazyFlushFreesTheOldDataInTheBackground) {
  ServerProcess master({"--save", ""});
  ServerProcess replica({"--save", ""});
  master.start();
  replica.start();
  Client m(master.port());
  Client r(replica.port());
  ASSERT_EQ(show(m.cmd({"SET", "from-master", "1"})), "+OK");
  for (const std::string flag : {"no", "yes"}) {
    SCOPED_TRACE(flag);
    ASSERT_EQ(show(r.cmd({"REPLICAOF", "NO", "ONE"})), "+OK");
    ASSERT_EQ(show(r.cmd({"FLUSHALL", "SYNC"})), "+OK");
    ASSERT_EQ(show(r.cmd({"MSET", "a", "1", "b", "2", "c", "3"})), "+OK");
    ASSERT_EQ(show(r.cmd({"CONFIG", "SET", "replica-lazy-flush", flag})), "+OK");
    ASSERT_TRUE(waitFor([&] { return infoField(r, "memory", "lazyfree_pending_objects") == "0"; }, 10000));
    const long long before = std::stoll(infoField(r, "memory", "lazyfreed_objects"));
    ASSERT_EQ(show(r.cmd({"REPLICAOF", "127.0.0.1", std::to_string(master.port())})), "+OK");
    ASSERT_TRUE(waitLong([&] { return inSync(m, r); })) << replica.log();
    EXPECT_EQ(show(r.cmd({"DBSIZE"})), ":1");
    ASSERT_TRUE(waitFor([&] { return infoField(r, "memory", "lazyfree_pending_objects") == "0"; }, 10000));
    EXPECT_EQ(std::stoll(infoField(r, "memory", "lazyfreed_objects")), before + (flag == "yes" ? 3 : 0));
  }
  replica.stop();
  master.stop();
}

}  // namespace
