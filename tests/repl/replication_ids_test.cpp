#include "erdtree/repl/replication_ids.h"

#include <gtest/gtest.h>

using erdtree::repl::ReplicationIds;

TEST(ReplicationIds, NewIdsAre40HexDigitsAndDiffer) {
  ReplicationIds a, b;
  EXPECT_EQ(a.replid.size(), 40u);
  EXPECT_EQ(a.replid.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a.replid, b.replid);
  EXPECT_EQ(a.replid2, std::string(40, '0'));
  EXPECT_EQ(a.secondOffset, -1);
}

TEST(ReplicationIds, ShiftKeepsTheOldIdValidUpToTheNextByte) {
  ReplicationIds ids;
  ids.offset = 1234;
  const std::string old = ids.replid;
  ids.shift();
  EXPECT_EQ(ids.replid2, old);
  EXPECT_EQ(ids.secondOffset, 1235);
  EXPECT_NE(ids.replid, old);
  ids.clearSecond();
  EXPECT_EQ(ids.replid2, std::string(40, '0'));
  EXPECT_EQ(ids.secondOffset, -1);
}
