// MULTI/EXEC/DISCARD/WATCH/UNWATCH: queueing, EXECABORT, no rollback on
// run-time errors, and optimistic locking under a real race.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/shared_server.h"

namespace erdtree::itest {
namespace {

class Transactions : public SharedServerTest<Transactions> {};

TEST_F(Transactions, QueuesThenRunsAndDoesNotRollBack) {
  Client& c = client();
  EXPECT_EQ(show(c.cmd({"SET", "s", "text"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SET", "a", "1"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"INCR", "s"})), "+QUEUED");  // fails only when run
  EXPECT_EQ(show(c.cmd({"INCR", "a"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "[+OK, -ERR value is not an integer or out of range, :2]");
  EXPECT_EQ(show(c.cmd({"GET", "a"})), "\"2\"");
}

TEST_F(Transactions, QueueTimeErrorsAbortTheWholeTransaction) {
  Client& c = client();
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SET", "a", "1"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"NOSUCH"})), "-ERR unknown command 'NOSUCH', with args beginning with: ");
  EXPECT_EQ(show(c.cmd({"GET"})), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "-EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(show(c.cmd({"EXISTS", "a"})), ":0");
  EXPECT_EQ(show(c.cmd({"SET", "after", "ok"})), "+OK");  // back to normal
}

TEST_F(Transactions, ControlCommandErrors) {
  Client& c = client();
  EXPECT_EQ(show(c.cmd({"EXEC"})), "-ERR EXEC without MULTI");
  EXPECT_EQ(show(c.cmd({"DISCARD"})), "-ERR DISCARD without MULTI");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "-ERR MULTI calls can not be nested");
  EXPECT_EQ(show(c.cmd({"WATCH", "k"})), "-ERR WATCH inside MULTI is not allowed");
  EXPECT_EQ(show(c.cmd({"SET", "k", "v"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"DISCARD"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXISTS", "k"})), ":0");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "[]");
}

TEST_F(Transactions, ClientListShowsAClientInMulti) {
  Client& c = client();
  Client other(port());
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"PING"})), "+QUEUED");
  std::string list = other.cmd({"CLIENT", "LIST"}).str;
  EXPECT_NE(list.find("flags=x db=0 sub=0 psub=0 ssub=0 multi=1 "), std::string::npos) << list;
  EXPECT_EQ(show(c.cmd({"DISCARD"})), "+OK");
}

TEST_F(Transactions, SelectInsideATransaction) {
  Client& c = client();
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SELECT", "3"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"SET", "k", "in3"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "[+OK, +OK]");
  EXPECT_EQ(show(c.cmd({"GET", "k"})), "\"in3\"");  // still in db 3
  EXPECT_EQ(show(c.cmd({"SELECT", "0"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXISTS", "k"})), ":0");
}

TEST_F(Transactions, WatchFailsWhenAnotherClientWrites) {
  Client& c = client();
  Client other(port());
  EXPECT_EQ(show(c.cmd({"SET", "w", "1"})), "+OK");
  EXPECT_EQ(show(c.cmd({"WATCH", "w"})), "+OK");
  EXPECT_EQ(show(other.cmd({"SET", "w", "2"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SET", "w", "mine"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "(nil)");
  EXPECT_EQ(show(c.cmd({"GET", "w"})), "\"2\"");
  // The failed EXEC unwatched: the next transaction goes through.
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SET", "w", "mine"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "[+OK]");
}

TEST_F(Transactions, WatchIgnoresNoOpsAndUnwatchForgets) {
  Client& c = client();
  Client other(port());
  EXPECT_EQ(show(c.cmd({"WATCH", "a", "b"})), "+OK");
  EXPECT_EQ(show(other.cmd({"DEL", "a"})), ":0");  // changed nothing
  EXPECT_EQ(show(other.cmd({"GET", "b"})), "(nil)");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"PING"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "[+PONG]");
  EXPECT_EQ(show(c.cmd({"WATCH", "a"})), "+OK");
  EXPECT_EQ(show(c.cmd({"UNWATCH"})), "+OK");
  EXPECT_EQ(show(other.cmd({"SET", "a", "x"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"GET", "a"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "[\"x\"]");
}

TEST_F(Transactions, OwnWritesAndExpiryAndFlushTriggerWatch) {
  Client& c = client();
  Client other(port());
  // The watching client's own write counts.
  EXPECT_EQ(show(c.cmd({"WATCH", "k"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SET", "k", "1"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "(nil)");
  // A watched key that expires before EXEC.
  EXPECT_EQ(show(c.cmd({"SET", "t", "1", "PX", "30"})), "+OK");
  EXPECT_EQ(show(c.cmd({"WATCH", "t"})), "+OK");
  usleep(100 * 1000);
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "(nil)");
  // FLUSHALL touches watched keys it removed, not absent ones.
  EXPECT_EQ(show(c.cmd({"SET", "present", "1"})), "+OK");
  EXPECT_EQ(show(c.cmd({"WATCH", "absent"})), "+OK");
  EXPECT_EQ(show(other.cmd({"FLUSHALL"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "[]");
  EXPECT_EQ(show(c.cmd({"SET", "present", "1"})), "+OK");
  EXPECT_EQ(show(c.cmd({"WATCH", "present"})), "+OK");
  EXPECT_EQ(show(other.cmd({"FLUSHDB"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "(nil)");
}

// Redis's rejectCommand: an EXEC refused before it runs (wrong arity, or
// subscribed mode) answers EXECABORT with the reason and discards the
// transaction and the watches, inside MULTI or not.
TEST_F(Transactions, RefusedExecAbortsWithTheReason) {
  Client& c = client();
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SET", "a", "1"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"EXEC", "x"})),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "-ERR EXEC without MULTI");
  EXPECT_EQ(show(c.cmd({"EXISTS", "a"})), ":0");
  // Outside MULTI it still unwatches.
  EXPECT_EQ(show(c.cmd({"WATCH", "w"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC", "x"})),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
  EXPECT_EQ(show(c.cmd({"SET", "w", "1"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "[]");
  // DISCARD with a wrong arity only flags the transaction.
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"DISCARD", "x"})), "-ERR wrong number of arguments for 'discard' command");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "-EXECABORT Transaction discarded because of previous errors.");
  // Subscribed (RESP2): EXEC is refused the same way.
  EXPECT_EQ(show(c.cmd({"SUBSCRIBE", "ch"})), "[\"subscribe\", \"ch\", :1]");
  EXPECT_EQ(show(c.cmd({"EXEC"})),
            "-EXECABORT Transaction discarded because of: Can't execute 'exec': only (P|S)SUBSCRIBE / "
            "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
  EXPECT_EQ(show(c.cmd({"UNSUBSCRIBE"})), "[\"unsubscribe\", \"ch\", :0]");
}

// A key already expired when WATCHed: its deletion (lazy expiry, FLUSHDB) is
// no change, a write that recreates it is.
TEST_F(Transactions, WatchedWhileExpiredOnlyAWriteCounts) {
  Client& c = client();
  auto expiredWatch = [&](const char* key) {
    EXPECT_EQ(show(c.cmd({"SET", key, "v", "PX", "1"})), "+OK");
    usleep(20 * 1000);
    EXPECT_EQ(show(c.cmd({"WATCH", key})), "+OK");
  };
  expiredWatch("x");
  EXPECT_EQ(show(c.cmd({"EXPIRE", "x", "100", "XX"})), ":0");  // deletes x lazily
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"GET", "x"})), "+QUEUED");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "[(nil)]");
  expiredWatch("x");
  EXPECT_EQ(show(c.cmd({"FLUSHDB"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "[]");
  expiredWatch("x");
  EXPECT_EQ(show(c.cmd({"SET", "x", "1"})), "+OK");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "(nil)");
}

// A write touches only the keys it changed: not DEL's absent keys, not the
// sources of COPY and SINTERSTORE, not the lists LMPOP did not pop.
TEST_F(Transactions, WritesTouchOnlyTheKeysTheyChange) {
  Client& c = client();
  auto untouched = [&](std::vector<std::string> setup, const std::string& watched, std::vector<std::string> write) {
    if (!setup.empty()) c.cmd(setup);
    EXPECT_EQ(show(c.cmd({"WATCH", watched})), "+OK");
    Reply w = c.cmd(write);
    EXPECT_FALSE(w.isError()) << show(w);
    EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
    EXPECT_EQ(show(c.cmd({"EXEC"})), "[]") << write[0] << " touched " << watched;
    c.cmd({"FLUSHALL"});
  };
  untouched({"SET", "a", "1"}, "b", {"DEL", "a", "b"});
  untouched({"SET", "a", "1"}, "b", {"UNLINK", "a", "b"});
  untouched({"SET", "s", "1"}, "s", {"COPY", "s", "d"});
  untouched({"SADD", "s", "m"}, "s", {"SINTERSTORE", "d", "s"});
  untouched({"SADD", "s", "m"}, "s", {"SUNIONSTORE", "d", "s"});
  untouched({"SADD", "s", "m"}, "s", {"SDIFFSTORE", "d", "s"});
  untouched({"RPUSH", "l", "x"}, "m", {"LMPOP", "2", "l", "m", "LEFT"});
  // ... and the keys they do change are touched.
  EXPECT_EQ(show(c.cmd({"SADD", "s", "m"})), ":1");
  EXPECT_EQ(show(c.cmd({"WATCH", "d"})), "+OK");
  EXPECT_EQ(show(c.cmd({"SINTERSTORE", "d", "s"})), ":1");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "(nil)");
  EXPECT_EQ(show(c.cmd({"RPUSH", "l", "x"})), ":1");
  EXPECT_EQ(show(c.cmd({"WATCH", "l"})), "+OK");
  EXPECT_EQ(show(c.cmd({"LMPOP", "2", "nosuch", "l", "LEFT"})), "[\"l\", [\"x\"]]");
  EXPECT_EQ(show(c.cmd({"MULTI"})), "+OK");
  EXPECT_EQ(show(c.cmd({"EXEC"})), "(nil)");
}

// Optimistic locking: two clients increment one counter through
// WATCH/GET/MULTI/SET/EXEC with retries; no update may be lost.
TEST_F(Transactions, WatchRaceLosesNoUpdates) {
  constexpr int kPerClient = 300;
  auto worker = [&](int* retries) {
    Client c(port());
    for (int done = 0; done < kPerClient;) {
      c.cmd({"WATCH", "counter"});
      Reply v = c.cmd({"GET", "counter"});
      long long n = v.isNil() ? 0 : std::stoll(v.str);
      c.cmd({"MULTI"});
      c.cmd({"SET", "counter", std::to_string(n + 1)});
      Reply r = c.cmd({"EXEC"});
      if (r.isNil()) ++*retries;
      else ++done;
    }
  };
  int retriesA = 0, retriesB = 0;
  std::thread a(worker, &retriesA), b(worker, &retriesB);
  a.join();
  b.join();
  EXPECT_EQ(show(client().cmd({"GET", "counter"})), "\"" + std::to_string(2 * kPerClient) + "\"");
  std::printf("watch race: %d + %d retries\n", retriesA, retriesB);
}

}  // namespace
}  // namespace erdtree::itest
