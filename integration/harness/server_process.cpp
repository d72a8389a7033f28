// ServerProcess: fork/exec a server binary on a free loopback port, with its
// own temporary directory and log file, and stop it reliably afterwards.
//
// Robustness notes:
// - The child closes every inherited descriptor above stderr before exec, so
//   client sockets held by the test process never leak into a server (a
//   leaked socket would keep a connection "open" after the test closed it).
// - The child asks the kernel to SIGKILL it if the test process dies
//   (PR_SET_PDEATHSIG), so a crashed or killed test run leaves no servers.
// - pickFreePort() has an unavoidable race (the port is free when probed, not
//   necessarily when the server binds); start() retries with a fresh port if
//   the server exits complaining that the address is in use.
#include "harness/server_process.h"

#include "harness/client.h"  // strCat
#include "harness/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef ERDTREE_SERVER_PATH
#define ERDTREE_SERVER_PATH "erdtree-server"
#endif

namespace erdtree::itest {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kStartTimeoutMs = 10000;
constexpr int kStopTimeoutMs = 10000;
constexpr int kBindRetries = 5;

std::string errnoText(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// Sends "PING" over a fresh TCP connection and returns the first reply line,
// or "" if the server did not answer (refused, closed, or timed out).
std::string probe(int port, int timeoutMs) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  auto remainingMs = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::max<long long>(0, left));
  };
  std::string line;
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return "";
  }
  if (rc != 0) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, remainingMs()) != 1) {
      ::close(fd);
      return "";
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      ::close(fd);
      return "";
    }
  }
  const char ping[] = "PING\r\n";
  if (::send(fd, ping, sizeof ping - 1, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof ping - 1)) {
    ::close(fd);
    return "";
  }
  while (line.find("\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, remainingMs()) != 1) break;
    char buf[256];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  auto eol = line.find("\r\n");
  return eol == std::string::npos ? "" : line.substr(0, eol);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

int pickFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(errnoText("pickFreePort: socket"));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::string msg = errnoText("pickFreePort: bind");
    ::close(fd);
    throw std::runtime_error(msg);
  }
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string msg = errnoText("pickFreePort: getsockname");
    ::close(fd);
    throw std::runtime_error(msg);
  }
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

ServerProcess::ServerProcess(std::vector<std::string> extraArgs) : extraArgs_(std::move(extraArgs)) {
  char tmpl[] = "/tmp/erdtree-itest-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error(errnoText("mkdtemp"));
  dir_ = tmpl;
}

ServerProcess::~ServerProcess() {
  stop();
  if (!dir_.empty() && std::getenv("ERDTREE_KEEP_TMP") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string ServerProcess::binaryPath() {
  const char* env = std::getenv("ERDTREE_SERVER_BIN");
  if (env != nullptr && *env != '\0') return env;
  return ERDTREE_SERVER_PATH;
}

bool ServerProcess::isRedis() const {
  std::string base = std::filesystem::path(binary_).filename().string();
  return base.find("redis-server") != std::string::npos;
}

std::string ServerProcess::logPath() const { return dir_ + "/server.log"; }

std::string ServerProcess::log() const {
  std::ifstream in(logPath(), std::ios::binary);
  if (!in) return "";
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> ServerProcess::commandLine() const {
  std::vector<std::string> argv{binary_, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_};
  if (isRedis()) {
    for (const char* a : {"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""}) argv.emplace_back(a);
  }
  argv.insert(argv.end(), extraArgs_.begin(), extraArgs_.end());
  return argv;
}

bool ServerProcess::reap(int options) const {
  if (pid_ <= 0 || reaped_) return true;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, options);
  } while (r < 0 && errno == EINTR);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    exitStatus_ = (r == pid_) ? status : -1;
    reaped_ = true;
    return true;
  }
  return false;
}

bool ServerProcess::running() const { return !reap(WNOHANG); }

void ServerProcess::spawn() {
  const std::vector<std::string> args = commandLine();
  int logFd = ::open(logPath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (logFd < 0) throw std::runtime_error(errnoText("open server log"));
  {
    std::string banner = "=== erdtree-itest: starting";
    for (const auto& a : args) banner += " '" + a + "'";
    banner += "\n";
    if (::write(logFd, banner.data(), banner.size()) < 0) { /* best effort */ }
  }
  const pid_t pid = spawnServer(args, logFd);
  const int err = errno;
  ::close(logFd);
  if (pid < 0) {
    errno = err;
    throw std::runtime_error(errnoText("fork"));
  }
  pid_ = pid;
  reaped_ = false;
  exitStatus_ = -1;
}

void ServerProcess::start() {
  if (running()) throw std::runtime_error(strCat({"ServerProcess::start: already running on port ", std::to_string(port_)}));
  if (port_ == 0) port_ = pickFreePort();
  for (int attempt = 0;; ++attempt) {
    const size_t logStart = log().size();
    spawn();
    const auto deadline = Clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
    std::string why;
    while (true) {
      if (!running()) {
        std::ostringstream s;
        s << "exited during startup (wait status " << exitStatus_ << ")";
        why = s.str();
        break;
      }
      std::string line = probe(port_, 500);
      // Any answer but -LOADING means the server is serving (a -NOAUTH reply
      // from a password-protected server counts).
      if (!line.empty() && line.rfind("-LOADING", 0) != 0) return;
      if (Clock::now() >= deadline) {
        why = "did not answer PING within 10 s";
        stop();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(line.empty() ? 20 : 50));
    }
    std::string text = log();
    std::string newText = text.size() > logStart ? text.substr(logStart) : "";
    std::string l = lower(newText);
    bool addrInUse = l.find("address already in use") != std::string::npos || l.find("eaddrinuse") != std::string::npos;
    if (addrInUse && attempt + 1 < kBindRetries) {
      port_ = pickFreePort();
      continue;
    }
    throw std::runtime_error(strCat({"ServerProcess::start: ", binary_}) + " on port " + std::to_string(port_) + " " +
                             why + "; server log (" + logPath() + "):\n" + text);
  }
}

int ServerProcess::stop() {
  if (pid_ <= 0 || reaped_) return -1;
  if (reap(WNOHANG)) return exitStatus_;
  ::kill(pid_, SIGTERM);
  if (waitExit(kStopTimeoutMs)) return exitStatus_;
  ::kill(pid_, SIGKILL);
  reap(0);
  return exitStatus_;
}

void ServerProcess::kill9() {
  if (reap(WNOHANG)) return;
  ::kill(pid_, SIGKILL);
  reap(0);
}

void ServerProcess::sendSignal(int sig) {
  if (reap(WNOHANG)) return;
  ::kill(pid_, sig);
}

bool ServerProcess::waitExit(int timeoutMs) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  while (true) {
    if (reap(WNOHANG)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace erdtree::itest
