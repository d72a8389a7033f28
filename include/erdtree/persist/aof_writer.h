#pragma once
// The append-only log writer: the durability sink of the propagation stream.
//
// Mechanism (Redis 7.0's, mapped onto our loop; docs/aof.md has the page):
//  - append() turns each canonical record into RESP bytes in an in-memory
//    buffer (a SELECT first whenever the db differs from the last record's).
//    Nothing touches the disk while commands run.
//  - flush() runs in beforeSleep, before any reply of the turn is written to
//    a socket: one write() of everything buffered, for every client at once.
//      always:   then fdatasync() in the loop, so the replies that follow are
//                durable (group commit: one write+fsync per loop turn);
//      everysec: an fsync request to the background thread at most once a
//                second; the loop never waits for it. While a background
//                fsync is still running the write is postponed (the write
//                would block behind it), for at most 2 s, then done anyway
//                and counted in aof_delayed_fsync, as Redis does;
//      no:       the kernel decides.
//  - Checksummed groups (aof_groups.h): what one flush writes ends with an
//    `#EC:<crc64>:<length>` line over those bytes, in the same write(), so
//    the loader can tell a torn write from corruption. The CRC is computed
//    once, when the buffer is sealed for writing; a retried buffer keeps its
//    sealed groups (and their lines) as they are, and records appended
//    meanwhile become a group of their own. Every segment the writer creates
//    opens with the empty group's line, written and fsynced before the
//    manifest lists the file.
//  - Errors: a failed or short write (a short one is truncated back when
//    possible) or a failed background fsync puts the writer in an error
//    state: the server then refuses write commands with MISCONF; the buffer
//    is kept and the write retried every turn until it succeeds. Under
//    `always` a failed write or fsync cannot be recovered (the turn's
//    replies would claim durability the disk does not have): flush()
//    reports Fatal and the server exits, as Redis does.
//  - Rotation: when the current incr segment reaches segmentMaxSize after a
//    flush, the next segment is created, the manifest replaced atomically
//    (aof_manifest.h) and the old segment fsynced and closed on the
//    background thread. Records of one MULTI/EXEC never straddle segments
//    (a flush always ends on a whole command) and each segment opens with a
//    SELECT, so every file replays on its own.
//  - Rewrite (the server's AofRewriter forks the child that writes the new
//    base): beginRewrite() writes out the buffer and starts a new incr
//    segment, so the child's snapshot is exactly "old base + old incrs" and
//    every later record lands in the new segment. finishRewrite() renames
//    the child's file into the new base, replaces the manifest (new base +
//    the incrs from that segment on) and only then hands the old files to
//    the background thread for removal.
//  - Enabling at run time (CONFIG SET appendonly yes): openForEnable()
//    appends to temp-<appendfilename>.incr, listed nowhere, until the first
//    rewrite finishes; finishRewrite() then renames it into the first incr
//    segment next to the new base. A crash before that leaves the old log
//    (or none) untouched.
// Threading: everything but the background job runner is loop-thread only.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "erdtree/persist/aof_manifest.h"

namespace erdtree::persist {

enum class FsyncPolicy { Always, Everysec, No };
FsyncPolicy parseFsyncPolicy(std::string_view name);  // "always" | "everysec" | "no" (else everysec)

struct AofWriterOptions {
  std::string dir;     // the log directory: <dir>/<appenddirname>
  std::string prefix;  // appendfilename
  FsyncPolicy policy = FsyncPolicy::Everysec;
  uint64_t segmentMaxSize = 64ull << 20;
};

class AofWriter {
 public:
  enum class FlushResult { Ok, Postponed, Error, Fatal };
  enum class FileOp { Write, Fsync, Truncate };
  // Test hook (a fault-injecting file layer): called before each write,
  // fsync and ftruncate (of a partial write); a non-zero errno makes the
  // call fail with it.
  using FaultHook = std::function<int(FileOp)>;

  AofWriter() = default;
  ~AofWriter();  // close()
  AofWriter(const AofWriter&) = delete;
  AofWriter& operator=(const AofWriter&) = delete;

  // Opens the log for appending, after loading. loaded: the manifest the
  // loader read, or nullptr for a fresh log (the directory, the first incr
  // segment and the manifest are created). existingSize/baseSize: bytes the
  // loader found. appendToLast: the last incr segment is checksummed and
  // ends after a whole group (AofLoadResult::lastFileSealed); otherwise a new
  // segment is started, as groups must not follow bytes without checksums.
  // Returns "" or the error.
  std::string open(const AofWriterOptions& options, const AofManifest* loaded, uint64_t existingSize,
                   uint64_t baseSize, bool appendToLast);
  // Opens a log that has no base yet (appendonly turned on at run time):
  // records go to the unlisted temp incr file until finishRewrite(). onDisk:
  // the manifest found in the directory (its files become obsolete then).
  std::string openForEnable(const AofWriterOptions& options, const AofManifest& onDisk);
  bool isOpen() const { return fd_ >= 0; }
  bool enabling() const { return enabling_; }

  // Rewrite steps (see the header comment). beginRewrite: "" or the error
  // (then no rewrite may start); firstKeptIncr receives the seq of the
  // segment the new base will be followed by.
  std::string beginRewrite(int64_t nowMs, int64_t& firstKeptIncr);
  // tempBase: the finished child's file (fsynced) in the log directory.
  // Returns "" or the error; on error the old manifest stays in force.
  std::string finishRewrite(const std::string& tempBase, bool rdbBase, int64_t firstKeptIncr);
  // Path of the temp incr file openForEnable() writes.
  std::string tempIncrPath() const;
  // Called by the background thread after each job (from that thread):
  // the server posts a uv_async_t so the loop looks at the result.
  void setWakeup(std::function<void()> wakeup) { wakeup_ = std::move(wakeup); }
  void setFaultHook(FaultHook hook);

  void append(int db, std::span<const std::string_view> args);
  // Called as each non-empty group is sealed, before its checksum: may
  // append an annotation line to it (the server's `#RP:` replication
  // position, repl_position.h), so the line is covered by the group's CRC
  // and stands exactly after the records it describes.
  void setGroupNote(std::function<void(std::string&)> note) { groupNote_ = std::move(note); }
  // Appends an annotation line to the group being built; it goes out with
  // the next flush (a group of its own when no record is pending).
  void appendNote(std::string_view line) {
    if (fd_ >= 0) buf_.append(line);
  }
  // beforeSleep (and cron, to retry and to fsync idle data): writes the
  // buffer per the policy; force skips the everysec postponing.
  FlushResult flush(int64_t nowMs, bool force = false);
  // Flushes everything, fsyncs, stops the background thread, closes.
  void close();

  void setPolicy(FsyncPolicy p) { options_.policy = p; }
  void setSegmentMaxSize(uint64_t bytes) { options_.segmentMaxSize = bytes; }

  // State for MISCONF and INFO persistence.
  bool writeOk() const { return lastWriteErrno_ == 0; }
  bool backgroundFsyncOk() const { return bgErrno_.load() == 0; }
  bool healthy() const { return writeOk() && backgroundFsyncOk(); }
  int lastErrno() const { return lastWriteErrno_ != 0 ? lastWriteErrno_ : bgErrno_.load(); }
  uint64_t currentSize() const { return currentSize_; }
  uint64_t baseSize() const { return baseSize_; }
  uint64_t bufferLength() const { return buf_.size(); }
  uint64_t bufferCapacity() const { return buf_.capacity(); }  // MEMORY STATS aof.buffer
  uint64_t pendingBackgroundJobs() const { return pending_.load(); }
  uint64_t delayedFsyncs() const { return delayedFsyncs_; }
  uint64_t rotations() const { return rotations_; }
  const AofManifest& manifest() const { return manifest_; }
  // The file appended to (the temp incr while the log is being turned on).
  std::string currentSegment() const {
    return enabling_ || manifest_.incrs.empty() ? "temp-" + options_.prefix + ".incr" : manifest_.incrs.back().name;
  }

 private:
  struct Job {
    int fd;
    bool closeAfter;
    std::string unlinkPath;  // non-empty: remove this file (fd unused)
  };
  int injected(FileOp op);
  // Creates and lists the next incr segment; "" or the error.
  std::string startSegment();
  // Writes and fsyncs the checksum header of a new segment; 0 or an errno.
  int writeHeader(int fd);
  // Closes the records appended since the last seal as a group (aof_groups.h).
  void sealGroup();
  void maybeRotate(int64_t nowMs);
  void submit(Job job);
  void runJobs();

  AofWriterOptions options_;
  AofManifest manifest_;
  int fd_ = -1;
  std::string buf_;
  size_t sealed_ = 0;            // buf_[0, sealed_) ends with a group's annotation
  int lastDb_ = -1;
  uint64_t currentSize_ = 0;     // base + every incr segment
  uint64_t baseSize_ = 0;
  uint64_t segmentSize_ = 0;     // the current incr segment
  uint64_t unsynced_ = 0;        // written since the last fsync request
  int64_t lastFsyncMs_ = 0;
  int64_t postponedSinceMs_ = 0;
  int64_t rotateRetryMs_ = 0;    // after a failed rotation, wait until then
  uint64_t delayedFsyncs_ = 0;
  uint64_t rotations_ = 0;
  int lastWriteErrno_ = 0;
  bool enabling_ = false;  // appending to the temp incr until the first rewrite ends

  std::mutex hookMu_;
  FaultHook hook_;
  std::function<void()> wakeup_;
  std::function<void(std::string&)> groupNote_;

  // The background job runner (fsync, fsync+close of a rotated segment).
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  std::atomic<int> pending_{0};
  // Of those, fsyncs of the live segment (not closes of rotated ones): only
  // these postpone an everysec write, as Redis waits only on its own file.
  std::atomic<int> pendingSyncs_{0};
  std::atomic<int> bgErrno_{0};
};

}  // namespace erdtree::persist
