#include "erdtree/server/aof_rewriter.h"
#include "erdtree/server/snapshot.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "erdtree/persist/aof_manifest.h"
#include "erdtree/persist/aof_rewrite.h"
#include "erdtree/persist/rdb_writer.h"
#include "erdtree/util/clock.h"
#include "erdtree/util/crash_point.h"

namespace erdtree::server {
namespace {

// Redis 7.0's limits on automatic rewrites that keep failing: after this
// many consecutive failures, wait a minute, doubling up to an hour.
constexpr uint64_t kFailuresBeforeBackoff = 3;
constexpr int64_t kBackoffStartMs = 60 * 1000;
constexpr int64_t kBackoffMaxMs = 60 * 60 * 1000;
// How often the child's copy-on-write size is sampled (reading smaps costs
// time proportional to the mappings).
constexpr int64_t kCowSampleMs = 1000;


}  // namespace

AofRewriter::AofRewriter(config::Config& config, command::Services& services) : config_(config), svc_(services) {}

std::string AofRewriter::logDir() const {
  const config::Settings& s = config_.settings();
  return s.dir + "/" + s.appenddirname;
}

std::string AofRewriter::tempPath() const {
  return logDir() + "/temp-rewriteaof-bg-" + std::to_string(childPid_) + ".aof";
}

int64_t AofRewriter::currentRewriteSeconds() const {
  return childPid_ > 0 ? (util::unixTimeMs() - childStartMs_) / 1000 : -1;
}

AofRewriter::Start AofRewriter::request(persist::AofWriter* writer, std::string& error) {
  if (childPid_ > 0) return Start::AlreadyRunning;
  if (otherChildActive_()) {
    scheduled_ = true;
    return Start::Scheduled;
  }
  error = startChild(writer);
  return error.empty() ? Start::Started : Start::Failed;
}

std::string AofRewriter::startChild(persist::AofWriter* writer) {
  const config::Settings& s = config_.settings();
  const std::string dir = logDir();
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return "Can't create the AOF directory " + dir + ": " + std::strerror(errno);
  const int64_t nowMs = util::unixTimeMs();
  int64_t firstKept = INT64_MAX;
  if (writer != nullptr) {
    if (std::string err = writer->beginRewrite(nowMs, firstKept); !err.empty()) return err;
  }
  const bool rdb = s.aofUseRdbPreamble;
  persist::SaveOptions rdbOpts = rdbSaveOptions(s, svc_.encoding, nowMs);
  // After beginRewrite: the position of exactly what the child will see.
  if (positionSource_) positionSource_(rdbOpts.repl);
  cow_.open();
  const int64_t forkStartUs = util::monotonicUs();
  const pid_t pid = ::fork();
  if (pid > 0)  // LATENCY's "fork" event: how long the parent was stopped
    svc_.latency.addSampleIfNeeded("fork", (util::monotonicUs() - forkStartUs) / 1000, util::unixTimeMs() / 1000);
  if (pid < 0) {
    const int e = errno;
    cow_.close();
    return std::string("Can't rewrite append only file in background: fork: ") + std::strerror(e);
  }
  if (pid == 0) {
    // The child: one thread, no logging (locks another thread may have held
    // at fork), no sockets. It dies with the parent rather than finish a
    // file nobody will install.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    util::crashPoint("rewrite-child");
    const std::string temp = dir + "/temp-rewriteaof-bg-" + std::to_string(::getpid()) + ".aof";
    std::string err;
    if (rdb) {
      err = persist::saveRdbFile(temp, svc_.keyspace, rdbOpts);
    } else {
      persist::RewriteOptions o;
      o.nowMs = nowMs;
      o.repl = rdbOpts.repl;
      err = persist::writeAofBaseFile(temp, svc_.keyspace, o);
    }
    if (err.empty()) cow_.sendFromChild();
    ::_exit(err.empty() ? 0 : 1);
  }
  cow_.parentAfterFork();
  childPid_ = pid;
  childStartMs_ = nowMs;
  childRdb_ = rdb;
  firstKeptIncr_ = firstKept;
  childHasWriter_ = writer != nullptr;
  scheduled_ = false;
  cowPeak_ = 0;
  lastCowSampleMs_ = nowMs;
  spdlog::info("Background append only file rewriting started by pid {}", pid);
  return "";
}

void AofRewriter::sampleCow(int64_t nowMs) {
  if (nowMs - lastCowSampleMs_ < kCowSampleMs) return;
  lastCowSampleMs_ = nowMs;
  cowPeak_ = std::max(cowPeak_, privateDirtyBytes(childPid_));
}

void AofRewriter::poll(persist::AofWriter* writer) {
  const int64_t nowMs = util::unixTimeMs();
  if (childPid_ > 0) {
    sampleCow(nowMs);
    int status = 0;
    const pid_t r = ::waitpid(childPid_, &status, WNOHANG);
    if (r == 0) return;
    finish(writer, r == childPid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  if (otherChildActive_()) return;
  if (scheduled_ || (writer != nullptr && autoRewriteDue(*writer, nowMs))) {
    if (!scheduled_)
      spdlog::info("Starting automatic rewriting of AOF on {}% growth",
                   writer->baseSize() == 0 ? 0 : (writer->currentSize() * 100 / writer->baseSize() - 100));
    scheduled_ = false;
    if (std::string err = startChild(writer); !err.empty()) {
      spdlog::warn("{}", err);
      lastOk_ = false;
      ++consecutiveFailures_;
      // A log that is being turned on must get its base: try again later.
      if (writer != nullptr && writer->enabling()) scheduled_ = true;
    }
  }
}

bool AofRewriter::autoRewriteDue(const persist::AofWriter& writer, int64_t nowMs) const {
  const config::Settings& s = config_.settings();
  if (s.autoAofRewritePercentage <= 0 || writer.enabling()) return false;
  if (writer.currentSize() <= s.autoAofRewriteMinSize) return false;
  if (nowMs < nextAutoAllowedMs_) return false;
  const uint64_t base = std::max<uint64_t>(writer.baseSize(), 1);
  const uint64_t growth = writer.currentSize() * 100 / base - 100;
  return growth >= static_cast<uint64_t>(s.autoAofRewritePercentage);
}

void AofRewriter::finish(persist::AofWriter* writer, bool childOk) {
  const std::string temp = tempPath();
  const int64_t nowMs = util::unixTimeMs();
  lastRewriteSec_ = (nowMs - childStartMs_) / 1000;
  // The child's own figure at its end, or the peak sampled meanwhile.
  lastCowBytes_ = std::max(cowPeak_, cow_.receive());
  childPid_ = -1;
  std::string err;
  if (!childOk) {
    err = "the child process failed";
  } else {
    spdlog::info("Background AOF rewrite terminated with success");
    if (childHasWriter_ && writer != nullptr) err = writer->finishRewrite(temp, childRdb_, firstKeptIncr_);
    else if (!childHasWriter_) err = installBaseOnly(temp);
    else err = "the AOF was closed during the rewrite";
  }
  if (!err.empty()) {
    ::unlink(temp.c_str());
    lastOk_ = false;
    ++consecutiveFailures_;
    if (consecutiveFailures_ >= kFailuresBeforeBackoff) {
      const int64_t delay = std::min(kBackoffMaxMs, kBackoffStartMs << std::min<uint64_t>(
                                                                 consecutiveFailures_ - kFailuresBeforeBackoff, 6));
      nextAutoAllowedMs_ = nowMs + delay;
    }
    spdlog::warn("Background AOF rewrite failed: {}", err);
    if (writer != nullptr && writer->enabling()) scheduled_ = true;  // the log still needs its base
    return;
  }
  lastOk_ = true;
  ++rewrites_;
  consecutiveFailures_ = 0;
  nextAutoAllowedMs_ = 0;
  spdlog::info("Background AOF rewrite finished successfully");
}

// appendonly off: the rewrite's file becomes a log of its own (base only),
// replacing whatever manifest the directory had.
std::string AofRewriter::installBaseOnly(const std::string& tempBase) {
  const config::Settings& s = config_.settings();
  const std::string dir = logDir();
  persist::AofManifest current;
  std::string text, perr;
  const std::string manifestPath = dir + "/" + persist::aofManifestName(s.appendfilename);
  if (persist::readWholeFile(manifestPath, text).empty() && !persist::AofManifest::parse(text, current, perr))
    return "the AOF manifest " + manifestPath + " is invalid (" + perr + ")";
  const int64_t seq = current.nextBaseSeq();
  persist::AofFileInfo base{childRdb_ ? persist::aofBaseRdbName(s.appendfilename, seq)
                                      : persist::aofBaseName(s.appendfilename, seq),
                            seq, persist::AofFileType::Base};
  std::vector<std::string> obsolete;
  persist::AofManifest next = persist::manifestAfterRewrite(current, base, INT64_MAX, obsolete);
  if (::rename(tempBase.c_str(), (dir + "/" + base.name).c_str()) != 0)
    return "can't rename " + tempBase + ": " + std::strerror(errno);
  if (std::string err = persist::storeManifest(dir, s.appendfilename, next); !err.empty()) return err;
  // Rare (BGREWRITEAOF with the log off), so the old files go synchronously.
  for (const std::string& name : obsolete) ::unlink((dir + "/" + name).c_str());
  return "";
}

void AofRewriter::killChild() {
  scheduled_ = false;
  if (childPid_ <= 0) return;
  const std::string temp = tempPath();
  ::kill(childPid_, SIGKILL);
  int status = 0;
  ::waitpid(childPid_, &status, 0);
  cow_.close();
  ::unlink(temp.c_str());
  // The RDB writer's own temp name inside the child.
  ::unlink((logDir() + "/temp-" + std::to_string(childPid_) + ".rdb").c_str());
  spdlog::info("Killed the AOF rewriting child {}", childPid_);
  childPid_ = -1;
}

}  // namespace erdtree::server
