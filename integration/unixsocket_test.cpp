// unixsocket / unixsocketperm: the server also listens on a Unix domain
// socket, as Redis 7.0 does. Clients over it show "<path>:0" addresses and
// flag U, count as local and against maxclients, appear as "unix:<path>" in
// MONITOR; the file gets unixsocketperm's mode and is removed at shutdown;
// port 0 leaves only the socket. The tests also pass against redis-server
// (ERDTREE_SERVER_BIN=/usr/bin/redis-server).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/external_process.h"
#include "harness/process.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

constexpr const char* kRedisCli = "/usr/bin/redis-cli";

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The server was started without a TCP port to wait on: poll the socket.
std::unique_ptr<Client> connectWhenUp(const std::string& sock, int timeoutMs = 10000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  for (;;) {
    try {
      auto c = std::make_unique<Client>(sock);
      if (c->cmd({"PING"}).str == "PONG") return c;
    } catch (const std::exception&) {
      // not listening yet (or still loading)
    }
    if (std::chrono::steady_clock::now() > deadline) return nullptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool waitGone(const std::string& path, int timeoutMs) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (fileExists(path)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// The CLIENT LIST line of the calling connection.
std::string ownLine(Client& c) { return c.cmd({"CLIENT", "INFO"}).str; }

}  // namespace

TEST(UnixSocket, ServesClientsAsRedisDoes) {
  ServerProcess server;
  const std::string sock = server.dir() + "/s.sock";
  server.setExtraArgs({"--unixsocket", sock, "--unixsocketperm", "700", "--enable-debug-command", "local"});
  server.start();

  struct stat st {};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  Client u(sock);
  EXPECT_EQ(u.cmd({"PING"}).repr(), "+PONG");
  EXPECT_EQ(u.cmd({"SET", "k", "v"}).repr(), "+OK");
  Client tcp(server.port());
  EXPECT_EQ(tcp.cmd({"GET", "k"}).str, "v");  // one keyspace behind both listeners
  EXPECT_EQ(u.cmd({"GET", "k"}).str, "v");

  const std::string line = ownLine(u);
  EXPECT_NE(line.find(" addr=" + sock + ":0 laddr=" + sock + ":0 "), std::string::npos) << line;
  EXPECT_NE(line.find(" flags=U "), std::string::npos) << line;
  EXPECT_NE(ownLine(tcp).find(" flags=N "), std::string::npos);
  EXPECT_EQ(u.cmd({"CONFIG", "GET", "unixsocket"}).strings(), (std::vector<std::string>{"unixsocket", sock}));
  EXPECT_EQ(u.cmd({"CONFIG", "GET", "unixsocketperm"}).strings(), (std::vector<std::string>{"unixsocketperm", "700"}));
  EXPECT_EQ(u.cmd({"CONFIG", "SET", "unixsocketperm", "777"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'unixsocketperm') - can't set immutable config");

  // A Unix socket client is local: enable-debug-command local lets it in.
  EXPECT_EQ(u.cmd({"DEBUG", "SLEEP", "0"}).repr(), "+OK");

  // MONITOR names the socket, not an address.
  Client monitor(sock);
  EXPECT_EQ(monitor.cmd({"MONITOR"}).repr(), "+OK");
  EXPECT_EQ(u.cmd({"SET", "seen", "1"}).repr(), "+OK");
  const std::string fed = monitor.getReply().str;
  EXPECT_NE(fed.find(" [0 unix:" + sock + "] \"SET\" \"seen\" \"1\""), std::string::npos) << fed;

  // maxclients counts Unix socket clients (u, tcp, monitor are connected).
  EXPECT_EQ(tcp.cmd({"CONFIG", "SET", "maxclients", "3"}).repr(), "+OK");
  {
    Client over(sock);
    EXPECT_EQ(over.cmd({"PING"}).repr(), "-ERR max number of clients reached");
  }
  EXPECT_EQ(tcp.cmd({"CONFIG", "SET", "maxclients", "10000"}).repr(), "+OK");

  // SHUTDOWN removes the socket file, and says so as Redis does.
  u.append({"SHUTDOWN", "NOSAVE"});
  u.flush();
  ASSERT_TRUE(server.waitExit(10000)) << server.log();
  EXPECT_FALSE(fileExists(sock));
  EXPECT_NE(server.log().find("Removing the unix socket file."), std::string::npos) << server.log();
}

TEST(UnixSocket, PortZeroListensOnTheSocketOnly) {
  ExternalProcess server("server", ServerProcess::binaryPath());
  const std::string sock = server.dir() + "/s.sock";
  server.writeFile("s.sock", "a stale file from an earlier run");  // unlinked before the bind
  server.start({"--port", "0", "--unixsocket", sock, "--dir", server.dir(), "--save", "", "--appendonly", "no"}, 0);
  std::unique_ptr<Client> c = connectWhenUp(sock);
  ASSERT_NE(c, nullptr) << server.log();
  struct stat st {};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(c->cmd({"CONFIG", "GET", "port"}).strings(), (std::vector<std::string>{"port", "0"}));
  EXPECT_EQ(c->cmd({"CONFIG", "GET", "unixsocketperm"}).strings(), (std::vector<std::string>{"unixsocketperm", "0"}));
  const std::string log = server.log();
  EXPECT_NE(log.find("The server is now ready to accept connections at " + sock + "\n"), std::string::npos) << log;
  EXPECT_EQ(log.find("Ready to accept connections"), std::string::npos) << log;  // no TCP listener

  if (missingBinary(kRedisCli, "redis-tools").empty()) {
    ProcessResult set = runProcess({kRedisCli, "-s", sock, "SET", "from-cli", "yes"}, "", 10000);
    EXPECT_EQ(set.out, "OK\n") << set.describe();
    ProcessResult list = runProcess({kRedisCli, "-s", sock, "CLIENT", "LIST"}, "", 10000);
    EXPECT_NE(list.out.find("flags=U "), std::string::npos) << list.describe();
    EXPECT_EQ(c->cmd({"GET", "from-cli"}).str, "yes");
  }
  server.stop();
  EXPECT_FALSE(fileExists(sock));  // SIGTERM shuts down the same way
}

TEST(UnixSocket, StartupFailuresExitWithRedisText) {
  ExternalProcess scratch("scratch", ServerProcess::binaryPath());
  const std::vector<std::string> common{"--dir", scratch.dir(), "--save", "", "--appendonly", "no"};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), ServerProcess::binaryPath());
    args.insert(args.end(), common.begin(), common.end());
    return runProcess(args, "", 10000);
  };
  ProcessResult nowhere = run({"--port", "0"});
  EXPECT_EQ(nowhere.exitCode(), 1);
  EXPECT_NE(nowhere.out.find("Configured to not listen anywhere, exiting."), std::string::npos) << nowhere.describe();

  ProcessResult unbound = run({"--port", "0", "--unixsocket", scratch.dir() + "/no-such-dir/s.sock"});
  EXPECT_EQ(unbound.exitCode(), 1);
  EXPECT_NE(unbound.out.find("Failed opening Unix socket: bind: No such file or directory"), std::string::npos)
      << unbound.describe();

  ProcessResult badPerm = run({"--port", "0", "--unixsocket", scratch.dir() + "/s.sock", "--unixsocketperm", "800"});
  EXPECT_EQ(badPerm.exitCode(), 1);
  EXPECT_NE(badPerm.err.find("argument couldn't be parsed as an octal number"), std::string::npos)
      << badPerm.describe();
}

TEST(UnixSocket, RedisConfDirectives) {
  ExternalProcess server("server", ServerProcess::binaryPath());
  const std::string sock = server.dir() + "/s.sock";
  const std::string conf = server.writeFile(
      "redis.conf", "port 0\nunixsocket " + sock + "\nunixsocketperm 770\ndir " + server.dir() +
                        "\nsave \"\"\nappendonly no\n");
  server.start({conf}, 0);
  std::unique_ptr<Client> c = connectWhenUp(sock);
  ASSERT_NE(c, nullptr) << server.log();
  struct stat st {};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0770u);
  EXPECT_EQ(c->cmd({"CONFIG", "GET", "unixsocket"}).strings(), (std::vector<std::string>{"unixsocket", sock}));
  EXPECT_EQ(c->cmd({"CONFIG", "SET", "unixsocket", sock + "2"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'unixsocket') - can't set immutable config");
  EXPECT_EQ(server.log().find("'unixsocket"), std::string::npos) << server.log();  // no "not supported" warning
  // CONFIG REWRITE keeps both directives.
  EXPECT_EQ(c->cmd({"CONFIG", "REWRITE"}).repr(), "+OK");
  const std::string rewritten = readFile(conf);
  // (Redis quotes the path it rewrites; erdtree keeps an unchanged line as written.)
  EXPECT_TRUE(rewritten.find("unixsocket " + sock + "\n") != std::string::npos ||
              rewritten.find("unixsocket \"" + sock + "\"\n") != std::string::npos)
      << rewritten;
  EXPECT_NE(rewritten.find("unixsocketperm 770\n"), std::string::npos) << rewritten;
  c.reset();
  server.stop();
  EXPECT_TRUE(waitGone(sock, 1000));
}
