// The log as scripts written for Redis 7.0 read it: every line is
// `pid:role dd Mon yyyy hh:mm:ss.mmm level message` with Redis's level
// characters, and the start-up lines they wait for come in Redis's order
// (Server initialized, DB loaded from ..., Ready to accept connections);
// " PID: N" is in the logo (always-show-logo yes, as Redis's own test suite
// runs it), loglevel warning keeps only '#' lines, CONFIG SET loglevel takes
// effect at once, a replica's lines carry 'S', and syslog-enabled yes starts
// and logs (with or without a syslog daemon).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }

const std::regex kLine(R"(^\d+:[CMSX] \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.*#-] .+$)");

// The server's own lines (the harness writes "=== ..." banners in between).
std::vector<std::string> logLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.starts_with("===")) out.push_back(line);
  return out;
}

// Index of the first line containing `what`, or -1.
int lineOf(const std::vector<std::string>& lines, const std::string& what) {
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find(what) != std::string::npos) return static_cast<int>(i);
  return -1;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void expectStartupOrder(const std::vector<std::string>& lines, const std::string& loaded) {
  const int init = lineOf(lines, "# Server initialized");
  const int load = lineOf(lines, loaded);
  const int ready = lineOf(lines, "* Ready to accept connections");
  EXPECT_GE(init, 0);
  EXPECT_GT(load, init) << loaded;
  EXPECT_GT(ready, load);
}

}  // namespace

TEST(LogLines, EveryLineHasRedisFormatAndTheStartupLinesComeInOrder) {
  if (underRedis()) GTEST_SKIP() << "erdtree's start-up lines";
  ServerProcess s({"--appendonly", "yes"});
  s.start();
  {
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SET", "k", "v"}).repr(), "+OK");
  }
  ASSERT_EQ(s.stop(), 0);
  const size_t firstRun = s.log().size();
  s.start();  // now there is a log to load
  const std::vector<std::string> lines = logLines(s.log().substr(firstRun));
  for (const std::string& line : lines) EXPECT_TRUE(std::regex_match(line, kLine)) << line;
  EXPECT_GE(lineOf(lines, "# oO0OoO0OoO0Oo Erdtree is starting oO0OoO0OoO0Oo"), 0);
  EXPECT_GE(lineOf(lines, "just started"), 0);
  EXPECT_GE(lineOf(lines, "* Running mode=standalone, port=" + std::to_string(s.port()) + "."), 0);
  expectStartupOrder(lines, "* DB loaded from append only file");
  EXPECT_NE(lines.front().find(":C "), std::string::npos);  // before the server exists, as Redis
  EXPECT_NE(lines[static_cast<size_t>(lineOf(lines, "Server initialized"))].find(":M "), std::string::npos);

  s.setExtraArgs({"--appendonly", "no", "--save", "3600 1"});
  ASSERT_EQ(s.stop(), 0);
  {
    s.start();
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SET", "k", "v"}).repr(), "+OK");
  }
  ASSERT_EQ(s.stop(), 0);  // saves dump.rdb
  const size_t before = s.log().size();
  s.start();
  expectStartupOrder(logLines(s.log().substr(before)), "* DB loaded from disk");
}

TEST(LogLines, TheLogoCarriesThePid) {
  if (underRedis()) GTEST_SKIP() << "erdtree's logo";
  ServerProcess s({"--always-show-logo", "yes"});
  s.start();
  Client c(s.port());
  const std::string pid = parseInfo(c.cmd({"INFO", "server"}).str)["process_id"];
  // What Redis's test suite waits for.
  EXPECT_TRUE(std::regex_search(s.log(), std::regex(" PID: " + pid + "[^]*Server initialized"))) << s.log();
  EXPECT_NE(s.log().find("Port: " + std::to_string(s.port())), std::string::npos);
  EXPECT_EQ(s.log().find("Running mode="), std::string::npos);
}

TEST(LogLines, LogfileAtWarningHoldsOnlyWarnings) {
  if (underRedis()) GTEST_SKIP() << "erdtree's lines";
  ServerProcess s;
  const std::string file = s.dir() + "/erdtree.log";
  s.setExtraArgs({"--logfile", file, "--loglevel", "warning"});
  s.start();
  {
    Client c(s.port());
    ASSERT_EQ(c.cmd({"SAVE"}).repr(), "+OK");  // a notice line, not shown
  }
  ASSERT_EQ(s.stop(), 0);
  const std::vector<std::string> lines = logLines(slurp(file));
  ASSERT_FALSE(lines.empty());
  for (const std::string& line : lines) {
    EXPECT_TRUE(std::regex_match(line, kLine)) << line;
    EXPECT_NE(line.find(" # "), std::string::npos) << line;
  }
  EXPECT_GE(lineOf(lines, "# Server initialized"), 0);
  EXPECT_GE(lineOf(lines, "# Erdtree is now ready to exit"), 0);
  EXPECT_EQ(lineOf(lines, "Ready to accept connections"), -1);
}

TEST(LogLines, ConfigSetLoglevelAppliesAtOnce) {
  if (underRedis()) GTEST_SKIP() << "erdtree's lines";
  ServerProcess s({"--save", ""});
  s.start();
  Client c(s.port());
  ASSERT_EQ(c.cmd({"CONFIG", "SET", "loglevel", "warning"}).repr(), "+OK");
  ASSERT_EQ(c.cmd({"SAVE"}).repr(), "+OK");
  EXPECT_EQ(s.log().find("* DB saved on disk"), std::string::npos);
  ASSERT_EQ(c.cmd({"CONFIG", "SET", "loglevel", "notice"}).repr(), "+OK");
  ASSERT_EQ(c.cmd({"SAVE"}).repr(), "+OK");
  EXPECT_NE(s.log().find("* DB saved on disk"), std::string::npos);
}

TEST(LogLines, AReplicasLinesCarryS) {
  if (underRedis()) GTEST_SKIP() << "erdtree's lines";
  ServerProcess master, replica;
  master.start();
  replica.start();
  Client r(replica.port());
  ASSERT_EQ(r.cmd({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).repr(), "+OK");
  EXPECT_TRUE(waitFor([&] { return std::regex_search(replica.log(), std::regex(R"(\d+:S .* \* )")); }, 10000))
      << replica.log();
  ASSERT_EQ(r.cmd({"REPLICAOF", "NO", "ONE"}).repr(), "+OK");
  ASSERT_EQ(r.cmd({"SAVE"}).repr(), "+OK");
  const std::vector<std::string> lines = logLines(replica.log());
  const int saved = lineOf(lines, "DB saved on disk");
  ASSERT_GE(saved, 0);
  EXPECT_NE(lines[static_cast<size_t>(saved)].find(":M "), std::string::npos) << lines[static_cast<size_t>(saved)];
}

TEST(LogLines, SyslogEnabledStartsAndLogs) {
  if (underRedis()) GTEST_SKIP() << "erdtree's lines";
  ServerProcess s({"--syslog-enabled", "yes", "--syslog-ident", "erdtree-itest", "--syslog-facility", "local3"});
  s.start();
  Client c(s.port());
  const std::vector<std::string> got = c.cmd({"CONFIG", "GET", "syslog-*"}).strings();
  std::map<std::string, std::string> settings;
  for (size_t i = 0; i + 1 < got.size(); i += 2) settings[got[i]] = got[i + 1];
  EXPECT_EQ(settings, (std::map<std::string, std::string>{
                          {"syslog-enabled", "yes"}, {"syslog-ident", "erdtree-itest"}, {"syslog-facility", "local3"}}));
  EXPECT_NE(s.log().find("* Ready to accept connections"), std::string::npos);
  EXPECT_NE(s.log().find("Running mode=standalone"), std::string::npos);  // no logo with syslog on
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "syslog-enabled", "no"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'syslog-enabled') - can't set immutable config");
}

TEST(LogLines, SyslogFacilityIsCheckedAsRedisDoes) {
  if (underRedis()) GTEST_SKIP() << "erdtree's message";
  ServerProcess s({"--syslog-facility", "local9"});
  EXPECT_THROW(s.start(), std::runtime_error);
  EXPECT_NE(s.log().find("syslog-facility"), std::string::npos) << s.log();
}
