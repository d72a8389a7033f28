#pragma once
// Whole-dataset helpers for durability tests: fill a server with every data
// type (TTLs, several dbs, a MULTI/EXEC) and dump everything back as text,
// so "the data survived" is one string comparison.
#include "harness/client.h"
#include "harness/server_process.h"

namespace erdtree::itest {

// Every key of every db with its type, value and absolute expiry, as text
// (collections in a canonical order). Leaves the client in db 0.
std::string dumpAll(Client& c);

// Writes strings (binary, TTLs set and removed, a key about to expire),
// lists, hashes, sets and sorted sets in several dbs, and a MULTI/EXEC
// across dbs. Fails the test (gtest) if a write is refused.
void fillAllTypes(Client& c);

// Stops the server (SIGTERM, or SIGKILL when kill9), starts it again on the
// same directory and expects dumpAll() to equal `before`.
void expectSameDataAfterRestart(ServerProcess& s, const std::string& before, bool kill9 = false);

}  // namespace erdtree::itest
