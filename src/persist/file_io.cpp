#include "erdtree/persist/file_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace erdtree::persist {

int writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return ENOSPC;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

std::string errnoText(const std::string& what, int err) { return what + ": " + std::strerror(err); }

}  // namespace erdtree::persist
