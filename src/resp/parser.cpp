// Request parser: a small state machine over offsets into the caller's
// buffer. States follow the request's shape:
//
//   Start ─'*'─> MultibulkCount ─> BulkHeader <─> BulkData ─> Done
//     └─other─> Inline ─────────────────────────────────────> Done
//   (any state) ─ limit or syntax violation ─> Failed
//
// Lines are found with memchr from scan_, which only moves forward, so the
// bytes of a header line are examined once however the line is split. The
// Redis rules this mirrors, and where they are split-dependent in Redis
// itself, are described in parser.h.
#include "erdtree/resp/parser.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>

#include "erdtree/util/numbers.h"

namespace erdtree::resp {
namespace {

// Argument vectors grown past this many entries by one huge request are
// released on reset(), so one big MSET does not pin memory for the
// connection's lifetime.
constexpr size_t kRetainedArgs = 1024;

size_t saturatingAdd(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

// isspace() in the C locale: what Redis skips between inline arguments.
bool isBlank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// What ends an unquoted inline argument (Redis does not include \v, \f).
bool endsUnquoted(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char unescape(char c) {
  switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\a';
    default: return c;
  }
}

}  // namespace

Parser::Parser(ParseLimits limits) : limits_(limits) {
  slices_.reserve(16);
  args_.reserve(16);
}

void Parser::setLimits(const ParseLimits& limits) { limits_ = limits; }

void Parser::setAuthenticated(bool authenticated) { authenticated_ = authenticated; }

size_t Parser::bytesNeededHint() const {
  return state_ == State::BulkData ? saturatingAdd(pos_, saturatingAdd(bulkLen_, 2)) : 0;
}

void Parser::reset() {
  state_ = State::Start;
  pos_ = scan_ = 0;
  stalled_ = false;
  remaining_ = bulkLen_ = consumed_ = lastLen_ = 0;
  slices_.clear();
  args_.clear();
  error_.clear();
  if (slices_.capacity() > kRetainedArgs) std::vector<Slice>().swap(slices_);
  if (args_.capacity() > kRetainedArgs) std::vector<std::string_view>().swap(args_);
}

void Parser::startLine(size_t at) {
  pos_ = scan_ = at;
  stalled_ = false;
}

ParseStatus Parser::fail(std::string_view message) {
  error_.assign(message);
  state_ = State::Failed;
  consumed_ = 0;
  args_.clear();
  return ParseStatus::Error;
}

ParseStatus Parser::completeMultibulk(const char* data, size_t end) {
  args_.clear();
  for (const Slice& s : slices_) args_.emplace_back(data + s.offset, s.len);
  consumed_ = end;
  state_ = State::Done;
  return ParseStatus::Complete;
}

// Looks for `term` at offsets [0, maxOffset] from pos_. A NUL before it makes
// the line endless (Redis's strchr stops there). TooLong means more than
// maxOffset bytes are buffered and none of them ended the line.
Parser::Scan Parser::findTerminator(const char* data, size_t len, char term, size_t maxOffset, size_t& at) {
  const size_t window = pos_ + std::min(len - pos_, saturatingAdd(maxOffset, 1));
  if (!stalled_ && scan_ < window) {
    const char* from = data + scan_;
    const size_t n = window - scan_;
    const void* hit = std::memchr(from, term, n);
    const size_t m = hit != nullptr ? static_cast<size_t>(static_cast<const char*>(hit) - from) : n;
    examined_ += m + (hit != nullptr);
    if (m > 0 && std::memchr(from, '\0', m) != nullptr) {
      stalled_ = true;
    } else {
      scan_ += m;
      if (hit != nullptr) {
        at = scan_;
        return Scan::Found;
      }
    }
  }
  return len - pos_ > maxOffset ? Scan::TooLong : Scan::NeedMore;
}

ParseStatus Parser::parse(const char* data, size_t len) {
  if (state_ == State::Done) return ParseStatus::Complete;
  if (state_ == State::Failed) return ParseStatus::Error;
  if (len < lastLen_) reset();  // not the same bytes plus more: start over rather than read stale offsets
  lastLen_ = len;
  for (;;) {
    std::optional<ParseStatus> st;
    switch (state_) {
      case State::Start:
        if (len == 0) return ParseStatus::NeedMore;
        state_ = data[0] == '*' ? State::MultibulkCount : State::Inline;
        startLine(0);
        break;
      case State::MultibulkCount: st = parseMultibulkCount(data, len); break;
      case State::BulkHeader: st = parseBulkHeader(data, len); break;
      case State::BulkData: st = parseBulkData(data, len); break;
      case State::Inline: st = parseInline(data, len); break;
      case State::Done: return ParseStatus::Complete;
      case State::Failed: return ParseStatus::Error;
    }
    if (st) return *st;
  }
}

std::optional<ParseStatus> Parser::parseMultibulkCount(const char* data, size_t len) {
  size_t at = 0;
  switch (findTerminator(data, len, '\r', limits_.maxInlineLen, at)) {
    case Scan::NeedMore: return ParseStatus::NeedMore;
    case Scan::TooLong: return fail("Protocol error: too big mbulk count string");
    case Scan::Found: break;
  }
  if (len - at < 2) return ParseStatus::NeedMore;  // Redis wants one byte after '\r' (and never checks it)
  auto count = util::parseInt64(std::string_view(data + pos_ + 1, at - pos_ - 1));
  if (!count || *count > INT_MAX || (*count > 0 && static_cast<uint64_t>(*count) > limits_.maxMultibulkLen))
    return fail("Protocol error: invalid multibulk length");
  if (*count > static_cast<int64_t>(kUnauthMaxMultibulkLen) && !authenticated_)
    return fail("Protocol error: unauthenticated multibulk length");
  if (*count <= 0) return completeMultibulk(data, at + 2);  // empty request, skipped
  remaining_ = static_cast<size_t>(*count);
  startLine(at + 2);
  state_ = State::BulkHeader;
  return std::nullopt;
}

std::optional<ParseStatus> Parser::parseBulkHeader(const char* data, size_t len) {
  size_t at = 0;
  switch (findTerminator(data, len, '\r', limits_.maxInlineLen, at)) {
    case Scan::NeedMore: return ParseStatus::NeedMore;
    case Scan::TooLong: return fail("Protocol error: too big bulk count string");
    case Scan::Found: break;
  }
  if (len - at < 2) return ParseStatus::NeedMore;
  const char first = data[pos_];
  if (first != '$') {
    // Redis formats the byte with %c and then blanks CR/LF in error replies.
    std::string msg = "Protocol error: expected '$', got '";
    msg.push_back(first == '\r' || first == '\n' ? ' ' : first);
    msg.push_back('\'');
    return fail(msg);
  }
  auto n = util::parseInt64(std::string_view(data + pos_ + 1, at - pos_ - 1));
  if (!n || *n < 0 || static_cast<uint64_t>(*n) > limits_.maxBulkLen)
    return fail("Protocol error: invalid bulk length");
  if (static_cast<uint64_t>(*n) > kUnauthMaxBulkLen && !authenticated_)
    return fail("Protocol error: unauthenticated bulk length");
  bulkLen_ = static_cast<size_t>(*n);
  pos_ = scan_ = at + 2;
  state_ = State::BulkData;
  return std::nullopt;
}

std::optional<ParseStatus> Parser::parseBulkData(const char* data, size_t len) {
  // bulkLen_ <= INT64_MAX, so the sum cannot wrap.
  if (len - pos_ < bulkLen_ + 2) return ParseStatus::NeedMore;
  slices_.push_back({pos_, bulkLen_});
  const size_t next = pos_ + bulkLen_ + 2;  // the two bytes after the payload are not checked, as in Redis
  if (--remaining_ == 0) return completeMultibulk(data, next);
  startLine(next);
  state_ = State::BulkHeader;
  return std::nullopt;
}

std::optional<ParseStatus> Parser::parseInline(const char* data, size_t len) {
  const size_t maxLine = limits_.maxInlineLen;
  size_t at = 0;
  // The '\n' may sit one past maxLine when a '\r' precedes it.
  const Scan scan = findTerminator(data, len, '\n', saturatingAdd(maxLine, 1), at);
  if (scan == Scan::Found) {
    size_t end = at;
    if (end > pos_ && data[end - 1] == '\r') --end;
    if (end - pos_ > maxLine) return fail("Protocol error: too big inline request");
    if (!splitInline(data, pos_, end)) return fail("Protocol error: unbalanced quotes in request");
    consumed_ = at + 1;
    state_ = State::Done;
    return ParseStatus::Complete;
  }
  const size_t avail = len - pos_;
  if (scan == Scan::TooLong || (avail > maxLine && (stalled_ || data[pos_ + maxLine] != '\r')))
    return fail("Protocol error: too big inline request");
  return ParseStatus::NeedMore;
}

// Splits one inline line the way Redis's sdssplitargs does. Unquoted
// arguments are views into `data`; an argument that uses quotes is decoded
// into scratch_, reserved up front to the line length (decoding never grows
// a byte) so earlier views into it stay valid.
bool Parser::splitInline(const char* data, size_t begin, size_t end) {
  args_.clear();
  scratch_.clear();
  examined_ += end - begin;
  if (scratch_.capacity() < end - begin) scratch_.reserve(end - begin);
  const char* p = data + begin;
  const char* const e = data + end;
  for (;;) {
    while (p < e && isBlank(*p)) ++p;
    if (p == e) return true;
    const char* token = p;
    while (p < e && !endsUnquoted(*p) && *p != '"' && *p != '\'') ++p;
    if (p == e || endsUnquoted(*p)) {
      args_.emplace_back(token, static_cast<size_t>(p - token));
      continue;
    }
    // A quote opens inside or at the start of the argument; it ends the argument.
    const size_t start = scratch_.size();
    scratch_.append(token, static_cast<size_t>(p - token));
    if (*p++ == '"') {
      for (;;) {
        if (p == e) return false;  // unterminated
        if (*p == '\\' && e - p >= 4 && p[1] == 'x' && hexValue(p[2]) >= 0 && hexValue(p[3]) >= 0) {
          scratch_.push_back(static_cast<char>(hexValue(p[2]) * 16 + hexValue(p[3])));
          p += 4;
        } else if (*p == '\\' && e - p >= 2) {
          scratch_.push_back(unescape(p[1]));
          p += 2;
        } else if (*p == '"') {
          ++p;
          break;
        } else {
          scratch_.push_back(*p++);
        }
      }
    } else {
      for (;;) {
        if (p == e) return false;
        if (*p == '\\' && e - p >= 2 && p[1] == '\'') {
          scratch_.push_back('\'');
          p += 2;
        } else if (*p == '\'') {
          ++p;
          break;
        } else {
          scratch_.push_back(*p++);
        }
      }
    }
    if (p != e && !isBlank(*p)) return false;  // closing quote must be followed by a space or the end
    args_.emplace_back(scratch_.data() + start, scratch_.size() - start);
  }
}

}  // namespace erdtree::resp
