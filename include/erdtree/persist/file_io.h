#pragma once
// Small POSIX file helpers shared by the persist writers (the RDB save, the
// AOF rewrite's base file, the manifest): a whole-buffer write and the
// "<what>: <strerror>" error text they report.
#include <string>
#include <string_view>

namespace erdtree::persist {

// Writes all of data to fd, going on after short writes and EINTR. Returns 0,
// or the errno of the write that failed (ENOSPC for one that wrote nothing).
int writeAll(int fd, std::string_view data);

// "<what>: <strerror(err)>".
std::string errnoText(const std::string& what, int err);

}  // namespace erdtree::persist
