#include "erdtree/engine/entry.h"

#include <gtest/gtest.h>

#include <string>

using erdtree::engine::Entry;
using erdtree::engine::kNoExpire;

TEST(Entry, StoresKeyValueAndTtlInline) {
  Entry* e = Entry::makeString("key", "value");
  EXPECT_EQ(e->key(), "key");
  EXPECT_EQ(e->stringValue(), "value");
  EXPECT_FALSE(e->hasExpire());
  EXPECT_EQ(e->expireAt(), kNoExpire);
  e = Entry::setExpire(e, 123456);
  EXPECT_TRUE(e->hasExpire());
  EXPECT_EQ(e->expireAt(), 123456);
  EXPECT_EQ(e->key(), "key");
  EXPECT_EQ(e->stringValue(), "value");
  EXPECT_TRUE(e->expiredAt(123456));
  EXPECT_FALSE(e->expiredAt(123455));
  e = Entry::setExpire(e, kNoExpire);
  EXPECT_FALSE(e->hasExpire());
  Entry::destroy(e);
}

TEST(Entry, SmallStringFitsOneSmallAllocation) {
  // 10-byte key and value: 4 header bytes + 2 length bytes + 20 = 26 bytes.
  Entry* e = Entry::makeString("k123456789", "v123456789");
  EXPECT_LE(e->allocatedBytes(), 40u);
  Entry::destroy(e);
}

TEST(Entry, BinarySafeAndLongValues) {
  std::string key("a\0b\r\n", 5);
  std::string value(100000, '\0');
  value[99999] = 'z';
  Entry* e = Entry::makeString(key, value, 42);
  EXPECT_EQ(e->key(), key);
  EXPECT_EQ(e->stringValue(), value);
  EXPECT_EQ(e->expireAt(), 42);
  Entry::destroy(e);
}

TEST(Entry, SetStringValueKeepsTtlAndLru) {
  Entry* e = Entry::makeString("k", "short", 99);
  e->setLru(777);
  e = Entry::setStringValue(e, std::string(300, 'x'));  // varint width changes
  EXPECT_EQ(e->stringValue(), std::string(300, 'x'));
  EXPECT_EQ(e->expireAt(), 99);
  EXPECT_EQ(e->lru(), 777u);
  EXPECT_EQ(e->key(), "k");
  Entry::destroy(e);
}

TEST(Entry, ResizeStringZeroFillsAndKeepsPrefix) {
  Entry* e = Entry::makeString("k", "abc", 5);
  e = Entry::resizeString(e, 6);
  EXPECT_EQ(e->stringValue(), std::string("abc\0\0\0", 6));
  e = Entry::resizeString(e, 200);  // crosses the one-byte varint limit
  EXPECT_EQ(e->stringValue().substr(0, 3), "abc");
  EXPECT_EQ(e->stringValue().size(), 200u);
  EXPECT_EQ(e->expireAt(), 5);
  Entry::destroy(e);
}

TEST(Entry, CloneWithKeyCopiesEverythingButTheKey) {
  Entry* e = Entry::makeString("old", "v", 1000);
  e->setLru(5);
  e->setRawEncoded(true);
  Entry* n = Entry::cloneWithKey(e, "new-key");
  EXPECT_EQ(n->key(), "new-key");
  EXPECT_EQ(n->stringValue(), "v");
  EXPECT_EQ(n->expireAt(), 1000);
  EXPECT_EQ(n->lru(), 5u);
  EXPECT_TRUE(n->rawEncoded());
  Entry::destroy(e);
  Entry::destroy(n);
}
