#include "erdtree/engine/lazy_free.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "erdtree/engine/hash_value.h"
#include "erdtree/engine/keyspace.h"
#include "erdtree/engine/set_value.h"

using namespace erdtree::engine;

namespace {

// A set key in the hashtable encoding with n members (free effort n).
Entry* bigSet(const std::string& key, int n, int64_t expireAtMs = kNoExpire) {
  auto set = std::make_unique<SetValue>();
  for (int i = 0; i < n; ++i) set->add("m" + std::to_string(i), 512);
  return Entry::makeObject(key, ValueType::Set, std::move(set), expireAtMs);
}

}  // namespace

TEST(LazyFree, FreeEffortFollowsTheEncoding) {
  Entry* s = Entry::makeString("k", "v");
  EXPECT_EQ(freeEffort(s), 1u);
  Entry::destroy(s);

  auto ints = std::make_unique<SetValue>();
  for (int i = 0; i < 100; ++i) ints->add(std::to_string(i), 512);
  Entry* intset = Entry::makeObject("i", ValueType::Set, std::move(ints));
  EXPECT_EQ(freeEffort(intset), 1u);  // one contiguous buffer
  Entry::destroy(intset);

  Entry* big = bigSet("s", 100);
  EXPECT_EQ(freeEffort(big), 100u);
  Entry::destroy(big);

  EncodingLimits lim;
  auto lp = std::make_unique<HashValue>();
  lp->set("f", "v", lim);
  Entry* hash = Entry::makeObject("h", ValueType::Hash, std::move(lp));
  EXPECT_EQ(freeEffort(hash), 1u);
  Entry::destroy(hash);
}

TEST(LazyFree, SmallValuesAreFreedInline) {
  LazyFreer freer;
  freer.freeEntry(Entry::makeString("k", "v"), true);
  freer.freeEntry(bigSet("s", static_cast<int>(kLazyFreeThreshold)), true);  // at the threshold: inline
  freer.freeEntry(bigSet("t", 1000), false);  // not lazy: inline whatever the size
  freer.waitIdle();
  EXPECT_EQ(freer.freed(), 0u);
  EXPECT_EQ(freer.pending(), 0u);
}

TEST(LazyFree, BigValuesGoToTheThreadAndAreCounted) {
  LazyFreer freer;
  for (int i = 0; i < 10; ++i) freer.freeEntry(bigSet("s" + std::to_string(i), 1000), true);
  freer.freeEntryAsync(Entry::makeString("k", "v"));  // forced, whatever its size
  freer.waitIdle();
  EXPECT_EQ(freer.freed(), 11u);
  EXPECT_EQ(freer.pending(), 0u);
  freer.resetStats();
  EXPECT_EQ(freer.freed(), 0u);
}

TEST(LazyFree, TablesCountTheirKeys) {
  LazyFreer freer;
  auto table = std::make_unique<KeyTable>();
  for (int i = 0; i < 5000; ++i) table->insertNew(Entry::makeString("k" + std::to_string(i), "v"));
  table->insertNew(bigSet("big", 500));
  freer.freeTableAsync(std::move(table));
  freer.waitIdle();
  EXPECT_EQ(freer.freed(), 5001u);
  EXPECT_EQ(freer.pending(), 0u);
}

// Destroying the freer with work queued finishes it: ASan reports any leak.
TEST(LazyFree, ShutdownDrainsTheQueue) {
  auto freer = std::make_unique<LazyFreer>();
  for (int i = 0; i < 50; ++i) freer->freeEntry(bigSet("s" + std::to_string(i), 2000), true);
  auto table = std::make_unique<KeyTable>();
  for (int i = 0; i < 1000; ++i) table->insertNew(bigSet("t" + std::to_string(i), 70));
  freer->freeTableAsync(std::move(table));
  freer.reset();
  SUCCEED();
}

TEST(LazyFree, UnusedFreerNeedsNoThread) {
  LazyFreer freer;
  freer.waitIdle();  // returns at once
  EXPECT_EQ(freer.pending(), 0u);
}

TEST(LazyFree, LazyRemoveAndServerDeletes) {
  Keyspace ks(1);
  Db& db = ks.db(0);
  db.insert(bigSet("a", 1000));
  db.insert(bigSet("b", 1000));
  EXPECT_TRUE(db.remove("a", 0, true));  // UNLINK
  EXPECT_TRUE(db.remove("b", 0));         // implicit delete, lazyfree-lazy-server-del off
  ks.lazyFreer().waitIdle();
  EXPECT_EQ(ks.lazyFreer().freed(), 1u);

  ks.lazyFreePolicy().serverDel = true;
  db.insert(bigSet("c", 1000));
  EXPECT_TRUE(db.remove("c", 0));
  db.insert(bigSet("d", 1000));
  Entry** ref = db.lookupRef("d", 0);
  ASSERT_NE(ref, nullptr);
  db.replace(ref, Entry::makeString("d", "small"));  // SET over a big value
  ks.lazyFreer().waitIdle();
  EXPECT_EQ(ks.lazyFreer().freed(), 3u);
  EXPECT_EQ(db.size(), 1u);
}

TEST(LazyFree, ExpiryUsesTheExpirePolicy) {
  Keyspace ks(1);
  Db& db = ks.db(0);
  db.insert(bigSet("a", 1000, 10));
  EXPECT_EQ(db.lookup("a", 100), nullptr);  // lazy expiry, policy off: inline
  ks.lazyFreer().waitIdle();
  EXPECT_EQ(ks.lazyFreer().freed(), 0u);

  ks.lazyFreePolicy().expire = true;
  db.insert(bigSet("b", 1000, 10));
  EXPECT_EQ(db.lookup("b", 100), nullptr);
  for (int i = 0; i < 20; ++i) db.insert(bigSet("c" + std::to_string(i), 100, 10));
  ExpireCycleStats st = ks.activeExpireCycle(100, 1000000, 10);
  EXPECT_EQ(st.expired, 20u);
  ks.lazyFreer().waitIdle();
  EXPECT_EQ(ks.lazyFreer().freed(), 21u);
  EXPECT_EQ(ks.expiredKeys(), 22u);
}

TEST(LazyFree, AsyncClearEmptiesAtOnce) {
  Keyspace ks(2);
  for (int i = 0; i < 20000; ++i) ks.db(0).insert(Entry::makeString("k" + std::to_string(i), "v", 1u << 30));
  ks.db(1).insert(bigSet("s", 100));
  ks.clearAll(true);
  EXPECT_EQ(ks.db(0).size(), 0u);
  EXPECT_EQ(ks.db(0).expiresCount(), 0u);
  EXPECT_EQ(ks.db(1).size(), 0u);
  // The emptied databases take new keys while the old tables are freed.
  ks.db(0).insert(Entry::makeString("k1", "new"));
  ASSERT_NE(ks.db(0).lookup("k1", 0), nullptr);
  EXPECT_EQ(ks.db(0).lookup("k1", 0)->stringValue(), "new");
  ks.lazyFreer().waitIdle();
  EXPECT_EQ(ks.lazyFreer().freed(), 20001u);
  ks.db(0).clear(true);
  ks.lazyFreer().waitIdle();
  EXPECT_EQ(ks.lazyFreer().freed(), 20002u);
  ks.db(0).clear(true);  // an empty table is not worth a job
  ks.lazyFreer().waitIdle();
  EXPECT_EQ(ks.lazyFreer().freed(), 20002u);
}
