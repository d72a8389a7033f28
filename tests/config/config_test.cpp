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
  ASSERT_EQ(all.size(), 4u);  // -policy, -samples, -eviction-tenacity
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

namespace {
std::string getOne(const Config& c, std::string_view name) {
  auto pairs = c.get(name);
  return pairs.size() == 1 ? pairs[0].second : "<missing>";
}
}  // namespace

TEST(Config, SaveRulesDefaultToRedis70s) {
  Config c;
  EXPECT_EQ(getOne(c, "save"), "3600 1 300 100 60 10000");
  EXPECT_TRUE(c.settings().stopWritesOnBgsaveError);
  EXPECT_EQ(getOne(c, "stop-writes-on-bgsave-error"), "yes");
  // The embedded TOML and the Settings defaults agree.
  EXPECT_EQ(c.settings().save, erdtree::config::Settings{}.save);
}

// Redis 7.0.15's answers (checked against redis-server): words split on
// single spaces, strtoll's reading, seconds >= 1, changes >= 0 kept as an int.
TEST(Config, SaveValidationAsRedis) {
  const std::pair<const char*, const char*> accepted[] = {
      {"3600 1 300 100", "3600 1 300 100"}, {"", ""},
      {"10 0", "10 0"},                      {"1 1 1 1", "1 1 1 1"},
      {"2147483648 1", "2147483648 1"},      {"9223372036854775808 1", "9223372036854775807 1"},
      {"10 ", "10 0"},                       {"+10 1", "10 1"},
      {"10 4294967297", "10 1"},             {"10 2147483648", "10 -2147483648"},
      {"10 -0", "10 0"},                     {"010 07", "10 7"},
  };
  for (const auto& [in, shown] : accepted) {
    Config c;
    EXPECT_EQ(c.set("save", in, false), "") << in;
    EXPECT_EQ(getOne(c, "save"), shown) << in;
  }
  for (const char* bad : {"1", "a b", "10 -1", "-1 5", "0 10", "10 1 20", "10 1 x 2", "  3600   1  ", " 10 1",
                          "10 1 ", "10  1", "10 1x", "0x10 1", "10\t1"}) {
    Config c;
    EXPECT_EQ(c.set("save", bad, false), "Invalid save parameters") << bad;
    EXPECT_EQ(getOne(c, "save"), "3600 1 300 100 60 10000") << bad;  // unchanged
  }
}

TEST(Config, RepeatedSaveFlagsAddRulesAsRedisConfLines) {
  Config c;
  EXPECT_EQ(applyArgs(c, {"--save", "900", "1", "--port", "7000", "--save", "60 5"}), "");
  EXPECT_EQ(getOne(c, "save"), "900 1 60 5");
  Config d;
  EXPECT_EQ(applyArgs(d, {"--save", ""}), "");
  EXPECT_TRUE(d.settings().save.empty());
  Config e;
  EXPECT_EQ(applyArgs(e, {"--save", "10 1", "--save", ""}), "");
  EXPECT_EQ(getOne(e, "save"), "");
  Config f;  // TOML: one string, or an array of "<seconds> <changes>" strings
  EXPECT_EQ(f.loadTomlText("[server]\nsave = [\"900 1\", \"300 10\"]\n", "t"), "");
  EXPECT_EQ(getOne(f, "save"), "900 1 300 10");
  Config g;
  EXPECT_NE(g.loadTomlText("[server]\nsave = \"900\"\n", "t").find("Invalid save parameters"), std::string::npos);
}

TEST(Config, ShutdownOnSignalOptions) {
  Config c;
  EXPECT_EQ(getOne(c, "shutdown-on-sigterm"), "default");
  EXPECT_EQ(c.set("shutdown-on-sigterm", "force save", false), "");
  EXPECT_EQ(getOne(c, "shutdown-on-sigterm"), "save force");
  EXPECT_TRUE(c.settings().shutdownOnSigterm.save);
  EXPECT_TRUE(c.settings().shutdownOnSigterm.force);
  EXPECT_EQ(c.set("shutdown-on-sigint", "NOW Force", false), "");
  EXPECT_EQ(getOne(c, "shutdown-on-sigint"), "now force");
  EXPECT_EQ(c.set("shutdown-on-sigint", "default save", false), "");
  EXPECT_EQ(getOne(c, "shutdown-on-sigint"), "save");
  EXPECT_EQ(c.set("shutdown-on-sigterm", "save nosave", false),
            "shutdown options SAVE and NOSAVE can't be used simultaneously");
  EXPECT_EQ(c.set("shutdown-on-sigterm", "bogus", false),
            "argument(s) must be one of the following: default, save, nosave, now, force");
  EXPECT_EQ(c.set("shutdown-on-sigterm", "", false),
            "argument(s) must be one of the following: default, save, nosave, now, force");
  EXPECT_EQ(getOne(c, "shutdown-on-sigterm"), "save force");
}
