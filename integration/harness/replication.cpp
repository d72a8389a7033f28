// Replication test helpers (replication.h).
#include "harness/replication.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "harness/dataset.h"

namespace erdtree::itest {

std::string infoField(Client& c, const std::string& section, const std::string& name) {
  const std::string info = c.cmd({"INFO", section}).str;
  const std::string key = "\r\n" + name + ":";
  size_t p = info.find(key);
  if (p == std::string::npos) return "";
  p += key.size();
  return info.substr(p, info.find("\r\n", p) - p);
}

bool waitLong(const std::function<bool()>& cond, int timeoutMs) { return waitFor(cond, timeoutMs, 50); }

bool inSync(Client& master, Client& replica) {
  return infoField(replica, "replication", "master_link_status") == "up" &&
         infoField(replica, "replication", "slave_repl_offset") ==
             infoField(master, "replication", "master_repl_offset");
}

void expectSameData(Client& master, Client& replica) {
  ASSERT_TRUE(waitLong([&] { return inSync(master, replica); }))
      << infoField(replica, "replication", "slave_repl_offset") << " vs "
      << infoField(master, "replication", "master_repl_offset");
  std::string a, b;
  const bool same = waitLong([&] {
    a = dumpAll(master);
    b = dumpAll(replica);
    return a == b;
  }, 5000);
  EXPECT_TRUE(same);
  EXPECT_EQ(a, b);
}

std::string digest(Client& c) {
  const Reply r = c.cmd({"DEBUG", "DIGEST"});
  EXPECT_EQ(r.type, Reply::Type::Status) << r.repr();
  return r.str;
}

void expectSameDigest(Client& master, Client& replica) {
  ASSERT_TRUE(waitLong([&] { return inSync(master, replica); }))
      << infoField(replica, "replication", "slave_repl_offset") << " vs "
      << infoField(master, "replication", "master_repl_offset");
  std::string a, b;
  const bool same = waitLong([&] {
    a = digest(master);
    b = digest(replica);
    return a == b;
  }, 5000);
  EXPECT_TRUE(same) << digestDiff(master, replica);
  EXPECT_EQ(a, b);
}

namespace {

// TYPE, TTL and value of one key as text (for digestDiff).
std::string describeKey(Client& c, const std::string& k) {
  const std::string type = c.cmd({"TYPE", k}).str;
  std::string out = type + " pttl=" + std::to_string(c.cmd({"PTTL", k}).integer) + " ";
  Reply v;
  if (type == "string") v = c.cmd({"GET", k});
  else if (type == "list") v = c.cmd({"LRANGE", k, "0", "-1"});
  else if (type == "hash") v = c.cmd({"HGETALL", k});
  else if (type == "set") v = c.cmd({"SMEMBERS", k});
  else if (type == "zset") v = c.cmd({"ZRANGE", k, "0", "-1", "WITHSCORES"});
  return out + show(v).substr(0, 300);
}

}  // namespace

std::string digestDiff(Client& a, Client& b) {
  std::string out;
  int shown = 0;
  for (int db = 0; db < 16 && shown < 10; ++db) {
    a.cmd({"SELECT", std::to_string(db)});
    b.cmd({"SELECT", std::to_string(db)});
    std::set<std::string> keys;
    for (const auto& k : a.cmd({"KEYS", "*"}).strings()) keys.insert(k);
    for (const auto& k : b.cmd({"KEYS", "*"}).strings()) keys.insert(k);
    for (const auto& k : keys) {
      if (a.cmd({"DEBUG", "DIGEST-VALUE", k}).repr() == b.cmd({"DEBUG", "DIGEST-VALUE", k}).repr()) continue;
      out += strCat({"db ", std::to_string(db), " key ", k, "\n  a: ", describeKey(a, k), "\n  b: ",
                     describeKey(b, k), "\n"});
      if (++shown == 10) break;
    }
  }
  a.cmd({"SELECT", "0"});
  b.cmd({"SELECT", "0"});
  return out;
}

void writeMoreAllTypes(Client& m) {
  ASSERT_EQ(m.cmd({"SELECT", "0"}).repr(), "+OK");
  ASSERT_EQ(m.cmd({"SET", "after:str", "value"}).repr(), "+OK");
  m.cmd({"INCRBY", "after:counter", "41"});
  m.cmd({"RPUSH", "after:list", "a", "b", "c"});
  m.cmd({"LPOP", "after:list"});
  m.cmd({"HSET", "after:hash", "f1", "v1", "f2", "v2"});
  m.cmd({"SADD", "after:set", "x", "y"});
  m.cmd({"ZADD", "after:zset", "1.5", "m1", "2", "m2"});
  m.cmd({"SET", "after:ttl", "v", "EX", "1000"});
  m.cmd({"INCRBYFLOAT", "after:float", "1.25"});
  ASSERT_EQ(m.cmd({"SELECT", "4"}).repr(), "+OK");
  m.cmd({"SET", "after:db4", "x"});
  m.cmd({"MULTI"});
  m.cmd({"INCR", "after:counter"});
  m.cmd({"SELECT", "0"});
  m.cmd({"DEL", "after:str"});
  m.cmd({"EXEC"});
  m.cmd({"SELECT", "0"});
}

}  // namespace erdtree::itest
