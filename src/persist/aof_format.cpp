#include "erdtree/persist/aof_format.h"

#include <algorithm>
#include <cstring>

namespace erdtree::persist {
namespace {

// Bulk lengths and counts are nearly always below 1000: branches, no loop.
inline size_t decimalDigits(size_t n) {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  size_t d = 4;
  for (n /= 10000; n != 0; n /= 10) ++d;
  return d;
}

// "<prefix><n>\r\n" at p (room already made); returns the end.
inline char* writeHeader(char* p, char prefix, size_t n, size_t digits) {
  *p++ = prefix;
  char* end = p + digits;
  for (char* q = end; q != p; n /= 10) *--q = static_cast<char>('0' + n % 10);
  end[0] = '\r';
  end[1] = '\n';
  return end + 2;
}

void appendHeader(std::string& out, char prefix, size_t n) {
  const size_t digits = decimalDigits(n);
  const size_t at = out.size();
  out.resize(at + digits + 3);
  writeHeader(out.data() + at, prefix, n, digits);
}

}  // namespace

void appendRecordHeader(std::string& out, size_t argc) { appendHeader(out, '*', argc); }

void appendArgHeader(std::string& out, size_t len) { appendHeader(out, '$', len); }

// One resize and direct writes: this runs for every write command, once for
// the log and once for the replication stream.
void appendRecord(std::string& out, std::span<const std::string_view> args) {
  const size_t countDigits = decimalDigits(args.size());
  size_t total = 3 + countDigits;
  for (std::string_view a : args) total += 5 + decimalDigits(a.size()) + a.size();
  const size_t at = out.size();
  out.resize(at + total);
  char* p = out.data() + at;
  p = writeHeader(p, '*', args.size(), countDigits);
  for (std::string_view a : args) {
    p = writeHeader(p, '$', a.size(), decimalDigits(a.size()));
    if (!a.empty()) std::memcpy(p, a.data(), a.size());
    p += a.size();
    *p++ = '\r';
    *p++ = '\n';
  }
}

void appendSelect(std::string& out, int db) {
  std::string n = std::to_string(db);
  const std::string_view args[] = {"SELECT", n};
  appendRecord(out, args);
}

RecordReader::Line RecordReader::readHeader(size_t& p, char prefix, int64_t& value) {
  if (p >= data_.size()) return Line::Short;
  if (data_[p] != prefix) return Line::Bad;
  size_t q = p + 1;
  int64_t v = 0;
  size_t digits = 0;
  while (q < data_.size() && data_[q] >= '0' && data_[q] <= '9') {
    if (++digits > 18) return Line::Bad;
    v = v * 10 + (data_[q] - '0');
    ++q;
  }
  if (q >= data_.size()) return Line::Short;
  if (digits == 0 || data_[q] != '\r') return Line::Bad;
  if (q + 1 >= data_.size()) return Line::Short;
  if (data_[q + 1] != '\n') return Line::Bad;
  value = v;
  p = q + 2;
  return Line::Ok;
}

ReadStatus RecordReader::corrupt(size_t at, std::string what) {
  errorOffset_ = at;
  error_ = std::move(what);
  return ReadStatus::Corrupt;
}

ReadStatus RecordReader::readAnnotation() {
  // Like Redis's loader, any line up to '\n' (it reads them with fgets).
  const size_t window = std::min(data_.size() - pos_, kMaxAnnotationLine);
  const size_t nl = data_.substr(pos_, window).find('\n');
  if (nl == std::string_view::npos) {
    if (window < kMaxAnnotationLine) return ReadStatus::Truncated;
    return corrupt(pos_, "annotation line longer than " + std::to_string(kMaxAnnotationLine) + " bytes");
  }
  annotation_ = data_.substr(pos_, nl + 1);
  pos_ += nl + 1;
  return ReadStatus::Annotation;
}

ReadStatus RecordReader::next() {
  args_.clear();
  annotation_ = {};
  if (pos_ == data_.size()) return ReadStatus::End;
  if (data_[pos_] == '#') return readAnnotation();
  size_t p = pos_;
  int64_t count = 0;
  switch (readHeader(p, '*', count)) {
    case Line::Short: return ReadStatus::Truncated;
    case Line::Bad: return corrupt(pos_, "expected a '*<count>' record header");
    case Line::Ok: break;
  }
  if (count < 1 || count > kMaxRecordArgs) return corrupt(pos_, "record argument count out of range");
  for (int64_t i = 0; i < count; ++i) {
    size_t at = p;
    int64_t len = 0;
    switch (readHeader(p, '$', len)) {
      case Line::Short: return ReadStatus::Truncated;
      case Line::Bad: return corrupt(at, "expected a '$<length>' argument header");
      case Line::Ok: break;
    }
    if (len > kMaxRecordBulk) return corrupt(at, "argument length out of range");
    size_t n = static_cast<size_t>(len);
    if (data_.size() - p < n + 2) {
      // The payload or its CRLF runs past the end; a wrong byte already
      // present in the terminator position is still corruption.
      if (data_.size() - p > n && data_[p + n] != '\r') return corrupt(p + n, "expected CRLF after an argument");
      return ReadStatus::Truncated;
    }
    if (data_[p + n] != '\r' || data_[p + n + 1] != '\n') return corrupt(p + n, "expected CRLF after an argument");
    args_.emplace_back(data_.data() + p, n);
    p += n + 2;
  }
  pos_ = p;
  return ReadStatus::Record;
}

}  // namespace erdtree::persist
