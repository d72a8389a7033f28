#include "erdtree/server/cow_report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace erdtree::server {

uint64_t privateDirtyBytes(int pid) {
  char path[64];
  if (pid == 0) std::snprintf(path, sizeof path, "/proc/self/smaps_rollup");
  else std::snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[4096];
  size_t used = 0;
  while (used < sizeof(buf) - 1) {
    ssize_t n = ::read(fd, buf + used, sizeof(buf) - 1 - used);
    if (n <= 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  buf[used] = '\0';
  const char* p = std::strstr(buf, "Private_Dirty:");
  if (p == nullptr) return 0;
  p += std::strlen("Private_Dirty:");
  while (*p == ' ' || *p == '\t') ++p;
  uint64_t kb = 0;
  while (*p >= '0' && *p <= '9') kb = kb * 10 + static_cast<uint64_t>(*p++ - '0');
  return kb * 1024;
}

void CowReport::open() {
  close();
  if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) fds_[0] = fds_[1] = -1;
}

void CowReport::parentAfterFork() {
  if (fds_[1] >= 0) ::close(fds_[1]);
  fds_[1] = -1;
}

void CowReport::sendFromChild() {
  if (fds_[1] < 0) return;
  const uint64_t cow = privateDirtyBytes();
  ssize_t n = ::write(fds_[1], &cow, sizeof cow);
  (void)n;  // best effort: the parent then reports 0
}

uint64_t CowReport::receive() {
  uint64_t cow = 0;
  if (fds_[0] >= 0 && ::read(fds_[0], &cow, sizeof cow) != static_cast<ssize_t>(sizeof cow)) cow = 0;
  close();
  return cow;
}

void CowReport::close() {
  for (int& fd : fds_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

}  // namespace erdtree::server
