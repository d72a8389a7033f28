// What a file's bytes amount to (aof_file_check.h): files without checksums
// as Redis reads them; checksummed files good up to their last verified
// group, with a torn tail told apart from corruption in the middle.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "erdtree/persist/aof_file_check.h"
#include "erdtree/persist/aof_format.h"
#include "erdtree/persist/aof_groups.h"
#include "erdtree/persist/crc64.h"

using namespace erdtree::persist;
using Problem = AofFileCheck::Problem;

namespace {

std::string rec(std::vector<std::string_view> args) {
  std::string out;
  appendRecord(out, args);
  return out;
}

std::string group(std::string bytes) {
  appendGroupAnnotation(bytes, crc64(0, bytes), bytes.size());
  return bytes;
}

// A checksummed file of three groups, as the writer lays it out.
struct Log {
  std::string g1 = group(rec({"SELECT", "0"}) + rec({"SET", "a", "1"}) + rec({"SET", "b", "2"}));
  std::string g2 = group(rec({"MULTI"}) + rec({"INCR", "n"}) + rec({"EXEC"}));
  std::string g3 = group(rec({"SET", "c", "3"}));
  std::string data = std::string(kGroupHeader) + g1 + g2 + g3;
  size_t end1 = kGroupHeader.size() + g1.size();
  size_t end2 = end1 + g2.size();
};

}  // namespace

TEST(AofFileCheck, WithoutChecksumsAsRedisReadsThem) {
  const std::string good = rec({"SELECT", "0"}) + "#TS:1700000000\r\n" + rec({"SET", "a", "1"});
  AofFileCheck c = checkAofFile(good);
  EXPECT_FALSE(c.checksummed);
  EXPECT_EQ(c.problem, Problem::None);
  EXPECT_EQ(c.validEnd, good.size());
  EXPECT_EQ(c.records, 2u);
  EXPECT_FALSE(c.sealed) << "no groups may be appended after bytes without checksums";

  c = checkAofFile(good + "*3\r\n$3\r\nSET");
  EXPECT_EQ(c.problem, Problem::TornTail);
  EXPECT_EQ(c.validEnd, good.size());
  EXPECT_NE(c.what.find("cut short"), std::string::npos) << c.what;

  // Zeros after records are corruption in a file without checksums (Redis's behaviour).
  c = checkAofFile(good + std::string(4096, '\0'));
  EXPECT_EQ(c.problem, Problem::Corrupt);
  EXPECT_EQ(c.problemOffset, good.size());

  c = checkAofFile(good + rec({"MULTI"}) + rec({"INCR", "n"}));
  EXPECT_EQ(c.problem, Problem::TornTail);
  EXPECT_TRUE(c.openMulti);
  EXPECT_EQ(c.validEnd, good.size());
  EXPECT_EQ(c.records, 2u);

  EXPECT_EQ(checkAofFile("").problem, Problem::None);
}

TEST(AofFileCheck, VerifiesEveryGroup) {
  Log log;
  AofFileCheck c = checkAofFile(log.data);
  EXPECT_TRUE(c.checksummed);
  EXPECT_EQ(c.problem, Problem::None) << c.what;
  EXPECT_EQ(c.validEnd, log.data.size());
  EXPECT_EQ(c.groups, 4u);  // the header's empty group and three
  EXPECT_EQ(c.records, 7u);
  EXPECT_TRUE(c.sealed);
  // A foreign annotation inside a group is part of what its checksum covers.
  std::string withTs = std::string(kGroupHeader) + group("#TS:1700000000\r\n" + rec({"SET", "a", "1"}));
  c = checkAofFile(withTs);
  EXPECT_EQ(c.problem, Problem::None) << c.what;
  EXPECT_EQ(c.records, 1u);
  // Just the header: an empty, sealed segment.
  c = checkAofFile(kGroupHeader);
  EXPECT_EQ(c.problem, Problem::None);
  EXPECT_TRUE(c.sealed);
}

TEST(AofFileCheck, ZerosOrGarbageAtTheEndAreATornTail) {
  Log log;
  for (const std::string& tail : {std::string(4096, '\0'), std::string("\x17\xff garbage \x01\r\n\x80"),
                                  std::string("*3\r\n$3\r\nSET\r\n$1\r\nd\r\n$1"), std::string("#EC:12ab")}) {
    AofFileCheck c = checkAofFile(log.data + tail);
    EXPECT_EQ(c.problem, Problem::TornTail) << c.what;
    EXPECT_EQ(c.problemOffset, log.data.size());
    EXPECT_EQ(c.validEnd, log.data.size());
    EXPECT_EQ(c.records, 7u);
    EXPECT_TRUE(c.sealed);
  }
}

TEST(AofFileCheck, WholeRecordsWithoutTheirAnnotationAreNotReplayed) {
  // Stale blocks after a power loss may hold well-formed records of another file.
  Log log;
  AofFileCheck c = checkAofFile(log.data + rec({"SET", "stale", "x"}));
  EXPECT_EQ(c.problem, Problem::TornTail);
  EXPECT_EQ(c.validEnd, log.data.size());
  EXPECT_EQ(c.records, 7u);
  EXPECT_NE(c.what.find("no checksum annotation"), std::string::npos) << c.what;
}

TEST(AofFileCheck, AFailedLastGroupIsATornTail) {
  Log log;
  std::string data = log.data;
  data[log.end2 + 9] ^= 0x20;  // "SET" becomes "SeT": still parses
  AofFileCheck c = checkAofFile(data);
  EXPECT_EQ(c.problem, Problem::TornTail) << c.what;
  EXPECT_EQ(c.validEnd, log.end2);
  EXPECT_NE(c.what.find("checksum mismatch"), std::string::npos) << c.what;
  // The last group's annotation damaged.
  data = log.data;
  data[data.size() - 4] = 'x';
  c = checkAofFile(data);
  EXPECT_EQ(c.problem, Problem::TornTail) << c.what;
  EXPECT_EQ(c.validEnd, log.end2);
}

TEST(AofFileCheck, DamageWithAnIntactGroupAfterItIsCorruption) {
  Log log;
  // A payload byte of the first group: the checksum fails, the group start is reported.
  std::string data = log.data;
  const size_t payload = log.data.find("SET\r\n$1\r\na");
  data[payload + 9] = 'z';
  AofFileCheck c = checkAofFile(data);
  EXPECT_EQ(c.problem, Problem::Corrupt);
  EXPECT_EQ(c.problemOffset, kGroupHeader.size());
  EXPECT_EQ(c.validEnd, kGroupHeader.size());
  EXPECT_NE(c.what.find("checksum mismatch"), std::string::npos) << c.what;
  EXPECT_NE(c.what.find("intact record group follows at offset " + std::to_string(log.end1)), std::string::npos)
      << c.what;

  // A header byte that no longer parses: the offset of that byte.
  data = log.data;
  data[log.end1] = 'x';  // the '*' of MULTI's record
  c = checkAofFile(data);
  EXPECT_EQ(c.problem, Problem::Corrupt);
  EXPECT_EQ(c.problemOffset, log.end1);

  // A bulk length that swallows the rest of the file: it looks cut short,
  // but the groups it swallowed are intact.
  data = log.data;
  data[log.data.find("$1\r\na") + 1] = '9';
  data.insert(log.data.find("$1\r\na") + 1, "99");
  c = checkAofFile(data);
  EXPECT_EQ(c.problem, Problem::Corrupt) << c.what;

  // An annotation whose length does not match its group, and one that does not parse.
  const std::string records2 = rec({"MULTI"}) + rec({"INCR", "n"}) + rec({"EXEC"});
  std::string wrongLength = records2;
  appendGroupAnnotation(wrongLength, crc64(0, records2), records2.size() + 1);
  c = checkAofFile(std::string(kGroupHeader) + log.g1 + wrongLength + log.g3);
  EXPECT_EQ(c.problem, Problem::Corrupt);
  EXPECT_EQ(c.problemOffset, log.end1);
  EXPECT_NE(c.what.find("covers " + std::to_string(records2.size() + 1) + " bytes"), std::string::npos) << c.what;
  c = checkAofFile(std::string(kGroupHeader) + log.g1 + records2 + "#EC:not-a-checksum\r\n" + log.g3);
  EXPECT_EQ(c.problem, Problem::Corrupt);
  EXPECT_EQ(c.problemOffset, log.end1 + records2.size());
  EXPECT_NE(c.what.find("malformed checksum annotation"), std::string::npos) << c.what;
}

TEST(AofFileCheck, ZeroPaddingInTheMiddleIsCorruption) {
  Log log;
  std::string data = log.data;
  data.insert(log.end1, std::string(4096, '\0'));
  AofFileCheck c = checkAofFile(data);
  EXPECT_EQ(c.problem, Problem::Corrupt);
  EXPECT_EQ(c.problemOffset, log.end1);
  EXPECT_EQ(c.validEnd, log.end1);
  EXPECT_EQ(c.records, 3u);
}

TEST(AofFileCheck, ABrokenHeaderLeavesNothingToAppendTo) {
  // The writer fsyncs the header before listing the file, so this is not a
  // power loss; still, a writer must not append groups to what is left.
  for (std::string_view data : {"#EC:00", "#EC:0000000000000000:7\r\n"}) {
    AofFileCheck c = checkAofFile(data);
    EXPECT_TRUE(c.checksummed);
    EXPECT_EQ(c.problem, Problem::TornTail) << data;
    EXPECT_EQ(c.validEnd, 0u);
    EXPECT_FALSE(c.sealed);
  }
}

TEST(AofFileCheck, AnyDamagedByteBeforeTheLastGroupIsCorruptionAndInItATornTail) {
  // CRC-64 catches every burst of up to 64 bits, so one changed byte anywhere
  // is caught; where it is decides what it is.
  Log log;
  for (size_t at = 0; at < log.data.size(); ++at) {
    for (unsigned mask : {0x01u, 0x20u, 0x80u, 0xffu}) {
      std::string data = log.data;
      data[at] = static_cast<char>(data[at] ^ mask);
      AofFileCheck c = checkAofFile(data);
      if (at >= log.end2) {
        ASSERT_EQ(c.problem, Problem::TornTail) << at << "^" << mask << ": " << c.what;
        ASSERT_EQ(c.validEnd, log.end2) << at << "^" << mask;
        ASSERT_EQ(c.records, 6u);
      } else {
        ASSERT_EQ(c.problem, Problem::Corrupt) << at << "^" << mask << ": " << c.what;
        ASSERT_LE(c.validEnd, at);
      }
    }
  }
}

TEST(AofFileCheck, AWriteTornAnywhereKeepsTheGroupsBeforeIt) {
  // A power loss keeps a prefix of what was written; the rest reads as zeros
  // (the size reached the disk) or is gone.
  Log log;
  const size_t ends[] = {kGroupHeader.size(), log.end1, log.end2, log.data.size()};
  for (size_t cut = kGroupHeader.size(); cut <= log.data.size(); ++cut) {
    size_t lastEnd = 0;
    for (size_t e : ends)
      if (e <= cut) lastEnd = e;
    for (bool zeros : {false, true}) {
      const std::string data = log.data.substr(0, cut) + std::string(zeros ? log.data.size() - cut : 0, '\0');
      AofFileCheck c = checkAofFile(data);
      ASSERT_EQ(c.validEnd, lastEnd) << cut << (zeros ? " zeros" : "");
      ASSERT_EQ(c.problem, data.size() == lastEnd ? Problem::None : Problem::TornTail) << cut << ": " << c.what;
      ASSERT_TRUE(c.sealed);
    }
  }
}
