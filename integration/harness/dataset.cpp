// Whole-dataset helpers (dataset.h).
#include "harness/dataset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace erdtree::itest {
namespace {

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

// Every key of every db with its type, value and absolute expiry, as text.
std::string dumpAll(Client& c) {
  std::string out;
  for (int db = 0; db < 16; ++db) {
    c.cmd({"SELECT", std::to_string(db)});
    for (const std::string& k : sorted(c.cmd({"KEYS", "*"}).strings())) {
      std::string type = c.cmd({"TYPE", k}).str;
      out += strCat({std::to_string(db), " ", k, " ", type, " exp=", std::to_string(c.cmd({"PEXPIRETIME", k}).integer),
                     " = "});
      std::vector<std::string> v;
      if (type == "string") v = {c.cmd({"GET", k}).str};
      else if (type == "list") v = c.cmd({"LRANGE", k, "0", "-1"}).strings();
      else if (type == "hash") v = sorted(c.cmd({"HGETALL", k}).strings());
      else if (type == "set") v = sorted(c.cmd({"SMEMBERS", k}).strings());
      else if (type == "zset") v = c.cmd({"ZRANGE", k, "0", "-1", "WITHSCORES"}).strings();
      for (const auto& s : v) out += s + ",";
      out += "\n";
    }
  }
  c.cmd({"SELECT", "0"});
  return out;
}

void fillAllTypes(Client& c) {
  ASSERT_EQ(c.cmd({"SET", "str", std::string("bin\0ary\r\n", 9)}).repr(), "+OK");
  c.cmd({"SET", "ttl:ex", "v", "EX", "1000"});
  c.cmd({"SETEX", "ttl:setex", "500", "v"});
  c.cmd({"SET", "ttl:persisted", "v", "PX", "100000"});
  c.cmd({"PERSIST", "ttl:persisted"});
  c.cmd({"SET", "short", "gone soon", "PX", "30"});
  c.cmd({"INCRBYFLOAT", "float", "1.5"});
  c.cmd({"INCR", "counter"});
  c.cmd({"APPEND", "str2", "ab"});
  c.cmd({"RPUSH", "list", "a", "b", "c", "d"});
  c.cmd({"LPOP", "list"});
  c.cmd({"LINSERT", "list", "BEFORE", "c", "x"});
  c.cmd({"HSET", "hash", "f1", "v1", "f2", "v2"});
  c.cmd({"HINCRBYFLOAT", "hash", "f3", "2.25"});
  c.cmd({"SADD", "set", "m1", "m2", "m3"});
  c.cmd({"SPOP", "set"});
  c.cmd({"ZADD", "zset", "1", "a", "2.5", "b", "-3", "c"});
  c.cmd({"ZINCRBY", "zset", "10", "a"});
  c.cmd({"EXPIRE", "hash", "3000"});
  c.cmd({"SELECT", "5"});
  c.cmd({"SET", "db5", "five"});
  c.cmd({"SADD", "db5set", "x"});
  c.cmd({"MOVE", "db5", "6"});
  c.cmd({"SELECT", "0"});
  // MULTI/EXEC across dbs.
  c.cmd({"MULTI"});
  c.cmd({"SET", "tx1", "a"});
  c.cmd({"SELECT", "2"});
  c.cmd({"LPUSH", "tx2", "b"});
  c.cmd({"INCRBY", "tx3", "7"});
  ASSERT_EQ(c.cmd({"EXEC"}).elements.size(), 4u);
  c.cmd({"SELECT", "0"});
}

void expectSameDataAfterRestart(ServerProcess& s, const std::string& before, bool kill9) {
  if (kill9) s.kill9();
  else ASSERT_EQ(s.stop(), 0);
  s.start();
  Client c(s.port());
  EXPECT_EQ(dumpAll(c), before);
}

}  // namespace erdtree::itest
