#include "erdtree/server/snapshot.h"

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

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

std::string Snapshotter::save() {
  const config::Settings& s = config_.settings();
  persist::SaveOptions opts;
  opts.nowMs = util::unixTimeMs();
  struct mallinfo2 mi = mallinfo2();
  opts.usedMemory = mi.uordblks + mi.hblkhd;
  opts.limits = svc_.encoding;
  opts.compress = s.rdbcompression;
  opts.checksum = s.rdbchecksum;
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

}  // namespace erdtree::server
