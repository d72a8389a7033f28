#include "erdtree/server/snapshot.h"

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "erdtree/persist/rdb_loader.h"
#include "erdtree/persist/rdb_writer.h"
#include "erdtree/util/clock.h"

namespace erdtree::server {

Snapshotter::Snapshotter(config::Config& config, command::Services& services)
    : config_(config), svc_(services), lastSaveSec_(util::unixTimeMs() / 1000) {}

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
  opts.maxStringLen = s.protoMaxBulkLen;
  persist::LoadResult r = persist::loadRdbFile(file, svc_.keyspace, opts);
  if (!r.ok) return "Failed loading RDB file " + file + ": " + r.error;
  if (r.skippedModuleAux > 0 || r.skippedFunctions > 0) {
    spdlog::warn("RDB {}: skipped {} module AUX record(s) and {} function librar(y/ies) (not supported)", file,
                 r.skippedModuleAux, r.skippedFunctions);
  }
  const double secs = static_cast<double>(util::monotonicUs() - startUs) / 1e6;
  spdlog::info("DB loaded from disk: {:.3f} seconds, {} keys ({} expired dropped)", secs, r.keys, r.expiredSkipped);
  return "";
}

persist::SaveOptions Snapshotter::saveOptions() const {
  const config::Settings& s = config_.settings();
  persist::SaveOptions opts;
  opts.nowMs = util::unixTimeMs();
  struct mallinfo2 mi = mallinfo2();
  opts.usedMemory = mi.uordblks + mi.hblkhd;
  opts.limits = svc_.encoding;
  opts.compress = s.rdbcompression;
  opts.checksum = s.rdbchecksum;
  return opts;
}

std::string Snapshotter::save() {
  if (childPid_ > 0) return "ERR Background save already in progress";
  persist::SaveOptions opts = saveOptions();
  persist::SaveStats stats;
  std::string err = persist::saveRdbFile(path(), svc_.keyspace, opts, &stats);
  if (!err.empty()) {
    lastSaveOk_ = false;
    spdlog::warn("{}", err);
    return err;
  }
  lastSaveOk_ = true;
  lastSaveSec_ = opts.nowMs / 1000;
  svc_.stats.dirty = 0;
  spdlog::info("DB saved on disk ({} keys, {} bytes)", stats.keys, stats.bytes);
  return "";
}

std::string Snapshotter::bgsave() {
  if (childPid_ > 0) return "ERR Background save already in progress";
  persist::SaveOptions opts = saveOptions();
  const std::string target = path();
  const pid_t pid = ::fork();
  if (pid < 0) {
    lastSaveOk_ = false;
    spdlog::warn("Can't save in background: fork: {}", std::strerror(errno));
    return std::string("ERR Background save failed: fork: ") + std::strerror(errno);
  }
  if (pid == 0) {
    // Only this thread exists in the child (the AOF fsync thread does not):
    // it must not take locks another thread may have held at fork, so no
    // logging here; glibc's malloc is fork-safe.
    std::string err = persist::saveRdbFile(target, svc_.keyspace, opts);
    ::_exit(err.empty() ? 0 : 1);
  }
  childPid_ = pid;
  childStartMs_ = opts.nowMs;
  dirtyAtFork_ = svc_.stats.dirty;
  spdlog::info("Background saving started by pid {}", pid);
  return "";
}

void Snapshotter::poll() {
  if (childPid_ <= 0) return;
  int status = 0;
  const pid_t r = ::waitpid(childPid_, &status, WNOHANG);
  if (r == 0) return;
  const bool ok = r == childPid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  lastBgsaveSec_ = (util::unixTimeMs() - childStartMs_) / 1000;
  childPid_ = -1;
  lastSaveOk_ = ok;
  if (!ok) {
    spdlog::warn("Background saving error");
    return;
  }
  lastSaveSec_ = childStartMs_ / 1000;
  svc_.stats.dirty = svc_.stats.dirty >= dirtyAtFork_ ? svc_.stats.dirty - dirtyAtFork_ : 0;
  spdlog::info("Background saving terminated with success");
}

void Snapshotter::killChild() {
  if (childPid_ <= 0) return;
  ::kill(childPid_, SIGKILL);
  int status = 0;
  ::waitpid(childPid_, &status, 0);
  const std::string tmp = config_.settings().dir + "/temp-" + std::to_string(childPid_) + ".rdb";
  ::unlink(tmp.c_str());
  childPid_ = -1;
}

int64_t Snapshotter::currentBgsaveSeconds() const {
  return childPid_ > 0 ? (util::unixTimeMs() - childStartMs_) / 1000 : -1;
}

}  // namespace erdtree::server
