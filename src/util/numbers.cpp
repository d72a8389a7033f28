#include "erdtree/util/numbers.h"

#include <cerrno>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace erdtree::util {

std::optional<uint64_t> parseUint64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() == 1 && s[0] == '0') return 0;
  if (s[0] < '1' || s[0] > '9') return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<int64_t> parseInt64(std::string_view s) {
  bool negative = false;
  if (!s.empty() && s[0] == '-') {
    negative = true;
    s.remove_prefix(1);
    if (s == "0") return std::nullopt;  // Redis rejects "-0"
  }
  auto mag = parseUint64(s);
  if (!mag) return std::nullopt;
  if (negative) {
    if (*mag > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - *mag);
  }
  if (*mag > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(*mag);
}

std::optional<long double> parseLongDouble(std::string_view s) {
  if (s.empty() || s.size() >= kMaxLongDoubleChars) return std::nullopt;
  char buf[kMaxLongDoubleChars];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (std::isspace(static_cast<unsigned char>(buf[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long double v = std::strtold(buf, &end);
  if (end != buf + s.size()) return std::nullopt;  // trailing bytes or embedded NUL
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO))
    return std::nullopt;
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::optional<double> parseDouble(std::string_view s) {
  if (s.empty() || s.size() >= 5 * 1024) return std::nullopt;
  std::string tmp(s);
  if (std::isspace(static_cast<unsigned char>(tmp[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(tmp.c_str(), &end);
  if (end != tmp.c_str() + tmp.size()) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO))
    return std::nullopt;
  if (std::isnan(v)) return std::nullopt;
  return v;
}

size_t formatInt64(int64_t v, char* buf) {
  char tmp[24];
  size_t n = 0;
  uint64_t mag = v < 0 ? (0 - static_cast<uint64_t>(v)) : static_cast<uint64_t>(v);
  do {
    tmp[n++] = static_cast<char>('0' + mag % 10);
    mag /= 10;
  } while (mag != 0);
  size_t len = 0;
  if (v < 0) buf[len++] = '-';
  while (n > 0) buf[len++] = tmp[--n];
  return len;
}

size_t formatDouble(double v, char* buf) {
  if (std::isinf(v)) {
    const char* s = v > 0 ? "inf" : "-inf";
    const size_t n = std::strlen(s);
    std::memcpy(buf, s, n);
    return n;
  }
  const int n = std::snprintf(buf, kMaxDoubleChars, "%.17g", v);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

size_t formatLongDoubleHuman(long double v, char* buf, size_t cap) {
  if (std::isinf(v)) {
    const char* s = v > 0 ? "inf" : "-inf";
    size_t n = std::strlen(s);
    std::memcpy(buf, s, n);
    return n;
  }
  int n = std::snprintf(buf, cap, "%.17Lf", v);
  if (n < 0 || static_cast<size_t>(n) >= cap) return 0;
  size_t len = static_cast<size_t>(n);
  if (std::memchr(buf, '.', len) != nullptr) {
    while (len > 0 && buf[len - 1] == '0') --len;
    if (len > 0 && buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') {
    buf[0] = '0';
    len = 1;
  }
  return len;
}

}  // namespace erdtree::util
