// Redis Sentinel (Debian's redis-sentinel 7.0) managing erdtree: three
// sentinels from conf/sentinel/sentinel.conf watch an erdtree master with two
// erdtree replicas (conf/sentinel/master.toml, replica.toml). The master is
// killed with SIGKILL: a replica is promoted, the sentinels agree on it, the
// other replica follows it and gets its writes. The old master, restarted on
// its port as a master, is turned into a replica of the new one and catches
// up. Each role change reaches the servers' TOML files through CONFIG REWRITE
// (sent by Sentinel inside its MULTI/REPLICAOF/.../EXEC). One replica has
// replica-priority 0, so the promoted one is known in advance.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/dataset.h"
#include "harness/external_process.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

constexpr const char* kSentinelBin = "/usr/bin/redis-sentinel";

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// An erdtree server started from a copy of conf/sentinel/<example> with its
// port and dir (and the master it follows) filled in.
std::unique_ptr<ServerProcess> startErdtree(const std::string& example, int masterPort, int priority = 100) {
  auto s = std::make_unique<ServerProcess>();
  s->setPort(pickFreePort());
  std::string text = readSourceFile("conf/sentinel/" + example);
  text = replaceLine(text, "port = ", "port = " + std::to_string(s->port()));
  text = replaceLine(text, "dir = ", "dir = \"" + s->dir() + "\"");
  text = replaceLine(text, "replica-priority = ", "replica-priority = " + std::to_string(priority));
  if (masterPort > 0) text = replaceLine(text, "replicaof = ", "replicaof = \"127.0.0.1 " + std::to_string(masterPort) + "\"");
  const std::string file = s->dir() + "/erdtree.toml";
  std::ofstream(file) << text;
  s->setExtraArgs({"--config", file, "--save", ""});
  s->start();
  return s;
}

std::string configFile(const ServerProcess& s) { return readFile(s.dir() + "/erdtree.toml"); }

// One INFO field over a fresh connection: Sentinel's reconfiguration ends
// with CLIENT KILL TYPE normal, which closes every client the test holds.
std::string field(int port, const std::string& section, const std::string& name) {
  try {
    Client c(port, 2000);
    return infoField(c, section, name);
  } catch (const std::exception&) {
    return "";
  }
}

bool followsAndUp(int port, int masterPort) {
  return field(port, "replication", "master_port") == std::to_string(masterPort) &&
         field(port, "replication", "master_link_status") == "up";
}

struct Sentinels {
  std::vector<std::unique_ptr<ExternalProcess>> procs;
  std::vector<int> ports;

  void start(int masterPort) {
    const std::string example = readSourceFile("conf/sentinel/sentinel.conf");
    for (int i = 0; i < 3; ++i) {
      auto p = std::make_unique<ExternalProcess>("sentinel", kSentinelBin);
      const int port = pickFreePort();
      std::string text = replaceLine(example, "port ", "port " + std::to_string(port));
      text = replaceLine(text, "dir ", "dir " + p->dir());
      text = replaceLine(text, "sentinel monitor mymaster ",
                         "sentinel monitor mymaster 127.0.0.1 " + std::to_string(masterPort) + " 2");
      const std::string conf = p->writeFile("sentinel.conf", text);
      p->start({conf}, port);
      procs.push_back(std::move(p));
      ports.push_back(port);
    }
  }

  // SENTINEL MASTER mymaster as name -> value.
  std::string masterField(int port, const std::string& name) {
    Client c(port);
    Reply r = c.cmd({"SENTINEL", "MASTER", "mymaster"});
    for (size_t i = 0; i + 1 < r.elements.size(); i += 2)
      if (r.elements[i].str == name) return r.elements[i + 1].str;
    return "";
  }

  // The master's port every sentinel reports, or 0 while they disagree.
  int agreedMasterPort() {
    int agreed = -1;
    for (int port : ports) {
      Client c(port);
      Reply r = c.cmd({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"});
      if (r.elements.size() != 2) return 0;
      const int p = std::stoi(r.elements[1].str);
      if (agreed != -1 && p != agreed) return 0;
      agreed = p;
    }
    return agreed;
  }

  std::string logs() const {
    std::string out;
    for (const auto& p : procs) out += "---- " + p->logPath() + "\n" + p->log();
    return out;
  }
};

}  // namespace

TEST(Sentinel, FailoverPromotesAReplicaAndTheOldMasterRejoins) {
  if (ServerProcess::binaryPath().find("redis-server") != std::string::npos)
    GTEST_SKIP() << "the servers are started from erdtree's TOML examples";
  const std::string missing = missingBinary(kSentinelBin, "redis-sentinel");
  ASSERT_TRUE(missing.empty()) << missing;

  auto master = startErdtree("master.toml", 0);
  auto r1 = startErdtree("replica.toml", master->port());
  // Priority 0: Sentinel never promotes r2 (INFO slave_priority:0), so r1 it is.
  auto r2 = startErdtree("replica.toml", master->port(), 0);
  {
    Client m(master->port());
    fillAllTypes(m);
    Client c1(r1->port()), c2(r2->port());
    ASSERT_TRUE(waitLong([&] { return inSync(m, c1) && inSync(m, c2); }));
  }

  Sentinels sentinels;
  sentinels.start(master->port());
  // Every sentinel has found both replicas (from INFO) and the two other
  // sentinels (from __sentinel__:hello) before the master goes away.
  ASSERT_TRUE(waitLong(
      [&] {
        for (int port : sentinels.ports)
          if (sentinels.masterField(port, "num-slaves") != "2" ||
              sentinels.masterField(port, "num-other-sentinels") != "2")
            return false;
        return true;
      },
      20000))
      << sentinels.logs();
  EXPECT_EQ(sentinels.masterField(sentinels.ports[0], "flags"), "master");
  EXPECT_EQ(sentinels.masterField(sentinels.ports[0], "role-reported"), "master");

  master->kill9();
  int newPort = 0;
  ASSERT_TRUE(waitLong(
      [&] {
        newPort = sentinels.agreedMasterPort();
        return newPort != 0 && newPort != master->port();
      },
      30000))
      << sentinels.logs();
  ASSERT_EQ(newPort, r1->port()) << sentinels.logs();
  ServerProcess& promoted = *r1;
  ServerProcess& other = *r2;
  EXPECT_EQ(field(newPort, "replication", "role"), "master");
  ASSERT_TRUE(waitLong([&] { return followsAndUp(other.port(), newPort); })) << sentinels.logs() << other.log();
  {
    Client nm(newPort);
    Client o(other.port());
    ASSERT_EQ(nm.cmd({"SET", "after-failover", "written on the new master"}).repr(), "+OK");
    writeMoreAllTypes(nm);
    expectSameData(nm, o);
  }
  // CONFIG REWRITE recorded the roles: a restart keeps them.
  EXPECT_NE(configFile(promoted).find("replicaof = \"\""), std::string::npos) << configFile(promoted);
  EXPECT_NE(configFile(other).find("replicaof = \"127.0.0.1 " + std::to_string(newPort) + "\""), std::string::npos)
      << configFile(other);
  EXPECT_NE(configFile(other).find("replica-priority = 0\n"), std::string::npos) << configFile(other);

  // The old master comes back on its port with its old file (a master) and
  // data; Sentinel turns it into a replica of the new master.
  master->start();
  ASSERT_TRUE(waitLong([&] { return followsAndUp(master->port(), newPort); }, 30000))
      << sentinels.logs() << master->log();
  {
    Client nm(newPort);
    Client om(master->port());
    expectSameData(nm, om);
    EXPECT_EQ(om.cmd({"GET", "after-failover"}).str, "written on the new master");
  }
  EXPECT_NE(configFile(*master).find("replicaof = \"127.0.0.1 " + std::to_string(newPort) + "\""), std::string::npos)
      << configFile(*master);
  EXPECT_EQ(sentinels.agreedMasterPort(), newPort);
}
