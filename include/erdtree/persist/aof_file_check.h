#pragma once
// What one log file's bytes amount to: how far they may be replayed and what,
// if anything, is wrong after that. Start-up (aof_loader.h) and
// erdtree-check-aof both decide with this, so they always agree.
//
// A file without checksums (aof_groups.h) is read record by record as Redis
// does: whole records are good; a record cut short by the end is a torn tail;
// a byte out of place is corruption.
//
// A checksummed file is good up to the end of its last group whose checksum
// verifies; nothing after that is replayed, even whole records, since stale
// blocks after a power loss can hold well-formed records of another file (and
// a group's annotation goes out in the same write() as its records, so under
// appendfsync always no acknowledged write lies in an unverified tail). What
// follows that point is:
//  - a torn tail when no intact group can be found after it (zeros, garbage,
//    a group cut short, a group whose checksum fails, records without their
//    annotation);
//  - corruption when an intact group lies after it: that is damage in the
//    middle, not an interrupted write.
// In both kinds of file a MULTI without its EXEC at the good end is a torn
// tail too: the good end moves back to before the MULTI.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace erdtree::persist {

struct AofFileCheck {
  enum class Problem { None, TornTail, Corrupt };
  bool checksummed = false;  // the file opens with the checksum header
  // [0, validEnd) holds whole records (whole verified groups, when
  // checksummed) outside any MULTI: what may be replayed, and where a torn
  // tail is cut.
  size_t validEnd = 0;
  uint64_t records = 0;  // records in [0, validEnd)
  uint64_t groups = 0;   // verified groups in [0, validEnd), the header included
  // A writer may append to the file as it is after a cut at validEnd: it is
  // checksummed and validEnd is the end of a group.
  bool sealed = false;
  bool openMulti = false;  // validEnd was moved back before a MULTI without EXEC
  Problem problem = Problem::None;
  size_t problemOffset = 0;  // the first byte that is wrong, or where the torn tail starts
  std::string what;          // what is wrong there, for messages
};

AofFileCheck checkAofFile(std::string_view data);

}  // namespace erdtree::persist
