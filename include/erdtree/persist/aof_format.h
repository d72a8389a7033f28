#pragma once
// The append-only log's record format (docs/aof.md describes it in a page).
//
// A record is one command as a RESP multibulk array, exactly what a client
// would send: `*N\r\n` then N times `$len\r\n<bytes>\r\n`. Redis writes the
// same bytes, so an Erdtree log reads like a Redis 7.0 log and the other way
// round. The reader here is strict where the network parser is lenient (it
// checks every CRLF and accepts no inline commands): a byte out of place is
// corruption, reported with its offset, and a record cut short by the end of
// the data is a truncated tail, which the loader may cut off.
//
// Where a record may start, a line beginning with '#' is an annotation, as in
// Redis 7.0 (which writes `#TS:<unix time>` there and skips any '#' line when
// loading). The reader hands annotations out instead of skipping them, so a
// caller can act on its own kind (aof_groups.h) and ignore the others.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace erdtree::persist {

// Appends args as one RESP multibulk record to out.
void appendRecord(std::string& out, std::span<const std::string_view> args);
// Appends `SELECT db` as a record.
void appendSelect(std::string& out, int db);
// The pieces of a record, for a writer that hands a large argument to its
// sink without copying it into the buffer: `*argc\r\n`, then per argument
// `$len\r\n`, the bytes and `\r\n`.
void appendRecordHeader(std::string& out, size_t argc);
void appendArgHeader(std::string& out, size_t len);

// Hard limits of the reader, so a corrupt length cannot make it allocate or
// wait for gigabytes: Redis's own protocol ceilings.
inline constexpr int64_t kMaxRecordArgs = 1024ll * 1024 * 1024;
inline constexpr int64_t kMaxRecordBulk = 512ll * 1024 * 1024;
// An annotation line longer than this is corruption (redis-check-aof reads
// them into a buffer of this size).
inline constexpr size_t kMaxAnnotationLine = 1024;

enum class ReadStatus { Record, Annotation, End, Truncated, Corrupt };

// Reads records one by one from a byte range that stays alive and unchanged
// while the reader and the views it hands out are in use.
class RecordReader {
 public:
  explicit RecordReader(std::string_view data) : data_(data) {}
  // Record: args() holds the next record's arguments (views into data) and
  // offset() moves past it. Annotation: annotation() is the line, from its
  // '#' through its '\n', and offset() moves past it. End: data ends exactly
  // after a record or an annotation.
  // Truncated: data ends inside a record that starts at offset().
  // Corrupt: errorOffset() is the first byte that cannot be right and
  // error() says what was expected there.
  ReadStatus next();
  std::span<const std::string_view> args() const { return args_; }
  std::string_view annotation() const { return annotation_; }
  size_t offset() const { return pos_; }
  size_t errorOffset() const { return errorOffset_; }
  const std::string& error() const { return error_; }

 private:
  enum class Line { Ok, Short, Bad };
  // Reads "<prefix><decimal>\r\n" at p; on Ok advances p and sets value.
  Line readHeader(size_t& p, char prefix, int64_t& value);
  ReadStatus corrupt(size_t at, std::string what);
  ReadStatus readAnnotation();

  std::string_view data_;
  size_t pos_ = 0;
  std::vector<std::string_view> args_;
  std::string_view annotation_;
  size_t errorOffset_ = 0;
  std::string error_;
};

}  // namespace erdtree::persist
