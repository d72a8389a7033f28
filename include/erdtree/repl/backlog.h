#pragma once
// The replication backlog: a fixed-size ring holding the newest bytes of the
// replication stream, so a replica that lost its link can ask for what it
// missed (PSYNC <replid> <offset>) instead of a whole new snapshot.
//
// Offsets are stream offsets as Redis counts them: master_repl_offset (in
// ReplicationIds) is the number of bytes ever fed; the byte at stream offset
// N (1-based) is the N-th byte. The ring keeps the last histlen() bytes, the
// first of which is at firstByteOffset(). A PSYNC asks for the next byte it
// wants (its own offset + 1); that byte can be served when it lies in
// [firstByteOffset, firstByteOffset + histlen], the upper end meaning "you
// have everything, continue with the live stream".
//
// Redis creates the backlog when the first replica attaches
// (repl_backlog_active) and keeps it afterwards; feed() must then see every
// byte of the stream. The server owns it (one per master).
#include <cstdint>
#include <string>
#include <string_view>

#include "erdtree/repl/replication_ids.h"

namespace erdtree::repl {

// Redis's default repl-backlog-size and its lower bound.
inline constexpr uint64_t kDefaultBacklogSize = 1ull << 20;
inline constexpr uint64_t kMinBacklogSize = 16 * 1024;

class Backlog {
 public:
  // ids must outlive the backlog; feed() advances ids.offset. The first
  // byte fed next is at ids.offset + 1.
  Backlog(ReplicationIds& ids, uint64_t size);

  // Appends stream bytes (the oldest fall out once the ring is full).
  void feed(std::string_view bytes);
  // Appends to out the bytes from stream offset `from` to the end. False (and
  // out untouched) when `from` is not in [firstByteOffset, end + 1].
  bool copyFrom(int64_t from, std::string& out) const;
  bool contains(int64_t from) const {
    return from >= firstByteOffset_ && from <= firstByteOffset_ + static_cast<int64_t>(histlen_);
  }
  // CONFIG SET repl-backlog-size: keeps the newest min(histlen, size) bytes.
  void resize(uint64_t size);

  uint64_t size() const { return buf_.size(); }
  uint64_t histlen() const { return histlen_; }
  int64_t firstByteOffset() const { return firstByteOffset_; }

 private:
  ReplicationIds& ids_;
  std::string buf_;        // the ring
  size_t writeIdx_ = 0;    // where the next byte goes
  uint64_t histlen_ = 0;   // valid bytes, ending just before writeIdx_
  int64_t firstByteOffset_ = 1;
};

}  // namespace erdtree::repl
