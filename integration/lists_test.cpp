// Integration tests for the non-blocking list commands: LPUSH/RPUSH and
// their X forms, LPOP/RPOP with and without count, LLEN, LRANGE, LINDEX,
// LSET, LINSERT, LREM, LTRIM, LPOS, LMOVE, RPOPLPUSH and LMPOP, with their
// error replies, WRONGTYPE, empty-list deletion and OBJECT ENCODING.
//
// Every expected reply below was checked against Redis 7.0.15; run with
// ERDTREE_SERVER_BIN=/usr/bin/redis-server to re-check them. One server is
// started per suite and FLUSHALL runs before each test.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/redis_errors.h"
#include "harness/shared_server.h"

namespace {

using erdtree::itest::kWrongType;
using erdtree::itest::kNotInteger;
using erdtree::itest::kSyntax;
using erdtree::itest::Client;
using erdtree::itest::Reply;
using erdtree::itest::SharedServerTest;
using erdtree::itest::show;

const std::string kPositive = "-ERR value is out of range, must be positive";

std::string arity(const std::string& cmd) { return "-ERR wrong number of arguments for '" + cmd + "' command"; }

class Lists : public SharedServerTest<Lists> {
 protected:
  static std::string all(const std::string& key) { return run("LRANGE", key, "0", "-1"); }
};

TEST_F(Lists, PushAndLength) {
  EXPECT_EQ(run("LPUSH", "l", "a", "b", "c"), ":3");
  EXPECT_EQ(all("l"), "[\"c\", \"b\", \"a\"]");
  EXPECT_EQ(run("RPUSH", "l", "d", "e"), ":5");
  EXPECT_EQ(all("l"), "[\"c\", \"b\", \"a\", \"d\", \"e\"]");
  EXPECT_EQ(run("LLEN", "l"), ":5");
  EXPECT_EQ(run("LLEN", "missing"), ":0");
  EXPECT_EQ(run("TYPE", "l"), "+list");

  EXPECT_EQ(run("LPUSHX", "missing", "a"), ":0");
  EXPECT_EQ(run("RPUSHX", "missing", "a", "b"), ":0");
  EXPECT_EQ(run("EXISTS", "missing"), ":0");
  EXPECT_EQ(run("LPUSHX", "l", "x", "y"), ":7");
  EXPECT_EQ(run("RPUSHX", "l", "z"), ":8");
  EXPECT_EQ(all("l"), "[\"y\", \"x\", \"c\", \"b\", \"a\", \"d\", \"e\", \"z\"]");

  // Binary-safe and empty elements.
  const std::string bin("a\0b\r\n", 5);
  EXPECT_EQ(run("RPUSH", "bin", bin, ""), ":2");
  Reply r = cmd({"LRANGE", "bin", "0", "-1"});
  ASSERT_EQ(r.elements.size(), 2u);
  EXPECT_EQ(r.elements[0].str, bin);
  EXPECT_EQ(r.elements[1].str, "");
}

TEST_F(Lists, PopWithoutAndWithCount) {
  EXPECT_EQ(run("RPUSH", "l", "a", "b", "c", "d", "e"), ":5");
  EXPECT_EQ(run("LPOP", "l"), "\"a\"");
  EXPECT_EQ(run("RPOP", "l"), "\"e\"");
  EXPECT_EQ(run("LPOP", "l", "2"), "[\"b\", \"c\"]");
  EXPECT_EQ(run("LPOP", "l", "0"), "[]");
  EXPECT_EQ(run("RPOP", "l", "10"), "[\"d\"]");
  EXPECT_EQ(run("EXISTS", "l"), ":0");

  EXPECT_EQ(run("LPOP", "missing"), "(nil)");
  EXPECT_EQ(run("RPOP", "missing", "3"), "(nil)");
  EXPECT_EQ(cmd({"LPOP", "missing", "0"}).type, Reply::Type::Nil);
  EXPECT_EQ(run("LPOP", "missing", "-1"), kPositive);
  EXPECT_EQ(run("RPOP", "missing", "x"), kPositive);
  EXPECT_EQ(run("LPOP", "l", "1", "2"), arity("lpop"));
  EXPECT_EQ(run("RPOP", "l", "1", "2"), arity("rpop"));
}

TEST_F(Lists, RangeAndIndex) {
  EXPECT_EQ(run("RPUSH", "l", "0", "1", "2", "3", "4"), ":5");
  EXPECT_EQ(run("LRANGE", "l", "1", "3"), "[\"1\", \"2\", \"3\"]");
  EXPECT_EQ(run("LRANGE", "l", "-2", "-1"), "[\"3\", \"4\"]");
  EXPECT_EQ(run("LRANGE", "l", "-100", "100"), "[\"0\", \"1\", \"2\", \"3\", \"4\"]");
  EXPECT_EQ(run("LRANGE", "l", "3", "1"), "[]");
  EXPECT_EQ(run("LRANGE", "l", "5", "10"), "[]");
  EXPECT_EQ(run("LRANGE", "l", "0", "-6"), "[]");
  EXPECT_EQ(run("LRANGE", "missing", "0", "-1"), "[]");
  EXPECT_EQ(run("LRANGE", "l", "x", "1"), kNotInteger);
  EXPECT_EQ(run("LRANGE", "l", "0", "1.5"), kNotInteger);

  EXPECT_EQ(run("LINDEX", "l", "0"), "\"0\"");
  EXPECT_EQ(run("LINDEX", "l", "-1"), "\"4\"");
  EXPECT_EQ(run("LINDEX", "l", "-5"), "\"0\"");
  EXPECT_EQ(run("LINDEX", "l", "5"), "(nil)");
  EXPECT_EQ(run("LINDEX", "l", "-6"), "(nil)");
  EXPECT_EQ(run("LINDEX", "missing", "0"), "(nil)");
  EXPECT_EQ(run("LINDEX", "l", "x"), kNotInteger);
  // The key is looked up before the index is parsed (found by tools/difftest).
  EXPECT_EQ(run("LINDEX", "missing", "x"), "(nil)");
}

TEST_F(Lists, LongListAcrossChunks) {
  std::vector<std::string> push{"RPUSH", "big"};
  for (int i = 0; i < 3000; ++i) push.push_back("element-" + std::to_string(i));
  EXPECT_EQ(show(cmd(push)), ":3000");
  std::vector<std::string> lpush{"LPUSH", "big"};
  for (int i = 1; i <= 1000; ++i) lpush.push_back("front-" + std::to_string(i));
  EXPECT_EQ(show(cmd(lpush)), ":4000");
  EXPECT_EQ(run("LINDEX", "big", "0"), "\"front-1000\"");
  EXPECT_EQ(run("LINDEX", "big", "999"), "\"front-1\"");
  EXPECT_EQ(run("LINDEX", "big", "1000"), "\"element-0\"");
  EXPECT_EQ(run("LINDEX", "big", "-1"), "\"element-2999\"");
  EXPECT_EQ(run("LRANGE", "big", "2500", "2502"), "[\"element-1500\", \"element-1501\", \"element-1502\"]");
  EXPECT_EQ(run("LSET", "big", "2500", "changed-to-something-longer"), "+OK");
  EXPECT_EQ(run("LINDEX", "big", "2500"), "\"changed-to-something-longer\"");
  EXPECT_EQ(run("LINSERT", "big", "AFTER", "element-2000", "new"), ":4001");
  EXPECT_EQ(run("LINDEX", "big", "3001"), "\"new\"");
  EXPECT_EQ(run("LPOS", "big", "new"), ":3001");
  EXPECT_EQ(run("LTRIM", "big", "1000", "-1001"), "+OK");
  EXPECT_EQ(run("LLEN", "big"), ":2001");
  EXPECT_EQ(run("LINDEX", "big", "0"), "\"element-0\"");
  EXPECT_EQ(run("LINDEX", "big", "-1"), "\"element-2000\"");
  Reply r = cmd({"LRANGE", "big", "0", "-1"});
  ASSERT_EQ(r.elements.size(), 2001u);
  EXPECT_EQ(r.elements[2000].str, "element-2000");
  EXPECT_EQ(run("RPOP", "big", "2001").substr(0, 17), "[\"element-2000\", ");
  EXPECT_EQ(run("EXISTS", "big"), ":0");
}

TEST_F(Lists, Lset) {
  EXPECT_EQ(run("RPUSH", "l", "a", "b", "c"), ":3");
  EXPECT_EQ(run("LSET", "l", "0", "A"), "+OK");
  EXPECT_EQ(run("LSET", "l", "-1", "C"), "+OK");
  EXPECT_EQ(run("LSET", "l", "1", "a much longer middle value"), "+OK");
  EXPECT_EQ(all("l"), "[\"A\", \"a much longer middle value\", \"C\"]");
  EXPECT_EQ(run("LSET", "l", "3", "x"), "-ERR index out of range");
  EXPECT_EQ(run("LSET", "l", "-4", "x"), "-ERR index out of range");
  EXPECT_EQ(run("LSET", "missing", "0", "x"), "-ERR no such key");
  EXPECT_EQ(run("LSET", "l", "x", "x"), kNotInteger);
  // The key is looked up before the index is parsed (found by tools/difftest).
  EXPECT_EQ(run("LSET", "missing", "x", "x"), "-ERR no such key");
}

TEST_F(Lists, Linsert) {
  EXPECT_EQ(run("RPUSH", "l", "a", "b", "a"), ":3");
  EXPECT_EQ(run("LINSERT", "l", "BEFORE", "a", "0"), ":4");
  EXPECT_EQ(run("LINSERT", "l", "after", "a", "1"), ":5");
  EXPECT_EQ(run("LINSERT", "l", "after", "b", "2"), ":6");
  EXPECT_EQ(all("l"), "[\"0\", \"a\", \"1\", \"b\", \"2\", \"a\"]");
  EXPECT_EQ(run("LINSERT", "l", "before", "zz", "x"), ":-1");
  EXPECT_EQ(run("LINSERT", "missing", "before", "a", "x"), ":0");
  EXPECT_EQ(run("EXISTS", "missing"), ":0");
  EXPECT_EQ(run("LINSERT", "l", "middle", "a", "x"), kSyntax);
  EXPECT_EQ(run("LINSERT", "l", "before", "a"), arity("linsert"));
}

TEST_F(Lists, Lrem) {
  EXPECT_EQ(run("RPUSH", "l", "a", "b", "a", "c", "a", "b"), ":6");
  EXPECT_EQ(run("LREM", "l", "1", "a"), ":1");
  EXPECT_EQ(all("l"), "[\"b\", \"a\", \"c\", \"a\", \"b\"]");
  EXPECT_EQ(run("LREM", "l", "-1", "b"), ":1");
  EXPECT_EQ(all("l"), "[\"b\", \"a\", \"c\", \"a\"]");
  EXPECT_EQ(run("LREM", "l", "0", "a"), ":2");
  EXPECT_EQ(all("l"), "[\"b\", \"c\"]");
  EXPECT_EQ(run("LREM", "l", "0", "zz"), ":0");
  EXPECT_EQ(run("LREM", "missing", "0", "a"), ":0");
  EXPECT_EQ(run("LREM", "l", "x", "a"), kNotInteger);
  EXPECT_EQ(run("LREM", "l", "-5", "b"), ":1");
  EXPECT_EQ(run("LREM", "l", "5", "c"), ":1");
  EXPECT_EQ(run("EXISTS", "l"), ":0");
}

TEST_F(Lists, Ltrim) {
  EXPECT_EQ(run("RPUSH", "l", "0", "1", "2", "3", "4", "5"), ":6");
  EXPECT_EQ(run("LTRIM", "l", "1", "-2"), "+OK");
  EXPECT_EQ(all("l"), "[\"1\", \"2\", \"3\", \"4\"]");
  EXPECT_EQ(run("LTRIM", "l", "-100", "100"), "+OK");
  EXPECT_EQ(run("LLEN", "l"), ":4");
  EXPECT_EQ(run("LTRIM", "l", "-2", "-1"), "+OK");
  EXPECT_EQ(all("l"), "[\"3\", \"4\"]");
  EXPECT_EQ(run("LTRIM", "l", "1", "0"), "+OK");
  EXPECT_EQ(run("EXISTS", "l"), ":0");
  EXPECT_EQ(run("LTRIM", "missing", "0", "1"), "+OK");
  EXPECT_EQ(run("LTRIM", "l", "a", "1"), kNotInteger);
  EXPECT_EQ(run("RPUSH", "m", "a", "b"), ":2");
  EXPECT_EQ(run("LTRIM", "m", "5", "10"), "+OK");
  EXPECT_EQ(run("EXISTS", "m"), ":0");
}

TEST_F(Lists, Lpos) {
  EXPECT_EQ(run("RPUSH", "l", "a", "b", "c", "a", "b", "c", "a"), ":7");
  EXPECT_EQ(run("LPOS", "l", "a"), ":0");
  EXPECT_EQ(run("LPOS", "l", "c"), ":2");
  EXPECT_EQ(run("LPOS", "l", "zz"), "(nil)");
  EXPECT_EQ(run("LPOS", "l", "a", "RANK", "2"), ":3");
  EXPECT_EQ(run("LPOS", "l", "a", "RANK", "-1"), ":6");
  EXPECT_EQ(run("LPOS", "l", "a", "RANK", "-3"), ":0");
  EXPECT_EQ(run("LPOS", "l", "a", "RANK", "4"), "(nil)");
  EXPECT_EQ(run("LPOS", "l", "a", "COUNT", "0"), "[:0, :3, :6]");
  EXPECT_EQ(run("LPOS", "l", "a", "COUNT", "2"), "[:0, :3]");
  EXPECT_EQ(run("LPOS", "l", "a", "RANK", "-1", "COUNT", "2"), "[:6, :3]");
  EXPECT_EQ(run("LPOS", "l", "zz", "COUNT", "0"), "[]");
  EXPECT_EQ(run("LPOS", "l", "c", "MAXLEN", "2"), "(nil)");
  EXPECT_EQ(run("LPOS", "l", "c", "MAXLEN", "3"), ":2");
  EXPECT_EQ(run("LPOS", "l", "a", "RANK", "-2", "MAXLEN", "3", "COUNT", "0"), "[]");
  EXPECT_EQ(run("LPOS", "l", "a", "RANK", "-1", "MAXLEN", "4", "COUNT", "0"), "[:6, :3]");
  EXPECT_EQ(run("LPOS", "l", "a", "count", "0", "maxlen", "0", "rank", "1"), "[:0, :3, :6]");
  EXPECT_EQ(run("LPOS", "missing", "a"), "(nil)");
  EXPECT_EQ(run("LPOS", "missing", "a", "COUNT", "0"), "[]");

  EXPECT_EQ(run("LPOS", "l", "a", "RANK", "0"),
            "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
            "negative to start from the end of the list");
  EXPECT_EQ(run("LPOS", "l", "a", "RANK", "x"), kNotInteger);
  EXPECT_EQ(run("LPOS", "l", "a", "COUNT", "-1"), "-ERR COUNT can't be negative");
  EXPECT_EQ(run("LPOS", "l", "a", "COUNT", "x"), "-ERR COUNT can't be negative");
  EXPECT_EQ(run("LPOS", "l", "a", "MAXLEN", "-1"), "-ERR MAXLEN can't be negative");
  EXPECT_EQ(run("LPOS", "l", "a", "MAXLEN", "x"), "-ERR MAXLEN can't be negative");
  EXPECT_EQ(run("LPOS", "l", "a", "RANK"), kSyntax);
  EXPECT_EQ(run("LPOS", "l", "a", "FOO", "1"), kSyntax);
  EXPECT_EQ(run("LPOS", "l"), arity("lpos"));
}

TEST_F(Lists, LmoveAndRpoplpush) {
  EXPECT_EQ(run("RPUSH", "src", "a", "b", "c"), ":3");
  EXPECT_EQ(run("LMOVE", "src", "dst", "LEFT", "RIGHT"), "\"a\"");
  EXPECT_EQ(run("LMOVE", "src", "dst", "right", "left"), "\"c\"");
  EXPECT_EQ(all("dst"), "[\"c\", \"a\"]");
  EXPECT_EQ(run("RPOPLPUSH", "src", "dst"), "\"b\"");
  EXPECT_EQ(all("dst"), "[\"b\", \"c\", \"a\"]");
  EXPECT_EQ(run("EXISTS", "src"), ":0");
  EXPECT_EQ(run("LMOVE", "src", "dst", "LEFT", "LEFT"), "(nil)");
  EXPECT_EQ(run("RPOPLPUSH", "src", "dst"), "(nil)");
  // Rotation within one list.
  EXPECT_EQ(run("LMOVE", "dst", "dst", "LEFT", "RIGHT"), "\"b\"");
  EXPECT_EQ(all("dst"), "[\"c\", \"a\", \"b\"]");
  EXPECT_EQ(run("RPOPLPUSH", "dst", "dst"), "\"b\"");
  EXPECT_EQ(all("dst"), "[\"b\", \"c\", \"a\"]");
  EXPECT_EQ(run("RPUSH", "one", "x"), ":1");
  EXPECT_EQ(run("LMOVE", "one", "one", "LEFT", "LEFT"), "\"x\"");
  EXPECT_EQ(all("one"), "[\"x\"]");
  EXPECT_EQ(run("LMOVE", "dst", "src", "UP", "LEFT"), kSyntax);
  EXPECT_EQ(run("LMOVE", "dst", "src", "LEFT", "DOWN"), kSyntax);
  EXPECT_EQ(run("LMOVE", "dst", "src", "LEFT"), arity("lmove"));
  EXPECT_EQ(run("RPOPLPUSH", "dst"), arity("rpoplpush"));
}

TEST_F(Lists, Lmpop) {
  EXPECT_EQ(run("RPUSH", "b", "1", "2", "3"), ":3");
  EXPECT_EQ(run("LMPOP", "2", "a", "b", "LEFT"), "[\"b\", [\"1\"]]");
  EXPECT_EQ(run("LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5"), "[\"b\", [\"3\", \"2\"]]");
  EXPECT_EQ(run("EXISTS", "b"), ":0");
  EXPECT_EQ(run("LMPOP", "2", "a", "b", "LEFT"), "(nil)");
  EXPECT_EQ(run("RPUSH", "a", "x", "y"), ":2");
  EXPECT_EQ(run("LMPOP", "1", "a", "left", "count", "1"), "[\"a\", [\"x\"]]");

  EXPECT_EQ(run("LMPOP", "0", "a", "LEFT"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(run("LMPOP", "-1", "a", "LEFT"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(run("LMPOP", "x", "a", "LEFT"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(run("LMPOP", "5", "a", "LEFT"), kSyntax);
  EXPECT_EQ(run("LMPOP", "2", "a", "LEFT"), kSyntax);
  EXPECT_EQ(run("LMPOP", "1", "a", "MIDDLE"), kSyntax);
  EXPECT_EQ(run("LMPOP", "1", "a", "LEFT", "COUNT", "0"), "-ERR count should be greater than 0");
  EXPECT_EQ(run("LMPOP", "1", "a", "LEFT", "COUNT", "-1"), "-ERR count should be greater than 0");
  EXPECT_EQ(run("LMPOP", "1", "a", "LEFT", "COUNT", "x"), "-ERR count should be greater than 0");
  EXPECT_EQ(run("LMPOP", "1", "a", "LEFT", "COUNT"), kSyntax);
  EXPECT_EQ(run("LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "2"), kSyntax);
  EXPECT_EQ(run("LMPOP", "1", "a", "LEFT", "FOO"), kSyntax);
  EXPECT_EQ(run("LMPOP", "1", "a"), arity("lmpop"));
  EXPECT_EQ(run("LLEN", "a"), ":1");
}

TEST_F(Lists, WrongType) {
  EXPECT_EQ(run("SET", "s", "v"), "+OK");
  for (const std::vector<std::string>& c : std::vector<std::vector<std::string>>{
           {"LPUSH", "s", "a"}, {"RPUSH", "s", "a"}, {"LPUSHX", "s", "a"}, {"RPUSHX", "s", "a"},
           {"LPOP", "s"}, {"RPOP", "s", "0"}, {"LLEN", "s"}, {"LRANGE", "s", "0", "-1"},
           {"LINDEX", "s", "0"}, {"LSET", "s", "0", "a"}, {"LINSERT", "s", "BEFORE", "a", "b"},
           {"LREM", "s", "0", "a"}, {"LTRIM", "s", "0", "1"}, {"LPOS", "s", "a"},
           {"LMOVE", "s", "d", "LEFT", "LEFT"}, {"RPOPLPUSH", "s", "d"}, {"LMPOP", "1", "s", "LEFT"},
           {"LMPOP", "2", "missing", "s", "LEFT"}}) {
    EXPECT_EQ(show(cmd(c)), kWrongType) << c[0];
  }
  // Type before index (found by tools/difftest).
  EXPECT_EQ(run("LINDEX", "s", "x"), kWrongType);
  EXPECT_EQ(run("LSET", "s", "x", "a"), kWrongType);
  // A list source with a string destination: nothing moves.
  EXPECT_EQ(run("RPUSH", "l", "a"), ":1");
  EXPECT_EQ(run("LMOVE", "l", "s", "LEFT", "LEFT"), kWrongType);
  EXPECT_EQ(run("RPOPLPUSH", "l", "s"), kWrongType);
  EXPECT_EQ(run("LLEN", "l"), ":1");
  // A missing source never looks at the destination.
  EXPECT_EQ(run("LMOVE", "missing", "s", "LEFT", "LEFT"), "(nil)");
  EXPECT_EQ(run("GET", "s"), "\"v\"");
}

TEST_F(Lists, ArityErrors) {
  EXPECT_EQ(run("LPUSH", "l"), arity("lpush"));
  EXPECT_EQ(run("RPUSH", "l"), arity("rpush"));
  EXPECT_EQ(run("LPUSHX", "l"), arity("lpushx"));
  EXPECT_EQ(run("RPUSHX", "l"), arity("rpushx"));
  EXPECT_EQ(run("LPOP"), arity("lpop"));
  EXPECT_EQ(run("LLEN"), arity("llen"));
  EXPECT_EQ(run("LLEN", "a", "b"), arity("llen"));
  EXPECT_EQ(run("LRANGE", "l", "0"), arity("lrange"));
  EXPECT_EQ(run("LINDEX", "l"), arity("lindex"));
  EXPECT_EQ(run("LSET", "l", "0"), arity("lset"));
  EXPECT_EQ(run("LREM", "l", "0"), arity("lrem"));
  EXPECT_EQ(run("LTRIM", "l", "0"), arity("ltrim"));
}

TEST_F(Lists, ObjectEncoding) {
  // Redis 7.0 reports every list as quicklist, small or large.
  EXPECT_EQ(run("RPUSH", "small", "a"), ":1");
  EXPECT_EQ(run("OBJECT", "ENCODING", "small"), "\"quicklist\"");
  std::vector<std::string> push{"RPUSH", "large"};
  for (int i = 0; i < 1000; ++i) push.push_back(std::string(100, 'x'));
  EXPECT_EQ(show(cmd(push)), ":1000");
  EXPECT_EQ(run("OBJECT", "ENCODING", "large"), "\"quicklist\"");
  EXPECT_EQ(run("LTRIM", "large", "0", "0"), "+OK");
  EXPECT_EQ(run("OBJECT", "ENCODING", "large"), "\"quicklist\"");
  EXPECT_EQ(run("RPUSH", "huge", std::string(100000, 'h')), ":1");
  EXPECT_EQ(run("OBJECT", "ENCODING", "huge"), "\"quicklist\"");
}

TEST_F(Lists, CopyRenameAndExpiry) {
  EXPECT_EQ(run("RPUSH", "l", "a", "b"), ":2");
  EXPECT_EQ(run("COPY", "l", "c"), ":1");
  EXPECT_EQ(run("RPUSH", "c", "z"), ":3");
  EXPECT_EQ(all("l"), "[\"a\", \"b\"]");
  EXPECT_EQ(run("RENAME", "c", "r"), "+OK");
  EXPECT_EQ(all("r"), "[\"a\", \"b\", \"z\"]");
  EXPECT_EQ(run("PEXPIRE", "r", "1"), ":1");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(run("LLEN", "r"), ":0");
}

TEST_F(Lists, WatchSeesListWrites) {
  EXPECT_EQ(run("RPUSH", "l", "a", "b"), ":2");
  Client other(port(), 30000);
  EXPECT_EQ(run("WATCH", "l"), "+OK");
  EXPECT_EQ(show(other.cmd({"LMPOP", "1", "l", "LEFT"})), "[\"l\", [\"a\"]]");
  EXPECT_EQ(run("MULTI"), "+OK");
  EXPECT_EQ(run("LLEN", "l"), "+QUEUED");
  EXPECT_EQ(run("EXEC"), "(nil)");
}

}  // namespace
