// Checksummed groups through the writer and the loader on a real directory:
// a failed or partial write still leaves verified groups once retried; a torn
// tail after the last verified group is cut off (or refused with
// aof-load-truncated no); damage with an intact group after it refuses start-
// up and is never modified; a log without checksums gets a new segment.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <vector>

#include "aof_test_support.h"
#include "erdtree/persist/aof_file_check.h"

using namespace erdtree::persist;
using namespace erdtree::persist::aoftest;

namespace {

constexpr const char* kIncr1 = "appendonly.aof.1.incr.aof";

// Caps the size of files this process writes, so a write() comes back short
// (then fails with EFBIG): a real partial write, no hook needed.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_ = std::signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit r = saved_;
    r.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &r);
  }
  ~FileSizeLimit() { lift(); }
  void lift() {
    if (lifted_) return;
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_);
    lifted_ = true;
  }

 private:
  rlimit saved_{};
  void (*old_)(int) = nullptr;
  bool lifted_ = false;
};

// A log of one segment holding two groups (SET a, SET b), closed.
std::string writeTwoGroups(const TempDir& d) {
  AofWriter w;
  EXPECT_EQ(w.open(options(d), nullptr, 0, 0, false), "");
  put(w, 0, {"SET", "a", "1"});
  w.flush(1000);
  put(w, 0, {"SET", "b", "2"});
  w.flush(1001);
  w.close();
  return slurp(d.file(kIncr1));
}

}  // namespace

TEST(AofTorn, PartialWriteTakenBackIsRetriedAsWholeGroups) {
  TempDir d;
  AofWriter w;
  ASSERT_EQ(w.open(options(d), nullptr, 0, 0, false), "");
  put(w, 0, {"SET", "a", "1"});
  ASSERT_EQ(w.flush(1000), AofWriter::FlushResult::Ok);
  const size_t good = slurp(d.file(kIncr1)).size();
  {
    FileSizeLimit limit(good + 10);
    put(w, 0, {"SET", "b", "2"});
    EXPECT_EQ(w.flush(1100), AofWriter::FlushResult::Error);
    EXPECT_EQ(slurp(d.file(kIncr1)).size(), good) << "the partial group was truncated back";
    put(w, 0, {"SET", "c", "3"});
    EXPECT_EQ(w.flush(1200), AofWriter::FlushResult::Error);
  }
  EXPECT_EQ(w.flush(1300), AofWriter::FlushResult::Ok);
  w.close();
  const std::string data = slurp(d.file(kIncr1));
  EXPECT_EQ(data, std::string(kGroupHeader) + group(rec({"SELECT", "0"}) + rec({"SET", "a", "1"})) +
                      group(rec({"SET", "b", "2"})) + group(rec({"SET", "c", "3"})));
}

TEST(AofTorn, PartialWriteKeptWhenItCannotBeTakenBackStillVerifies) {
  TempDir d;
  AofWriter w;
  ASSERT_EQ(w.open(options(d), nullptr, 0, 0, false), "");
  put(w, 0, {"SET", "a", "1"});
  ASSERT_EQ(w.flush(1000), AofWriter::FlushResult::Ok);
  const size_t good = slurp(d.file(kIncr1)).size();
  w.setFaultHook([](AofWriter::FileOp op) { return op == AofWriter::FileOp::Truncate ? EIO : 0; });
  {
    FileSizeLimit limit(good + 10);
    put(w, 0, {"SET", "b", "2"});
    EXPECT_EQ(w.flush(1100), AofWriter::FlushResult::Error);
    const std::string torn = slurp(d.file(kIncr1));
    EXPECT_EQ(torn.size(), good + 10) << "10 bytes of the group stay in the file";
    // As a crash would leave it: a torn tail after the first group.
    AofFileCheck c = checkAofFile(torn);
    EXPECT_EQ(c.problem, AofFileCheck::Problem::TornTail);
    EXPECT_EQ(c.validEnd, good);
    put(w, 0, {"SET", "c", "3"});
    EXPECT_EQ(w.flush(1200), AofWriter::FlushResult::Error);
  }
  w.setFaultHook(nullptr);
  EXPECT_EQ(w.flush(1300), AofWriter::FlushResult::Ok);
  EXPECT_EQ(w.currentSize(), slurp(d.file(kIncr1)).size());
  w.close();
  // The retry finished the group the annotation was computed for.
  const std::string data = slurp(d.file(kIncr1));
  AofFileCheck c = checkAofFile(data);
  EXPECT_EQ(c.problem, AofFileCheck::Problem::None) << c.what;
  EXPECT_EQ(c.groups, 4u);
  EXPECT_EQ(c.records, 4u);
  EXPECT_EQ(data, std::string(kGroupHeader) + group(rec({"SELECT", "0"}) + rec({"SET", "a", "1"})) +
                      group(rec({"SET", "b", "2"})) + group(rec({"SET", "c", "3"})));
}

TEST(AofTorn, ZeroPaddingAfterTheLastGroupIsCutOffAndAppendingGoesOn) {
  TempDir d;
  const std::string good = writeTwoGroups(d);
  spit(d.file(kIncr1), good + std::string(4096, '\0'));
  {
    Recorder r;
    AofLoadResult res = loadAof(d.str(), "appendonly.aof", false, r);
    ASSERT_EQ(res.status, AofLoadResult::Status::Error);
    EXPECT_NE(res.error.find(std::string(kIncr1) + " at offset " + std::to_string(good.size())), std::string::npos)
        << res.error;
    EXPECT_NE(res.error.find("aof-load-truncated is no"), std::string::npos) << res.error;
    EXPECT_EQ(slurp(d.file(kIncr1)).size(), good.size() + 4096) << "untouched";
  }
  Recorder r;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", true, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
  EXPECT_TRUE(res.truncated);
  EXPECT_TRUE(res.lastFileSealed);
  EXPECT_EQ(r.lines, (std::vector<std::string>{"<file>", "SELECT 0", "SET a 1", "SET b 2"}));
  EXPECT_EQ(slurp(d.file(kIncr1)), good);
  EXPECT_EQ(res.totalSize, good.size());

  // The writer appends its groups right after the last good one.
  AofWriter w;
  ASSERT_EQ(w.open(options(d), &res.manifest, res.totalSize, res.baseSize, res.lastFileSealed), "");
  put(w, 0, {"SET", "c", "3"});
  w.flush(2000);
  w.close();
  EXPECT_EQ(slurp(d.file(kIncr1)), good + group(rec({"SELECT", "0"}) + rec({"SET", "c", "3"})));
}

TEST(AofTorn, GarbageOrAFailedLastGroupIsCutOff) {
  TempDir d;
  const std::string good = writeTwoGroups(d);
  const std::string third = group(rec({"SET", "c", "3"}));
  std::string failed = third;
  failed[9] = 'x';  // "SET" -> "SxT": parses, checksum fails
  for (const std::string& tail : {std::string("\xde\xad\xbe\xef garbage\r\n*1\r\n"), failed}) {
    spit(d.file(kIncr1), good + tail);
    Recorder r;
    AofLoadResult res = loadAof(d.str(), "appendonly.aof", true, r);
    ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
    EXPECT_TRUE(res.truncated);
    EXPECT_EQ(r.lines.back(), "SET b 2");
    EXPECT_EQ(slurp(d.file(kIncr1)), good);
  }
}

TEST(AofTorn, DamageBeforeAnIntactGroupRefusesAndIsNotModified) {
  TempDir d;
  std::string data = writeTwoGroups(d);
  const size_t group1 = kGroupHeader.size();
  data[data.find("SET\r\n$1\r\na") + 9] = 'z';  // the key of the first group's SET
  spit(d.file(kIncr1), data);
  Recorder r;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", true, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Error);
  EXPECT_NE(res.error.find("Bad file format reading the append only file " + std::string(kIncr1) + " at offset " +
                           std::to_string(group1)),
            std::string::npos)
      << res.error;
  EXPECT_NE(res.error.find("checksum mismatch"), std::string::npos) << res.error;
  EXPECT_TRUE(r.lines.empty()) << "nothing of the file was replayed";
  EXPECT_EQ(slurp(d.file(kIncr1)), data);
}

TEST(AofTorn, ATornTailInAFileThatIsNotTheLastRefuses) {
  TempDir d;
  const std::string good = writeTwoGroups(d);
  spit(d.file(kIncr1), good + std::string(512, '\0'));
  spit(d.file("appendonly.aof.2.incr.aof"), std::string(kGroupHeader));
  spit(d.file("appendonly.aof.manifest"),
       "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
  Recorder r;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", true, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Error);
  EXPECT_NE(res.error.find(std::string(kIncr1) + " at offset " + std::to_string(good.size())), std::string::npos)
      << res.error;
  EXPECT_NE(res.error.find("not the last file"), std::string::npos) << res.error;
}

TEST(AofTorn, ALogWithoutChecksumsGetsANewSegment) {
  TempDir d;
  const std::string legacy = rec({"SELECT", "0"}) + rec({"SET", "old", "1"});
  spit(d.file(kIncr1), legacy);
  spit(d.file("appendonly.aof.manifest"), "file appendonly.aof.1.incr.aof seq 1 type i\n");
  Recorder r;
  AofLoadResult res = loadAof(d.str(), "appendonly.aof", true, r);
  ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
  EXPECT_FALSE(res.lastFileSealed);
  AofWriter w;
  ASSERT_EQ(w.open(options(d), &res.manifest, res.totalSize, res.baseSize, res.lastFileSealed), "");
  EXPECT_EQ(w.currentSegment(), "appendonly.aof.2.incr.aof");
  put(w, 0, {"SET", "new", "2"});
  w.flush(1000);
  w.close();
  EXPECT_EQ(slurp(d.file(kIncr1)), legacy);
  EXPECT_EQ(slurp(d.file("appendonly.aof.2.incr.aof")),
            std::string(kGroupHeader) + group(rec({"SELECT", "0"}) + rec({"SET", "new", "2"})));
  Recorder again;
  res = loadAof(d.str(), "appendonly.aof", false, again);
  ASSERT_EQ(res.status, AofLoadResult::Status::Loaded) << res.error;
  EXPECT_EQ(again.lines,
            (std::vector<std::string>{"<file>", "SELECT 0", "SET old 1", "<file>", "SELECT 0", "SET new 2"}));
}
