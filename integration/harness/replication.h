#pragma once
// Helpers for the replication tests (a master and its replicas, any mix of
// erdtree and redis-server): INFO fields, "the replica has caught up", the
// whole-dataset comparison and a second round of writes of every type.
#include <functional>
#include <string>

#include "harness/client.h"

namespace erdtree::itest {

inline constexpr const char* kRedisServerBin = "/usr/bin/redis-server";

// One field of INFO <section> ("" when absent).
std::string infoField(Client& c, const std::string& section, const std::string& name);
// waitFor with the replication tests' generous default and 50 ms polls.
bool waitLong(const std::function<bool()>& cond, int timeoutMs = 15000);
// The replica's link is up and it has applied everything the master sent.
bool inSync(Client& master, Client& replica);
// Waits for inSync, then expects dumpAll() to be equal on both (retrying a
// little: a key about to expire may still be on its way as a DEL).
void expectSameData(Client& master, Client& replica);
// DEBUG DIGEST's 40 hex digits (Redis's data-set digest; a redis-server
// must run with --enable-debug-command yes). Fails the test on an error.
std::string digest(Client& c);
// Waits for inSync, then expects the same DEBUG DIGEST on both (retrying a
// little, as expectSameData). Any mix of erdtree and redis-server.
void expectSameDigest(Client& master, Client& replica);

// For failure messages: the keys whose DEBUG DIGEST-VALUE (or existence)
// differs between a and b, db by db, with both values dumped (at most 10).
// Leaves both clients in db 0.
std::string digestDiff(Client& a, Client& b);

// Writes of every type after a sync: several dbs, TTLs, a float, MULTI/EXEC.
// Leaves the client in db 0.
void writeMoreAllTypes(Client& master);

}  // namespace erdtree::itest
