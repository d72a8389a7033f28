// Integration tests for the generic key commands: DEL/UNLINK, EXISTS, TYPE,
// KEYS glob patterns, SCAN, RANDOMKEY, RENAME/RENAMENX, COPY, MOVE, TOUCH,
// SELECT, OBJECT ENCODING/IDLETIME/FREQ and DBSIZE.
//
// Every expected reply below was checked against Redis 7.0.15; run with
// ERDTREE_SERVER_BIN=/usr/bin/redis-server to re-check them. One server is
// started per suite and FLUSHALL runs before each test.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/redis_errors.h"
#include "harness/shared_server.h"
#include "harness/server_process.h"

namespace {

using erdtree::itest::kNotInteger;
using erdtree::itest::kSyntax;
using erdtree::itest::Client;
using erdtree::itest::Reply;
using erdtree::itest::ServerProcess;
using erdtree::itest::SharedServerTest;
using erdtree::itest::show;

// Sorted element strings of an array reply, for order-independent checks.
std::vector<std::string> sortedStrings(const Reply& r) {
  std::vector<std::string> out;
  for (const auto& e : r.elements) out.push_back(e.str);
  std::sort(out.begin(), out.end());
  return out;
}

const std::string kNoSuchKey = "-ERR no such key";
const std::string kSame = "-ERR source and destination objects are the same";
const std::string kDbRange = "-ERR DB index is out of range";

class KeyCommands : public SharedServerTest<KeyCommands> {
 protected:
  // Runs a whole SCAN iteration; returns the union of the keys and the number
  // of calls. extra holds MATCH/COUNT/TYPE arguments.
  static std::set<std::string> scanAll(const std::vector<std::string>& extra, int* calls = nullptr) {
    std::set<std::string> keys;
    std::string cursor = "0";
    int n = 0;
    do {
      std::vector<std::string> args = {"SCAN", cursor};
      args.insert(args.end(), extra.begin(), extra.end());
      Reply r = cmd(args);
      EXPECT_EQ(r.type, Reply::Type::Array) << show(r);
      if (r.type != Reply::Type::Array || r.elements.size() != 2) break;
      cursor = r.elements[0].str;
      for (const auto& k : r.elements[1].elements) keys.insert(k.str);
      ++n;
    } while (cursor != "0" && n < 20000);  // bounded even if the cursor never returns to 0
    if (calls) *calls = n;
    return keys;
  }

  // MSET of name0..name{count-1} in pipelined batches.
  static void fill(const std::string& prefix, int from, int to) {
    const int batch = 500;
    int pending = 0;
    for (int i = from; i < to; i += batch) {
      std::vector<std::string> args = {"MSET"};
      for (int j = i; j < std::min(to, i + batch); ++j) {
        args.push_back(prefix + std::to_string(j));
        args.push_back("v");
      }
      client_->append(args);
      ++pending;
    }
    for (int i = 0; i < pending; ++i) ASSERT_EQ(show(client_->getReply()), "+OK");
  }

};

TEST_F(KeyCommands, DelAndUnlinkCountRemovedKeys) {
  EXPECT_EQ(run("MSET", "a", "1", "b", "2", "c", "3"), "+OK");
  EXPECT_EQ(run("DEL", "a", "b", "missing", "a"), ":2");
  EXPECT_EQ(run("DEL", "a"), ":0");
  EXPECT_EQ(run("EXISTS", "a", "b", "c"), ":1");
  EXPECT_EQ(run("MSET", "a", "1", "b", "2"), "+OK");
  EXPECT_EQ(run("UNLINK", "a", "b", "c", "d"), ":3");
  EXPECT_EQ(run("UNLINK", "a"), ":0");
  EXPECT_EQ(run("DBSIZE"), ":0");
  EXPECT_EQ(run("DEL"), "-ERR wrong number of arguments for 'del' command");
  EXPECT_EQ(run("UNLINK"), "-ERR wrong number of arguments for 'unlink' command");

  // A large value goes away too (Redis may free it lazily; it must be gone at once).
  EXPECT_EQ(run("SET", "big", std::string(1 << 20, 'x')), "+OK");
  EXPECT_EQ(run("UNLINK", "big"), ":1");
  EXPECT_EQ(run("GET", "big"), "(nil)");
}

TEST_F(KeyCommands, ExistsCountsDuplicates) {
  EXPECT_EQ(run("EXISTS", "a"), ":0");
  EXPECT_EQ(run("SET", "a", "1"), "+OK");
  EXPECT_EQ(run("EXISTS", "a"), ":1");
  EXPECT_EQ(run("EXISTS", "a", "a", "a", "missing"), ":3");
  EXPECT_EQ(run("EXISTS"), "-ERR wrong number of arguments for 'exists' command");
}

TEST_F(KeyCommands, Type) {
  EXPECT_EQ(run("TYPE", "missing"), "+none");
  EXPECT_EQ(run("SET", "s", "v"), "+OK");
  EXPECT_EQ(run("TYPE", "s"), "+string");
  EXPECT_EQ(run("SET", "n", "12"), "+OK");
  EXPECT_EQ(run("TYPE", "n"), "+string");
  EXPECT_EQ(run("LPUSH", "l", "x"), ":1");
  EXPECT_EQ(run("TYPE", "l"), "+list");
  EXPECT_EQ(run("SADD", "st", "x"), ":1");
  EXPECT_EQ(run("TYPE", "st"), "+set");
  EXPECT_EQ(run("HSET", "h", "f", "v"), ":1");
  EXPECT_EQ(run("TYPE", "h"), "+hash");
}

TEST_F(KeyCommands, KeysGlobPatterns) {
  const std::vector<std::string> all = {"hello", "hallo",   "hxllo", "hllo", "heeello", "h*llo", "h?llo",
                                        "h[a]llo", "a",    "b",     "c",    "d",       "x\\y"};
  for (const auto& k : all) ASSERT_EQ(run("SET", k, "1"), "+OK");
  auto keys = [](const std::string& pattern) { return sortedStrings(cmd({"KEYS", pattern})); };
  using V = std::vector<std::string>;

  V sortedAll = all;
  std::sort(sortedAll.begin(), sortedAll.end());
  EXPECT_EQ(keys("*"), sortedAll);
  EXPECT_EQ(keys("h?llo"), (V{"h*llo", "h?llo", "hallo", "hello", "hxllo"}));
  EXPECT_EQ(keys("h*llo"), (V{"h*llo", "h?llo", "h[a]llo", "hallo", "heeello", "hello", "hllo", "hxllo"}));
  EXPECT_EQ(keys("h[ae]llo"), (V{"hallo", "hello"}));
  EXPECT_EQ(keys("h[^e]llo"), (V{"h*llo", "h?llo", "hallo", "hxllo"}));
  EXPECT_EQ(keys("h[a-b]llo"), (V{"hallo"}));
  EXPECT_EQ(keys("[a-c]"), (V{"a", "b", "c"}));
  EXPECT_EQ(keys("[c-a]"), (V{"a", "b", "c"}));  // reversed ranges work too
  EXPECT_EQ(keys("[^a]"), (V{"b", "c", "d"}));
  EXPECT_EQ(keys("[!a]"), (V{"a"}));  // '!' is not a negation in Redis globs
  EXPECT_EQ(keys("?"), (V{"a", "b", "c", "d"}));
  EXPECT_EQ(keys("h\\*llo"), (V{"h*llo"}));
  EXPECT_EQ(keys("h\\?llo"), (V{"h?llo"}));
  EXPECT_EQ(keys("h\\[a\\]llo"), (V{"h[a]llo"}));
  EXPECT_EQ(keys("h[\\[]a]llo"), (V{"h[a]llo"}));  // class of one escaped '['
  EXPECT_EQ(keys("x\\\\y"), (V{"x\\y"}));
  EXPECT_EQ(keys("x\\y"), (V{}));  // "\y" is a plain 'y'
  EXPECT_EQ(keys("*ll*"), (V{"h*llo", "h?llo", "h[a]llo", "hallo", "heeello", "hello", "hllo", "hxllo"}));
  EXPECT_EQ(keys("*e*"), (V{"heeello", "hello"}));
  EXPECT_EQ(keys("nothing*"), (V{}));
  EXPECT_EQ(keys(""), (V{}));
  EXPECT_EQ(keys("h[a-]llo"), (V{}));
  EXPECT_EQ(run("KEYS"), "-ERR wrong number of arguments for 'keys' command");
}

// Redis's glob (stringmatchlen) never matches the empty string except with an
// empty pattern; only a bare "*" (KEYS's and SCAN's match-everything case)
// lists the key "". Found by tools/difftest.
TEST_F(KeyCommands, EmptyKeyMatchesOnlyBareStarOrEmptyPattern) {
  using V = std::vector<std::string>;
  ASSERT_EQ(run("MSET", "", "1", "k", "2"), "+OK");
  EXPECT_EQ(sortedStrings(cmd({"KEYS", "*"})), (V{"", "k"}));
  EXPECT_EQ(sortedStrings(cmd({"KEYS", "**"})), (V{"k"}));
  EXPECT_EQ(sortedStrings(cmd({"KEYS", "*?*"})), (V{"k"}));
  EXPECT_EQ(sortedStrings(cmd({"KEYS", ""})), (V{""}));
  EXPECT_EQ(scanAll({}), (std::set<std::string>{"", "k"}));
  EXPECT_EQ(scanAll({"MATCH", "*"}), (std::set<std::string>{"", "k"}));
  EXPECT_EQ(scanAll({"MATCH", "**"}), (std::set<std::string>{"k"}));
  EXPECT_EQ(scanAll({"MATCH", ""}), (std::set<std::string>{""}));
}

TEST_F(KeyCommands, ScanBasics) {
  EXPECT_EQ(run("SCAN", "0"), "[\"0\", []]");
  for (int i = 0; i < 100; ++i) ASSERT_EQ(run("SET", "key:" + std::to_string(i), "v"), "+OK");
  for (int i = 0; i < 20; ++i) ASSERT_EQ(run("SET", "other:" + std::to_string(i), "v"), "+OK");

  std::set<std::string> expectKey;
  for (int i = 0; i < 100; ++i) expectKey.insert("key:" + std::to_string(i));
  std::set<std::string> expectAll = expectKey;
  for (int i = 0; i < 20; ++i) expectAll.insert("other:" + std::to_string(i));

  int calls = 0;
  EXPECT_EQ(scanAll({}), expectAll);
  EXPECT_EQ(scanAll({"COUNT", "1"}, &calls), expectAll);
  EXPECT_GT(calls, 1);
  EXPECT_EQ(scanAll({"MATCH", "key:*"}), expectKey);
  EXPECT_EQ(scanAll({"match", "key:*", "count", "7"}), expectKey);
  EXPECT_EQ(scanAll({"MATCH", "other:1?"}),
            (std::set<std::string>{"other:10", "other:11", "other:12", "other:13", "other:14", "other:15",
                                   "other:16", "other:17", "other:18", "other:19"}));
  EXPECT_EQ(scanAll({"MATCH", "nope*", "COUNT", "1000"}), std::set<std::string>{});
  EXPECT_EQ(scanAll({"TYPE", "string"}), expectAll);
  EXPECT_EQ(scanAll({"TYPE", "STRING", "MATCH", "key:*"}), expectKey);
  EXPECT_EQ(scanAll({"TYPE", "list"}), std::set<std::string>{});
  EXPECT_EQ(scanAll({"TYPE", "nosuchtype"}), std::set<std::string>{});
  EXPECT_EQ(scanAll({"COUNT", "1", "COUNT", "100000"}), expectAll);  // last COUNT wins

  EXPECT_EQ(run("LPUSH", "l", "x"), ":1");
  EXPECT_EQ(run("SADD", "st", "x"), ":1");
  EXPECT_EQ(run("HSET", "h", "f", "v"), ":1");
  EXPECT_EQ(scanAll({"TYPE", "list"}), std::set<std::string>{"l"});
  EXPECT_EQ(scanAll({"TYPE", "set"}), std::set<std::string>{"st"});
  EXPECT_EQ(scanAll({"TYPE", "hash"}), std::set<std::string>{"h"});
  EXPECT_EQ(scanAll({"TYPE", "string", "MATCH", "l*"}), std::set<std::string>{});
}

TEST_F(KeyCommands, ScanErrors) {
  EXPECT_EQ(run("SET", "a", "1"), "+OK");
  EXPECT_EQ(run("SCAN", "abc"), "-ERR invalid cursor");
  EXPECT_EQ(run("SCAN", "1.5"), "-ERR invalid cursor");
  EXPECT_EQ(run("SCAN", " 0"), "-ERR invalid cursor");
  EXPECT_EQ(run("SCAN", "18446744073709551616"), "-ERR invalid cursor");
  // Redis parses the cursor with strtoul and only rejects trailing garbage, so
  // an empty cursor is cursor 0.
  EXPECT_EQ(run("SCAN", ""), "[\"0\", [\"a\"]]");
  EXPECT_EQ(run("SCAN", "0", "COUNT", "0"), kSyntax);
  EXPECT_EQ(run("SCAN", "0", "COUNT", "-1"), kSyntax);
  EXPECT_EQ(run("SCAN", "0", "COUNT", "abc"), kNotInteger);
  EXPECT_EQ(run("SCAN", "0", "FOO"), kSyntax);
  EXPECT_EQ(run("SCAN", "0", "MATCH"), kSyntax);
  EXPECT_EQ(run("SCAN", "0", "TYPE"), kSyntax);
  EXPECT_EQ(run("SCAN"), "-ERR wrong number of arguments for 'scan' command");
}

// SCAN's guarantee: every key present from the start to the end of a full
// iteration is returned at least once, even while the keyspace changes and the
// table grows (here from 10 keys to 100k) between calls.
TEST_F(KeyCommands, ScanSurvivesConcurrentGrowthAndDeletion) {
  std::set<std::string> stable;
  for (int i = 0; i < 10; ++i) {
    stable.insert("stable:" + std::to_string(i));
    ASSERT_EQ(run("SET", "stable:" + std::to_string(i), "v"), "+OK");
  }
  std::set<std::string> everSeen;  // every key that existed at some point
  everSeen.insert(stable.begin(), stable.end());

  std::set<std::string> returned;
  std::string cursor = "0";
  int calls = 0;
  int added = 0;
  int deleted = 0;
  const int target = 100000;
  do {
    // Small COUNT while the table grows, larger once it is full size so the
    // test stays quick.
    const std::string count = added < target ? "3" : "1000";
    Reply r = cmd({"SCAN", cursor, "COUNT", count});
    ASSERT_EQ(r.type, Reply::Type::Array) << show(r);
    ASSERT_EQ(r.elements.size(), 2u);
    cursor = r.elements[0].str;
    for (const auto& k : r.elements[1].elements) returned.insert(k.str);
    ++calls;

    // Between calls: add a growing batch of keys and delete some earlier ones.
    if (added < target) {
      const int batch = std::min(target - added, added < 1000 ? 100 : 5000);
      fill("grow:", added, added + batch);
      for (int j = added; j < added + batch; ++j) everSeen.insert("grow:" + std::to_string(j));
      added += batch;
      std::vector<std::string> del = {"DEL"};
      for (int j = 0; j < batch / 2 && deleted < added; ++j, deleted += 3) {
        del.push_back("grow:" + std::to_string(deleted));
      }
      if (del.size() > 1) {
        ASSERT_EQ(cmd(del).type, Reply::Type::Integer);
      }
    }
  } while (cursor != "0" && calls < 20000);

  EXPECT_EQ(cursor, "0") << "iteration did not finish in " << calls << " calls";
  for (const auto& k : stable) EXPECT_TRUE(returned.count(k)) << "SCAN missed " << k;
  for (const auto& k : returned) EXPECT_TRUE(everSeen.count(k)) << "SCAN invented " << k;
  std::printf("SCAN: %d calls, %zu distinct keys returned, %d keys added during the iteration\n", calls,
              returned.size(), added);
  RecordProperty("scan_calls", calls);
  if (added < target) {
    std::printf("note: the iteration ended after %d calls, before the table reached %d keys\n", calls, target);
  }

  // A fresh full iteration over the final table returns exactly what is there.
  Reply dbsize = cmd({"DBSIZE"});
  std::set<std::string> finalKeys = scanAll({"COUNT", "1000"});
  EXPECT_EQ(static_cast<long long>(finalKeys.size()), dbsize.integer);
}

TEST_F(KeyCommands, Randomkey) {
  EXPECT_EQ(run("RANDOMKEY"), "(nil)");
  EXPECT_EQ(run("SET", "only", "1"), "+OK");
  EXPECT_EQ(run("RANDOMKEY"), "\"only\"");
  EXPECT_EQ(run("MSET", "a", "1", "b", "2", "c", "3"), "+OK");
  std::set<std::string> seen;
  for (int i = 0; i < 200 && seen.size() < 4; ++i) seen.insert(cmd({"RANDOMKEY"}).str);
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b", "c", "only"}));
  EXPECT_EQ(run("SELECT", "5"), "+OK");
  EXPECT_EQ(run("RANDOMKEY"), "(nil)");
}

TEST_F(KeyCommands, Rename) {
  EXPECT_EQ(run("RENAME", "missing", "x"), kNoSuchKey);
  EXPECT_EQ(run("RENAME", "missing", "missing"), kNoSuchKey);
  EXPECT_EQ(run("SET", "a", "1"), "+OK");
  EXPECT_EQ(run("RENAME", "a", "a"), "+OK");
  EXPECT_EQ(run("GET", "a"), "\"1\"");
  EXPECT_EQ(run("RENAME", "a", "b"), "+OK");
  EXPECT_EQ(run("EXISTS", "a"), ":0");
  EXPECT_EQ(run("GET", "b"), "\"1\"");

  // The TTL travels with the value; the destination's own TTL is dropped.
  EXPECT_EQ(run("SET", "t", "v", "EX", "100"), "+OK");
  EXPECT_EQ(run("RENAME", "t", "t2"), "+OK");
  EXPECT_EQ(run("TTL", "t2"), ":100");
  EXPECT_EQ(run("SET", "p", "plain"), "+OK");
  EXPECT_EQ(run("RENAME", "p", "t2"), "+OK");
  EXPECT_EQ(run("TTL", "t2"), ":-1");
  EXPECT_EQ(run("GET", "t2"), "\"plain\"");
  EXPECT_EQ(run("RENAME", "a"), "-ERR wrong number of arguments for 'rename' command");
}

TEST_F(KeyCommands, Renamenx) {
  EXPECT_EQ(run("RENAMENX", "missing", "x"), kNoSuchKey);
  EXPECT_EQ(run("SET", "a", "1"), "+OK");
  EXPECT_EQ(run("RENAMENX", "a", "a"), ":0");
  EXPECT_EQ(run("SET", "x", "2"), "+OK");
  EXPECT_EQ(run("RENAMENX", "a", "x"), ":0");
  EXPECT_EQ(run("MGET", "a", "x"), "[\"1\", \"2\"]");
  EXPECT_EQ(run("SET", "a", "1", "EX", "100"), "+OK");
  EXPECT_EQ(run("RENAMENX", "a", "y"), ":1");
  EXPECT_EQ(run("MGET", "a", "y"), "[(nil), \"1\"]");
  EXPECT_EQ(run("TTL", "y"), ":100");
}

TEST_F(KeyCommands, Copy) {
  EXPECT_EQ(run("SET", "s", "v", "EX", "100"), "+OK");
  EXPECT_EQ(run("COPY", "s", "t"), ":1");
  EXPECT_EQ(run("GET", "t"), "\"v\"");
  EXPECT_EQ(run("TTL", "t"), ":100");  // TTL copied
  EXPECT_EQ(run("SET", "s", "w"), "+OK");
  EXPECT_EQ(run("GET", "t"), "\"v\"");  // an independent copy
  EXPECT_EQ(run("COPY", "s", "t"), ":0");
  EXPECT_EQ(run("GET", "t"), "\"v\"");
  EXPECT_EQ(run("COPY", "s", "t", "REPLACE"), ":1");
  EXPECT_EQ(run("GET", "t"), "\"w\"");
  EXPECT_EQ(run("TTL", "t"), ":-1");
  EXPECT_EQ(run("COPY", "missing", "t"), ":0");
  EXPECT_EQ(run("COPY", "missing", "t", "REPLACE"), ":0");
  EXPECT_EQ(run("GET", "t"), "\"w\"");

  EXPECT_EQ(run("COPY", "s", "s"), kSame);
  EXPECT_EQ(run("COPY", "missing", "missing"), kSame);
  EXPECT_EQ(run("COPY", "s", "s", "DB", "0"), kSame);
  EXPECT_EQ(run("COPY", "s", "s", "DB", "1"), ":1");  // same name, other db
  EXPECT_EQ(run("COPY", "s", "t", "DB", "1"), ":1");
  EXPECT_EQ(run("COPY", "s", "t", "DB", "1"), ":0");
  EXPECT_EQ(run("COPY", "s", "t", "db", "1", "replace"), ":1");
  EXPECT_EQ(run("COPY", "s", "u", "DB", "1", "DB", "2"), ":1");  // last DB wins
  EXPECT_EQ(run("SELECT", "1"), "+OK");
  EXPECT_EQ(run("MGET", "s", "t", "u"), "[\"w\", \"w\", (nil)]");
  EXPECT_EQ(run("SELECT", "2"), "+OK");
  EXPECT_EQ(run("GET", "u"), "\"w\"");
  EXPECT_EQ(run("SELECT", "0"), "+OK");

  EXPECT_EQ(run("COPY", "s", "x", "DB", "16"), kDbRange);
  EXPECT_EQ(run("COPY", "s", "x", "DB", "-1"), kDbRange);
  EXPECT_EQ(run("COPY", "s", "x", "DB", "abc"), kNotInteger);
  EXPECT_EQ(run("COPY", "s", "x", "DB"), kSyntax);
  EXPECT_EQ(run("COPY", "s", "x", "FOO"), kSyntax);
  EXPECT_EQ(run("COPY", "s", "x", "REPLACE", "REPLACE"), ":1");

  // A small integer is a shared object in Redis, but COPY duplicates it: the
  // copy has refcount 1 until a new value is stored (found by tools/difftest).
  EXPECT_EQ(run("SET", "n", "112"), "+OK");
  EXPECT_EQ(run("OBJECT", "REFCOUNT", "n"), ":2147483647");
  EXPECT_EQ(run("COPY", "n", "n2"), ":1");
  EXPECT_EQ(run("OBJECT", "ENCODING", "n2"), "\"int\"");
  EXPECT_EQ(run("OBJECT", "REFCOUNT", "n2"), ":1");
  EXPECT_EQ(run("RENAME", "n2", "n3"), "+OK");
  EXPECT_EQ(run("OBJECT", "REFCOUNT", "n3"), ":1");
  EXPECT_EQ(run("INCR", "n3"), ":113");
  EXPECT_EQ(run("OBJECT", "REFCOUNT", "n3"), ":2147483647");
  EXPECT_EQ(run("OBJECT", "REFCOUNT", "n"), ":2147483647");
}

TEST_F(KeyCommands, Move) {
  EXPECT_EQ(run("SET", "a", "1", "EX", "100"), "+OK");
  EXPECT_EQ(run("MOVE", "a", "0"), kSame);
  EXPECT_EQ(run("MOVE", "a", "16"), kDbRange);
  EXPECT_EQ(run("MOVE", "a", "-1"), kDbRange);
  EXPECT_EQ(run("MOVE", "a", "abc"), kNotInteger);
  EXPECT_EQ(run("MOVE", "missing", "1"), ":0");
  EXPECT_EQ(run("MOVE", "a", "1"), ":1");
  EXPECT_EQ(run("EXISTS", "a"), ":0");
  EXPECT_EQ(run("SET", "a", "2"), "+OK");
  EXPECT_EQ(run("MOVE", "a", "1"), ":0");  // destination already has it
  EXPECT_EQ(run("GET", "a"), "\"2\"");
  EXPECT_EQ(run("SELECT", "1"), "+OK");
  EXPECT_EQ(run("GET", "a"), "\"1\"");
  EXPECT_EQ(run("TTL", "a"), ":100");  // TTL moved along
  EXPECT_EQ(run("MOVE", "a", "1"), kSame);
  EXPECT_EQ(run("MOVE", "a", "0"), ":0");
}

TEST_F(KeyCommands, Touch) {
  EXPECT_EQ(run("TOUCH", "missing"), ":0");
  EXPECT_EQ(run("SET", "a", "1"), "+OK");
  EXPECT_EQ(run("TOUCH", "a", "b", "a", "missing"), ":2");
  EXPECT_EQ(run("SET", "b", "1"), "+OK");
  EXPECT_EQ(run("TOUCH", "a", "b", "a", "missing"), ":3");
  EXPECT_EQ(run("TOUCH"), "-ERR wrong number of arguments for 'touch' command");
}

TEST_F(KeyCommands, SelectIsolatesDatabases) {
  EXPECT_EQ(run("SET", "k", "db0"), "+OK");
  EXPECT_EQ(run("SELECT", "1"), "+OK");
  EXPECT_EQ(run("GET", "k"), "(nil)");
  EXPECT_EQ(run("EXISTS", "k"), ":0");
  EXPECT_EQ(run("DBSIZE"), ":0");
  EXPECT_EQ(run("KEYS", "*"), "[]");
  EXPECT_EQ(run("SET", "k", "db1"), "+OK");
  EXPECT_EQ(run("SET", "only1", "x"), "+OK");
  EXPECT_EQ(run("DBSIZE"), ":2");
  EXPECT_EQ(run("SELECT", "15"), "+OK");
  EXPECT_EQ(run("DBSIZE"), ":0");
  EXPECT_EQ(run("SELECT", "0"), "+OK");
  EXPECT_EQ(run("GET", "k"), "\"db0\"");
  EXPECT_EQ(run("DBSIZE"), ":1");
  EXPECT_EQ(run("DEL", "only1"), ":0");

  // SELECT is per connection.
  Client other(server_->port());
  EXPECT_EQ(show(other.cmd({"GET", "k"})), "\"db0\"");
  EXPECT_EQ(show(other.cmd({"SELECT", "1"})), "+OK");
  EXPECT_EQ(show(other.cmd({"GET", "k"})), "\"db1\"");
  EXPECT_EQ(run("GET", "k"), "\"db0\"");

  EXPECT_EQ(run("SELECT", "16"), kDbRange);
  EXPECT_EQ(run("SELECT", "-1"), kDbRange);
  EXPECT_EQ(run("SELECT", "abc"), kNotInteger);
  EXPECT_EQ(run("GET", "k"), "\"db0\"");  // a failed SELECT keeps the current db

  // FLUSHDB clears only the selected database; FLUSHALL clears all.
  EXPECT_EQ(run("FLUSHDB"), "+OK");
  EXPECT_EQ(run("DBSIZE"), ":0");
  EXPECT_EQ(show(other.cmd({"DBSIZE"})), ":2");
  EXPECT_EQ(run("FLUSHALL"), "+OK");
  EXPECT_EQ(show(other.cmd({"DBSIZE"})), ":0");
}

TEST_F(KeyCommands, ObjectEncodingOfStrings) {
  EXPECT_EQ(run("OBJECT", "ENCODING", "missing"), "(nil)");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"123", "int"},
      {"-123", "int"},
      {"0", "int"},
      {"9223372036854775807", "int"},
      {"12345678901234567890", "embstr"},  // beyond long long
      {"0123", "embstr"},                   // not canonical
      {" 12", "embstr"},
      {"abc", "embstr"},
      {"", "embstr"},
      {std::string(44, 'x'), "embstr"},  // the embstr limit
      {std::string(45, 'x'), "raw"},
      {std::string(50, 'x'), "raw"},
  };
  for (const auto& [value, encoding] : cases) {
    SCOPED_TRACE("value [" + value + "]");
    EXPECT_EQ(run("SET", "k", value), "+OK");
    EXPECT_EQ(run("OBJECT", "ENCODING", "k"), "\"" + encoding + "\"");
  }
  // After APPEND (and SETRANGE) a string is raw, even when short or numeric.
  EXPECT_EQ(run("SET", "a", "abc"), "+OK");
  EXPECT_EQ(run("APPEND", "a", "d"), ":4");
  EXPECT_EQ(run("OBJECT", "ENCODING", "a"), "\"raw\"");
  EXPECT_EQ(run("SET", "n", "123"), "+OK");
  EXPECT_EQ(run("APPEND", "n", "4"), ":4");
  EXPECT_EQ(run("OBJECT", "ENCODING", "n"), "\"raw\"");
  EXPECT_EQ(run("SETRANGE", "r", "0", "x"), ":1");
  EXPECT_EQ(run("OBJECT", "ENCODING", "r"), "\"raw\"");
  // Counters are ints; INCRBYFLOAT results are embstr.
  EXPECT_EQ(run("INCR", "c"), ":1");
  EXPECT_EQ(run("OBJECT", "ENCODING", "c"), "\"int\"");
  EXPECT_EQ(run("INCRBY", "n", "1"), ":1235");
  EXPECT_EQ(run("OBJECT", "ENCODING", "n"), "\"int\"");
  EXPECT_EQ(run("INCRBYFLOAT", "f", "1.5"), "\"1.5\"");
  EXPECT_EQ(run("OBJECT", "ENCODING", "f"), "\"embstr\"");
  EXPECT_EQ(run("SETEX", "x", "100", "7"), "+OK");
  EXPECT_EQ(run("OBJECT", "ENCODING", "x"), "\"int\"");
  EXPECT_EQ(run("OBJECT", "ENCODING"), "-ERR wrong number of arguments for 'object|encoding' command");
  EXPECT_EQ(run("OBJECT", "ENCODING", "a", "b"), "-ERR wrong number of arguments for 'object|encoding' command");
  EXPECT_EQ(run("LPUSH", "l", "a"), ":1");
  EXPECT_EQ(run("OBJECT", "ENCODING", "l"), "\"quicklist\"");  // Redis 7.0: always (listpack lists are 7.2)
  EXPECT_EQ(run("SADD", "si", "1"), ":1");
  EXPECT_EQ(run("OBJECT", "ENCODING", "si"), "\"intset\"");
  EXPECT_EQ(run("SADD", "st", "a"), ":1");
  EXPECT_EQ(run("OBJECT", "ENCODING", "st"), "\"hashtable\"");  // 7.0: no listpack sets
  EXPECT_EQ(run("HSET", "h", "f", "v"), ":1");
  EXPECT_EQ(run("OBJECT", "ENCODING", "h"), "\"listpack\"");
}

TEST_F(KeyCommands, ObjectIdletimeAndFreq) {
  EXPECT_EQ(run("OBJECT", "IDLETIME", "missing"), "(nil)");
  EXPECT_EQ(run("SET", "a", "1"), "+OK");
  EXPECT_EQ(run("GET", "a"), "\"1\"");
  EXPECT_EQ(run("OBJECT", "IDLETIME", "a"), ":0");
  EXPECT_EQ(run("OBJECT", "FREQ", "missing"), "(nil)");
  EXPECT_EQ(run("OBJECT", "FREQ", "a"),
            "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
            "when switching between policies at runtime LRU and LFU data will take some time to adjust.");
  EXPECT_EQ(run("OBJECT", "Foo", "a"), "-ERR unknown subcommand 'Foo'. Try OBJECT HELP.");  // echoed verbatim
  EXPECT_EQ(run("OBJECT"), "-ERR wrong number of arguments for 'object' command");
}

TEST_F(KeyCommands, Dbsize) {
  EXPECT_EQ(run("DBSIZE"), ":0");
  fill("k", 0, 1000);
  EXPECT_EQ(run("DBSIZE"), ":1000");
  EXPECT_EQ(run("DEL", "k0", "k1", "nope"), ":2");
  EXPECT_EQ(run("DBSIZE"), ":998");
  EXPECT_EQ(run("SET", "k2", "overwrite"), "+OK");
  EXPECT_EQ(run("DBSIZE"), ":998");
  EXPECT_EQ(run("FLUSHDB"), "+OK");
  EXPECT_EQ(run("DBSIZE"), ":0");
}

}  // namespace
