#include "erdtree/config/config.h"

#include <gtest/gtest.h>

#include "erdtree/config/config_table.h"

using erdtree::config::Config;

namespace {
std::string applyArgs(Config& c, std::vector<std::string> args) {
  args.insert(args.begin(), "erdtree-server");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return c.applyCommandLine(static_cast<int>(argv.size()), argv.data());
}
}  // namespace

TEST(Config, EmbeddedDefaultsMatchTheIssue) {
  Config c;
  EXPECT_EQ(c.settings().port, 6379);
  ASSERT_EQ(c.settings().bind.size(), 1u);
  EXPECT_EQ(c.settings().bind[0], "127.0.0.1");
  EXPECT_EQ(c.settings().dir, "./data");
  EXPECT_EQ(c.settings().protoMaxBulkLen, 512ull << 20);
  EXPECT_EQ(c.settings().clientQueryBufferLimit, 1ull << 30);
}

TEST(Config, RedisStyleFlags) {
  Config c;
  EXPECT_EQ(applyArgs(c, {"--port", "7000", "--maxclients", "50", "--client-output-buffer-limit", "normal", "1mb",
                          "2mb", "3"}),
            "");
  EXPECT_EQ(c.settings().port, 7000);
  EXPECT_EQ(c.settings().maxclients, 50);
  EXPECT_EQ(c.settings().outputLimitNormal.hardBytes, 1u << 20);
  EXPECT_EQ(c.settings().outputLimitNormal.softBytes, 2u << 20);
  EXPECT_EQ(c.settings().outputLimitNormal.softSeconds, 3);
}

TEST(Config, UnknownOrMalformedSettingsAreNamed) {
  Config c;
  EXPECT_NE(applyArgs(c, {"--no-such-thing", "1"}).find("no-such-thing"), std::string::npos);
  Config d;
  std::string err = applyArgs(d, {"--port", "abc"});
  EXPECT_NE(err.find("port"), std::string::npos);
  Config e;
  EXPECT_NE(applyArgs(e, {"--port"}).find("port"), std::string::npos);
}

TEST(Config, TomlTablesAndErrors) {
  Config c;
  EXPECT_EQ(c.loadTomlText("[server]\nport = 7001\nbind = [\"127.0.0.1\", \"::1\"]\n[limits]\nproto-max-bulk-len = \"1mb\"\n", "t"), "");
  EXPECT_EQ(c.settings().port, 7001);
  EXPECT_EQ(c.settings().bind.size(), 2u);
  EXPECT_EQ(c.settings().protoMaxBulkLen, 1u << 20);
  EXPECT_NE(c.loadTomlText("[server]\nbogus = 1\n", "t").find("bogus"), std::string::npos);
  EXPECT_NE(c.loadTomlText("[memory]\nport = 1\n", "t").find("port"), std::string::npos);
  EXPECT_NE(c.loadTomlText("[server\n", "t").find("cannot parse"), std::string::npos);
}

TEST(Config, GetByGlobAndSetWithRedisErrors) {
  Config c;
  auto all = c.get("maxmemory*");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].first, "maxmemory");
  EXPECT_EQ(c.set("maxmemory", "100mb", false), "");
  EXPECT_EQ(c.get("maxmemory")[0].second, "104857600");
  EXPECT_EQ(c.set("maxmemory", "lots", false), "argument must be a memory value");
  EXPECT_EQ(c.set("hz", "0", false), "argument must be between 1 and 500 inclusive");
  EXPECT_EQ(c.set("port", "1", false), "can't set immutable config");
  EXPECT_EQ(c.set("maxmemory-policy", "bogus", false).rfind("argument(s) must be one of the following:", 0), 0u);
}

TEST(Config, MemoryUnits) {
  uint64_t v = 0;
  ASSERT_TRUE(erdtree::config::parseMemory("1k", v));
  EXPECT_EQ(v, 1000u);
  ASSERT_TRUE(erdtree::config::parseMemory("1KB", v));
  EXPECT_EQ(v, 1024u);
  ASSERT_TRUE(erdtree::config::parseMemory("2gb", v));
  EXPECT_EQ(v, 2ull << 30);
  EXPECT_FALSE(erdtree::config::parseMemory("-1", v));
  EXPECT_FALSE(erdtree::config::parseMemory("1xb", v));
}
