// The redis.conf line splitter (Redis's sdssplitargs rules) and the quoting
// CONFIG REWRITE uses; where redis-server is installed, it confirms which
// lines are accepted and which fail with "Unbalanced quotes".
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "erdtree/config/redis_args.h"

namespace erdtree::config {
namespace {

std::vector<std::string> split(std::string_view line) {
  std::vector<std::string> out;
  EXPECT_TRUE(splitRedisArgs(line, out)) << line;
  return out;
}

bool rejected(std::string_view line) {
  std::vector<std::string> out;
  return !splitRedisArgs(line, out);
}

using Words = std::vector<std::string>;

TEST(RedisArgs, BlanksSeparateWords) {
  EXPECT_EQ(split("save 900  1"), (Words{"save", "900", "1"}));
  EXPECT_EQ(split("  a\tb \r"), (Words{"a", "b"}));
  EXPECT_EQ(split(""), Words{});
  EXPECT_EQ(split("   "), Words{});
}

TEST(RedisArgs, DoubleQuotesTakeEscapes) {
  EXPECT_EQ(split(R"(x "a b")"), (Words{"x", "a b"}));
  EXPECT_EQ(split(R"(x "\n\r\t\b\a")"), (Words{"x", "\n\r\t\b\a"}));
  EXPECT_EQ(split(R"(x "\x41\x7a")"), (Words{"x", "Az"}));
  EXPECT_EQ(split(R"(x "\xZZ")"), (Words{"x", "xZZ"}));  // not hex: the escaped 'x' itself
  EXPECT_EQ(split(R"(x "\"\\\q")"), (Words{"x", "\"\\q"}));
  EXPECT_EQ(split(R"(x "")"), (Words{"x", ""}));
  EXPECT_EQ(split(R"(x "'")"), (Words{"x", "'"}));
}

TEST(RedisArgs, SingleQuotesTakeOnlyEscapedQuote) {
  EXPECT_EQ(split(R"(x 'a\'b')"), (Words{"x", "a'b"}));
  EXPECT_EQ(split(R"(x 'a\nb')"), (Words{"x", "a\\nb"}));
  EXPECT_EQ(split(R"(x '"')"), (Words{"x", "\""}));
  EXPECT_EQ(split(R"(x '')"), (Words{"x", ""}));
}

TEST(RedisArgs, QuotesMayStartInsideAWord) {
  EXPECT_EQ(split(R"(x ab"c d")"), (Words{"x", "abc d"}));
  EXPECT_EQ(split(R"(x ab'c d')"), (Words{"x", "abc d"}));
}

TEST(RedisArgs, ClosingQuoteMustEndTheWord) {
  EXPECT_TRUE(rejected(R"(x "abc"d)"));
  EXPECT_TRUE(rejected(R"(x 'abc'd)"));
  EXPECT_TRUE(rejected(R"(x "abc)"));
  EXPECT_TRUE(rejected(R"(x 'abc)"));
  EXPECT_TRUE(rejected(R"(x "abc\")"));
  EXPECT_FALSE(rejected("x \"abc\"\ty"));
}

TEST(RedisArgs, StopsAtNul) {
  EXPECT_EQ(split(std::string_view("a b\0c", 5)), (Words{"a", "b"}));
}

TEST(RedisArgs, QuoteRoundTrips) {
  for (std::string v : {std::string(""), std::string("a b"), std::string("q\"\\'"), std::string("\n\r\t\a\b"),
                        std::string("\x01\xff", 2), std::string("plain")}) {
    const std::string quoted = quoteRedisArg(v);
    EXPECT_EQ(split("x " + quoted), (Words{"x", v})) << quoted;
  }
  EXPECT_EQ(quoteRedisArg("a\"b\x01"), "\"a\\\"b\\x01\"");
}

// redis-server reads a file with the line (as requirepass's value), then
// exits: with "Unbalanced quotes" when its splitter refuses the line, else
// on another error or, with port 0 and no socket, after reading it all.
bool redisAccepts(const std::string& value) {
  char dir[] = "/tmp/erdtree-redisargs-XXXXXX";
  if (mkdtemp(dir) == nullptr) return false;
  const std::string conf = std::string(dir) + "/t.conf";
  std::ofstream(conf) << "requirepass " << value << "\nport 0\n";
  const std::string cmd = "/usr/bin/redis-server " + conf + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
    pclose(p);
  }
  std::remove(conf.c_str());
  rmdir(dir);
  return out.find("Unbalanced quotes in configuration line") == std::string::npos;
}

TEST(RedisArgs, AgreesWithRedisServerOnWhatIsBalanced) {
  if (access("/usr/bin/redis-server", X_OK) != 0) GTEST_SKIP() << "redis-server not installed";
  for (std::string value : {R"("abc")", R"("abc"d)", R"('abc'd)", R"("a\"b")", R"('a\'b')", R"("abc)", R"(ab"c d")",
                            R"("\xZZ")", "\"a\"\tb", R"('abc\')", R"("abc\")"}) {
    EXPECT_EQ(redisAccepts(value), !rejected("requirepass " + value)) << value;
  }
}

}  // namespace
}  // namespace erdtree::config
