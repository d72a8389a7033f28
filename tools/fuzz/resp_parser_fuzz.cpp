// libFuzzer target for resp::Parser: a differential check of split feeding.
//
// Input layout (read from the end, so a raw RESP file is still a useful seed):
//   [stream ...][chunk sizes: k bytes][k][ctrl]
//   ctrl bit 0     client is authenticated
//   ctrl bits 1-2  limits profile (Redis defaults, or small ones so that the
//                  length limits are reachable with short inputs)
//   chunk sizes    lengths of the successive reads (0 means 1), used in turn
// The stream is parsed three ways, as the server's read loop would: whole,
// in the fuzzer-chosen chunks, and one byte at a time. In the split runs
// every call sees a fresh exact-size heap copy of the pending bytes, so a
// parser that kept a pointer, or read past len, trips ASan. The three must
// yield the same sequence of requests (args and consumed bytes), errors and
// leftover bytes; the target also checks each result's own invariants and
// that the parser's work stays linear in the bytes fed.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "erdtree/resp/parser.h"

using erdtree::resp::ParseLimits;
using erdtree::resp::Parser;
using erdtree::resp::ParseStatus;

namespace {

#define FUZZ_CHECK(cond)                                                             \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "resp_parser_fuzz: check failed: %s (line %d)\n", #cond, \
                   __LINE__);                                                        \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

ParseLimits profile(unsigned p) {
  ParseLimits l;
  switch (p) {
    case 1:
      l.maxInlineLen = 16;
      l.maxBulkLen = 32;
      l.maxMultibulkLen = 6;
      break;
    case 2:
      l.maxInlineLen = 3;
      l.maxBulkLen = 1;
      l.maxMultibulkLen = 2;
      break;
    case 3:
      l.maxInlineLen = 0;
      l.maxBulkLen = 0;
      l.maxMultibulkLen = 1;
      break;
    default:
      break;
  }
  return l;
}

// One parse result, serialized so runs can be compared with ==.
void record(std::string& log, const Parser& p, ParseStatus st) {
  if (st == ParseStatus::Error) {
    log += "E:";
    log += p.errorMessage();
    log += '\n';
    return;
  }
  log += "C" + std::to_string(p.consumed()) + ":";
  for (std::string_view a : p.args()) {
    log += std::to_string(a.size());
    log += '=';
    log.append(a.data(), a.size());
  }
  log += '\n';
}

void checkError(const Parser& p) {
  std::string_view m = p.errorMessage();
  FUZZ_CHECK(m.starts_with("Protocol error: "));
  FUZZ_CHECK(m.find('\r') == std::string_view::npos && m.find('\n') == std::string_view::npos);
}

void checkComplete(const Parser& p, const char* buf, size_t len) {
  FUZZ_CHECK(p.consumed() > 0 && p.consumed() <= len);
  if (buf[0] == '*') {
    // Multibulk arguments are views into this request's bytes.
    for (std::string_view a : p.args()) {
      FUZZ_CHECK(a.data() >= buf + 1 && a.size() <= len);
      FUZZ_CHECK(a.data() + a.size() <= buf + p.consumed());
    }
  } else {
    // Inline arguments never contain a line end and the line holds a '\n'.
    FUZZ_CHECK(buf[p.consumed() - 1] == '\n');
    for (std::string_view a : p.args()) FUZZ_CHECK(a.size() < p.consumed());
  }
}

// Feeds `stream` in reads of the given sizes (cyclic; empty = all at once).
// Returns the log of results; `examined` gets the parser's work counter.
std::string run(std::string_view stream, const ParseLimits& limits, bool authed,
                const std::vector<size_t>& reads, uint64_t& examined) {
  Parser p(limits);
  p.setAuthenticated(authed);
  std::string log;
  std::string pending;
  size_t fed = 0, next = 0;
  bool failed = false;
  while (fed < stream.size() && !failed) {
    size_t n = reads.empty() ? stream.size() : reads[next++ % reads.size()];
    n = std::min(n, stream.size() - fed);
    pending.append(stream.substr(fed, n));
    fed += n;
    while (!pending.empty()) {
      // An exact-size copy at a new address, as if the buffer had moved.
      std::unique_ptr<char[]> buf(new char[pending.size()]);
      std::memcpy(buf.get(), pending.data(), pending.size());
      const size_t len = pending.size();
      ParseStatus st = p.parse(buf.get(), len);
      if (st == ParseStatus::NeedMore) {
        size_t hint = p.bytesNeededHint();
        FUZZ_CHECK(hint == 0 || hint > len);
        FUZZ_CHECK(p.args().empty());
        break;
      }
      record(log, p, st);
      if (st == ParseStatus::Error) {
        checkError(p);
        FUZZ_CHECK(p.parse(buf.get(), len) == ParseStatus::Error);  // sticky
        failed = true;
        break;
      }
      checkComplete(p, buf.get(), len);
      pending.erase(0, p.consumed());
      p.reset();
    }
  }
  if (!failed) log += "left:" + std::to_string(pending.size()) + '\n';
  examined = p.bytesExamined();
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t ctrl = data[size - 1];
  size_t k = data[size - 2] % 32;
  size_t tail = 2 + k;
  if (tail > size) {
    k = size - 2;
    tail = size;
  }
  std::vector<size_t> reads;
  for (size_t i = 0; i < k; ++i) {
    uint8_t r = data[size - 2 - k + i];
    reads.push_back(r == 0 ? 1 : r);
  }
  if (reads.empty()) reads.push_back(7);
  std::string_view stream(reinterpret_cast<const char*>(data), size - tail);
  const bool authed = (ctrl & 1) != 0;
  const ParseLimits limits = profile((ctrl >> 1) & 3);

  uint64_t workWhole = 0, workSplit = 0, workBytes = 0;
  const std::string whole = run(stream, limits, authed, {}, workWhole);
  const std::string split = run(stream, limits, authed, reads, workSplit);
  FUZZ_CHECK(whole == split);
  // Every byte is scanned at most once for a line end and once more if it
  // belongs to an inline line, plus one per line end found.
  FUZZ_CHECK(workWhole <= 3 * stream.size() + 1);
  FUZZ_CHECK(workSplit <= 3 * stream.size() + 1);
  if (stream.size() <= 4096) {
    const std::string bytes = run(stream, limits, authed, {1}, workBytes);
    FUZZ_CHECK(whole == bytes);
    FUZZ_CHECK(workBytes <= 3 * stream.size() + 1);
  }
  return 0;
}
