// LZF compressor and decompressor (format in lzf.h). The compressor is a
// greedy single-pass matcher: a hash of the next three bytes finds the last
// position with the same hash, and a match of at least three bytes within
// 8 KiB becomes a back reference. It does not aim at liblzf's exact output,
// only at a valid stream any LZF decoder (Redis's included) expands.
#include "erdtree/persist/lzf.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace erdtree::persist {
namespace {

constexpr size_t kMaxLiteral = 32;
constexpr size_t kMaxOffset = 1 << 13;     // 8 KiB window
constexpr size_t kMaxMatch = 7 + 255 + 2;  // longest back reference
constexpr int kHashBits = 14;

uint32_t hash3(const unsigned char* p) {
  uint32_t v = static_cast<uint32_t>(p[0]) << 16 | static_cast<uint32_t>(p[1]) << 8 | p[2];
  return (v * 2654435761u) >> (32 - kHashBits);
}

}  // namespace

std::optional<std::string> lzfDecompress(std::string_view in, size_t expectedLen) {
  std::string out;
  out.resize(expectedLen);
  const auto* ip = reinterpret_cast<const unsigned char*>(in.data());
  const auto* end = ip + in.size();
  size_t op = 0;
  while (ip < end) {
    unsigned ctrl = *ip++;
    if (ctrl < 32) {
      size_t n = ctrl + 1;
      if (static_cast<size_t>(end - ip) < n || expectedLen - op < n) return std::nullopt;
      std::memcpy(&out[op], ip, n);
      ip += n;
      op += n;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= end) return std::nullopt;
      len += *ip++;
    }
    if (ip >= end) return std::nullopt;
    size_t back = ((static_cast<size_t>(ctrl) & 0x1f) << 8) + *ip++ + 1;
    len += 2;
    if (back > op || expectedLen - op < len) return std::nullopt;
    for (size_t i = 0; i < len; ++i, ++op) out[op] = out[op - back];  // may overlap
  }
  if (op != expectedLen) return std::nullopt;
  return out;
}

std::optional<std::string> lzfCompress(std::string_view in, size_t maxOut) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  std::string out;
  out.reserve(n < maxOut ? n : maxOut);
  std::vector<uint32_t> table(size_t{1} << kHashBits, 0);  // position + 1; 0 = empty
  size_t litStart = 0;
  auto flushLiterals = [&](size_t upto) -> bool {
    while (litStart < upto) {
      size_t run = upto - litStart < kMaxLiteral ? upto - litStart : kMaxLiteral;
      if (out.size() + 1 + run > maxOut) return false;
      out.push_back(static_cast<char>(run - 1));
      out.append(in.data() + litStart, run);
      litStart += run;
    }
    return true;
  };
  size_t i = 0;
  while (i + 3 <= n) {
    uint32_t h = hash3(p + i);
    size_t cand = table[h];
    table[h] = static_cast<uint32_t>(i + 1);
    if (cand != 0 && i - (cand - 1) <= kMaxOffset && std::memcmp(p + cand - 1, p + i, 3) == 0) {
      size_t from = cand - 1;
      size_t limit = n - i < kMaxMatch ? n - i : kMaxMatch;
      size_t len = 3;
      while (len < limit && p[from + len] == p[i + len]) ++len;
      if (!flushLiterals(i)) return std::nullopt;
      size_t off = i - from - 1;
      size_t l = len - 2;
      if (l < 7) {
        if (out.size() + 2 > maxOut) return std::nullopt;
        out.push_back(static_cast<char>((l << 5) | (off >> 8)));
      } else {
        if (out.size() + 3 > maxOut) return std::nullopt;
        out.push_back(static_cast<char>((7 << 5) | (off >> 8)));
        out.push_back(static_cast<char>(l - 7));
      }
      out.push_back(static_cast<char>(off & 0xff));
      // Index a few positions inside the match so later data can refer to it.
      for (size_t k = i + 1; k < i + len && k + 3 <= n && k < i + 4; ++k) table[hash3(p + k)] = static_cast<uint32_t>(k + 1);
      i += len;
      litStart = i;
    } else {
      ++i;
    }
  }
  if (!flushLiterals(n)) return std::nullopt;
  return out;
}

}  // namespace erdtree::persist
