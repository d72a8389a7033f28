#include "erdtree/server/supervision.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace erdtree::server {
namespace {

bool bySystemd = false;

bool systemdPresent() {
  if (std::getenv("NOTIFY_SOCKET") != nullptr) return true;
  spdlog::warn("systemd supervision requested or auto-detected, but NOTIFY_SOCKET not found!");
  return false;
}

bool upstartNow() {
  if (std::getenv("UPSTART_JOB") == nullptr) {
    spdlog::warn("upstart supervision requested, but UPSTART_JOB not found!");
    return false;
  }
  spdlog::info("supervised by upstart, will stop to signal readiness.");
  std::raise(SIGSTOP);
  unsetenv("UPSTART_JOB");
  return true;
}

}  // namespace

bool startSupervision(const std::string& mode) {
  if (mode == "systemd") return bySystemd = systemdPresent();
  if (mode == "upstart") return upstartNow();
  if (mode != "auto") return false;
  if (std::getenv("UPSTART_JOB") != nullptr) return upstartNow();
  if (std::getenv("NOTIFY_SOCKET") == nullptr) return false;
  spdlog::warn("WARNING auto-supervised by systemd - you MUST set appropriate values for TimeoutStartSec and "
               "TimeoutStopSec in your service unit.");
  bySystemd = true;
  notifySystemd("STATUS=Redis is loading...\n");
  return true;
}

bool supervisedBySystemd() { return bySystemd; }

bool notifySystemd(std::string_view message) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const size_t len = std::strlen(path);
  if (len >= sizeof(addr.sun_path)) return false;
  std::memcpy(addr.sun_path, path, len);
  if (path[0] == '@') addr.sun_path[0] = '\0';  // an abstract socket
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto addrLen = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  const ssize_t n = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&addr), addrLen);
  ::close(fd);
  return n == static_cast<ssize_t>(message.size());
}

}  // namespace erdtree::server
