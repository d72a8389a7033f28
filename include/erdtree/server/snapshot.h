#pragma once
// The RDB snapshot as the server runs it: SAVE in the foreground and BGSAVE
// in a fork()ed child (through command::Persistence), the `save` rules and
// scheduled BGSAVEs (from the server cron), the start-up load of
// dir/dbfilename, and the state INFO persistence and -MISCONF report. The
// format lives in persist/rdb_*.
//
// BGSAVE relies on fork()'s copy-on-write: the child sees the keyspace as it
// was at the fork, writes temp-<childpid>.rdb, renames it over the target,
// reports its copy-on-write size through a pipe and _exit()s; the cron reaps
// it. fork() is safe here because the child only runs code that takes no
// lock another thread may hold (no logging; glibc's malloc is fork-safe).
// The child touches no sockets.
//
// Save rules (Redis 7.0's serverCron): with no fork child running, the first
// rule whose `changes` (writes since the last save) and `seconds` (since the
// last successful save) are both reached starts a BGSAVE. After a failed
// BGSAVE, rules and scheduled BGSAVEs wait kBgsaveRetryDelayMs from the last
// attempt, so a broken disk is not hammered with forks.
//
// One fork child at a time, as in Redis. Other fork children (the AOF
// rewrite) plug in with two calls:
//   - setOtherChildActive(fn): fn() is true while such a child runs. BGSAVE
//     then answers "Another child process is active" (or, with SCHEDULE,
//     is scheduled), and rules wait.
//   - childActive(): true while the BGSAVE child runs; the other child must
//     not fork then (Redis schedules the rewrite instead).
// The server calls cron() after reaping the other child in the same tick,
// so a scheduled BGSAVE starts as soon as that child is gone.
#include <cstdint>
#include <functional>
#include <string>

#include "erdtree/command/context.h"
#include "erdtree/config/config.h"
#include "erdtree/engine/keyspace.h"
#include "erdtree/persist/rdb_writer.h"
#include "erdtree/server/cow_report.h"

namespace erdtree::server {

// The RDB writer's options as the settings give them (rdbcompression,
// rdbchecksum, the list node size), with now and the used-mem aux field:
// shared by BGSAVE, the AOF rewrite's RDB base and the replicas' sync file.
persist::SaveOptions rdbSaveOptions(const config::Settings& s, const engine::EncodingLimits& limits, int64_t nowMs);

// Redis's CONFIG_BGSAVE_RETRY_DELAY.
constexpr int64_t kBgsaveRetryDelayMs = 5000;

class Snapshotter final : public command::Persistence {
 public:
  Snapshotter(config::Config& config, command::Services& services);
  ~Snapshotter() override;
  Snapshotter(const Snapshotter&) = delete;
  Snapshotter& operator=(const Snapshotter&) = delete;

  // Redis's start-up rule: with appendonly off, load dir/dbfilename when it
  // exists (one log line with the key count and time). Returns "" or the
  // reason the server must not start (a corrupt or unreadable file).
  std::string loadAtStartup();

  // command::Persistence
  std::string save() override;
  BgsaveStart bgsave(bool schedule, bool inTransaction) override;
  bool saveInProgress() const override { return childPid_ > 0; }
  int64_t lastSaveTime() const override { return lastSaveMs_ / 1000; }
  void flushedAll() override;
  std::string debugReload(bool save, bool flush, bool merge) override;

  // Other fork children (see the top of this file). Default: none.
  void setOtherChildActive(std::function<bool()> active) { otherChildActive_ = std::move(active); }
  // The replication position saved with each snapshot (repl-stream-db,
  // repl-id, repl-offset aux fields); the source returns false for none.
  void setPositionSource(std::function<bool(persist::ReplPosition&)> f) { positionSource_ = std::move(f); }
  // The position the start-up load found in the file (invalid when none).
  const persist::ReplPosition& loadedPosition() const { return loadedPosition_; }
  bool childActive() const { return childPid_ > 0; }
  bool bgsaveScheduled() const { return scheduled_; }

  // Server cron: reaps a finished BGSAVE child; then, when no fork child of
  // any kind runs, starts a scheduled BGSAVE or one a save rule calls for.
  void cron();
  // Kills a running BGSAVE child and removes its temp file (shutdown,
  // FLUSHALL). Leaves the last BGSAVE status as it was.
  void killChild();
  // SHUTDOWN's final foreground save (not counted in rdb_saves, as in
  // Redis). Returns "" or the reason (logged).
  std::string saveOnShutdown() { return saveNow(); }

  // Called whenever lastBgsaveOk() may have changed (the server refreshes
  // the -MISCONF state from it).
  void setStatusListener(std::function<void()> listener) { statusListener_ = std::move(listener); }

  // INFO persistence.
  bool lastBgsaveOk() const { return lastBgsaveOk_; }
  int64_t lastBgsaveSeconds() const { return lastBgsaveSec_; }
  int64_t currentBgsaveSeconds() const;  // -1 when none runs
  uint64_t saves() const { return saves_; }                 // rdb_saves
  uint64_t lastCowBytes() const { return lastCowBytes_; }   // rdb_last_cow_size
  uint64_t lastLoadKeysLoaded() const { return loadedKeys_; }
  uint64_t lastLoadKeysExpired() const { return loadExpired_; }
  std::string path() const;

 private:
  persist::SaveOptions saveOptions() const;
  std::string saveNow();
  // Forks the BGSAVE child (counts the attempt); false when fork() failed.
  bool startChild();
  void reap();
  void setStatus(bool ok);

  config::Config& config_;
  command::Services& svc_;
  int64_t lastSaveMs_;           // last successful save (or start-up)
  bool lastBgsaveOk_ = true;     // rdb_last_bgsave_status
  int64_t lastBgsaveTryMs_ = 0;  // last fork attempt (the retry delay counts from it)
  bool scheduled_ = false;       // BGSAVE SCHEDULE (or BGSAVE in EXEC) waiting for its turn
  uint64_t saves_ = 0;
  uint64_t lastCowBytes_ = 0;
  uint64_t loadedKeys_ = 0;
  uint64_t loadExpired_ = 0;
  std::function<bool()> otherChildActive_;
  std::function<bool(persist::ReplPosition&)> positionSource_;
  persist::ReplPosition loadedPosition_;
  std::function<void()> statusListener_;
  // BGSAVE: the child, its temp file, the pipe it reports its copy-on-write
  // size through, when it started, and the changes it covers.
  int childPid_ = -1;
  std::string childTemp_;
  CowReport cow_;  // the child tells its copy-on-write size
  int64_t childStartMs_ = 0;
  uint64_t dirtyAtFork_ = 0;
  int64_t lastBgsaveSec_ = -1;
};

}  // namespace erdtree::server
