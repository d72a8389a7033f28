#pragma once
// The RDB snapshot as the server runs it: SAVE in the foreground (through
// command::Persistence), the start-up load of dir/dbfilename, and the state
// INFO persistence reports. The format lives in persist/rdb_*.
#include <cstdint>
#include <string>

#include "erdtree/command/context.h"
#include "erdtree/config/config.h"
#include "erdtree/engine/keyspace.h"

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
  int64_t lastSaveTime() const override { return lastSaveSec_; }

  bool lastSaveOk() const { return lastSaveOk_; }
  std::string path() const;

 private:
  config::Config& config_;
  command::Services& svc_;
  int64_t lastSaveSec_;
  bool lastSaveOk_ = true;
};

}  // namespace erdtree::server
