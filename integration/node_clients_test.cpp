// The Node.js clients node-redis 6 and ioredis 6, which open every connection
// with HELLO 3 and speak RESP3 by default, against the real binary:
// tools/clients/resp3_clients.mjs exercises both (handshake, strings, expiry,
// MULTI/EXEC and pipelines, maps, sets, lists, errors, CLIENT, pub/sub push
// frames, passwords in HELLO) and exits non-zero on any failed check.
// Skipped unless node is installed and tools/clients/node_modules is present
// (tools/clients/run.sh, or `npm ci` in tools/clients, installs it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "harness/process.h"
#include "harness/server_process.h"

namespace erdtree::itest {
namespace {

// tools/clients of this source tree (ERDTREE_NODE_CLIENTS_DIR overrides it).
std::string nodeClientsDir() {
  if (const char* dir = std::getenv("ERDTREE_NODE_CLIENTS_DIR"); dir && *dir) return dir;
  std::string file = __FILE__;  // <root>/integration/node_clients_test.cpp
  auto slash = file.rfind('/');
  auto parent = slash == std::string::npos ? std::string::npos : file.rfind('/', slash - 1);
  return (parent == std::string::npos ? std::string("..") : file.substr(0, parent)) + "/tools/clients";
}

bool readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

TEST(NodeClients, NodeRedisAndIoredisOverResp3) {
  const std::string dir = nodeClientsDir();
  const std::string script = dir + "/resp3_clients.mjs";
  ASSERT_TRUE(readable(script)) << script << " is missing";
  const std::string node = findInPath("node");
  if (node.empty()) GTEST_SKIP() << "node is not installed (tools/clients/run.sh installs Debian's nodejs and npm)";
  for (const char* pkg : {"redis", "ioredis"}) {
    if (!readable(dir + "/node_modules/" + pkg + "/package.json"))
      GTEST_SKIP() << dir << "/node_modules/" << pkg
                   << " is not installed: run tools/clients/run.sh, or `npm ci` in tools/clients (needs the npm "
                      "registry)";
  }
  // A server of its own: the script sets requirepass with CONFIG SET (and
  // clears it again) for its password checks.
  ServerProcess server;
  server.start();
  auto r = runProcess({node, script, "--host", "127.0.0.1", "--port", std::to_string(server.port()), "--timeout",
                       "120"},
                      "", 150000);
  EXPECT_EQ(r.exitCode(), 0) << r.describe();
  EXPECT_NE(r.out.find(" passed, 0 failed\n"), std::string::npos) << r.describe();
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.describe();
  EXPECT_TRUE(server.running()) << server.log();
}

}  // namespace
}  // namespace erdtree::itest
