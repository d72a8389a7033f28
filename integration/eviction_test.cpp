// Integration tests for maxmemory: -OOM under noeviction (and inside MULTI),
// which keys each eviction policy keeps, CONFIG SET maxmemory lowering the
// limit (evicted down in slices without stalling clients), evictions reaching
// the log and a replica as DEL, a replica ignoring its own maxmemory, and
// INFO's eviction counters.
//
// Used memory moves with the allocator, so the tests never aim at exact
// numbers: they lower maxmemory by a share of what the data set added and
// check who survived. Replies were checked against Redis 7.0.15
// (ERDTREE_SERVER_BIN=/usr/bin/redis-server runs the non-replication ones).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/replication.h"
#include "harness/server_process.h"

namespace {

using erdtree::itest::Client;
using erdtree::itest::infoField;
using erdtree::itest::Reply;
using erdtree::itest::ServerProcess;
using erdtree::itest::show;
using erdtree::itest::waitFor;
using erdtree::itest::waitLong;

const std::string kOom = "-OOM command not allowed when used memory > 'maxmemory'.";

uint64_t usedMemory(Client& c) { return std::stoull(infoField(c, "memory", "used_memory")); }
// What maxmemory compares: used_memory less replica output and the AOF
// buffer (mem_not_counted_for_evict), as Redis.
uint64_t countedMemory(Client& c) {
  const uint64_t used = usedMemory(c);
  const std::string notCounted = infoField(c, "memory", "mem_not_counted_for_evict");
  const uint64_t skip = notCounted.empty() ? 0 : std::stoull(notCounted);
  return used > skip ? used - skip : 0;
}
uint64_t evictedKeys(Client& c) { return std::stoull(infoField(c, "stats", "evicted_keys")); }
long long dbsize(Client& c) { return c.cmd({"DBSIZE"}).integer; }

// Writes n keys prefix0..prefix<n-1> with valueBytes-byte values (pipelined),
// with a TTL of ttlBase + i seconds when ttlBase > 0.
void fill(Client& c, const std::string& prefix, int n, size_t valueBytes, int ttlBase = 0) {
  const std::string value(valueBytes, 'v');
  for (int i = 0; i < n; ++i) {
    if (ttlBase > 0) c.append({"SET", prefix + std::to_string(i), value, "EX", std::to_string(ttlBase + i)});
    else c.append({"SET", prefix + std::to_string(i), value});
  }
  for (int i = 0; i < n; ++i) ASSERT_EQ(show(c.getReply()), "+OK");
}

// How many of prefix<from>..prefix<to-1> exist.
int surviving(Client& c, const std::string& prefix, int from, int to) {
  for (int i = from; i < to; ++i) c.append({"EXISTS", prefix + std::to_string(i)});
  int n = 0;
  for (int i = from; i < to; ++i) n += static_cast<int>(c.getReply().integer);
  return n;
}

// Lowers maxmemory so that about `share` of what the data set added since
// `baseline` (a countedMemory()) must go, then waits until counted memory is
// under it.
void squeeze(Client& c, uint64_t baseline, double share) {
  const uint64_t used = countedMemory(c);
  ASSERT_GT(used, baseline);
  const uint64_t limit = used - static_cast<uint64_t>(static_cast<double>(used - baseline) * share);
  ASSERT_EQ(show(c.cmd({"CONFIG", "SET", "maxmemory", std::to_string(limit)})), "+OK");
  // Each INFO is a command too, and evicts what is left (Redis's
  // performEvictions runs before every command).
  EXPECT_TRUE(waitFor([&] { return countedMemory(c) <= limit; }, 10000, 20))
      << countedMemory(c) << " > " << limit << " (baseline " << baseline << ", was " << used << ", " << dbsize(c)
      << " keys left)";
}

bool isRedis() { return std::filesystem::path(ServerProcess::binaryPath()).filename().string() == "redis-server"; }

TEST(Eviction, NoevictionRefusesDenyoomCommandsButServesReadsAndDeletes) {
  ServerProcess s({"--save", "", "--appendonly", "no"});
  s.start();
  Client c(s.port());
  fill(c, "k", 10, 10);
  ASSERT_EQ(show(c.cmd({"CONFIG", "SET", "maxmemory", "1"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SET", "x", "1"})), kOom);
  EXPECT_EQ(show(c.cmd({"LPUSH", "l", "1"})), kOom);
  EXPECT_EQ(show(c.cmd({"APPEND", "k1", "more"})), kOom);
  EXPECT_EQ(show(c.cmd({"GET", "k1"})), "\"vvvvvvvvvv\"");
  EXPECT_EQ(show(c.cmd({"DEL", "k1"})), ":1");
  EXPECT_EQ(show(c.cmd({"EXPIRE", "k2", "100"})), ":1");  // not denyoom
  EXPECT_EQ(show(c.cmd({"INCR", "k3"})), kOom);
  // Inside MULTI everything that would be queued is refused (queueing uses
  // memory); EXEC then aborts.
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SET", "x", "1"})), kOom);
  EXPECT_EQ(show(c.cmd({"GET", "k2"})), kOom);
  EXPECT_EQ(show(c.cmd({"EXEC"})), "-EXECABORT Transaction discarded because of previous errors.");
  // A transaction queued before the limit: EXEC with a denyoom command in it.
  Client other(s.port());
  ASSERT_EQ(show(other.cmd({"CONFIG", "SET", "maxmemory", "0"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SET", "x", "1"})), "+QUEUED");
  ASSERT_EQ(show(other.cmd({"CONFIG", "SET", "maxmemory", "1"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})),
            "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(show(c.cmd({"EXISTS", "x"})), ":0");
  // A read-only transaction still runs.
  EXPECT_EQ(show(other.cmd({"CONFIG", "SET", "maxmemory", "0"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"GET", "k2"})), "+QUEUED");
  EXPECT_EQ(show(other.cmd({"CONFIG", "SET", "maxmemory", "1"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "[\"vvvvvvvvvv\"]");
  EXPECT_EQ(infoField(c, "stats", "evicted_keys"), "0");
  EXPECT_EQ(dbsize(c), 9);  // nothing evicted under noeviction
  EXPECT_NE(infoField(c, "stats", "total_eviction_exceeded_time"), "");
  EXPECT_NE(infoField(c, "stats", "current_eviction_exceeded_time"), "");
}

TEST(Eviction, SettingsAndObjectFreqIdletime) {
  ServerProcess s({"--save", "", "--appendonly", "no"});
  s.start();
  Client c(s.port());
  EXPECT_EQ(show(c.cmd({"CONFIG", "GET", "maxmemory-eviction-tenacity"})), "[\"maxmemory-eviction-tenacity\", \"10\"]");
  EXPECT_EQ(show(c.cmd({"CONFIG", "GET", "lfu-log-factor"})), "[\"lfu-log-factor\", \"10\"]");
  EXPECT_EQ(show(c.cmd({"CONFIG", "GET", "lfu-decay-time"})), "[\"lfu-decay-time\", \"1\"]");
  EXPECT_EQ(show(c.cmd({"CONFIG", "GET", "replica-ignore-maxmemory"})), "[\"replica-ignore-maxmemory\", \"yes\"]");
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "maxmemory-eviction-tenacity", "101"})),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-eviction-tenacity') - argument must be "
            "between 0 and 100 inclusive");
  EXPECT_EQ(show(c.cmd({"CONFIG", "SET", "maxmemory-samples", "0"})),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - argument must be between 1 "
            "and 2147483647 inclusive");
  ASSERT_EQ(show(c.cmd({"SET", "a", "1"})), "+OK");
  EXPECT_EQ(show(c.cmd({"OBJECT", "FREQ", "a"})),
            "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when "
            "switching between policies at runtime LRU and LFU data will take some time to adjust.");
  EXPECT_EQ(show(c.cmd({"OBJECT", "IDLETIME", "a"})), ":0");
  ASSERT_EQ(show(c.cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"})), "+OK");
  EXPECT_EQ(show(c.cmd({"OBJECT", "IDLETIME", "a"})),
            "-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching "
            "between policies at runtime LRU and LFU data will take some time to adjust.");
  // Not an integer: Redis would share small integers' objects (and their counter).
  ASSERT_EQ(show(c.cmd({"SET", "b", "hello"})), "+OK");
  EXPECT_EQ(show(c.cmd({"OBJECT", "FREQ", "b"})), ":5");  // new keys start at LFU_INIT_VAL
  ASSERT_EQ(show(c.cmd({"GET", "b"})), "\"hello\"");
  EXPECT_EQ(show(c.cmd({"OBJECT", "FREQ", "b"})), ":6");  // the first hits always count
  EXPECT_EQ(show(c.cmd({"OBJECT", "FREQ", "nokey"})), "(nil)");
}

TEST(Eviction, AllKeysLruKeepsRecentlyUsedKeys) {
  ServerProcess s({"--save", "", "--appendonly", "no", "--maxmemory-policy", "allkeys-lru"});
  s.start();
  Client c(s.port());
  const uint64_t baseline = countedMemory(c);
  fill(c, "k", 4000, 200);
  // Redis's LRU clock counts seconds: let it move on before touching.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  for (int i = 0; i < 1000; ++i) c.append({"GET", "k" + std::to_string(i)});
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(c.getReply().isNil());
  squeeze(c, baseline, 0.4);
  const int touched = surviving(c, "k", 0, 1000);
  const int idle = surviving(c, "k", 1000, 4000);
  EXPECT_GE(touched, 950) << "idle survivors: " << idle;
  EXPECT_LT(idle, 2500);
  EXPECT_GT(evictedKeys(c), 1000u);
}

TEST(Eviction, AllKeysLruTellsApartKeysUsedWithinTheSameSecond) {
  // Redis's LRU clock counts seconds, so it cannot (erdtree's stamps are
  // 1/32 s ticks): skipped against redis-server.
  if (isRedis()) GTEST_SKIP() << "1 s LRU clock";
  ServerProcess s({"--save", "", "--appendonly", "no", "--maxmemory-policy", "allkeys-lru"});
  s.start();
  Client c(s.port());
  const uint64_t baseline = countedMemory(c);
  fill(c, "k", 4000, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  for (int i = 0; i < 1000; ++i) c.append({"GET", "k" + std::to_string(i)});
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(c.getReply().isNil());
  squeeze(c, baseline, 0.4);
  const int touched = surviving(c, "k", 0, 1000);
  const int idle = surviving(c, "k", 1000, 4000);
  EXPECT_GE(touched, 950) << "idle survivors: " << idle;
  EXPECT_LT(idle, 2500);
  // Idle time is still whole seconds.
  EXPECT_EQ(show(c.cmd({"OBJECT", "IDLETIME", "k0"})), ":0");
}

TEST(Eviction, AllKeysLfuKeepsFrequentlyUsedKeys) {
  ServerProcess s({"--save", "", "--appendonly", "no", "--maxmemory-policy", "allkeys-lfu"});
  s.start();
  Client c(s.port());
  const uint64_t baseline = countedMemory(c);
  fill(c, "k", 4000, 200);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 1000; ++i) c.append({"GET", "k" + std::to_string(i)});
    for (int i = 0; i < 1000; ++i) ASSERT_FALSE(c.getReply().isNil());
  }
  EXPECT_GE(c.cmd({"OBJECT", "FREQ", "k0"}).integer, 6);
  EXPECT_EQ(c.cmd({"OBJECT", "FREQ", "k3999"}).integer, 5);
  squeeze(c, baseline, 0.4);
  EXPECT_GE(surviving(c, "k", 0, 1000), 950);
  EXPECT_LT(surviving(c, "k", 1000, 4000), 2500);
}

TEST(Eviction, VolatilePoliciesEvictOnlyKeysWithTtl) {
  for (const char* policy : {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}) {
    SCOPED_TRACE(policy);
    ServerProcess s({"--save", "", "--appendonly", "no", "--maxmemory-policy", policy});
    s.start();
    Client c(s.port());
    const uint64_t baseline = countedMemory(c);
    fill(c, "plain", 2000, 200);
    fill(c, "ttl", 2000, 200, 1000);  // ttl<i> expires in 1000 + i seconds
    squeeze(c, baseline, 0.25);
    EXPECT_EQ(surviving(c, "plain", 0, 2000), 2000);
    const int early = surviving(c, "ttl", 0, 1000);
    const int late = surviving(c, "ttl", 1000, 2000);
    EXPECT_LT(early + late, 2000);
    if (std::string(policy) == "volatile-ttl") {
      // The nearest expiries go first (approximately: sampled): ~1000 keys
      // go, nearly all of them from the early half.
      EXPECT_LT(early, 50);
      EXPECT_GT(late, 500);
    }
    // Once no key has a TTL, a volatile policy has nothing to evict: OOM.
    // (Until then a write may pass: a call that ran out of time with keys
    // left is no failure, as Redis's EVICT_RUNNING.)
    ASSERT_EQ(show(c.cmd({"CONFIG", "SET", "maxmemory", "1"})), "+OK");
    EXPECT_TRUE(waitFor([&] { return show(c.cmd({"SET", "x", "y"})) == kOom; }, 5000));
    EXPECT_EQ(surviving(c, "ttl", 0, 2000), 0);
    EXPECT_EQ(surviving(c, "plain", 0, 2000), 2000);
  }
}

TEST(Eviction, ConfigSetLowerMaxmemoryEvictsDownWithoutStallingClients) {
  ServerProcess s({"--save", "", "--appendonly", "no", "--maxmemory-policy", "allkeys-random"});
  s.start();
  Client c(s.port());
  Client probe(s.port());
  const uint64_t baseline = countedMemory(c);
  fill(c, "k", 60000, 100);
  const uint64_t used = countedMemory(c);
  const uint64_t limit = used - (used - baseline) / 2;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(show(c.cmd({"CONFIG", "SET", "maxmemory", std::to_string(limit)})), "+OK");
  const double setMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // Evicting ~30k keys happens between loop iterations, 500 us at a time:
  // PINGs from another client keep being answered quickly meanwhile.
  double worstPingMs = 0;
  bool done = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done && std::chrono::steady_clock::now() < deadline) {
    const auto p0 = std::chrono::steady_clock::now();
    ASSERT_EQ(show(probe.cmd({"PING"})), "+PONG");
    worstPingMs = std::max(
        worstPingMs, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - p0).count());
    done = countedMemory(probe) <= limit;
  }
  EXPECT_TRUE(done);
  EXPECT_LT(setMs, 50.0);
  EXPECT_LT(worstPingMs, 50.0);
  EXPECT_GT(evictedKeys(c), 10000u);
  EXPECT_LT(dbsize(c), 45000);
  // CONFIG RESETSTAT clears the counter.
  ASSERT_EQ(show(c.cmd({"CONFIG", "SET", "maxmemory", "0"})), "+OK");
  ASSERT_EQ(show(c.cmd({"CONFIG", "RESETSTAT"})), "+OK");
  EXPECT_EQ(evictedKeys(c), 0u);
}

// The log's records of a one-key command (RESP in the incr files), e.g. "DEL".
size_t recordsInAof(const ServerProcess& s, const std::string& command) {
  const std::string record = "*2\r\n$" + std::to_string(command.size()) + "\r\n" + command + "\r\n";
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(s.dir() + "/appendonlydir")) {
    if (!e.path().filename().string().ends_with(".incr.aof")) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();
    for (size_t at = text.find(record); at != std::string::npos; at = text.find(record, at + 1)) ++n;
  }
  return n;
}

TEST(Eviction, EvictionsReachTheLogAndReplicasAsDel) {
  if (isRedis()) GTEST_SKIP() << "erdtree master";
  ServerProcess master({"--save", "", "--appendonly", "yes", "--maxmemory-policy", "allkeys-lru"});
  master.start();
  // The replica's own maxmemory is far lower: it must not evict by itself
  // (replica-ignore-maxmemory yes), only apply the master's DELs.
  ServerProcess replica({"--save", "", "--appendonly", "no", "--maxmemory", "1", "--maxmemory-policy", "allkeys-lru",
                         "--replicaof", "127.0.0.1", std::to_string(master.port())});
  replica.start();
  Client m(master.port());
  Client r(replica.port());
  // The baseline after the link is up: the backlog and the replica's client
  // exist by then.
  ASSERT_TRUE(waitLong([&] { return erdtree::itest::inSync(m, r); }));
  const uint64_t baseline = countedMemory(m);
  fill(m, "k", 5000, 200);
  ASSERT_TRUE(waitLong([&] { return erdtree::itest::inSync(m, r); }));
  EXPECT_EQ(dbsize(r), 5000);
  EXPECT_EQ(evictedKeys(r), 0u);
  EXPECT_EQ(show(r.cmd({"GET", "k1"})), "\"" + std::string(200, 'v') + "\"");  // reads are served
  squeeze(m, baseline, 0.3);
  // Every command may evict while over the limit: lift it to count.
  ASSERT_EQ(show(m.cmd({"CONFIG", "SET", "maxmemory", "0"})), "+OK");
  const uint64_t evicted = evictedKeys(m);
  ASSERT_GT(evicted, 0u);
  EXPECT_EQ(dbsize(m), 5000 - static_cast<long long>(evicted));
  ASSERT_TRUE(waitLong([&] { return erdtree::itest::inSync(m, r) && dbsize(r) == dbsize(m); }));
  EXPECT_EQ(evictedKeys(r), 0u);
  erdtree::itest::expectSameData(m, r);
  EXPECT_TRUE(waitFor([&] { return recordsInAof(master, "DEL") >= evicted; }, 5000)) << recordsInAof(master, "DEL");
  // The log replays to the same data set.
  const long long before = dbsize(m);
  master.stop();
  master.start();
  Client m2(master.port());
  EXPECT_EQ(dbsize(m2), before);
}

TEST(Eviction, LazyfreeLazyEvictionPropagatesUnlink) {
  if (isRedis()) GTEST_SKIP() << "reads erdtree's AOF layout";
  ServerProcess s({"--save", "", "--appendonly", "yes", "--maxmemory-policy", "allkeys-random",
                   "--lazyfree-lazy-eviction", "yes"});
  s.start();
  Client c(s.port());
  const uint64_t baseline = countedMemory(c);
  fill(c, "k", 3000, 200);
  squeeze(c, baseline, 0.3);
  const uint64_t evicted = evictedKeys(c);
  ASSERT_GT(evicted, 0u);
  EXPECT_TRUE(waitFor([&] { return recordsInAof(s, "UNLINK") >= evicted; }, 5000)) << recordsInAof(s, "UNLINK");
  EXPECT_EQ(recordsInAof(s, "DEL"), 0u);
}

}  // namespace
