#include "erdtree/repl/replica_link.h"

#include <gtest/gtest.h>

namespace erdtree::repl {
namespace {

const std::string kId = "58a02916db8c5665e3af8f35ba4a4a292560381e";

TEST(ReplicaHandshake, FullResync) {
  PsyncReply r = parsePsyncReply("+FULLRESYNC " + kId + " 215");
  EXPECT_EQ(r.kind, PsyncReply::Kind::FullResync);
  EXPECT_EQ(r.replid, kId);
  EXPECT_EQ(r.offset, 215);
  EXPECT_EQ(parsePsyncReply("+FULLRESYNC " + kId + " x").kind, PsyncReply::Kind::Error);
  EXPECT_EQ(parsePsyncReply("+FULLRESYNC short 1").kind, PsyncReply::Kind::Error);
}

TEST(ReplicaHandshake, Continue) {
  PsyncReply r = parsePsyncReply("+CONTINUE");
  EXPECT_EQ(r.kind, PsyncReply::Kind::Continue);
  EXPECT_EQ(r.replid, "");
  r = parsePsyncReply("+CONTINUE " + kId);
  EXPECT_EQ(r.kind, PsyncReply::Kind::Continue);
  EXPECT_EQ(r.replid, kId);
  EXPECT_EQ(parsePsyncReply("+CONTINUE abc").kind, PsyncReply::Kind::Error);
}

TEST(ReplicaHandshake, RetryAndErrors) {
  EXPECT_EQ(parsePsyncReply("-NOMASTERLINK Can't SYNC while not connected with my master").kind,
            PsyncReply::Kind::Retry);
  EXPECT_EQ(parsePsyncReply("-LOADING Redis is loading the dataset in memory").kind, PsyncReply::Kind::Retry);
  EXPECT_EQ(parsePsyncReply("-ERR unknown command 'PSYNC'").kind, PsyncReply::Kind::Error);
  EXPECT_EQ(parsePsyncReply("").kind, PsyncReply::Kind::Error);
}

TEST(ReplicaHandshake, BulkPreamble) {
  BulkPreamble b = parseBulkPreamble("$1234");
  EXPECT_TRUE(b.ok);
  EXPECT_FALSE(b.eofMark);
  EXPECT_EQ(b.length, 1234u);
  b = parseBulkPreamble("$EOF:" + kId);
  EXPECT_TRUE(b.ok);
  EXPECT_TRUE(b.eofMark);
  EXPECT_EQ(b.mark, kId);
  EXPECT_FALSE(parseBulkPreamble("$EOF:short").ok);
  EXPECT_FALSE(parseBulkPreamble("+OK").ok);
  EXPECT_FALSE(parseBulkPreamble("$-1").ok);
  EXPECT_FALSE(parseBulkPreamble("$").ok);
}

}  // namespace
}  // namespace erdtree::repl
