// Integration tests for key expiry: EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT and
// their NX/XX/GT/LT options, TTL/PTTL/EXPIRETIME/PEXPIRETIME, PERSIST, which
// writes keep or clear a TTL, invisibility of expired keys, active expiry,
// INFO keyspace, and a latency probe while a million keys expire at once.
//
// Every expected reply below was checked against Redis 7.0.15; run with
// ERDTREE_SERVER_BIN=/usr/bin/redis-server to re-check them. One server is
// started per suite and FLUSHALL runs before each test. Time-dependent checks
// poll against deadlines instead of sleeping a fixed time.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/redis_errors.h"
#include "harness/shared_server.h"
#include "harness/server_process.h"

namespace {

using erdtree::itest::kNotInteger;
using erdtree::itest::Client;
using erdtree::itest::Reply;
using erdtree::itest::ServerProcess;
using erdtree::itest::SharedServerTest;
using erdtree::itest::show;
using Clock = std::chrono::steady_clock;

int64_t unixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Polls pred every pollMs until it holds or timeoutMs passes; returns pred's last value.
bool waitUntil(const std::function<bool()>& pred, int timeoutMs, int pollMs = 10) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  while (true) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(pollMs));
  }
}

const std::string kNxConflict = "-ERR NX and XX, GT or LT options at the same time are not compatible";
const std::string kGtLtConflict = "-ERR GT and LT options at the same time are not compatible";

class ExpireCommands : public SharedServerTest<ExpireCommands> {
  friend class SharedServerTest<ExpireCommands>;  // reads serverArgs()

 protected:
  // Redis 7 refuses DEBUG unless enabled; ExpiredKeysAreNeverVisible uses
  // DEBUG SET-ACTIVE-EXPIRE when the server has it (see pauseActiveExpiry).
  static std::vector<std::string> serverArgs() {
    if (std::filesystem::path(ServerProcess::binaryPath()).filename().string().find("redis-server") !=
        std::string::npos) {
      return {"--enable-debug-command", "yes"};
    }
    return {};
  }

  static long long integer(const std::vector<std::string>& args) {
    Reply r = cmd(args);
    EXPECT_EQ(r.type, Reply::Type::Integer) << show(r);
    return r.integer;
  }
  // For polling loops: no assertion, a non-integer reply reads as `fallback`.
  static long long integerOr(const std::vector<std::string>& args, long long fallback) {
    Reply r = cmd(args);
    return r.type == Reply::Type::Integer ? r.integer : fallback;
  }

  // Sends the commands pipelined in windows; returns how many replies differ from `expect`.
  static long pipeline(long count, const std::function<std::vector<std::string>(long)>& make,
                       const std::string& expect, long window = 10000) {
    long bad = 0;
    for (long i = 0; i < count; i += window) {
      const long end = std::min(count, i + window);
      for (long j = i; j < end; ++j) client_->append(make(j));
      for (long j = i; j < end; ++j) {
        if (show(client_->getReply()) != expect) ++bad;
      }
    }
    return bad;
  }

  // Tries to pause active expiry (a Redis DEBUG subcommand) so the lazy path is
  // what hides expired keys; returns false when the server does not support it.
  static bool pauseActiveExpiry(bool pause) {
    return show(cmd({"DEBUG", "SET-ACTIVE-EXPIRE", pause ? "0" : "1"})) == "+OK";
  }

};

TEST_F(ExpireCommands, OptionCombinationErrors) {
  EXPECT_EQ(run("SET", "k", "v"), "+OK");
  for (const char* c : {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"}) {
    SCOPED_TRACE(c);
    const std::string when = "99999999999";
    EXPECT_EQ(run(c, "k", when, "NX", "XX"), kNxConflict);
    EXPECT_EQ(run(c, "k", when, "XX", "NX"), kNxConflict);
    EXPECT_EQ(run(c, "k", when, "NX", "GT"), kNxConflict);
    EXPECT_EQ(run(c, "k", when, "LT", "NX"), kNxConflict);
    EXPECT_EQ(run(c, "k", when, "GT", "LT"), kGtLtConflict);
    EXPECT_EQ(run(c, "k", when, "lt", "gt"), kGtLtConflict);
    EXPECT_EQ(run(c, "k", when, "foo"), "-ERR Unsupported option foo");
    EXPECT_EQ(run(c, "k", when, "NX", "Bar"), "-ERR Unsupported option Bar");
    EXPECT_EQ(run(c, "k", "abc"), kNotInteger);
    EXPECT_EQ(run(c, "k", "1.5"), kNotInteger);
    EXPECT_EQ(run(c, "k", ""), kNotInteger);
    EXPECT_EQ(run("TTL", "k"), ":-1");  // none of that changed anything
  }
  // XX with GT or LT is a valid combination.
  EXPECT_EQ(run("EXPIRE", "k", "100", "XX", "GT"), ":0");
  EXPECT_EQ(run("EXPIRE", "k", "100", "XX", "LT"), ":0");
  EXPECT_EQ(run("EXPIRE", "k"), "-ERR wrong number of arguments for 'expire' command");
  EXPECT_EQ(run("TTL"), "-ERR wrong number of arguments for 'ttl' command");
  EXPECT_EQ(run("PERSIST"), "-ERR wrong number of arguments for 'persist' command");
}

TEST_F(ExpireCommands, ConditionalOptions) {
  EXPECT_EQ(run("EXPIRE", "missing", "10"), ":0");
  EXPECT_EQ(run("EXPIRE", "missing", "10", "NX"), ":0");
  EXPECT_EQ(run("SET", "k", "v"), "+OK");

  // Without a TTL: XX and GT fail (no TTL counts as infinite), NX and LT succeed.
  EXPECT_EQ(run("EXPIRE", "k", "100", "XX"), ":0");
  EXPECT_EQ(run("EXPIRE", "k", "100", "GT"), ":0");
  EXPECT_EQ(run("TTL", "k"), ":-1");
  EXPECT_EQ(run("EXPIRE", "k", "100", "LT"), ":1");
  EXPECT_EQ(run("TTL", "k"), ":100");
  EXPECT_EQ(run("PERSIST", "k"), ":1");
  EXPECT_EQ(run("EXPIRE", "k", "100", "NX"), ":1");
  EXPECT_EQ(run("TTL", "k"), ":100");

  // With a TTL of 100.
  EXPECT_EQ(run("EXPIRE", "k", "200", "NX"), ":0");
  EXPECT_EQ(run("EXPIRE", "k", "50", "GT"), ":0");
  EXPECT_EQ(run("TTL", "k"), ":100");
  EXPECT_EQ(run("EXPIRE", "k", "200", "GT"), ":1");
  EXPECT_EQ(run("TTL", "k"), ":200");
  EXPECT_EQ(run("EXPIRE", "k", "300", "LT"), ":0");
  EXPECT_EQ(run("EXPIRE", "k", "50", "LT"), ":1");
  EXPECT_EQ(run("TTL", "k"), ":50");
  EXPECT_EQ(run("EXPIRE", "k", "60", "XX"), ":1");
  EXPECT_EQ(run("TTL", "k"), ":60");
  EXPECT_EQ(run("EXPIRE", "k", "70", "xx", "gt"), ":1");
  EXPECT_EQ(run("TTL", "k"), ":70");
  EXPECT_EQ(run("EXPIRE", "k", "80", "XX", "LT"), ":0");
  EXPECT_EQ(run("TTL", "k"), ":70");

  // The same rules for the millisecond and absolute forms.
  EXPECT_EQ(run("PEXPIRE", "k", "500000", "GT"), ":1");
  EXPECT_GT(integer({"PTTL", "k"}), 400000);
  const int64_t at = unixMs() / 1000 + 1000;
  EXPECT_EQ(run("EXPIREAT", "k", std::to_string(at), "LT"), ":0");
  EXPECT_EQ(run("EXPIREAT", "k", std::to_string(at), "GT"), ":1");
  EXPECT_EQ(integer({"EXPIRETIME", "k"}), at);
  EXPECT_EQ(run("PEXPIREAT", "k", std::to_string(at * 1000 - 1), "LT"), ":1");
  EXPECT_EQ(integer({"PEXPIRETIME", "k"}), at * 1000 - 1);
  EXPECT_EQ(run("PEXPIREAT", "k", std::to_string(at * 1000), "NX"), ":0");
}

TEST_F(ExpireCommands, NegativeOrPastTimesDeleteTheKey) {
  const std::vector<std::vector<std::string>> forms = {
      {"EXPIRE", "k", "-1"},        {"EXPIRE", "k", "0"},         {"PEXPIRE", "k", "-5"},
      {"PEXPIRE", "k", "0"},        {"EXPIREAT", "k", "1"},       {"EXPIREAT", "k", "0"},
      {"PEXPIREAT", "k", "1000"},   {"PEXPIREAT", "k", "-1"},     {"EXPIRE", "k", "-1", "NX"},
      {"EXPIRE", "k", "-1", "LT"},  {"PEXPIRE", "k", "-9223372036854775808"},
  };
  for (const auto& f : forms) {
    std::string joined;
    for (const auto& a : f) joined += a + " ";
    SCOPED_TRACE(joined);
    ASSERT_EQ(run("SET", "k", "v"), "+OK");
    EXPECT_EQ(show(cmd(f)), ":1");
    EXPECT_EQ(run("EXISTS", "k"), ":0");
    EXPECT_EQ(run("TTL", "k"), ":-2");
  }
  // A condition that fails keeps the key, even with a past time.
  ASSERT_EQ(run("SET", "k", "v", "EX", "100"), "+OK");
  EXPECT_EQ(run("EXPIRE", "k", "-1", "GT"), ":0");
  EXPECT_EQ(run("EXPIRE", "k", "-1", "NX"), ":0");
  EXPECT_EQ(run("EXISTS", "k"), ":1");
  EXPECT_EQ(run("EXPIRE", "k", "-1", "XX"), ":1");
  EXPECT_EQ(run("EXISTS", "k"), ":0");
  EXPECT_EQ(run("EXPIRE", "missing", "-1"), ":0");
}

TEST_F(ExpireCommands, InvalidExpireTimes) {
  ASSERT_EQ(run("SET", "k", "v"), "+OK");
  EXPECT_EQ(run("EXPIRE", "k", "9223372036854775807"), "-ERR invalid expire time in 'expire' command");
  EXPECT_EQ(run("EXPIRE", "k", "9223372036854775"), "-ERR invalid expire time in 'expire' command");
  EXPECT_EQ(run("EXPIRE", "k", "-9223372036854775808"), "-ERR invalid expire time in 'expire' command");
  EXPECT_EQ(run("PEXPIRE", "k", "9223372036854775807"), "-ERR invalid expire time in 'pexpire' command");
  EXPECT_EQ(run("EXPIREAT", "k", "9223372036854775807"), "-ERR invalid expire time in 'expireat' command");
  EXPECT_EQ(run("EXPIREAT", "k", "-9223372036854775808"), "-ERR invalid expire time in 'expireat' command");
  EXPECT_EQ(run("EXPIRE", "k", "9223372036854775808"), kNotInteger);
  EXPECT_EQ(run("TTL", "k"), ":-1");
  // The largest representable values are fine.
  EXPECT_EQ(run("PEXPIREAT", "k", "9223372036854775807"), ":1");
  EXPECT_EQ(run("PEXPIRETIME", "k"), ":9223372036854775807");
  // EXPIRETIME's rounding does not overflow near LLONG_MAX (Redis computes it
  // unsigned; found by tools/difftest).
  EXPECT_EQ(run("EXPIRETIME", "k"), ":9223372036854776");
  EXPECT_EQ(run("PEXPIREAT", "k", "9223372036854775308"), ":1");
  EXPECT_EQ(run("EXPIRETIME", "k"), ":9223372036854775");
  EXPECT_EQ(run("EXPIRE", "k", "9223372036854"), ":1");
  EXPECT_EQ(run("TTL", "k"), ":9223372036854");
}

TEST_F(ExpireCommands, TtlAndExpiretimeReplies) {
  for (const char* c : {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
    EXPECT_EQ(run(c, "missing"), ":-2") << c;
  }
  ASSERT_EQ(run("SET", "k", "v"), "+OK");
  for (const char* c : {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
    EXPECT_EQ(run(c, "k"), ":-1") << c;
  }
  EXPECT_EQ(run("EXPIREAT", "k", "4000000000"), ":1");
  EXPECT_EQ(run("EXPIRETIME", "k"), ":4000000000");
  EXPECT_EQ(run("PEXPIRETIME", "k"), ":4000000000000");
  EXPECT_EQ(run("PEXPIREAT", "k", "4000000000123"), ":1");
  EXPECT_EQ(run("EXPIRETIME", "k"), ":4000000000");
  EXPECT_EQ(run("PEXPIRETIME", "k"), ":4000000000123");
  // EXPIRETIME rounds to the nearest second.
  EXPECT_EQ(run("PEXPIREAT", "k", "4000000000499"), ":1");
  EXPECT_EQ(run("EXPIRETIME", "k"), ":4000000000");
  EXPECT_EQ(run("PEXPIREAT", "k", "4000000000500"), ":1");
  EXPECT_EQ(run("EXPIRETIME", "k"), ":4000000001");
  EXPECT_EQ(run("PEXPIREAT", "k", "4000000000999"), ":1");
  EXPECT_EQ(run("EXPIRETIME", "k"), ":4000000001");

  const int64_t before = unixMs();
  EXPECT_EQ(run("PEXPIRE", "k", "100000"), ":1");
  const int64_t after = unixMs();
  const long long at = integer({"PEXPIRETIME", "k"});
  EXPECT_GE(at, before + 100000 - 5);  // allow a little clock skew
  EXPECT_LE(at, after + 100000 + 5);
  const long long p = integer({"PTTL", "k"});
  EXPECT_GT(p, 99000);
  EXPECT_LE(p, 100000);

  // TTL rounds the remaining time to the nearest second.
  EXPECT_EQ(run("PEXPIRE", "k", "1900"), ":1");
  EXPECT_EQ(run("TTL", "k"), ":2");
  EXPECT_EQ(run("PEXPIRE", "k", "1200"), ":1");
  EXPECT_EQ(run("TTL", "k"), ":1");
}

TEST_F(ExpireCommands, Persist) {
  EXPECT_EQ(run("PERSIST", "missing"), ":0");
  ASSERT_EQ(run("SET", "k", "v"), "+OK");
  EXPECT_EQ(run("PERSIST", "k"), ":0");
  EXPECT_EQ(run("EXPIRE", "k", "10"), ":1");
  EXPECT_EQ(run("PERSIST", "k"), ":1");
  EXPECT_EQ(run("TTL", "k"), ":-1");
  EXPECT_EQ(run("PERSIST", "k"), ":0");
  EXPECT_EQ(run("GET", "k"), "\"v\"");
}

TEST_F(ExpireCommands, WhichWritesKeepTheTtl) {
  // Overwriting clears the TTL ...
  ASSERT_EQ(run("SET", "k", "v", "EX", "100"), "+OK");
  EXPECT_EQ(run("SET", "k", "v2"), "+OK");
  EXPECT_EQ(run("TTL", "k"), ":-1");
  ASSERT_EQ(run("SET", "k", "v", "EX", "100"), "+OK");
  EXPECT_EQ(run("SET", "k", "v2", "XX"), "+OK");
  EXPECT_EQ(run("TTL", "k"), ":-1");
  ASSERT_EQ(run("SET", "k", "v", "EX", "100"), "+OK");
  EXPECT_EQ(run("GETSET", "k", "v2"), "\"v\"");
  EXPECT_EQ(run("TTL", "k"), ":-1");
  ASSERT_EQ(run("SET", "k", "v", "EX", "100"), "+OK");
  EXPECT_EQ(run("MSET", "k", "v2"), "+OK");
  EXPECT_EQ(run("TTL", "k"), ":-1");
  ASSERT_EQ(run("SETEX", "k", "100", "v"), "+OK");
  EXPECT_EQ(run("SET", "k", "v", "NX"), "(nil)");  // a failed NX changes nothing
  EXPECT_EQ(run("TTL", "k"), ":100");

  // ... except with KEEPTTL.
  ASSERT_EQ(run("SET", "k", "v", "EX", "100"), "+OK");
  EXPECT_EQ(run("SET", "k", "v3", "KEEPTTL"), "+OK");
  EXPECT_EQ(run("TTL", "k"), ":100");
  EXPECT_EQ(run("SET", "k", "v4", "KEEPTTL", "GET"), "\"v3\"");
  EXPECT_EQ(run("TTL", "k"), ":100");
  EXPECT_EQ(run("SET", "k", "v5", "XX", "KEEPTTL"), "+OK");
  EXPECT_EQ(run("TTL", "k"), ":100");
  EXPECT_EQ(run("SET", "new", "v", "KEEPTTL"), "+OK");
  EXPECT_EQ(run("TTL", "new"), ":-1");

  // In-place modifications keep it.
  ASSERT_EQ(run("SET", "n", "1", "EX", "100"), "+OK");
  EXPECT_EQ(run("INCR", "n"), ":2");
  EXPECT_EQ(run("TTL", "n"), ":100");
  EXPECT_EQ(run("APPEND", "n", "x"), ":2");
  EXPECT_EQ(run("TTL", "n"), ":100");
  EXPECT_EQ(run("SETRANGE", "n", "0", "z"), ":2");
  EXPECT_EQ(run("TTL", "n"), ":100");
  EXPECT_EQ(run("RENAME", "n", "m"), "+OK");
  EXPECT_EQ(run("TTL", "m"), ":100");
  EXPECT_EQ(run("GETEX", "m"), "\"zx\"");
  EXPECT_EQ(run("TTL", "m"), ":100");
}

TEST_F(ExpireCommands, ExpiredKeysAreNeverVisible) {
  const bool paused = pauseActiveExpiry(true);  // exercise the lazy path where possible
  std::printf("active expiry %s during this test\n", paused ? "paused" : "could not be paused");
  const int n = 200;
  for (int i = 0; i < n; ++i) ASSERT_EQ(run("SET", "gone:" + std::to_string(i), "v", "PX", "150"), "+OK");
  ASSERT_EQ(run("SET", "sentinel", "v", "PX", "150"), "+OK");  // expires last
  ASSERT_EQ(run("MSET", "live1", "a", "live2", "b"), "+OK");
  ASSERT_EQ(run("SET", "live3", "c", "EX", "1000"), "+OK");

  ASSERT_TRUE(waitUntil([] { return integerOr({"PTTL", "sentinel"}, 0) == -2; }, 5000));

  Reply keys = cmd({"KEYS", "*"});
  std::vector<std::string> names;
  for (const auto& e : keys.elements) names.push_back(e.str);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"live1", "live2", "live3"}));
  EXPECT_EQ(run("KEYS", "gone:*"), "[]");

  std::vector<std::string> scanned;
  std::string cursor = "0";
  int calls = 0;
  do {
    Reply r = cmd({"SCAN", cursor, "COUNT", "10"});
    ASSERT_EQ(r.elements.size(), 2u) << show(r);
    cursor = r.elements[0].str;
    for (const auto& e : r.elements[1].elements) scanned.push_back(e.str);
  } while (cursor != "0" && ++calls < 10000);
  std::sort(scanned.begin(), scanned.end());
  scanned.erase(std::unique(scanned.begin(), scanned.end()), scanned.end());
  EXPECT_EQ(scanned, (std::vector<std::string>{"live1", "live2", "live3"}));

  EXPECT_EQ(run("MGET", "gone:1", "live1", "gone:2"), "[(nil), \"a\", (nil)]");
  for (int i = 0; i < n; i += 4) {
    const std::string k = "gone:" + std::to_string(i);
    SCOPED_TRACE(k);
    EXPECT_EQ(run("GET", k), "(nil)");
    EXPECT_EQ(run("EXISTS", "gone:" + std::to_string(i + 1)), ":0");
    EXPECT_EQ(run("TYPE", "gone:" + std::to_string(i + 2)), "+none");
    EXPECT_EQ(run("TTL", "gone:" + std::to_string(i + 3)), ":-2");
  }
  EXPECT_EQ(run("STRLEN", "gone:0"), ":0");
  EXPECT_EQ(run("APPEND", "gone:0", "x"), ":1");  // starts from nothing
  EXPECT_EQ(run("INCR", "gone:1"), ":1");
  EXPECT_EQ(run("RENAME", "gone:2", "z"), "-ERR no such key");
  EXPECT_EQ(run("OBJECT", "ENCODING", "gone:3"), "(nil)");
  // Every expired key has been accessed now, so none is counted any more.
  EXPECT_EQ(run("DBSIZE"), ":5");  // live1..3 plus gone:0 and gone:1 re-created
  for (int i = 0; i < 20; ++i) {
    const std::string k = cmd({"RANDOMKEY"}).str;
    EXPECT_TRUE(k == "live1" || k == "live2" || k == "live3" || k == "gone:0" || k == "gone:1") << k;
  }
  if (paused) pauseActiveExpiry(false);
}

TEST_F(ExpireCommands, ActiveExpiryRemovesUnreadKeys) {
  const auto start = Clock::now();
  const long n = 10000;
  ASSERT_EQ(pipeline(n, [](long i) { return std::vector<std::string>{"SET", "k" + std::to_string(i), "v", "PX", "100"}; },
                     "+OK"),
            0);
  ASSERT_EQ(run("SET", "keeper", "v"), "+OK");
  // Nobody reads the keys: only active expiry can make DBSIZE drop.
  const bool emptied = waitUntil([] { return integerOr({"DBSIZE"}, -1) == 1; }, 5000, 50);
  const double ms = msSince(start);
  EXPECT_TRUE(emptied) << "DBSIZE still " << integer({"DBSIZE"}) << " after " << ms << " ms";
  std::printf("active expiry: %ld keys with 100 ms TTL gone after %.0f ms\n", n, ms);
  RecordProperty("active_expiry_ms", static_cast<int>(ms));
  EXPECT_EQ(run("GET", "keeper"), "\"v\"");
}

TEST_F(ExpireCommands, InfoKeyspaceCountsExpires) {
  // Redis prints no dbN line for an empty database.
  std::string info = cmd({"INFO", "keyspace"}).str;
  EXPECT_EQ(info.find("db0:"), std::string::npos) << info;

  ASSERT_EQ(run("SET", "a", "1", "EX", "100"), "+OK");
  ASSERT_EQ(run("SET", "b", "1", "PX", "100000"), "+OK");
  ASSERT_EQ(run("SET", "c", "1"), "+OK");
  ASSERT_EQ(run("MSET", "d", "1", "e", "1"), "+OK");
  ASSERT_EQ(run("EXPIRE", "d", "100"), ":1");
  ASSERT_EQ(run("SELECT", "3"), "+OK");
  ASSERT_EQ(run("SET", "x", "1"), "+OK");
  ASSERT_EQ(run("SELECT", "0"), "+OK");
  info = cmd({"INFO", "keyspace"}).str;
  EXPECT_NE(info.find("# Keyspace\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("db0:keys=5,expires=3,avg_ttl="), std::string::npos) << info;
  EXPECT_NE(info.find("db3:keys=1,expires=0,avg_ttl="), std::string::npos) << info;
  EXPECT_EQ(info.find("db1:"), std::string::npos) << info;

  ASSERT_EQ(run("PERSIST", "a"), ":1");
  ASSERT_EQ(run("SET", "b", "plain"), "+OK");
  ASSERT_EQ(run("DEL", "d"), ":1");
  info = cmd({"INFO", "keyspace"}).str;
  EXPECT_NE(info.find("db0:keys=4,expires=0,avg_ttl="), std::string::npos) << info;
}

// A million keys expire at the same moment while another client pings: the
// server must keep answering (expiry work is bounded per cycle) and still
// remove them all soon.
TEST_F(ExpireCommands, MassExpiryDoesNotStallTheServer) {
  const long n = 1000000;
  auto key = [](long i) { return "mass:" + std::to_string(i); };

  // Phase 1: create the keys with a distant TTL (so phase 2 only updates
  // existing TTL entries and costs about the same), timing it to size phase
  // 2's slack.
  auto t0 = Clock::now();
  ASSERT_EQ(pipeline(n, [&](long i) { return std::vector<std::string>{"SET", key(i), "v", "PX", "3600000"}; }, "+OK"),
            0);
  const double loadMs = msSince(t0);
  ASSERT_EQ(run("DBSIZE"), ":" + std::to_string(n));

  // Phase 2: one absolute deadline for all of them, after phase 2 should end.
  const int64_t slackMs = static_cast<int64_t>(loadMs * 1.5) + 500;
  const int64_t deadline = unixMs() + slackMs;
  const std::string at = std::to_string(deadline);
  const long notSet = pipeline(n, [&](long i) { return std::vector<std::string>{"PEXPIREAT", key(i), at}; }, ":1");
  const int64_t leftMs = deadline - unixMs();
  // A key whose deadline passed while loading may already be gone (reply :0).
  if (leftMs > 0) {
    ASSERT_EQ(notSet, 0);
  }
  std::printf("mass expiry: loaded %ld keys in %.0f ms; TTLs set with %lld ms to spare\n", n, loadMs,
              static_cast<long long>(leftMs));
  if (leftMs < 0) std::printf("note: loading overran the deadline; some keys expired during loading\n");

  // Probe: a second client pings back to back until told to stop.
  Client prober(server_->port(), 30000);
  std::atomic<bool> stop{false};
  double maxPingMs = 0;
  long pings = 0;
  long badPings = 0;
  std::thread probe([&] {
    while (!stop.load()) {
      const auto t = Clock::now();
      Reply r = prober.cmd({"PING"});
      const double ms = msSince(t);
      if (r.type != Reply::Type::Status || r.str != "PONG") ++badPings;
      maxPingMs = std::max(maxPingMs, ms);
      ++pings;
    }
  });

  // Wait for the deadline, then for DBSIZE to reach 0 (only active expiry can do it).
  bool emptied = waitUntil([] { return integerOr({"DBSIZE"}, -1) == 0; }, static_cast<int>(std::max<int64_t>(leftMs, 0)) + 30000,
                           100);
  const double goneAfterMs = static_cast<double>(unixMs() - deadline);
  stop = true;
  probe.join();

  std::printf("mass expiry: all gone %.0f ms after the deadline; %ld pings, max round trip %.1f ms\n", goneAfterMs,
              pings, maxPingMs);
  RecordProperty("mass_expiry_load_ms", static_cast<int>(loadMs));
  RecordProperty("mass_expiry_gone_after_ms", static_cast<int>(goneAfterMs));
  RecordProperty("mass_expiry_max_ping_ms", static_cast<int>(maxPingMs));
  RecordProperty("mass_expiry_pings", static_cast<int>(pings));

  EXPECT_TRUE(emptied) << "DBSIZE still " << integer({"DBSIZE"}) << " 30 s after the deadline";
  EXPECT_LE(goneAfterMs, 30000);
  EXPECT_EQ(badPings, 0);
  EXPECT_GT(pings, 0);
  // Redis itself stalls ~28 ms here (its 25 ms expiry cycle). Erdtree spends
  // the same budget in 1 ms slices between clients; 60 ms still catches the
  // 80-90 ms stalls glibc's fastbin consolidation used to add.
  const double limitMs = server().isRedis() ? 500.0 : 60.0;
  EXPECT_LT(maxPingMs, limitMs) << "a PING waited " << maxPingMs << " ms while keys expired";
}

}  // namespace
