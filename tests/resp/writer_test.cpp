// Writer tests: exact bytes of every reply form (double forms checked
// against redis-server 7.0.15 ZSCORE replies).
#include "erdtree/resp/writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

using erdtree::resp::Writer;
using namespace std::string_literals;

TEST(Writer, ScalarReplies) {
  std::string out;
  Writer w(out);
  w.simple("PONG");
  w.ok();
  w.error("ERR unknown command");
  w.error("-WRONGTYPE x");  // a leading '-' is not doubled
  w.integer(0);
  w.integer(-42);
  w.integer(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(out, "+PONG\r\n+OK\r\n-ERR unknown command\r\n-WRONGTYPE x\r\n:0\r\n:-42\r\n:-9223372036854775808\r\n");
}

TEST(Writer, LineRepliesCannotBreakTheStream) {
  std::string out;
  Writer w(out);
  w.error("ERR bad\r\nthing\n");
  w.simple("a\rb");
  w.simple("");
  w.error("");
  EXPECT_EQ(out, "-ERR bad  thing \r\n+a b\r\n+\r\n-\r\n");
}

TEST(Writer, Bulks) {
  std::string out;
  Writer w(out);
  w.bulk("hello");
  w.bulk("");
  w.bulk(std::string_view());
  w.bulk("a\0\r\nb"s);
  w.nullBulk();
  w.bulkInt(12345);
  w.bulkInt(-7);
  w.bulkInt(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(out, "$5\r\nhello\r\n$0\r\n\r\n$0\r\n\r\n$5\r\na\0\r\nb\r\n$-1\r\n$5\r\n12345\r\n$2\r\n-7\r\n"
                 "$19\r\n9223372036854775807\r\n"s);
}

TEST(Writer, Doubles) {
  std::string out;
  Writer w(out);
  w.doubleBulk(0.1);
  w.doubleBulk(1.5);
  w.doubleBulk(3);
  w.doubleBulk(1e300);
  w.doubleBulk(std::numeric_limits<double>::infinity());
  w.doubleBulk(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(out,
            "$19\r\n0.10000000000000001\r\n$3\r\n1.5\r\n$1\r\n3\r\n$23\r\n1.0000000000000001e+300\r\n"
            "$3\r\ninf\r\n$4\r\n-inf\r\n");
}

TEST(Writer, Aggregates) {
  std::string out;
  Writer w(out);
  w.arrayHeader(0);
  w.arrayHeader(3);
  w.nullArray();
  EXPECT_EQ(out, "*0\r\n*3\r\n*-1\r\n");
}

TEST(Writer, Resp3TypesFallBackToResp2) {
  std::string out;
  Writer w(out);
  EXPECT_EQ(w.protocol(), 2);
  w.mapHeader(2);
  w.setHeader(3);
  w.null();
  w.nullArray();
  w.boolean(true);
  w.doubleBulk(1.5);
  w.verbatim("a\r\nb");
  EXPECT_EQ(out, "*4\r\n*3\r\n$-1\r\n*-1\r\n:1\r\n$3\r\n1.5\r\n$4\r\na\r\nb\r\n");
}

TEST(Writer, Resp3Types) {
  std::string out;
  Writer w(out, 3);
  w.mapHeader(2);
  w.setHeader(3);
  w.null();
  w.nullBulk();
  w.nullArray();
  w.boolean(false);
  w.doubleBulk(1.5);
  w.doubleBulk(-HUGE_VAL);
  w.verbatim("# Keyspace\r\n");
  EXPECT_EQ(out, "%2\r\n~3\r\n_\r\n_\r\n_\r\n#f\r\n,1.5\r\n,-inf\r\n=16\r\ntxt:# Keyspace\r\n\r\n");
}

TEST(Writer, RawAndSizeAppendToExistingBuffer) {
  std::string out = "prefix";
  Writer w(out);
  EXPECT_EQ(w.size(), 6u);
  w.raw("*1\r\n$4\r\nPING\r\n");
  w.raw("");
  EXPECT_EQ(w.size(), 20u);
  EXPECT_EQ(out, "prefix*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(&w.buffer(), &out);
}
