// Start-up configuration: a TOML file via --config, Redis-style flags, and
// clear failures for unknown or malformed settings. Erdtree-only (Redis has
// no TOML), so these skip when the suite runs against redis-server.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "harness/client.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

struct Outcome {
  int exitCode = -1;
  std::string output;
};

// Runs the server binary with args, expecting it to exit by itself quickly.
Outcome runToExit(const std::string& args) {
  std::string cmd = "timeout 10 " + ServerProcess::binaryPath() + " " + args + " 2>&1";
  Outcome o;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return o;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) o.output.append(buf.data(), n);
  int status = pclose(p);
  o.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }

}  // namespace

TEST(Startup, UnknownSettingStopsStartupNamingIt) {
  if (underRedis()) GTEST_SKIP() << "erdtree's start-up messages";
  Outcome o = runToExit("--port 0 --no-such-setting 5");
  EXPECT_EQ(o.exitCode, 1);
  EXPECT_NE(o.output.find("no-such-setting"), std::string::npos) << o.output;
}

TEST(Startup, MalformedValueStopsStartupNamingIt) {
  if (underRedis()) GTEST_SKIP() << "erdtree's start-up messages";
  Outcome o = runToExit("--maxclients many");
  EXPECT_EQ(o.exitCode, 1);
  EXPECT_NE(o.output.find("maxclients"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("integer"), std::string::npos) << o.output;
}

TEST(Startup, BrokenOrMissingConfigFileStopsStartup) {
  if (underRedis()) GTEST_SKIP() << "TOML is erdtree's format";
  std::string path = std::filesystem::temp_directory_path() / ("erdtree-bad-" + std::to_string(getpid()) + ".toml");
  std::ofstream(path) << "[server]\nport = \"not a number\"\n";
  Outcome bad = runToExit(path);  // positional form, as redis-server takes its file
  EXPECT_EQ(bad.exitCode, 1);
  EXPECT_NE(bad.output.find("port"), std::string::npos) << bad.output;
  std::filesystem::remove(path);
  Outcome missing = runToExit("--config /nonexistent/erdtree.toml");
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_NE(missing.output.find("/nonexistent/erdtree.toml"), std::string::npos) << missing.output;
}

TEST(Startup, ConfigFileThenFlagsApplyInOrder) {
  if (underRedis()) GTEST_SKIP() << "TOML is erdtree's format";
  std::string path = std::filesystem::temp_directory_path() / ("erdtree-ok-" + std::to_string(getpid()) + ".toml");
  std::ofstream(path) << "[server]\nmaxclients = 77\ntimeout = 30\n[memory]\nmaxmemory = \"2mb\"\n";
  ServerProcess server({"--config", path, "--timeout", "45"});
  server.start();
  Client c(server.port());
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "maxclients"}).strings(), (std::vector<std::string>{"maxclients", "77"}));
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "maxmemory"}).strings(), (std::vector<std::string>{"maxmemory", "2097152"}));
  // The flag after the file wins.
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "timeout"}).strings(), (std::vector<std::string>{"timeout", "45"}));
  std::filesystem::remove(path);
}

TEST(Startup, MissingDataDirectoryIsCreated) {
  if (underRedis()) GTEST_SKIP() << "redis-server refuses a missing dir";
  ServerProcess probe;
  std::string nested = probe.dir() + "/a/b/data";
  ServerProcess server({"--dir", nested});
  server.start();
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  Client c(server.port());
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "dir"}).strings(), (std::vector<std::string>{"dir", nested}));
}

TEST(Startup, DirIsAProtectedConfig) {
  ServerProcess server;
  server.start();
  Client c(server.port());
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "dir", server.dir()}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
}

TEST(Startup, ConfigSetDirChangesDirectory) {
  ServerProcess server({"--enable-protected-configs", "yes"});
  server.start();
  Client c(server.port());
  std::string sub = server.dir() + "/elsewhere";
  std::filesystem::create_directories(sub);
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "dir", sub}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "dir"}).strings(), (std::vector<std::string>{"dir", sub}));
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "dir", sub + "/missing"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory");
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "dir"}).strings(), (std::vector<std::string>{"dir", sub}));
}
