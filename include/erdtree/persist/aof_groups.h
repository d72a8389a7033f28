#pragma once
// Checksummed record groups: how Erdtree tells a torn write from corruption.
//
// After a power loss a log file can end in zeros or stale blocks (its size
// reached the disk, its data did not); stale blocks may even hold whole,
// well-formed records of some deleted file. So the writer closes every group
// of records it writes with one write() (one flush) with an annotation line
//
//   #EC:<crc64 of the group, 16 lowercase hex digits>:<group length, decimal>\r\n
//
// in that same write(). The group is every byte from the end of the previous
// `#EC` line (or the file's start) up to this line. The CRC is Redis's
// CRC-64 (crc64.h). Each incr segment starts with the empty group's line
// `#EC:0000000000000000:0\r\n`, made durable before the manifest lists the
// file: a file that begins with `#EC:` is checksummed from its first byte,
// any other file (Redis's, an older Erdtree's, a rewrite's base) is read
// without checksums. Redis and redis-check-aof skip '#' lines, so the file
// stays a valid AOF for them.
//
// The length is redundant while the chain of groups is intact; after damage
// it lets findVerifiedGroup() spot an intact group further on without the
// chain, which is what separates a torn tail (nothing valid after the damage)
// from corruption in the middle (docs/aof.md, "Loading").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace erdtree::persist {

inline constexpr std::string_view kGroupTag = "#EC:";
// The empty group's annotation that opens every checksummed segment.
inline constexpr std::string_view kGroupHeader = "#EC:0000000000000000:0\r\n";

struct GroupAnnotation {
  uint64_t crc = 0;
  uint64_t length = 0;
};

// Appends the annotation line for a group of length bytes with checksum crc.
void appendGroupAnnotation(std::string& out, uint64_t crc, uint64_t length);
// Parses a whole annotation line (from '#' through "\r\n") in the exact form
// appendGroupAnnotation writes; false for anything else.
bool parseGroupAnnotation(std::string_view line, GroupAnnotation& out);
// The start of a non-empty group, lying wholly at or after from, whose
// annotation line starts a line and whose checksum matches; npos if none.
size_t findVerifiedGroup(std::string_view data, size_t from);

}  // namespace erdtree::persist
