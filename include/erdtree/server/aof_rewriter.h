#pragma once
// The AOF rewrite (compaction) as the server runs it: BGREWRITEAOF, the
// automatic trigger, and the first rewrite that turns the log on at run time.
//
// Mechanism (Redis 7.0's multi-part rewrite, docs/aof.md has the page):
//  1. The writer writes out its buffer and starts a new incr segment
//     (AofWriter::beginRewrite), so the records of everything before this
//     instant are in the old files and everything after goes to the new one.
//  2. fork(): the child sees the keyspace as it is at that instant
//     (copy-on-write) and writes it to temp-rewriteaof-bg-<pid>.aof in the
//     log directory, as an RDB file (aof-use-rdb-preamble yes) or as RESP
//     commands, fsyncs it and exits. The loop goes on serving meanwhile.
//  3. The cron reaps the child; on success the writer renames the file into
//     the next base, replaces the manifest (new base + incrs from step 1's
//     segment on) and then removes the old files in the background.
//     With appendonly off there is no writer: the result is a base-only log
//     (as Redis 7.0 does for BGREWRITEAOF with the AOF off).
// A failed child leaves the old manifest in force; its temp file is removed.
// Automatic rewrites (auto-aof-rewrite-percentage/-min-size) back off after
// three consecutive failures: one minute, doubling up to an hour.
// While a BGSAVE child runs, a rewrite is scheduled and started by the cron
// once that child is gone (one fork child at a time, as Redis).
#include <cstdint>
#include <functional>
#include <string>

#include "erdtree/command/context.h"
#include "erdtree/config/config.h"
#include "erdtree/persist/aof_writer.h"
#include "erdtree/persist/repl_position.h"
#include "erdtree/server/cow_report.h"

namespace erdtree::server {

class AofRewriter {
 public:
  enum class Start { Started, Scheduled, AlreadyRunning, Failed };

  AofRewriter(config::Config& config, command::Services& services);
  // Whether another fork child (BGSAVE) runs now; set by the server.
  void setOtherChildActive(std::function<bool()> f) { otherChildActive_ = std::move(f); }
  // The replication position of the data at the fork, written into the new
  // base (RDB aux fields, or the RESP base's last `#RP:` line); false: none.
  void setPositionSource(std::function<bool(persist::ReplPosition&)> f) { positionSource_ = std::move(f); }

  // Starts a rewrite now, or schedules it when another child runs. writer:
  // the open log, or nullptr with appendonly off. error: why it Failed.
  Start request(persist::AofWriter* writer, std::string& error);
  // Starts it from the next cron tick instead (inside EXEC, or while
  // another child runs).
  void schedule() { scheduled_ = true; }
  // Cron: reaps a finished child and installs its result, starts a
  // scheduled rewrite, and checks the automatic trigger.
  void poll(persist::AofWriter* writer);
  // Kills a running child and removes its file (appendonly no, shutdown).
  void killChild();

  bool inProgress() const { return childPid_ > 0; }
  bool scheduled() const { return scheduled_; }
  int childPid() const { return childPid_; }
  // INFO persistence.
  int64_t lastRewriteSeconds() const { return lastRewriteSec_; }
  int64_t currentRewriteSeconds() const;
  bool lastRewriteOk() const { return lastOk_; }
  uint64_t rewrites() const { return rewrites_; }
  uint64_t consecutiveFailures() const { return consecutiveFailures_; }
  uint64_t lastCowBytes() const { return lastCowBytes_; }
  uint64_t currentCowBytes() const { return childPid_ > 0 ? cowPeak_ : 0; }

 private:
  std::string startChild(persist::AofWriter* writer);
  void finish(persist::AofWriter* writer, bool childOk);
  std::string installBaseOnly(const std::string& tempBase);
  bool autoRewriteDue(const persist::AofWriter& writer, int64_t nowMs) const;
  std::string logDir() const;
  std::string tempPath() const;
  void sampleCow(int64_t nowMs);

  config::Config& config_;
  command::Services& svc_;
  std::function<bool(persist::ReplPosition&)> positionSource_;
  std::function<bool()> otherChildActive_ = [] { return false; };
  int childPid_ = -1;
  int64_t childStartMs_ = 0;
  bool childRdb_ = true;
  int64_t firstKeptIncr_ = 0;
  bool childHasWriter_ = false;  // started with the log open (else: base only)
  bool scheduled_ = false;
  int64_t lastRewriteSec_ = -1;
  bool lastOk_ = true;
  uint64_t rewrites_ = 0;
  uint64_t consecutiveFailures_ = 0;
  int64_t nextAutoAllowedMs_ = 0;  // the back-off after repeated failures
  CowReport cow_;        // the child's copy-on-write size at its end
  uint64_t cowPeak_ = 0;  // sampled from /proc while it runs (current_cow_peak)
  uint64_t lastCowBytes_ = 0;
  int64_t lastCowSampleMs_ = 0;
};

}  // namespace erdtree::server
