#include "erdtree/persist/aof_groups.h"

#include <charconv>

#include "erdtree/persist/crc64.h"

namespace erdtree::persist {
namespace {

constexpr size_t kCrcDigits = 16;
// Enough for any file size (2^64 has 20 digits).
constexpr size_t kMaxLengthDigits = 20;
constexpr char kHex[] = "0123456789abcdef";
// The longest line appendGroupAnnotation writes.
constexpr size_t kMaxLine = kGroupTag.size() + kCrcDigits + 1 + kMaxLengthDigits + 2;

}  // namespace

void appendGroupAnnotation(std::string& out, uint64_t crc, uint64_t length) {
  char line[kMaxLine];
  char* p = line;
  for (char c : kGroupTag) *p++ = c;
  for (int shift = 60; shift >= 0; shift -= 4) *p++ = kHex[(crc >> shift) & 0xf];
  *p++ = ':';
  p = std::to_chars(p, line + sizeof line, length).ptr;
  *p++ = '\r';
  *p++ = '\n';
  out.append(line, p);
}

bool parseGroupAnnotation(std::string_view line, GroupAnnotation& out) {
  if (!line.starts_with(kGroupTag) || !line.ends_with("\r\n")) return false;
  line.remove_prefix(kGroupTag.size());
  line.remove_suffix(2);
  if (line.size() < kCrcDigits + 2 || line[kCrcDigits] != ':') return false;
  uint64_t crc = 0;
  for (size_t i = 0; i < kCrcDigits; ++i) {
    const char c = line[i];
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) return false;
    crc = crc << 4 | static_cast<uint64_t>(v);
  }
  const std::string_view digits = line.substr(kCrcDigits + 1);
  if (digits.size() > kMaxLengthDigits || (digits.size() > 1 && digits[0] == '0')) return false;
  uint64_t length = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
  if (ec != std::errc() || end != digits.data() + digits.size()) return false;
  out = {crc, length};
  return true;
}

size_t findVerifiedGroup(std::string_view data, size_t from) {
  for (size_t at = data.find(kGroupTag, from); at != std::string_view::npos; at = data.find(kGroupTag, at + 1)) {
    if (at > 0 && data[at - 1] != '\n') continue;  // a group's line follows a record's CRLF
    const size_t nl = data.substr(at, kMaxLine).find('\n');
    if (nl == std::string_view::npos) continue;
    GroupAnnotation a;
    if (!parseGroupAnnotation(data.substr(at, nl + 1), a)) continue;
    // Empty groups are skipped: every segment opens with one, so a stale
    // block of an old segment would match.
    if (a.length == 0 || a.length > at - from) continue;
    const size_t start = at - static_cast<size_t>(a.length);
    if (crc64(0, data.data() + start, a.length) == a.crc) return start;
  }
  return std::string_view::npos;
}

}  // namespace erdtree::persist
