#include "erdtree/server/snapshot.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "erdtree/persist/rdb_loader.h"
#include "erdtree/persist/rdb_writer.h"
#include "erdtree/util/alloc_counter.h"
#include "erdtree/util/clock.h"

namespace erdtree::server {
namespace {


// Seconds since `sinceMs` are more than `seconds` (Redis compares whole
// seconds with >; rules with huge values never fire).
bool moreThanSeconds(int64_t nowMs, int64_t sinceMs, int64_t seconds) {
  const int64_t elapsed = nowMs - sinceMs;
  return seconds <= INT64_MAX / 1000 && elapsed > seconds * 1000;
}

}  // namespace

Snapshotter::Snapshotter(config::Config& config, command::Services& services)
    : config_(config), svc_(services), lastSaveMs_(util::unixTimeMs()) {}

Snapshotter::~Snapshotter() {
  killChild();
}

std::string Snapshotter::path() const {
  const config::Settings& s = config_.settings();
  if (!s.dbfilename.empty() && s.dbfilename[0] == '/') return s.dbfilename;
  return s.dir + "/" + s.dbfilename;
}

std::string Snapshotter::loadAtStartup() {
  const config::Settings& s = config_.settings();
  if (s.appendonly) return "";
  const std::string file = path();
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return "";
  const int64_t startUs = util::monotonicUs();
  persist::LoadOptions opts;
  opts.nowMs = util::unixTimeMs();
  opts.limits = svc_.encoding;
  opts.access = svc_.access;
  opts.maxStringLen = s.protoMaxBulkLen;
  persist::LoadResult r = persist::loadRdbFile(file, svc_.keyspace, opts);
  if (!r.ok) return "Failed loading RDB file " + file + ": " + r.error;
  if (r.skippedModuleAux > 0 || r.skippedFunctions > 0) {
    spdlog::warn("RDB {}: skipped {} module AUX record(s) and {} function librar(y/ies) (not supported)", file,
                 r.skippedModuleAux, r.skippedFunctions);
  }
  if (persist::positionFromAux(r.aux, loadedPosition_))
    spdlog::info("RDB {} holds replication ID {} offset {}", file, loadedPosition_.replid, loadedPosition_.offset);
  loadedKeys_ = r.keys;
  loadExpired_ = r.expiredSkipped;
  const double secs = static_cast<double>(util::monotonicUs() - startUs) / 1e6;
  spdlog::info("DB loaded from disk: {:.3f} seconds, {} keys ({} expired dropped)", secs, r.keys, r.expiredSkipped);
  return "";
}

persist::SaveOptions rdbSaveOptions(const config::Settings& s, const engine::EncodingLimits& limits, int64_t nowMs) {
  persist::SaveOptions opts;
  opts.nowMs = nowMs;
  opts.usedMemory = util::usedMemory();
  opts.limits = limits;
  opts.compress = s.rdbcompression;
  opts.checksum = s.rdbchecksum;
  return opts;
}

persist::SaveOptions Snapshotter::saveOptions() const {
  persist::SaveOptions opts = rdbSaveOptions(config_.settings(), svc_.encoding, util::unixTimeMs());
  if (positionSource_) positionSource_(opts.repl);
  return opts;
}

void Snapshotter::setStatus(bool ok) {
  if (ok == lastBgsaveOk_) return;
  lastBgsaveOk_ = ok;
  if (statusListener_) statusListener_();
}

// Redis's rdbSave: a failure leaves rdb_last_bgsave_status alone, a success
// sets it to ok (a good SAVE clears the BGSAVE error and its -MISCONF).
std::string Snapshotter::saveNow() {
  persist::SaveOptions opts = saveOptions();
  persist::SaveStats stats;
  std::string err = persist::saveRdbFile(path(), svc_.keyspace, opts, &stats);
  if (!err.empty()) {
    spdlog::warn("{}", err);
    return err;
  }
  lastSaveMs_ = util::unixTimeMs();
  svc_.stats.dirty = 0;
  spdlog::info("DB saved on disk ({} keys, {} bytes)", stats.keys, stats.bytes);
  setStatus(true);
  return "";
}

std::string Snapshotter::save() {
  if (childPid_ > 0) return "ERR Background save already in progress";
  ++saves_;
  return saveNow();
}

Snapshotter::BgsaveStart Snapshotter::bgsave(bool schedule, bool inTransaction) {
  if (childPid_ > 0) return BgsaveStart::AlreadyRunning;
  if ((otherChildActive_ && otherChildActive_()) || inTransaction) {
    if (!schedule && !inTransaction) return BgsaveStart::OtherChildActive;
    scheduled_ = true;
    return BgsaveStart::Scheduled;
  }
  return startChild() ? BgsaveStart::Started : BgsaveStart::Failed;
}

bool Snapshotter::startChild() {
  ++saves_;
  persist::SaveOptions opts = saveOptions();
  const std::string target = path();
  lastBgsaveTryMs_ = opts.nowMs;
  cow_.open();
  const int64_t forkStartUs = util::monotonicUs();
  const pid_t pid = ::fork();
  if (pid > 0)  // LATENCY's "fork" event: how long the parent was stopped
    svc_.latency.addSampleIfNeeded("fork", (util::monotonicUs() - forkStartUs) / 1000, util::unixTimeMs() / 1000);
  if (pid < 0) {
    const int e = errno;
    cow_.close();
    spdlog::warn("Can't save in background: fork: {}", std::strerror(e));
    setStatus(false);
    return false;
  }
  if (pid == 0) {
    // Only this thread exists in the child (the AOF fsync thread does not):
    // it must not take locks another thread may have held at fork, so no
    // logging here; glibc's malloc is fork-safe.
    std::string err = persist::saveRdbFile(target, svc_.keyspace, opts);
    if (err.empty()) cow_.sendFromChild();
    ::_exit(err.empty() ? 0 : 1);
  }
  cow_.parentAfterFork();
  childPid_ = pid;
  const size_t slash = target.rfind('/');
  childTemp_ = (slash == std::string::npos ? std::string(".") : target.substr(0, slash)) + "/temp-" +
               std::to_string(pid) + ".rdb";
  childStartMs_ = opts.nowMs;
  dirtyAtFork_ = svc_.stats.dirty;
  scheduled_ = false;  // this snapshot covers what the schedule asked for
  spdlog::info("Background saving started by pid {}", pid);
  return true;
}

// Redis's backgroundSaveDoneHandlerDisk.
void Snapshotter::reap() {
  if (childPid_ <= 0) return;
  int status = 0;
  const pid_t r = ::waitpid(childPid_, &status, WNOHANG);
  if (r == 0) return;
  const bool ok = r == childPid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  lastBgsaveSec_ = (util::unixTimeMs() - childStartMs_) / 1000;
  const uint64_t cow = cow_.receive();
  if (ok) lastCowBytes_ = cow;
  childPid_ = -1;
  if (ok) {
    spdlog::info("Background saving terminated with success (copy-on-write {} MB)", lastCowBytes_ >> 20);
    svc_.stats.dirty = svc_.stats.dirty >= dirtyAtFork_ ? svc_.stats.dirty - dirtyAtFork_ : 0;
    lastSaveMs_ = util::unixTimeMs();
  } else if (r == -1 || WIFEXITED(status)) {
    spdlog::warn("Background saving error");
  } else {
    spdlog::warn("Background saving terminated by signal {}", WTERMSIG(status));
    ::unlink(childTemp_.c_str());  // a killed child leaves its temp file
  }
  setStatus(ok);
}

void Snapshotter::cron() {
  reap();
  if (childPid_ > 0 || (otherChildActive_ && otherChildActive_())) return;
  const int64_t nowMs = util::unixTimeMs();
  // After a failed BGSAVE, wait before the next attempt.
  const bool mayTry = lastBgsaveOk_ || nowMs - lastBgsaveTryMs_ >= kBgsaveRetryDelayMs;
  if (!mayTry) return;
  if (scheduled_) {
    startChild();
    return;
  }
  for (const config::SaveRule& rule : config_.settings().save) {
    if (static_cast<int64_t>(svc_.stats.dirty) >= rule.changes && moreThanSeconds(nowMs, lastSaveMs_, rule.seconds)) {
      spdlog::info("{} changes in {} seconds. Saving...", rule.changes, rule.seconds);
      startChild();
      return;
    }
  }
}

void Snapshotter::flushedAll() {
  if (config_.settings().save.empty()) return;
  killChild();
  saveNow();  // a failure is logged; FLUSHALL itself still succeeded
}

// Redis's DEBUG RELOAD: a foreground save (as SAVE, but not counted), then
// the load as at start-up. Any BGSAVE child keeps running: it writes its own
// temp file, and its result is still a valid snapshot of earlier data.
std::string Snapshotter::debugReload(bool save, bool flush, bool merge) {
  if (save && !saveNow().empty()) return "ERR";  // Redis's shared.err: the reason is in the log
  if (flush) {
    svc_.watches.touchFlushed(-1, [&](int db, std::string_view key) {
      return svc_.keyspace.db(db).table().find(key) != nullptr;
    });
    svc_.keyspace.clearAll(false);
  }
  persist::LoadOptions opts;
  opts.nowMs = util::unixTimeMs();
  opts.limits = svc_.encoding;
  opts.access = svc_.access;
  opts.maxStringLen = config_.settings().protoMaxBulkLen;
  opts.replaceExisting = merge;
  const std::string file = path();
  persist::LoadResult r;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) r.error = "No such file";
  else r = persist::loadRdbFile(file, svc_.keyspace, opts);
  if (!r.ok) {
    spdlog::warn("Failed loading RDB file {}: {}", file, r.error);
    return "ERR Error trying to load the RDB dump";  // Redis 7.0.15's words, the reason is in the log
  }
  spdlog::warn("DB reloaded by DEBUG RELOAD");
  return "";
}

void Snapshotter::killChild() {
  if (childPid_ <= 0) return;
  spdlog::warn("There is a child saving an .rdb. Killing it!");
  ::kill(childPid_, SIGKILL);
  int status = 0;
  ::waitpid(childPid_, &status, 0);
  ::unlink(childTemp_.c_str());
  cow_.close();
  childPid_ = -1;
}

int64_t Snapshotter::currentBgsaveSeconds() const {
  return childPid_ > 0 ? (util::unixTimeMs() - childStartMs_) / 1000 : -1;
}

}  // namespace erdtree::server
