// Integration tests for the string commands: GET/SET and all SET options,
// SETNX/SETEX/PSETEX, GETSET/GETDEL/GETEX, MGET/MSET/MSETNX, APPEND/STRLEN,
// the INCR family, INCRBYFLOAT, GETRANGE and SETRANGE.
//
// Every expected reply below was checked against Redis 7.0.15; run with
// ERDTREE_SERVER_BIN=/usr/bin/redis-server to re-check them. One server is
// started per suite and FLUSHALL runs before each test.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/redis_errors.h"
#include "harness/shared_server.h"
#include "harness/server_process.h"

namespace {

using erdtree::itest::kWrongType;
using erdtree::itest::kNotInteger;
using erdtree::itest::kSyntax;
using erdtree::itest::Client;
using erdtree::itest::Reply;
using erdtree::itest::ServerProcess;
using erdtree::itest::SharedServerTest;
using erdtree::itest::show;

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const std::string kNotFloat = "-ERR value is not a valid float";

class StringCommands : public SharedServerTest<StringCommands> {
 protected:
  static long long ttl(const std::string& key) { return cmd({"TTL", key}).integer; }
  static long long pttl(const std::string& key) { return cmd({"PTTL", key}).integer; }

};

TEST_F(StringCommands, GetAndSetBasics) {
  EXPECT_EQ(run("GET", "k"), "(nil)");
  EXPECT_EQ(run("SET", "k", "v"), "+OK");
  EXPECT_EQ(run("GET", "k"), "\"v\"");
  EXPECT_EQ(run("SET", "k", "other"), "+OK");
  EXPECT_EQ(run("GET", "k"), "\"other\"");
  EXPECT_EQ(run("SET", "empty", ""), "+OK");
  EXPECT_EQ(run("GET", "empty"), "\"\"");
  EXPECT_EQ(run("EXISTS", "empty"), ":1");

  // Binary safety in both key and value.
  const std::string key("a\0b\r\nc", 6);
  const std::string value("x\0y\r\n$3\r\nz", 11);
  EXPECT_EQ(run("SET", key, value), "+OK");
  Reply r = cmd({"GET", key});
  ASSERT_EQ(r.type, Reply::Type::String);
  EXPECT_EQ(r.str, value);
  EXPECT_EQ(run("STRLEN", key), ":11");

  // A large value round-trips unchanged.
  std::string big(300000, 'x');
  for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(run("SET", "big", big), "+OK");
  EXPECT_EQ(cmd({"GET", "big"}).str, big);
}

TEST_F(StringCommands, ArityErrors) {
  EXPECT_EQ(run("GET"), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(run("GET", "a", "b"), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(run("SET", "k"), "-ERR wrong number of arguments for 'set' command");
  EXPECT_EQ(run("GETEX"), "-ERR wrong number of arguments for 'getex' command");
  EXPECT_EQ(run("MGET"), "-ERR wrong number of arguments for 'mget' command");
  EXPECT_EQ(run("STRLEN"), "-ERR wrong number of arguments for 'strlen' command");
  EXPECT_EQ(run("APPEND", "k"), "-ERR wrong number of arguments for 'append' command");
  EXPECT_EQ(run("INCRBY", "k"), "-ERR wrong number of arguments for 'incrby' command");
  EXPECT_EQ(run("DECRBY", "k"), "-ERR wrong number of arguments for 'decrby' command");
  EXPECT_EQ(run("INCRBYFLOAT", "k"), "-ERR wrong number of arguments for 'incrbyfloat' command");
  EXPECT_EQ(run("GETRANGE", "k", "0"), "-ERR wrong number of arguments for 'getrange' command");
  EXPECT_EQ(run("SETRANGE", "k", "0"), "-ERR wrong number of arguments for 'setrange' command");
  EXPECT_EQ(run("SETNX", "k"), "-ERR wrong number of arguments for 'setnx' command");
  EXPECT_EQ(run("SETEX", "k", "10"), "-ERR wrong number of arguments for 'setex' command");
  EXPECT_EQ(run("PSETEX", "k", "10"), "-ERR wrong number of arguments for 'psetex' command");
  EXPECT_EQ(run("GETSET", "k"), "-ERR wrong number of arguments for 'getset' command");
  EXPECT_EQ(run("GETDEL"), "-ERR wrong number of arguments for 'getdel' command");
  EXPECT_EQ(run("EXISTS", "k"), ":0");  // nothing above created a key
}

TEST_F(StringCommands, SetExpireOptionsSetTheTtl) {
  EXPECT_EQ(run("SET", "ex", "v", "EX", "100"), "+OK");
  EXPECT_EQ(ttl("ex"), 100);
  EXPECT_EQ(run("SET", "px", "v", "PX", "100000"), "+OK");
  long long p = pttl("px");
  EXPECT_GT(p, 90000);
  EXPECT_LE(p, 100000);

  const int64_t atSec = nowMs() / 1000 + 1000;
  EXPECT_EQ(run("SET", "exat", "v", "EXAT", std::to_string(atSec)), "+OK");
  EXPECT_EQ(cmd({"EXPIRETIME", "exat"}).integer, atSec);
  const int64_t atMs = nowMs() + 500000;
  EXPECT_EQ(run("SET", "pxat", "v", "PXAT", std::to_string(atMs)), "+OK");
  EXPECT_EQ(cmd({"PEXPIRETIME", "pxat"}).integer, atMs);

  // Options are case-insensitive; a repeated option is accepted and the last one wins.
  EXPECT_EQ(run("SET", "k", "v", "ex", "10", "Ex", "20"), "+OK");
  EXPECT_EQ(ttl("k"), 20);
  EXPECT_EQ(run("SET", "k", "v", "px", "100000", "PX", "200000"), "+OK");
  EXPECT_GT(pttl("k"), 100000);

  // An absolute time in the past is accepted and the key is gone at once.
  EXPECT_EQ(run("SET", "past", "v", "PXAT", "1"), "+OK");
  EXPECT_EQ(run("EXISTS", "past"), ":0");
  EXPECT_EQ(run("SET", "past", "v", "EXAT", "1"), "+OK");
  EXPECT_EQ(run("GET", "past"), "(nil)");

  // The largest PXAT is accepted.
  EXPECT_EQ(run("SET", "far", "v", "PXAT", "9223372036854775807"), "+OK");
  EXPECT_EQ(run("GET", "far"), "\"v\"");
}

TEST_F(StringCommands, SetRejectsInvalidExpireTimes) {
  const std::string err = "-ERR invalid expire time in 'set' command";
  for (const char* opt : {"EX", "PX", "EXAT", "PXAT"}) {
    SCOPED_TRACE(opt);
    EXPECT_EQ(run("SET", "k", "v", opt, "0"), err);
    EXPECT_EQ(run("SET", "k", "v", opt, "-1"), err);
    EXPECT_EQ(run("SET", "k", "v", opt, "-9223372036854775808"), err);
    EXPECT_EQ(run("SET", "k", "v", opt, "abc"), kNotInteger);
    EXPECT_EQ(run("SET", "k", "v", opt, "1.5"), kNotInteger);
    EXPECT_EQ(run("SET", "k", "v", opt, "9223372036854775808"), kNotInteger);
    EXPECT_EQ(run("SET", "k", "v", opt, ""), kNotInteger);
  }
  // Overflow once converted to an absolute time in milliseconds.
  EXPECT_EQ(run("SET", "k", "v", "EX", "9223372036854775807"), err);
  EXPECT_EQ(run("SET", "k", "v", "PX", "9223372036854775807"), err);
  EXPECT_EQ(run("SET", "k", "v", "EX", "9223372036854775"), err);
  EXPECT_EQ(run("SET", "k", "v", "EXAT", "9223372036854776"), err);
  EXPECT_EQ(run("EXISTS", "k"), ":0");
}

TEST_F(StringCommands, SetRejectsConflictingOptions) {
  EXPECT_EQ(run("SET", "k", "old"), "+OK");
  const std::vector<std::vector<std::string>> bad = {
      {"NX", "XX"},
      {"XX", "NX"},
      {"EX", "10", "PX", "100"},
      {"PX", "100", "EX", "10"},
      {"EX", "10", "EXAT", "99999999999"},
      {"EXAT", "99999999999", "PXAT", "99999999999000"},
      {"EX", "10", "KEEPTTL"},
      {"KEEPTTL", "PX", "100"},
      {"PXAT", "99999999999000", "KEEPTTL"},
      {"GET", "NX", "XX"},
      {"FOO"},
      {"EX"},          // missing value
      {"PX", "10", "PXAT"},
      {"NX", "EX"},
  };
  for (const auto& opts : bad) {
    std::vector<std::string> args = {"SET", "k", "new"};
    args.insert(args.end(), opts.begin(), opts.end());
    std::string joined;
    for (const auto& o : opts) joined += o + " ";
    SCOPED_TRACE(joined);
    EXPECT_EQ(show(cmd(args)), kSyntax);
  }
  EXPECT_EQ(run("GET", "k"), "\"old\"");
  EXPECT_EQ(ttl("k"), -1);
}

TEST_F(StringCommands, SetNxAndXx) {
  EXPECT_EQ(run("SET", "k", "1", "XX"), "(nil)");
  EXPECT_EQ(run("EXISTS", "k"), ":0");
  EXPECT_EQ(run("SET", "k", "1", "NX"), "+OK");
  EXPECT_EQ(run("SET", "k", "2", "NX"), "(nil)");
  EXPECT_EQ(run("GET", "k"), "\"1\"");
  EXPECT_EQ(run("SET", "k", "3", "XX"), "+OK");
  EXPECT_EQ(run("GET", "k"), "\"3\"");
  EXPECT_EQ(run("SET", "k", "4", "NX", "NX"), "(nil)");
  // A failed NX does not touch the TTL; a successful XX with EX sets it.
  EXPECT_EQ(run("SET", "k", "5", "NX", "EX", "100"), "(nil)");
  EXPECT_EQ(ttl("k"), -1);
  EXPECT_EQ(run("SET", "k", "6", "XX", "EX", "100"), "+OK");
  EXPECT_EQ(ttl("k"), 100);
  EXPECT_EQ(run("SET", "n", "v", "EX", "10", "NX"), "+OK");
  EXPECT_EQ(ttl("n"), 10);
}

TEST_F(StringCommands, SetWithGet) {
  EXPECT_EQ(run("SET", "k", "v1", "GET"), "(nil)");
  EXPECT_EQ(run("GET", "k"), "\"v1\"");
  EXPECT_EQ(run("SET", "k", "v2", "GET"), "\"v1\"");
  EXPECT_EQ(run("SET", "k", "v3", "GET", "GET"), "\"v2\"");
  EXPECT_EQ(run("GET", "k"), "\"v3\"");

  // NX + GET is allowed since Redis 7.0: returns the old value, sets nothing.
  EXPECT_EQ(run("SET", "k", "v4", "NX", "GET"), "\"v3\"");
  EXPECT_EQ(run("GET", "k"), "\"v3\"");
  EXPECT_EQ(run("SET", "n", "v", "NX", "GET"), "(nil)");
  EXPECT_EQ(run("GET", "n"), "\"v\"");

  // XX + GET.
  EXPECT_EQ(run("SET", "k", "v5", "XX", "GET"), "\"v3\"");
  EXPECT_EQ(run("GET", "k"), "\"v5\"");
  EXPECT_EQ(run("SET", "missing", "v", "XX", "GET"), "(nil)");
  EXPECT_EQ(run("EXISTS", "missing"), ":0");

  // GET with an expiry: old value back, new TTL applied.
  EXPECT_EQ(run("SET", "k", "v6", "GET", "EX", "100"), "\"v5\"");
  EXPECT_EQ(ttl("k"), 100);
  EXPECT_EQ(run("SET", "k", "v7", "EXAT", "1", "GET"), "\"v6\"");
  EXPECT_EQ(run("EXISTS", "k"), ":0");
}

TEST_F(StringCommands, SetWithGetOnNonString) {
  EXPECT_EQ(run("LPUSH", "l", "a"), ":1");
  EXPECT_EQ(run("SET", "l", "v", "GET"), kWrongType);
  EXPECT_EQ(run("SET", "l", "v", "NX", "GET"), kWrongType);
  EXPECT_EQ(run("SET", "l", "v", "XX", "GET"), kWrongType);
  EXPECT_EQ(run("TYPE", "l"), "+list");
  // Plain SET overwrites a key of any type.
  EXPECT_EQ(run("SET", "l", "v"), "+OK");
  EXPECT_EQ(run("TYPE", "l"), "+string");
  EXPECT_EQ(run("GET", "l"), "\"v\"");
  // KEEPTTL keeps the TTL of a value of another type too (found by tools/difftest).
  EXPECT_EQ(run("HSET", "h", "f", "x"), ":1");
  EXPECT_EQ(run("EXPIRE", "h", "100"), ":1");
  EXPECT_EQ(run("SET", "h", "v", "KEEPTTL"), "+OK");
  EXPECT_EQ(run("TYPE", "h"), "+string");
  EXPECT_EQ(ttl("h"), 100);
}

TEST_F(StringCommands, SetnxSetexPsetex) {
  EXPECT_EQ(run("SETNX", "k", "1"), ":1");
  EXPECT_EQ(run("SETNX", "k", "2"), ":0");
  EXPECT_EQ(run("GET", "k"), "\"1\"");

  EXPECT_EQ(run("SETEX", "k", "100", "v"), "+OK");
  EXPECT_EQ(run("GET", "k"), "\"v\"");
  EXPECT_EQ(ttl("k"), 100);
  EXPECT_EQ(run("PSETEX", "p", "100000", "v"), "+OK");
  EXPECT_GT(pttl("p"), 90000);
  EXPECT_EQ(run("GET", "p"), "\"v\"");

  EXPECT_EQ(run("SETEX", "x", "0", "v"), "-ERR invalid expire time in 'setex' command");
  EXPECT_EQ(run("SETEX", "x", "-5", "v"), "-ERR invalid expire time in 'setex' command");
  EXPECT_EQ(run("SETEX", "x", "9223372036854775807", "v"),
            "-ERR invalid expire time in 'setex' command");
  EXPECT_EQ(run("SETEX", "x", "abc", "v"), kNotInteger);
  EXPECT_EQ(run("PSETEX", "x", "0", "v"), "-ERR invalid expire time in 'psetex' command");
  EXPECT_EQ(run("PSETEX", "x", "-1", "v"), "-ERR invalid expire time in 'psetex' command");
  EXPECT_EQ(run("PSETEX", "x", "9223372036854775807", "v"),
            "-ERR invalid expire time in 'psetex' command");
  EXPECT_EQ(run("PSETEX", "x", "1.5", "v"), kNotInteger);
  EXPECT_EQ(run("EXISTS", "x"), ":0");
}

TEST_F(StringCommands, GetsetAndGetdel) {
  EXPECT_EQ(run("GETSET", "k", "a"), "(nil)");
  EXPECT_EQ(run("GET", "k"), "\"a\"");
  EXPECT_EQ(run("SET", "k", "b", "EX", "100"), "+OK");
  EXPECT_EQ(run("GETSET", "k", "c"), "\"b\"");
  EXPECT_EQ(ttl("k"), -1);  // GETSET discards the TTL
  EXPECT_EQ(run("GETDEL", "k"), "\"c\"");
  EXPECT_EQ(run("EXISTS", "k"), ":0");
  EXPECT_EQ(run("GETDEL", "k"), "(nil)");
}

TEST_F(StringCommands, Getex) {
  EXPECT_EQ(run("GETEX", "missing"), "(nil)");
  EXPECT_EQ(run("GETEX", "missing", "EX", "10"), "(nil)");
  EXPECT_EQ(run("EXISTS", "missing"), ":0");

  EXPECT_EQ(run("SET", "k", "v"), "+OK");
  EXPECT_EQ(run("GETEX", "k"), "\"v\"");
  EXPECT_EQ(ttl("k"), -1);
  EXPECT_EQ(run("GETEX", "k", "EX", "100"), "\"v\"");
  EXPECT_EQ(ttl("k"), 100);
  EXPECT_EQ(run("GETEX", "k"), "\"v\"");  // no option: TTL untouched
  EXPECT_EQ(ttl("k"), 100);
  EXPECT_EQ(run("GETEX", "k", "PERSIST"), "\"v\"");
  EXPECT_EQ(ttl("k"), -1);
  EXPECT_EQ(run("GETEX", "k", "PX", "50000"), "\"v\"");
  EXPECT_GT(pttl("k"), 40000);
  EXPECT_LE(pttl("k"), 50000);
  EXPECT_EQ(run("GETEX", "k", "persist", "PERSIST"), "\"v\"");
  EXPECT_EQ(ttl("k"), -1);
  EXPECT_EQ(run("GETEX", "k", "EXAT", "99999999999"), "\"v\"");
  EXPECT_EQ(run("EXPIRETIME", "k"), ":99999999999");
  EXPECT_EQ(run("GETEX", "k", "PXAT", "99999999999123"), "\"v\"");
  EXPECT_EQ(run("PEXPIRETIME", "k"), ":99999999999123");

  const std::string err = "-ERR invalid expire time in 'getex' command";
  EXPECT_EQ(run("GETEX", "k", "EX", "0"), err);
  EXPECT_EQ(run("GETEX", "k", "EX", "-1"), err);
  EXPECT_EQ(run("GETEX", "k", "PX", "0"), err);
  EXPECT_EQ(run("GETEX", "k", "EXAT", "0"), err);
  EXPECT_EQ(run("GETEX", "k", "PXAT", "-5"), err);
  EXPECT_EQ(run("GETEX", "k", "EX", "9223372036854775807"), err);
  EXPECT_EQ(run("GETEX", "k", "EX", "abc"), kNotInteger);
  EXPECT_EQ(run("GETEX", "k", "EX", "1", "PX", "1"), kSyntax);
  EXPECT_EQ(run("GETEX", "k", "PERSIST", "EX", "1"), kSyntax);
  EXPECT_EQ(run("GETEX", "k", "EX", "1", "PERSIST"), kSyntax);
  EXPECT_EQ(run("GETEX", "k", "FOO"), kSyntax);
  EXPECT_EQ(run("GETEX", "k", "EX"), kSyntax);
  EXPECT_EQ(run("PEXPIRETIME", "k"), ":99999999999123");  // errors changed nothing
  // As Redis 7.0, the expire value is checked only after the key was looked
  // up (found by tools/difftest): a missing key answers nil; syntax errors
  // still come first.
  EXPECT_EQ(run("GETEX", "missing", "PX", "abc"), "(nil)");
  EXPECT_EQ(run("GETEX", "missing", "EX", "0"), "(nil)");
  EXPECT_EQ(run("GETEX", "missing", "EX", "1", "PX", "1"), kSyntax);

  // An absolute time in the past deletes the key but still returns the value.
  EXPECT_EQ(run("GETEX", "k", "PXAT", "1"), "\"v\"");
  EXPECT_EQ(run("EXISTS", "k"), ":0");
}

TEST_F(StringCommands, MgetMsetMsetnx) {
  EXPECT_EQ(run("MSET", "a", "1", "b", "2", "c", "3"), "+OK");
  EXPECT_EQ(run("MGET", "a", "missing", "c", "b", "a"), "[\"1\", (nil), \"3\", \"2\", \"1\"]");
  EXPECT_EQ(run("MGET", "missing"), "[(nil)]");
  EXPECT_EQ(run("MSET", "a", "1", "b"), "-ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(run("MSET", "a"), "-ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(run("MSET", "a", "x", "a", "y"), "+OK");  // later pair wins
  EXPECT_EQ(run("GET", "a"), "\"y\"");

  EXPECT_EQ(run("MSETNX", "a", "9", "d", "4"), ":0");  // a exists: nothing set
  EXPECT_EQ(run("EXISTS", "d"), ":0");
  EXPECT_EQ(run("GET", "a"), "\"y\"");
  EXPECT_EQ(run("MSETNX", "d", "4", "e", "5"), ":1");
  EXPECT_EQ(run("MGET", "d", "e"), "[\"4\", \"5\"]");
  EXPECT_EQ(run("MSETNX", "f", "1", "f", "2"), ":1");
  EXPECT_EQ(run("GET", "f"), "\"2\"");
  EXPECT_EQ(run("MSETNX", "x", "1", "y"), "-ERR wrong number of arguments for 'msetnx' command");
  EXPECT_EQ(run("MSETNX", "x"), "-ERR wrong number of arguments for 'msetnx' command");
  EXPECT_EQ(run("EXISTS", "x", "y"), ":0");

  // MSET discards TTLs of the keys it overwrites.
  EXPECT_EQ(run("SET", "t", "v", "EX", "100"), "+OK");
  EXPECT_EQ(run("MSET", "t", "w"), "+OK");
  EXPECT_EQ(ttl("t"), -1);
}

TEST_F(StringCommands, MgetReturnsNilForNonStrings) {
  EXPECT_EQ(run("SET", "s", "v"), "+OK");
  EXPECT_EQ(run("LPUSH", "l", "x"), ":1");
  EXPECT_EQ(run("SADD", "st", "x"), ":1");
  EXPECT_EQ(run("HSET", "h", "f", "x"), ":1");
  EXPECT_EQ(run("MGET", "l", "s", "st", "missing", "h"), "[(nil), \"v\", (nil), (nil), (nil)]");
  EXPECT_EQ(run("MSETNX", "l", "1", "z", "1"), ":0");  // any existing key blocks MSETNX
  EXPECT_EQ(run("EXISTS", "z"), ":0");
}

TEST_F(StringCommands, AppendAndStrlen) {
  EXPECT_EQ(run("STRLEN", "k"), ":0");
  EXPECT_EQ(run("APPEND", "k", "hello"), ":5");
  EXPECT_EQ(run("APPEND", "k", " world"), ":11");
  EXPECT_EQ(run("GET", "k"), "\"hello world\"");
  EXPECT_EQ(run("STRLEN", "k"), ":11");
  EXPECT_EQ(run("APPEND", "k", ""), ":11");
  EXPECT_EQ(run("APPEND", "e", ""), ":0");
  EXPECT_EQ(run("EXISTS", "e"), ":1");  // APPEND of nothing still creates the key
  EXPECT_EQ(run("GET", "e"), "\"\"");

  EXPECT_EQ(run("SET", "n", "123"), "+OK");
  EXPECT_EQ(run("STRLEN", "n"), ":3");
  EXPECT_EQ(run("APPEND", "n", "4"), ":4");
  EXPECT_EQ(run("GET", "n"), "\"1234\"");
  EXPECT_EQ(run("INCR", "n"), ":1235");
  EXPECT_EQ(run("SET", "m", "-9223372036854775808"), "+OK");
  EXPECT_EQ(run("STRLEN", "m"), ":20");

  // Many appends build a long value correctly.
  std::string expect;
  for (int i = 0; i < 200; ++i) {
    std::string piece = std::to_string(i) + ",";
    expect += piece;
    ASSERT_EQ(cmd({"APPEND", "long", piece}).integer, static_cast<long long>(expect.size()));
  }
  EXPECT_EQ(cmd({"GET", "long"}).str, expect);

  // APPEND keeps the TTL.
  EXPECT_EQ(run("SET", "t", "a", "EX", "100"), "+OK");
  EXPECT_EQ(run("APPEND", "t", "b"), ":2");
  EXPECT_EQ(ttl("t"), 100);
}

TEST_F(StringCommands, IncrDecrFamily) {
  EXPECT_EQ(run("INCR", "n"), ":1");
  EXPECT_EQ(run("GET", "n"), "\"1\"");
  EXPECT_EQ(run("DECR", "m"), ":-1");
  EXPECT_EQ(run("SET", "i", "10"), "+OK");
  EXPECT_EQ(run("INCR", "i"), ":11");
  EXPECT_EQ(run("DECR", "i"), ":10");
  EXPECT_EQ(run("INCRBY", "i", "5"), ":15");
  EXPECT_EQ(run("INCRBY", "i", "-20"), ":-5");
  EXPECT_EQ(run("DECRBY", "i", "-7"), ":2");
  EXPECT_EQ(run("DECRBY", "i", "2"), ":0");
  EXPECT_EQ(run("GET", "i"), "\"0\"");
  EXPECT_EQ(run("SET", "neg", "-1"), "+OK");
  EXPECT_EQ(run("INCR", "neg"), ":0");
  EXPECT_EQ(run("SET", "z", "0"), "+OK");
  EXPECT_EQ(run("INCR", "z"), ":1");
  EXPECT_EQ(run("SET", "t", "5", "EX", "100"), "+OK");
  EXPECT_EQ(run("INCRBY", "t", "1"), ":6");
  EXPECT_EQ(ttl("t"), 100);  // INCR keeps the TTL
}

TEST_F(StringCommands, IncrOverflow) {
  const std::string overflow = "-ERR increment or decrement would overflow";
  EXPECT_EQ(run("SET", "i", "9223372036854775807"), "+OK");
  EXPECT_EQ(run("INCR", "i"), overflow);
  EXPECT_EQ(run("INCRBY", "i", "1"), overflow);
  EXPECT_EQ(run("DECRBY", "i", "-1"), overflow);
  EXPECT_EQ(run("INCRBY", "i", "0"), ":9223372036854775807");
  EXPECT_EQ(run("SET", "i", "-9223372036854775808"), "+OK");
  EXPECT_EQ(run("DECR", "i"), overflow);
  EXPECT_EQ(run("DECRBY", "i", "1"), overflow);
  EXPECT_EQ(run("INCRBY", "i", "-1"), overflow);
  EXPECT_EQ(run("GET", "i"), "\"-9223372036854775808\"");
  EXPECT_EQ(run("SET", "i", "1"), "+OK");
  EXPECT_EQ(run("INCRBY", "i", "9223372036854775807"), overflow);
  // DECRBY cannot negate LLONG_MIN: a dedicated message.
  EXPECT_EQ(run("SET", "i", "0"), "+OK");
  EXPECT_EQ(run("DECRBY", "i", "-9223372036854775808"), "-ERR decrement would overflow");
  EXPECT_EQ(run("INCRBY", "i", "-9223372036854775808"), ":-9223372036854775808");
  EXPECT_EQ(run("INCRBY", "x", "9223372036854775808"), kNotInteger);
  EXPECT_EQ(run("EXISTS", "x"), ":0");
}

TEST_F(StringCommands, IncrRejectsNonIntegers) {
  for (const char* v : {" 1", "1 ", "01", "00", "+1", "-0", "", "1.5", "abc", "1e3", "0x10",
                        "9223372036854775808", "-9223372036854775809", "1\n"}) {
    SCOPED_TRACE(std::string("value [") + v + "]");
    EXPECT_EQ(run("SET", "s", v), "+OK");
    EXPECT_EQ(run("INCR", "s"), kNotInteger);
    EXPECT_EQ(run("DECR", "s"), kNotInteger);
    EXPECT_EQ(run("INCRBY", "s", "1"), kNotInteger);
    EXPECT_EQ(cmd({"GET", "s"}).str, v);  // unchanged
  }
  EXPECT_EQ(run("SET", "i", "1"), "+OK");
  for (const char* by : {"abc", "1.0", " 1", "01", "", "9223372036854775808"}) {
    SCOPED_TRACE(std::string("increment [") + by + "]");
    EXPECT_EQ(run("INCRBY", "i", by), kNotInteger);
    EXPECT_EQ(run("DECRBY", "i", by), kNotInteger);
  }
  EXPECT_EQ(run("GET", "i"), "\"1\"");
}

TEST_F(StringCommands, IncrByFloat) {
  EXPECT_EQ(run("INCRBYFLOAT", "x", "10.5"), "\"10.5\"");
  EXPECT_EQ(run("INCRBYFLOAT", "x", "0.1"), "\"10.6\"");
  EXPECT_EQ(run("INCRBYFLOAT", "x", "-5"), "\"5.6\"");
  EXPECT_EQ(run("GET", "x"), "\"5.6\"");
  EXPECT_EQ(run("INCRBYFLOAT", "y", "5.0e3"), "\"5000\"");
  EXPECT_EQ(run("INCRBYFLOAT", "y", "2.0e2"), "\"5200\"");
  EXPECT_EQ(run("SET", "z", "3.0000000000000000"), "+OK");
  EXPECT_EQ(run("INCRBYFLOAT", "z", "0"), "\"3\"");
  EXPECT_EQ(run("SET", "z", "1"), "+OK");
  EXPECT_EQ(run("INCRBYFLOAT", "z", "1.5"), "\"2.5\"");
  EXPECT_EQ(run("INCRBYFLOAT", "z", "-2.5"), "\"0\"");
  EXPECT_EQ(run("INCRBYFLOAT", "z", "-1"), "\"-1\"");
  EXPECT_EQ(run("INCRBYFLOAT", "m", "0.1"), "\"0.1\"");
  EXPECT_EQ(run("INCRBYFLOAT", "m", "0.2"), "\"0.3\"");
  EXPECT_EQ(run("INCRBYFLOAT", "small", "1e-5"), "\"0.00001\"");
  EXPECT_EQ(run("INCRBYFLOAT", "tiny", "1e-20"), "\"0\"");  // 17 decimals at most
  EXPECT_EQ(run("INCRBYFLOAT", "nz", "-0.0"), "\"0\"");
  EXPECT_EQ(run("INCRBYFLOAT", "u", ".5"), "\"0.5\"");
  EXPECT_EQ(run("INCRBYFLOAT", "u", "5."), "\"5.5\"");
  EXPECT_EQ(run("SET", "q", "5"), "+OK");
  EXPECT_EQ(run("INCRBYFLOAT", "q", "1e10"), "\"10000000005\"");
  EXPECT_EQ(run("INCRBYFLOAT", "e", "1.0e17"), "\"100000000000000000\"");
  EXPECT_EQ(run("INCRBYFLOAT", "pi", "3.14159265358979323846"), "\"3.14159265358979324\"");
  EXPECT_EQ(run("SET", "t", "2", "EX", "100"), "+OK");
  EXPECT_EQ(run("INCRBYFLOAT", "t", "0.5"), "\"2.5\"");
  EXPECT_EQ(ttl("t"), 100);  // keeps the TTL
}

TEST_F(StringCommands, IncrByFloatErrors) {
  const std::string nanInf = "-ERR increment would produce NaN or Infinity";
  EXPECT_EQ(run("INCRBYFLOAT", "n", "inf"), nanInf);
  EXPECT_EQ(run("INCRBYFLOAT", "n", "-inf"), nanInf);
  EXPECT_EQ(run("INCRBYFLOAT", "n", "nan"), kNotFloat);
  EXPECT_EQ(run("EXISTS", "n"), ":0");
  for (const char* by : {"abc", "1 ", " 1", "", "1.5x", "--1"}) {
    SCOPED_TRACE(std::string("increment [") + by + "]");
    EXPECT_EQ(run("INCRBYFLOAT", "n", by), kNotFloat);
  }
  for (const char* v : {"abc", "1.5 ", " 1.5", "", "1,5"}) {
    SCOPED_TRACE(std::string("value [") + v + "]");
    EXPECT_EQ(run("SET", "s", v), "+OK");
    EXPECT_EQ(run("INCRBYFLOAT", "s", "1"), kNotFloat);
    EXPECT_EQ(cmd({"GET", "s"}).str, v);
  }
  EXPECT_EQ(run("SET", "t", "inf"), "+OK");
  EXPECT_EQ(run("INCRBYFLOAT", "t", "1"), nanInf);
  EXPECT_EQ(run("GET", "t"), "\"inf\"");
}

// Redis computes INCRBYFLOAT in long double (x86 80-bit) parsed by strtold and
// prints "%.17Lf" with trailing zeros trimmed; these replies follow from that.
TEST_F(StringCommands, IncrByFloatLongDoubleBehaviour) {
  EXPECT_EQ(run("INCRBYFLOAT", "h", "0x10"), "\"16\"");  // strtold accepts hex
  EXPECT_EQ(run("SET", "big", "1.7976931348623157e308"), "+OK");
  // DBL_MAX + DBL_MAX does not overflow in long double; printed in full.
  EXPECT_EQ(run("INCRBYFLOAT", "big", "1.7976931348623157e308"),
            "\"3595386269724631399918420935482088680967728938886583569706288415303532570462487927"
            "0940373721677417112885758683885104137861741672690227211071579455605295523414699795537"
            "2576789671236326588091188869859074894581254961338834769297758245552436667197907705664"
            "206565009503223382416235440319971852753604933726679072768\"");
}

TEST_F(StringCommands, Getrange) {
  EXPECT_EQ(run("SET", "s", "Hello World"), "+OK");
  EXPECT_EQ(run("GETRANGE", "s", "0", "4"), "\"Hello\"");
  EXPECT_EQ(run("GETRANGE", "s", "-5", "-1"), "\"World\"");
  EXPECT_EQ(run("GETRANGE", "s", "0", "-1"), "\"Hello World\"");
  EXPECT_EQ(run("GETRANGE", "s", "-1", "-1"), "\"d\"");
  EXPECT_EQ(run("GETRANGE", "s", "-100", "2"), "\"Hel\"");
  EXPECT_EQ(run("GETRANGE", "s", "5", "100"), "\" World\"");
  EXPECT_EQ(run("GETRANGE", "s", "8", "3"), "\"\"");
  EXPECT_EQ(run("GETRANGE", "s", "20", "30"), "\"\"");
  EXPECT_EQ(run("GETRANGE", "s", "-1", "-5"), "\"\"");
  // Negative indexes beyond the start are clamped to 0, so the first byte
  // comes back even when both are far out of range.
  EXPECT_EQ(run("GETRANGE", "s", "0", "-100"), "\"H\"");
  EXPECT_EQ(run("GETRANGE", "s", "-100", "-50"), "\"H\"");
  EXPECT_EQ(run("GETRANGE", "s", "0", "9223372036854775807"), "\"Hello World\"");
  EXPECT_EQ(run("GETRANGE", "s", "-9223372036854775808", "5"), "\"Hello \"");
  EXPECT_EQ(run("GETRANGE", "s", "a", "1"), kNotInteger);
  EXPECT_EQ(run("GETRANGE", "s", "0", "1.0"), kNotInteger);
  EXPECT_EQ(run("GETRANGE", "missing", "0", "10"), "\"\"");
  EXPECT_EQ(run("SET", "e", ""), "+OK");
  EXPECT_EQ(run("GETRANGE", "e", "0", "-1"), "\"\"");
  EXPECT_EQ(run("GETRANGE", "e", "0", "0"), "\"\"");
  EXPECT_EQ(run("SET", "n", "12345"), "+OK");
  EXPECT_EQ(run("GETRANGE", "n", "1", "2"), "\"23\"");
  EXPECT_EQ(run("SUBSTR", "s", "0", "2"), "\"Hel\"");
}

TEST_F(StringCommands, Setrange) {
  EXPECT_EQ(run("SETRANGE", "p", "5", "ab"), ":7");
  EXPECT_EQ(cmd({"GET", "p"}).str, std::string("\0\0\0\0\0ab", 7));
  EXPECT_EQ(run("SET", "s", "Hello World"), "+OK");
  EXPECT_EQ(run("SETRANGE", "s", "6", "Redis"), ":11");
  EXPECT_EQ(run("GET", "s"), "\"Hello Redis\"");
  EXPECT_EQ(run("SETRANGE", "s", "9", "xyz"), ":12");
  EXPECT_EQ(run("GET", "s"), "\"Hello Redxyz\"");
  EXPECT_EQ(run("SETRANGE", "s", "14", "!"), ":15");
  EXPECT_EQ(cmd({"GET", "s"}).str, std::string("Hello Redxyz\0\0!", 15));
  EXPECT_EQ(run("SETRANGE", "s", "0", ""), ":15");

  // A zero-length write to a missing key creates nothing, whatever the offset.
  EXPECT_EQ(run("SETRANGE", "none", "0", ""), ":0");
  EXPECT_EQ(run("SETRANGE", "none", "10", ""), ":0");
  EXPECT_EQ(run("SETRANGE", "none", "536870912", ""), ":0");
  EXPECT_EQ(run("EXISTS", "none"), ":0");

  // Limits. A negative offset is checked first, the size limit (512 MB) only
  // when bytes would actually be written.
  const std::string tooBig = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)";
  EXPECT_EQ(run("SETRANGE", "s", "-1", "x"), "-ERR offset is out of range");
  EXPECT_EQ(run("SETRANGE", "s", "-1", ""), "-ERR offset is out of range");
  EXPECT_EQ(run("SETRANGE", "none", "-1", ""), "-ERR offset is out of range");
  EXPECT_EQ(run("SETRANGE", "s", "536870912", "x"), tooBig);
  EXPECT_EQ(run("SETRANGE", "s", "536870911", "xy"), tooBig);
  EXPECT_EQ(run("SETRANGE", "s", "4294967296", "x"), tooBig);
  EXPECT_EQ(run("SETRANGE", "s", "9223372036854775807", "x"), tooBig);
  EXPECT_EQ(run("SETRANGE", "none", "536870912", "x"), tooBig);
  EXPECT_EQ(run("SETRANGE", "s", "536870912", ""), ":15");
  EXPECT_EQ(run("SETRANGE", "s", "abc", "x"), kNotInteger);
  EXPECT_EQ(run("SETRANGE", "s", "9223372036854775808", "x"), kNotInteger);
  EXPECT_EQ(run("EXISTS", "none"), ":0");
  EXPECT_EQ(run("STRLEN", "s"), ":15");

  // Works on integer-looking values and keeps the TTL.
  EXPECT_EQ(run("SET", "n", "123", "EX", "100"), "+OK");
  EXPECT_EQ(run("SETRANGE", "n", "1", "9"), ":3");
  EXPECT_EQ(run("GET", "n"), "\"193\"");
  EXPECT_EQ(run("INCR", "n"), ":194");
  EXPECT_EQ(ttl("n"), 100);
}

TEST_F(StringCommands, WrongTypeErrors) {
  EXPECT_EQ(run("LPUSH", "l", "a"), ":1");
  EXPECT_EQ(run("GET", "l"), kWrongType);
  EXPECT_EQ(run("GETSET", "l", "x"), kWrongType);
  EXPECT_EQ(run("GETDEL", "l"), kWrongType);
  EXPECT_EQ(run("GETEX", "l"), kWrongType);
  EXPECT_EQ(run("GETEX", "l", "EX", "10"), kWrongType);
  EXPECT_EQ(run("APPEND", "l", "x"), kWrongType);
  EXPECT_EQ(run("STRLEN", "l"), kWrongType);
  EXPECT_EQ(run("INCR", "l"), kWrongType);
  EXPECT_EQ(run("DECRBY", "l", "2"), kWrongType);
  EXPECT_EQ(run("INCRBYFLOAT", "l", "1"), kWrongType);
  EXPECT_EQ(run("GETRANGE", "l", "0", "1"), kWrongType);
  EXPECT_EQ(run("SETRANGE", "l", "0", "x"), kWrongType);
  EXPECT_EQ(run("SETRANGE", "l", "0", ""), kWrongType);
  EXPECT_EQ(run("SETNX", "l", "x"), ":0");
  EXPECT_EQ(run("TTL", "l"), ":-1");  // errors above did not touch it
  EXPECT_EQ(run("TYPE", "l"), "+list");
  EXPECT_EQ(run("LRANGE", "l", "0", "-1"), "[\"a\"]");
  // The type is checked before the expire value (Redis 7.0 order).
  EXPECT_EQ(run("GETEX", "l", "PX", "abc"), kWrongType);
  EXPECT_EQ(run("GETEX", "l", "EX", "0"), kWrongType);
  // Hashes and sets are just as wrong.
  EXPECT_EQ(run("HSET", "h", "f", "v"), ":1");
  EXPECT_EQ(run("SADD", "st", "m"), ":1");
  for (const std::string k : {"h", "st"}) {
    EXPECT_EQ(run("GET", k), kWrongType) << k;
    EXPECT_EQ(run("APPEND", k, "x"), kWrongType) << k;
    EXPECT_EQ(run("INCRBYFLOAT", k, "1"), kWrongType) << k;
    EXPECT_EQ(run("SET", k, "v", "GET"), kWrongType) << k;
  }
  EXPECT_EQ(run("TYPE", "h"), "+hash");
  EXPECT_EQ(run("TYPE", "st"), "+set");
}

}  // namespace
