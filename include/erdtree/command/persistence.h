#pragma once
// What the persistence commands (SAVE, BGSAVE, LASTSAVE, and FLUSHALL's
// snapshot reset) need from the server: the snapshot writer and its
// bookkeeping. Implemented by server (which owns the file names, the
// keyspace and the fork children); the command layer sees only this
// interface, as it sees ServerApi. Reply texts stay in the command layer.
#include <cstdint>
#include <string>

namespace erdtree::command {

class Persistence {
 public:
  // What a BGSAVE request came to (the command turns it into Redis's reply).
  enum class BgsaveStart {
    Started,           // a child is writing the snapshot now
    Scheduled,         // it starts once the other fork child is gone
    AlreadyRunning,    // a BGSAVE child runs already
    OtherChildActive,  // another fork child (AOF rewrite) runs and SCHEDULE was not given
    Failed,            // fork() failed (logged)
  };

  virtual ~Persistence() = default;
  // SAVE: writes the whole dataset to dir/dbfilename in the foreground.
  // Returns "" or the reason it failed (already logged).
  virtual std::string save() = 0;
  // BGSAVE [SCHEDULE]. schedule: when another fork child runs, start once it
  // is gone instead of refusing. inTransaction: called from EXEC, where a
  // fork would snapshot half the transaction; Redis schedules it then.
  virtual BgsaveStart bgsave(bool schedule, bool inTransaction) = 0;
  virtual bool saveInProgress() const = 0;
  // Unix time (seconds) of the last successful save (or of start-up).
  virtual int64_t lastSaveTime() const = 0;
  // After FLUSHALL emptied every database: with save rules on, a running
  // BGSAVE is killed and the (empty) dataset saved at once, as Redis does,
  // so a restart does not bring the flushed keys back.
  virtual void flushedAll() = 0;
  // DEBUG RELOAD: with save, writes dir/dbfilename in the foreground; with
  // flush, empties every database; then loads the file. merge: a key in the
  // file replaces one already there (else such a key is a load error).
  // Returns "" or the error reply (Redis's texts).
  virtual std::string debugReload(bool /*save*/, bool /*flush*/, bool /*merge*/) { return "ERR"; }
};

}  // namespace erdtree::command
