// Real client programs against the server: redis-cli (commands, --pipe mass
// insert, exit codes), Debian's python3-redis, and redis-benchmark. A test is
// skipped only when the tool itself is missing from this machine.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/process.h"
#include "harness/shared_server.h"
#include "harness/server_process.h"

namespace erdtree::itest {
namespace {

const char* kRedisCli = "/usr/bin/redis-cli";
const char* kRedisBenchmark = "/usr/bin/redis-benchmark";
const char* kPython = "/usr/bin/python3";  // Debian's, which has python3-redis

class ClientsTest : public SharedServerTest<ClientsTest> {
 protected:
  static ProcessResult cli(std::vector<std::string> args, const std::string& input = "", int timeoutMs = 30000) {
    std::vector<std::string> argv{kRedisCli, "-h", "127.0.0.1", "-p", std::to_string(port())};
    argv.insert(argv.end(), args.begin(), args.end());
    return runProcess(argv, input, timeoutMs);
  }
};


#define REQUIRE_TOOL(path) \
  if (!executable(path)) GTEST_SKIP() << path << " is not installed on this machine"

TEST_F(ClientsTest, RedisCliBasicCommands) {
  REQUIRE_TOOL(kRedisCli);
  auto r = cli({"SET", "foo", "bar"});
  EXPECT_EQ(r.exitCode(), 0) << r.describe();
  EXPECT_EQ(r.out, "OK\n");
  r = cli({"GET", "foo"});
  EXPECT_EQ(r.exitCode(), 0) << r.describe();
  EXPECT_EQ(r.out, "bar\n");
  r = cli({"GET", "missing"});
  EXPECT_EQ(r.out, "\n") << r.describe();
  r = cli({"INCR", "n"});
  EXPECT_EQ(r.out, "1\n") << r.describe();
  r = cli({"INCRBY", "n", "41"});
  EXPECT_EQ(r.out, "42\n") << r.describe();
  r = cli({"MGET", "foo", "missing", "n"});
  EXPECT_EQ(r.out, "bar\n\n42\n") << r.describe();
  r = cli({"SET", "spaced", "a value with spaces"});
  EXPECT_EQ(r.out, "OK\n");
  r = cli({"GET", "spaced"});
  EXPECT_EQ(r.out, "a value with spaces\n");
  // redis-cli's startup handshake (COMMAND DOCS etc.) is not needed in this
  // mode, but the commands it sends must not break anything.
  r = cli({"PING"});
  EXPECT_EQ(r.out, "PONG\n");
  r = cli({"-n", "3", "SET", "indb3", "x"});
  EXPECT_EQ(r.out, "OK\n") << r.describe();
  Client c(port());
  EXPECT_EQ(c.cmd({"GET", "foo"}).repr(), "$bar");
  EXPECT_EQ(c.cmd({"SELECT", "3"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"GET", "indb3"}).repr(), "$x");
}

TEST_F(ClientsTest, RedisCliErrorsAndExitCodes) {
  REQUIRE_TOOL(kRedisCli);
  ASSERT_EQ(cli({"SET", "foo", "bar"}).out, "OK\n");
  // An error reply is printed (followed by an empty line); redis-cli 7.0
  // still exits 0.
  auto r = cli({"INCR", "foo"});
  EXPECT_EQ(r.exitCode(), 0) << r.describe();
  EXPECT_EQ(r.out, "ERR value is not an integer or out of range\n\n") << r.describe();
  r = cli({"NOSUCHCOMMAND", "x"});
  EXPECT_EQ(r.out, "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' \n\n") << r.describe();
  // No server on the port: exit code 1.
  int deadPort = pickFreePort();
  r = runProcess({kRedisCli, "-h", "127.0.0.1", "-p", std::to_string(deadPort), "PING"}, "", 30000);
  EXPECT_EQ(r.exitCode(), 1) << r.describe();
  EXPECT_NE((r.out + r.err).find("Connection refused"), std::string::npos) << r.describe();
}

TEST_F(ClientsTest, RedisCliPipeMassInsert) {
  REQUIRE_TOOL(kRedisCli);
  const int n = 10000;
  std::string input;
  for (int i = 0; i < n; ++i) {
    std::string key = strCat({"mass:", std::to_string(i)});
    std::string value = strCat({"value-", std::to_string(i)});
    input += strCat({"*3\r\n$3\r\nSET\r\n$", std::to_string(key.size())}) + "\r\n" + key + "\r\n$" +
             std::to_string(value.size()) + "\r\n" + value + "\r\n";
  }
  auto r = cli({"--pipe"}, input, 60000);
  EXPECT_EQ(r.exitCode(), 0) << r.describe();
  EXPECT_NE(r.out.find(strCat({"errors: 0, replies: ", std::to_string(n)})), std::string::npos) << r.describe();
  Client c(port());
  EXPECT_EQ(c.cmd({"DBSIZE"}).repr(), strCat({":", std::to_string(n)}));
  EXPECT_EQ(c.cmd({"GET", "mass:0"}).repr(), "$value-0");
  EXPECT_EQ(c.cmd({"GET", "mass:9999"}).repr(), "$value-9999");

  // With a failing command among them: errors are counted and the exit code is 1.
  r = cli({"--pipe"}, "SET a 1\r\nINCR a\r\nINCR mass:1\r\n", 30000);
  EXPECT_EQ(r.exitCode(), 1) << r.describe();
  EXPECT_NE(r.out.find("errors: 1, replies: 3"), std::string::npos) << r.describe();
  EXPECT_EQ(c.cmd({"GET", "a"}).repr(), "$2");
}

TEST_F(ClientsTest, PythonRedisClient) {
  REQUIRE_TOOL(kPython);
  auto probe = runProcess({kPython, "-c", "import redis"}, "", 30000);
  if (probe.exitCode() != 0) GTEST_SKIP() << "python3-redis is not installed for " << kPython << ": " << probe.err;
  const std::string script = R"PY(
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), socket_timeout=10)
assert r.ping() is True
assert r.set("greeting", "hello") is True
assert r.get("greeting") == b"hello"
assert r.get("missing") is None
assert r.incr("counter") == 1
assert r.incr("counter", 9) == 10
assert r.incrby("counter", 5) == 15
assert r.set("bin", bytes(range(256))) is True
assert r.get("bin") == bytes(range(256))
p = r.pipeline(transaction=False)
for i in range(100):
    p.set("pipe:%d" % i, i)
p.get("pipe:42")
p.incr("counter")
res = p.execute()
assert res[:100] == [True] * 100, res[:5]
assert res[100] == b"42", res[100]
assert res[101] == 16, res[101]
assert r.expire("greeting", 100) is True
ttl = r.ttl("greeting")
assert 90 <= ttl <= 100, ttl
assert r.expire("missing", 100) is False
assert r.ttl("missing") == -2
assert r.persist("greeting") is True
assert r.ttl("greeting") == -1
keys = sorted(k.decode() for k in r.scan_iter(match="pipe:*", count=10))
assert keys == sorted("pipe:%d" % i for i in range(100)), keys[:5]
assert len(list(r.scan_iter())) == 103
assert r.delete("greeting", "missing") == 1
assert r.exists("greeting") == 0
assert r.dbsize() == 102
try:
    r.incr("bin")
    raise AssertionError("INCR on a non-integer must fail")
except redis.exceptions.ResponseError as e:
    assert str(e) == "value is not an integer or out of range", str(e)
info = r.info()
assert info["role"] == "master"
assert info["tcp_port"] == int(sys.argv[1])
print("python-ok")
)PY";
  auto r = runProcess({kPython, "-c", script, std::to_string(port())}, "", 60000);
  EXPECT_EQ(r.exitCode(), 0) << r.describe();
  EXPECT_EQ(r.out, "python-ok\n") << r.describe();
  Client c(port());
  EXPECT_EQ(c.cmd({"GET", "counter"}).repr(), "$16");
}

TEST_F(ClientsTest, PythonRedisDataTypesTransactionsPubSub) {
  REQUIRE_TOOL(kPython);
  auto probe = runProcess({kPython, "-c", "import redis"}, "", 30000);
  if (probe.exitCode() != 0) GTEST_SKIP() << "python3-redis is not installed for " << kPython << ": " << probe.err;
  const std::string script = R"PY(
import sys, time, redis
port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
r.delete("py:list", "py:hash", "py:set", "py:set2", "py:count")
# lists
assert r.rpush("py:list", "a", "b", "c") == 3
assert r.lpush("py:list", "z") == 4
assert r.lrange("py:list", 0, -1) == [b"z", b"a", b"b", b"c"]
assert r.lpop("py:list") == b"z"
assert r.rpop("py:list", 2) == [b"c", b"b"]
assert r.llen("py:list") == 1
# hashes
assert r.hset("py:hash", mapping={"f1": "v1", "f2": "2"}) == 2
assert r.hgetall("py:hash") == {b"f1": b"v1", b"f2": b"2"}
assert r.hincrby("py:hash", "f2", 40) == 42
assert r.hincrbyfloat("py:hash", "f3", 1.5) == 1.5
assert sorted(r.hkeys("py:hash")) == [b"f1", b"f2", b"f3"]
assert dict(r.hscan_iter("py:hash")) == {b"f1": b"v1", b"f2": b"42", b"f3": b"1.5"}
# sets
assert r.sadd("py:set", 1, 2, 3, "x") == 4
assert r.sadd("py:set2", 2, 3, 4) == 3
assert r.smembers("py:set") == {b"1", b"2", b"3", b"x"}
assert r.sinter("py:set", "py:set2") == {b"2", b"3"}
assert r.sismember("py:set", "x") is True
assert r.object("encoding", "py:set2") == b"intset"
# wrong type surfaces as the client's ResponseError with Redis's text
try:
    r.hget("py:set", "f")
    raise AssertionError("HGET on a set must fail")
except redis.exceptions.ResponseError as e:
    assert str(e).startswith("WRONGTYPE Operation against a key holding the wrong kind of value"), str(e)
# transactions: MULTI/EXEC pipeline and an optimistic WATCH loop
p = r.pipeline(transaction=True)
p.incr("py:count").incr("py:count").lrange("py:list", 0, -1)
assert p.execute() == [1, 2, [b"a"]]
def bump(pipe):
    v = int(pipe.get("py:count"))
    pipe.multi()
    pipe.set("py:count", v * 10)
assert r.transaction(bump, "py:count") == [True]
assert r.get("py:count") == b"20"
with r.pipeline() as pipe:
    pipe.watch("py:count")
    r.set("py:count", 1)  # another client changes the watched key
    pipe.multi()
    pipe.set("py:count", 99)
    try:
        pipe.execute()
        raise AssertionError("EXEC after a watched change must fail")
    except redis.exceptions.WatchError:
        pass
assert r.get("py:count") == b"1"
# pub/sub
ps = r.pubsub()
ps.subscribe("py:news")
ps.psubscribe("py:*")
deadline = time.time() + 5
acks = []
while len(acks) < 2 and time.time() < deadline:
    m = ps.get_message(timeout=0.5)
    if m: acks.append(m["type"])
assert acks == ["subscribe", "psubscribe"], acks
assert r.publish("py:news", "hello") == 2
got = []
while len(got) < 2 and time.time() < deadline:
    m = ps.get_message(timeout=0.5)
    if m: got.append((m["type"], m["channel"], m["data"]))
assert sorted(got) == [("message", b"py:news", b"hello"), ("pmessage", b"py:news", b"hello")], got
assert r.pubsub_numsub("py:news") == [(b"py:news", 1)]
ps.close()
print("python-types-ok")
)PY";
  auto r = runProcess({kPython, "-c", script, std::to_string(port())}, "", 60000);
  EXPECT_EQ(r.exitCode(), 0) << r.describe();
  EXPECT_EQ(r.out, "python-types-ok\n") << r.describe();
}

TEST_F(ClientsTest, RedisBenchmark) {
  REQUIRE_TOOL(kRedisBenchmark);
  auto r = runProcess({kRedisBenchmark, "-h", "127.0.0.1", "-p", std::to_string(port()), "-n", "2000", "-t",
                       "set,get,incr,mset", "-q"},
                      "", 120000);
  EXPECT_EQ(r.exitCode(), 0) << r.describe();
  for (const char* test : {"SET:", "GET:", "INCR:", "MSET (10 keys):"})
    EXPECT_NE(r.out.find(test), std::string::npos) << test << " missing\n" << r.describe();
  EXPECT_EQ(r.out.find("rror"), std::string::npos) << r.describe();
  Client c(port());
  // The benchmark wrote its keys and left the server healthy.
  EXPECT_EQ(c.cmd({"EXISTS", "key:__rand_int__"}).repr(), ":1");
  EXPECT_EQ(c.cmd({"GET", "counter:__rand_int__"}).repr(), "$2000");
}

}  // namespace
}  // namespace erdtree::itest
