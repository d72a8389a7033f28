#pragma once
// What the persistence commands (SAVE, BGSAVE, LASTSAVE) need from the server: the
// snapshot writer and its bookkeeping. Implemented by server (which owns the
// file names and the keyspace); the command layer sees only this interface,
// as it sees ServerApi.
#include <cstdint>
#include <string>

namespace erdtree::command {

class Persistence {
 public:
  virtual ~Persistence() = default;
  // Writes the whole dataset to dir/dbfilename in the foreground. Returns ""
  // or the reason it failed (already logged).
  virtual std::string save() = 0;
  // Starts a snapshot in a forked child. Returns "" when started, else the
  // error reply text (e.g. a save already running).
  virtual std::string bgsave() = 0;
  virtual bool saveInProgress() const = 0;
  // Unix time (seconds) of the last successful save (or of start-up).
  virtual int64_t lastSaveTime() const = 0;
};

}  // namespace erdtree::command
