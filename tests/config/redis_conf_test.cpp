// redis.conf reading as Redis 7.0 reads it (errors, save accumulation,
// rename-command, include, flags as lines, unsupported directives) and its
// CONFIG REWRITE.
#include "erdtree/config/redis_conf.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "erdtree/config/config.h"
#include "erdtree/config/redis_directives.h"

namespace erdtree::config {
namespace {

std::string load(Config& c, const std::string& text) { return c.loadRedisConfText(text); }

TEST(RedisConf, SettingsApplyAndRedisDefaultsHold) {
  Config c;
  ASSERT_EQ(load(c, "# comment\n\n  port 7001  \nMAXMEMORY 1mb\nslave-read-only no\nrequirepass \"a b\"\n"), "");
  EXPECT_EQ(c.settings().port, 7001);
  EXPECT_EQ(c.settings().maxmemory, 1u << 20);
  EXPECT_FALSE(c.settings().replicaReadOnly);
  EXPECT_EQ(c.settings().requirepass, "a b");
  EXPECT_FALSE(c.settings().appendonly);  // Redis's default, not erdtree's
  EXPECT_EQ(c.settings().hashMaxListpackEntries, 512);
}

TEST(RedisConf, ErrorsAreRedisText) {
  Config c;
  EXPECT_EQ(load(c, "port 1\n\nfoo bar\n"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n"
            ">>> 'foo bar'\nBad directive or wrong number of arguments\n");
  Config d;
  EXPECT_NE(load(d, "  port 1 2  \n").find(">>> 'port 1 2'\nwrong number of arguments\n"), std::string::npos);
  Config e;
  EXPECT_NE(load(e, "dir \"x\"y\n").find("Unbalanced quotes in configuration line"), std::string::npos);
  Config f;
  EXPECT_NE(load(f, "appendonly maybe\n").find("argument must be 'yes' or 'no'"), std::string::npos);
  Config g;
  EXPECT_NE(load(g, "io-threads 1 2\n").find("wrong number of arguments"), std::string::npos);
  Config h;
  EXPECT_NE(load(h, "always-show-logo perhaps\n").find("argument must be 'yes' or 'no'"), std::string::npos);
  Config i;
  EXPECT_NE(load(i, "x.y\n").find("Module config specified without value"), std::string::npos);
  Config j;
  EXPECT_NE(load(j, "sentinel monitor a\n").find("sentinel directive while not in sentinel mode"), std::string::npos);
  Config k;
  EXPECT_EQ(load(k, "logfile /nonexistent-dir/x.log\n"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory\n");
}

TEST(RedisConf, SaveLinesAccumulateAsInRedis) {
  auto saveOf = [](const std::string& text) {
    Config c;
    EXPECT_EQ(c.loadRedisConfText(text), "");
    std::string out;
    for (const SaveRule& r : c.settings().save) out += std::to_string(r.seconds) + ":" + std::to_string(r.changes) + " ";
    return out;
  };
  EXPECT_EQ(saveOf("port 1\n"), "3600:1 300:100 60:10000 ");  // no save line: the defaults
  EXPECT_EQ(saveOf("save 900 1\nsave 300 10\n"), "900:1 300:10 ");
  EXPECT_EQ(saveOf("save \"900 1 300 10\"\n"), "900:1 300:10 ");
  EXPECT_EQ(saveOf("save \"\"\n"), "");
  EXPECT_EQ(saveOf("save 900 1\nsave \"\"\nsave 60 5\n"), "60:5 ");
  EXPECT_EQ(saveOf("save\n"), "");              // a bare first save clears
  EXPECT_EQ(saveOf("save 900 1\nsave\n"), "900:1 ");  // a later one adds nothing
  Config c;
  EXPECT_NE(load(c, "save 10\n").find("Invalid save parameters"), std::string::npos);
}

TEST(RedisConf, UnsupportedDirectivesWarnOnceDeprecatedOnesSilently) {
  Config c;
  ASSERT_EQ(load(c, "io-threads 4\nio-threads 2\njemalloc-bg-thread yes\noom-score-adj-values 0 200 800\n"
                    "list-max-ziplist-entries 5\nlua-replicate-commands yes\nloadmodule /x.so a\nuser default on\n"
                    "mymod.opt 1\nsentinel\n"),
            "");
  EXPECT_EQ(c.startupWarnings().size(), 6u);
  EXPECT_NE(c.startupWarnings()[0].find("'io-threads' is not supported"), std::string::npos);
}

TEST(RedisConf, UnsupportedValuesAreCheckedAsRedisChecksThem) {
  auto reason = [](const std::string& line) {
    Config c;
    std::string err = c.loadRedisConfText(line + "\n");
    const size_t at = err.rfind('\n', err.size() - 2);
    return err.empty() ? std::string() : err.substr(at + 1, err.size() - at - 2);
  };
  EXPECT_EQ(reason("io-threads 0"), "argument must be between 1 and 128 inclusive");
  EXPECT_EQ(reason("io-threads four"), "argument couldn't be parsed into an integer");
  EXPECT_EQ(reason("io-threads 4"), "");
  EXPECT_EQ(reason("hll-sparse-max-bytes 3kb"), "");
  EXPECT_EQ(reason("hll-sparse-max-bytes lots"), "argument must be a memory value");
  EXPECT_EQ(reason("repl-diskless-load SwapDB"), "");
  EXPECT_EQ(reason("repl-diskless-load never"),
            "argument(s) must be one of the following: disabled, on-empty-db, swapdb");
  EXPECT_EQ(reason("slowlog-log-slower-than -2"), "argument must be between -1 and 9223372036854775807 inclusive");
  EXPECT_EQ(reason("notify-keyspace-events \"\""), "");
  EXPECT_EQ(reason("latency-tracking-info-percentiles 50 99 99.9"), "");
}

// redis-server's verdict on a one-line file: "" when it read the file (with
// port 0 it then exits: "not listen anywhere"), else the reason it printed.
std::string redisReason(const std::string& line) {
  char dir[] = "/tmp/erdtree-redisconf-XXXXXX";
  if (mkdtemp(dir) == nullptr) return "mkdtemp";
  const std::string conf = std::string(dir) + "/t.conf";
  std::ofstream(conf) << line << "\nport 0\n";
  std::string out;
  if (FILE* p = popen(("/usr/bin/redis-server " + conf + " 2>&1 >/dev/null").c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
    pclose(p);
  }
  std::filesystem::remove_all(dir);
  if (out.empty()) return "";
  out.pop_back();
  return out.substr(out.rfind('\n') + 1);
}

TEST(RedisConf, UnsupportedValueChecksAgreeWithRedisServer) {
  if (access("/usr/bin/redis-server", X_OK) != 0) GTEST_SKIP() << "redis-server not installed";
  for (const UnsupportedDirective& d : unsupportedDirectives()) {
    if (d.kind == ValueKind::kOneWord || d.kind == ValueKind::kWords) continue;
    for (std::string value : {"0", "x"}) {
      const std::string line = std::string(d.name) + " " + value;
      Config c;
      std::string ours = c.loadRedisConfText(line + "\n");
      if (!ours.empty()) ours = ours.substr(ours.rfind('\n', ours.size() - 2) + 1, std::string::npos), ours.pop_back();
      EXPECT_EQ(ours, redisReason(line)) << line;
    }
  }
}

TEST(RedisConf, UnsupportedTableIsSortedAndSearchable) {
  auto all = unsupportedDirectives();
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].name, all[i].name);
  EXPECT_NE(findUnsupportedDirective("tls-port"), nullptr);
  EXPECT_EQ(findUnsupportedDirective("port"), nullptr);
}

TEST(RedisConf, RenameCommandChecksNamesAsRedis) {
  Config c;
  c.setKnownCommands({"get", "set", "flushall"});
  ASSERT_EQ(load(c, "rename-command GET myget\nrename-command flushall \"\"\n"), "");
  ASSERT_EQ(c.commandRenames().size(), 2u);
  EXPECT_EQ(c.commandRenames()[0], (std::pair<std::string, std::string>{"get", "myget"}));
  EXPECT_EQ(c.commandRenames()[1], (std::pair<std::string, std::string>{"flushall", ""}));
  Config d;
  d.setKnownCommands({"get", "set"});
  EXPECT_NE(load(d, "rename-command nope x\n").find("No such command in rename-command"), std::string::npos);
  Config e;
  e.setKnownCommands({"get", "set"});
  EXPECT_NE(load(e, "rename-command get set\n").find("Target command name already exists"), std::string::npos);
  Config f;
  f.setKnownCommands({"get", "set"});
  EXPECT_NE(load(f, "rename-command get x\nrename-command get y\n").find("at line 2"), std::string::npos);
}

TEST(RedisConf, IncludeIsRelativeToTheWorkingDirectoryAndGlobsMayMatchNothing) {
  const auto dir = std::filesystem::temp_directory_path() / ("erdtree-include-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "conf.d");
  std::ofstream(dir / "conf.d" / "a.conf") << "port 7100\n";
  std::ofstream(dir / "conf.d" / "b.conf") << "maxmemory 2mb\n";
  std::ofstream(dir / "bad.conf") << "\nbogus 1\n";
  const auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  Config c;
  EXPECT_EQ(load(c, "include conf.d/*.conf\ninclude nothing/*.conf\n"), "");
  EXPECT_EQ(c.settings().port, 7100);
  EXPECT_EQ(c.settings().maxmemory, 2u << 20);
  Config d;
  EXPECT_NE(load(d, "port 1\ninclude bad.conf\n").find("at line 2\n>>> 'bogus 1'"), std::string::npos);
  Config e;
  EXPECT_EQ(load(e, "include missing.conf\n"),
            "Fatal error, can't open config file 'missing.conf': No such file or directory");
  std::filesystem::current_path(old);
  std::filesystem::remove_all(dir);
}

// Redis changes into `dir` as it reads it: later relative includes start
// there, and a missing directory is fatal.
TEST(RedisConf, DirMustExistAndLaterIncludesAreRelativeToIt) {
  const auto dir = std::filesystem::temp_directory_path() / ("erdtree-dir-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "inc");
  std::ofstream(dir / "inc" / "a.conf") << "port 7200\n";
  Config c;
  EXPECT_EQ(load(c, "dir " + dir.string() + "\ninclude inc/a.conf\n"), "");
  EXPECT_EQ(c.settings().port, 7200);
  EXPECT_EQ(c.settings().dir, dir.string());
  Config d;
  EXPECT_EQ(load(d, "dir " + dir.string() + "\ndir inc\n"), "");
  EXPECT_EQ(d.settings().dir, (dir / "inc").string());
  Config e;
  EXPECT_NE(load(e, "dir " + (dir / "missing").string() + "\n").find("\nNo such file or directory\n"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(RedisConf, DetectedByNameOrContent) {
  EXPECT_TRUE(isRedisConf("/etc/redis/redis.conf", "[server]\n"));
  EXPECT_FALSE(isRedisConf("erdtree.toml", "port 1\n"));
  EXPECT_TRUE(isRedisConf("cfg", "# c\n\nport 6379\n"));
  EXPECT_TRUE(isRedisConf("cfg", "requirepass a=b\n"));
  EXPECT_FALSE(isRedisConf("cfg", "# c\n[server]\nport = 1\n"));
  EXPECT_FALSE(isRedisConf("cfg", "port = 1\n"));
  EXPECT_FALSE(isRedisConf("cfg", "port=1\n"));
}

TEST(RedisConf, FlagsBecomeLinesAsRedisServerMakesThem) {
  std::vector<std::string> args{"erdtree-server", "--port", "7000", "--save", "--requirepass", "a \"b",
                                "--save", "900", "1", "--bind", "127.0.0.1", "::1", "--save"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  EXPECT_EQ(redisOptionLines(static_cast<int>(argv.size()), argv.data(), 1),
            "port \"7000\" \nsave \"\"\nrequirepass \"a \\\"b\" \nsave \"900\" \"1\" \nbind \"127.0.0.1\" \"::1\" \n"
            "save \"\"");
  Config c;
  ASSERT_EQ(load(c, "save 60 1\n" + redisOptionLines(static_cast<int>(argv.size()), argv.data(), 1)), "");
  EXPECT_EQ(c.settings().port, 7000);
  EXPECT_EQ(c.settings().requirepass, "a \"b");
  EXPECT_TRUE(c.settings().save.empty());
}

// ---- CONFIG REWRITE ----

Settings redisDefaults() {
  Settings s = Config().settings();
  applyRedisBaseline(s);
  return s;
}

// The settings a text gives, as the server would hold them.
Settings loaded(const std::string& text) {
  Config c;
  EXPECT_EQ(c.loadRedisConfText(text), "");
  return c.settings();
}

TEST(RedisConfRewrite, UnchangedFileStaysAsWritten) {
  const std::string text =
      "# Redis configuration\n\n  port 6380   \nmaxmemory 64mb\nsave 900 1\nsave 300 10\ndir /tmp\n"
      "rename-command get myget\njemalloc-bg-thread yes\nclient-output-buffer-limit normal 0 0 0\n";
  Settings s = loaded(text);
  EXPECT_EQ(rewriteRedisConfText(text, s, redisDefaults()), text);
}

TEST(RedisConfRewrite, BareSaveAfterRulesIsUnchangedToo) {
  const std::string text = "save 900 1\nsave\ndir /tmp\n";
  EXPECT_EQ(rewriteRedisConfText(text, loaded(text), redisDefaults()), text);
}

TEST(RedisConfRewrite, ChangedLinesInPlaceNewOnesAfterTheSignature) {
  const std::string text = "# top\nport 6380 \n# memory\nslave-read-only yes\nmaxmemory 64mb\nsave 900 1\nsave 300 10\n"
                           "dir /tmp\nio-threads 4\n";
  Settings s = loaded(text);
  s.maxmemory = 100ull << 20;
  s.replicaReadOnly = false;
  s.save = {{60, 5}};
  s.maxmemoryPolicy = "allkeys-lru";
  s.requirepass = "p w";
  EXPECT_EQ(rewriteRedisConfText(text, s, redisDefaults()),
            "# top\nport 6380 \n# memory\nreplica-read-only no\nmaxmemory 100mb\nsave 60 5\n\ndir /tmp\nio-threads 4\n"
            "# Generated by CONFIG REWRITE\nrequirepass \"p w\"\nmaxmemory-policy allkeys-lru\n");
}

TEST(RedisConfRewrite, SaveAndDirAreAlwaysWrittenAndSignatureOnlyOnce) {
  const std::string text = "port 6380\n# Generated by CONFIG REWRITE\nmaxmemory 1mb\n";
  Settings s = loaded(text);
  s.dir = "/var/lib/x";
  s.save.clear();
  EXPECT_EQ(rewriteRedisConfText(text, s, redisDefaults()),
            "port 6380\n# Generated by CONFIG REWRITE\nmaxmemory 1mb\ndir \"/var/lib/x\"\nsave \"\"\n");
}

TEST(RedisConfRewrite, RoundTripGivesTheSameSettings) {
  const std::string text = "port 6380\nsave \"\"\nclient-output-buffer-limit replica 1mb 2mb 3\n";
  Settings s = loaded(text);
  s.outputLimitPubsub = {64ull << 20, 16ull << 20, 90};
  s.bind = {"127.0.0.1", "-::1"};
  s.replicaof = "10.0.0.1 6379";
  s.logfile = "";
  s.masterauth = "se\"cret\n";
  const std::string out = rewriteRedisConfText(text, s, redisDefaults());
  Settings back = loaded(out);
  EXPECT_EQ(back.outputLimitPubsub.hardBytes, 64ull << 20);
  EXPECT_EQ(back.outputLimitReplica.hardBytes, 1ull << 20);
  EXPECT_EQ(back.bind, s.bind);
  EXPECT_EQ(back.replicaof, s.replicaof);
  EXPECT_EQ(back.masterauth, s.masterauth);
  EXPECT_TRUE(back.save.empty());
  EXPECT_NE(out.find("client-output-buffer-limit pubsub 64mb 16mb 90"), std::string::npos) << out;
}

}  // namespace
}  // namespace erdtree::config
