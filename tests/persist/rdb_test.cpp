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

using namespace erdtree;
using namespace erdtree::persist;
using engine::Entry;
using engine::ValueType;

namespace {

constexpr int64_t kNow = 1700000000000;

// A canonical text form of a whole keyspace: db, key, type, encoding, TTL, value.
std::map<std::string, std::string> snapshot(engine::Keyspace& ks) {
  std::map<std::string, std::string> out;
  for (int i = 0; i < ks.count(); ++i) {
    ks.db(i).table().forEach([&](Entry* e) {
      std::string v = std::to_string(static_cast<int>(e->type())) + "|ttl=" + std::to_string(e->expireAt()) + "|";
      switch (e->type()) {
        case ValueType::String:
          v += e->stringValue();
          break;
        case ValueType::List: {
          auto* l = static_cast<engine::ListValue*>(e->object());
          l->forEachFrom(0, [&](std::string_view s) {
            v.append(s).append(",");
            return true;
          });
          break;
        }
        case ValueType::Set: {
          auto* s = static_cast<engine::SetValue*>(e->object());
          std::vector<std::string> m;
          s->forEach([&](std::string_view x) { m.emplace_back(x); });
          std::sort(m.begin(), m.end());
          v += std::string(s->encodingName()) + "|";
          for (auto& x : m) v += x + ",";
          break;
        }
        case ValueType::Hash: {
          auto* h = static_cast<engine::HashValue*>(e->object());
          std::vector<std::string> m;
          h->forEach([&](std::string_view f, std::string_view x) { m.push_back(std::string(f) + "=" + std::string(x)); });
          std::sort(m.begin(), m.end());
          v += std::string(h->encodingName()) + "|";
          for (auto& x : m) v += x + ",";
          break;
        }
        case ValueType::ZSet: {
          auto* z = static_cast<engine::ZSetValue*>(e->object());
          v += std::string(z->encodingName()) + "|";
          z->forEach([&](std::string_view m, double s) {
            char buf[40];
            std::snprintf(buf, sizeof(buf), "%.17g", s);
            v.append(m).append("=").append(buf).append(",");
          });
          break;
        }
      }
      out[std::to_string(i) + ":" + std::string(e->key())] = v;
    });
  }
  return out;
}

void fill(engine::Keyspace& ks) {
  engine::EncodingLimits lim;
  engine::Db& db0 = ks.db(0);
  db0.insert(Entry::makeString("small", "hello"));
  db0.insert(Entry::makeString("int", "12345"));
  db0.insert(Entry::makeString("negint", "-2147483648"));
  db0.insert(Entry::makeString("bigint", "9223372036854775807"));
  db0.insert(Entry::makeString("notint", "007"));
  db0.insert(Entry::makeString("empty", ""));
  db0.insert(Entry::makeString(std::string("bin\0\xff\r\nkey", 10), std::string("v\0\x01", 3)));
  std::string longText;
  for (int i = 0; i < 3000; ++i) longText += "lorem ipsum " + std::to_string(i % 13);
  db0.insert(Entry::makeString("long", longText));
  db0.insert(Entry::makeString("ttl", "x", kNow + 100000));
  db0.insert(Entry::makeString("expired", "x", kNow - 1));

  auto list = std::make_unique<engine::ListValue>();
  for (int i = 0; i < 3000; ++i) list->pushBack(i % 3 ? std::to_string(static_cast<int64_t>(i) * 1000003) : "elem-" + std::to_string(i));
  list->pushBack(std::string(20000, 'L'));
  db0.insert(Entry::makeObject("biglist", ValueType::List, std::move(list), kNow + 5000));
  auto small = std::make_unique<engine::ListValue>();
  for (const char* s : {"a", "-1", "0", "127", "128", "-4096", "4095", "-4097", "32767", "8388607", "-8388608",
                        "2147483647", "-2147483649", "9223372036854775807", "-9223372036854775808", "1.5"})
    small->pushBack(s);
  db0.insert(Entry::makeObject("smalllist", ValueType::List, std::move(small)));

  engine::Db& db3 = ks.db(3);
  auto iset = std::make_unique<engine::SetValue>();
  for (int64_t v : {1LL, -5LL, 70000LL, 5000000000LL}) iset->add(std::to_string(v), lim.setMaxIntsetEntries);
  db3.insert(Entry::makeObject("intset", ValueType::Set, std::move(iset)));
  auto iset16 = std::make_unique<engine::SetValue>();
  for (int v = 0; v < 100; ++v) iset16->add(std::to_string(v * 3), lim.setMaxIntsetEntries);
  db3.insert(Entry::makeObject("intset16", ValueType::Set, std::move(iset16)));
  auto hset = std::make_unique<engine::SetValue>();
  for (int v = 0; v < 1000; ++v) hset->add("m" + std::to_string(v), lim.setMaxIntsetEntries);
  db3.insert(Entry::makeObject("hashset", ValueType::Set, std::move(hset), kNow + 123456));

  auto lph = std::make_unique<engine::HashValue>();
  lph->set("f1", "v1", lim);
  lph->set("n", "42", lim);
  lph->set(std::string("\0k", 2), "", lim);
  db3.insert(Entry::makeObject("lphash", ValueType::Hash, std::move(lph)));
  auto bigh = std::make_unique<engine::HashValue>();
  for (int i = 0; i < 500; ++i) bigh->set("field" + std::to_string(i), std::to_string(i), lim);
  db3.insert(Entry::makeObject("bighash", ValueType::Hash, std::move(bigh)));

  engine::Db& db15 = ks.db(15);
  auto lpz = std::make_unique<engine::ZSetValue>();
  lpz->set("a", 1, lim);
  lpz->set("b", 2.5, lim);
  lpz->set("c", -0.1, lim);
  lpz->set("d", INFINITY, lim);
  lpz->set("e", -INFINITY, lim);
  lpz->set("f", 1e300, lim);
  lpz->set("g", 123456789012.0, lim);
  lpz->set("h", 0.1 + 0.2, lim);
  db15.insert(Entry::makeObject("lpzset", ValueType::ZSet, std::move(lpz)));
  auto bigz = std::make_unique<engine::ZSetValue>();
  for (int i = 0; i < 300; ++i) bigz->set("member:" + std::to_string(i), i * 0.7 - 50, lim);
  bigz->set("inf", INFINITY, lim);
  db15.insert(Entry::makeObject("bigzset", ValueType::ZSet, std::move(bigz), kNow + 1));
}

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
