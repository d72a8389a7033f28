#pragma once
// LEB128 variable-length integers: 7 bits per byte, low bits first, the high
// bit set on every byte but the last. Entries and the compact encodings
// (hash listpack, sorted-set records, list chunks) prefix lengths with them,
// so a length under 128 costs one byte.
#include <cstddef>
#include <cstdint>

namespace erdtree::util {

constexpr size_t kMaxVarintBytes = 10;  // a 64-bit value

inline size_t varintSize(size_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes v at p (room for varintSize(v) bytes); returns the bytes written.
inline size_t writeVarint(uint8_t* p, size_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<uint8_t>(v);
  return n;
}

// Reads a varint written by writeVarint; returns the bytes it took.
inline size_t readVarint(const uint8_t* p, size_t& v) {
  size_t n = 0;
  int shift = 0;
  v = 0;
  for (;;) {
    const uint8_t b = p[n++];
    v |= static_cast<size_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return n;
    shift += 7;
  }
}

}  // namespace erdtree::util
