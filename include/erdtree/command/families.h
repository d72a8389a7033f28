#pragma once
// One registration function per command family (one file each under
// src/command/). Adding a family means writing its file and listing it in
// registerAllCommands; nothing else changes.
#include "erdtree/command/registry.h"

namespace erdtree::command {

void registerConnectionCommands(Registry& r);
void registerServerCommands(Registry& r);
void registerIntrospectionCommands(Registry& r);
void registerDebugCommands(Registry& r);        // DEBUG DIGEST, DIGEST-VALUE
void registerMemoryCommands(Registry& r);       // MEMORY USAGE/STATS/DOCTOR/MALLOC-STATS/PURGE
void registerStringCommands(Registry& r);
void registerKeyCommands(Registry& r);
void registerExpireCommands(Registry& r);
void registerListCommands(Registry& r);
void registerBlockingListCommands(Registry& r);  // BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP
void registerHashCommands(Registry& r);
void registerSetCommands(Registry& r);
void registerZSetCommands(Registry& r);
void registerBlockingZSetCommands(Registry& r);  // BZPOPMIN, BZPOPMAX, BZMPOP
void registerTransactionCommands(Registry& r);
void registerPubSubCommands(Registry& r);
void registerPersistenceCommands(Registry& r);  // SAVE, BGSAVE, LASTSAVE
void registerReplicaofCommands(Registry& r);    // REPLICAOF, SLAVEOF, ROLE
void registerReplicationCommands(Registry& r);  // REPLCONF, PSYNC, SYNC, ROLE (master side)
void registerMonitoringCommands(Registry& r);   // SLOWLOG, LATENCY, MONITOR
void registerScriptCommands(Registry& r);       // SCRIPT KILL/FLUSH/EXISTS, FUNCTION KILL (no scripting engine)

inline void registerAllCommands(Registry& r) {
  registerConnectionCommands(r);
  registerServerCommands(r);
  registerIntrospectionCommands(r);
  registerDebugCommands(r);
  registerMemoryCommands(r);
  registerStringCommands(r);
  registerKeyCommands(r);
  registerExpireCommands(r);
  registerListCommands(r);
  registerBlockingListCommands(r);
  registerHashCommands(r);
  registerSetCommands(r);
  registerZSetCommands(r);
  registerBlockingZSetCommands(r);
  registerTransactionCommands(r);
  registerPubSubCommands(r);
  registerPersistenceCommands(r);
  registerReplicaofCommands(r);
  registerReplicationCommands(r);
  registerScriptCommands(r);
  registerMonitoringCommands(r);
}

}  // namespace erdtree::command
