// MEMORY STATS / INFO memory: Redis's overhead breakdown (getMemoryOverheadData)
// from erdtree's structures. used_memory is the allocation counter
// (util/alloc_counter.h); the parts below are what the server can name.
#include <fstream>

#include <unistd.h>

#include "erdtree/server/server.h"
#include "erdtree/util/alloc_counter.h"

namespace erdtree::server {
namespace {

uint64_t residentSetBytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

command::MemoryStats Server::memoryStats() {
  command::MemoryStats m;
  m.totalAllocated = util::usedMemory();
  m.peakAllocated = util::updatePeakMemory();
  m.startupAllocated = startupMemory_;
  m.rss = residentSetBytes();
  if (const repl::Backlog* b = master_.backlog()) m.replicationBacklog = b->size();
  tcp_->forEach([&](net::Connection& conn) {
    auto* c = static_cast<Client*>(conn.userData);
    const uint64_t bytes = sizeof(Client) + sizeof(net::Connection) + conn.input().capacity() + conn.pendingOutputBytes();
    if (c != nullptr && c->session.replica) m.clientsReplicas += bytes;
    else m.clientsNormal += bytes;
  });
  if (aof_) m.aofBuffer = aof_->bufferCapacity();
  m.overheadTotal = m.startupAllocated + m.replicationBacklog + m.clientsReplicas + m.clientsNormal + m.aofBuffer;
  for (int i = 0; i < keyspace_.count(); ++i) {
    engine::Db& db = keyspace_.db(i);
    if (db.size() == 0) continue;
    m.keys += db.size();
    command::MemoryStats::Db d;
    d.index = i;
    d.mainTable = db.table().memoryUsage();
    m.overheadTotal += d.mainTable + d.expiresTable;
    m.dbs.push_back(d);
  }
  return m;
}

}  // namespace erdtree::server
