// repl::Master's bookkeeping for WAIT, min-replicas-to-write and
// repl-timeout, with a fake transport: acknowledged offsets, the one
// GETACK per request, the good-replica count and its notifications, and
// which replicas a silence drops.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "erdtree/repl/master.h"

using erdtree::repl::Master;
using erdtree::repl::ReplicationIds;

namespace {

struct FakeTransport final : erdtree::repl::ReplicaTransport {
  std::map<uint64_t, std::string> out;
  std::vector<uint64_t> closed;
  int goodChanges = 0;
  std::string* replicaOutput(uint64_t id) override { return out.count(id) ? &out[id] : nullptr; }
  size_t replicaPendingBytes(uint64_t) override { return 0; }
  void replicaWake(uint64_t) override {}
  void replicaClose(uint64_t id) override { closed.push_back(id); }
  bool otherChildActive() override { return false; }
  int forkSnapshot(const std::string& path) override {
    pid_t pid = ::fork();
    if (pid == 0) {
      FILE* f = std::fopen(path.c_str(), "wb");
      std::fputs("RDB", f);
      std::fclose(f);
      ::_exit(0);
    }
    return pid;
  }
  void goodReplicasChanged() override { ++goodChanges; }
};

// A master with replicas 1 (full sync, then online) and 2 (partial), both
// online at time t0.
struct TwoOnline {
  static constexpr int64_t t0 = 1'000'000;
  TwoOnline() : m(ids, t) {
    dir = std::filesystem::temp_directory_path() / ("erdtree-acks-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    m.setSyncDir(dir.string());
    t.out[1];
    m.psync(1, "127.0.0.1", "?", -1, false, t0);
    for (int i = 0; i < 200 && m.childActive(); ++i) {
      m.cron(t0);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    m.pump(t0);
    t.out[2];
    m.psync(2, "127.0.0.1", ids.replid, ids.offset + 1, false, t0);
  }
  ~TwoOnline() {
    m.killChild();
    std::filesystem::remove_all(dir);
  }
  ReplicationIds ids;
  FakeTransport t;
  Master m;
  std::filesystem::path dir;
};

void feedSet(Master& m) {
  const std::string_view args[] = {"SET", "k", "v"};
  m.feed(0, args);
}

}  // namespace

TEST(ReplMasterAcks, CountsOnlineReplicasByAcknowledgedOffset) {
  TwoOnline s;
  ASSERT_EQ(s.m.replicas(s.t0).size(), 2u);
  EXPECT_EQ(s.m.countAcks(0), 2);
  feedSet(s.m);
  const int64_t off = s.ids.offset;
  EXPECT_EQ(s.m.countAcks(off), 0);
  s.m.ack(1, off, s.t0);
  EXPECT_EQ(s.m.countAcks(off), 1);
  s.m.ack(2, off + 5, s.t0);
  EXPECT_EQ(s.m.countAcks(off), 2);
  s.m.ack(2, 1, s.t0);  // an older offset never lowers it
  EXPECT_EQ(s.m.countAcks(off), 2);
}

TEST(ReplMasterAcks, OneGetackPerRequestIntoTheStream) {
  TwoOnline s;
  EXPECT_FALSE(s.m.sendRequestedAck());  // nobody asked
  s.t.out[1].clear();
  s.m.requestAck();
  s.m.requestAck();
  const int64_t before = s.ids.offset;
  EXPECT_TRUE(s.m.sendRequestedAck());
  EXPECT_FALSE(s.m.sendRequestedAck());
  s.m.flushStream();  // the server's loop does this in pump()
  const std::string getack = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";
  EXPECT_EQ(s.t.out[1], getack);
  EXPECT_EQ(s.ids.offset, before + static_cast<int64_t>(getack.size()));  // it counts in the offset
  // A relaying replica asks nobody: its stream is its master's.
  s.m.setProxying(true);
  s.m.requestAck();
  EXPECT_FALSE(s.m.sendRequestedAck());
}

TEST(ReplMasterAcks, GoodReplicasFollowTheirLastAck) {
  TwoOnline s;
  s.m.setGoodLagSeconds(2, s.t0);
  EXPECT_EQ(s.m.goodReplicas(), 2u);
  const int changes = s.t.goodChanges;
  s.m.ack(1, 0, s.t0 + 2000);
  s.m.cron(s.t0 + 2999);  // replica 2: lag 2 s, still good
  EXPECT_EQ(s.m.goodReplicas(), 2u);
  EXPECT_EQ(s.t.goodChanges, changes);
  s.m.cron(s.t0 + 3000);  // lag 3 s
  EXPECT_EQ(s.m.goodReplicas(), 1u);
  EXPECT_EQ(s.t.goodChanges, changes + 1);
  s.m.clientClosed(1);  // the good one goes away
  EXPECT_EQ(s.m.goodReplicas(), 0u);
  EXPECT_EQ(s.t.goodChanges, changes + 2);
}

TEST(ReplMasterAcks, SilentOnlineReplicasAreDroppedAfterTheTimeout) {
  TwoOnline s;
  s.m.setTimeoutSeconds(5);
  s.m.heard(2, s.t0 + 3000);  // any bytes count, not only ACKs
  s.m.cron(s.t0 + 5000);
  EXPECT_TRUE(s.t.closed.empty());
  s.m.cron(s.t0 + 5001);
  EXPECT_EQ(s.t.closed, std::vector<uint64_t>{1});
  s.m.clientClosed(1);  // what the server does once the socket is closed
  s.m.ack(2, 0, s.t0 + 7000);
  s.m.cron(s.t0 + 9000);
  EXPECT_EQ(s.t.closed, std::vector<uint64_t>{1});  // 2 acknowledged in time
  s.m.cron(s.t0 + 12001);
  EXPECT_EQ(s.t.closed, (std::vector<uint64_t>{1, 2}));
}
