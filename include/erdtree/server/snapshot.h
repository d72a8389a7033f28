#pragma once
// The RDB snapshot as the server runs it: SAVE in the foreground and BGSAVE
// in a fork()ed child (through command::Persistence), the start-up load of
// dir/dbfilename, and the state INFO persistence reports. The format lives
// in persist/rdb_*.
//
// BGSAVE relies on fork()'s copy-on-write: the child sees the keyspace as it
// was at the fork, writes temp-<childpid>.rdb, renames it over the target and
// _exit()s; the cron reaps it. fork() is safe here because the process has
// one thread (the loop uses no libuv threadpool work). The child logs
// nothing (its exit status says it all) and touches no sockets.
#include <cstdint>
#include <string>

#include "erdtree/command/context.h"
#include "erdtree/config/config.h"
#include "erdtree/engine/keyspace.h"
#include "erdtree/persist/rdb_writer.h"

namespace erdtree::server {

class Snapshotter final : public command::Persistence {
 public:
  Snapshotter(config::Config& config, command::Services& services);

  // Redis's start-up rule: with appendonly off, load dir/dbfilename when it
  // exists (one log line with the key count and time). Returns "" or the
  // reason the server must not start (a corrupt or unreadable file).
  std::string loadAtStartup();

  // command::Persistence
  std::string save() override;
  std::string bgsave() override;
  bool saveInProgress() const override { return childPid_ > 0; }
  int64_t lastSaveTime() const override { return lastSaveSec_; }

  // Reaps a finished BGSAVE child (server cron); no-op otherwise.
  void poll();
  // Kills a running BGSAVE child and removes its temp file (shutdown).
  void killChild();

  bool lastSaveOk() const { return lastSaveOk_; }
  int64_t lastBgsaveSeconds() const { return lastBgsaveSec_; }
  int64_t currentBgsaveSeconds() const;  // -1 when none runs
  std::string path() const;

 private:
  persist::SaveOptions saveOptions() const;

  config::Config& config_;
  command::Services& svc_;
  int64_t lastSaveSec_;
  bool lastSaveOk_ = true;
  // BGSAVE: the child, when it started, and the changes it covers.
  int childPid_ = -1;
  int64_t childStartMs_ = 0;
  uint64_t dirtyAtFork_ = 0;
  int64_t lastBgsaveSec_ = -1;
};

}  // namespace erdtree::server
