// Integration tests for the hash commands: HSET/HSETNX/HMSET, HGET/HMGET,
// HDEL (and the deletion of an emptied hash), HLEN/HEXISTS/HSTRLEN,
// HGETALL/HKEYS/HVALS, HINCRBY/HINCRBYFLOAT, HSCAN, HRANDFIELD, the
// listpack -> hashtable conversion points and the RESP3 reply shapes.
//
// Every expected reply below was checked against Redis 7.0.15; run with
// ERDTREE_SERVER_BIN=/usr/bin/redis-server to re-check them. One server is
// started per suite and FLUSHALL runs before each test.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/redis_errors.h"
#include "harness/shared_server.h"

namespace {

using erdtree::itest::kWrongType;
using erdtree::itest::kNotInteger;
using erdtree::itest::kSyntax;
using erdtree::itest::RawConnection;
using erdtree::itest::Reply;
using erdtree::itest::SharedServerTest;
using erdtree::itest::show;

const std::string kNotFloat = "-ERR value is not a valid float";

class Hashes : public SharedServerTest<Hashes> {
 public:
  // redis-server without a config file defaults to 512 entries (its
  // redis.conf, and erdtree, to 128): pin the shipped value for both.
  static std::vector<std::string> serverArgs() { return {"--hash-max-listpack-entries", "128"}; }

 protected:
  static std::string encoding(const std::string& key) { return cmd({"OBJECT", "ENCODING", key}).str; }

  // Fills key with fields f0..f<n-1> holding v0..v<n-1>.
  static void fill(const std::string& key, int n) {
    std::vector<std::string> args{"HSET", key};
    for (int i = 0; i < n; ++i) {
      args.push_back("f" + std::to_string(i));
      args.push_back("v" + std::to_string(i));
    }
    ASSERT_EQ(cmd(args).integer, n);
  }
  // A flat field/value array as a map (checks the pairs are consistent).
  static std::map<std::string, std::string> pairs(const Reply& r) {
    std::map<std::string, std::string> m;
    EXPECT_EQ(r.elements.size() % 2, 0u);
    for (size_t i = 0; i + 1 < r.elements.size(); i += 2) m[r.elements[i].str] = r.elements[i + 1].str;
    return m;
  }
  static std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }
};

TEST_F(Hashes, HsetHgetBasics) {
  EXPECT_EQ(run("HGET", "h", "f"), "(nil)");
  EXPECT_EQ(run("HSET", "h", "f", "v"), ":1");
  EXPECT_EQ(run("HGET", "h", "f"), "\"v\"");
  EXPECT_EQ(run("HGET", "h", "other"), "(nil)");
  EXPECT_EQ(run("HSET", "h", "f", "w", "g", "1", "k", "2"), ":2");
  EXPECT_EQ(run("HGET", "h", "f"), "\"w\"");
  EXPECT_EQ(run("HSET", "h", "a", "1", "a", "2"), ":1");  // the last value of a repeated field wins
  EXPECT_EQ(run("HGET", "h", "a"), "\"2\"");
  EXPECT_EQ(run("HSET", "h", "", ""), ":1");
  EXPECT_EQ(run("HGET", "h", ""), "\"\"");
  EXPECT_EQ(run("TYPE", "h"), "+hash");
  EXPECT_EQ(run("HLEN", "h"), ":5");

  const std::string field("a\0b\r\nc", 6);
  const std::string value("x\0y\r\n$3\r\nz", 11);
  EXPECT_EQ(run("HSET", "bin", field, value), ":1");
  EXPECT_EQ(cmd({"HGET", "bin", field}).str, value);
  EXPECT_EQ(run("HSTRLEN", "bin", field), ":11");
}

TEST_F(Hashes, ArityErrors) {
  EXPECT_EQ(run("HSET", "h", "f"), "-ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(run("HSET", "h", "f", "v", "g"), "-ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(run("hset", "h", "f", "v", "g"), "-ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(run("HMSET", "h", "f", "v", "g"), "-ERR wrong number of arguments for 'hmset' command");
  EXPECT_EQ(run("HSETNX", "h", "f"), "-ERR wrong number of arguments for 'hsetnx' command");
  EXPECT_EQ(run("HGET", "h"), "-ERR wrong number of arguments for 'hget' command");
  EXPECT_EQ(run("HMGET", "h"), "-ERR wrong number of arguments for 'hmget' command");
  EXPECT_EQ(run("HDEL", "h"), "-ERR wrong number of arguments for 'hdel' command");
  EXPECT_EQ(run("HLEN"), "-ERR wrong number of arguments for 'hlen' command");
  EXPECT_EQ(run("HEXISTS", "h"), "-ERR wrong number of arguments for 'hexists' command");
  EXPECT_EQ(run("HSTRLEN", "h"), "-ERR wrong number of arguments for 'hstrlen' command");
  EXPECT_EQ(run("HGETALL"), "-ERR wrong number of arguments for 'hgetall' command");
  EXPECT_EQ(run("HKEYS", "h", "x"), "-ERR wrong number of arguments for 'hkeys' command");
  EXPECT_EQ(run("HVALS"), "-ERR wrong number of arguments for 'hvals' command");
  EXPECT_EQ(run("HINCRBY", "h", "f"), "-ERR wrong number of arguments for 'hincrby' command");
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "f"), "-ERR wrong number of arguments for 'hincrbyfloat' command");
  EXPECT_EQ(run("HSCAN", "h"), "-ERR wrong number of arguments for 'hscan' command");
  EXPECT_EQ(run("HRANDFIELD"), "-ERR wrong number of arguments for 'hrandfield' command");
  EXPECT_EQ(run("EXISTS", "h"), ":0");  // nothing above created the key
}

TEST_F(Hashes, HmsetAndHmget) {
  EXPECT_EQ(run("HMSET", "h", "a", "1", "b", "2"), "+OK");
  EXPECT_EQ(run("HMSET", "h", "a", "3"), "+OK");
  EXPECT_EQ(run("HMGET", "h", "a", "missing", "b", "a"), "[\"3\", (nil), \"2\", \"3\"]");
  EXPECT_EQ(run("HMGET", "nokey", "a", "b"), "[(nil), (nil)]");
}

TEST_F(Hashes, HsetnxSetsOnlyNewFields) {
  EXPECT_EQ(run("HSETNX", "h", "f", "1"), ":1");
  EXPECT_EQ(run("HSETNX", "h", "f", "2"), ":0");
  EXPECT_EQ(run("HGET", "h", "f"), "\"1\"");
  EXPECT_EQ(run("HSETNX", "h", "g", "2"), ":1");
  EXPECT_EQ(run("HLEN", "h"), ":2");
}

TEST_F(Hashes, HdelDeletesFieldsAndTheEmptiedKey) {
  EXPECT_EQ(run("HDEL", "nokey", "a"), ":0");
  EXPECT_EQ(run("HSET", "h", "a", "1", "b", "2", "c", "3"), ":3");
  EXPECT_EQ(run("HDEL", "h", "a", "missing", "a"), ":1");
  EXPECT_EQ(run("HLEN", "h"), ":2");
  EXPECT_EQ(run("HDEL", "h", "b", "c", "d"), ":2");
  EXPECT_EQ(run("EXISTS", "h"), ":0");
  EXPECT_EQ(run("HLEN", "h"), ":0");

  // The same in the hashtable encoding.
  fill("big", 200);
  std::vector<std::string> args{"HDEL", "big"};
  for (int i = 0; i < 200; ++i) args.push_back("f" + std::to_string(i));
  EXPECT_EQ(cmd(args).integer, 200);
  EXPECT_EQ(run("EXISTS", "big"), ":0");
}

TEST_F(Hashes, HlenHexistsHstrlen) {
  EXPECT_EQ(run("HLEN", "nokey"), ":0");
  EXPECT_EQ(run("HEXISTS", "nokey", "f"), ":0");
  EXPECT_EQ(run("HSTRLEN", "nokey", "f"), ":0");
  EXPECT_EQ(run("HSET", "h", "f", "hello", "n", "-12345", "e", ""), ":3");
  EXPECT_EQ(run("HLEN", "h"), ":3");
  EXPECT_EQ(run("HEXISTS", "h", "f"), ":1");
  EXPECT_EQ(run("HEXISTS", "h", "g"), ":0");
  EXPECT_EQ(run("HSTRLEN", "h", "f"), ":5");
  EXPECT_EQ(run("HSTRLEN", "h", "n"), ":6");
  EXPECT_EQ(run("HSTRLEN", "h", "e"), ":0");
  EXPECT_EQ(run("HSTRLEN", "h", "g"), ":0");
}

TEST_F(Hashes, HgetallHkeysHvals) {
  EXPECT_EQ(run("HGETALL", "nokey"), "[]");
  EXPECT_EQ(run("HKEYS", "nokey"), "[]");
  EXPECT_EQ(run("HVALS", "nokey"), "[]");
  // A listpack keeps insertion order; an update keeps the field's place.
  EXPECT_EQ(run("HSET", "h", "b", "1", "a", "2", "c", "3"), ":3");
  EXPECT_EQ(run("HSET", "h", "a", "22"), ":0");
  EXPECT_EQ(run("HDEL", "h", "b"), ":1");
  EXPECT_EQ(run("HSET", "h", "b", "4"), ":1");
  EXPECT_EQ(run("HGETALL", "h"), "[\"a\", \"22\", \"c\", \"3\", \"b\", \"4\"]");
  EXPECT_EQ(run("HKEYS", "h"), "[\"a\", \"c\", \"b\"]");
  EXPECT_EQ(run("HVALS", "h"), "[\"22\", \"3\", \"4\"]");

  fill("big", 300);
  Reply all = cmd({"HGETALL", "big"});
  auto m = pairs(all);
  ASSERT_EQ(m.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(m["f" + std::to_string(i)], "v" + std::to_string(i));
  Reply keys = cmd({"HKEYS", "big"}), vals = cmd({"HVALS", "big"});
  ASSERT_EQ(keys.elements.size(), 300u);
  ASSERT_EQ(vals.elements.size(), 300u);
  for (size_t i = 0; i < 300; ++i) {  // same order in all three
    EXPECT_EQ(keys.elements[i].str, all.elements[2 * i].str);
    EXPECT_EQ(vals.elements[i].str, all.elements[2 * i + 1].str);
  }
}

TEST_F(Hashes, WrongType) {
  EXPECT_EQ(run("SET", "s", "x"), "+OK");
  EXPECT_EQ(run("HSET", "s", "f", "v"), kWrongType);
  EXPECT_EQ(run("HMSET", "s", "f", "v"), kWrongType);
  EXPECT_EQ(run("HSETNX", "s", "f", "v"), kWrongType);
  EXPECT_EQ(run("HGET", "s", "f"), kWrongType);
  EXPECT_EQ(run("HMGET", "s", "f"), kWrongType);
  EXPECT_EQ(run("HDEL", "s", "f"), kWrongType);
  EXPECT_EQ(run("HLEN", "s"), kWrongType);
  EXPECT_EQ(run("HEXISTS", "s", "f"), kWrongType);
  EXPECT_EQ(run("HSTRLEN", "s", "f"), kWrongType);
  EXPECT_EQ(run("HGETALL", "s"), kWrongType);
  EXPECT_EQ(run("HKEYS", "s"), kWrongType);
  EXPECT_EQ(run("HVALS", "s"), kWrongType);
  EXPECT_EQ(run("HINCRBY", "s", "f", "1"), kWrongType);
  EXPECT_EQ(run("HINCRBYFLOAT", "s", "f", "1"), kWrongType);
  EXPECT_EQ(run("HSCAN", "s", "0"), kWrongType);
  EXPECT_EQ(run("HRANDFIELD", "s"), kWrongType);
  EXPECT_EQ(run("HRANDFIELD", "s", "2"), kWrongType);
  // Arguments are checked before the key's type.
  EXPECT_EQ(run("HINCRBY", "s", "f", "x"), kNotInteger);
  EXPECT_EQ(run("HINCRBYFLOAT", "s", "f", "x"), kNotFloat);
  EXPECT_EQ(run("HSCAN", "s", "x"), "-ERR invalid cursor");
  EXPECT_EQ(run("HRANDFIELD", "s", "x"), kNotInteger);
  EXPECT_EQ(run("GET", "s"), "\"x\"");
  // And string commands refuse a hash.
  EXPECT_EQ(run("HSET", "h", "f", "v"), ":1");
  EXPECT_EQ(run("GET", "h"), kWrongType);
}

TEST_F(Hashes, Hincrby) {
  EXPECT_EQ(run("HINCRBY", "h", "f", "5"), ":5");
  EXPECT_EQ(run("HINCRBY", "h", "f", "-7"), ":-2");
  EXPECT_EQ(run("HGET", "h", "f"), "\"-2\"");
  EXPECT_EQ(run("HINCRBY", "h", "g", "0"), ":0");
  EXPECT_EQ(run("HINCRBY", "h", "f", "1.5"), kNotInteger);
  EXPECT_EQ(run("HINCRBY", "h", "f", " 1"), kNotInteger);

  EXPECT_EQ(run("HSET", "h", "max", "9223372036854775807", "min", "-9223372036854775808"), ":2");
  EXPECT_EQ(run("HINCRBY", "h", "max", "1"), "-ERR increment or decrement would overflow");
  EXPECT_EQ(run("HINCRBY", "h", "min", "-1"), "-ERR increment or decrement would overflow");
  EXPECT_EQ(run("HINCRBY", "h", "max", "-9223372036854775808"), ":-1");
  EXPECT_EQ(run("HINCRBY", "h", "min", "9223372036854775807"), ":-1");

  for (std::string bad : {"abc", " 1", "1 ", "007", "1.0", "", "-0", "9223372036854775808"}) {
    EXPECT_EQ(run("HSET", "h", "bad" + bad, bad), ":1") << bad;
    EXPECT_EQ(run("HINCRBY", "h", "bad" + bad, "1"), "-ERR hash value is not an integer") << bad;
    EXPECT_EQ(cmd({"HGET", "h", "bad" + bad}).str, bad);
  }
}

TEST_F(Hashes, HincrbyCreatesTheFieldFirst) {
  EXPECT_EQ(run("HSET", "h", "bad", "x"), ":1");
  EXPECT_EQ(run("HINCRBY", "h", "bad", "1"), "-ERR hash value is not an integer");
  EXPECT_EQ(run("HGET", "h", "bad"), "\"x\"");
}

TEST_F(Hashes, Hincrbyfloat) {
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "f", "10.5"), "\"10.5\"");
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "f", "0.1"), "\"10.6\"");
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "f", "1.23e-5"), "\"10.6000123\"");
  EXPECT_EQ(run("HSET", "h", "i", "10"), ":1");
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "i", "5.0e3"), "\"5010\"");
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "i", "0.1"), "\"5010.10000000000000009\"");
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "i", "-5010.1"), "\"0\"");
  EXPECT_EQ(run("HSET", "h", "z", "007"), ":1");
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "z", "1"), "\"8\"");
  EXPECT_EQ(run("HINCRBY", "h", "z", "1"), ":9");  // the result is a plain integer string

  EXPECT_EQ(run("HINCRBYFLOAT", "h", "f", "inf"), "-ERR value is NaN or Infinity");
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "f", "-inf"), "-ERR value is NaN or Infinity");
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "f", "nan"), kNotFloat);
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "f", "abc"), kNotFloat);
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "f", ""), kNotFloat);
  EXPECT_EQ(run("HINCRBYFLOAT", "nokey", "f", "inf"), "-ERR value is NaN or Infinity");
  EXPECT_EQ(run("EXISTS", "nokey"), ":0");

  EXPECT_EQ(run("HSET", "h", "huge", "1e4932"), ":1");
  EXPECT_EQ(run("HINCRBYFLOAT", "h", "huge", "1e4932"), "-ERR increment would produce NaN or Infinity");
  for (std::string bad : {"abc", " 1", "1 ", "1.5x", "", "nan"}) {
    EXPECT_EQ(run("HSET", "h", "bad" + bad, bad), ":1") << bad;
    EXPECT_EQ(run("HINCRBYFLOAT", "h", "bad" + bad, "1"), "-ERR hash value is not a float") << bad;
  }
}

TEST_F(Hashes, EncodingByEntryCount) {
  fill("h", 128);
  EXPECT_EQ(encoding("h"), "listpack");
  EXPECT_EQ(run("HSET", "h", "f0", "updated"), ":0");
  EXPECT_EQ(encoding("h"), "listpack");
  EXPECT_EQ(run("HSET", "h", "f128", "v"), ":1");
  EXPECT_EQ(encoding("h"), "hashtable");
  EXPECT_EQ(run("HGET", "h", "f0"), "\"updated\"");
  std::vector<std::string> args{"HDEL", "h"};
  for (int i = 0; i < 127; ++i) args.push_back("f" + std::to_string(i));
  EXPECT_EQ(cmd(args).integer, 127);
  EXPECT_EQ(run("HLEN", "h"), ":2");
  EXPECT_EQ(encoding("h"), "hashtable");  // never converts back

  // One HSET with 129 new fields converts too.
  fill("h2", 129);
  EXPECT_EQ(encoding("h2"), "hashtable");
  EXPECT_EQ(run("HLEN", "h2"), ":129");
  // HINCRBY / HSETNX adding the 129th field.
  fill("h3", 128);
  EXPECT_EQ(run("HINCRBY", "h3", "n", "1"), ":1");
  EXPECT_EQ(encoding("h3"), "hashtable");
  fill("h4", 128);
  EXPECT_EQ(run("HSETNX", "h4", "n", "1"), ":1");
  EXPECT_EQ(encoding("h4"), "hashtable");
}

TEST_F(Hashes, EncodingFollowsConfigSet) {
  EXPECT_EQ(run("CONFIG", "SET", "hash-max-listpack-entries", "4"), "+OK");
  EXPECT_EQ(run("CONFIG", "SET", "hash-max-listpack-value", "8"), "+OK");
  fill("h", 4);
  EXPECT_EQ(encoding("h"), "listpack");
  EXPECT_EQ(run("HSET", "h", "x", "y"), ":1");
  EXPECT_EQ(encoding("h"), "hashtable");
  EXPECT_EQ(run("HSET", "h2", "f", "123456789"), ":1");
  EXPECT_EQ(encoding("h2"), "hashtable");
  EXPECT_EQ(run("HSET", "h3", "f", "12345678"), ":1");
  EXPECT_EQ(encoding("h3"), "listpack");
  EXPECT_EQ(run("CONFIG", "SET", "hash-max-listpack-entries", "128"), "+OK");
  EXPECT_EQ(run("CONFIG", "SET", "hash-max-listpack-value", "64"), "+OK");
}

TEST_F(Hashes, EncodingByLength) {
  const std::string v64(64, 'v'), v65(65, 'v');
  EXPECT_EQ(run("HSET", "h", "f", v64, std::string(64, 'k'), "1"), ":2");
  EXPECT_EQ(encoding("h"), "listpack");
  EXPECT_EQ(run("HSET", "h", "f", v65), ":0");
  EXPECT_EQ(encoding("h"), "hashtable");
  EXPECT_EQ(cmd({"HGET", "h", "f"}).str, v65);
  EXPECT_EQ(cmd({"HGET", "h", std::string(64, 'k')}).str, "1");

  EXPECT_EQ(run("HSET", "h2", std::string(65, 'k'), "1"), ":1");
  EXPECT_EQ(encoding("h2"), "hashtable");
  EXPECT_EQ(run("HSETNX", "h3", "f", v65), ":1");
  EXPECT_EQ(encoding("h3"), "hashtable");
  EXPECT_EQ(run("HINCRBY", "h4", std::string(65, 'k'), "1"), ":1");
  EXPECT_EQ(encoding("h4"), "hashtable");
  EXPECT_EQ(run("HINCRBYFLOAT", "h5", std::string(65, 'k'), "1.5"), "\"1.5\"");
  EXPECT_EQ(encoding("h5"), "hashtable");
  EXPECT_EQ(run("HMSET", "h6", "a", "1", "b", v65), "+OK");
  EXPECT_EQ(encoding("h6"), "hashtable");
}

TEST_F(Hashes, HscanListpackReturnsEverythingAtOnce) {
  EXPECT_EQ(run("HSCAN", "nokey", "0"), "[\"0\", []]");
  EXPECT_EQ(run("HSET", "h", "a", "1", "b", "2", "ab", "3"), ":3");
  EXPECT_EQ(run("HSCAN", "h", "0"), "[\"0\", [\"a\", \"1\", \"b\", \"2\", \"ab\", \"3\"]]");
  EXPECT_EQ(run("HSCAN", "h", "0", "COUNT", "1"), "[\"0\", [\"a\", \"1\", \"b\", \"2\", \"ab\", \"3\"]]");
  EXPECT_EQ(run("HSCAN", "h", "0", "MATCH", "a*"), "[\"0\", [\"a\", \"1\", \"ab\", \"3\"]]");
  EXPECT_EQ(run("HSCAN", "h", "0", "match", "a*", "count", "100", "MATCH", "b"), "[\"0\", [\"b\", \"2\"]]");
  EXPECT_EQ(run("HSCAN", "h", "0", "MATCH", "zz"), "[\"0\", []]");

  EXPECT_EQ(run("HSCAN", "h", "x"), "-ERR invalid cursor");
  EXPECT_EQ(run("HSCAN", "h", "-1x"), "-ERR invalid cursor");
  EXPECT_EQ(run("HSCAN", "h", "0", "COUNT", "0"), kSyntax);
  EXPECT_EQ(run("HSCAN", "h", "0", "COUNT", "x"), kNotInteger);
  EXPECT_EQ(run("HSCAN", "h", "0", "MATCH"), kSyntax);
  EXPECT_EQ(run("HSCAN", "h", "0", "TYPE", "string"), kSyntax);
  EXPECT_EQ(run("HSCAN", "h", "0", "NOVALUES"), kSyntax);
  EXPECT_EQ(run("HSCAN", "nokey", "0", "COUNT", "0"), "[\"0\", []]");  // options are not read for a missing key
}

TEST_F(Hashes, HscanHashtableFullIteration) {
  fill("h", 1000);
  ASSERT_EQ(encoding("h"), "hashtable");
  for (const char* count : {"1", "10", "100", "5000"}) {
    std::map<std::string, std::string> seen;
    std::string cursor = "0";
    int calls = 0;
    do {
      Reply r = cmd({"HSCAN", "h", cursor, "COUNT", count});
      ASSERT_EQ(r.elements.size(), 2u);
      cursor = r.elements[0].str;
      for (auto& [f, v] : pairs(r.elements[1])) seen[f] = v;
      ++calls;
    } while (cursor != "0" && calls < 100000);
    ASSERT_EQ(seen.size(), 1000u) << count;
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(seen["f" + std::to_string(i)], "v" + std::to_string(i));
    if (std::string(count) == "1") {
      EXPECT_GT(calls, 10);
    }
  }
  // MATCH filters on the field name.
  std::set<std::string> matched;
  std::string cursor = "0";
  do {
    Reply r = cmd({"HSCAN", "h", cursor, "MATCH", "f9?", "COUNT", "50"});
    cursor = r.elements[0].str;
    for (auto& [f, v] : pairs(r.elements[1])) matched.insert(f);
  } while (cursor != "0");
  EXPECT_EQ(matched, (std::set<std::string>{"f90", "f91", "f92", "f93", "f94", "f95", "f96", "f97", "f98", "f99"}));
}

TEST_F(Hashes, HrandfieldWithoutCount) {
  EXPECT_EQ(run("HRANDFIELD", "nokey"), "(nil)");
  EXPECT_EQ(run("HSET", "h", "a", "1", "b", "2", "c", "3"), ":3");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(cmd({"HRANDFIELD", "h"}).str);
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b", "c"}));
}

TEST_F(Hashes, HrandfieldWithCount) {
  EXPECT_EQ(run("HRANDFIELD", "nokey", "5"), "[]");
  EXPECT_EQ(run("HRANDFIELD", "nokey", "-5", "WITHVALUES"), "[]");
  EXPECT_EQ(run("HRANDFIELD", "nokey", "x"), kNotInteger);
  EXPECT_EQ(run("HRANDFIELD", "nokey", "1", "foo"), kSyntax);
  EXPECT_EQ(run("HRANDFIELD", "nokey", "1", "WITHVALUES", "x"), kSyntax);
  EXPECT_EQ(run("HRANDFIELD", "nokey", "-9223372036854775808"),
            "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
  EXPECT_EQ(run("HRANDFIELD", "nokey", "-4611686018427387905", "WITHVALUES"), "-ERR value is out of range");
  EXPECT_EQ(run("HRANDFIELD", "nokey", "4611686018427387904", "WITHVALUES"), "-ERR value is out of range");

  for (int size : {5, 300}) {  // listpack, then hashtable
    SCOPED_TRACE(size);
    const std::string key = "h" + std::to_string(size);
    fill(key, size);
    EXPECT_EQ(run("HRANDFIELD", key, "0"), "[]");
    EXPECT_EQ(run("HRANDFIELD", key, "0", "WITHVALUES"), "[]");
    // Positive: distinct fields, at most the hash's size.
    for (int count : {1, 3, size - 1, size, size + 10}) {
      Reply r = cmd({"HRANDFIELD", key, std::to_string(count)});
      auto fields = r.strings();
      EXPECT_EQ(fields.size(), static_cast<size_t>(std::min(count, size)));
      EXPECT_EQ(std::set<std::string>(fields.begin(), fields.end()).size(), fields.size());
      Reply w = cmd({"HRANDFIELD", key, std::to_string(count), "withvalues"});
      auto m = pairs(w);
      EXPECT_EQ(m.size(), static_cast<size_t>(std::min(count, size)));
      for (auto& [f, v] : m) EXPECT_EQ("v" + f.substr(1), v);
    }
    // Negative: exactly |count| draws, repeats allowed.
    Reply r = cmd({"HRANDFIELD", key, "-100"});
    EXPECT_EQ(r.elements.size(), 100u);
    std::set<std::string> distinct;
    for (auto& f : r.strings()) distinct.insert(f);
    if (size == 5) {
      EXPECT_EQ(distinct.size(), 5u);
    }
    Reply w = cmd({"HRANDFIELD", key, "-50", "WITHVALUES"});
    ASSERT_EQ(w.elements.size(), 100u);
    for (size_t i = 0; i < 100; i += 2) EXPECT_EQ("v" + w.elements[i].str.substr(1), w.elements[i + 1].str);
  }
}

TEST_F(Hashes, Resp3ReplyShapes) {
  EXPECT_EQ(run("HSET", "h", "a", "1", "b", "2"), ":2");
  EXPECT_EQ(run("HSET", "one", "a", "1"), ":1");
  RawConnection raw(port());
  raw.send("HELLO 3\r\n");
  ASSERT_FALSE(raw.readUntil("proto\r\n:3\r\n").empty());
  raw.readAvailable(100);
  const std::string a1 = "$1\r\na\r\n$1\r\n1\r\n", b2 = "$1\r\nb\r\n$1\r\n2\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"HGETALL h", "%2\r\n" + a1 + b2},
      {"HGETALL nokey", "%0\r\n"},
      {"HKEYS h", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
      {"HGET h zz", "_\r\n"},
      {"HMGET h a zz", "*2\r\n$1\r\n1\r\n_\r\n"},
      {"HRANDFIELD nokey", "_\r\n"},
      {"HRANDFIELD nokey 3", "*0\r\n"},
      {"HRANDFIELD h 5 WITHVALUES", "*2\r\n*2\r\n" + a1 + "*2\r\n" + b2},
      {"HRANDFIELD one -3 WITHVALUES", "*3\r\n*2\r\n" + a1 + "*2\r\n" + a1 + "*2\r\n" + a1},
      {"HRANDFIELD one 1 WITHVALUES", "*1\r\n*2\r\n" + a1},
      {"HRANDFIELD one -2", "*2\r\n$1\r\na\r\n$1\r\na\r\n"},
      {"HSCAN h 0", "*2\r\n$1\r\n0\r\n*4\r\n" + a1 + b2},
      {"HINCRBYFLOAT h a 1.5", "$3\r\n2.5\r\n"},
  };
  for (const auto& [request, want] : cases) {
    raw.send(request + "\r\n");
    EXPECT_EQ(raw.readExactly(want.size()), want) << request;
  }
  EXPECT_EQ(raw.readAvailable(100), "");
}

TEST_F(Hashes, CommandInfo) {
  Reply r = cmd({"COMMAND", "INFO", "hset", "hget", "hrandfield", "hscan", "hdel"});
  ASSERT_EQ(r.elements.size(), 5u);
  EXPECT_EQ(r.elements[0].elements[1].integer, -4);
  EXPECT_EQ(r.elements[1].elements[1].integer, 3);
  EXPECT_EQ(r.elements[2].elements[1].integer, -2);
  EXPECT_EQ(r.elements[3].elements[1].integer, -3);
  EXPECT_EQ(r.elements[4].elements[1].integer, -3);
  EXPECT_EQ(sorted(r.elements[0].elements[2].strings()), sorted({"write", "denyoom", "fast"}));
  EXPECT_EQ(sorted(r.elements[1].elements[2].strings()), sorted({"readonly", "fast"}));
  EXPECT_EQ(sorted(r.elements[2].elements[2].strings()), sorted({"readonly"}));
  EXPECT_EQ(sorted(r.elements[4].elements[2].strings()), sorted({"write", "fast"}));
  for (const Reply& c : r.elements) EXPECT_EQ(c.elements[3].integer, 1);
}

}  // namespace
