#pragma once
// Incremental request parser for RESP2 multibulk (`*N\r\n$len\r\n...`) and
// inline commands, with Redis 7.0's limits and exact error texts.
//
// Mechanism: parse() always receives the whole unconsumed request, starting
// at its first byte (the caller drops consumed() bytes after each Complete).
// Between calls the buffer may move, so the parser keeps offsets only: the
// start of the line or bulk payload in progress (pos_), where the search for
// the line terminator resumes (scan_), and the (offset, length) of each bulk
// read so far. Work is never repeated: a header line is scanned once, and a
// bulk payload is not examined at all, only waited for by length. So feeding
// a request in any number of pieces costs the same as feeding it at once, and
// gives the same result (commands, consumed bytes, error text).
//
// Redis quirks kept on purpose (verified against redis-server 7.0.15):
//  - The byte after a header's '\r' and the two bytes after a bulk payload
//    are skipped without being checked ("$3\r\nfooXY" is a valid "foo").
//  - Redis looks for line ends with strchr, which stops at a NUL byte, so a
//    header or inline line with a NUL before its terminator never ends; the
//    request then fails as "too big" once more than maxInlineLen bytes wait.
//  - A header line fails as too big when its '\r' lies more than
//    maxInlineLen bytes after the line start (what Redis does when the line
//    arrives in small reads); an inline line may hold up to maxInlineLen
//    bytes before its "\n" or "\r\n".
//  - `*0`, `*-N` and blank inline lines are empty requests: Complete with no
//    args; the caller just advances by consumed().
//  - Inline requests carry no authentication limits (as in Redis).
//
// Lifetimes: after Complete, args() views point into the `data` given to the
// last parse() call or into the parser's own scratch (decoded quoted inline
// tokens); both stay valid until the next parse()/reset() or until the
// caller changes the buffer. In steady state nothing is allocated per
// request: the argument vectors and scratch keep their capacity.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace erdtree::resp {

struct ParseLimits {
  size_t maxBulkLen = 512ull * 1024 * 1024;     // proto-max-bulk-len
  size_t maxMultibulkLen = 1024 * 1024 * 1024;  // Redis 7.0 itself allows up to INT_MAX elements
  size_t maxInlineLen = 64 * 1024;              // inline request / header line (PROTO_INLINE_MAX_SIZE)
};

// Redis's limits for clients that must still AUTH (requirepass set).
inline constexpr size_t kUnauthMaxMultibulkLen = 10;
inline constexpr size_t kUnauthMaxBulkLen = 16384;

enum class ParseStatus { Complete, NeedMore, Error };

class Parser {
 public:
  explicit Parser(ParseLimits limits = {});

  // Takes effect for the checks still ahead, also mid-request.
  void setLimits(const ParseLimits& limits);
  // false = the client must still authenticate: Redis's tighter limits apply.
  void setAuthenticated(bool authenticated);

  // Parses one request from the front of data[0, len). On NeedMore call again
  // with the same bytes plus more appended (the buffer may have moved). On
  // Error, errorMessage() is the text that follows "-ERR ".
  // Calling again after Complete/Error without reset() repeats the status.
  ParseStatus parse(const char* data, size_t len);

  std::span<const std::string_view> args() const { return args_; }
  // Bytes of `data` that made up the request (valid after Complete).
  size_t consumed() const { return consumed_; }
  std::string_view errorMessage() const { return error_; }
  // While waiting for a bulk payload: total bytes of this request's buffer
  // known to be needed (through the payload's trailing CRLF). 0 if unknown.
  size_t bytesNeededHint() const;
  // Forget the request (after Complete). Limits and auth state are kept.
  void reset();

  // Bytes looked at so far (terminator searches and inline tokenizing),
  // cumulative over the parser's life. Tests use it to prove linear work.
  uint64_t bytesExamined() const { return examined_; }

 private:
  enum class State : uint8_t { Start, MultibulkCount, BulkHeader, BulkData, Inline, Done, Failed };
  enum class Scan : uint8_t { Found, NeedMore, TooLong };
  struct Slice {
    size_t offset;
    size_t len;
  };

  Scan findTerminator(const char* data, size_t len, char term, size_t maxOffset, size_t& at);
  // Each returns a status to hand back, or nullopt to go on with the next state.
  std::optional<ParseStatus> parseMultibulkCount(const char* data, size_t len);
  std::optional<ParseStatus> parseBulkHeader(const char* data, size_t len);
  std::optional<ParseStatus> parseBulkData(const char* data, size_t len);
  std::optional<ParseStatus> parseInline(const char* data, size_t len);
  bool splitInline(const char* data, size_t begin, size_t end);
  ParseStatus completeMultibulk(const char* data, size_t end);
  ParseStatus fail(std::string_view message);
  void startLine(size_t at);

  ParseLimits limits_;
  bool authenticated_ = true;
  State state_ = State::Start;
  size_t pos_ = 0;          // start of the current line or bulk payload
  size_t scan_ = 0;         // terminator search resumes here
  bool stalled_ = false;    // a NUL precedes the terminator: the line never ends
  size_t remaining_ = 0;    // bulks still expected
  size_t bulkLen_ = 0;      // length of the bulk being waited for
  size_t consumed_ = 0;
  size_t lastLen_ = 0;      // len of the previous call, to detect a shrunken buffer
  uint64_t examined_ = 0;
  std::vector<Slice> slices_;           // bulks read so far (offsets survive buffer moves)
  std::vector<std::string_view> args_;  // filled on Complete
  std::string scratch_;                 // decoded inline tokens that used quotes
  std::string error_;
};

}  // namespace erdtree::resp
