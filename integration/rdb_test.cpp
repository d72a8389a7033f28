// RDB snapshots proven both ways against Redis 7.0.15: erdtree's SAVE output
// is loaded by /usr/bin/redis-server (and passes redis-check-rdb), and a
// dump.rdb written by redis-server (LZF compression on, PLAIN quicklist
// nodes, a function library) is loaded by erdtree at start-up. Every key is
// compared by TYPE, value and TTL. Also: SAVE/LASTSAVE/INFO bookkeeping and
// a corrupt file stopping start-up.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

constexpr char kRedisServer[] = "/usr/bin/redis-server";
constexpr char kRedisCheckRdb[] = "/usr/bin/redis-check-rdb";
constexpr int kDbs[] = {0, 1, 7};
constexpr long long kTtlToleranceMs = 10000;

bool haveRedis() { return std::filesystem::exists(kRedisServer); }

std::string bin(int i) {
  std::string s = "bin\0\xff\r\n";
  s.resize(7);
  s[3] = '\0';
  return s + std::to_string(i);
}

void ok(Client& c, const std::vector<std::string>& args) {
  Reply r = c.cmd(args);
  ASSERT_FALSE(r.isError()) << args[0] << ": " << r.str;
}

// The same data set on any server: every type, small and large encodings,
// TTLs, binary keys and values, three databases.
void fillAll(Client& c) {
  std::string longText;
  for (int i = 0; i < 8000; ++i) longText += "compressible text " + std::to_string(i % 50) + " ";
  ok(c, {"SELECT", "0"});
  ok(c, {"SET", "str", "hello"});
  ok(c, {"SET", "int", "12345"});
  ok(c, {"SET", "negint", "-98765"});
  ok(c, {"SET", "bigint", "9223372036854775807"});
  ok(c, {"SET", "float", "3.14159"});
  ok(c, {"SET", "empty", ""});
  ok(c, {"SET", "long", longText});
  ok(c, {"SET", "medium", std::string(300, 'm') + "tail"});
  ok(c, {"SET", bin(1), std::string("v\0\x01\x02", 4)});
  ok(c, {"SET", "ttl:str", "expiring", "PX", "500000"});
  ok(c, {"SET", "ttl:far", "x", "EX", "9000000"});
  std::vector<std::string> rpush = {"RPUSH", "list:big"};
  for (int i = 0; i < 2000; ++i) rpush.push_back(i % 2 ? std::to_string(i * 7919) : "item-" + std::to_string(i));
  rpush.push_back(std::string(5000, 'L'));
  rpush.push_back(longText);
  ok(c, rpush);
  ok(c, {"RPUSH", "list:small", "a", "1", "-1", "300", "-70000", "3000000000", "", "b"});
  ok(c, {"LPUSH", "list:ttl", "x", "y"});
  ok(c, {"PEXPIRE", "list:ttl", "600000"});

  ok(c, {"SELECT", "1"});
  ok(c, {"SADD", "set:ints", "1", "-2", "300", "70000", "-5000000000"});
  std::vector<std::string> sadd = {"SADD", "set:bigints"};
  for (int i = 0; i < 700; ++i) sadd.push_back(std::to_string(i * 3));
  ok(c, sadd);
  std::vector<std::string> sstr = {"SADD", "set:strings"};
  for (int i = 0; i < 300; ++i) sstr.push_back("member-" + std::to_string(i));
  sstr.push_back(bin(2));
  ok(c, sstr);
  ok(c, {"SADD", "set:ttl", "a", "b"});
  ok(c, {"EXPIRE", "set:ttl", "1000"});
  ok(c, {"HSET", "hash:small", "f1", "v1", "n", "42", "neg", "-7", bin(3), "", "e", ""});
  std::vector<std::string> hbig = {"HSET", "hash:big"};
  for (int i = 0; i < 300; ++i) {
    hbig.push_back("field:" + std::to_string(i));
    hbig.push_back(i % 3 ? std::to_string(i) : "value " + std::to_string(i));
  }
  ok(c, hbig);
  ok(c, {"HSET", "hash:longval", "f", std::string(200, 'h'), "g", longText});
  ok(c, {"HSET", "hash:ttl", "a", "1"});
  ok(c, {"PEXPIRE", "hash:ttl", "700000"});

  ok(c, {"SELECT", "7"});
  ok(c, {"ZADD", "z:small", "1", "a", "2.5", "b", "-0.1", "c", "inf", "d", "-inf", "e", "1e300", "f", "0.30000000000000004",
         "g", "123456789012", "h"});
  std::vector<std::string> zbig = {"ZADD", "z:big"};
  for (int i = 0; i < 400; ++i) {
    zbig.push_back(std::to_string(i * 0.37 - 20));
    zbig.push_back("member:" + std::to_string(i));
  }
  ok(c, zbig);
  ok(c, {"ZADD", "z:longmember", "5", std::string(100, 'z'), "6", bin(4)});
  ok(c, {"ZADD", "z:ttl", "1", "x"});
  ok(c, {"PEXPIRE", "z:ttl", "800000"});
  ok(c, {"SET", "db7:str", "seven"});
  ok(c, {"SELECT", "0"});
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    s += std::to_string(x.size()) + ":" + x + ",";  // length-prefixed: binary safe
  }
  return s;
}

struct KeyState {
  std::string type, value;
  long long pttl = 0;
};

// Every key of the test databases: TYPE, value, PTTL.
std::map<std::string, KeyState> dumpAll(Client& c) {
  std::map<std::string, KeyState> out;
  for (int db : kDbs) {
    EXPECT_EQ(c.cmd({"SELECT", std::to_string(db)}).repr(), "+OK");
    for (const std::string& key : c.cmd({"KEYS", "*"}).strings()) {
      KeyState k;
      k.type = c.cmd({"TYPE", key}).str;
      if (k.type == "string") k.value = c.cmd({"GET", key}).str;
      else if (k.type == "list") k.value = join(c.cmd({"LRANGE", key, "0", "-1"}).strings());
      else if (k.type == "set") k.value = join(sorted(c.cmd({"SMEMBERS", key}).strings()));
      else if (k.type == "hash") k.value = join(sorted(c.cmd({"HGETALL", key}).strings()));  // pairs flattened
      else if (k.type == "zset") k.value = join(c.cmd({"ZRANGE", key, "0", "-1", "WITHSCORES"}).strings());
      k.pttl = c.cmd({"PTTL", key}).integer;
      out[std::to_string(db) + "/" + key] = k;
    }
  }
  EXPECT_EQ(c.cmd({"SELECT", "0"}).repr(), "+OK");
  return out;
}

void expectSameData(const std::map<std::string, KeyState>& want, const std::map<std::string, KeyState>& got) {
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [key, w] : want) {
    auto it = got.find(key);
    ASSERT_NE(it, got.end()) << "missing key " << key;
    const KeyState& g = it->second;
    EXPECT_EQ(g.type, w.type) << key;
    EXPECT_TRUE(g.value == w.value) << key << " differs (" << g.value.size() << " vs " << w.value.size() << " bytes)";
    if (w.pttl < 0) {
      EXPECT_EQ(g.pttl, w.pttl) << key;
    } else {
      EXPECT_GT(g.pttl, 0) << key;
      EXPECT_LT(std::llabs(g.pttl - w.pttl), kTtlToleranceMs) << key;
    }
  }
}

void copyFile(const std::string& from, const std::string& to) {
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

// Runs a command with a time limit; returns exit code and output.
std::pair<int, std::string> runTool(const std::string& cmd) {
  std::string out;
  FILE* p = popen(("timeout 30 " + cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, ""};
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST(Rdb, ErdtreeSnapshotLoadsInRedis) {
  if (!haveRedis()) GTEST_SKIP() << "no " << kRedisServer;
  ServerProcess erd;
  erd.start();
  Client c(erd.port(), 30000);
  fillAll(c);
  ok(c, {"SET", "gone", "soon", "PX", "200"});
  auto want = dumpAll(c);
  const long long before = c.cmd({"LASTSAVE"}).integer;
  EXPECT_EQ(c.cmd({"SAVE"}).repr(), "+OK");
  EXPECT_GE(c.cmd({"LASTSAVE"}).integer, before);
  auto info = parseInfo(c.cmd({"INFO", "persistence"}).str);
  EXPECT_EQ(info["rdb_changes_since_last_save"], "0");
  EXPECT_EQ(info["rdb_last_bgsave_status"], "ok");
  const std::string file = erd.dir() + "/dump.rdb";
  ASSERT_TRUE(std::filesystem::exists(file));

  auto [code, out] = runTool(std::string(kRedisCheckRdb) + " " + file);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("RDB looks OK"), std::string::npos) << out;

  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // "gone" expires
  ServerProcess redis;
  redis.setBinary(kRedisServer);
  copyFile(file, redis.dir() + "/dump.rdb");
  redis.setExtraArgs({"--dbfilename", "dump.rdb"});
  redis.start();
  Client rc(redis.port(), 30000);
  auto got = dumpAll(rc);
  want.erase("0/gone");
  expectSameData(want, got);
  EXPECT_EQ(redis.stop(), 0);
  erd.stop();
}

TEST(Rdb, RedisSnapshotLoadsInErdtree) {
  if (!haveRedis()) GTEST_SKIP() << "no " << kRedisServer;
  ServerProcess redis;
  redis.setBinary(kRedisServer);
  redis.setExtraArgs({"--rdbcompression", "yes", "--enable-debug-command", "yes"});
  redis.start();
  Client rc(redis.port(), 30000);
  // Elements over 1000 bytes get a quicklist node of their own (PLAIN).
  ok(rc, {"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000"});
  fillAll(rc);
  ok(rc, {"RPUSH", "list:plain", "small", std::string(3000, 'P'), "after", std::string(2000, 'Q')});
  // A function library: erdtree skips it with a warning (it has no functions).
  ok(rc, {"FUNCTION", "LOAD", "#!lua name=rdbtestlib\nredis.register_function('rdbtestf', function() return 1 end)"});
  ok(rc, {"SET", "gone", "soon", "PX", "200"});
  EXPECT_EQ(rc.cmd({"SAVE"}).repr(), "+OK");
  auto want = dumpAll(rc);
  want.erase("0/gone");
  const std::string file = redis.dir() + "/dump.rdb";
  // The 300 KB compressible string shows LZF was used.
  EXPECT_LT(std::filesystem::file_size(file), 200000u);
  EXPECT_EQ(redis.stop(), 0);

  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // "gone" expires
  ServerProcess erd({"--appendonly", "no"});  // the snapshot is loaded only without the log
  copyFile(file, erd.dir() + "/dump.rdb");
  erd.start();
  Client c(erd.port(), 30000);
  auto got = dumpAll(c);
  expectSameData(want, got);
  if (!erd.isRedis()) {
    EXPECT_NE(erd.log().find("DB loaded from disk"), std::string::npos) << erd.log();
    EXPECT_NE(erd.log().find("function librar"), std::string::npos) << erd.log();
    EXPECT_EQ(c.cmd({"OBJECT", "ENCODING", "list:plain"}).str, "quicklist");
  }
  erd.stop();
}

TEST(Rdb, CorruptSnapshotStopsStartup) {
  ServerProcess erd({"--appendonly", "no"});  // the snapshot is loaded only without the log
  if (erd.isRedis()) GTEST_SKIP() << "erdtree's start-up message";
  std::ofstream(erd.dir() + "/dump.rdb", std::ios::binary) << std::string("REDIS0010\xfa\x05hello", 16);
  EXPECT_THROW(erd.start(), std::runtime_error);
  EXPECT_NE(erd.log().find("offset"), std::string::npos) << erd.log();
}

TEST(Rdb, BgsaveSnapshotsInAChildAndRestartLoadsIt) {
  ServerProcess erd({"--appendonly", "no"});  // the snapshot is loaded only without the log
  erd.start();
  auto c = std::make_unique<Client>(erd.port(), 30000);
  fillAll(*c);
  auto want = dumpAll(*c);
  EXPECT_EQ(c->cmd({"BGSAVE", "NOW"}).repr(), "-ERR syntax error");
  EXPECT_EQ(c->cmd({"BGSAVE"}).repr(), "+Background saving started");
  ASSERT_TRUE(waitFor([&] { return parseInfo(c->cmd({"INFO", "persistence"}).str)["rdb_bgsave_in_progress"] == "0"; },
                      10000, 20));
  auto info = parseInfo(c->cmd({"INFO", "persistence"}).str);
  EXPECT_EQ(info["rdb_last_bgsave_status"], "ok");
  EXPECT_EQ(info["rdb_changes_since_last_save"], "0");
  const std::string file = erd.dir() + "/dump.rdb";
  if (std::filesystem::exists(kRedisCheckRdb)) {
    auto [code, out] = runTool(std::string(kRedisCheckRdb) + " " + file);
    EXPECT_EQ(code, 0) << out;
  }
  c.reset();
  EXPECT_EQ(erd.stop(), 0);
  erd.start();
  Client again(erd.port(), 30000);
  expectSameData(want, dumpAll(again));
  erd.stop();
}
