#include "erdtree/util/hash.h"

#include <cstring>

namespace erdtree::util {
namespace {

constexpr uint64_t kMulA = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t kMulB = 0xd6e8feb86659fd93ULL;
constexpr uint64_t kMulC = 0xa0761d6478bd642fULL;

inline uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t loadTail(const char* p, size_t n) {  // 1..7 bytes
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

// 64x64 -> 128 multiply folded to 64 bits: every input bit reaches every
// output bit in one step.
inline uint64_t fold(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

uint64_t g_seed = 0x2d358dccaa6c78a5ULL;

}  // namespace

uint64_t hashBytes(std::string_view bytes, uint64_t seed) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  uint64_t h = seed ^ (n * kMulA);
  while (n >= 16) {
    h = fold(load64(p) ^ kMulB ^ h, load64(p + 8) ^ kMulC);
    p += 16;
    n -= 16;
  }
  if (n >= 8) {
    h = fold(load64(p) ^ kMulB ^ h, kMulC);
    p += 8;
    n -= 8;
  }
  if (n > 0) h = fold(loadTail(p, n) ^ kMulC ^ h, kMulA);
  return fold(h ^ kMulB, kMulA ^ bytes.size());
}

uint64_t hashSeed() { return g_seed; }
void setHashSeed(uint64_t seed) { g_seed = seed; }

}  // namespace erdtree::util
