// 10,000 concurrent clients at the default maxclients: every one is served,
// and one more is refused with Redis's error.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

// The test process itself needs a descriptor per connection.
bool raiseFdLimit(rlim_t wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
  if (lim.rlim_cur >= wanted) return true;
  if (lim.rlim_max < wanted) return false;
  lim.rlim_cur = wanted;
  return setrlimit(RLIMIT_NOFILE, &lim) == 0;
}

}  // namespace

TEST(ManyClients, TenThousandConcurrentConnectionsAtDefaultMaxclients) {
  if (!raiseFdLimit(10200)) GTEST_SKIP() << "this machine does not allow 10,200 open files";
  ServerProcess server;  // default maxclients: 10000
  server.start();
  constexpr int kClients = 10000;
  std::vector<std::unique_ptr<RawConnection>> conns;
  conns.reserve(kClients);
  for (int i = 0; i < kClients; ++i) conns.push_back(std::make_unique<RawConnection>(server.port()));

  // Every connection writes, then every connection reads its own reply.
  for (int i = 0; i < kClients; ++i) {
    std::string key = "k" + std::to_string(i);
    conns[i]->send("*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n$1\r\nv\r\n");
  }
  int ok = 0;
  for (int i = 0; i < kClients; ++i)
    if (conns[i]->readExactly(5) == "+OK\r\n") ++ok;
  EXPECT_EQ(ok, kClients);

  // The 10,001st client is over the limit.
  const std::string refused = "-ERR max number of clients reached\r\n";
  RawConnection extra(server.port());
  EXPECT_EQ(extra.readExactly(refused.size()), refused);
  EXPECT_TRUE(extra.waitClosed());

  // Free one slot and check the data through it.
  conns.back().reset();
  conns.pop_back();
  Reply size;
  for (int attempt = 0; attempt < 50; ++attempt) {  // the server notices the close asynchronously
    try {
      Client c(server.port());
      size = c.cmd({"DBSIZE"});
      if (size.type == Reply::Type::Integer) break;
    } catch (const std::exception&) {
    }
    usleep(100 * 1000);
  }
  EXPECT_EQ(size.repr(), ":" + std::to_string(kClients));
}

TEST(ManyClients, MaxclientsChangesAtRunTime) {
  ServerProcess server;
  server.start();
  Client admin(server.port());
  ASSERT_EQ(admin.cmd({"CONFIG", "SET", "maxclients", "2"}).repr(), "+OK");
  Client second(server.port());
  EXPECT_EQ(second.cmd({"PING"}).repr(), "+PONG");
  const std::string refused = "-ERR max number of clients reached\r\n";
  RawConnection third(server.port());
  EXPECT_EQ(third.readExactly(refused.size()), refused);

  // Beyond what the descriptor limit can ever hold: refused, value unchanged.
  rlimit lim{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &lim), 0);  // the server inherits this limit
  if (lim.rlim_max == RLIM_INFINITY || lim.rlim_max > 100000000) GTEST_SKIP() << "no finite descriptor limit";
  std::string tooMany = std::to_string(lim.rlim_max + 1000);
  Reply r = admin.cmd({"CONFIG", "SET", "maxclients", tooMany});
  EXPECT_EQ(r.repr().rfind("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating "
                           "system is not able to handle the specified number of clients, try with ", 0),
            0u)
      << r.repr();
  EXPECT_EQ(admin.cmd({"CONFIG", "GET", "maxclients"}).strings(), (std::vector<std::string>{"maxclients", "2"}));
}
