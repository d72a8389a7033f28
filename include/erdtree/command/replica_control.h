#pragma once
// What REPLICAOF/SLAVEOF and ROLE need from the server's replica side
// (implemented by server; the command layer knows nothing of the link).
#include <cstdint>
#include <string>
#include <string_view>

namespace erdtree::command {

class ReplicaControl {
 public:
  virtual ~ReplicaControl() = default;
  // Follows host:port; false when already following exactly it.
  virtual bool replicaOf(std::string_view host, int port, const std::string& byClient) = 0;
  // REPLICAOF NO ONE: drops the link and becomes a master (no-op if one).
  virtual void replicaOfNoOne(const std::string& byClient) = 0;
  struct Role {
    bool replica = false;
    std::string host;
    int port = 0;
    std::string state;     // connect, connecting, handshake, sync, connected
    int64_t offset = 0;    // a replica: -1 until the sync is done; a master: master_repl_offset
  };
  virtual Role role() const = 0;
};

}  // namespace erdtree::command
