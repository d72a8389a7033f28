#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "erdtree/engine/hash_value.h"
#include "erdtree/engine/keyspace.h"
#include "erdtree/engine/list_value.h"
#include "erdtree/engine/set_value.h"
#include "erdtree/engine/zset_value.h"
#include "erdtree/persist/crc64.h"
#include "erdtree/persist/rdb_blobs.h"
#include "erdtree/persist/rdb_loader.h"
#include "erdtree/persist/rdb_writer.h"
#include "keyspace_fixture.h"

using namespace erdtree;
using namespace erdtree::persist;
using engine::Entry;
using engine::ValueType;

namespace {

using erdtree::testing::fill;
using erdtree::testing::kNow;
using erdtree::testing::snapshot;

LoadResult reload(const std::string& file, engine::Keyspace& into) {
  LoadOptions lo;
  lo.nowMs = kNow;
  return loadRdb(file, into, lo);
}

}  // namespace

TEST(RdbBlobs, ListpackRoundTripsEveryEncoding) {
  ListpackBuilder lp;
  std::vector<std::string> in = {"0", "127", "128", "-1", "-4096", "4095", "4096", "-32768", "32767", "-8388608",
                                 "8388607", "-2147483648", "2147483647", "9223372036854775807",
                                 "-9223372036854775808", "", "x", std::string(63, 'a'), std::string(64, 'b'),
                                 std::string(4095, 'c'), std::string(4096, 'd'), std::string(20000, 'e'), "01", "-0"};
  for (auto& s : in) lp.add(s);
  std::string blob = lp.finish();
  std::vector<std::string> out;
  EXPECT_EQ(decodeListpack(blob, [&](std::string_view s) { out.emplace_back(s); }), "");
  EXPECT_EQ(out, in);
  for (size_t cut = 0; cut + 1 < blob.size(); cut += 97)
    EXPECT_NE(decodeListpack(blob.substr(0, cut), [](std::string_view) {}), "") << cut;
}

TEST(RdbBlobs, IntsetRoundTrips) {
  const int64_t v[] = {-9000000000LL, -3, 0, 7, 40000};
  std::string blob = encodeIntset(v, 5);
  EXPECT_EQ(blob.size(), 8u + 5 * 8);
  std::vector<int64_t> out;
  EXPECT_EQ(decodeIntset(blob, [&](int64_t x) { out.push_back(x); }), "");
  EXPECT_EQ(out, std::vector<int64_t>(v, v + 5));
  EXPECT_NE(decodeIntset(blob.substr(0, 20), [](int64_t) {}), "");
}

TEST(Rdb, RoundTripsEveryTypeAndEncoding) {
  engine::Keyspace ks(16);
  fill(ks);
  for (bool compress : {true, false}) {
    SaveOptions so;
    so.nowMs = kNow;
    so.compress = compress;
    std::string file = dumpRdb(ks, so);
    ASSERT_EQ(file.substr(0, 9), "REDIS0010");
    engine::Keyspace back(16);
    LoadResult r = reload(file, back);
    ASSERT_TRUE(r.ok) << r.error;
    auto want = snapshot(ks);
    want.erase("0:expired");  // not written: already expired at save time
    EXPECT_EQ(snapshot(back), want);
    EXPECT_EQ(r.keys, want.size());
    EXPECT_EQ(r.version, 10);
    bool sawVer = false;
    for (auto& [k, v] : r.aux) sawVer |= (k == "redis-ver" && v == "7.0.15");
    EXPECT_TRUE(sawVer);
  }
}

TEST(Rdb, LoadDropsKeysExpiredSinceTheSave) {
  engine::Keyspace ks(16);
  fill(ks);
  SaveOptions so;
  so.nowMs = kNow;
  std::string file = dumpRdb(ks, so);
  engine::Keyspace back(16);
  LoadOptions lo;
  lo.nowMs = kNow + 10000;  // "bigzset" (+1 ms) and "biglist" (+5 s) are gone
  LoadResult r = loadRdb(file, back, lo);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.expiredSkipped, 2u);
  EXPECT_EQ(back.db(15).table().find("bigzset"), nullptr);
  EXPECT_NE(back.db(0).table().find("ttl"), nullptr);
}

TEST(Rdb, LoadedValuesFollowTheConfiguredThresholds) {
  engine::Keyspace ks(16);
  fill(ks);
  SaveOptions so;
  so.nowMs = kNow;
  std::string file = dumpRdb(ks, so);
  engine::Keyspace back(16);
  LoadOptions lo;
  lo.nowMs = kNow;
  lo.limits.hashMaxListpackEntries = 1000;
  lo.limits.setMaxIntsetEntries = 2;
  lo.limits.zsetMaxListpackEntries = 4;
  LoadResult r = loadRdb(file, back, lo);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(back.db(3).table().find("bighash")->object()->encodingName(), "listpack");
  EXPECT_EQ(back.db(3).table().find("intset")->object()->encodingName(), "hashtable");
  EXPECT_EQ(back.db(15).table().find("lpzset")->object()->encodingName(), "skiplist");
}

TEST(Rdb, ChecksumIsVerifiedUnlessZero) {
  engine::Keyspace ks(16);
  ks.db(0).insert(Entry::makeString("k", "v"));
  SaveOptions so;
  so.nowMs = kNow;
  std::string file = dumpRdb(ks, so);
  uint64_t stored = 0;
  for (int i = 0; i < 8; ++i) stored |= static_cast<uint64_t>(static_cast<uint8_t>(file[file.size() - 8 + i])) << (8 * i);
  EXPECT_EQ(stored, crc64(0, file.data(), file.size() - 8));
  std::string bad = file;
  bad[file.size() - 3] ^= 1;
  engine::Keyspace b1(16);
  LoadResult r = reload(bad, b1);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("checksum"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("offset"), std::string::npos) << r.error;
  so.checksum = false;
  std::string unchecked = dumpRdb(ks, so);
  EXPECT_EQ(unchecked.substr(unchecked.size() - 8), std::string(8, '\0'));
  engine::Keyspace b2(16);
  EXPECT_TRUE(reload(unchecked, b2).ok);
}

TEST(Rdb, TruncatedFilesGiveErrorsAtEveryLength) {
  engine::Keyspace ks(16);
  fill(ks);
  SaveOptions so;
  so.nowMs = kNow;
  std::string file = dumpRdb(ks, so);
  for (size_t cut = 0; cut < file.size(); cut += (cut < 2000 ? 1 : 331)) {
    engine::Keyspace back(16);
    LoadResult r = reload(file.substr(0, cut), back);
    EXPECT_FALSE(r.ok) << cut;
    EXPECT_FALSE(r.error.empty());
  }
}

TEST(Rdb, CorruptBytesNeverCrash) {
  engine::Keyspace ks(16);
  fill(ks);
  SaveOptions so;
  so.nowMs = kNow;
  so.checksum = false;  // let the corruption reach the parsers
  std::string file = dumpRdb(ks, so);
  std::mt19937_64 rng(42);
  int failures = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string bad = file;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) bad[rng() % bad.size()] = static_cast<char>(rng());
    engine::Keyspace back(16);
    LoadResult r = reload(bad, back);
    if (!r.ok) {
      ++failures;
      EXPECT_LE(r.errorOffset, bad.size());
    }
  }
  EXPECT_GT(failures, 0);
}

TEST(Rdb, RejectsBadHeadersAndUnsupportedTypes) {
  engine::Keyspace ks(16);
  EXPECT_FALSE(reload("", ks).ok);
  EXPECT_FALSE(reload("REDIS", ks).ok);
  EXPECT_FALSE(reload("RUDIS0010\xff", ks).ok);
  EXPECT_FALSE(reload("REDIS0099\xff", ks).ok);
  // Version 3 (no checksum), then a stream-typed key.
  LoadResult r = reload(std::string("REDIS0003\x0f\x01k", 12), ks);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("stream"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("offset 9"), std::string::npos) << r.error;
  // A version 3 file with one string and a seconds expiry in the future.
  std::string v3("REDIS0003\xfd\x00\x00\x00\x7f\x00\x01k\x01v\xff", 20);
  engine::Keyspace k3(16);
  LoadResult ok = reload(v3, k3);
  ASSERT_TRUE(ok.ok) << ok.error;
  EXPECT_EQ(k3.db(0).table().find("k")->expireAt(), int64_t{0x7f000000} * 1000);
}

TEST(Rdb, SaveFileIsAtomicAndLoadable) {
  auto dir = std::filesystem::temp_directory_path() / ("erdtree-rdb-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  engine::Keyspace ks(16);
  fill(ks);
  SaveOptions so;
  so.nowMs = kNow;
  SaveStats st;
  const std::string path = (dir / "dump.rdb").string();
  ASSERT_EQ(saveRdbFile(path, ks, so, &st), "");
  EXPECT_EQ(st.bytes, std::filesystem::file_size(path));
  size_t files = 0;
  for (auto& f : std::filesystem::directory_iterator(dir)) (void)f, ++files;
  EXPECT_EQ(files, 1u);  // no temp file left behind
  engine::Keyspace back(16);
  LoadOptions lo;
  lo.nowMs = kNow;
  LoadResult r = loadRdbFile(path, back, lo);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.keys, st.keys);
  EXPECT_NE(saveRdbFile((dir / "missing" / "dump.rdb").string(), ks, so), "");
  std::filesystem::remove_all(dir);
}

namespace {

// A ziplist of the given raw entries (each: encoding + data), with prevlens.
std::string ziplist(const std::vector<std::string>& entries) {
  std::string body;
  size_t prev = 0, tail = 10;
  for (const std::string& e : entries) {
    tail = 10 + body.size();
    body.push_back(static_cast<char>(prev));
    body += e;
    prev = e.size() + 1;
  }
  std::string out(10, '\0');
  const size_t total = 10 + body.size() + 1;
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<char>((total >> (8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(4 + i)] = static_cast<char>((tail >> (8 * i)) & 0xff);
  out[8] = static_cast<char>(entries.size());
  return out + body + "\xff";
}

std::string zlStr(const std::string& s) { return std::string(1, static_cast<char>(s.size())) + s; }

std::string rdbStr(const std::string& s) { return std::string(1, static_cast<char>(s.size())) + s; }  // < 64 bytes

}  // namespace

TEST(RdbBlobs, ZiplistDecodesEveryEncoding) {
  const std::string zl = ziplist({zlStr("ab"), "\xF6", std::string("\xC0\xD4\xFE", 3), std::string("\xFE\x64", 2),
                                  std::string("\xF0\x00\x00\x80", 4), std::string("\xD0\x00\x00\x00\x80", 5),
                                  std::string("\xE0\x01\x00\x00\x00\x00\x00\x00\x00", 9),
                                  std::string("\x40\x41", 2) + std::string(65, 'x')});
  std::vector<std::string> out;
  EXPECT_EQ(decodeZiplist(zl, [&](std::string_view s) { out.emplace_back(s); }), "");
  EXPECT_EQ(out, (std::vector<std::string>{"ab", "5", "-300", "100", "-8388608", "-2147483648", "1", std::string(65, 'x')}));
  for (size_t cut = 0; cut < zl.size(); ++cut) EXPECT_NE(decodeZiplist(zl.substr(0, cut), [](std::string_view) {}), "") << cut;
}

TEST(Rdb, LoadsOlderZiplistEncodings) {
  std::string f = "REDIS0009";
  f += std::string("\x0d") + rdbStr("h") + rdbStr(ziplist({zlStr("f1"), zlStr("v1"), zlStr("n"), "\xF3"}));
  f += std::string("\x0e") + rdbStr("ql") + "\x02" + rdbStr(ziplist({zlStr("a"), zlStr("b")})) +
       rdbStr(ziplist({"\xF2"}));
  f += std::string("\x0a") + rdbStr("zl") + rdbStr(ziplist({zlStr("x"), zlStr("y")}));
  f += std::string("\x0c") + rdbStr("z") + rdbStr(ziplist({zlStr("m"), zlStr("1.5"), zlStr("n"), "\xF3"}));
  f += std::string("\x0b") + rdbStr("is") + rdbStr(encodeIntset(std::vector<int64_t>{-1, 9}.data(), 2));
  f += std::string("\x03") + rdbStr("z1") + "\x02" + rdbStr("a") + "\x03" "2.5" + rdbStr("b") + "\xfe";
  f += std::string("\xff") + std::string(8, '\0');
  engine::Keyspace ks(16);
  LoadResult r = reload(f, ks);
  ASSERT_TRUE(r.ok) << r.error;
  auto snap = snapshot(ks);
  EXPECT_EQ(snap["0:h"], "4|ttl=-1|listpack|f1=v1,n=2,");
  EXPECT_EQ(snap["0:ql"], "1|ttl=-1|a,b,1,");
  EXPECT_EQ(snap["0:zl"], "1|ttl=-1|x,y,");
  EXPECT_EQ(snap["0:z"], "3|ttl=-1|listpack|m=1.5,n=2,");
  EXPECT_EQ(snap["0:is"], "2|ttl=-1|intset|-1,9,");
  EXPECT_EQ(snap["0:z1"], "3|ttl=-1|listpack|a=2.5,b=inf,");
}

// DEBUG OBJECT's serializedlength: the value as the writer encodes it, less
// the type byte and the key (the figures redis-server 7.0 prints).
TEST(Rdb, DescribeValueGivesRedisSerializedLength) {
  SaveOptions opts;
  opts.nowMs = kNow;
  auto length = [&](Entry* e) {
    const ValueLayout l = describeValue(e, opts);
    Entry::destroy(e);
    return l.serializedLength;
  };
  EXPECT_EQ(length(Entry::makeString("foo", "bar")), 4u);
  EXPECT_EQ(length(Entry::makeString("a-much-longer-key", "123")), 2u);  // int8 encoding
  EXPECT_EQ(length(Entry::makeString("k", "123456789")), 5u);            // int32 encoding
  auto list = std::make_unique<engine::ListValue>();
  for (const char* v : {"a", "b", "c"}) list->pushBack(v);
  Entry* e = Entry::makeObject("l", ValueType::List, std::move(list), engine::kNoExpire);
  const ValueLayout l = describeValue(e, opts);
  Entry::destroy(e);
  EXPECT_EQ(l.serializedLength, 19u);  // what redis-server prints for RPUSH l a b c
  EXPECT_EQ(l.listNodes, 1u);
  EXPECT_EQ(l.listBytes, 16u);
}
