// repl::Master with a fake transport: outputs are strings, the "snapshot"
// child writes a fixed file. Covers the shared sync child, the kept stream,
// the SELECT after a fork, the live stream and a partial resync.
#include "erdtree/repl/master.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

using erdtree::repl::Master;
using erdtree::repl::ReplicationIds;

namespace {

struct FakeTransport final : erdtree::repl::ReplicaTransport {
  std::map<uint64_t, std::string> out;
  std::string* replicaOutput(uint64_t id) override { return out.count(id) ? &out[id] : nullptr; }
  size_t replicaPendingBytes(uint64_t) override { return 0; }  // the socket takes everything
  void replicaWake(uint64_t) override {}
  void replicaClose(uint64_t id) override { out.erase(id); }
  bool otherChildActive() override { return false; }
  int forkSnapshot(const std::string& path) override {
    pid_t pid = ::fork();
    if (pid == 0) {
      FILE* f = std::fopen(path.c_str(), "wb");
      std::fputs("RDBDATA", f);
      std::fclose(f);
      ::_exit(0);
    }
    return pid;
  }
};

std::string setRecord(const std::string& k, const std::string& v) {
  return "*3\r\n$3\r\nSET\r\n$" + std::to_string(k.size()) + "\r\n" + k + "\r\n$" + std::to_string(v.size()) +
         "\r\n" + v + "\r\n";
}

void feedSet(Master& m, int db, std::string_view k, std::string_view v) {
  const std::string_view args[] = {"SET", k, v};
  m.feed(db, args);
}

}  // namespace

TEST(ReplMaster, FullSyncsShareTheChildThenStreamAndContinue) {
  auto dir = std::filesystem::temp_directory_path() / ("erdtree-master-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ReplicationIds ids;
  const std::string idBefore = ids.replid;
  FakeTransport t;
  Master m(ids, t);
  m.setSyncDir(dir.string());

  feedSet(m, 0, "ignored", "x");  // no backlog yet: not part of any stream
  EXPECT_EQ(ids.offset, 0);

  t.out[1];
  m.psync(1, "127.0.0.1", "?", -1, false, 0);
  ASSERT_NE(m.backlog(), nullptr);
  EXPECT_NE(ids.replid, idBefore);  // a new history starts with the backlog
  EXPECT_TRUE(m.childActive());
  feedSet(m, 2, "a", "1");  // during the fork: kept for the replicas
  t.out[2];
  m.psync(2, "127.0.0.1", "?", -1, false, 0);  // shares the running child
  EXPECT_EQ(m.syncFull(), 2u);
  const std::string full = "+FULLRESYNC " + ids.replid + " 0\r\n";
  EXPECT_EQ(t.out[1], full);
  EXPECT_EQ(t.out[2], full);

  for (int i = 0; i < 200 && m.childActive(); ++i) {
    m.cron(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(m.childActive());
  m.pump(0);
  const std::string select2 = "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n";
  const std::string synced = full + "$7\r\nRDBDATA" + select2 + setRecord("a", "1");
  EXPECT_EQ(t.out[1], synced);
  EXPECT_EQ(t.out[2], synced);
  for (const auto& r : m.replicas(0)) EXPECT_EQ(Master::stateName(r.state), std::string("online"));

  feedSet(m, 2, "b", "2");  // same db: no SELECT
  m.flushStream();            // the server's loop does this in pump()
  EXPECT_EQ(t.out[1], synced + setRecord("b", "2"));
  EXPECT_EQ(ids.offset, static_cast<int64_t>(select2.size() + setRecord("a", "1").size() + setRecord("b", "2").size()));

  // A replica that has everything up to "a" continues from the backlog.
  t.out[3];
  const int64_t next = static_cast<int64_t>(select2.size() + setRecord("a", "1").size()) + 1;
  m.psync(3, "127.0.0.1", ids.replid, next, false, 0);
  EXPECT_EQ(t.out[3], "+CONTINUE " + ids.replid + "\r\n" + setRecord("b", "2"));
  EXPECT_EQ(m.syncPartialOk(), 1u);
  // A replica joining in the same loop turn as a record that has not reached
  // the replicas yet gets it from the backlog, once; the others once too.
  const int64_t beforeC = ids.offset;
  feedSet(m, 2, "c", "3");
  t.out[5];
  m.psync(5, "127.0.0.1", ids.replid, beforeC + 1, false, 0);
  m.pump(0);
  EXPECT_EQ(t.out[5], "+CONTINUE " + ids.replid + "\r\n" + setRecord("c", "3"));
  EXPECT_EQ(t.out[3], "+CONTINUE " + ids.replid + "\r\n" + setRecord("b", "2") + setRecord("c", "3"));
  EXPECT_EQ(t.out[1], synced + setRecord("b", "2") + setRecord("c", "3"));
  // An unknown history: full resync, counted as a partial error.
  t.out[4];
  m.psync(4, "127.0.0.1", std::string(40, 'a'), 1, false, 0);
  EXPECT_EQ(m.syncPartialErr(), 1u);
  EXPECT_TRUE(m.childActive());
  m.killChild();
  m.clientClosed(1);
  EXPECT_EQ(m.replicas(0).size(), 4u);
  std::filesystem::remove_all(dir);
}
