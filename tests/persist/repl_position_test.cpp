// The replication position a saved data set carries (repl_position.h): the
// RDB aux fields in Redis's order, the `#RP:` log annotation (form, strict
// parsing, what a load makes of a sequence of them), and the writer putting
// it inside each checksummed group so the file checker and loader accept it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aof_test_support.h"
#include "erdtree/persist/aof_file_check.h"
#include "erdtree/persist/aof_groups.h"
#include "erdtree/persist/aof_rewrite.h"
#include "erdtree/persist/rdb_loader.h"
#include "erdtree/persist/rdb_writer.h"
#include "erdtree/persist/repl_position.h"

using namespace erdtree;
using namespace erdtree::persist;
using namespace erdtree::persist::aoftest;

namespace {

const std::string kId = "0123456789abcdef0123456789abcdef01234567";

std::string line(const ReplPosition& p) {
  std::string out;
  appendPositionAnnotation(out, p);
  return out;
}

std::vector<std::string> auxNames(const LoadResult& r) {
  std::vector<std::string> names;
  for (const auto& [k, v] : r.aux) names.push_back(k);
  return names;
}

}  // namespace

TEST(ReplPositionRdb, AuxFieldsInRedisOrderAndBack) {
  engine::Keyspace ks(16);
  SaveOptions so;
  so.nowMs = 1700000000000;
  so.repl = {kId, 123456789012, 3};
  const std::string file = dumpRdb(ks, so);
  engine::Keyspace back(16);
  LoadResult r = loadRdb(file, back, LoadOptions{});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(auxNames(r), (std::vector<std::string>{"redis-ver", "redis-bits", "ctime", "used-mem", "repl-stream-db",
                                                   "repl-id", "repl-offset", "aof-base"}));
  ReplPosition p;
  ASSERT_TRUE(positionFromAux(r.aux, p));
  EXPECT_EQ(p.replid, kId);
  EXPECT_EQ(p.offset, 123456789012);
  EXPECT_EQ(p.streamDb, 3);
}

TEST(ReplPositionRdb, NoPositionNoFields) {
  engine::Keyspace ks(16);
  SaveOptions so;
  so.nowMs = 1700000000000;
  const std::string file = dumpRdb(ks, so);
  engine::Keyspace back(16);
  LoadResult r = loadRdb(file, back, LoadOptions{});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(auxNames(r), (std::vector<std::string>{"redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"}));
  ReplPosition p;
  EXPECT_FALSE(positionFromAux(r.aux, p));
}

TEST(ReplPositionRdb, IncompleteOrBadAuxIsNoPosition) {
  using Aux = std::vector<std::pair<std::string, std::string>>;
  ReplPosition p;
  EXPECT_TRUE(positionFromAux(Aux{{"repl-stream-db", "0"}, {"repl-id", kId}, {"repl-offset", "0"}}, p));
  EXPECT_EQ(p.offset, 0);
  EXPECT_FALSE(positionFromAux(Aux{{"repl-id", kId}, {"repl-offset", "10"}}, p));  // no stream db
  EXPECT_FALSE(positionFromAux(Aux{{"repl-stream-db", "-1"}, {"repl-id", kId}, {"repl-offset", "10"}}, p));
  EXPECT_FALSE(positionFromAux(Aux{{"repl-stream-db", "0"}, {"repl-id", "abc"}, {"repl-offset", "10"}}, p));
  EXPECT_FALSE(positionFromAux(Aux{{"repl-stream-db", "0"}, {"repl-id", kId}, {"repl-offset", "-1"}}, p));
  EXPECT_FALSE(positionFromAux(Aux{{"repl-stream-db", "0"}, {"repl-id", kId}, {"repl-offset", "1x"}}, p));
}

TEST(ReplPositionAnnotation, FormAndParse) {
  EXPECT_EQ(line({kId, 42, 0}), "#RP:" + kId + ":42:0\r\n");
  ReplPosition p;
  ASSERT_EQ(parsePositionAnnotation(line({kId, 9000000000, 15}), p), PositionLine::Position);
  EXPECT_EQ(p.replid, kId);
  EXPECT_EQ(p.offset, 9000000000);
  EXPECT_EQ(p.streamDb, 15);
  EXPECT_EQ(parsePositionAnnotation("#RP:reset\r\n", p), PositionLine::Reset);
  EXPECT_EQ(parsePositionAnnotation("#EC:0000000000000000:0\r\n", p), PositionLine::NotPosition);
  EXPECT_EQ(parsePositionAnnotation("#TS:1700000000\r\n", p), PositionLine::NotPosition);
  for (const std::string& bad : std::vector<std::string>{"#RP:\r\n", "#RP:" + kId + "\r\n", "#RP:" + kId + ":12\r\n", "#RP:" + kId + ":-1:0\r\n",
                          "#RP:" + kId + ":01:0\r\n", "#RP:" + kId + ":1:x\r\n", "#RP:" + kId.substr(1) + "g:1:0\r\n",
                          "#RP:" + kId + ":1:0:9\r\n"})
    EXPECT_EQ(parsePositionAnnotation(bad, p), PositionLine::Malformed) << bad;
}

TEST(ReplPositionTracker, LastPositionHoldsUntilARecordFollows) {
  PositionTracker t;
  ReplPosition p;
  EXPECT_FALSE(t.current(p));
  t.record();
  t.annotation(line({kId, 10, 0}));
  ASSERT_TRUE(t.current(p));
  EXPECT_EQ(p.offset, 10);
  t.record();  // data the position does not describe
  EXPECT_FALSE(t.current(p));
  t.annotation("#EC:0000000000000000:0\r\n");
  t.annotation(line({kId, 25, 1}));
  ASSERT_TRUE(t.current(p));
  EXPECT_EQ(p.offset, 25);
  EXPECT_EQ(p.streamDb, 1);
}

TEST(ReplPositionTracker, BaseSetsOrClearsAndResetIsSticky) {
  PositionTracker t;
  ReplPosition p;
  const ReplPosition base{kId, 7, 2};
  t.base(&base);
  ASSERT_TRUE(t.current(p));
  EXPECT_EQ(p.offset, 7);
  t.base(nullptr);
  EXPECT_FALSE(t.current(p));
  t.annotation(line({kId, 8, 0}));
  t.annotation("#RP:reset\r\n");
  t.annotation(line({kId, 9, 0}));
  EXPECT_FALSE(t.current(p));
  EXPECT_TRUE(t.sawReset());
}

// The writer puts the line last in each group, inside the checksum; the
// file checker verifies it and the loader hands it over in order.
TEST(ReplPositionLog, WriterNotesEachGroupAndLoaderSeesThem) {
  TempDir d;
  AofWriter w;
  ASSERT_EQ(w.open(options(d, FsyncPolicy::Always), nullptr, 0, 0, false), "");
  int64_t offset = 100;
  w.setGroupNote([&](std::string& out) { appendPositionAnnotation(out, {kId, offset, 0}); });
  put(w, 0, {"SET", "a", "1"});
  w.flush(1000);
  offset = 150;
  w.flush(1001);  // nothing pending: no group
  put(w, 0, {"SET", "b", "2"});
  w.flush(1002);
  offset = 170;
  w.appendNote(line({kId, 170, 0}));  // a position-only group (shutdown)
  w.flush(1003);
  w.close();
  const std::string data = slurp(d.file("appendonly.aof.1.incr.aof"));
  const std::string note170 = line({kId, 170, 0});
  EXPECT_EQ(data, std::string(kGroupHeader) + group(rec({"SELECT", "0"}) + rec({"SET", "a", "1"}) + line({kId, 100, 0})) +
                      group(rec({"SET", "b", "2"}) + line({kId, 150, 0})) + group(note170 + note170));
  const AofFileCheck c = checkAofFile(data);
  EXPECT_EQ(c.problem, AofFileCheck::Problem::None);
  EXPECT_EQ(c.validEnd, data.size());
  EXPECT_EQ(c.groups, 4u);

  struct Sink final : AofLoadSink {
    void beginFile() override {}
    std::string apply(std::span<const std::string_view>) override {
      tracker.record();
      return "";
    }
    std::string loadRdbBase(std::string_view, uint64_t&) override { return ""; }
    void annotation(std::string_view l) override { tracker.annotation(l); }
    PositionTracker tracker;
  } sink;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", false, sink);
  ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
  ReplPosition p;
  ASSERT_TRUE(sink.tracker.current(p));
  EXPECT_EQ(p.offset, 170);
}

// A torn last group takes its position with it: the position loaded is the
// one of the records loaded.
TEST(ReplPositionLog, TornGroupKeepsThePreviousPosition) {
  std::string data = std::string(kGroupHeader) + group(rec({"SET", "a", "1"}) + line({kId, 31, 0}));
  const std::string torn = group(rec({"SET", "b", "2"}) + line({kId, 62, 0}));
  data += torn.substr(0, torn.size() - 5);
  const AofFileCheck c = checkAofFile(data);
  ASSERT_EQ(c.problem, AofFileCheck::Problem::TornTail);
  PositionTracker t;
  RecordReader reader(std::string_view(data).substr(0, c.validEnd));
  for (ReadStatus rs; (rs = reader.next()) != ReadStatus::End;) {
    if (rs == ReadStatus::Annotation) t.annotation(reader.annotation());
    else t.record();
  }
  ReplPosition p;
  ASSERT_TRUE(t.current(p));
  EXPECT_EQ(p.offset, 31);
}

// A RESP base (aof-use-rdb-preamble no) ends with the position of its fork.
TEST(ReplPositionLog, RespBaseEndsWithItsPosition) {
  TempDir d;
  engine::Keyspace ks(16);
  RewriteOptions o;
  o.nowMs = 1700000000000;
  o.repl = {kId, 4242, 5};
  const std::string path = d.file("base.aof");
  ASSERT_EQ(writeAofBaseFile(path, ks, o), "");
  const std::string data = slurp(path);
  EXPECT_EQ(data, line({kId, 4242, 5}));  // an empty keyspace: only the line
  const AofFileCheck c = checkAofFile(data);
  EXPECT_EQ(c.problem, AofFileCheck::Problem::None);
  PositionTracker t;
  t.annotation(data);
  ReplPosition p;
  ASSERT_TRUE(t.current(p));
  EXPECT_EQ(p.streamDb, 5);
}
