#pragma once
// Number parsing and formatting with Redis's exact acceptance rules: a value
// that Redis refuses as "not an integer" must be refused here too.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace erdtree::util {

// Strict base-10 int64: no spaces, no '+', no leading zeros, no "-0".
std::optional<int64_t> parseInt64(std::string_view s);
// Strict base-10 uint64 (same rules, no sign).
std::optional<uint64_t> parseUint64(std::string_view s);
// long double as Redis's string2ld: strtold rules, no leading space, no NaN.
std::optional<long double> parseLongDouble(std::string_view s);
// double as Redis's string2d / getDoubleFromObject: no NaN, no leading space.
std::optional<double> parseDouble(std::string_view s);

// Writes the decimal form of v into buf (at least 21 bytes); returns length.
size_t formatInt64(int64_t v, char* buf);
// A double as Redis 7.0 writes one in replies, ZSCAN and the AOF rewrite
// (d2string / rioWriteBulkDouble): "%.17g", which strtod reads back as the
// identical double (-0 stays "-0"), and "inf" / "-inf" for the infinities.
// buf must hold kMaxDoubleChars bytes; returns the length. NaN is never a
// value (parseDouble refuses it) and is not handled specially.
size_t formatDouble(double v, char* buf);
constexpr size_t kMaxDoubleChars = 32;
// Human form used by INCRBYFLOAT: "%.17Lf" with trailing zeros removed.
// buf must hold at least 5120 bytes (MAX_LONG_DOUBLE_CHARS). Returns length.
size_t formatLongDoubleHuman(long double v, char* buf, size_t cap);
constexpr size_t kMaxLongDoubleChars = 5 * 1024;

}  // namespace erdtree::util
