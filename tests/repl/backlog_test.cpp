#include "erdtree/repl/backlog.h"

#include <gtest/gtest.h>

#include "erdtree/repl/master.h"

using erdtree::repl::Backlog;
using erdtree::repl::decidePsync;
using erdtree::repl::PsyncDecision;
using erdtree::repl::ReplicationIds;

namespace {

std::string tail(const Backlog& b, int64_t from) {
  std::string out;
  EXPECT_TRUE(b.copyFrom(from, out));
  return out;
}

}  // namespace

TEST(Backlog, StartsAfterTheCurrentOffsetAndAdvancesIt) {
  ReplicationIds ids;
  ids.offset = 100;
  Backlog b(ids, 16);
  EXPECT_EQ(b.firstByteOffset(), 101);
  EXPECT_EQ(b.histlen(), 0u);
  EXPECT_EQ(tail(b, 101), "");  // "everything already": continue with nothing
  b.feed("hello");
  EXPECT_EQ(ids.offset, 105);
  EXPECT_EQ(b.firstByteOffset(), 101);
  EXPECT_EQ(b.histlen(), 5u);
  EXPECT_EQ(tail(b, 101), "hello");
  EXPECT_EQ(tail(b, 103), "llo");
  EXPECT_EQ(tail(b, 106), "");
}

TEST(Backlog, WrapsAroundKeepingTheNewestBytes) {
  ReplicationIds ids;
  Backlog b(ids, 8);
  b.feed("abcdef");
  b.feed("ghij");  // wraps: keeps cdefghij
  EXPECT_EQ(ids.offset, 10);
  EXPECT_EQ(b.histlen(), 8u);
  EXPECT_EQ(b.firstByteOffset(), 3);
  EXPECT_EQ(tail(b, 3), "cdefghij");
  EXPECT_EQ(tail(b, 9), "ij");
  b.feed("0123456789xyz");  // longer than the ring
  EXPECT_EQ(ids.offset, 23);
  EXPECT_EQ(tail(b, 16), "56789xyz");
  for (int i = 0; i < 100; ++i) b.feed(std::string(1, static_cast<char>('a' + i % 26)));
  EXPECT_EQ(ids.offset, 123);
  EXPECT_EQ(tail(b, 116), "opqrstuv");
}

TEST(Backlog, RefusesOffsetsOutsideItsHistory) {
  ReplicationIds ids;
  Backlog b(ids, 8);
  b.feed("abcdefghijkl");  // bytes 5..12 kept
  std::string out = "keep";
  EXPECT_FALSE(b.copyFrom(4, out));   // too old
  EXPECT_FALSE(b.copyFrom(14, out));  // in the future
  EXPECT_EQ(out, "keep");
  EXPECT_TRUE(b.copyFrom(13, out));
  EXPECT_EQ(out, "keep");
}

TEST(Backlog, ResizeKeepsTheNewestBytes) {
  ReplicationIds ids;
  Backlog b(ids, 8);
  b.feed("abcdefghij");  // cdefghij
  b.resize(4);
  EXPECT_EQ(b.size(), 4u);
  EXPECT_EQ(b.histlen(), 4u);
  EXPECT_EQ(b.firstByteOffset(), 7);
  EXPECT_EQ(tail(b, 7), "ghij");
  b.resize(32);
  EXPECT_EQ(tail(b, 7), "ghij");
  b.feed("KLM");
  EXPECT_EQ(tail(b, 7), "ghijKLM");
  EXPECT_EQ(ids.offset, 13);
}

TEST(PsyncDecision, ContinuesOnlyWithAKnownIdAndAnOffsetInTheBacklog) {
  ReplicationIds ids;
  EXPECT_EQ(decidePsync(ids, nullptr, ids.replid, 1), PsyncDecision::FullResync);  // no backlog
  Backlog b(ids, 8);
  b.feed("abcdefghijkl");  // offsets 5..12 kept
  EXPECT_EQ(decidePsync(ids, &b, ids.replid, 5), PsyncDecision::Continue);
  EXPECT_EQ(decidePsync(ids, &b, ids.replid, 13), PsyncDecision::Continue);
  EXPECT_EQ(decidePsync(ids, &b, ids.replid, 4), PsyncDecision::FullResync);
  EXPECT_EQ(decidePsync(ids, &b, ids.replid, 14), PsyncDecision::FullResync);
  EXPECT_EQ(decidePsync(ids, &b, "?", -1), PsyncDecision::FullResync);
  EXPECT_EQ(decidePsync(ids, &b, std::string(40, 'f'), 6), PsyncDecision::FullResync);
  // The previous ID is good up to secondOffset.
  const std::string old = ids.replid;
  ids.shift();  // secondOffset = 13
  EXPECT_EQ(decidePsync(ids, &b, old, 13), PsyncDecision::Continue);
  b.feed("mn");
  EXPECT_EQ(decidePsync(ids, &b, old, 14), PsyncDecision::FullResync);
  EXPECT_EQ(decidePsync(ids, &b, ids.replid, 14), PsyncDecision::Continue);
}
