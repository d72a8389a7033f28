// The AOF rewrite's RESP base writer: exact commands for small values,
// batching at 64 items, chunked output, a replay of the base through the
// real Dispatcher (as start-up loads a base) giving the same keyspace back,
// and the file writer's errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../command/command_test_support.h"
#include "erdtree/engine/hash_value.h"
#include "erdtree/engine/keyspace.h"
#include "erdtree/engine/list_value.h"
#include "erdtree/engine/set_value.h"
#include "erdtree/engine/zset_value.h"
#include "erdtree/persist/aof_format.h"
#include "erdtree/persist/aof_manifest.h"
#include "erdtree/persist/aof_rewrite.h"
#include "keyspace_fixture.h"

using namespace erdtree;
using namespace erdtree::persist;
using engine::Entry;
using engine::ValueType;
using erdtree::testing::kNow;
using erdtree::testing::snapshot;
namespace fs = std::filesystem;

namespace {

using Record = std::vector<std::string>;

struct Dump {
  std::string bytes;
  std::vector<size_t> chunkSizes;
  RewriteStats stats;
  bool ok = false;
};

Dump dump(engine::Keyspace& ks, int64_t nowMs = kNow) {
  Dump d;
  RewriteOptions opts;
  opts.nowMs = nowMs;
  d.ok = writeAofCommands(ks, opts, [&](std::string_view chunk) {
    d.bytes.append(chunk);
    d.chunkSizes.push_back(chunk.size());
    return true;
  }, &d.stats);
  return d;
}

// Every record of data; the data must end exactly after the last one.
std::vector<Record> parse(std::string_view data) {
  std::vector<Record> out;
  RecordReader r(data);
  for (;;) {
    ReadStatus st = r.next();
    if (st == ReadStatus::End) break;
    EXPECT_EQ(st, ReadStatus::Record) << "at " << r.offset() << ": " << r.error();
    if (st != ReadStatus::Record) break;
    out.emplace_back(r.args().begin(), r.args().end());
  }
  return out;
}

// How many items a collection command carries (1 or 2 arguments each).
size_t itemsOf(const Record& rec) {
  const size_t per = rec[0] == "ZADD" || rec[0] == "HSET" ? 2 : 1;
  EXPECT_EQ((rec.size() - 2) % per, 0u) << rec[0] << " " << rec[1];
  return (rec.size() - 2) / per;
}

// Checks that every key's collection commands are full batches of 64 but the
// last (1..64 items). Returns the number of commands per "db:key".
std::map<std::string, size_t> checkBatches(const std::vector<Record>& recs) {
  std::map<std::string, size_t> commands;
  std::map<std::string, size_t> lastItems;  // items of the key's previous command
  std::string db = "?";
  for (const Record& rec : recs) {
    if (rec[0] == "SELECT") {
      db = rec[1];
      continue;
    }
    if (rec[0] == "SET" || rec[0] == "PEXPIREAT") continue;
    const std::string key = db + ":" + rec[1];
    const size_t n = itemsOf(rec);
    EXPECT_GE(n, 1u) << key;
    EXPECT_LE(n, kRewriteItemsPerCommand) << key;
    if (commands[key]++ > 0) {
      EXPECT_EQ(lastItems[key], kRewriteItemsPerCommand) << key << ": a short batch before the last";
    }
    lastItems[key] = n;
  }
  return commands;
}

size_t batchesFor(size_t items) { return (items + kRewriteItemsPerCommand - 1) / kRewriteItemsPerCommand; }

std::string rec(std::vector<std::string_view> args) {
  std::string out;
  appendRecord(out, args);
  return out;
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("erdtree-rewrite-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// Collections of n items each, in the large or small encodings by n.
void addCollections(engine::Db& db, const std::string& suffix, size_t n, int64_t expireAt = engine::kNoExpire) {
  engine::EncodingLimits lim;
  auto list = std::make_unique<engine::ListValue>();
  auto set = std::make_unique<engine::SetValue>();
  auto iset = std::make_unique<engine::SetValue>();
  auto hash = std::make_unique<engine::HashValue>();
  auto zset = std::make_unique<engine::ZSetValue>();
  for (size_t i = 0; i < n; ++i) {
    const std::string s = std::to_string(i);
    list->pushBack("e" + s);
    set->add("m" + s, lim.setMaxIntsetEntries);
    iset->add(s, lim.setMaxIntsetEntries);
    hash->set("f" + s, "v" + s, lim);
    zset->set("z" + s, static_cast<double>(i) / 3, lim);
  }
  db.insert(Entry::makeObject("list" + suffix, ValueType::List, std::move(list), expireAt));
  db.insert(Entry::makeObject("set" + suffix, ValueType::Set, std::move(set), expireAt));
  db.insert(Entry::makeObject("iset" + suffix, ValueType::Set, std::move(iset), expireAt));
  db.insert(Entry::makeObject("hash" + suffix, ValueType::Hash, std::move(hash), expireAt));
  db.insert(Entry::makeObject("zset" + suffix, ValueType::ZSet, std::move(zset), expireAt));
}

}  // namespace

TEST(AofRewrite, SmallValuesBecomeTheExactRedisCommands) {
  engine::Keyspace ks(16);
  engine::EncodingLimits lim;
  const std::string bin("b\0\r\n\xff", 5);
  ks.db(0).insert(Entry::makeString("str", bin, kNow + 5000));
  auto list = std::make_unique<engine::ListValue>();
  for (const char* v : {"a", "", "c"}) list->pushBack(v);
  ks.db(1).insert(Entry::makeObject("l", ValueType::List, std::move(list)));
  auto set = std::make_unique<engine::SetValue>();
  for (const char* v : {"3", "-1", "2"}) set->add(v, lim.setMaxIntsetEntries);
  ks.db(2).insert(Entry::makeObject("s", ValueType::Set, std::move(set)));
  auto hash = std::make_unique<engine::HashValue>();
  hash->set("f1", "v1", lim);
  hash->set(std::string("\0f", 2), "", lim);
  ks.db(3).insert(Entry::makeObject("h", ValueType::Hash, std::move(hash), kNow + 1));
  auto zset = std::make_unique<engine::ZSetValue>();
  zset->set("a", 1.5, lim);
  zset->set("b", -INFINITY, lim);
  zset->set("c", INFINITY, lim);
  zset->set("d", 0.1, lim);
  zset->set("e", -3, lim);
  ks.db(4).insert(Entry::makeObject("z", ValueType::ZSet, std::move(zset)));
  ks.db(5).insert(Entry::makeString("gone", "x", kNow));  // expired at nowMs: no SELECT 5 either
  ks.db(6).insert(Entry::makeString("gone", "x", kNow - 1));

  Dump d = dump(ks);
  ASSERT_TRUE(d.ok);
  const std::string want =
      rec({"SELECT", "0"}) + rec({"SET", "str", bin}) + rec({"PEXPIREAT", "str", "1700000005000"}) +
      rec({"SELECT", "1"}) + rec({"RPUSH", "l", "a", "", "c"}) +
      rec({"SELECT", "2"}) + rec({"SADD", "s", "-1", "2", "3"}) +
      rec({"SELECT", "3"}) + rec({"HSET", "h", "f1", "v1", std::string_view("\0f", 2), ""}) +
      rec({"PEXPIREAT", "h", "1700000000001"}) +
      rec({"SELECT", "4"}) + rec({"ZADD", "z", "-inf", "b", "-3", "e", "0.10000000000000001", "d", "1.5", "a", "inf", "c"});
  EXPECT_EQ(d.bytes, want);
  // The framing itself, spelled out once.
  const std::string head = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nstr\r\n$5\r\n";
  EXPECT_EQ(d.bytes.substr(0, head.size()), head);
  EXPECT_EQ(d.stats.keys, 5u);
  EXPECT_EQ(d.stats.bytes, d.bytes.size());
}

TEST(AofRewrite, EmptyOrAllExpiredKeyspaceWritesNothing) {
  engine::Keyspace ks(16);
  Dump d = dump(ks);
  EXPECT_TRUE(d.ok);
  EXPECT_EQ(d.bytes, "");
  EXPECT_TRUE(d.chunkSizes.empty());
  ks.db(9).insert(Entry::makeString("k", "v", kNow - 10));
  d = dump(ks);
  EXPECT_TRUE(d.ok);
  EXPECT_EQ(d.bytes, "");
  EXPECT_EQ(d.stats.keys, 0u);
}

TEST(AofRewrite, CollectionsAreCutIntoCommandsOf64Items) {
  engine::Keyspace ks(16);
  const std::vector<size_t> sizes = {1, 63, 64, 65, 128, 129, 500, 700};
  for (size_t n : sizes) addCollections(ks.db(7), "-" + std::to_string(n), n, n == 65 ? kNow + 60000 : engine::kNoExpire);
  Dump d = dump(ks);
  ASSERT_TRUE(d.ok);
  std::vector<Record> recs = parse(d.bytes);
  std::map<std::string, size_t> commands = checkBatches(recs);
  for (size_t n : sizes) {
    for (const char* type : {"list", "set", "iset", "hash", "zset"}) {
      EXPECT_EQ(commands["7:" + std::string(type) + "-" + std::to_string(n)], batchesFor(n)) << type << " " << n;
    }
  }
  // One SELECT, and the PEXPIREATs come after the key's last batch.
  size_t selects = 0, expires = 0;
  for (size_t i = 0; i < recs.size(); ++i) {
    if (recs[i][0] == "SELECT") ++selects;
    if (recs[i][0] != "PEXPIREAT") continue;
    ++expires;
    EXPECT_EQ(recs[i][2], std::to_string(kNow + 60000));
    EXPECT_EQ(recs[i - 1][1], recs[i][1]);
    EXPECT_EQ(itemsOf(recs[i - 1]), 1u);  // 65 = 64 + 1
    if (i + 1 < recs.size()) {
      EXPECT_NE(recs[i + 1][1], recs[i][1]);
    }
  }
  EXPECT_EQ(selects, 1u);
  EXPECT_EQ(expires, 5u);
  EXPECT_EQ(d.stats.keys, sizes.size() * 5);
}

TEST(AofRewrite, ContentMatchesTheKeyspace) {
  engine::Keyspace ks(16);
  erdtree::testing::fill(ks);
  Dump d = dump(ks);
  ASSERT_TRUE(d.ok);
  std::vector<Record> recs = parse(d.bytes);
  checkBatches(recs);
  // Rebuild each key's content from the records alone, in the snapshot's
  // terms: element lists in order, members / fields sorted, TTLs.
  std::map<std::string, std::vector<std::string>> items;
  std::map<std::string, std::string> types, ttls;
  std::string db;
  for (const Record& r : recs) {
    if (r[0] == "SELECT") {
      db = r[1];
      continue;
    }
    const std::string key = db + ":" + r[1];
    if (r[0] == "PEXPIREAT") {
      ttls[key] = r[2];
      continue;
    }
    types[key] = r[0];
    if (r[0] == "SET") {
      items[key] = {r[2]};
      continue;
    }
    const size_t per = r[0] == "ZADD" || r[0] == "HSET" ? 2 : 1;
    for (size_t i = 2; i < r.size(); i += per) {
      if (per == 1) {
        items[key].push_back(r[i]);
      } else if (r[0] == "HSET") {
        items[key].push_back(r[i] + "=" + r[i + 1]);
      } else {
        auto score = util::parseDouble(r[i]);
        ASSERT_TRUE(score.has_value()) << r[i];
        char buf[util::kMaxDoubleChars];
        items[key].push_back(r[i + 1] + "=" + std::string(buf, util::formatDouble(*score, buf)));
      }
    }
  }
  size_t keys = 0;
  for (int i = 0; i < ks.count(); ++i) {
    ks.db(i).table().forEach([&](Entry* e) {
      const std::string key = std::to_string(i) + ":" + std::string(e->key());
      if (e->expiredAt(kNow)) {
        EXPECT_EQ(types.count(key), 0u) << key;
        return;
      }
      ++keys;
      EXPECT_EQ(ttls.count(key) ? ttls[key] : "none", e->hasExpire() ? std::to_string(e->expireAt()) : "none") << key;
      std::vector<std::string> want;
      switch (e->type()) {
        case ValueType::String:
          EXPECT_EQ(types[key], "SET");
          want = {std::string(e->stringValue())};
          break;
        case ValueType::List:
          EXPECT_EQ(types[key], "RPUSH");
          static_cast<engine::ListValue*>(e->object())->forEachFrom(0, [&](std::string_view v) {
            want.emplace_back(v);
            return true;
          });
          break;
        case ValueType::Set:
          EXPECT_EQ(types[key], "SADD");
          static_cast<engine::SetValue*>(e->object())->forEach([&](std::string_view m) { want.emplace_back(m); });
          break;
        case ValueType::Hash:
          EXPECT_EQ(types[key], "HSET");
          static_cast<engine::HashValue*>(e->object())->forEach([&](std::string_view f, std::string_view v) {
            want.push_back(std::string(f) + "=" + std::string(v));
          });
          break;
        case ValueType::ZSet:
          EXPECT_EQ(types[key], "ZADD");
          static_cast<engine::ZSetValue*>(e->object())->forEach([&](std::string_view m, double s) {
            char buf[util::kMaxDoubleChars];
            want.push_back(std::string(m) + "=" + std::string(buf, util::formatDouble(s, buf)));
          });
          break;
      }
      // The writer walks each value in its own order, so the records carry
      // the items in exactly that order.
      EXPECT_EQ(items[key], want) << key;
    });
  }
  EXPECT_EQ(types.size(), keys);
  EXPECT_EQ(d.stats.keys, keys);
}

TEST(AofRewrite, ReplayThroughTheDispatcherRebuildsTheKeyspace) {
  engine::Keyspace ks(16);
  erdtree::testing::fill(ks);
  addCollections(ks.db(7), "", 1000, kNow + 3600000);
  addCollections(ks.db(8), "-small", 5);
  Dump d = dump(ks);
  ASSERT_TRUE(d.ok);
  erdtree::testing::CommandHarness h;
  for (const Record& r : parse(d.bytes)) {
    const std::string reply = h.run(r, kNow);
    ASSERT_NE(reply.substr(0, 1), "-") << r[0] << " " << r[1] << ": " << reply;
  }
  auto want = snapshot(ks);
  want.erase("0:expired");
  EXPECT_EQ(snapshot(h.keyspace), want);  // values, encodings and TTLs
  EXPECT_EQ(d.stats.keys, want.size());
}

TEST(AofRewrite, MillionElementListIsBatchedAndStreamedInChunks) {
  engine::Keyspace ks(16);
  constexpr size_t kCount = 1'000'003;
  auto list = std::make_unique<engine::ListValue>();
  for (size_t i = 0; i < kCount; ++i) list->pushBack(std::to_string(i));
  ks.db(2).insert(Entry::makeObject("huge", ValueType::List, std::move(list), kNow + 1000));
  Dump d = dump(ks);
  ASSERT_TRUE(d.ok);
  for (size_t c : d.chunkSizes) EXPECT_LT(c, 80u * 1024) << "a chunk is about 64 KiB";
  EXPECT_GT(d.chunkSizes.size(), d.bytes.size() / (80 * 1024));
  std::vector<Record> recs = parse(d.bytes);
  ASSERT_EQ(recs.size(), 1 + batchesFor(kCount) + 1);
  EXPECT_EQ(recs.front(), (Record{"SELECT", "2"}));
  EXPECT_EQ(recs.back(), (Record{"PEXPIREAT", "huge", std::to_string(kNow + 1000)}));
  size_t next = 0;
  for (size_t i = 1; i + 1 < recs.size(); ++i) {
    const Record& r = recs[i];
    ASSERT_EQ(r[0], "RPUSH");
    ASSERT_EQ(r[1], "huge");
    ASSERT_EQ(r.size() - 2, i + 2 < recs.size() ? kRewriteItemsPerCommand : kCount % kRewriteItemsPerCommand);
    for (size_t j = 2; j < r.size(); ++j) ASSERT_EQ(r[j], std::to_string(next++));
  }
  EXPECT_EQ(next, kCount);
}

TEST(AofRewrite, LargeArgumentsAreHandedOverWithoutCopying) {
  engine::Keyspace ks(16);
  const std::string big(1 << 20, 'x');
  ks.db(0).insert(Entry::makeString("big", big));
  auto hash = std::make_unique<engine::HashValue>();
  engine::EncodingLimits lim;
  hash->set("f", std::string(200000, 'y'), lim);
  ks.db(0).insert(Entry::makeObject("h", ValueType::Hash, std::move(hash)));
  const char* stored = ks.db(0).table().find("big")->stringValue().data();
  bool direct = false;
  std::string bytes;
  RewriteOptions opts;
  opts.nowMs = kNow;
  ASSERT_TRUE(writeAofCommands(ks, opts, [&](std::string_view chunk) {
    direct = direct || chunk.data() == stored;
    bytes.append(chunk);
    return true;
  }));
  EXPECT_TRUE(direct);
  std::vector<Record> recs = parse(bytes);
  ASSERT_EQ(recs.size(), 3u);
  std::map<std::string, Record> byKey;
  for (const Record& r : recs) byKey[r[1]] = r;
  EXPECT_EQ(byKey["big"], (Record{"SET", "big", big}));
  EXPECT_EQ(byKey["h"], (Record{"HSET", "h", "f", std::string(200000, 'y')}));
}

TEST(AofRewrite, SinkRefusalStopsTheWrite) {
  engine::Keyspace ks(16);
  addCollections(ks.db(0), "", 5000);
  int calls = 0;
  RewriteStats stats;
  RewriteOptions opts;
  opts.nowMs = kNow;
  EXPECT_FALSE(writeAofCommands(ks, opts, [&](std::string_view chunk) { return ++calls < 2 && !chunk.empty(); }, &stats));
  EXPECT_EQ(calls, 2);
  EXPECT_GT(stats.bytes, 0u);
  EXPECT_LT(stats.bytes, 80u * 1024);
}

TEST(AofRewrite, BaseFileHoldsTheRecordsAndReplacesOldContent) {
  TempDir dir;
  const std::string path = dir.file("temp-rewriteaof-1.aof");
  std::ofstream(path, std::ios::binary) << std::string(1 << 20, 'z');  // longer than the new content
  engine::Keyspace ks(16);
  erdtree::testing::fill(ks);
  RewriteOptions opts;
  opts.nowMs = kNow;
  RewriteStats stats;
  ASSERT_EQ(writeAofBaseFile(path, ks, opts, &stats), "");
  std::string onDisk;
  ASSERT_EQ(readWholeFile(path, onDisk), "");
  Dump d = dump(ks);
  EXPECT_EQ(onDisk, d.bytes);
  EXPECT_EQ(stats.bytes, onDisk.size());
  EXPECT_EQ(stats.keys, d.stats.keys);
}

TEST(AofRewrite, BaseFileErrorsNameTheFileAndTheCause) {
  TempDir dir;
  engine::Keyspace ks(16);
  ks.db(0).insert(Entry::makeString("k", "v"));
  RewriteOptions opts;
  opts.nowMs = kNow;
  const std::string missing = dir.file("no-such-dir/temp-rewriteaof-1.aof");
  std::string err = writeAofBaseFile(missing, ks, opts);
  EXPECT_NE(err.find(missing), std::string::npos) << err;
  EXPECT_NE(err.find(std::strerror(ENOENT)), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(missing));
  if (::access("/dev/full", W_OK) == 0) {  // every write fails with ENOSPC
    err = writeAofBaseFile("/dev/full", ks, opts);
    EXPECT_NE(err.find("Write error"), std::string::npos) << err;
    EXPECT_NE(err.find(std::strerror(ENOSPC)), std::string::npos) << err;
  }
}
