// Table-driven reflected CRC-64. Reflected CRCs shift right, so the reversed
// form of 0xad93d23594c935a9 is what gets xored in.
//
// One table lookup per byte makes every step wait for the previous one (a
// load each), which showed up at about 8% of the instructions of a pipelined
// SET once every AOF group is checksummed. So eight bytes are folded per step
// ("slicing by 8"): table k holds the CRC of a byte followed by k zero bytes,
// so the eight lookups of a step are independent and only their xor chains.
#include "erdtree/persist/crc64.h"

#include <array>
#include <bit>
#include <cstring>

namespace erdtree::persist {
namespace {

constexpr uint64_t kReversedJones = 0x95ac9329ac4bc9b5ULL;
constexpr int kSlices = 8;

using Tables = std::array<std::array<uint64_t, 256>, kSlices>;

constexpr Tables makeTables() {
  Tables t{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kReversedJones : c >> 1;
    t[0][i] = c;
  }
  for (int k = 1; k < kSlices; ++k)
    for (size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  return t;
}

constexpr Tables kTables = makeTables();

uint64_t bytewise(uint64_t crc, const unsigned char* p, size_t len) {
  for (size_t i = 0; i < len; ++i) crc = kTables[0][(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace

uint64_t crc64(uint64_t crc, const void* data, size_t len) {
  const auto* p = static_cast<const unsigned char*>(data);
  if constexpr (std::endian::native == std::endian::little) {
    for (; len >= 8; p += 8, len -= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);  // the next eight bytes, first one lowest
      crc ^= w;
      crc = kTables[7][crc & 0xff] ^ kTables[6][(crc >> 8) & 0xff] ^ kTables[5][(crc >> 16) & 0xff] ^
            kTables[4][(crc >> 24) & 0xff] ^ kTables[3][(crc >> 32) & 0xff] ^ kTables[2][(crc >> 40) & 0xff] ^
            kTables[1][(crc >> 48) & 0xff] ^ kTables[0][crc >> 56];
    }
  }
  return bytewise(crc, p, len);
}

}  // namespace erdtree::persist
