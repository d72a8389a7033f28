// The replica link against a scripted master on a loopback socket: after
// +CONTINUE, the offset counts each command of the stream as it is applied,
// except a MULTI block, which counts only at its EXEC (Redis's reploff), so
// a saved position never covers queued, unapplied commands; a link lost
// inside MULTI tells the handler (it discards the transaction).
#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "erdtree/repl/replica_link.h"

namespace erdtree::repl {
namespace {

const std::string kId = "58a02916db8c5665e3af8f35ba4a4a292560381e";

struct Recorder final : ReplicaLinkHandler {
  std::string loadFullSync(const std::string&) override { return "unexpected"; }
  void applyCommand(std::span<const std::string_view> args) override { applied.emplace_back(args[0]); }
  bool relayStream(std::string_view) override { return false; }
  void fullSyncDone() override {}
  void linkLost() override { ++lost; }
  std::vector<std::string> applied;
  int lost = 0;
};

// A master that answers the handshake and then sends what the test gives it.
struct ScriptedMaster {
  uv_loop_t* loop;
  uv_tcp_t server{};
  uv_tcp_t* peer = nullptr;
  std::string received;
  bool continued = false;
  int port = 0;

  explicit ScriptedMaster(uv_loop_t* l) : loop(l) {
    uv_tcp_init(loop, &server);
    server.data = this;
    sockaddr_in addr{};
    uv_ip4_addr("127.0.0.1", 0, &addr);
    uv_tcp_bind(&server, reinterpret_cast<const sockaddr*>(&addr), 0);
    uv_listen(reinterpret_cast<uv_stream_t*>(&server), 1, [](uv_stream_t* s, int) {
      auto* self = static_cast<ScriptedMaster*>(s->data);
      self->peer = new uv_tcp_t;
      uv_tcp_init(self->loop, self->peer);
      self->peer->data = self;
      uv_accept(s, reinterpret_cast<uv_stream_t*>(self->peer));
      uv_read_start(
          reinterpret_cast<uv_stream_t*>(self->peer),
          [](uv_handle_t*, size_t n, uv_buf_t* b) { *b = uv_buf_init(new char[n], static_cast<unsigned>(n)); },
          [](uv_stream_t* st, ssize_t n, const uv_buf_t* b) {
            auto* m = static_cast<ScriptedMaster*>(st->data);
            if (n > 0) m->onBytes(std::string(b->base, static_cast<size_t>(n)));
            delete[] b->base;
          });
    });
    sockaddr_storage bound{};
    int len = sizeof bound;
    uv_tcp_getsockname(&server, reinterpret_cast<sockaddr*>(&bound), &len);
    port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }

  // One reply per handshake command, in the order the link sends them.
  void onBytes(const std::string& bytes) {
    received += bytes;
    for (const char* cmd : {"PING", "listening-port", "capa", "PSYNC"}) {
      if (bytes.find(cmd) == std::string::npos) continue;
      if (std::string(cmd) == "PSYNC") {
        send("+CONTINUE\r\n");
        continued = true;
      } else {
        send(std::string(cmd) == "PING" ? "+PONG\r\n" : "+OK\r\n");
      }
    }
  }
  void send(const std::string& bytes) {
    auto* req = new uv_write_t;
    auto* copy = new std::string(bytes);
    req->data = copy;
    uv_buf_t buf = uv_buf_init(copy->data(), static_cast<unsigned>(copy->size()));
    uv_write(req, reinterpret_cast<uv_stream_t*>(peer), &buf, 1, [](uv_write_t* r, int) {
      delete static_cast<std::string*>(r->data);
      delete r;
    });
  }
  void closePeer() {
    uv_close(reinterpret_cast<uv_handle_t*>(peer), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    peer = nullptr;
  }
  void close() {
    if (peer != nullptr) closePeer();
    uv_close(reinterpret_cast<uv_handle_t*>(&server), nullptr);
  }
};

std::string cmd(std::vector<std::string> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

bool runUntil(uv_loop_t* loop, const std::function<bool()>& cond) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    uv_run(loop, UV_RUN_NOWAIT);
  }
  return true;
}

TEST(ReplicaLinkStream, AMultiBlockCountsAtItsExec) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    ScriptedMaster master(&loop);
    Recorder h;
    ReplicationIds ids;
    ids.replid = kId;
    ids.offset = 100;
    ReplicaLinkOptions o;
    o.host = "127.0.0.1";
    o.port = master.port;
    {
      ReplicaLink link(&loop, h, ids, o);
      link.start();
      ASSERT_TRUE(runUntil(&loop, [&] { return master.continued && link.up(); }));
      EXPECT_NE(master.received.find("PSYNC\r\n$40\r\n" + kId + "\r\n$3\r\n101\r\n"), std::string::npos);

      const std::string set = cmd({"SET", "k", "v"});
      master.send(set);
      ASSERT_TRUE(runUntil(&loop, [&] { return h.applied.size() == 1; }));
      EXPECT_EQ(ids.offset, 100 + static_cast<int64_t>(set.size()));

      const std::string open = cmd({"MULTI"}) + cmd({"INCR", "n"});
      master.send(open);
      ASSERT_TRUE(runUntil(&loop, [&] { return h.applied.size() == 3; }));
      EXPECT_EQ(ids.offset, 100 + static_cast<int64_t>(set.size()));  // not before EXEC
      EXPECT_EQ(link.readOffset(), ids.offset + static_cast<int64_t>(open.size()));

      const std::string exec = cmd({"EXEC"});
      master.send(exec);
      ASSERT_TRUE(runUntil(&loop, [&] { return h.applied.size() == 4; }));
      EXPECT_EQ(ids.offset, 100 + static_cast<int64_t>(set.size() + open.size() + exec.size()));

      const int64_t before = ids.offset;
      master.send(cmd({"MULTI"}));
      ASSERT_TRUE(runUntil(&loop, [&] { return h.applied.size() == 5; }));
      master.closePeer();
      ASSERT_TRUE(runUntil(&loop, [&] { return !link.up(); }));
      EXPECT_EQ(h.lost, 1);
      EXPECT_EQ(ids.offset, before);  // the master sends the MULTI again
    }
    master.close();
    runUntil(&loop, [&] { return uv_run(&loop, UV_RUN_NOWAIT) == 0; });
  }
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace erdtree::repl
