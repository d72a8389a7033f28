#include "erdtree/repl/backlog.h"

#include <algorithm>

namespace erdtree::repl {

Backlog::Backlog(ReplicationIds& ids, uint64_t size)
    : ids_(ids), buf_(std::max<uint64_t>(size, 1), '\0'), firstByteOffset_(ids.offset + 1) {}

void Backlog::feed(std::string_view bytes) {
  ids_.offset += static_cast<int64_t>(bytes.size());
  const size_t cap = buf_.size();
  if (bytes.size() >= cap) {  // only the tail survives
    bytes.remove_prefix(bytes.size() - cap);
    std::copy(bytes.begin(), bytes.end(), buf_.begin());
    writeIdx_ = 0;
    histlen_ = cap;
  } else {
    size_t first = std::min(bytes.size(), cap - writeIdx_);
    std::copy_n(bytes.data(), first, buf_.begin() + static_cast<std::ptrdiff_t>(writeIdx_));
    std::copy_n(bytes.data() + first, bytes.size() - first, buf_.begin());
    writeIdx_ = (writeIdx_ + bytes.size()) % cap;
    histlen_ = std::min<uint64_t>(histlen_ + bytes.size(), cap);
  }
  firstByteOffset_ = ids_.offset - static_cast<int64_t>(histlen_) + 1;
}

bool Backlog::copyFrom(int64_t from, std::string& out) const {
  if (!contains(from)) return false;
  const size_t cap = buf_.size();
  size_t skip = static_cast<size_t>(from - firstByteOffset_);
  size_t len = histlen_ - skip;
  size_t start = (writeIdx_ + cap - histlen_ + skip) % cap;
  size_t first = std::min(len, cap - start);
  out.append(buf_, start, first);
  out.append(buf_, 0, len - first);
  return true;
}

void Backlog::resize(uint64_t size) {
  size = std::max<uint64_t>(size, 1);
  if (size == buf_.size()) return;
  std::string keep;
  int64_t end = ids_.offset;
  uint64_t n = std::min<uint64_t>(histlen_, size);
  copyFrom(end - static_cast<int64_t>(n) + 1, keep);
  buf_.assign(size, '\0');
  std::copy(keep.begin(), keep.end(), buf_.begin());
  histlen_ = n;
  writeIdx_ = n % size;
  firstByteOffset_ = end - static_cast<int64_t>(n) + 1;
}

}  // namespace erdtree::repl
