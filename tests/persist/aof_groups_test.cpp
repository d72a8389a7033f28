// The checksum annotation line: its exact form, strict parsing, and finding an
// intact group after damage without the chain of groups.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "erdtree/persist/aof_format.h"
#include "erdtree/persist/aof_groups.h"
#include "erdtree/persist/crc64.h"

using namespace erdtree::persist;

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

}  // namespace

TEST(AofGroups, AnnotationForm) {
  std::string line;
  appendGroupAnnotation(line, crc64(0, "123456789"), 9);
  EXPECT_EQ(line, "#EC:e9c6d914c4b8d9ca:9\r\n");
  std::string empty;
  appendGroupAnnotation(empty, 0, 0);
  EXPECT_EQ(empty, kGroupHeader);
  std::string big;
  appendGroupAnnotation(big, UINT64_MAX, UINT64_MAX);
  EXPECT_EQ(big, "#EC:ffffffffffffffff:18446744073709551615\r\n");
  GroupAnnotation a;
  ASSERT_TRUE(parseGroupAnnotation(big, a));
  EXPECT_EQ(a.crc, UINT64_MAX);
  EXPECT_EQ(a.length, UINT64_MAX);
  ASSERT_TRUE(parseGroupAnnotation(line, a));
  EXPECT_EQ(a.crc, 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(a.length, 9u);
}

TEST(AofGroups, ParsingIsStrict) {
  GroupAnnotation a;
  for (std::string_view bad : {
           "#EC:e9c6d914c4b8d9ca:9\n",        // no CR
           "#EC:e9c6d914c4b8d9ca:9",          // no line end
           "#EC:E9C6D914C4B8D9CA:9\r\n",      // upper case
           "#EC:e9c6d914c4b8d9c:9\r\n",       // 15 digits
           "#EC:e9c6d914c4b8d9ca0:9\r\n",     // 17 digits
           "#EC:e9c6d914c4b8d9ca:\r\n",       // no length
           "#EC:e9c6d914c4b8d9ca:09\r\n",     // leading zero
           "#EC:e9c6d914c4b8d9ca:-9\r\n",     // sign
           "#EC:e9c6d914c4b8d9ca:9 \r\n",     // trailing byte
           "#EC:e9c6d914c4b8d9ca:99999999999999999999\r\n",  // over 2^64
           "#TS:1700000000\r\n",              // another kind
       })
    EXPECT_FALSE(parseGroupAnnotation(bad, a)) << bad;
}

TEST(AofGroups, FindsAnIntactGroupAfterDamage) {
  const std::string g1 = group(rec({"SELECT", "0"}) + rec({"SET", "a", "1"}));
  const std::string g2 = group(rec({"SET", "b", "2"}));
  std::string data = std::string(kGroupHeader) + g1 + std::string(100, '\0') + g2;
  const size_t damage = kGroupHeader.size() + g1.size();
  EXPECT_EQ(findVerifiedGroup(data, damage), damage + 100);
  // The empty header group never counts, nor does a group reaching before from.
  EXPECT_EQ(findVerifiedGroup(std::string(kGroupHeader), 0), std::string::npos);
  EXPECT_EQ(findVerifiedGroup(data, damage + 101), std::string::npos);
  // A damaged byte in the only later group: nothing intact.
  data[damage + 100 + 5] ^= 1;
  EXPECT_EQ(findVerifiedGroup(data, damage), std::string::npos);
  // Nor in zeros and garbage alone.
  EXPECT_EQ(findVerifiedGroup(std::string(4096, '\0') + "#EC:garbage\r\n", 0), std::string::npos);
}
