// Table-driven reflected CRC-64 (one byte per step). The table is built once
// from the reversed polynomial; reflected CRCs shift right, so the reversed
// form of 0xad93d23594c935a9 is what gets xored in.
#include "erdtree/persist/crc64.h"

#include <array>

namespace erdtree::persist {
namespace {

constexpr uint64_t kReversedJones = 0x95ac9329ac4bc9b5ULL;

constexpr std::array<uint64_t, 256> makeTable() {
  std::array<uint64_t, 256> t{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kReversedJones : c >> 1;
    t[i] = c;
  }
  return t;
}

constexpr std::array<uint64_t, 256> kTable = makeTable();

}  // namespace

uint64_t crc64(uint64_t crc, const void* data, size_t len) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < len; ++i) crc = kTable[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace erdtree::persist
