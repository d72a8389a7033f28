// Integration tests for the sorted-set commands: ZADD (every flag and its
// errors), ZINCRBY, ZREM, ZSCORE/ZMSCORE, ZCARD/ZCOUNT/ZLEXCOUNT, ZRANK/
// ZREVRANK, the ZRANGE family (BYSCORE/BYLEX/REV/LIMIT/WITHSCORES and the
// legacy commands), ZRANGESTORE, the range removals, ZPOPMIN/ZPOPMAX/ZMPOP,
// ZUNION/ZINTER/ZDIFF and their STORE forms (sets as inputs, WEIGHTS,
// AGGREGATE), ZINTERCARD, ZRANDMEMBER, ZSCAN, WRONGTYPE, the listpack <->
// skiplist encoding rules and the RESP3 reply shapes.
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
using erdtree::itest::Client;
using erdtree::itest::RawConnection;
using erdtree::itest::Reply;
using erdtree::itest::SharedServerTest;
using erdtree::itest::show;
using erdtree::itest::strCat;

const std::string kNotFloat = "-ERR value is not a valid float";
const std::string kMinMaxFloat = "-ERR min or max is not a float";
const std::string kMinMaxLex = "-ERR min or max not valid string range item";

class ZSets : public SharedServerTest<ZSets> {
 public:
  static std::vector<std::string> serverArgs() {
    return {"--zset-max-listpack-entries", "128", "--zset-max-listpack-value", "64"};
  }

 protected:
  void TearDown() override {
    // Tests that lower the limits put them back for the next one.
    client_->cmd({"CONFIG", "SET", "zset-max-listpack-entries", "128"});
    client_->cmd({"CONFIG", "SET", "zset-max-listpack-value", "64"});
  }
  static std::string encoding(const std::string& key) { return cmd({"OBJECT", "ENCODING", key}).str; }
  // Adds members m0..m<n-1> with scores 0..n-1.
  static void fill(const std::string& key, int n) {
    std::vector<std::string> args{"ZADD", key};
    for (int i = 0; i < n; ++i) {
      args.push_back(std::to_string(i));
      args.push_back("m" + std::to_string(i));
    }
    ASSERT_EQ(cmd(args).integer, n);
  }
  // Sends request lines on a RESP3 connection and expects the raw replies.
  static void expectResp3(const std::vector<std::pair<std::string, std::string>>& cases) {
    RawConnection raw(port());
    raw.send("HELLO 3\r\n");
    ASSERT_FALSE(raw.readUntil("proto\r\n:3\r\n").empty());
    raw.readAvailable(100);
    for (const auto& [request, want] : cases) {
      raw.send(request + "\r\n");
      EXPECT_EQ(raw.readExactly(want.size()), want) << request;
    }
    EXPECT_EQ(raw.readAvailable(100), "");
  }
};

TEST_F(ZSets, ZaddBasicsAndScoreFormatting) {
  EXPECT_EQ(run("ZADD", "z", "1", "a", "2", "b", "3", "c"), ":3");
  EXPECT_EQ(run("ZADD", "z", "0.1", "d", "1e100", "e", "-0.0", "f", "inf", "g", "-inf", "h"), ":5");
  EXPECT_EQ(run("ZADD", "z", "5", "a"), ":0");
  EXPECT_EQ(run("TYPE", "z"), "+zset");
  EXPECT_EQ(run("ZCARD", "z"), ":8");
  EXPECT_EQ(run("ZCARD", "nokey"), ":0");
  EXPECT_EQ(run("ZRANGE", "z", "0", "-1", "WITHSCORES"),
            "[\"h\", \"-inf\", \"f\", \"0\", \"d\", \"0.10000000000000001\", \"b\", \"2\", \"c\", \"3\", \"a\", "
            "\"5\", \"e\", \"1e+100\", \"g\", \"inf\"]");
  EXPECT_EQ(run("ZSCORE", "z", "d"), "\"0.10000000000000001\"");
  EXPECT_EQ(run("ZSCORE", "z", "f"), "\"0\"");  // a listpack keeps -0 as 0
  EXPECT_EQ(run("ZSCORE", "z", "nope"), "(nil)");
  EXPECT_EQ(run("ZSCORE", "nokey", "a"), "(nil)");
  EXPECT_EQ(run("ZMSCORE", "z", "a", "nope", "g"), "[\"5\", (nil), \"inf\"]");
  EXPECT_EQ(run("ZMSCORE", "nokey", "a"), "[(nil)]");
  EXPECT_EQ(run("ZADD", "z", "abc", "x"), kNotFloat);
  EXPECT_EQ(run("ZADD", "z", "nan", "x"), kNotFloat);
  EXPECT_EQ(run("ZADD", "z", "1", "x", "2"), kSyntax);
  EXPECT_EQ(run("ZADD", "z", "1"), "-ERR wrong number of arguments for 'zadd' command");
  EXPECT_EQ(run("ZADD", "z", "NX"), "-ERR wrong number of arguments for 'zadd' command");
  EXPECT_EQ(run("ZADD", "z", "NX", "XX", "1"), kSyntax);

  const std::string member("a\0b\r\n", 5);
  EXPECT_EQ(cmd({"ZADD", "bin", "1", member}).integer, 1);
  EXPECT_EQ(cmd({"ZRANGE", "bin", "0", "-1"}).elements.at(0).str, member);
}

TEST_F(ZSets, ZaddFlags) {
  EXPECT_EQ(run("ZADD", "z", "1", "a", "2", "b"), ":2");
  EXPECT_EQ(run("ZADD", "z", "XX", "NX", "1", "a"), "-ERR XX and NX options at the same time are not compatible");
  EXPECT_EQ(run("ZADD", "z", "GT", "LT", "1", "a"),
            "-ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(run("ZADD", "z", "NX", "GT", "1", "a"),
            "-ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(run("ZADD", "z", "INCR", "1", "a", "2", "b"), "-ERR INCR option supports a single increment-element pair");
  EXPECT_EQ(run("ZADD", "z", "NX", "10", "a", "3", "c"), ":1");
  EXPECT_EQ(run("ZSCORE", "z", "a"), "\"1\"");
  EXPECT_EQ(run("ZADD", "z", "XX", "10", "a", "4", "d"), ":0");
  EXPECT_EQ(run("ZSCORE", "z", "a"), "\"10\"");
  EXPECT_EQ(run("ZSCORE", "z", "d"), "(nil)");
  EXPECT_EQ(run("ZADD", "z", "CH", "11", "a", "2", "b", "5", "e"), ":2");  // a changed, e added, b unchanged
  EXPECT_EQ(run("ZADD", "z", "GT", "CH", "5", "a", "20", "b"), ":1");
  EXPECT_EQ(run("ZRANGE", "z", "0", "-1", "WITHSCORES"), "[\"c\", \"3\", \"e\", \"5\", \"a\", \"11\", \"b\", \"20\"]");
  EXPECT_EQ(run("ZADD", "z", "LT", "CH", "5", "a", "30", "b", "1", "new"), ":2");
  EXPECT_EQ(run("ZADD", "z", "XX", "GT", "100", "a", "1", "zz"), ":0");
  EXPECT_EQ(run("ZSCORE", "z", "a"), "\"100\"");
  EXPECT_EQ(run("ZADD", "nokey", "XX", "1", "a"), ":0");
  EXPECT_EQ(run("EXISTS", "nokey"), ":0");
}

TEST_F(ZSets, ZaddIncrAndZincrby) {
  EXPECT_EQ(run("ZADD", "z", "INCR", "1.5", "a"), "\"1.5\"");
  EXPECT_EQ(run("ZADD", "z", "INCR", "1", "a"), "\"2.5\"");
  EXPECT_EQ(run("ZADD", "z", "NX", "INCR", "1", "a"), "(nil)");
  EXPECT_EQ(run("ZADD", "z", "XX", "INCR", "1", "zz"), "(nil)");
  EXPECT_EQ(run("ZADD", "z", "GT", "INCR", "-1", "a"), "(nil)");
  EXPECT_EQ(run("ZADD", "z", "INCR", "0", "a"), "\"2.5\"");
  EXPECT_EQ(run("ZINCRBY", "z", "10", "a"), "\"12.5\"");
  EXPECT_EQ(run("ZINCRBY", "z", "-2", "new"), "\"-2\"");
  EXPECT_EQ(run("ZINCRBY", "z", "inf", "b"), "\"inf\"");
  EXPECT_EQ(run("ZINCRBY", "z", "-inf", "b"), "-ERR resulting score is not a number (NaN)");
  EXPECT_EQ(run("ZADD", "z", "INCR", "-inf", "b"), "-ERR resulting score is not a number (NaN)");
  EXPECT_EQ(run("ZSCORE", "z", "b"), "\"inf\"");
  EXPECT_EQ(run("ZINCRBY", "z", "abc", "b"), kNotFloat);
  EXPECT_EQ(run("ZINCRBY", "z", "nx", "b"), kSyntax);  // parsed as ZADD options, as Redis does
  EXPECT_EQ(run("ZINCRBY", "z", "1"), "-ERR wrong number of arguments for 'zincrby' command");
  EXPECT_EQ(run("ZINCRBY", "fresh", "-0.0", "m"), "\"-0\"");  // the reply is the computed score
}

TEST_F(ZSets, ZremDeletesEmptiedKey) {
  EXPECT_EQ(run("ZREM", "nokey", "a"), ":0");
  EXPECT_EQ(run("ZADD", "z", "1", "a", "2", "b", "3", "c"), ":3");
  EXPECT_EQ(run("ZREM", "z", "a", "nope", "a"), ":1");
  EXPECT_EQ(run("ZREM", "z", "b", "c"), ":2");
  EXPECT_EQ(run("EXISTS", "z"), ":0");
}

TEST_F(ZSets, CountsAndRanks) {
  fill("z", 10);
  EXPECT_EQ(run("ZCOUNT", "z", "-inf", "+inf"), ":10");
  EXPECT_EQ(run("ZCOUNT", "z", "(1", "3"), ":2");
  EXPECT_EQ(run("ZCOUNT", "z", "3", "1"), ":0");
  EXPECT_EQ(run("ZCOUNT", "z", "(3", "(3"), ":0");
  EXPECT_EQ(run("ZCOUNT", "z", "abc", "1"), kMinMaxFloat);
  EXPECT_EQ(run("ZCOUNT", "z", "1", "2x"), kMinMaxFloat);
  EXPECT_EQ(run("ZCOUNT", "z", "(", "1"), ":1");  // strtod: "(" alone is exclusive 0
  EXPECT_EQ(run("ZCOUNT", "nokey", "0", "1"), ":0");
  EXPECT_EQ(run("ZRANK", "z", "m3"), ":3");
  EXPECT_EQ(run("ZREVRANK", "z", "m3"), ":6");
  EXPECT_EQ(run("ZRANK", "z", "nope"), "(nil)");
  EXPECT_EQ(run("ZRANK", "nokey", "a"), "(nil)");
  EXPECT_EQ(run("ZRANK", "z", "m3", "WITHSCORE"), "-ERR wrong number of arguments for 'zrank' command");

  EXPECT_EQ(run("ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"), ":5");
  EXPECT_EQ(run("ZLEXCOUNT", "lex", "-", "+"), ":5");
  EXPECT_EQ(run("ZLEXCOUNT", "lex", "[b", "(d"), ":2");
  EXPECT_EQ(run("ZLEXCOUNT", "lex", "(b", "[d"), ":2");
  EXPECT_EQ(run("ZLEXCOUNT", "lex", "+", "-"), ":0");
  EXPECT_EQ(run("ZLEXCOUNT", "lex", "a", "c"), kMinMaxLex);
  EXPECT_EQ(run("ZLEXCOUNT", "lex", "-x", "+"), kMinMaxLex);
  EXPECT_EQ(run("ZLEXCOUNT", "nokey", "-", "+"), ":0");
}

TEST_F(ZSets, RangeByRank) {
  fill("z", 5);
  EXPECT_EQ(run("ZRANGE", "z", "0", "-1"), "[\"m0\", \"m1\", \"m2\", \"m3\", \"m4\"]");
  EXPECT_EQ(run("ZRANGE", "z", "-2", "-1", "WITHSCORES"), "[\"m3\", \"3\", \"m4\", \"4\"]");
  EXPECT_EQ(run("ZRANGE", "z", "3", "100"), "[\"m3\", \"m4\"]");
  EXPECT_EQ(run("ZRANGE", "z", "-100", "0"), "[\"m0\"]");
  EXPECT_EQ(run("ZRANGE", "z", "3", "1"), "[]");
  EXPECT_EQ(run("ZRANGE", "z", "0", "1", "REV"), "[\"m4\", \"m3\"]");
  EXPECT_EQ(run("ZREVRANGE", "z", "1", "2", "WITHSCORES"), "[\"m3\", \"3\", \"m2\", \"2\"]");
  EXPECT_EQ(run("ZRANGE", "nokey", "0", "-1"), "[]");
  EXPECT_EQ(run("ZRANGE", "z", "a", "1"), kNotInteger);
  EXPECT_EQ(run("ZRANGE", "z", "0", "-1", "FOO"), kSyntax);
  EXPECT_EQ(run("ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"),
            "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  EXPECT_EQ(run("ZRANGE", "z", "0", "-1", "BYSCORE", "BYLEX"), kSyntax);
  EXPECT_EQ(run("ZREVRANGE", "z", "0", "-1", "REV"), kSyntax);
}

TEST_F(ZSets, RangeByScore) {
  fill("z", 6);
  EXPECT_EQ(run("ZRANGE", "z", "(1", "3", "BYSCORE"), "[\"m2\", \"m3\"]");
  EXPECT_EQ(run("ZRANGE", "z", "3", "(1", "BYSCORE", "REV", "WITHSCORES"), "[\"m3\", \"3\", \"m2\", \"2\"]");
  EXPECT_EQ(run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"), "[\"m1\", \"m2\"]");
  EXPECT_EQ(run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "4", "-1"), "[\"m4\", \"m5\"]");
  EXPECT_EQ(run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"), "[]");
  EXPECT_EQ(run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "6", "2"), "[]");
  EXPECT_EQ(run("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2"), "[\"m4\", \"m3\"]");
  EXPECT_EQ(run("ZRANGE", "z", "0", "-1", "BYSCORE", "LIMIT", "x", "1"), kNotInteger);
  EXPECT_EQ(run("ZRANGEBYSCORE", "z", "2", "4", "WITHSCORES", "LIMIT", "1", "5"), "[\"m3\", \"3\", \"m4\", \"4\"]");
  EXPECT_EQ(run("ZRANGEBYSCORE", "z", "-inf", "+inf", "REV"), kSyntax);
  EXPECT_EQ(run("ZRANGEBYSCORE", "z", "x", "1"), kMinMaxFloat);
  EXPECT_EQ(run("ZRANGEBYSCORE", "z", " 1", "0x2"), "[\"m1\", \"m2\"]");  // strtod rules
  EXPECT_EQ(run("ZREVRANGEBYSCORE", "z", "4", "2"), "[\"m4\", \"m3\", \"m2\"]");
  EXPECT_EQ(run("ZREVRANGEBYSCORE", "z", "2", "4"), "[]");
}

TEST_F(ZSets, RangeByLex) {
  EXPECT_EQ(run("ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"), ":5");
  EXPECT_EQ(run("ZRANGE", "z", "[b", "(d", "BYLEX"), "[\"b\", \"c\"]");
  EXPECT_EQ(run("ZRANGE", "z", "+", "-", "BYLEX", "REV", "LIMIT", "1", "2"), "[\"d\", \"c\"]");
  EXPECT_EQ(run("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"),
            "-ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  EXPECT_EQ(run("ZRANGEBYLEX", "z", "-", "+", "LIMIT", "3", "10"), "[\"d\", \"e\"]");
  EXPECT_EQ(run("ZRANGEBYLEX", "z", "a", "c"), kMinMaxLex);
  EXPECT_EQ(run("ZREVRANGEBYLEX", "z", "(c", "-"), "[\"b\", \"a\"]");
  // Mixed scores on a listpack: Redis's walk from the first member >= min.
  EXPECT_EQ(run("ZADD", "mx", "1", "c", "2", "a", "3", "d", "4", "b"), ":4");
  EXPECT_EQ(run("ZRANGEBYLEX", "mx", "[b", "[c"), "[\"c\", \"a\"]");
  EXPECT_EQ(run("ZREVRANGEBYLEX", "mx", "[c", "[b"), "[\"b\", \"d\"]");
  EXPECT_EQ(run("ZRANGEBYLEX", "mx", "[b", "[c", "LIMIT", "3", "5"), "[\"b\"]");
  EXPECT_EQ(run("ZLEXCOUNT", "mx", "[b", "[c"), ":2");
}

TEST_F(ZSets, Zrangestore) {
  fill("src", 5);
  EXPECT_EQ(run("ZRANGESTORE", "dst", "src", "1", "2"), ":2");
  EXPECT_EQ(run("ZRANGE", "dst", "0", "-1", "WITHSCORES"), "[\"m1\", \"1\", \"m2\", \"2\"]");
  EXPECT_EQ(run("ZRANGESTORE", "dst", "src", "(1", "+inf", "BYSCORE", "LIMIT", "0", "1"), ":1");
  EXPECT_EQ(run("ZRANGE", "dst", "0", "-1"), "[\"m2\"]");
  EXPECT_EQ(run("ZRANGESTORE", "dst", "src", "0", "-1", "WITHSCORES"), kSyntax);
  EXPECT_EQ(run("ZRANGESTORE", "dst", "src", "10", "20"), ":0");
  EXPECT_EQ(run("EXISTS", "dst"), ":0");
  EXPECT_EQ(run("SET", "str", "x"), "+OK");
  EXPECT_EQ(run("ZRANGESTORE", "str", "nokey", "0", "-1"), ":0");
  EXPECT_EQ(run("EXISTS", "str"), ":0");
  EXPECT_EQ(run("SET", "str", "x"), "+OK");
  EXPECT_EQ(run("ZRANGESTORE", "dst", "str", "0", "-1"), kWrongType);
  EXPECT_EQ(run("ZRANGESTORE", "src", "src", "1", "1"), ":1");
  EXPECT_EQ(run("ZRANGE", "src", "0", "-1"), "[\"m1\"]");
}

TEST_F(ZSets, RangeRemovals) {
  fill("z", 6);
  EXPECT_EQ(run("ZREMRANGEBYRANK", "z", "1", "2"), ":2");
  EXPECT_EQ(run("ZRANGE", "z", "0", "-1"), "[\"m0\", \"m3\", \"m4\", \"m5\"]");
  EXPECT_EQ(run("ZREMRANGEBYRANK", "z", "5", "10"), ":0");
  EXPECT_EQ(run("ZREMRANGEBYRANK", "z", "x", "1"), kNotInteger);
  EXPECT_EQ(run("ZREMRANGEBYSCORE", "z", "(0", "4"), ":2");
  EXPECT_EQ(run("ZREMRANGEBYSCORE", "z", "a", "b"), kMinMaxFloat);
  EXPECT_EQ(run("ZRANGE", "z", "0", "-1"), "[\"m0\", \"m5\"]");
  EXPECT_EQ(run("ZREMRANGEBYLEX", "z", "a", "b"), kMinMaxLex);
  EXPECT_EQ(run("ZREMRANGEBYLEX", "z", "-", "+"), ":2");
  EXPECT_EQ(run("EXISTS", "z"), ":0");
  EXPECT_EQ(run("ZREMRANGEBYLEX", "nokey", "-", "+"), ":0");
  EXPECT_EQ(run("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d"), ":4");
  EXPECT_EQ(run("ZREMRANGEBYLEX", "l", "(a", "[c"), ":2");
  EXPECT_EQ(run("ZRANGE", "l", "0", "-1"), "[\"a\", \"d\"]");
}

TEST_F(ZSets, Pops) {
  fill("z", 5);
  EXPECT_EQ(run("ZPOPMIN", "z"), "[\"m0\", \"0\"]");
  EXPECT_EQ(run("ZPOPMAX", "z", "2"), "[\"m4\", \"4\", \"m3\", \"3\"]");
  EXPECT_EQ(run("ZPOPMIN", "z", "0"), "[]");
  EXPECT_EQ(run("ZPOPMIN", "z", "-1"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(run("ZPOPMIN", "z", "x"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(run("ZPOPMIN", "z", "1", "2"), kSyntax);
  EXPECT_EQ(run("ZPOPMIN", "nokey"), "[]");
  EXPECT_EQ(run("ZPOPMAX", "nokey", "3"), "[]");
  EXPECT_EQ(run("ZPOPMIN", "z", "10"), "[\"m1\", \"1\", \"m2\", \"2\"]");
  EXPECT_EQ(run("EXISTS", "z"), ":0");
}

TEST_F(ZSets, Zmpop) {
  fill("z", 4);
  EXPECT_EQ(run("ZMPOP", "1", "z", "MIN"), "[\"z\", [[\"m0\", \"0\"]]]");
  EXPECT_EQ(run("ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "2"), "[\"z\", [[\"m3\", \"3\"], [\"m2\", \"2\"]]]");
  EXPECT_EQ(run("ZMPOP", "1", "nokey", "MIN"), "(nil)");
  EXPECT_EQ(run("ZMPOP", "0", "z", "MIN"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(run("ZMPOP", "x", "z", "MIN"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(run("ZMPOP", "1", "z", "MIN", "COUNT", "0"), "-ERR count should be greater than 0");
  EXPECT_EQ(run("ZMPOP", "1", "z", "MIN", "COUNT", "x"), "-ERR count should be greater than 0");
  EXPECT_EQ(run("ZMPOP", "1", "z", "FOO"), kSyntax);
  EXPECT_EQ(run("ZMPOP", "2", "z", "MIN"), kSyntax);
  EXPECT_EQ(run("ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "2"), kSyntax);
  EXPECT_EQ(run("ZMPOP", "1", "z"), "-ERR wrong number of arguments for 'zmpop' command");
  EXPECT_EQ(run("ZMPOP", "1", "z", "MIN", "COUNT", "5"), "[\"z\", [[\"m1\", \"1\"]]]");
  EXPECT_EQ(run("EXISTS", "z"), ":0");
  EXPECT_EQ(run("SET", "str", "x"), "+OK");
  EXPECT_EQ(run("ZMPOP", "2", "nokey", "str", "MIN"), kWrongType);
}

TEST_F(ZSets, ZmpopTouchesWatchedKey) {
  fill("z", 2);
  Client other(port());
  EXPECT_EQ(run("WATCH", "z"), "+OK");
  EXPECT_EQ(show(other.cmd({"ZMPOP", "1", "z", "MIN"})), "[\"z\", [[\"m0\", \"0\"]]]");
  EXPECT_EQ(run("MULTI"), "+OK");
  EXPECT_EQ(run("ZCARD", "z"), "+QUEUED");
  EXPECT_EQ(run("EXEC"), "(nil)");
}

TEST_F(ZSets, UnionInterDiff) {
  EXPECT_EQ(run("ZADD", "a", "1", "x", "2", "y", "3", "z"), ":3");
  EXPECT_EQ(run("ZADD", "b", "10", "y", "20", "z", "30", "w"), ":3");
  EXPECT_EQ(run("SADD", "s", "x", "w", "q"), ":3");
  EXPECT_EQ(run("ZADD", "c", "inf", "x", "-inf", "y"), ":2");
  EXPECT_EQ(run("ZUNION", "2", "a", "b", "WITHSCORES"), "[\"x\", \"1\", \"y\", \"12\", \"z\", \"23\", \"w\", \"30\"]");
  EXPECT_EQ(run("ZUNION", "3", "a", "b", "s", "WITHSCORES"),
            "[\"q\", \"1\", \"x\", \"2\", \"y\", \"12\", \"z\", \"23\", \"w\", \"31\"]");
  EXPECT_EQ(run("ZUNION", "2", "a", "b", "WEIGHTS", "2", "0.5", "WITHSCORES"),
            "[\"x\", \"2\", \"y\", \"9\", \"w\", \"15\", \"z\", \"16\"]");
  EXPECT_EQ(run("ZUNION", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"),
            "[\"x\", \"1\", \"y\", \"2\", \"z\", \"3\", \"w\", \"30\"]");
  EXPECT_EQ(run("ZUNION", "2", "a", "b", "AGGREGATE", "MAX"), "[\"x\", \"y\", \"z\", \"w\"]");
  EXPECT_EQ(run("ZUNION", "2", "c", "c", "WITHSCORES"), "[\"y\", \"-inf\", \"x\", \"inf\"]");
  EXPECT_EQ(run("ZUNION", "2", "a", "c", "WEIGHTS", "0", "0", "WITHSCORES"),
            "[\"x\", \"0\", \"y\", \"0\", \"z\", \"0\"]");  // 0 * inf is NaN, taken as 0
  EXPECT_EQ(run("ZINTER", "2", "a", "b", "WITHSCORES"), "[\"y\", \"12\", \"z\", \"23\"]");
  EXPECT_EQ(run("ZINTER", "3", "a", "b", "s"), "[]");
  EXPECT_EQ(run("ZINTER", "2", "a", "s", "WITHSCORES"), "[\"x\", \"2\"]");
  EXPECT_EQ(run("ZINTER", "2", "a", "a", "WITHSCORES"), "[\"x\", \"2\", \"y\", \"4\", \"z\", \"6\"]");
  EXPECT_EQ(run("ZINTER", "2", "a", "nokey"), "[]");
  EXPECT_EQ(run("ZINTER", "2", "c", "c", "WITHSCORES"), "[\"y\", \"-inf\", \"x\", \"inf\"]");
  EXPECT_EQ(run("ZDIFF", "2", "a", "b", "WITHSCORES"), "[\"x\", \"1\"]");
  EXPECT_EQ(run("ZDIFF", "2", "a", "s"), "[\"y\", \"z\"]");
  EXPECT_EQ(run("ZDIFF", "2", "a", "a"), "[]");
  EXPECT_EQ(run("ZDIFF", "1", "s", "WITHSCORES"), "[\"q\", \"1\", \"w\", \"1\", \"x\", \"1\"]");

  EXPECT_EQ(run("ZUNION", "2", "a", "b", "AGGREGATE", "AVG"), kSyntax);
  EXPECT_EQ(run("ZUNION", "2", "a", "b", "WEIGHTS", "1"), kSyntax);
  EXPECT_EQ(run("ZUNION", "2", "a", "b", "WEIGHTS", "1", "x"), "-ERR weight value is not a float");
  EXPECT_EQ(run("ZDIFF", "2", "a", "b", "WEIGHTS", "1", "2"), kSyntax);
  EXPECT_EQ(run("ZUNION", "0", "a"), "-ERR at least 1 input key is needed for 'zunion' command");
  EXPECT_EQ(run("ZUNION", "3", "a", "b"), kSyntax);
  EXPECT_EQ(run("ZUNION", "x", "a"), kNotInteger);
  EXPECT_EQ(run("SET", "str", "v"), "+OK");
  EXPECT_EQ(run("ZUNION", "2", "a", "str"), kWrongType);
  EXPECT_EQ(run("ZUNION", "2", "str", "a", "BADOPT"), kWrongType);  // keys are checked before options
}

TEST_F(ZSets, StoreForms) {
  EXPECT_EQ(run("ZADD", "a", "1", "x", "2", "y", "3", "z"), ":3");
  EXPECT_EQ(run("ZADD", "b", "10", "y", "20", "z", "30", "w"), ":3");
  EXPECT_EQ(run("ZUNIONSTORE", "d", "2", "a", "b"), ":4");
  EXPECT_EQ(run("ZRANGE", "d", "0", "-1", "WITHSCORES"), "[\"x\", \"1\", \"y\", \"12\", \"z\", \"23\", \"w\", \"30\"]");
  EXPECT_EQ(run("ZUNIONSTORE", "d", "2", "a", "b", "WITHSCORES"), kSyntax);
  EXPECT_EQ(run("ZUNIONSTORE", "d", "0", "a"), "-ERR at least 1 input key is needed for 'zunionstore' command");
  EXPECT_EQ(run("ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2", "AGGREGATE", "MAX"), ":2");
  EXPECT_EQ(run("ZRANGE", "d", "0", "-1", "WITHSCORES"), "[\"y\", \"20\", \"z\", \"40\"]");
  EXPECT_EQ(run("ZDIFFSTORE", "d", "2", "a", "b"), ":1");
  EXPECT_EQ(run("ZRANGE", "d", "0", "-1", "WITHSCORES"), "[\"x\", \"1\"]");
  EXPECT_EQ(run("ZINTERSTORE", "d", "2", "a", "nokey"), ":0");
  EXPECT_EQ(run("EXISTS", "d"), ":0");
  EXPECT_EQ(run("SET", "str", "v"), "+OK");
  EXPECT_EQ(run("ZUNIONSTORE", "str", "1", "a"), ":3");  // the destination's type does not matter
  EXPECT_EQ(run("TYPE", "str"), "+zset");
  EXPECT_EQ(run("ZUNIONSTORE", "a", "2", "a", "a"), ":3");
  EXPECT_EQ(run("ZRANGE", "a", "0", "-1", "WITHSCORES"), "[\"x\", \"2\", \"y\", \"4\", \"z\", \"6\"]");
}

TEST_F(ZSets, Zintercard) {
  EXPECT_EQ(run("ZADD", "a", "1", "x", "2", "y", "3", "z"), ":3");
  EXPECT_EQ(run("SADD", "s", "x", "y", "q"), ":3");
  EXPECT_EQ(run("ZINTERCARD", "2", "a", "s"), ":2");
  EXPECT_EQ(run("ZINTERCARD", "2", "a", "s", "LIMIT", "1"), ":1");
  EXPECT_EQ(run("ZINTERCARD", "2", "a", "s", "LIMIT", "0"), ":2");
  EXPECT_EQ(run("ZINTERCARD", "2", "a", "s", "LIMIT", "-1"), "-ERR LIMIT can't be negative");
  EXPECT_EQ(run("ZINTERCARD", "2", "a", "s", "LIMIT", "x"), "-ERR LIMIT can't be negative");
  EXPECT_EQ(run("ZINTERCARD", "0", "a"), "-ERR at least 1 input key is needed for 'zintercard' command");
  EXPECT_EQ(run("ZINTERCARD", "3", "a"), kSyntax);
  EXPECT_EQ(run("ZINTERCARD", "2", "a", "s", "WITHSCORES"), kSyntax);
  EXPECT_EQ(run("ZINTERCARD", "2", "a", "nokey"), ":0");
}

TEST_F(ZSets, Zrandmember) {
  EXPECT_EQ(run("ZRANDMEMBER", "nokey"), "(nil)");
  EXPECT_EQ(run("ZRANDMEMBER", "nokey", "3"), "[]");
  EXPECT_EQ(run("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"), ":5");
  EXPECT_EQ(run("ZRANDMEMBER", "z", "0"), "[]");
  // The whole set comes back highest score first.
  EXPECT_EQ(run("ZRANDMEMBER", "z", "10"), "[\"e\", \"d\", \"c\", \"b\", \"a\"]");
  EXPECT_EQ(run("ZRANDMEMBER", "z", "5", "WITHSCORES"),
            "[\"e\", \"5\", \"d\", \"4\", \"c\", \"3\", \"b\", \"2\", \"a\", \"1\"]");
  const std::set<std::string> all{"a", "b", "c", "d", "e"};
  EXPECT_TRUE(all.count(cmd({"ZRANDMEMBER", "z"}).str));
  Reply r = cmd({"ZRANDMEMBER", "z", "3"});
  ASSERT_EQ(r.elements.size(), 3u);
  std::set<std::string> distinct;
  for (const auto& e : r.elements) distinct.insert(e.str);
  EXPECT_EQ(distinct.size(), 3u);
  r = cmd({"ZRANDMEMBER", "z", "-20", "WITHSCORES"});
  ASSERT_EQ(r.elements.size(), 40u);
  for (size_t i = 0; i < r.elements.size(); i += 2) {
    ASSERT_TRUE(all.count(r.elements[i].str));
    EXPECT_EQ(r.elements[i + 1].str, std::to_string(r.elements[i].str[0] - 'a' + 1));
  }
  EXPECT_EQ(run("ZRANDMEMBER", "z", "1", "foo"), kSyntax);
  EXPECT_EQ(run("ZRANDMEMBER", "z", "x"), kNotInteger);
  EXPECT_EQ(run("ZRANDMEMBER", "z", "-9223372036854775808"),
            "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
  EXPECT_EQ(run("ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"), "-ERR value is out of range");
}

TEST_F(ZSets, Zscan) {
  EXPECT_EQ(run("ZADD", "z", "1", "a", "2.5", "b", "-0.0", "c", "inf", "d"), ":4");
  EXPECT_EQ(run("ZSCAN", "z", "0"), "[\"0\", [\"c\", \"0\", \"a\", \"1\", \"b\", \"2.5\", \"d\", \"inf\"]]");
  EXPECT_EQ(run("ZSCAN", "z", "0", "MATCH", "a*"), "[\"0\", [\"a\", \"1\"]]");
  EXPECT_EQ(run("ZSCAN", "z", "0", "COUNT", "0"), kSyntax);
  EXPECT_EQ(run("ZSCAN", "z", "abc"), "-ERR invalid cursor");
  EXPECT_EQ(run("ZSCAN", "nokey", "0"), "[\"0\", []]");
  // A skiplist: iterate with cursors until 0.
  fill("big", 300);
  std::map<std::string, std::string> seen;
  std::string cursor = "0";
  do {
    Reply r = cmd({"ZSCAN", "big", cursor, "COUNT", "20"});
    ASSERT_EQ(r.elements.size(), 2u);
    cursor = r.elements[0].str;
    for (size_t i = 0; i + 1 < r.elements[1].elements.size(); i += 2)
      seen[r.elements[1].elements[i].str] = r.elements[1].elements[i + 1].str;
  } while (cursor != "0");
  ASSERT_EQ(seen.size(), 300u);
  EXPECT_EQ(seen["m123"], "123");
}

TEST_F(ZSets, WrongType) {
  EXPECT_EQ(run("SET", "str", "x"), "+OK");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"ZADD", "str", "1", "a"},
           {"ZINCRBY", "str", "1", "a"},
           {"ZREM", "str", "a"},
           {"ZSCORE", "str", "a"},
           {"ZMSCORE", "str", "a"},
           {"ZCARD", "str"},
           {"ZCOUNT", "str", "0", "1"},
           {"ZLEXCOUNT", "str", "-", "+"},
           {"ZRANGE", "str", "0", "-1"},
           {"ZRANGEBYSCORE", "str", "0", "1"},
           {"ZREVRANGE", "str", "0", "-1"},
           {"ZRANGEBYLEX", "str", "-", "+"},
           {"ZRANK", "str", "a"},
           {"ZREVRANK", "str", "a"},
           {"ZPOPMIN", "str"},
           {"ZPOPMAX", "str", "2"},
           {"ZREMRANGEBYRANK", "str", "0", "1"},
           {"ZREMRANGEBYSCORE", "str", "0", "1"},
           {"ZREMRANGEBYLEX", "str", "-", "+"},
           {"ZUNIONSTORE", "d", "1", "str"},
           {"ZINTERCARD", "1", "str"},
           {"ZRANDMEMBER", "str"},
           {"ZRANDMEMBER", "str", "0"},
           {"ZSCAN", "str", "0"},
       })
    EXPECT_EQ(show(cmd(args)), kWrongType) << args[0];
  EXPECT_EQ(run("ZADD", "z", "1", "a"), ":1");
  EXPECT_EQ(run("SADD", "z", "x"), kWrongType);
  EXPECT_EQ(run("GET", "z"), kWrongType);
}

TEST_F(ZSets, EncodingConversions) {
  const std::string long65(65, 'x'), long64(64, 'y');
  EXPECT_EQ(run("ZADD", "a", "1", "a", "2", long64), ":2");
  EXPECT_EQ(encoding("a"), "listpack");
  EXPECT_EQ(run("ZADD", "a", "3", long65), ":1");
  EXPECT_EQ(encoding("a"), "skiplist");
  EXPECT_EQ(run("ZREM", "a", long65, long64), ":2");
  EXPECT_EQ(encoding("a"), "skiplist");  // never converted back
  EXPECT_EQ(run("ZADD", "b", "1", long65), ":1");
  EXPECT_EQ(encoding("b"), "skiplist");

  fill("n", 128);
  EXPECT_EQ(encoding("n"), "listpack");
  EXPECT_EQ(run("ZADD", "n", "1000", "m0"), ":0");  // an update never converts
  EXPECT_EQ(encoding("n"), "listpack");
  EXPECT_EQ(run("ZADD", "n", "128", "m128"), ":1");
  EXPECT_EQ(encoding("n"), "skiplist");
  EXPECT_EQ(run("ZRANK", "n", "m0"), ":128");
  EXPECT_EQ(run("ZRANGE", "n", "0", "2", "WITHSCORES"), "[\"m1\", \"1\", \"m2\", \"2\", \"m3\", \"3\"]");

  EXPECT_EQ(run("CONFIG", "SET", "zset-max-listpack-entries", "2"), "+OK");
  EXPECT_EQ(run("ZADD", "d", "1", "a", "2", "b"), ":2");
  EXPECT_EQ(encoding("d"), "listpack");
  EXPECT_EQ(run("ZADD", "d", "3", "c", "4", "e"), ":2");
  EXPECT_EQ(encoding("d"), "skiplist");
  // STORE results pick their encoding by their own size.
  EXPECT_EQ(run("ZRANGESTORE", "r", "d", "0", "1"), ":2");
  EXPECT_EQ(encoding("r"), "listpack");
  EXPECT_EQ(run("ZRANGESTORE", "r", "d", "0", "2"), ":3");
  EXPECT_EQ(encoding("r"), "skiplist");
  EXPECT_EQ(run("ZRANGESTORE", "r", "d", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "2"), ":2");
  EXPECT_EQ(encoding("r"), "listpack");
  EXPECT_EQ(run("ZUNIONSTORE", "u", "1", "d"), ":4");
  EXPECT_EQ(encoding("u"), "skiplist");
  EXPECT_EQ(run("ZREM", "d", "c", "e"), ":2");
  EXPECT_EQ(encoding("d"), "skiplist");
  EXPECT_EQ(run("ZUNIONSTORE", "u", "1", "d"), ":2");
  EXPECT_EQ(encoding("u"), "listpack");  // converted back: the result is small
  EXPECT_EQ(run("ZINTERSTORE", "u", "1", "d"), ":2");
  EXPECT_EQ(encoding("u"), "listpack");
  EXPECT_EQ(run("ZDIFFSTORE", "u", "1", "d"), ":2");
  EXPECT_EQ(encoding("u"), "listpack");

  EXPECT_EQ(run("CONFIG", "SET", "zset-max-listpack-entries", "0"), "+OK");
  EXPECT_EQ(run("ZADD", "f", "1", "a"), ":1");
  EXPECT_EQ(encoding("f"), "skiplist");
  EXPECT_EQ(run("CONFIG", "SET", "zset-max-listpack-entries", "128"), "+OK");
  EXPECT_EQ(run("CONFIG", "SET", "zset-max-listpack-value", "0"), "+OK");
  EXPECT_EQ(run("ZADD", "h", "1", ""), ":1");
  EXPECT_EQ(encoding("h"), "listpack");
  EXPECT_EQ(run("ZADD", "h", "1", "a"), ":1");
  EXPECT_EQ(encoding("h"), "skiplist");
}

TEST_F(ZSets, SkiplistKeepsNegativeZero) {
  const std::string long65(65, 'x');
  EXPECT_EQ(run("ZADD", "sk", "1", long65, "-0.0", "z"), ":2");
  EXPECT_EQ(encoding("sk"), "skiplist");
  EXPECT_EQ(run("ZSCORE", "sk", "z"), "\"-0\"");
  EXPECT_EQ(run("ZUNION", "1", "sk", "WITHSCORES"), strCat({"[\"z\", \"-0\", \"", long65, "\", \"1\"]"}));
  EXPECT_EQ(run("ZREM", "sk", long65), ":1");
  EXPECT_EQ(run("ZUNIONSTORE", "u", "1", "sk"), ":1");
  EXPECT_EQ(encoding("u"), "listpack");
  EXPECT_EQ(run("ZSCORE", "u", "z"), "\"0\"");
}

TEST_F(ZSets, LargeSetOperations) {
  std::vector<std::string> args{"ZADD", "big"};
  for (int i = 0; i < 2000; ++i) {
    args.push_back(std::to_string(i % 500));
    args.push_back("m" + std::to_string(i));
  }
  ASSERT_EQ(cmd(args).integer, 2000);
  EXPECT_EQ(encoding("big"), "skiplist");
  EXPECT_EQ(run("ZCOUNT", "big", "10", "(20"), ":40");
  EXPECT_EQ(run("ZRANGEBYSCORE", "big", "499", "+inf"), "[\"m1499\", \"m1999\", \"m499\", \"m999\"]");
  EXPECT_EQ(run("ZRANGE", "big", "0", "3"), "[\"m0\", \"m1000\", \"m1500\", \"m500\"]");
  EXPECT_EQ(run("ZRANK", "big", "m1999"), ":1997");
  EXPECT_EQ(run("ZREMRANGEBYSCORE", "big", "0", "(250"), ":1000");
  EXPECT_EQ(run("ZCARD", "big"), ":1000");
  EXPECT_EQ(run("ZRANGE", "big", "0", "0", "WITHSCORES"), "[\"m1250\", \"250\"]");
  EXPECT_EQ(run("ZREMRANGEBYRANK", "big", "0", "-2"), ":999");
  EXPECT_EQ(run("ZRANGE", "big", "0", "-1", "WITHSCORES"), "[\"m999\", \"499\"]");
}

TEST_F(ZSets, Resp3ReplyShapes) {
  EXPECT_EQ(run("ZADD", "z", "1", "a", "2.5", "b"), ":2");
  const std::string a1 = "*2\r\n$1\r\na\r\n,1\r\n", b25 = "*2\r\n$1\r\nb\r\n,2.5\r\n";
  expectResp3({
      {"ZSCORE z b", ",2.5\r\n"},
      {"ZSCORE z nope", "_\r\n"},
      {"ZMSCORE z a nope", "*2\r\n,1\r\n_\r\n"},
      {"ZRANGE z 0 -1", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
      {"ZRANGE z 0 -1 WITHSCORES", "*2\r\n" + a1 + b25},
      {"ZREVRANGEBYSCORE z +inf -inf WITHSCORES", "*2\r\n" + b25 + a1},
      {"ZUNION 1 z WITHSCORES", "*2\r\n" + a1 + b25},
      {"ZRANDMEMBER z 5 WITHSCORES", "*2\r\n" + b25 + a1},
      {"ZRANDMEMBER nokey", "_\r\n"},
      {"ZSCAN z 0", "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n"},
      {"ZINCRBY z 1 a", ",2\r\n"},
      {"ZADD z INCR 1 a", ",3\r\n"},
      {"ZADD z NX INCR 1 a", "_\r\n"},
      {"ZRANK z nope", "_\r\n"},
      {"ZPOPMIN z", "*2\r\n$1\r\nb\r\n,2.5\r\n"},
      {"ZADD z 2.5 b", ":1\r\n"},
      {"ZPOPMIN z 1", "*1\r\n" + b25},
      {"ZADD z 2.5 b", ":1\r\n"},
      {"ZMPOP 1 z MAX", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,3\r\n"},
      {"ZMPOP 1 nokey MIN", "_\r\n"},
      {"ZPOPMAX nokey 2", "*0\r\n"},
      {"ZADD inf inf x -inf y", ":2\r\n"},
      {"ZRANGE inf 0 -1 WITHSCORES", "*2\r\n*2\r\n$1\r\ny\r\n,-inf\r\n*2\r\n$1\r\nx\r\n,inf\r\n"},
  });
}

TEST_F(ZSets, CommandInfo) {
  Reply r = cmd({"COMMAND", "INFO", "zadd", "zrange", "zmpop", "zunionstore", "zrangestore", "zpopmin"});
  ASSERT_EQ(r.elements.size(), 6u);
  auto flags = [](const Reply& c) {
    auto v = c.elements[2].strings();
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(r.elements[0].elements[1].integer, -4);
  EXPECT_EQ(flags(r.elements[0]), (std::vector<std::string>{"denyoom", "fast", "write"}));
  EXPECT_EQ(r.elements[1].elements[1].integer, -4);
  EXPECT_EQ(flags(r.elements[1]), (std::vector<std::string>{"readonly"}));
  EXPECT_EQ(r.elements[2].elements[1].integer, -4);
  EXPECT_EQ(r.elements[2].elements[3].integer, 0);
  EXPECT_EQ(r.elements[3].elements[3].integer, 1);
  EXPECT_EQ(r.elements[3].elements[4].integer, 1);
  EXPECT_EQ(r.elements[4].elements[1].integer, -5);
  EXPECT_EQ(r.elements[4].elements[4].integer, 2);
  EXPECT_EQ(flags(r.elements[5]), (std::vector<std::string>{"fast", "write"}));
  Reply docs = cmd({"COMMAND", "DOCS", "zadd"});
  ASSERT_EQ(docs.elements.size(), 2u);
  bool sawGroup = false;
  for (size_t i = 0; i + 1 < docs.elements[1].elements.size(); i += 2) {
    if (docs.elements[1].elements[i].str == "group") {
      EXPECT_EQ(docs.elements[1].elements[i + 1].str, "sorted-set");
      sawGroup = true;
    }
  }
  EXPECT_TRUE(sawGroup);
}

}  // namespace
