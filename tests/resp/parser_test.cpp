// Parser tests. Expected error texts and edge cases were checked against
// redis-server 7.0.15 with raw bytes. `drive` mimics the server's read loop
// and copies the buffer to a fresh allocation before every call, so a parser
// that kept pointers instead of offsets fails under ASan.
#include "erdtree/resp/parser.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

using erdtree::resp::ParseLimits;
using erdtree::resp::Parser;
using erdtree::resp::ParseStatus;

namespace {

using namespace std::string_literals;

struct Event {
  bool error = false;
  std::vector<std::string> args;  // empty for a skipped empty request
  std::string message;
  size_t consumed = 0;
  bool operator==(const Event&) const = default;
};

[[maybe_unused]] void PrintTo(const Event& e, std::ostream* os) {
  if (e.error) {
    *os << "error(" << e.message << ")";
    return;
  }
  *os << "cmd[" << e.consumed << "](";
  for (auto& a : e.args) *os << ::testing::PrintToString(a) << " ";
  *os << ")";
}

std::vector<std::string> copyArgs(const Parser& p) {
  std::vector<std::string> out;
  for (auto a : p.args()) out.emplace_back(a);
  return out;
}

// Feeds `input` in pieces ending at `cuts` (then the rest) and collects every
// request and error, as the connection loop would.
std::vector<Event> drive(Parser& p, std::string_view input, const std::vector<size_t>& cuts) {
  std::vector<Event> events;
  std::string pending;
  size_t fed = 0;
  auto deliver = [&](size_t upTo) {
    pending.append(input.substr(fed, upTo - fed));
    fed = upTo;
    for (;;) {
      // A fresh heap copy each call: the buffer "moves" between calls.
      auto moved = std::make_unique<char[]>(pending.size() + 1);
      std::memcpy(moved.get(), pending.data(), pending.size());
      ParseStatus st = p.parse(moved.get(), pending.size());
      if (st == ParseStatus::NeedMore) return true;
      if (st == ParseStatus::Error) {
        events.push_back({true, {}, std::string(p.errorMessage()), 0});
        return false;
      }
      EXPECT_LE(p.consumed(), pending.size());
      events.push_back({false, copyArgs(p), "", p.consumed()});
      pending.erase(0, p.consumed());
      p.reset();
      if (pending.empty()) return true;
    }
  };
  for (size_t c : cuts)
    if (c > fed && c <= input.size() && !deliver(c)) return events;
  if (fed < input.size() || input.empty()) deliver(input.size());
  return events;
}

std::vector<Event> oneShot(std::string_view input, ParseLimits limits = {}, bool authed = true) {
  Parser p(limits);
  p.setAuthenticated(authed);
  return drive(p, input, {});
}

std::vector<Event> byteByByte(std::string_view input, ParseLimits limits = {}, bool authed = true) {
  Parser p(limits);
  p.setAuthenticated(authed);
  std::vector<size_t> cuts;
  for (size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return drive(p, input, cuts);
}

Event cmd(std::vector<std::string> args, size_t consumed) { return {false, std::move(args), "", consumed}; }
// prefix followed by n copies of c (built with append: GCC 12 warns falsely on "lit" + string).
std::string rep(std::string_view prefix, size_t n, char c) {
  std::string s(prefix);
  s.append(n, c);
  return s;
}

// Parses input that must yield exactly one error, whole and byte by byte.
std::string errorOf(std::string_view input, ParseLimits limits = {}, bool authed = true) {
  auto whole = oneShot(input, limits, authed);
  auto split = byteByByte(input, limits, authed);
  EXPECT_EQ(whole, split) << "split feeding disagrees for " << input.substr(0, 40);
  if (whole.empty() || !whole.back().error) {
    ADD_FAILURE() << "no error for " << input.substr(0, 40);
    return "";
  }
  return whole.back().message;
}

ParseStatus status(std::string_view input, ParseLimits limits = {}, bool authed = true) {
  Parser p(limits);
  p.setAuthenticated(authed);
  return p.parse(input.data(), input.size());
}

std::string mbulk(const std::vector<std::string>& args) {
  std::string s = "*";
  s += std::to_string(args.size());
  s += "\r\n";
  for (auto& a : args) {
    s += "$";
    s += std::to_string(a.size());
    s += "\r\n";
    s += a;
    s += "\r\n";
  }
  return s;
}

}  // namespace

TEST(Parser, MultibulkBasicAndPipelined) {
  std::string in = "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n";
  std::vector<Event> want = {cmd({"PING"}, 14), cmd({"SET", "k", ""}, 26)};
  EXPECT_EQ(oneShot(in), want);
  EXPECT_EQ(byteByByte(in), want);
}

TEST(Parser, ArgsAreViewsIntoTheBuffer) {
  std::string in = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  Parser p;
  ASSERT_EQ(p.parse(in.data(), in.size()), ParseStatus::Complete);
  ASSERT_EQ(p.args().size(), 2u);
  EXPECT_EQ(p.args()[0].data(), in.data() + 8);
  EXPECT_EQ(p.args()[1].data(), in.data() + 17);
  EXPECT_EQ(p.consumed(), in.size());
  // Without reset() the result is repeated, not re-parsed.
  EXPECT_EQ(p.parse(in.data(), in.size()), ParseStatus::Complete);
  EXPECT_EQ(p.args().size(), 2u);
}

TEST(Parser, BinarySafeBulks) {
  std::string payload = "a\0b\r\nc\r\n\0"s;
  std::string in = mbulk({"SET", payload, "\r\n"});
  std::vector<Event> want = {cmd({"SET", payload, "\r\n"}, in.size())};
  EXPECT_EQ(oneShot(in), want);
  EXPECT_EQ(byteByByte(in), want);
}

TEST(Parser, BytesAfterPayloadAndAfterHeaderCrAreNotChecked) {
  // Redis 7.0: "*1\r\n$4\r\nPINGxx" runs PING; so does "*1\rX$4\r\nPING\r\n".
  EXPECT_EQ(oneShot("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"), (std::vector<Event>{cmd({"PING"}, 14), cmd({"PING"}, 14)}));
  EXPECT_EQ(oneShot("*1\rX$4\r\nPING\r\n"), (std::vector<Event>{cmd({"PING"}, 14)}));
  EXPECT_EQ(oneShot("*1\r\n$4\rXPING\r\n"), (std::vector<Event>{cmd({"PING"}, 14)}));
  // Still needs the two bytes to exist.
  EXPECT_EQ(status("*1\r\n$4\r\nPING\r"), ParseStatus::NeedMore);
  EXPECT_EQ(status("*1\r"), ParseStatus::NeedMore);
  EXPECT_EQ(status("*1\r\n$4\r"), ParseStatus::NeedMore);
}

TEST(Parser, EmptyRequestsAreSkipped) {
  EXPECT_EQ(oneShot("*0\r\n*-1\r\n*-5\r\n"), (std::vector<Event>{cmd({}, 4), cmd({}, 5), cmd({}, 5)}));
  EXPECT_EQ(oneShot("\r\n\n   \r\n\t\x0b\n"), (std::vector<Event>{cmd({}, 2), cmd({}, 1), cmd({}, 5), cmd({}, 3)}));
  EXPECT_EQ(status(""), ParseStatus::NeedMore);
}

TEST(Parser, InvalidMultibulkLength) {
  const char* bad[] = {"*x\r\n", "*\r\n", "*01\r\n", "*-0\r\n", "*+1\r\n", "*1 \r\n",
                       "*2147483648\r\n", "*99999999999999999999\r\n", "*1\n$4\r\n"};
  for (const char* b : bad) EXPECT_EQ(errorOf(b), "Protocol error: invalid multibulk length") << b;
  // Redis allows INT_MAX elements; our default maxMultibulkLen is 1 GiB.
  EXPECT_EQ(status("*1073741824\r\n"), ParseStatus::NeedMore);
  EXPECT_EQ(errorOf("*1073741825\r\n"), "Protocol error: invalid multibulk length");
  ParseLimits redis;
  redis.maxMultibulkLen = 2147483647;
  EXPECT_EQ(status("*2147483647\r\n", redis), ParseStatus::NeedMore);
  ParseLimits small;
  small.maxMultibulkLen = 3;
  EXPECT_EQ(status("*3\r\n", small), ParseStatus::NeedMore);
  EXPECT_EQ(errorOf("*4\r\n", small), "Protocol error: invalid multibulk length");
  EXPECT_EQ(oneShot("*-4\r\n", small), (std::vector<Event>{cmd({}, 5)}));
}

TEST(Parser, InvalidBulkLength) {
  const char* bad[] = {"*1\r\n$-1\r\n", "*1\r\n$01\r\n", "*1\r\n$x\r\n", "*1\r\n$\r\n",
                       "*1\r\n$1 \r\n", "*1\r\n$536870913\r\n", "*1\r\n$-0\r\n"};
  for (const char* b : bad) EXPECT_EQ(errorOf(b), "Protocol error: invalid bulk length") << b;
  EXPECT_EQ(status("*1\r\n$536870912\r\n"), ParseStatus::NeedMore);
  ParseLimits small;
  small.maxBulkLen = 5;
  EXPECT_EQ(oneShot("*1\r\n$5\r\nhello\r\n", small), (std::vector<Event>{cmd({"hello"}, 15)}));
  EXPECT_EQ(errorOf("*1\r\n$6\r\n", small), "Protocol error: invalid bulk length");
}

TEST(Parser, ExpectedDollar) {
  EXPECT_EQ(errorOf("*1\r\nX\r\n"), "Protocol error: expected '$', got 'X'");
  EXPECT_EQ(errorOf("*2\r\n$1\r\na\r\n:1\r\n"), "Protocol error: expected '$', got ':'");
  // CR and LF are blanked in the reply, like Redis's error formatting.
  EXPECT_EQ(errorOf("*1\r\n\r\n"), "Protocol error: expected '$', got ' '");
  EXPECT_EQ(errorOf("*1\r\n\n\r\n"), "Protocol error: expected '$', got ' '");
  EXPECT_EQ(errorOf("*1\r\n\xff\r\n"), "Protocol error: expected '$', got '\xff'");
  // The check waits for the whole header line, as in Redis.
  EXPECT_EQ(status("*1\r\nX"), ParseStatus::NeedMore);
}

TEST(Parser, TooBigHeaderLines) {
  ParseLimits lim;
  lim.maxInlineLen = 16;
  // The '\r' may sit at most maxInlineLen bytes after the line start.
  std::string count16 = rep("*", 14, ' ') + "1";  // 16 bytes before '\r'
  EXPECT_EQ(errorOf(count16 + "\r\n", lim), "Protocol error: invalid multibulk length");
  EXPECT_EQ(status(count16 + "\r", lim), ParseStatus::NeedMore);
  EXPECT_EQ(errorOf(count16 + "1\r\n", lim), "Protocol error: too big mbulk count string");
  EXPECT_EQ(errorOf(std::string("*") + std::string(16, '1'), lim), "Protocol error: too big mbulk count string");
  EXPECT_EQ(status(std::string("*") + std::string(15, '1'), lim), ParseStatus::NeedMore);
  EXPECT_EQ(errorOf(rep("*1\r\n$", 16, '1'), lim), "Protocol error: too big bulk count string");
  EXPECT_EQ(status(rep("*1\r\n$", 15, '1'), lim), ParseStatus::NeedMore);
  // Default limit: 64 KiB.
  EXPECT_EQ(errorOf(rep("*", 65536, '1')), "Protocol error: too big mbulk count string");
  EXPECT_EQ(status(rep("*", 65535, '1')), ParseStatus::NeedMore);
  EXPECT_EQ(errorOf(rep("*1\r\n$", 65536, '1')), "Protocol error: too big bulk count string");
}

TEST(Parser, NulBeforeLineEndStallsUntilTooBig) {
  // Redis finds line ends with strchr, so these lines never end.
  std::string mb = "*1\0\r\n$4\r\nPING\r\n"s;
  EXPECT_EQ(status(mb), ParseStatus::NeedMore);
  EXPECT_EQ(errorOf(mb + std::string(70000, 'a')), "Protocol error: too big mbulk count string");
  std::string bh = "*1\r\n$4\0\r\nPING\r\n"s;
  EXPECT_EQ(status(bh), ParseStatus::NeedMore);
  EXPECT_EQ(errorOf(bh + std::string(70000, 'a')), "Protocol error: too big bulk count string");
  std::string in = "PING\0\n"s;
  EXPECT_EQ(status(in), ParseStatus::NeedMore);
  EXPECT_EQ(errorOf(in + std::string(70000, ' ')), "Protocol error: too big inline request");
  // NUL inside a bulk payload is data, not a line end.
  EXPECT_EQ(oneShot("*1\r\n$4\r\nPI\0G\r\n"s), (std::vector<Event>{cmd({"PI\0G"s}, 14)}));
}

TEST(Parser, InlineLengthLimit) {
  ParseLimits lim;
  lim.maxInlineLen = 8;
  // Up to maxInlineLen bytes before "\n" or "\r\n".
  EXPECT_EQ(oneShot("ECHO abc\n", lim), (std::vector<Event>{cmd({"ECHO", "abc"}, 9)}));
  EXPECT_EQ(oneShot("ECHO abc\r\n", lim), (std::vector<Event>{cmd({"ECHO", "abc"}, 10)}));
  EXPECT_EQ(byteByByte("ECHO abc\r\n", lim), (std::vector<Event>{cmd({"ECHO", "abc"}, 10)}));
  EXPECT_EQ(errorOf("ECHO abcd\n", lim), "Protocol error: too big inline request");
  EXPECT_EQ(errorOf("ECHO abcd\r\n", lim), "Protocol error: too big inline request");
  EXPECT_EQ(errorOf("ECHO abc\rX", lim), "Protocol error: too big inline request");
  EXPECT_EQ(status("ECHO abc\r", lim), ParseStatus::NeedMore);
  EXPECT_EQ(status("ECHO abc", lim), ParseStatus::NeedMore);
  EXPECT_EQ(errorOf("ECHO abcd", lim), "Protocol error: too big inline request");
  // Default: 64 KiB.
  EXPECT_EQ(oneShot(rep("ECHO ", 65531, 'a') + "\r\n").at(0).args.at(1).size(), 65531u);
  EXPECT_EQ(errorOf(rep("ECHO ", 65532, 'a') + "\r\n"), "Protocol error: too big inline request");
  EXPECT_EQ(errorOf(rep("PING", 70000, ' ')), "Protocol error: too big inline request");
}

TEST(Parser, InlineSplitting) {
  auto args = [](std::string_view line) {
    auto ev = oneShot(line);
    EXPECT_EQ(ev, byteByByte(line));
    EXPECT_EQ(ev.size(), 1u);
    EXPECT_FALSE(ev.empty() || ev[0].error) << line;
    return ev.empty() ? std::vector<std::string>{} : ev[0].args;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(args("SET  k\tv \r\n"), (V{"SET", "k", "v"}));
  EXPECT_EQ(args("PING\r\r\n"), (V{"PING"}));
  EXPECT_EQ(args(R"(ECHO "a\x41\n\r\t\b\a\\\"\q\xZZ")"
                 "\r\n"),
            (V{"ECHO", "aA\n\r\t\b\a\\\"qxZZ"}));
  EXPECT_EQ(args("ECHO 'a\\'b\\n\"'\r\n"), (V{"ECHO", "a'b\\n\""}));
  EXPECT_EQ(args("ECHO 'a\\\\b'\r\n"), (V{"ECHO", "a\\\\b"}));
  EXPECT_EQ(args("ECHO \"\" ''\r\n"), (V{"ECHO", "", ""}));
  EXPECT_EQ(args("ECHO \"\\x4\"\r\n"), (V{"ECHO", "x4"}));
  EXPECT_EQ(args("ECHO \"\\x4g\"\r\n"), (V{"ECHO", "x4g"}));
  EXPECT_EQ(args("ECHO \"\\xfF\"\r\n"), (V{"ECHO", "\xff"}));
  EXPECT_EQ(args("ECHO a\"b c\" d\r\n"), (V{"ECHO", "ab c", "d"}));
  EXPECT_EQ(args("ECHO a'b c'\r\n"), (V{"ECHO", "ab c"}));
  // \v and \f separate only where blanks are skipped, not inside a word.
  EXPECT_EQ(args("ECHO a\x0b" "b\r\n"), (V{"ECHO", "a\x0b" "b"}));
  EXPECT_EQ(args("\x0b" "ECHO\x0c a\r\n"), (V{"ECHO\x0c", "a"}));
  EXPECT_EQ(args("ECHO \"a\"\x0b" "b\r\n"), (V{"ECHO", "a", "b"}));
  // A lone '\r' inside the line separates words; inside quotes it is data.
  EXPECT_EQ(args("ECHO a\rb\n"), (V{"ECHO", "a", "b"}));
  EXPECT_EQ(args("ECHO \"a\rb\"\n"), (V{"ECHO", "a\rb"}));
  EXPECT_EQ(args("ECHO \xa0x\r\n"), (V{"ECHO", "\xa0x"}));
  EXPECT_EQ(args("\"ECHO\" \"x\"\r\n"), (V{"ECHO", "x"}));
}

TEST(Parser, InlineUnquotedArgsAreViews) {
  std::string in = "SET k \"v\"\r\n";
  Parser p;
  ASSERT_EQ(p.parse(in.data(), in.size()), ParseStatus::Complete);
  ASSERT_EQ(p.args().size(), 3u);
  EXPECT_EQ(p.args()[0].data(), in.data());
  EXPECT_EQ(p.args()[1].data(), in.data() + 4);
  EXPECT_EQ(p.args()[2], "v");
}

TEST(Parser, UnbalancedQuotes) {
  const char* bad[] = {"ECHO \"a\"b\r\n", "ECHO 'a'b\r\n", "ECHO \"abc\r\n", "ECHO 'abc\r\n",
                       "ECHO a\"b c\"d\r\n", "ECHO \"abc\\\r\n", "ECHO \"a\"\" b\"\r\n", "\"\n", "'\n"};
  for (const char* b : bad) EXPECT_EQ(errorOf(b), "Protocol error: unbalanced quotes in request") << b;
}

TEST(Parser, UnauthenticatedLimits) {
  EXPECT_EQ(errorOf("*11\r\n", {}, false), "Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(status("*10\r\n", {}, false), ParseStatus::NeedMore);
  EXPECT_EQ(status("*11\r\n", {}, true), ParseStatus::NeedMore);
  EXPECT_EQ(errorOf("*1\r\n$16385\r\n", {}, false), "Protocol error: unauthenticated bulk length");
  EXPECT_EQ(status("*1\r\n$16384\r\n", {}, false), ParseStatus::NeedMore);
  EXPECT_EQ(status("*1\r\n$16385\r\n", {}, true), ParseStatus::NeedMore);
  // The general checks come first.
  EXPECT_EQ(errorOf("*2147483648\r\n", {}, false), "Protocol error: invalid multibulk length");
  EXPECT_EQ(errorOf("*1\r\n$536870913\r\n", {}, false), "Protocol error: invalid bulk length");
  // Negative counts are still skipped; inline requests have no auth limits.
  EXPECT_EQ(oneShot("*-20\r\n", {}, false), (std::vector<Event>{cmd({}, 6)}));
  std::string longInline = rep("ECHO ", 20000, 'a') + " b b b b b b b b b b b b\r\n";
  EXPECT_EQ(oneShot(longInline, {}, false).at(0).args.size(), 14u);
  // Authenticating between requests lifts the limits for the next one.
  Parser p;
  p.setAuthenticated(false);
  std::string in = mbulk({"AUTH", "x"});
  ASSERT_EQ(p.parse(in.data(), in.size()), ParseStatus::Complete);
  p.reset();
  p.setAuthenticated(true);
  std::string big = "*12\r\n";
  EXPECT_EQ(p.parse(big.data(), big.size()), ParseStatus::NeedMore);
}

TEST(Parser, AnySplitMatchesOneShot) {
  std::string stream = mbulk({"SET", "key", std::string("v\0\r\nx", 5)}) + "PING\r\n" + "*0\r\n" +
                       "ECHO \"q\\x41\" 'z'\n" + mbulk({"MSET", "a", "1", "b", "2"}) + "\r\n" + "*-1\r\n" +
                       mbulk({std::string(300, 'z')}) + "*1\r\n$3\r\nabcXY" + "  GET   k  \r\n" +
                       "*2\r\n$1\r\na\r\n!oops\r\n";
  auto whole = oneShot(stream);
  ASSERT_EQ(whole.size(), 11u);
  EXPECT_TRUE(whole.back().error);
  EXPECT_EQ(whole.back().message, "Protocol error: expected '$', got '!'");
  EXPECT_EQ(byteByByte(stream), whole);
  std::mt19937 rng(12345);
  for (int round = 0; round < 300; ++round) {
    std::vector<size_t> cuts;
    size_t at = 0;
    while (true) {
      at += 1 + rng() % 24;
      if (at >= stream.size()) break;
      cuts.push_back(at);
    }
    Parser p;
    EXPECT_EQ(drive(p, stream, cuts), whole) << "round " << round;
  }
}

TEST(Parser, LargeBulkInChunksIsLinear) {
  const size_t size = 8 * 1024 * 1024;
  std::string in = "*2\r\n$3\r\nSET\r\n$";
  in += std::to_string(size);
  in += "\r\n";
  const size_t headerLen = in.size();
  in += std::string(size, 'x');
  in += "\r\n";
  Parser p;
  size_t fed = 0;
  ParseStatus st = ParseStatus::NeedMore;
  size_t calls = 0;
  while (fed < in.size()) {
    fed = std::min(in.size(), fed + 64 * 1024);
    st = p.parse(in.data(), fed);
    ++calls;
    if (fed < in.size()) {
      ASSERT_EQ(st, ParseStatus::NeedMore);
      EXPECT_EQ(p.bytesNeededHint(), in.size());  // known from the header on
    }
  }
  ASSERT_EQ(st, ParseStatus::Complete);
  EXPECT_GT(calls, 100u);
  EXPECT_EQ(p.args()[1].size(), size);
  EXPECT_EQ(p.consumed(), in.size());
  // Only the header lines were looked at, once; the payload never.
  EXPECT_LE(p.bytesExamined(), headerLen);
  p.reset();
  EXPECT_EQ(p.bytesNeededHint(), 0u);
}

TEST(Parser, LongLinesFedByteByByteAreScannedOnce) {
  std::string line = rep("ECHO ", 60000, 'a') + "\r\n";
  Parser p;
  for (size_t n = 1; n < line.size(); ++n) ASSERT_EQ(p.parse(line.data(), n), ParseStatus::NeedMore);
  ASSERT_EQ(p.parse(line.data(), line.size()), ParseStatus::Complete);
  // One terminator scan plus one tokenizing pass.
  EXPECT_LE(p.bytesExamined(), 2 * line.size());

  std::string header = rep("*1\r\n$", 60000, '1');
  Parser q;
  for (size_t n = 1; n <= header.size(); ++n) ASSERT_EQ(q.parse(header.data(), n), ParseStatus::NeedMore);
  EXPECT_LE(q.bytesExamined(), header.size());
}

TEST(Parser, HintTracksThePendingBulk) {
  Parser p;
  std::string in = "*2\r\n$1\r\na\r\n$10\r\n0123";
  EXPECT_EQ(p.parse(in.data(), in.size()), ParseStatus::NeedMore);
  EXPECT_EQ(p.bytesNeededHint(), in.size() - 4 + 12);
  Parser q;
  EXPECT_EQ(q.parse("*2\r\n$1", 6), ParseStatus::NeedMore);
  EXPECT_EQ(q.bytesNeededHint(), 0u);
}

TEST(Parser, LimitsChangeMidRequest) {
  Parser p;
  std::string in = "*2\r\n$3\r\nabc\r\n$100\r\n";
  EXPECT_EQ(p.parse(in.data(), in.size()), ParseStatus::NeedMore);
  ParseLimits lim;
  lim.maxBulkLen = 50;
  p.setLimits(lim);
  in += std::string(100, 'x') + "\r\n";  // the accepted header stands
  EXPECT_EQ(p.parse(in.data(), in.size()), ParseStatus::Complete);
  p.reset();
  std::string next = "*1\r\n$100\r\n";
  EXPECT_EQ(p.parse(next.data(), next.size()), ParseStatus::Error);
  EXPECT_EQ(p.errorMessage(), "Protocol error: invalid bulk length");
  EXPECT_EQ(p.parse(next.data(), next.size()), ParseStatus::Error);  // sticky until reset
}

TEST(Parser, ShrunkenBufferStartsOver) {
  Parser p;
  std::string a = "*2\r\n$3\r\nabc\r\n$3\r\n";
  EXPECT_EQ(p.parse(a.data(), a.size()), ParseStatus::NeedMore);
  std::string b = "*1\r\n$2\r\nhi\r\n";  // shorter: not a continuation
  ASSERT_EQ(p.parse(b.data(), b.size()), ParseStatus::Complete);
  ASSERT_EQ(p.args().size(), 1u);
  EXPECT_EQ(p.args()[0], "hi");
}

TEST(Parser, HugeArgVectorsAreReleased) {
  std::vector<std::string> many(5000, "x");
  std::string in = mbulk(many);
  Parser p;
  ASSERT_EQ(p.parse(in.data(), in.size()), ParseStatus::Complete);
  EXPECT_EQ(p.args().size(), 5000u);
  p.reset();
  std::string small = mbulk({"PING"});
  ASSERT_EQ(p.parse(small.data(), small.size()), ParseStatus::Complete);
  EXPECT_EQ(p.args().size(), 1u);
}
