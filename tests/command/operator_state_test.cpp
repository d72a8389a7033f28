// The operator commands' bookkeeping on its own: SLOWLOG truncation and
// redaction, the MONITOR quoting, the latency monitor's one-sample-per-second
// ring and the histogram bucket labels Redis prints.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "erdtree/command/command_stats.h"
#include "erdtree/command/latency_monitor.h"
#include "erdtree/command/monitor_feed.h"
#include "erdtree/command/slowlog.h"
#include "erdtree/util/repr.h"

namespace {

using namespace erdtree::command;

TEST(SlowLog, KeepsNewestFirstAndTrimsToMaxLen) {
  SlowLog log;
  log.maxLen = 2;
  const std::string_view a[] = {"GET", "a"};
  for (int i = 0; i < 3; ++i) log.push(a, 0, i, 100, "127.0.0.1:1", "");
  ASSERT_EQ(log.entries().size(), 2u);
  EXPECT_EQ(log.entries()[0].id, 2);
  EXPECT_EQ(log.entries()[1].id, 1);
  log.slowerThanUs = -1;
  EXPECT_FALSE(log.wants(1000000));
  log.slowerThanUs = 0;
  EXPECT_TRUE(log.wants(0));
}

TEST(SlowLog, TruncatesLongArgumentsAndLongArgumentLists) {
  SlowLog log;
  std::vector<std::string> owned = {"RPUSH", "l"};
  for (int i = 0; i < 40; ++i) owned.push_back(std::to_string(i));
  owned[1] = std::string(200, 'x');
  std::vector<std::string_view> args(owned.begin(), owned.end());
  log.push(args, 0, 5, 100, "a", "n");
  const auto& e = log.entries()[0];
  ASSERT_EQ(e.args.size(), 32u);
  EXPECT_EQ(e.args[1], std::string(128, 'x') + "... (72 more bytes)");
  EXPECT_EQ(e.args[31], "... (11 more arguments)");
}

TEST(SlowLog, RedactsAuthAndHelloCredentials) {
  const std::string_view auth[] = {"AUTH", "user", "pass"};
  EXPECT_EQ(redactedArguments("auth", auth), 0b110u);
  const std::string_view hello[] = {"HELLO", "3", "SETNAME", "x", "AUTH", "u", "p"};
  EXPECT_EQ(redactedArguments("hello", hello), 0b1100000u);
  const std::string_view get[] = {"GET", "k"};
  EXPECT_EQ(redactedArguments("get", get), 0u);
}

// Redis's SENSITIVE_CONFIG values, wherever they sit in a multi-setting CONFIG SET.
TEST(SlowLog, RedactsSensitiveConfigSetValues) {
  const std::string_view set[] = {"CONFIG", "SET", "hz", "10", "MasterAuth", "p2", "requirepass", "sekrit"};
  EXPECT_EQ(redactedArguments("config|set", set), (uint64_t{1} << 5) | (uint64_t{1} << 7));
  const std::string_view user[] = {"CONFIG", "SET", "masteruser", "u"};
  EXPECT_EQ(redactedArguments("config|set", user), uint64_t{1} << 3);
  const std::string_view plain[] = {"CONFIG", "SET", "maxmemory", "10mb"};
  EXPECT_EQ(redactedArguments("config|set", plain), 0u);
}

TEST(MonitorFeed, QuotesAsSdscatrepr) {
  std::string out;
  erdtree::util::appendRepr(out, std::string_view("a\"b\\c\n\r\t\a\b\x01\xff z", 14));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\r\\t\\a\\b\\x01\\xff z\"");
}

TEST(LatencyMonitor, KeepsTheWorstSampleOfEachSecond) {
  LatencyMonitor m;
  m.addSampleIfNeeded("command", 50, 1000);  // threshold 0: off
  EXPECT_TRUE(m.series().empty());
  m.thresholdMs = 10;
  m.addSampleIfNeeded("command", 5, 1000);   // under the threshold
  m.addSampleIfNeeded("command", 20, 1000);
  m.addSampleIfNeeded("command", 30, 1000);  // same second: replaces
  m.addSampleIfNeeded("command", 15, 1001);
  const auto* s = m.find("command");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->maxMs, 30);
  EXPECT_EQ(s->latest().ms, 15);
  EXPECT_EQ(s->latest().unixSec, 1001);
  EXPECT_EQ(m.graph("command", 1002).substr(0, 57), "command - high 30 ms, low 15 ms (all time high 30 ms)\n---");
  EXPECT_EQ(m.doctor(1002).substr(0, 4), "Dave");
  EXPECT_EQ(m.resetAll(), 1u);
}

TEST(CommandStats, BucketsCarryRedisLabels) {
  // Redis's HDR log iterator labels: 1, 2, 4, 8, 16, 33, 66, 132 ... us.
  const int64_t labels[] = {1, 2, 4, 8, 16, 33, 66, 132};
  for (size_t k = 0; k < 8; ++k) EXPECT_EQ(latencyBucketLabelUs(k), labels[k]) << k;
  EXPECT_EQ(latencyBucket(0), 0u);
  EXPECT_EQ(latencyBucket(1), 0u);
  EXPECT_EQ(latencyBucket(2), 1u);
  EXPECT_EQ(latencyBucket(3), 2u);
  EXPECT_EQ(latencyBucket(33), 5u);   // 33000 ns <= 33023
  EXPECT_EQ(latencyBucket(34), 6u);
  EXPECT_EQ(latencyBucket(100000000), CommandStats::kBuckets - 1);  // clamped
}

}  // namespace
