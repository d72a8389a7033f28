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

namespace {

// Counts live instances so the tests can see copies and frees.
class CountedObject : public erdtree::engine::Object {
 public:
  explicit CountedObject(int v) : value(v) { ++live; }
  ~CountedObject() override { --live; }
  std::unique_ptr<Object> clone() const override { return std::make_unique<CountedObject>(value); }
  size_t memoryUsage() const override { return sizeof(*this); }
  std::string_view encodingName() const override { return "counted"; }
  size_t length() const override { return 1; }
  int value;
  static inline int live = 0;
};

}  // namespace

TEST(EntryObject, OwnsCopiesAndMovesItsValue) {
  using erdtree::engine::ValueType;
  CountedObject::live = 0;
  Entry* e = Entry::makeObject("list", ValueType::List, std::make_unique<CountedObject>(7), 500);
  EXPECT_EQ(e->type(), ValueType::List);
  EXPECT_EQ(e->key(), "list");
  EXPECT_EQ(e->expireAt(), 500);
  EXPECT_EQ(static_cast<CountedObject*>(e->object())->value, 7);
  EXPECT_EQ(CountedObject::live, 1);

  Entry* copy = Entry::cloneWithKey(e, "copy");  // COPY: a second, independent value
  EXPECT_EQ(CountedObject::live, 2);
  EXPECT_NE(copy->object(), e->object());
  EXPECT_EQ(copy->expireAt(), 500);

  erdtree::engine::Object* before = e->object();
  Entry* moved = Entry::moveToKey(e, "renamed");  // RENAME: same value, no copy
  EXPECT_EQ(moved->object(), before);
  EXPECT_EQ(moved->key(), "renamed");
  EXPECT_EQ(CountedObject::live, 2);

  Entry::destroy(moved);
  Entry::destroy(copy);
  EXPECT_EQ(CountedObject::live, 0);
}

TEST(EntryObject, TtlChangesKeepTheValue) {
  using erdtree::engine::ValueType;
  CountedObject::live = 0;
  Entry* e = Entry::makeObject("h", ValueType::Hash, std::make_unique<CountedObject>(3));
  erdtree::engine::Object* obj = e->object();
  e = Entry::setExpire(e, 1234);  // reallocates the entry, not the value
  EXPECT_EQ(e->object(), obj);
  e = Entry::setExpire(e, erdtree::engine::kNoExpire);
  EXPECT_EQ(e->object(), obj);
  EXPECT_EQ(CountedObject::live, 1);
  Entry::destroy(e);
  EXPECT_EQ(CountedObject::live, 0);
}
