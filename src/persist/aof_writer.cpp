#include "erdtree/persist/aof_writer.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "erdtree/persist/aof_format.h"
#include "erdtree/persist/aof_groups.h"
#include "erdtree/persist/crc64.h"
#include "erdtree/util/crash_point.h"

namespace erdtree::persist {
namespace {

// everysec: a write waits this long for a running background fsync before it
// is done anyway (Redis's 2 seconds).
constexpr int64_t kMaxWritePostponeMs = 2000;
constexpr int64_t kEverysecMs = 1000;
// After a failed rotation (manifest or segment creation), retry this much later.
constexpr int64_t kRotateRetryMs = 1000;

int openSegment(const std::string& path, bool truncate) {
  int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  return ::open(path.c_str(), flags, 0644);
}

}  // namespace

FsyncPolicy parseFsyncPolicy(std::string_view name) {
  if (name == "always") return FsyncPolicy::Always;
  if (name == "no") return FsyncPolicy::No;
  return FsyncPolicy::Everysec;
}

AofWriter::~AofWriter() { close(); }

void AofWriter::setFaultHook(FaultHook hook) {
  std::lock_guard lock(hookMu_);
  hook_ = std::move(hook);
}

int AofWriter::injected(FileOp op) {
  std::lock_guard lock(hookMu_);
  return hook_ ? hook_(op) : 0;
}

std::string AofWriter::open(const AofWriterOptions& options, const AofManifest* loaded, uint64_t existingSize,
                            uint64_t baseSize, bool appendToLast) {
  options_ = options;
  if (::mkdir(options_.dir.c_str(), 0755) != 0 && errno != EEXIST)
    return "Can't create the AOF directory " + options_.dir + ": " + std::strerror(errno);
  manifest_ = loaded != nullptr ? *loaded : AofManifest{};
  currentSize_ = existingSize;
  baseSize_ = baseSize;
  stop_ = false;
  if (manifest_.incrs.empty()) return startSegment();
  if (!appendToLast) {
    spdlog::info("The AOF file {} does not end with a checksummed group (written by Redis or an older Erdtree); "
                 "appending to a new segment",
                 manifest_.incrs.back().name);
    return startSegment();
  }
  const std::string path = options_.dir + "/" + manifest_.incrs.back().name;
  fd_ = openSegment(path, false);
  if (fd_ < 0) return "Can't open the AOF file " + path + " for appending: " + std::strerror(errno);
  struct stat st {};
  segmentSize_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  lastDb_ = -1;
  return "";
}

std::string AofWriter::tempIncrPath() const { return options_.dir + "/temp-" + options_.prefix + ".incr"; }

std::string AofWriter::openForEnable(const AofWriterOptions& options, const AofManifest& onDisk) {
  options_ = options;
  if (::mkdir(options_.dir.c_str(), 0755) != 0 && errno != EEXIST)
    return "Can't create the AOF directory " + options_.dir + ": " + std::strerror(errno);
  const std::string path = tempIncrPath();
  fd_ = openSegment(path, true);
  if (fd_ < 0) return "Can't create the AOF file " + path + ": " + std::strerror(errno);
  // It becomes a listed segment: checksummed from its first byte.
  if (int err = writeHeader(fd_); err != 0) {
    ::close(fd_);
    fd_ = -1;
    ::unlink(path.c_str());
    return "Can't write the AOF file " + path + ": " + std::strerror(err);
  }
  manifest_ = onDisk;
  enabling_ = true;
  baseSize_ = 0;
  currentSize_ = segmentSize_ = kGroupHeader.size();
  lastDb_ = -1;
  stop_ = false;
  return "";
}

std::string AofWriter::beginRewrite(int64_t nowMs, int64_t& firstKeptIncr) {
  if (fd_ < 0) return "the AOF is not open";
  if (enabling_) {  // everything since enabling is in the temp incr already
    firstKeptIncr = INT64_MAX;
    return "";
  }
  // The records of everything the child will see must be in the old
  // segments: write them out before switching.
  const FlushResult r = flush(nowMs, true);
  if (r == FlushResult::Fatal || !buf_.empty()) return std::string("can't write the AOF: ") + std::strerror(lastErrno());
  if (options_.policy == FsyncPolicy::Everysec && unsynced_ > 0) unsynced_ = 0;  // the close job fsyncs it
  std::string err = startSegment();
  if (!err.empty()) return err;
  firstKeptIncr = manifest_.incrs.back().seq;
  spdlog::info("Creating AOF incr file {} on background rewrite", currentSegment());
  return "";
}

std::string AofWriter::finishRewrite(const std::string& tempBase, bool rdbBase, int64_t firstKeptIncr) {
  if (fd_ < 0) return "the AOF is not open";
  const int64_t baseSeq = manifest_.nextBaseSeq();
  AofFileInfo base{rdbBase ? aofBaseRdbName(options_.prefix, baseSeq) : aofBaseName(options_.prefix, baseSeq), baseSeq,
                   AofFileType::Base};
  std::vector<std::string> obsolete;
  AofManifest next = manifestAfterRewrite(manifest_, base, firstKeptIncr, obsolete);
  std::string incrFrom, incrTo;
  if (enabling_) {
    // The temp incr becomes the first segment after the new base.
    AofFileInfo incr{aofIncrName(options_.prefix, manifest_.nextIncrSeq()), manifest_.nextIncrSeq(),
                     AofFileType::Incr};
    incrFrom = tempIncrPath();
    incrTo = options_.dir + "/" + incr.name;
    next.incrs.assign(1, incr);
  }
  const std::string basePath = options_.dir + "/" + base.name;
  if (::rename(tempBase.c_str(), basePath.c_str()) != 0)
    return "can't rename " + tempBase + " to " + base.name + ": " + std::strerror(errno);
  if (!incrFrom.empty() && ::rename(incrFrom.c_str(), incrTo.c_str()) != 0)
    return "can't rename " + incrFrom + ": " + std::strerror(errno);
  util::crashPoint("rewrite-before-manifest");
  if (std::string err = storeManifest(options_.dir, options_.prefix, next); !err.empty()) {
    if (!incrFrom.empty() && ::rename(incrTo.c_str(), incrFrom.c_str()) != 0)
      spdlog::warn("Can't rename {} back to {}: {}", incrTo, incrFrom, std::strerror(errno));
    return err;
  }
  util::crashPoint("rewrite-before-unlink");
  manifest_ = std::move(next);
  enabling_ = false;
  // Sizes: the new base plus every incr segment still listed.
  struct stat st {};
  baseSize_ = ::stat(basePath.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  currentSize_ = baseSize_;
  for (size_t i = 0; i + 1 < manifest_.incrs.size(); ++i)
    if (::stat((options_.dir + "/" + manifest_.incrs[i].name).c_str(), &st) == 0)
      currentSize_ += static_cast<uint64_t>(st.st_size);
  currentSize_ += segmentSize_;
  for (const std::string& name : obsolete) {
    spdlog::info("Removing the history file {} in the background", name);
    submit(Job{-1, false, options_.dir + "/" + name});
  }
  return "";
}

std::string AofWriter::startSegment() {
  AofManifest next = manifest_;
  AofFileInfo info{aofIncrName(options_.prefix, next.nextIncrSeq()), next.nextIncrSeq(), AofFileType::Incr};
  const std::string path = options_.dir + "/" + info.name;
  // Not listed yet, so any file of that name is a leftover: start it empty.
  int fd = openSegment(path, true);
  if (fd < 0) return "Can't create the AOF file " + path + ": " + std::strerror(errno);
  // Durable before the manifest names the file: a listed segment is always
  // recognisably checksummed, even if a power loss zeroes what follows.
  if (int err = writeHeader(fd); err != 0) {
    ::close(fd);
    ::unlink(path.c_str());
    return "Can't write the AOF file " + path + ": " + std::strerror(err);
  }
  util::crashPoint("rotation-before-manifest");
  next.incrs.push_back(info);
  if (std::string err = storeManifest(options_.dir, options_.prefix, next); !err.empty()) {
    ::close(fd);
    ::unlink(path.c_str());
    return err;
  }
  int old = fd_;
  fd_ = fd;
  manifest_ = std::move(next);
  segmentSize_ = kGroupHeader.size();
  currentSize_ += kGroupHeader.size();
  lastDb_ = -1;  // every segment opens with a SELECT
  if (old >= 0) {
    if (options_.policy == FsyncPolicy::Always) ::close(old);  // synced with its last write
    else submit(Job{old, true, {}});
  }
  return "";
}

int AofWriter::writeHeader(int fd) {
  if (int err = injected(FileOp::Write); err != 0) return err;
  for (size_t done = 0; done < kGroupHeader.size();) {
    ssize_t n = ::write(fd, kGroupHeader.data() + done, kGroupHeader.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : ENOSPC;
    done += static_cast<size_t>(n);
  }
  if (int err = injected(FileOp::Fsync); err != 0) return err;
  return ::fdatasync(fd) == 0 ? 0 : errno;
}

void AofWriter::sealGroup() {
  if (buf_.size() == sealed_) return;
  if (groupNote_) groupNote_(buf_);
  const size_t length = buf_.size() - sealed_;
  appendGroupAnnotation(buf_, crc64(0, buf_.data() + sealed_, length), length);
  sealed_ = buf_.size();
}

void AofWriter::append(int db, std::span<const std::string_view> args) {
  if (fd_ < 0) return;
  if (db != lastDb_) {
    appendSelect(buf_, db);
    lastDb_ = db;
  }
  appendRecord(buf_, args);
}

AofWriter::FlushResult AofWriter::flush(int64_t nowMs, bool force) {
  if (fd_ < 0) return FlushResult::Ok;
  const FsyncPolicy policy = options_.policy;
  if (!buf_.empty()) {
    if (policy == FsyncPolicy::Everysec && !force && pendingSyncs_.load() > 0) {
      if (postponedSinceMs_ == 0) postponedSinceMs_ = nowMs;
      if (nowMs - postponedSinceMs_ < kMaxWritePostponeMs) return FlushResult::Postponed;
      ++delayedFsyncs_;
      spdlog::warn("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without "
                   "waiting for fsync to complete, this may slow down Erdtree.");
    }
    postponedSinceMs_ = 0;
    sealGroup();
    size_t done = 0;
    int err = injected(FileOp::Write);
    while (err == 0 && done < buf_.size()) {
      ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        err = errno;
        break;
      }
      if (n == 0) {
        err = ENOSPC;
        break;
      }
      done += static_cast<size_t>(n);
    }
    if (err != 0) {
      if (policy == FsyncPolicy::Always) {
        spdlog::warn("Can't recover from AOF write error when the AOF fsync policy is 'always': {}. Exiting...",
                     std::strerror(err));
        lastWriteErrno_ = err;
        return FlushResult::Fatal;
      }
      // Take a partial group back out of the file so the retry appends it
      // whole; if that fails too, keep what was written and retry the rest
      // (the group's annotation, computed over all of it, stays right).
      if (done > 0) {
        if (injected(FileOp::Truncate) == 0 && ::ftruncate(fd_, static_cast<off_t>(segmentSize_)) == 0) {
          done = 0;
        } else {
          buf_.erase(0, done);
          sealed_ -= done;
          segmentSize_ += done;
          currentSize_ += done;
          unsynced_ += done;
        }
      }
      if (lastWriteErrno_ == 0)
        spdlog::warn("Error writing to the AOF file {}: {}", currentSegment(), std::strerror(err));
      lastWriteErrno_ = err;
      return FlushResult::Error;
    }
    segmentSize_ += done;
    currentSize_ += done;
    unsynced_ += done;
    buf_.clear();
    sealed_ = 0;
    if (buf_.capacity() > (4u << 20)) std::string().swap(buf_);
    if (lastWriteErrno_ != 0) {
      spdlog::warn("AOF write error looks solved, Erdtree can write again.");
      lastWriteErrno_ = 0;
    }
  }
  // A failed background fsync is retried (each second) until one succeeds.
  if (unsynced_ > 0 || bgErrno_.load() != 0) {
    if (policy == FsyncPolicy::Always) {
      int err = injected(FileOp::Fsync);
      if (err == 0 && ::fdatasync(fd_) != 0) err = errno;
      if (err != 0) {
        spdlog::warn("Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. Exiting...",
                     std::strerror(err));
        lastWriteErrno_ = err;
        return FlushResult::Fatal;
      }
      unsynced_ = 0;
      lastFsyncMs_ = nowMs;
    } else if ((policy == FsyncPolicy::Everysec || bgErrno_.load() != 0) && nowMs - lastFsyncMs_ >= kEverysecMs) {
      if (pendingSyncs_.load() == 0) {
        submit(Job{fd_, false, {}});
        unsynced_ = 0;
      }
      lastFsyncMs_ = nowMs;
    }
  }
  maybeRotate(nowMs);
  return healthy() ? FlushResult::Ok : FlushResult::Error;
}

void AofWriter::maybeRotate(int64_t nowMs) {
  if (enabling_ || !buf_.empty() || segmentSize_ < options_.segmentMaxSize || nowMs < rotateRetryMs_) return;
  if (options_.policy == FsyncPolicy::Always && unsynced_ > 0) return;
  if (unsynced_ > 0 && options_.policy == FsyncPolicy::Everysec) unsynced_ = 0;  // the close job fsyncs it
  std::string err = startSegment();
  if (!err.empty()) {
    spdlog::warn("Can't rotate the AOF to a new segment (will retry): {}", err);
    rotateRetryMs_ = nowMs + kRotateRetryMs;
    return;
  }
  ++rotations_;
  spdlog::info("AOF segment rotated: now appending to {}", currentSegment());
}

void AofWriter::close() {
  if (fd_ >= 0) {
    options_.segmentMaxSize = UINT64_MAX;  // no rotation on the way out
    flush(0, true);
    if (!buf_.empty())
      spdlog::warn("Closing the AOF with {} bytes not written: {}", buf_.size(), std::strerror(lastErrno()));
    if (::fsync(fd_) != 0) spdlog::warn("Can't fsync the AOF file on close: {}", std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
    buf_.clear();
    sealed_ = 0;
  }
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
}

void AofWriter::submit(Job job) {
  // Started with the first job, not when the log opens: a fork() right after
  // opening (CONFIG SET appendonly yes forks the rewrite at once) must not
  // catch a thread in the middle of its own start-up, holding locks the
  // child would then wait on forever.
  if (!thread_.joinable()) {
    std::lock_guard lock(mu_);
    stop_ = false;
    thread_ = std::thread([this] { runJobs(); });
  }
  pending_.fetch_add(1);
  if (!job.closeAfter && job.unlinkPath.empty()) pendingSyncs_.fetch_add(1);
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(job);
  }
  cv_.notify_one();
}

void AofWriter::runJobs() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stop_ and drained
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    if (!job.unlinkPath.empty()) {
      // Removing a large file can take a while: never on the loop.
      if (::unlink(job.unlinkPath.c_str()) != 0 && errno != ENOENT)
        spdlog::warn("Can't remove the AOF history file {}: {}", job.unlinkPath, std::strerror(errno));
      pending_.fetch_sub(1);
      lock.lock();
      continue;
    }
    int err = injected(FileOp::Fsync);
    if (err == 0 && ::fdatasync(job.fd) != 0) err = errno;
    if (err != 0) spdlog::warn("Error syncing the AOF file in the background: {}", std::strerror(err));
    int before = bgErrno_.exchange(err);
    if (before != 0 && err == 0) spdlog::warn("AOF fsync error looks solved, Erdtree can write again.");
    if (job.closeAfter) ::close(job.fd);
    else pendingSyncs_.fetch_sub(1);
    pending_.fetch_sub(1);
    if (wakeup_) wakeup_();
    lock.lock();
  }
}

}  // namespace erdtree::persist
