// Integration tests for the set commands: SADD/SREM, SMEMBERS/SISMEMBER/
// SMISMEMBER/SCARD, SPOP and SRANDMEMBER (with and without count), SMOVE,
// SINTER/SUNION/SDIFF and their STORE forms, SINTERCARD, SSCAN, the
// intset -> hashtable conversion points, WRONGTYPE and the RESP3 reply shapes.
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

const std::string kPositive = "-ERR value is out of range, must be positive";

std::string arity(const std::string& name) { return "-ERR wrong number of arguments for '" + name + "' command"; }

class Sets : public SharedServerTest<Sets> {
 public:
  // Both default to 512; pinned so a changed default cannot skew the test.
  static std::vector<std::string> serverArgs() { return {"--set-max-intset-entries", "512"}; }

 protected:
  static std::string encoding(const std::string& key) { return cmd({"OBJECT", "ENCODING", key}).str; }

  // Sorted elements of an array (or set) reply.
  static std::vector<std::string> sorted(const Reply& r) {
    std::vector<std::string> v = r.strings();
    std::sort(v.begin(), v.end());
    return v;
  }
  static std::set<std::string> asSet(const Reply& r) {
    std::vector<std::string> v = r.strings();
    return {v.begin(), v.end()};
  }
  static std::vector<std::string> members(const std::string& key) { return sorted(cmd({"SMEMBERS", key})); }

  // SADD key prefix0..prefix<n-1> (or the integers from..from+n-1 when prefix is empty).
  static void fill(const std::string& key, int n, const std::string& prefix, int from = 0) {
    std::vector<std::string> args{"SADD", key};
    for (int i = 0; i < n; ++i) args.push_back(prefix + std::to_string(from + i));
    ASSERT_EQ(cmd(args).integer, n);
  }

  // A whole SSCAN iteration: the members seen (with repeats) and the calls made.
  static std::vector<std::string> sscanAll(const std::string& key, const std::vector<std::string>& extra,
                                           int* calls = nullptr) {
    std::vector<std::string> seen;
    std::string cursor = "0";
    int n = 0;
    do {
      std::vector<std::string> args{"SSCAN", key, cursor};
      args.insert(args.end(), extra.begin(), extra.end());
      Reply r = cmd(args);
      EXPECT_EQ(r.type, Reply::Type::Array) << show(r);
      if (r.type != Reply::Type::Array || r.elements.size() != 2) break;
      cursor = r.elements[0].str;
      for (const auto& m : r.elements[1].elements) seen.push_back(m.str);
      ++n;
    } while (cursor != "0" && n < 100000);
    if (calls) *calls = n;
    return seen;
  }
};

using V = std::vector<std::string>;

TEST_F(Sets, SaddSremAndMembership) {
  EXPECT_EQ(run("SADD", "s", "a", "b", "c"), ":3");
  EXPECT_EQ(run("SADD", "s", "a", "d", "d"), ":1");  // repeats count once
  EXPECT_EQ(run("SCARD", "s"), ":4");
  EXPECT_EQ(run("TYPE", "s"), "+set");
  EXPECT_EQ(members("s"), (V{"a", "b", "c", "d"}));
  EXPECT_EQ(run("SISMEMBER", "s", "a"), ":1");
  EXPECT_EQ(run("SISMEMBER", "s", "z"), ":0");
  EXPECT_EQ(run("SISMEMBER", "missing", "a"), ":0");
  EXPECT_EQ(run("SMISMEMBER", "s", "a", "z", "d", "a"), "[:1, :0, :1, :1]");
  EXPECT_EQ(run("SMISMEMBER", "missing", "a", "b"), "[:0, :0]");
  EXPECT_EQ(run("SCARD", "missing"), ":0");
  EXPECT_EQ(run("SMEMBERS", "missing"), "[]");

  // Binary-safe members, the empty member included.
  EXPECT_EQ(run("SADD", "bin", "", std::string("a\0b", 3), "\r\n"), ":3");
  EXPECT_EQ(run("SISMEMBER", "bin", ""), ":1");
  EXPECT_EQ(run("SISMEMBER", "bin", std::string("a\0b", 3)), ":1");
  EXPECT_EQ(run("SISMEMBER", "bin", "a"), ":0");
  EXPECT_EQ(members("bin"), (V{"", "\r\n", std::string("a\0b", 3)}));

  EXPECT_EQ(run("SREM", "s", "a", "z", "a"), ":1");
  EXPECT_EQ(run("SREM", "missing", "a"), ":0");
  EXPECT_EQ(members("s"), (V{"b", "c", "d"}));
  // Removing the last member deletes the key.
  EXPECT_EQ(run("SREM", "s", "b", "c", "d"), ":3");
  EXPECT_EQ(run("EXISTS", "s"), ":0");
  EXPECT_EQ(run("TYPE", "s"), "+none");

  EXPECT_EQ(run("SADD", "s"), arity("sadd"));
  EXPECT_EQ(run("SREM", "s"), arity("srem"));
  EXPECT_EQ(run("SISMEMBER", "s"), arity("sismember"));
  EXPECT_EQ(run("SMISMEMBER", "s"), arity("smismember"));
  EXPECT_EQ(run("SCARD"), arity("scard"));
  EXPECT_EQ(run("SMEMBERS"), arity("smembers"));
}

TEST_F(Sets, Spop) {
  EXPECT_EQ(run("SPOP", "missing"), "(nil)");
  EXPECT_EQ(run("SPOP", "missing", "3"), "[]");
  EXPECT_EQ(run("SPOP", "missing", "0"), "[]");

  fill("s", 10, "m");
  const std::set<std::string> all = [] {
    std::set<std::string> s;
    for (int i = 0; i < 10; ++i) s.insert("m" + std::to_string(i));
    return s;
  }();
  // Without a count: one member, removed.
  Reply one = cmd({"SPOP", "s"});
  ASSERT_EQ(one.type, Reply::Type::String) << show(one);
  EXPECT_TRUE(all.count(one.str));
  EXPECT_EQ(run("SISMEMBER", "s", one.str), ":0");
  EXPECT_EQ(run("SCARD", "s"), ":9");

  // Count 0: nothing, even on an existing set.
  EXPECT_EQ(run("SPOP", "s", "0"), "[]");
  EXPECT_EQ(run("SCARD", "s"), ":9");

  // A count below the size: that many distinct members, all removed.
  Reply three = cmd({"SPOP", "s", "3"});
  ASSERT_EQ(three.type, Reply::Type::Array) << show(three);
  std::set<std::string> popped = asSet(three);
  EXPECT_EQ(popped.size(), 3u);
  for (const auto& m : popped) {
    EXPECT_TRUE(all.count(m)) << m;
    EXPECT_NE(m, one.str);
    EXPECT_EQ(run("SISMEMBER", "s", m), ":0");
  }
  EXPECT_EQ(run("SCARD", "s"), ":6");

  // A count at or above the size pops the whole set and deletes the key.
  Reply rest = cmd({"SPOP", "s", "100"});
  ASSERT_EQ(rest.type, Reply::Type::Array) << show(rest);
  EXPECT_EQ(rest.elements.size(), 6u);
  std::set<std::string> everything = asSet(rest);
  everything.insert(popped.begin(), popped.end());
  everything.insert(one.str);
  EXPECT_EQ(everything, all);
  EXPECT_EQ(run("EXISTS", "s"), ":0");

  // Popping most of a large set (Redis switches strategy past 5x; same result).
  fill("big", 300, "");
  Reply most = cmd({"SPOP", "big", "290"});
  EXPECT_EQ(asSet(most).size(), 290u);
  EXPECT_EQ(run("SCARD", "big"), ":10");
  for (const auto& m : most.strings()) ASSERT_EQ(run("SISMEMBER", "big", m), ":0") << m;

  // Count errors.
  EXPECT_EQ(run("SADD", "s", "a"), ":1");
  EXPECT_EQ(run("SPOP", "s", "-1"), kPositive);
  EXPECT_EQ(run("SPOP", "s", "abc"), kPositive);
  EXPECT_EQ(run("SPOP", "missing", "-1"), kPositive);  // checked before the lookup
  EXPECT_EQ(run("SPOP", "s", "1", "2"), kSyntax);
  EXPECT_EQ(run("SPOP"), arity("spop"));
  EXPECT_EQ(run("SCARD", "s"), ":1");
}

TEST_F(Sets, Srandmember) {
  EXPECT_EQ(run("SRANDMEMBER", "missing"), "(nil)");
  EXPECT_EQ(run("SRANDMEMBER", "missing", "3"), "[]");
  EXPECT_EQ(run("SRANDMEMBER", "missing", "-3"), "[]");

  fill("s", 20, "m");
  Reply one = cmd({"SRANDMEMBER", "s"});
  ASSERT_EQ(one.type, Reply::Type::String);
  EXPECT_EQ(run("SISMEMBER", "s", one.str), ":1");
  EXPECT_EQ(run("SRANDMEMBER", "s", "0"), "[]");

  // Positive count: distinct members, at most the whole set; nothing removed.
  for (const char* n : {"1", "5", "15", "19"}) {
    Reply r = cmd({"SRANDMEMBER", "s", n});
    ASSERT_EQ(r.type, Reply::Type::Array) << show(r);
    EXPECT_EQ(r.elements.size(), static_cast<size_t>(std::stoi(n))) << n;
    std::set<std::string> distinct = asSet(r);
    EXPECT_EQ(distinct.size(), r.elements.size()) << n;
    for (const auto& m : distinct) EXPECT_EQ(run("SISMEMBER", "s", m), ":1") << m;
  }
  EXPECT_EQ(sorted(cmd({"SRANDMEMBER", "s", "20"})), members("s"));
  EXPECT_EQ(sorted(cmd({"SRANDMEMBER", "s", "1000"})), members("s"));
  EXPECT_EQ(run("SCARD", "s"), ":20");

  // Negative count: exactly |count| members, repeats allowed.
  Reply neg = cmd({"SRANDMEMBER", "s", "-50"});
  ASSERT_EQ(neg.type, Reply::Type::Array);
  EXPECT_EQ(neg.elements.size(), 50u);
  std::set<std::string> distinct = asSet(neg);
  EXPECT_LT(distinct.size(), 50u);  // 50 draws from 20 members must repeat
  for (const auto& m : distinct) EXPECT_EQ(run("SISMEMBER", "s", m), ":1") << m;
  EXPECT_EQ(run("SADD", "single", "x"), ":1");
  EXPECT_EQ(run("SRANDMEMBER", "single", "-3"), "[\"x\", \"x\", \"x\"]");
  EXPECT_EQ(run("SRANDMEMBER", "single", "3"), "[\"x\"]");

  EXPECT_EQ(run("SRANDMEMBER", "s", "abc"), kNotInteger);
  EXPECT_EQ(run("SRANDMEMBER", "s", "-9223372036854775808"),
            "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
  EXPECT_EQ(run("SRANDMEMBER", "s", "1", "2"), kSyntax);
  EXPECT_EQ(run("SRANDMEMBER"), arity("srandmember"));
}

TEST_F(Sets, Smove) {
  EXPECT_EQ(run("SADD", "src", "a", "b"), ":2");
  EXPECT_EQ(run("SADD", "dst", "c"), ":1");
  EXPECT_EQ(run("SMOVE", "src", "dst", "a"), ":1");
  EXPECT_EQ(members("src"), (V{"b"}));
  EXPECT_EQ(members("dst"), (V{"a", "c"}));
  EXPECT_EQ(run("SMOVE", "src", "dst", "zz"), ":0");
  EXPECT_EQ(run("SMOVE", "missing", "dst", "a"), ":0");
  // Already in the destination: removed from the source only.
  EXPECT_EQ(run("SADD", "src", "c"), ":1");
  EXPECT_EQ(run("SMOVE", "src", "dst", "c"), ":1");
  EXPECT_EQ(members("src"), (V{"b"}));
  EXPECT_EQ(members("dst"), (V{"a", "c"}));
  // Moving the last member deletes the source; a missing destination is created.
  EXPECT_EQ(run("SMOVE", "src", "new", "b"), ":1");
  EXPECT_EQ(run("EXISTS", "src"), ":0");
  EXPECT_EQ(members("new"), (V{"b"}));
  // Same source and destination: 1 if the member is there, nothing changes.
  EXPECT_EQ(run("SMOVE", "dst", "dst", "a"), ":1");
  EXPECT_EQ(run("SMOVE", "dst", "dst", "zz"), ":0");
  EXPECT_EQ(members("dst"), (V{"a", "c"}));

  // Type errors: a string source or destination; a missing source returns 0 first.
  EXPECT_EQ(run("SET", "str", "v"), "+OK");
  EXPECT_EQ(run("SMOVE", "str", "dst", "a"), kWrongType);
  EXPECT_EQ(run("SMOVE", "dst", "str", "a"), kWrongType);
  EXPECT_EQ(run("SMOVE", "dst", "str", "zz"), kWrongType);
  EXPECT_EQ(run("SMOVE", "missing", "str", "a"), ":0");
  EXPECT_EQ(members("dst"), (V{"a", "c"}));
  EXPECT_EQ(run("GET", "str"), "\"v\"");
  EXPECT_EQ(run("SMOVE", "a", "b"), arity("smove"));
}

TEST_F(Sets, InterUnionDiff) {
  EXPECT_EQ(run("SADD", "a", "1", "2", "3", "x"), ":4");
  EXPECT_EQ(run("SADD", "b", "2", "3", "4", "x", "y"), ":5");
  EXPECT_EQ(run("SADD", "c", "3", "x", "z"), ":3");

  EXPECT_EQ(sorted(cmd({"SINTER", "a", "b"})), (V{"2", "3", "x"}));
  EXPECT_EQ(sorted(cmd({"SINTER", "a", "b", "c"})), (V{"3", "x"}));
  EXPECT_EQ(sorted(cmd({"SINTER", "a"})), (V{"1", "2", "3", "x"}));
  EXPECT_EQ(run("SINTER", "a", "missing"), "[]");
  EXPECT_EQ(run("SINTER", "missing", "a"), "[]");

  EXPECT_EQ(sorted(cmd({"SUNION", "a", "b", "c"})), (V{"1", "2", "3", "4", "x", "y", "z"}));
  EXPECT_EQ(sorted(cmd({"SUNION", "a", "missing"})), (V{"1", "2", "3", "x"}));
  EXPECT_EQ(run("SUNION", "missing"), "[]");

  EXPECT_EQ(sorted(cmd({"SDIFF", "a", "b"})), (V{"1"}));
  EXPECT_EQ(sorted(cmd({"SDIFF", "b", "a", "c"})), (V{"4", "y"}));
  EXPECT_EQ(sorted(cmd({"SDIFF", "a", "missing"})), (V{"1", "2", "3", "x"}));
  EXPECT_EQ(run("SDIFF", "missing", "a"), "[]");
  EXPECT_EQ(run("SDIFF", "a", "a"), "[]");

  // A key of another type is an error anywhere in the list, even after a missing key.
  EXPECT_EQ(run("SET", "str", "v"), "+OK");
  for (const char* op : {"SINTER", "SUNION", "SDIFF"}) {
    EXPECT_EQ(run(op, "a", "str"), kWrongType) << op;
    EXPECT_EQ(run(op, "str", "a"), kWrongType) << op;
  }
  EXPECT_EQ(run("SUNION", "missing", "str"), kWrongType);
  EXPECT_EQ(run("SINTER"), arity("sinter"));
  EXPECT_EQ(run("SUNION"), arity("sunion"));
  EXPECT_EQ(run("SDIFF"), arity("sdiff"));
}

TEST_F(Sets, StoreForms) {
  EXPECT_EQ(run("SADD", "a", "1", "2", "3", "x"), ":4");
  EXPECT_EQ(run("SADD", "b", "2", "3", "4", "x"), ":4");

  EXPECT_EQ(run("SINTERSTORE", "d", "a", "b"), ":3");
  EXPECT_EQ(members("d"), (V{"2", "3", "x"}));
  EXPECT_EQ(run("SUNIONSTORE", "d", "a", "b"), ":5");
  EXPECT_EQ(members("d"), (V{"1", "2", "3", "4", "x"}));
  EXPECT_EQ(run("SDIFFSTORE", "d", "a", "b"), ":1");
  EXPECT_EQ(members("d"), (V{"1"}));
  // The destination may be one of the sources.
  EXPECT_EQ(run("SUNIONSTORE", "a", "a", "b"), ":5");
  EXPECT_EQ(members("a"), (V{"1", "2", "3", "4", "x"}));

  // Over an existing key of another type (and its TTL): replaced by the set.
  EXPECT_EQ(run("SET", "str", "v", "EX", "100"), "+OK");
  EXPECT_EQ(run("SINTERSTORE", "str", "a", "b"), ":4");
  EXPECT_EQ(run("TYPE", "str"), "+set");
  EXPECT_EQ(run("TTL", "str"), ":-1");
  EXPECT_EQ(run("RPUSH", "list", "e"), ":1");
  EXPECT_EQ(run("SUNIONSTORE", "list", "b"), ":4");
  EXPECT_EQ(run("TYPE", "list"), "+set");
  EXPECT_EQ(run("HSET", "hash", "f", "v"), ":1");
  EXPECT_EQ(run("SDIFFSTORE", "hash", "a", "b"), ":1");
  EXPECT_EQ(members("hash"), (V{"1"}));

  // An empty result deletes the destination, whatever it held.
  EXPECT_EQ(run("SET", "d2", "v"), "+OK");
  EXPECT_EQ(run("SINTERSTORE", "d2", "a", "missing"), ":0");
  EXPECT_EQ(run("EXISTS", "d2"), ":0");
  EXPECT_EQ(run("SUNIONSTORE", "d", "missing"), ":0");
  EXPECT_EQ(run("EXISTS", "d"), ":0");
  EXPECT_EQ(run("SADD", "d", "q"), ":1");
  EXPECT_EQ(run("SDIFFSTORE", "d", "a", "a"), ":0");
  EXPECT_EQ(run("EXISTS", "d"), ":0");

  // A source of the wrong type: error, destination untouched.
  EXPECT_EQ(run("SET", "s", "v"), "+OK");
  EXPECT_EQ(run("SADD", "keep", "k"), ":1");
  for (const char* op : {"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}) {
    EXPECT_EQ(run(op, "keep", "a", "s"), kWrongType) << op;
  }
  EXPECT_EQ(members("keep"), (V{"k"}));
  EXPECT_EQ(run("SINTERSTORE", "d"), arity("sinterstore"));
  EXPECT_EQ(run("SUNIONSTORE", "d"), arity("sunionstore"));
  EXPECT_EQ(run("SDIFFSTORE", "d"), arity("sdiffstore"));
}

TEST_F(Sets, Sintercard) {
  EXPECT_EQ(run("SADD", "a", "1", "2", "3", "4", "x"), ":5");
  EXPECT_EQ(run("SADD", "b", "2", "3", "4", "x", "y"), ":5");
  EXPECT_EQ(run("SINTERCARD", "1", "a"), ":5");
  EXPECT_EQ(run("SINTERCARD", "2", "a", "b"), ":4");
  EXPECT_EQ(run("SINTERCARD", "2", "a", "missing"), ":0");
  EXPECT_EQ(run("SINTERCARD", "2", "a", "b", "LIMIT", "2"), ":2");
  EXPECT_EQ(run("SINTERCARD", "2", "a", "b", "limit", "0"), ":4");  // 0: no limit
  EXPECT_EQ(run("SINTERCARD", "2", "a", "b", "LIMIT", "100"), ":4");
  EXPECT_EQ(run("SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "3"), ":3");  // last wins

  EXPECT_EQ(run("SINTERCARD", "0", "a"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(run("SINTERCARD", "-1", "a"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(run("SINTERCARD", "abc", "a"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(run("SINTERCARD", "3", "a", "b"), "-ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(run("SINTERCARD", "2", "a", "b", "LIMIT", "-1"), "-ERR LIMIT can't be negative");
  EXPECT_EQ(run("SINTERCARD", "2", "a", "b", "LIMIT", "x"), "-ERR LIMIT can't be negative");
  EXPECT_EQ(run("SINTERCARD", "2", "a", "b", "LIMIT"), kSyntax);
  EXPECT_EQ(run("SINTERCARD", "1", "a", "b"), kSyntax);
  EXPECT_EQ(run("SET", "s", "v"), "+OK");
  EXPECT_EQ(run("SINTERCARD", "2", "a", "s"), kWrongType);
  EXPECT_EQ(run("SINTERCARD", "1"), arity("sintercard"));
}

TEST_F(Sets, Sscan) {
  EXPECT_EQ(run("SSCAN", "missing", "0"), "[\"0\", []]");
  EXPECT_EQ(run("SADD", "small", "a", "b", "ab", "c"), ":4");
  auto scanSorted = [](const std::vector<std::string>& extra) {
    std::vector<std::string> v = sscanAll("small", extra);
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(scanSorted({}), (V{"a", "ab", "b", "c"}));
  EXPECT_EQ(scanSorted({"COUNT", "1"}), (V{"a", "ab", "b", "c"}));
  EXPECT_EQ(scanSorted({"MATCH", "a*"}), (V{"a", "ab"}));
  EXPECT_EQ(scanSorted({"match", "?", "count", "2"}), (V{"a", "b", "c"}));
  EXPECT_EQ(scanSorted({"MATCH", "[bc]", "COUNT", "10"}), (V{"b", "c"}));
  EXPECT_EQ(scanSorted({"MATCH", "zz*"}), V{});
  EXPECT_EQ(scanSorted({"COUNT", "1", "COUNT", "100"}), (V{"a", "ab", "b", "c"}));

  // A large hashtable set: a full iteration returns every member (exactly once
  // here, as the set does not change), in several calls.
  fill("big", 2000, "member:");
  EXPECT_EQ(encoding("big"), "hashtable");
  int calls = 0;
  std::vector<std::string> seen = sscanAll("big", {"COUNT", "10"}, &calls);
  EXPECT_GT(calls, 10);
  std::set<std::string> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), 2000u);
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_TRUE(distinct.count("member:0"));
  EXPECT_TRUE(distinct.count("member:1999"));
  // With MATCH: only matching members, still across the whole set.
  std::vector<std::string> matched = sscanAll("big", {"MATCH", "member:1?", "COUNT", "50"});
  EXPECT_EQ(std::set<std::string>(matched.begin(), matched.end()),
            (std::set<std::string>{"member:10", "member:11", "member:12", "member:13", "member:14", "member:15",
                                   "member:16", "member:17", "member:18", "member:19"}));
  // A large intset is returned whole.
  fill("ints", 300, "");
  EXPECT_EQ(encoding("ints"), "intset");
  Reply ints = cmd({"SSCAN", "ints", "0", "COUNT", "5"});
  EXPECT_EQ(ints.elements[0].str, "0");
  EXPECT_EQ(ints.elements[1].elements.size(), 300u);

  EXPECT_EQ(run("SSCAN", "small", "abc"), "-ERR invalid cursor");
  EXPECT_EQ(run("SSCAN", "small", "0", "COUNT", "0"), kSyntax);
  EXPECT_EQ(run("SSCAN", "small", "0", "COUNT", "x"), kNotInteger);
  EXPECT_EQ(run("SSCAN", "small", "0", "MATCH"), kSyntax);
  EXPECT_EQ(run("SSCAN", "small", "0", "FOO", "1"), kSyntax);
  EXPECT_EQ(run("SET", "str", "v"), "+OK");
  EXPECT_EQ(run("SSCAN", "str", "0"), kWrongType);
  EXPECT_EQ(run("SSCAN", "small"), arity("sscan"));
}

TEST_F(Sets, IntsetToHashtableConversion) {
  // Integers only: intset, members in ascending order.
  EXPECT_EQ(run("SADD", "s", "3", "-1", "2", "9223372036854775807", "-9223372036854775808"), ":5");
  EXPECT_EQ(encoding("s"), "intset");
  EXPECT_EQ(cmd({"SMEMBERS", "s"}).strings(),
            (V{"-9223372036854775808", "-1", "2", "3", "9223372036854775807"}));
  // Anything that is not a canonical 64-bit integer converts the set.
  for (const char* m : {"a", "9223372036854775808", " 1", "01", "-0", "1.0", "+1", ""}) {
    EXPECT_EQ(run("DEL", "t"), ":0");
    EXPECT_EQ(run("SADD", "t", "1", m), ":2") << m;
    EXPECT_EQ(encoding("t"), "hashtable") << m;
    EXPECT_EQ(run("DEL", "t"), ":1");
  }
  // Converted sets do not go back when the non-integers leave.
  EXPECT_EQ(run("SADD", "s", "x"), ":1");
  EXPECT_EQ(encoding("s"), "hashtable");
  EXPECT_EQ(run("SREM", "s", "x"), ":1");
  EXPECT_EQ(encoding("s"), "hashtable");
  EXPECT_EQ(run("SISMEMBER", "s", "2"), ":1");

  // More than set-max-intset-entries integers convert too.
  EXPECT_EQ(run("CONFIG", "SET", "set-max-intset-entries", "4"), "+OK");
  EXPECT_EQ(run("SADD", "n", "1", "2", "3", "4"), ":4");
  EXPECT_EQ(encoding("n"), "intset");
  EXPECT_EQ(run("SADD", "n", "5"), ":1");
  EXPECT_EQ(encoding("n"), "hashtable");
  EXPECT_EQ(members("n"), (V{"1", "2", "3", "4", "5"}));
  // STORE results and SMOVE destinations follow the same rules.
  EXPECT_EQ(run("SADD", "i1", "1", "2", "3"), ":3");
  EXPECT_EQ(run("SADD", "i2", "3", "4", "5"), ":3");
  EXPECT_EQ(run("SINTERSTORE", "r", "i1", "i2"), ":1");
  EXPECT_EQ(encoding("r"), "intset");
  EXPECT_EQ(run("SUNIONSTORE", "r", "i1", "i2"), ":5");
  EXPECT_EQ(encoding("r"), "hashtable");
  EXPECT_EQ(run("SADD", "w", "word"), ":1");
  EXPECT_EQ(run("SMOVE", "w", "i1", "word"), ":1");
  EXPECT_EQ(encoding("i1"), "hashtable");
  EXPECT_EQ(run("CONFIG", "SET", "set-max-intset-entries", "512"), "+OK");
  EXPECT_EQ(run("CONFIG", "GET", "set-max-intset-entries"), "[\"set-max-intset-entries\", \"512\"]");

  // Exactly at the default limit: still an intset; one more converts.
  fill("lim", 512, "");
  EXPECT_EQ(encoding("lim"), "intset");
  EXPECT_EQ(run("SADD", "lim", "100000"), ":1");
  EXPECT_EQ(encoding("lim"), "hashtable");
  EXPECT_EQ(run("SCARD", "lim"), ":513");
}

TEST_F(Sets, WrongType) {
  EXPECT_EQ(run("SET", "str", "v"), "+OK");
  EXPECT_EQ(run("RPUSH", "list", "a"), ":1");
  EXPECT_EQ(run("HSET", "hash", "f", "v"), ":1");
  for (const std::string k : {"str", "list", "hash"}) {
    for (const std::vector<std::string>& c : std::vector<std::vector<std::string>>{
             {"SADD", k, "a"}, {"SREM", k, "a"}, {"SMEMBERS", k}, {"SISMEMBER", k, "a"},
             {"SMISMEMBER", k, "a"}, {"SCARD", k}, {"SPOP", k}, {"SPOP", k, "2"}, {"SRANDMEMBER", k},
             {"SRANDMEMBER", k, "-2"}, {"SINTER", k}, {"SUNION", k}, {"SDIFF", k},
             {"SINTERCARD", "1", k}, {"SSCAN", k, "0"}}) {
      EXPECT_EQ(show(cmd(c)), kWrongType) << c[0] << " " << k;
    }
  }
  // Nothing changed.
  EXPECT_EQ(run("GET", "str"), "\"v\"");
  EXPECT_EQ(run("LRANGE", "list", "0", "-1"), "[\"a\"]");
  EXPECT_EQ(run("HGET", "hash", "f"), "\"v\"");
  // Set keys are wrong for the other families.
  EXPECT_EQ(run("SADD", "s", "a"), ":1");
  EXPECT_EQ(run("GET", "s"), kWrongType);
  EXPECT_EQ(run("LPUSH", "s", "a"), kWrongType);
  EXPECT_EQ(run("HGET", "s", "a"), kWrongType);
  EXPECT_EQ(run("MGET", "s"), "[(nil)]");
}

TEST_F(Sets, Resp3ReplyShapes) {
  EXPECT_EQ(run("SADD", "s", "a"), ":1");
  EXPECT_EQ(run("SADD", "ints", "1", "2"), ":2");
  RawConnection raw(port());
  raw.send("HELLO 3\r\n");
  ASSERT_FALSE(raw.readUntil("proto\r\n:3\r\n").empty());
  raw.readAvailable(100);
  const std::string a = "$1\r\na\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"SMEMBERS s", "~1\r\n" + a},
      {"SMEMBERS ints", "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
      {"SMEMBERS nokey", "~0\r\n"},
      {"SINTER s s", "~1\r\n" + a},
      {"SUNION s nokey", "~1\r\n" + a},
      {"SDIFF s nokey", "~1\r\n" + a},
      {"SINTER s nokey", "~0\r\n"},
      {"SMISMEMBER s a z", "*2\r\n:1\r\n:0\r\n"},
      {"SISMEMBER s a", ":1\r\n"},
      {"SPOP nokey", "_\r\n"},
      {"SPOP nokey 2", "~0\r\n"},
      {"SPOP s 0", "~0\r\n"},
      {"SRANDMEMBER nokey", "_\r\n"},
      {"SRANDMEMBER nokey 2", "*0\r\n"},
      {"SRANDMEMBER s 2", "*1\r\n" + a},
      {"SRANDMEMBER s -2", "*2\r\n" + a + a},
      {"SSCAN s 0", "*2\r\n$1\r\n0\r\n*1\r\n" + a},
      {"SINTERCARD 1 s", ":1\r\n"},
      {"SPOP s 5", "~1\r\n" + a},
  };
  for (const auto& [request, want] : cases) {
    raw.send(request + "\r\n");
    EXPECT_EQ(raw.readExactly(want.size()), want) << request;
  }
  EXPECT_EQ(raw.readAvailable(100), "");

  // Random replies: check the type and size (members of one byte: 7 bytes each).
  raw.send("SADD t x y z\r\n");
  EXPECT_EQ(raw.readExactly(4), ":3\r\n");
  raw.send("SMEMBERS t\r\n");
  EXPECT_EQ(raw.readExactly(4 + 3 * 7).substr(0, 4), "~3\r\n");
  raw.send("SPOP t 2\r\n");
  EXPECT_EQ(raw.readExactly(4 + 2 * 7).substr(0, 4), "~2\r\n");
  raw.send("SRANDMEMBER t 1\r\n");
  EXPECT_EQ(raw.readExactly(4 + 7).substr(0, 4), "*1\r\n");
  EXPECT_EQ(raw.readAvailable(100), "");
}

}  // namespace
