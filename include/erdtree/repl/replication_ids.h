#pragma once
// A server's place in the replication history, as Redis keeps it: the
// current replication ID and offset of the stream it serves or follows, and
// the previous ID with the offset up to which it is valid (kept after a
// promotion, so replicas of the old master can still continue partially).
//
//   replid         40 hex chars; new at start-up, adopted from the master on
//                  a full resync, changed (shift) on promotion
//   offset         master_repl_offset: bytes of the stream so far
//   replid2        the previous ID ("000...0" when none)
//   secondOffset   second_repl_offset: replid2 is valid up to (excluding)
//                  this offset; -1 when none
#include <cstdint>
#include <string>

namespace erdtree::repl {

struct ReplicationIds {
  std::string replid = newReplid();
  std::string replid2 = std::string(40, '0');
  int64_t offset = 0;
  int64_t secondOffset = -1;

  // A random 40-hex-digit ID (also the run id).
  static std::string newReplid();
  // Promotion (REPLICAOF NO ONE): the current ID becomes the second one,
  // valid up to offset + 1, and a new ID starts (Redis's shiftReplicationId).
  void shift();
  // Forgets the previous ID (clearReplicationId2).
  void clearSecond();
};

}  // namespace erdtree::repl
