#pragma once
// The compact blobs RDB files embed inside string values: Redis's listpack
// (written and read), ziplist (read only: Redis 7.0 loads but never writes
// it) and intset (written and read). Layouts, all integers little-endian:
//
// listpack: [total bytes u32][count u16, 65535 = unknown] entries [0xFF]
//   entry = encoding+data, then back-length (the size of encoding+data in
//   7-bit groups, most significant first, every byte but the first with the
//   high bit set) so the list can be walked backwards. Encodings:
//   0xxxxxxx uint7 | 10llllll str(6-bit len) | 110xxxxx +1 int13 |
//   1110llll +1 str(12-bit len) | 0xF0 +4 str(32-bit len) |
//   0xF1 int16 | 0xF2 int24 | 0xF3 int32 | 0xF4 int64
// ziplist: [total bytes u32][tail offset u32][count u16] entries [0xFF]
//   entry = prevlen (1 byte, or 0xFE + u32), encoding, data. Encodings:
//   00llllll str | 01llllll +1 str(14-bit BE) | 0x80 +4 str(32-bit BE) |
//   0xC0 int16 | 0xD0 int32 | 0xE0 int64 | 0xF0 int24 | 0xFE int8 |
//   0xF1..0xFD the value (low nibble - 1)
// intset: [width u32: 2, 4 or 8][count u32] count sorted integers of width
//
// Decoders check every length against the blob and return an error text
// ("" on success); they never read outside the blob.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace erdtree::persist {

class ListpackBuilder {
 public:
  ListpackBuilder() { clear(); }
  // Appends s, as an integer entry when it is a canonical int64 (as Redis).
  void add(std::string_view s);
  void addInt(int64_t v);
  size_t count() const { return count_; }
  size_t bytes() const { return buf_.size() + 1; }  // with the end byte
  // The finished blob; the builder is reset.
  std::string finish();
  void clear();

 private:
  void backlen(size_t entryLen);
  std::string buf_;
  size_t count_ = 0;
};

// Elements are passed as text (integers in decimal). fn may be called for
// some elements before an error is found.
using ElementFn = std::function<void(std::string_view)>;
std::string decodeListpack(std::string_view blob, const ElementFn& fn);
std::string decodeZiplist(std::string_view blob, const ElementFn& fn);
std::string decodeIntset(std::string_view blob, const std::function<void(int64_t)>& fn);

// An intset blob of the given values (ascending, distinct).
std::string encodeIntset(const int64_t* values, size_t n);

}  // namespace erdtree::persist
