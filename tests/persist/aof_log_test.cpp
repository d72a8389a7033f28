// The writer and the loader on a real temporary directory: layout, rotation,
// fault injection (write/fsync errors and recovery) and the load rules.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "aof_test_support.h"
#include "erdtree/persist/aof_file_check.h"
#include "erdtree/persist/aof_groups.h"

using namespace erdtree::persist;
using namespace erdtree::persist::aoftest;
namespace fs = std::filesystem;

TEST(AofLog, FreshLogHasManifestAndFirstSegment) {
  TempDir d;
  AofWriter w;
  ASSERT_EQ(w.open(options(d, FsyncPolicy::Always), nullptr, 0, 0, false), "");
  put(w, 0, {"SET", "a", "1"});
  put(w, 2, {"DEL", "b"});
  EXPECT_EQ(w.flush(1000), AofWriter::FlushResult::Ok);
  EXPECT_EQ(slurp(d.file("appendonly.aof.manifest")), "file appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_EQ(slurp(d.file("appendonly.aof.1.incr.aof")),
            std::string(kGroupHeader) +
                group(rec({"SELECT", "0"}) + rec({"SET", "a", "1"}) + rec({"SELECT", "2"}) + rec({"DEL", "b"})));
  EXPECT_EQ(w.currentSize(), fs::file_size(d.file("appendonly.aof.1.incr.aof")));
  w.close();

  Recorder r;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", true, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
  EXPECT_EQ(r.lines, (std::vector<std::string>{"<file>", "SELECT 0", "SET a 1", "SELECT 2", "DEL b"}));
  EXPECT_EQ(res.records, 4u);
  EXPECT_TRUE(res.lastFileSealed);

  // Reopened: appends a group to the same segment, SELECT again first.
  AofWriter w2;
  ASSERT_EQ(w2.open(options(d), &res.manifest, res.totalSize, res.baseSize, res.lastFileSealed), "");
  put(w2, 2, {"SET", "c", "3"});
  w2.flush(2000);
  w2.close();
  EXPECT_EQ(slurp(d.file("appendonly.aof.1.incr.aof")).size(),
            res.totalSize + group(rec({"SELECT", "2"}) + rec({"SET", "c", "3"})).size());
  EXPECT_EQ(w2.manifest().incrs.size(), 1u);
}

TEST(AofLog, RotatesSegmentsAndReplaysThemInOrder) {
  TempDir d;
  AofWriter w;
  ASSERT_EQ(w.open(options(d, FsyncPolicy::Everysec, 1024), nullptr, 0, 0, false), "");
  int64_t now = 1000;
  for (int i = 0; i < 200; ++i) {
    std::string k = "key:" + std::to_string(i);
    put(w, i % 3, {"SET", k, "value-value-value"});
    if (i % 10 == 9) w.flush(now += 100, true);
  }
  w.flush(now += 100, true);
  EXPECT_GE(w.rotations(), 5u);
  w.close();
  Recorder r;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", false, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
  EXPECT_EQ(res.manifest.incrs.size(), w.rotations() + 1);
  for (size_t i = 0; i < res.manifest.incrs.size(); ++i) {
    EXPECT_EQ(res.manifest.incrs[i].name, aofIncrName("appendonly.aof", static_cast<int64_t>(i + 1)));
    // Each segment opens with the header; its first group covers from there.
    const std::string data = slurp(d.file(res.manifest.incrs[i].name));
    EXPECT_TRUE(data.starts_with(kGroupHeader));
    const AofFileCheck check = checkAofFile(data);
    EXPECT_EQ(check.problem, AofFileCheck::Problem::None) << check.what;
    EXPECT_TRUE(check.sealed);
  }
  EXPECT_EQ(res.totalSize, w.currentSize());
  // Every key once, in order, each file starting with a SELECT.
  int next = 0;
  for (size_t i = 0; i < r.lines.size(); ++i) {
    if (r.lines[i] == "<file>") {
      if (i + 1 == r.lines.size() || r.lines[i + 1] == "<file>") continue;  // a segment just started, still empty
      EXPECT_TRUE(r.lines[i + 1].starts_with("SELECT ")) << r.lines[i + 1];
      continue;
    }
    if (r.lines[i].starts_with("SET ")) {
      EXPECT_EQ(r.lines[i], "SET key:" + std::to_string(next) + " value-value-value");
      // The db selected before it is the one it was written in.
      for (size_t j = i; j-- > 0;)
        if (r.lines[j].starts_with("SELECT ")) {
          EXPECT_EQ(r.lines[j], "SELECT " + std::to_string(next % 3));
          break;
        }
      ++next;
    }
  }
  EXPECT_EQ(next, 200);
}

TEST(AofLog, WriteErrorsAreReportedRetriedAndRecovered) {
  TempDir d;
  AofWriter w;
  ASSERT_EQ(w.open(options(d, FsyncPolicy::No), nullptr, 0, 0, false), "");
  put(w, 0, {"SET", "a", "1"});
  w.setFaultHook([](AofWriter::FileOp op) { return op == AofWriter::FileOp::Write ? ENOSPC : 0; });
  EXPECT_EQ(w.flush(1000), AofWriter::FlushResult::Error);
  EXPECT_FALSE(w.healthy());
  EXPECT_EQ(w.lastErrno(), ENOSPC);
  EXPECT_GT(w.bufferLength(), 0u);
  put(w, 0, {"SET", "b", "2"});
  EXPECT_EQ(w.flush(1100), AofWriter::FlushResult::Error);  // retried, still failing
  w.setFaultHook(nullptr);
  EXPECT_EQ(w.flush(1200), AofWriter::FlushResult::Ok);
  EXPECT_TRUE(w.healthy());
  EXPECT_EQ(w.bufferLength(), 0u);
  w.close();
  // The failed flush sealed its group; the record appended meanwhile is a
  // group of its own, both written by the retry.
  EXPECT_EQ(slurp(d.file("appendonly.aof.1.incr.aof")), std::string(kGroupHeader) +
                                                            group(rec({"SELECT", "0"}) + rec({"SET", "a", "1"})) +
                                                            group(rec({"SET", "b", "2"})));
}

TEST(AofLog, BackgroundFsyncErrorsAreReportedAndRecovered) {
  TempDir d;
  AofWriter w;
  ASSERT_EQ(w.open(options(d, FsyncPolicy::Everysec), nullptr, 0, 0, false), "");
  w.setFaultHook([](AofWriter::FileOp op) { return op == AofWriter::FileOp::Fsync ? EIO : 0; });
  put(w, 0, {"SET", "a", "1"});
  w.flush(5000);  // written; fsync handed to the background thread
  auto settle = [&] {
    for (int i = 0; i < 500 && w.pendingBackgroundJobs() > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  };
  settle();
  EXPECT_FALSE(w.backgroundFsyncOk());
  EXPECT_EQ(w.lastErrno(), EIO);
  w.setFaultHook(nullptr);
  w.flush(5500);  // less than a second later: no new fsync yet
  settle();
  EXPECT_FALSE(w.healthy());
  w.flush(6100);  // retried although nothing new was written
  settle();
  EXPECT_TRUE(w.healthy());
  w.close();
}

TEST(AofLog, TruncatedTailIsCutOffWhenAllowed) {
  TempDir d;
  std::string good = rec({"SELECT", "0"}) + rec({"SET", "a", "1"});
  std::string half = rec({"SET", "b", "2"}).substr(0, 9);
  spit(d.file("appendonly.aof.manifest"),
       "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
  spit(d.file("appendonly.aof.1.base.aof"), rec({"SET", "base", "x"}));
  spit(d.file("appendonly.aof.1.incr.aof"), good + half);
  {
    Recorder r;
    AofLoadResult res = loadAof(d.str(), "appendonly.aof", false, r);
    EXPECT_EQ(res.status, AofLoadResult::Status::Error);
    EXPECT_NE(res.error.find("appendonly.aof.1.incr.aof"), std::string::npos) << res.error;
    EXPECT_NE(res.error.find("aof-load-truncated"), std::string::npos) << res.error;
    EXPECT_EQ(fs::file_size(d.file("appendonly.aof.1.incr.aof")), good.size() + half.size()) << "untouched";
  }
  Recorder r;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", true, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
  EXPECT_TRUE(res.truncated);
  EXPECT_EQ(r.lines, (std::vector<std::string>{"<file>", "SET base x", "<file>", "SELECT 0", "SET a 1"}));
  EXPECT_EQ(slurp(d.file("appendonly.aof.1.incr.aof")), good);
  EXPECT_EQ(res.baseSize, rec({"SET", "base", "x"}).size());
  EXPECT_EQ(res.totalSize, res.baseSize + good.size());
}

TEST(AofLog, UnfinishedMultiAtTheEndIsRevertedWhenAllowed) {
  TempDir d;
  std::string good = rec({"SELECT", "0"}) + rec({"SET", "a", "1"});
  spit(d.file("appendonly.aof.manifest"), "file appendonly.aof.1.incr.aof seq 1 type i\n");
  spit(d.file("appendonly.aof.1.incr.aof"), good + rec({"MULTI"}) + rec({"INCR", "n"}));
  Recorder r;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", true, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
  EXPECT_EQ(r.lines, (std::vector<std::string>{"<file>", "SELECT 0", "SET a 1"})) << "the MULTI is not replayed";
  EXPECT_EQ(slurp(d.file("appendonly.aof.1.incr.aof")), good);
}

TEST(AofLog, CorruptionAndShortNonLastFilesRefuseWithFileAndOffset) {
  TempDir d;
  std::string good = rec({"SELECT", "0"}) + rec({"SET", "a", "1"});
  spit(d.file("appendonly.aof.manifest"),
       "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
  spit(d.file("appendonly.aof.1.incr.aof"), good + "xx" + good);
  spit(d.file("appendonly.aof.2.incr.aof"), good);
  Recorder r;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", true, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Error);
  EXPECT_NE(res.error.find("appendonly.aof.1.incr.aof at offset " + std::to_string(good.size())), std::string::npos)
      << res.error;
  // A short record in a file that is not the last is corruption too.
  spit(d.file("appendonly.aof.1.incr.aof"), good + good.substr(0, 5));
  res = loadAof(d.str(), "appendonly.aof", true, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Error);
  EXPECT_NE(res.error.find("appendonly.aof.1.incr.aof"), std::string::npos) << res.error;
  // A record the sink refuses.
  spit(d.file("appendonly.aof.1.incr.aof"), good);
  r.failOn = "SET a 1";
  res = loadAof(d.str(), "appendonly.aof", true, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Error);
  EXPECT_NE(res.error.find("offset " + std::to_string(rec({"SELECT", "0"}).size())), std::string::npos) << res.error;
}

TEST(AofLog, ManifestProblems) {
  TempDir d;
  Recorder r;
  // Nothing at all (even no directory): a fresh start.
  EXPECT_EQ(loadAof(d.file("missing"), "appendonly.aof", true, r).status, AofLoadResult::Status::NoLog);
  EXPECT_EQ(loadAof(d.str(), "appendonly.aof", true, r).status, AofLoadResult::Status::NoLog);
  // Segments without a manifest.
  spit(d.file("appendonly.aof.1.incr.aof"), rec({"SET", "a", "1"}));
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", true, r);
  EXPECT_EQ(res.status, AofLoadResult::Status::Error);
  EXPECT_NE(res.error.find("no manifest"), std::string::npos) << res.error;
  // A listed file that is missing.
  spit(d.file("appendonly.aof.manifest"),
       "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
  res = loadAof(d.str(), "appendonly.aof", true, r);
  EXPECT_EQ(res.status, AofLoadResult::Status::Error);
  EXPECT_NE(res.error.find("appendonly.aof.2.incr.aof"), std::string::npos) << res.error;
  // A manifest that does not parse.
  spit(d.file("appendonly.aof.manifest"), "file appendonly.aof.1.incr.aof seq 1 type q\n");
  res = loadAof(d.str(), "appendonly.aof", true, r);
  EXPECT_EQ(res.status, AofLoadResult::Status::Error);
  EXPECT_NE(res.error.find("appendonly.aof.manifest"), std::string::npos) << res.error;
}

// A rewrite switches to a new segment first, then installs the child's file
// as the next base; the old files go only after the new manifest is stored.
TEST(AofLog, RewriteInstallsNewBaseAndDropsOldFiles) {
  TempDir d;
  AofWriter w;
  ASSERT_EQ(w.open(options(d, FsyncPolicy::Always), nullptr, 0, 0, false), "");
  put(w, 0, {"SET", "a", "1"});  // still buffered: beginRewrite must write it to the old segment
  int64_t firstKept = 0;
  ASSERT_EQ(w.beginRewrite(1000, firstKept), "");
  EXPECT_EQ(firstKept, 2);
  EXPECT_EQ(slurp(d.file("appendonly.aof.1.incr.aof")), std::string(kGroupHeader) + group(rec({"SELECT", "0"}) + rec({"SET", "a", "1"})));
  put(w, 0, {"SET", "b", "2"});  // after the fork: the new segment
  w.flush(1100);
  EXPECT_EQ(slurp(d.file("appendonly.aof.manifest")),
            "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");

  const std::string temp = d.file("temp-rewriteaof-bg-1.aof");
  spit(temp, rec({"SELECT", "0"}) + rec({"SET", "a", "1"}));
  ASSERT_EQ(w.finishRewrite(temp, false, firstKept), "");
  EXPECT_EQ(slurp(d.file("appendonly.aof.manifest")),
            "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(w.baseSize(), fs::file_size(d.file("appendonly.aof.1.base.aof")));
  EXPECT_EQ(w.currentSize(), w.baseSize() + fs::file_size(d.file("appendonly.aof.2.incr.aof")));
  w.close();  // drains the background removal of the old segment
  EXPECT_FALSE(fs::exists(d.file("appendonly.aof.1.incr.aof")));

  Recorder r;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", false, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
  EXPECT_EQ(r.lines,
            (std::vector<std::string>{"<file>", "SELECT 0", "SET a 1", "<file>", "SELECT 0", "SET b 2"}));

  // A second rewrite: base seq 2 (an RDB base this time), incr seq 3.
  AofWriter w2;
  ASSERT_EQ(w2.open(options(d, FsyncPolicy::Everysec), &res.manifest, res.totalSize, res.baseSize, res.lastFileSealed), "");
  ASSERT_EQ(w2.beginRewrite(2000, firstKept), "");
  EXPECT_EQ(firstKept, 3);
  spit(temp, "REDIS0010-not-really");
  ASSERT_EQ(w2.finishRewrite(temp, true, firstKept), "");
  w2.close();
  EXPECT_EQ(slurp(d.file("appendonly.aof.manifest")),
            "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n");
  EXPECT_FALSE(fs::exists(d.file("appendonly.aof.1.base.aof")));
  EXPECT_FALSE(fs::exists(d.file("appendonly.aof.2.incr.aof")));
  Recorder r2;
  res = loadAof(d.str(), "appendonly.aof", false, r2);
  ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
  EXPECT_EQ(r2.lines, (std::vector<std::string>{"<file>", "<rdb 20>", "<file>"}));
}

// Turning the log on at run time: records go to the unlisted temp incr until
// the first rewrite makes it the segment after the new base.
TEST(AofLog, EnablingWritesTempIncrUntilTheFirstRewrite) {
  TempDir d;
  // An older log in the directory: replaced whole by the first rewrite.
  AofManifest old;
  old.incrs.push_back({aofIncrName("appendonly.aof", 4), 4, AofFileType::Incr});
  spit(d.file(old.incrs[0].name), rec({"SET", "stale", "1"}));
  ASSERT_EQ(storeManifest(d.str(), "appendonly.aof", old), "");

  AofWriter w;
  ASSERT_EQ(w.openForEnable(options(d, FsyncPolicy::Always), old), "");
  EXPECT_TRUE(w.enabling());
  EXPECT_EQ(w.currentSegment(), "temp-appendonly.aof.incr");
  int64_t firstKept = 0;
  ASSERT_EQ(w.beginRewrite(1000, firstKept), "");
  put(w, 1, {"SET", "new", "2"});
  w.flush(1000);
  w.flush(1000);  // no rotation while enabling, whatever the size
  EXPECT_EQ(slurp(w.tempIncrPath()), std::string(kGroupHeader) + group(rec({"SELECT", "1"}) + rec({"SET", "new", "2"})));
  EXPECT_EQ(slurp(d.file("appendonly.aof.manifest")), old.format());  // untouched until the base exists

  const std::string temp = d.file("temp-rewriteaof-bg-7.aof");
  spit(temp, rec({"SELECT", "0"}) + rec({"SET", "snap", "0"}));
  ASSERT_EQ(w.finishRewrite(temp, false, firstKept), "");
  EXPECT_FALSE(w.enabling());
  put(w, 1, {"SET", "after", "3"});
  w.close();
  EXPECT_EQ(slurp(d.file("appendonly.aof.manifest")),
            "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.5.incr.aof seq 5 type i\n");
  EXPECT_FALSE(fs::exists(d.file(old.incrs[0].name)));
  EXPECT_FALSE(fs::exists(d.file("temp-appendonly.aof.incr")));
  Recorder r;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", false, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
  EXPECT_EQ(r.lines, (std::vector<std::string>{"<file>", "SELECT 0", "SET snap 0", "<file>", "SELECT 1", "SET new 2",
                                               "SET after 3"}));
}

TEST(AofLog, ManifestAfterRewriteKeepsOnlyLaterIncrs) {
  AofManifest cur;
  cur.base = AofFileInfo{"p.1.base.rdb", 1, AofFileType::Base};
  cur.history.push_back({"p.0.base.aof", 0, AofFileType::History});
  for (int64_t s = 3; s <= 5; ++s) cur.incrs.push_back({aofIncrName("p", s), s, AofFileType::Incr});
  std::vector<std::string> obsolete;
  AofManifest next = manifestAfterRewrite(cur, {"p.2.base.rdb", 2, AofFileType::Base}, 5, obsolete);
  EXPECT_EQ(next.format(), "file p.2.base.rdb seq 2 type b\nfile p.5.incr.aof seq 5 type i\n");
  EXPECT_EQ(obsolete, (std::vector<std::string>{"p.1.base.rdb", "p.0.base.aof", "p.3.incr.aof", "p.4.incr.aof"}));
  obsolete.clear();
  next = manifestAfterRewrite(cur, {"p.2.base.rdb", 2, AofFileType::Base}, INT64_MAX, obsolete);
  EXPECT_TRUE(next.incrs.empty());
  EXPECT_EQ(obsolete.size(), 5u);
}
