// The data-set digest against values Redis 7.0.15 printed for the same data
// (DEBUG DIGEST / DEBUG DIGEST-VALUE on Debian's redis-server).
#include "erdtree/engine/digest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "erdtree/engine/encoding_limits.h"
#include "erdtree/engine/hash_value.h"
#include "erdtree/engine/list_value.h"
#include "erdtree/engine/set_value.h"
#include "erdtree/engine/zset_value.h"

using namespace erdtree::engine;

namespace {

std::string hexOf(Db& db, std::string_view key) { return digestHex(valueDigest(db.table().find(key))); }

}  // namespace

TEST(Digest, EmptyIsZeros) {
  Keyspace ks(16);
  EXPECT_EQ(digestHex(datasetDigest(ks)), std::string(40, '0'));
  EXPECT_EQ(digestHex(valueDigest(nullptr)), std::string(40, '0'));
}

TEST(Digest, MatchesRedis) {
  Keyspace ks(16);
  Db& db = ks.db(0);
  const EncodingLimits limits{};
  db.insert(Entry::makeString("k", "v"));
  EXPECT_EQ(digestHex(datasetDigest(ks)), "264ccf65edec66bccfa7cc659414ccca432057d2");

  auto list = std::make_unique<ListValue>();
  for (const char* e : {"a", "b", "1"}) list->pushBack(e);
  db.insert(Entry::makeObject("l", ValueType::List, std::move(list)));
  auto set = std::make_unique<SetValue>();
  set->add("x", 512);
  set->add("2", 512);
  db.insert(Entry::makeObject("s", ValueType::Set, std::move(set)));
  auto zset = std::make_unique<ZSetValue>();
  zset->set("m", 1.5, limits);
  zset->set("n", -INFINITY, limits);
  db.insert(Entry::makeObject("z", ValueType::ZSet, std::move(zset)));
  auto hash = std::make_unique<HashValue>();
  hash->set("f", "v", limits);
  db.insert(Entry::makeObject("h", ValueType::Hash, std::move(hash)));
  db.insert(Entry::makeString("t", "12", INT64_MAX / 2));

  EXPECT_EQ(hexOf(db, "k"), "d79ee9fe5d5ad902d7f6620efc3b07b75ddd742f");
  EXPECT_EQ(hexOf(db, "l"), "981fd62c1655c074205cff40b800bd5a5bfdcd41");
  EXPECT_EQ(hexOf(db, "s"), "7904f640014061fb37c6855115964bd3eaaed924");
  EXPECT_EQ(hexOf(db, "z"), "bd422eb44417e66af6e1837aff528ae5b11226bc");
  EXPECT_EQ(hexOf(db, "h"), "90c76e9e9f4c62d642a34fc97c7dad503b51f906");
  EXPECT_EQ(hexOf(db, "t"), "83df3a94c43338a2db2a05ddb5dbb794b842c619");

  ks.db(3).insert(Entry::makeString("k", "v"));
  EXPECT_EQ(digestHex(datasetDigest(ks)), "2f8c8452b78129d75925f483a52f2eca0b25a875");
}
