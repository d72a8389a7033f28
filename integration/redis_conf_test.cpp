// erdtree-server started with a redis.conf: Debian's own file (changed only
// in port and dir), a minimal one, quoting and include, rename-command next
// to redis-server as the oracle, Redis's error text for an unknown directive,
// and a CONFIG REWRITE round trip that keeps the file's comments.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
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

constexpr const char* kDebianConf = "/etc/redis/redis.conf";
constexpr const char* kRedisServer = "/usr/bin/redis-server";

bool underRedis() { return ServerProcess::binaryPath().find("redis-server") != std::string::npos; }

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> configGet(Client& c, const std::string& name) {
  return c.cmd({"CONFIG", "GET", name}).strings();
}

// Debian's redis.conf with only port and dir changed (and, when this user may
// not write Debian's log file, logfile pointed into dir: Redis, too, refuses
// to start on a log file it cannot open).
std::string debianConf(int port, const std::string& dir) {
  std::string text = readFile(kDebianConf);
  text = replaceLine(text, "port ", "port " + std::to_string(port));
  text = replaceLine(text, "dir ", "dir " + dir);
  const std::string logfile = "/var/log/redis/redis-server.log";
  if (FILE* f = std::fopen(logfile.c_str(), "a")) std::fclose(f);
  else text = replaceLine(text, "logfile ", "logfile " + dir + "/redis-server.log");
  return text;
}

// Both Debian-file tests append to Debian's one logfile and read their lines
// back from where it ended: ctest -j must not run them at the same time.
class DebianLogfileLock {
 public:
  DebianLogfileLock() : fd_(::open("/tmp/erdtree-test-debian-logfile.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~DebianLogfileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  DebianLogfileLock(const DebianLogfileLock&) = delete;
  DebianLogfileLock& operator=(const DebianLogfileLock&) = delete;

 private:
  int fd_;
};

std::string logfileOf(const std::string& conf) {
  std::istringstream in(conf);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("logfile ", 0) == 0) return line.substr(8);
  return "";
}

bool answers(int port) {
  try {
    Client c(port, 500);
    return c.cmd({"PING"}).str == "PONG";
  } catch (const std::exception&) {
    return false;
  }
}

// Gone, or a zombie nobody reaped yet (the daemon's parent is init).
bool exited(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  const std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
}

}  // namespace

// Debian's systemd unit: redis-server /etc/redis/redis.conf --supervised systemd --daemonize no
TEST(RedisConf, DebianFileAsSystemdStartsIt) {
  if (underRedis()) GTEST_SKIP() << "starts erdtree with Debian's file";
  if (!missingBinary(kRedisServer, "redis-server").empty() || access(kDebianConf, R_OK) != 0)
    GTEST_SKIP() << "Debian's redis-server package is not installed";
  ExternalProcess server("erdtree", ServerProcess::binaryPath());
  const int port = pickFreePort();
  const std::string conf = debianConf(port, server.dir());
  const std::string path = server.writeFile("redis.conf", conf);
  const DebianLogfileLock logfileLock;
  const std::string logfile = logfileOf(conf);
  const size_t logStart = readFile(logfile).size();
  // systemd's side of Type=notify: a datagram socket named by NOTIFY_SOCKET.
  const std::string notifyPath = server.dir() + "/notify.sock";
  const int notifyFd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(notifyFd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", notifyPath.c_str());
  ASSERT_EQ(::bind(notifyFd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
  ::setenv("NOTIFY_SOCKET", notifyPath.c_str(), 1);
  server.start({path, "--supervised", "systemd", "--daemonize", "no"}, port);
  ::unsetenv("NOTIFY_SOCKET");
  std::string notified;
  while (notified.find("READY=1\n") == std::string::npos) {
    pollfd p{notifyFd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) break;
    char buf[256];
    const ssize_t n = ::recv(notifyFd, buf, sizeof buf, 0);
    if (n <= 0) break;
    notified.append(buf, static_cast<size_t>(n));
  }
  ::close(notifyFd);
  EXPECT_EQ(notified, "STATUS=Ready to accept connections\nREADY=1\n");
  Client c(port);
  EXPECT_EQ(configGet(c, "port"), (std::vector<std::string>{"port", std::to_string(port)}));
  EXPECT_EQ(configGet(c, "dir"), (std::vector<std::string>{"dir", server.dir()}));
  EXPECT_EQ(configGet(c, "appendonly"), (std::vector<std::string>{"appendonly", "no"}));
  EXPECT_EQ(configGet(c, "hash-max-listpack-entries"), (std::vector<std::string>{"hash-max-listpack-entries", "512"}));
  EXPECT_EQ(configGet(c, "bind"), (std::vector<std::string>{"bind", "127.0.0.1 -::1"}));
  EXPECT_EQ(c.cmd({"SET", "k", "v"}).str, "OK");
  EXPECT_EQ(c.cmd({"GET", "k"}).str, "v");
  // The log goes to Debian's logfile; every directive erdtree does not apply is named once.
  ASSERT_TRUE(waitFor([&] { return readFile(logfile).find("Ready to accept connections", logStart) != std::string::npos; }, 5000));
  const std::string log = readFile(logfile).substr(logStart);
  EXPECT_NE(log.find("Config directive 'jemalloc-bg-thread' is not supported"), std::string::npos) << log;
  EXPECT_EQ(log.find("'supervised'"), std::string::npos) << log;  // applied
  EXPECT_EQ(log.find("'jemalloc-bg-thread'"), log.rfind("'jemalloc-bg-thread'"));
  server.stop();
}

// The SysV init script's way: daemonize yes from the file, the parent exits at once.
TEST(RedisConf, DebianFileUnchangedDaemonizes) {
  if (underRedis()) GTEST_SKIP() << "starts erdtree with Debian's file";
  if (!missingBinary(kRedisServer, "redis-server").empty() || access(kDebianConf, R_OK) != 0)
    GTEST_SKIP() << "Debian's redis-server package is not installed";
  ExternalProcess scratch("erdtree", ServerProcess::binaryPath());  // only for its temporary directory
  const int port = pickFreePort();
  const std::string conf = debianConf(port, scratch.dir());
  ASSERT_NE(conf.find("\ndaemonize yes\n"), std::string::npos);
  const std::string path = scratch.writeFile("redis.conf", conf);
  const DebianLogfileLock logfileLock;
  const std::string logfile = logfileOf(conf);
  const size_t logStart = readFile(logfile).size();
  ProcessResult parent = runProcess({ServerProcess::binaryPath(), path}, "", 10000);
  ASSERT_EQ(parent.exitCode(), 0) << parent.describe();
  ASSERT_TRUE(waitFor([&] { return answers(port); }, 10000));
  Client c(port);
  std::string info = c.cmd({"INFO", "server"}).str;
  const size_t at = info.find("process_id:");
  ASSERT_NE(at, std::string::npos);
  const pid_t daemonPid = static_cast<pid_t>(std::stol(info.substr(at + 11)));
  // Whatever happens below, the daemon must not outlive the test.
  struct Reaper {
    pid_t pid;
    ~Reaper() { ::kill(pid, SIGKILL); }
  } reaper{daemonPid};
  EXPECT_GT(daemonPid, 0);
  EXPECT_EQ(::getsid(daemonPid), daemonPid);  // its own session, as Redis's daemonize()
  EXPECT_EQ(configGet(c, "daemonize"), (std::vector<std::string>{"daemonize", "yes"}));
  try {
    c.cmd({"SHUTDOWN", "NOSAVE"});  // no reply: the server closes the connection
  } catch (const std::exception&) {
  }
  EXPECT_TRUE(waitFor([&] { return exited(daemonPid); }, 10000));
  // The daemon logs as the master, under its own pid.
  const std::string log = readFile(logfile).substr(logStart);
  EXPECT_NE(log.find(std::to_string(daemonPid) + ":M "), std::string::npos) << log;
  EXPECT_NE(log.find("Ready to accept connections"), std::string::npos) << log;
}

TEST(RedisConf, MinimalFileWithAppendonly) {
  if (underRedis()) GTEST_SKIP() << "ExternalProcess runs erdtree";
  ExternalProcess server("erdtree", ServerProcess::binaryPath());
  const int port = pickFreePort();
  const std::string path = server.writeFile(
      "redis.conf", "port " + std::to_string(port) + "\ndir " + server.dir() + "\nsave \"\"\nappendonly yes\n");
  server.start({path}, port);
  {
    Client c(port);
    EXPECT_EQ(configGet(c, "save"), (std::vector<std::string>{"save", ""}));
    EXPECT_EQ(configGet(c, "appendonly"), (std::vector<std::string>{"appendonly", "yes"}));
    EXPECT_EQ(c.cmd({"SET", "kept", "1"}).str, "OK");
  }
  server.stop();
  server.start({path}, port);
  Client c(port);
  EXPECT_EQ(c.cmd({"GET", "kept"}).str, "1");  // loaded from the AOF
  EXPECT_EQ(c.cmd({"DBSIZE"}).integer, 1);
  server.stop();
}

TEST(RedisConf, QuotingIncludeAndFlagsAfterTheFile) {
  if (underRedis()) GTEST_SKIP() << "ExternalProcess runs erdtree";
  ExternalProcess server("erdtree", ServerProcess::binaryPath());
  const int port = pickFreePort();
  const std::string extra = server.writeFile("extra.conf", "maxmemory 2mb\nMaxMemory-Policy allkeys-lru\n");
  const std::string path = server.writeFile(
      "redis.conf", "# quoting as sdssplitargs reads it\n"
                    "port 1\n"
                    "dir '" + server.dir() + "'\n"
                    "requirepass \"p\\x41ss \\\"w\\\"\\tord\"\n"
                    "masteruser 'it\\'s'\n"
                    "save \"900 1\"\n"
                    "save 300 10\n"
                    "include " + extra + "\n"
                    "timeout 10\n");
  // Flags after the file are lines after it: they win, and --save adds a rule.
  server.start({path, "--port", std::to_string(port), "--timeout", "20", "--save", "60", "5"}, port);
  Client c(port);
  EXPECT_EQ(c.cmd({"PING"}).str.rfind("NOAUTH", 0), 0u);
  EXPECT_EQ(c.cmd({"AUTH", "pAss \"w\"\tord"}).str, "OK");
  EXPECT_EQ(configGet(c, "masteruser"), (std::vector<std::string>{"masteruser", "it's"}));
  EXPECT_EQ(configGet(c, "save"), (std::vector<std::string>{"save", "900 1 300 10 60 5"}));
  EXPECT_EQ(configGet(c, "maxmemory"), (std::vector<std::string>{"maxmemory", "2097152"}));
  EXPECT_EQ(configGet(c, "maxmemory-policy"), (std::vector<std::string>{"maxmemory-policy", "allkeys-lru"}));
  EXPECT_EQ(configGet(c, "timeout"), (std::vector<std::string>{"timeout", "20"}));
  server.stop();
}

// The same file for erdtree and redis-server: the same answers.
TEST(RedisConf, RenameCommandAnswersAsRedis) {
  if (underRedis()) GTEST_SKIP() << "compares erdtree with redis-server";
  if (!missingBinary(kRedisServer, "redis-server").empty()) GTEST_SKIP() << "redis-server not installed";
  const std::vector<std::vector<std::string>> requests = {
      {"SET", "k", "v"},        {"GET", "k"},          {"MYGET", "k"},        {"myget"},
      {"FLUSHALL"},             {"COMMAND", "INFO", "get", "myget", "flushall"},
      {"COMMAND", "LIST", "FILTERBY", "PATTERN", "flushall"},
      {"MULTI"},                {"MYGET", "k"},        {"GET", "k"},          {"EXEC"},
      {"DEL", "k"},             {"MYGET", "k"}};
  std::vector<std::string> answers[2];
  for (int run = 0; run < 2; ++run) {
    ExternalProcess server(run == 0 ? "redis" : "erdtree", run == 0 ? kRedisServer : ServerProcess::binaryPath());
    const int port = pickFreePort();
    const std::string path = server.writeFile(
        "redis.conf", "port " + std::to_string(port) + "\nbind 127.0.0.1\ndir " + server.dir() +
                          "\nsave \"\"\nappendonly no\nrename-command get MYGET\nrename-command flushall \"\"\n");
    server.start({path}, port);
    Client c(port);
    for (const auto& r : requests) answers[run].push_back(show(c.cmd(r)));
    server.stop();
  }
  for (size_t i = 0; i < requests.size(); ++i) EXPECT_EQ(answers[1][i], answers[0][i]) << requests[i][0];
}

TEST(RedisConf, UnknownDirectiveFailsWithRedisText) {
  if (underRedis()) GTEST_SKIP() << "compares erdtree with redis-server";
  if (!missingBinary(kRedisServer, "redis-server").empty()) GTEST_SKIP() << "redis-server not installed";
  ExternalProcess scratch("erdtree", ServerProcess::binaryPath());
  const std::string path = scratch.writeFile("redis.conf", "# a comment\nport 0\n\nno-such-directive yes\n");
  ProcessResult ours = runProcess({ServerProcess::binaryPath(), path}, "", 10000);
  ProcessResult redis = runProcess({kRedisServer, path}, "", 10000);
  EXPECT_EQ(ours.exitCode(), 1);
  EXPECT_EQ(ours.err,
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 4\n"
            ">>> 'no-such-directive yes'\nBad directive or wrong number of arguments\n");
  EXPECT_EQ(ours.err, redis.err);
  EXPECT_EQ(ours.exitCode(), redis.exitCode());
}

TEST(RedisConf, ConfigRewriteRoundTripKeepsComments) {
  if (underRedis()) GTEST_SKIP() << "ExternalProcess runs erdtree";
  ExternalProcess server("erdtree", ServerProcess::binaryPath());
  const int port = pickFreePort();
  const std::string path = server.writeFile(
      "redis.conf", "# Tuned for years\nport " + std::to_string(port) + "\n\n# memory\nmaxmemory 64mb\n" +
                        "dir " + server.dir() + "\nsave 900 1\n# not applied:\nio-threads 2\n" +
                        "rename-command keys \"\"\n");
  server.start({path}, port);
  {
    Client c(port);
    for (auto [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"maxmemory", "100mb"}, {"maxmemory-policy", "allkeys-lru"}, {"save", "60 5 30 100"}, {"timeout", "33"}})
      EXPECT_EQ(c.cmd({"CONFIG", "SET", name, value}).str, "OK") << name;
    EXPECT_EQ(c.cmd({"CONFIG", "REWRITE"}).str, "OK");
  }
  server.stop();
  const std::string text = readFile(path);
  EXPECT_EQ(text, "# Tuned for years\nport " + std::to_string(port) + "\n\n# memory\nmaxmemory 100mb\ndir " +
                      server.dir() + "\nsave 60 5\n# not applied:\nio-threads 2\nrename-command keys \"\"\n" +
                      "# Generated by CONFIG REWRITE\ntimeout 33\nsave 30 100\nmaxmemory-policy allkeys-lru\n");
  server.start({path}, port);
  Client c(port);
  EXPECT_EQ(configGet(c, "maxmemory"), (std::vector<std::string>{"maxmemory", "104857600"}));
  EXPECT_EQ(configGet(c, "maxmemory-policy"), (std::vector<std::string>{"maxmemory-policy", "allkeys-lru"}));
  EXPECT_EQ(configGet(c, "save"), (std::vector<std::string>{"save", "60 5 30 100"}));
  EXPECT_EQ(configGet(c, "timeout"), (std::vector<std::string>{"timeout", "33"}));
  EXPECT_TRUE(c.cmd({"KEYS", "*"}).isError());  // still renamed away
  server.stop();
}

// The existing --config FILE form takes a redis.conf too; ServerProcess's
// --port/--bind/--dir flags come first and still apply after the file.
TEST(RedisConf, ConfigFlagTakesARedisConf) {
  if (underRedis()) GTEST_SKIP() << "--config is erdtree's flag";
  ExternalProcess scratch("files", ServerProcess::binaryPath());
  const std::string path = scratch.writeFile("settings", "# detected by its content\ntimeout 12\nport 1\n");
  ServerProcess server({"--config", path});
  server.start();
  Client c(server.port());
  EXPECT_EQ(configGet(c, "timeout"), (std::vector<std::string>{"timeout", "12"}));
  EXPECT_EQ(configGet(c, "port"), (std::vector<std::string>{"port", std::to_string(server.port())}));
}

// Without a file the flags are read as redis-server reads them: a directive
// erdtree does not apply is accepted, a bare --save means save "".
TEST(RedisConf, FlagsAloneReadAsRedisServerReadsThem) {
  if (underRedis()) GTEST_SKIP() << "erdtree's defaults";
  ServerProcess server({"--io-threads", "4", "--save", "--timeout", "7"});
  server.start();
  Client c(server.port());
  EXPECT_EQ(configGet(c, "save"), (std::vector<std::string>{"save", ""}));
  EXPECT_EQ(configGet(c, "timeout"), (std::vector<std::string>{"timeout", "7"}));
  EXPECT_NE(server.log().find("Config directive 'io-threads' is not supported"), std::string::npos) << server.log();
}
