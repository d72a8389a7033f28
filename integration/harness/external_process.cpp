#include "harness/external_process.h"

#include "harness/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef ERDTREE_SOURCE_DIR
#define ERDTREE_SOURCE_DIR "."
#endif

namespace erdtree::itest {
namespace {

using Clock = std::chrono::steady_clock;

bool portOpen(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

ExternalProcess::ExternalProcess(std::string name, std::string binary)
    : name_(std::move(name)), binary_(std::move(binary)) {
  char tmpl[] = "/tmp/erdtree-ext-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = tmpl;
}

ExternalProcess::~ExternalProcess() {
  stop();
  if (std::getenv("ERDTREE_KEEP_TMP") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string ExternalProcess::writeFile(const std::string& fileName, const std::string& text) const {
  const std::string path = dir_ + "/" + fileName;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
  return path;
}

void ExternalProcess::start(const std::vector<std::string>& args, int port, int timeoutMs) {
  if (running()) throw std::runtime_error(name_ + " is already running");
  std::vector<std::string> all{binary_};
  all.insert(all.end(), args.begin(), args.end());
  int logFd = ::open(logPath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (logFd < 0) throw std::runtime_error("cannot open " + logPath());
  const pid_t pid = spawnServer(all, logFd);
  const int err = errno;
  ::close(logFd);
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(err));
  pid_ = pid;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  while (port > 0 && !portOpen(port)) {
    if (!running()) throw std::runtime_error(name_ + " (" + binary_ + ") exited during start-up; log:\n" + log());
    if (Clock::now() >= deadline) {
      stop();
      throw std::runtime_error(name_ + " did not open port " + std::to_string(port) + "; log:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool ExternalProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ExternalProcess::stop() {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (running()) {
    if (Clock::now() >= deadline) return kill9();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void ExternalProcess::kill9() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ExternalProcess::log() const {
  std::ifstream in(logPath(), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string missingBinary(const std::string& path, const std::string& debianPackage) {
  if (::access(path.c_str(), X_OK) == 0) return "";
  return path + " is not installed: install the Debian package '" + debianPackage +
         "' (tools/install-deps.sh does)";
}

std::string readSourceFile(const std::string& relativePath) {
  const std::string path = std::string(ERDTREE_SOURCE_DIR) + "/" + relativePath;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string replaceLine(const std::string& text, const std::string& prefix, const std::string& line) {
  std::string out;
  bool found = false;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l.rfind(prefix, 0) == 0) {
      l = line;
      found = true;
    }
    out += l + "\n";
  }
  if (!found) throw std::runtime_error("no line starts with '" + prefix + "'");
  return out;
}

}  // namespace erdtree::itest
