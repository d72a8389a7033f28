#pragma once
// Reply writer: appends RESP2 or RESP3 replies to a connection's output buffer.
//
// A Writer is a thin, non-owning handle made per batch of commands
// (`Writer out(conn.output(), protocol)`); the string must outlive it. Every
// call is one append of bytes composed on the stack, so nothing is allocated
// beyond the output string's own (geometric) growth.
//
// Handlers say what they mean (a map, a set, a null, a double, verbatim
// text); with protocol 3 those become RESP3 types, with protocol 2 the RESP2
// forms Redis sends (a map is an array of 2n, a set an array, null is $-1 or
// *-1, a double a bulk string, verbatim text a bulk string).
//
// error() and simple() turn CR/LF inside the text into spaces, as Redis does
// for formatted errors, so a message can never break the stream.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "erdtree/util/numbers.h"

namespace erdtree::resp {

class Writer {
 public:
  explicit Writer(std::string& out, int protocol = 2) : out_(out), protocol_(protocol) {}

  int protocol() const { return protocol_; }
  void setProtocol(int protocol) { protocol_ = protocol; }

  // "+text\r\n"
  void simple(std::string_view text) { line('+', text); }
  // "-message\r\n"; message carries its own prefix ("ERR ...", "WRONGTYPE ...").
  // A leading '-' in message is not doubled.
  void error(std::string_view message) {
    if (!message.empty() && message.front() == '-') message.remove_prefix(1);
    line('-', message);
  }
  void ok() { out_.append("+OK\r\n", 5); }
  // ":v\r\n"
  void integer(int64_t v) { header(':', v); }
  // "$len\r\nbytes\r\n"
  void bulk(std::string_view bytes) {
    header('$', static_cast<int64_t>(bytes.size()));
    out_.append(bytes.data(), bytes.size());
    out_.append("\r\n", 2);
  }
  // The decimal form of v as a bulk string.
  void bulkInt(int64_t v) {
    char digits[24];
    size_t n = util::formatInt64(v, digits);
    bulk(std::string_view(digits, n));
  }
  // Redis 7.0 RESP2 double: bulk of "%.17g", infinities as "inf" / "-inf".
  // A double: RESP3 ",1.5"; RESP2 a bulk string of the same text.
  void doubleBulk(double d) {
    char buf[util::kMaxDoubleChars];
    std::string_view text(buf, util::formatDouble(d, buf));
    if (protocol_ == 3) return line(',', text);
    bulk(text);
  }
  // Null bulk/array: RESP2 "$-1" / "*-1"; RESP3 has a single null, "_".
  void nullBulk() { protocol_ == 3 ? out_.append("_\r\n", 3) : out_.append("$-1\r\n", 5); }
  void arrayHeader(size_t n) { header('*', static_cast<int64_t>(n)); }
  void nullArray() { protocol_ == 3 ? out_.append("_\r\n", 3) : out_.append("*-1\r\n", 5); }

  // RESP3 aggregates; RESP2 clients get them as flat arrays.
  void mapHeader(size_t pairs) {
    protocol_ == 3 ? header('%', static_cast<int64_t>(pairs)) : arrayHeader(pairs * 2);
  }
  void setHeader(size_t n) { protocol_ == 3 ? header('~', static_cast<int64_t>(n)) : arrayHeader(n); }
  void null() { nullBulk(); }
  // Out-of-band data (pub/sub messages): RESP3 push ">n", RESP2 an array.
  void pushHeader(size_t n) { protocol_ == 3 ? header('>', static_cast<int64_t>(n)) : arrayHeader(n); }
  void boolean(bool b) {
    if (protocol_ == 3) out_.append(b ? "#t\r\n" : "#f\r\n", 4);
    else integer(b ? 1 : 0);
  }
  // Human-readable text (INFO, CLIENT LIST): RESP3 verbatim "=len\r\ntxt:...".
  void verbatim(std::string_view text) {
    if (protocol_ != 3) return bulk(text);
    header('=', static_cast<int64_t>(text.size() + 4));
    out_.append("txt:", 4);
    out_.append(text.data(), text.size());
    out_.append("\r\n", 2);
  }

  // Pre-encoded protocol bytes, appended as they are.
  void raw(std::string_view bytes) { out_.append(bytes.data(), bytes.size()); }
  // Bytes in the output buffer (not only those this Writer appended).
  size_t size() const { return out_.size(); }
  std::string& buffer() { return out_; }

 private:
  void header(char type, int64_t v) {
    char buf[32];
    buf[0] = type;
    size_t n = 1 + util::formatInt64(v, buf + 1);
    buf[n++] = '\r';
    buf[n++] = '\n';
    out_.append(buf, n);
  }
  void line(char type, std::string_view text) {
    const size_t start = out_.size();
    out_.push_back(type);
    out_.append(text.data(), text.size());
    if (!text.empty() && (std::memchr(text.data(), '\r', text.size()) != nullptr ||
                          std::memchr(text.data(), '\n', text.size()) != nullptr)) {
      for (size_t i = start + 1; i < out_.size(); ++i)
        if (out_[i] == '\r' || out_[i] == '\n') out_[i] = ' ';
    }
    out_.append("\r\n", 2);
  }

  std::string& out_;
  int protocol_;
};

}  // namespace erdtree::resp
