#pragma once
// What the replication commands (REPLCONF, PSYNC, SYNC, ROLE, WAIT) need from the
// server, which owns the replica links (repl/master.h). Reply texts stay in
// the command layer; PSYNC/SYNC write their own stream into the client.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "erdtree/command/context.h"

namespace erdtree::command {

class Replication {
 public:
  struct ReplicaEntry {
    std::string ip;
    int64_t port;
    int64_t offset;  // last acknowledged
  };
  virtual ~Replication() = default;
  virtual void replconfListeningPort(Session& s, int64_t port) = 0;
  virtual void replconfIpAddress(Session& s, std::string_view ip) = 0;
  virtual void replconfAck(Session& s, int64_t offset) = 0;
  // PSYNC <replid> <offset> (oldSync: SYNC). The client becomes a replica.
  virtual void psync(Session& s, std::string_view replid, int64_t offset, bool oldSync) = 0;
  virtual int64_t masterOffset() const = 0;
  // WAIT: this server follows a master (WAIT is refused there); how many
  // online replicas acknowledged offset; ask them all for an ACK (once,
  // before the loop sleeps).
  virtual bool followsMaster() const = 0;
  virtual int64_t countAcks(int64_t offset) const = 0;
  virtual void requestAcks() = 0;
  virtual std::vector<ReplicaEntry> replicaEntries() const = 0;
};

}  // namespace erdtree::command
