// Record encoding and the strict reader: whole records, truncated tails at
// every byte, corruption with its offset.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "erdtree/persist/aof_format.h"

using namespace erdtree::persist;

namespace {

std::string record(std::vector<std::string_view> args) {
  std::string out;
  appendRecord(out, args);
  return out;
}

std::vector<std::vector<std::string>> readAll(std::string_view data, ReadStatus& last) {
  RecordReader r(data);
  std::vector<std::vector<std::string>> out;
  while ((last = r.next()) == ReadStatus::Record) out.emplace_back(r.args().begin(), r.args().end());
  return out;
}

}  // namespace

TEST(AofFormat, EncodesRespMultibulk) {
  EXPECT_EQ(record({"SET", "k", "v"}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_EQ(record({"SET", "", std::string_view("a\0\r\nb", 5)}),
            std::string("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\na\0\r\nb\r\n", 30));
  std::string sel;
  appendSelect(sel, 12);
  EXPECT_EQ(sel, "*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n");
}

TEST(AofFormat, ReadsBackWhatWasWritten) {
  std::string data = record({"SELECT", "0"}) + record({"SET", "k", std::string_view("\r\n\0", 3)}) +
                     record({"MULTI"}) + record({"INCR", "n"}) + record({"EXEC"});
  ReadStatus last;
  auto recs = readAll(data, last);
  EXPECT_EQ(last, ReadStatus::End);
  ASSERT_EQ(recs.size(), 5u);
  EXPECT_EQ(recs[1][2], std::string("\r\n\0", 3));
  EXPECT_EQ(recs[4][0], "EXEC");
  ReadStatus empty;
  EXPECT_TRUE(readAll("", empty).empty());
  EXPECT_EQ(empty, ReadStatus::End);
}

TEST(AofFormat, EveryCutInsideTheLastRecordIsATruncatedTail) {
  std::string first = record({"SET", "a", "1"});
  std::string second = record({"RPUSH", "list", "x", "yy"});
  std::string data = first + second;
  for (size_t cut = first.size() + 1; cut < data.size(); ++cut) {
    RecordReader r(std::string_view(data).substr(0, cut));
    ASSERT_EQ(r.next(), ReadStatus::Record);
    EXPECT_EQ(r.next(), ReadStatus::Truncated) << "cut at " << cut;
    EXPECT_EQ(r.offset(), first.size()) << "the valid prefix ends after the first record";
  }
}

TEST(AofFormat, CorruptionReportsItsOffset) {
  std::string first = record({"SET", "a", "1"});
  struct Case {
    std::string tail;
    size_t offset;  // relative to the end of first
  } cases[] = {
      {"garbage\r\n", 0},                         // not a record header
      {"*2\r\n$3\r\nGETX\r\n", 11},               // payload longer than its length: no CRLF at 11
      {"*2\r\n#3\r\nGET\r\n", 4},                 // argument header
      {"*0\r\n", 0},                              // empty record
      {"*1\r\n$3\r\nGET\rX", 11},                 // bad terminator
      {"*x\r\n", 0},                              // non-numeric count
  };
  for (const auto& c : cases) {
    const std::string data = first + c.tail;  // outlives the reader's views
    RecordReader r(data);
    ASSERT_EQ(r.next(), ReadStatus::Record);
    EXPECT_EQ(r.next(), ReadStatus::Corrupt) << c.tail;
    EXPECT_EQ(r.errorOffset(), first.size() + c.offset) << c.tail;
    EXPECT_FALSE(r.error().empty());
  }
}

TEST(AofFormat, HugeLengthsAreCorruptionNotAWait) {
  RecordReader r("*1\r\n$99999999999\r\n");
  EXPECT_EQ(r.next(), ReadStatus::Corrupt);
  RecordReader r2("*9999999999999\r\n");
  EXPECT_EQ(r2.next(), ReadStatus::Corrupt);
}

TEST(AofFormat, AnnotationsAreHandedOutWhereARecordMayStart) {
  const std::string set = record({"SET", "a", "1"});
  const std::string data = "#TS:1700000000\r\n" + set + "#EC:0123456789abcdef:31\r\n#bare newline\n" + set;
  RecordReader r(data);
  ASSERT_EQ(r.next(), ReadStatus::Annotation);
  EXPECT_EQ(r.annotation(), "#TS:1700000000\r\n");
  ASSERT_EQ(r.next(), ReadStatus::Record);
  EXPECT_TRUE(r.annotation().empty());
  ASSERT_EQ(r.next(), ReadStatus::Annotation);
  EXPECT_EQ(r.annotation(), "#EC:0123456789abcdef:31\r\n");
  ASSERT_EQ(r.next(), ReadStatus::Annotation);  // Redis skips up to '\n' too
  EXPECT_EQ(r.annotation(), "#bare newline\n");
  ASSERT_EQ(r.next(), ReadStatus::Record);
  EXPECT_EQ(r.next(), ReadStatus::End);
  // A '#' inside a payload is data, not an annotation.
  ReadStatus last;
  auto recs = readAll(record({"SET", "#k", "#v\r\n"}), last);
  EXPECT_EQ(last, ReadStatus::End);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0][1], "#k");
}

TEST(AofFormat, AnAnnotationCutShortIsATruncatedTailAndAnEndlessOneCorruption) {
  const std::string set = record({"SET", "a", "1"});
  const std::string cutData = set + "#EC:0123";  // outlives the reader's views
  RecordReader cut(cutData);
  ASSERT_EQ(cut.next(), ReadStatus::Record);
  EXPECT_EQ(cut.next(), ReadStatus::Truncated);
  EXPECT_EQ(cut.offset(), set.size());
  const std::string endless = set + "#" + std::string(kMaxAnnotationLine, 'x') + "\r\n";
  RecordReader r(endless);
  ASSERT_EQ(r.next(), ReadStatus::Record);
  EXPECT_EQ(r.next(), ReadStatus::Corrupt);
  EXPECT_EQ(r.errorOffset(), set.size());
}
