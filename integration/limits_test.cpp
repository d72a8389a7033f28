// Resource limits and scale: maxclients, many concurrent connections, idle
// timeout, proto-max-bulk-len, client-query-buffer-limit, the output buffer
// limit for normal clients, and a 100 MB value round trip. Most tests need
// their own server flags, so each starts its own server.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/server_process.h"

namespace erdtree::itest {
namespace {

using Clock = std::chrono::steady_clock;

std::string multibulk(const std::vector<std::string>& args) {
  std::string out = strCat({"*", std::to_string(args.size())}) + "\r\n";
  for (const auto& a : args) out += strCat({"$", std::to_string(a.size())}) + "\r\n" + a + "\r\n";
  return out;
}

long long infoField(Client& c, const std::string& section, const std::string& field) {
  auto m = parseInfo(c.cmd({"INFO", section}).str);
  auto it = m.find(field);
  return it == m.end() ? -1 : std::stoll(it->second);
}

bool clientListed(Client& observer, const std::string& id) {
  for (auto& f : parseClientList(observer.cmd({"CLIENT", "LIST"}).str))
    if (f["id"] == id) return true;
  return false;
}

// Makes sure this process may open `needed` descriptors.
void ensureFdLimit(rlim_t needed) {
  rlimit rl{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_cur >= needed) return;
  rlim_t want = std::min<rlim_t>(rl.rlim_max, std::max<rlim_t>(needed, 4096));
  rl.rlim_cur = want;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &rl), 0);
  ASSERT_GE(want, needed) << "hard RLIMIT_NOFILE too low for this test";
}

// A deterministic, non-repeating-looking byte pattern.
std::string patternBytes(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

TEST(LimitsTest, MaxClients) {
  ServerProcess server({"--maxclients", "50"});
  server.start();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 50; ++i) {
    clients.push_back(std::make_unique<Client>(server.port()));
    ASSERT_EQ(clients.back()->cmd({"PING"}).repr(), "+PONG") << "client " << i;
  }
  // The 51st connection is told why and closed, without sending anything.
  {
    RawConnection extra(server.port());
    const std::string err = "-ERR max number of clients reached\r\n";
    EXPECT_EQ(extra.readExactly(err.size()), err);
    EXPECT_TRUE(extra.waitClosed(5000));
  }
  {
    Client extra(server.port());
    EXPECT_EQ(extra.cmd({"PING"}).repr(), "-ERR max number of clients reached");
    EXPECT_TRUE(extra.waitDisconnected(5000));
  }
  // Existing clients are unaffected.
  EXPECT_EQ(clients.front()->cmd({"SET", "k", "v"}).repr(), "+OK");
  EXPECT_EQ(clients.back()->cmd({"GET", "k"}).repr(), "$v");
  EXPECT_EQ(infoField(*clients.front(), "clients", "connected_clients"), 50);
  // Once one leaves, a new client is accepted (after the server notices).
  clients.pop_back();
  EXPECT_TRUE(waitFor(
      [&] {
        try {
          Client probe(server.port());
          return probe.cmd({"PING"}).repr() == "+PONG";
        } catch (const std::exception&) {
          return false;
        }
      },
      5000, 20));
}

TEST(LimitsTest, ThousandConcurrentConnections) {
  const int kConns = 1000;
  const int kThreads = 8;
  ensureFdLimit(kConns + 200);
  ServerProcess server;
  server.start();
  std::vector<std::unique_ptr<Client>> conns;
  conns.reserve(kConns);
  for (int i = 0; i < kConns; ++i) conns.push_back(std::make_unique<Client>(server.port(), 30000));

  std::atomic<int> failures{0};
  std::vector<std::string> firstFailure(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        // Each thread drives its share of connections: all requests first,
        // then all replies, so the server sees them concurrently.
        for (int round = 0; round < 3; ++round) {
          for (int i = t; i < kConns; i += kThreads) {
            std::string key = strCat({"conn:", std::to_string(i)});
            conns[static_cast<size_t>(i)]->append({"SET", key, strCat({"value-", std::to_string(i)}) + "-" + std::to_string(round)});
            conns[static_cast<size_t>(i)]->append({"GET", key});
            conns[static_cast<size_t>(i)]->flush();
          }
          for (int i = t; i < kConns; i += kThreads) {
            Reply set = conns[static_cast<size_t>(i)]->getReply();
            Reply get = conns[static_cast<size_t>(i)]->getReply();
            std::string want = strCat({"$value-", std::to_string(i)}) + "-" + std::to_string(round);
            if (set.repr() != "+OK" || get.repr() != want) {
              if (failures++ == 0 || firstFailure[static_cast<size_t>(t)].empty())
                firstFailure[static_cast<size_t>(t)] = strCat({"conn ", std::to_string(i)}) + ": " + set.repr() + " " + get.repr();
            }
          }
        }
      } catch (const std::exception& e) {
        ++failures;
        firstFailure[static_cast<size_t>(t)] = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  std::string why;
  for (const auto& f : firstFailure) if (!f.empty()) why += f + "\n";
  EXPECT_EQ(failures.load(), 0) << why;

  Client observer(server.port());
  EXPECT_EQ(infoField(observer, "clients", "connected_clients"), kConns + 1);
  EXPECT_EQ(observer.cmd({"DBSIZE"}).repr(), strCat({":", std::to_string(kConns)}));
  EXPECT_EQ(observer.cmd({"GET", "conn:999"}).repr(), "$value-999-2");
  conns.clear();
  EXPECT_TRUE(waitFor([&] { return infoField(observer, "clients", "connected_clients") == 1; }, 10000, 50))
      << "connected_clients stays at " << infoField(observer, "clients", "connected_clients");
}

TEST(LimitsTest, IdleTimeoutClosesIdleClients) {
  ServerProcess server({"--timeout", "1"});
  server.start();
  Client idle(server.port());
  Client busy(server.port());
  ASSERT_EQ(idle.cmd({"PING"}).repr(), "+PONG");
  EXPECT_EQ(busy.cmd({"CONFIG", "GET", "timeout"}).strings(), (std::vector<std::string>{"timeout", "1"}));
  auto start = Clock::now();
  // The busy client keeps talking and must survive; the idle one must be
  // closed within a few seconds.
  bool idleClosed = false;
  while (Clock::now() - start < std::chrono::seconds(8)) {
    ASSERT_EQ(busy.cmd({"PING"}).repr(), "+PONG");
    if (idle.waitDisconnected(250)) {
      idleClosed = true;
      break;
    }
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  EXPECT_TRUE(idleClosed) << "idle client still connected after " << elapsed << " ms";
  EXPECT_GE(elapsed, 900) << "closed before the timeout elapsed";
  // The busy client was not idle for a whole second, so it is still here.
  EXPECT_EQ(busy.cmd({"PING"}).repr(), "+PONG");
  EXPECT_EQ(infoField(busy, "clients", "connected_clients"), 1);
}

TEST(LimitsTest, ProtoMaxBulkLen) {
  // Redis's smallest accepted value is 1mb.
  ServerProcess server({"--proto-max-bulk-len", "1mb"});
  server.start();
  Client c(server.port());
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "proto-max-bulk-len"}).strings(),
            (std::vector<std::string>{"proto-max-bulk-len", "1048576"}));
  // Exactly at the limit is fine.
  std::string atLimit(1048576, 'a');
  EXPECT_EQ(c.cmd({"SET", "k", atLimit}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"STRLEN", "k"}).repr(), ":1048576");
  // Growing a string past the limit is refused with a normal error.
  EXPECT_EQ(c.cmd({"APPEND", "k", "b"}).repr(), "-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(c.cmd({"SETRANGE", "k", "1048576", "x"}).repr(),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  // One byte over: protocol error, connection closed, nothing stored.
  {
    RawConnection raw(server.port());
    raw.trySend("*3\r\n$3\r\nSET\r\n$4\r\nover\r\n$1048577\r\n");
    const std::string err = "-ERR Protocol error: invalid bulk length\r\n";
    EXPECT_EQ(raw.readExactly(err.size()), err);
    EXPECT_TRUE(raw.waitClosed(5000));
  }
  EXPECT_EQ(c.cmd({"EXISTS", "over"}).repr(), ":0");
  EXPECT_EQ(c.cmd({"PING"}).repr(), "+PONG");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "proto-max-bulk-len", "1000"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between "
            "1048576 and 9223372036854775807 inclusive");
}

TEST(LimitsTest, ClientQueryBufferLimit) {
  // Redis's smallest accepted value is 1mb.
  ServerProcess server({"--client-query-buffer-limit", "1mb"});
  server.start();
  Client observer(server.port());
  RawConnection flood(server.port(), 5000);
  flood.send("CLIENT ID\r\n");
  std::string idLine = flood.readUntil("\r\n");
  ASSERT_EQ(idLine.front(), ':') << idLine;
  std::string id = idLine.substr(1, idLine.size() - 3);

  // A 100 MB bulk (allowed by proto-max-bulk-len) that never completes.
  ASSERT_TRUE(flood.trySend("*3\r\n$3\r\nSET\r\n$5\r\nflood\r\n$100000000\r\n"));
  const std::string chunk(64 * 1024, 'x');
  const size_t maxBytes = 64u << 20;
  size_t sent = 0;
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (sent < maxBytes && Clock::now() < deadline) {
    if (!flood.trySend(chunk)) break;
    sent += chunk.size();
  }
  EXPECT_LT(sent, maxBytes) << "the server kept accepting an unterminated bulk far beyond the 1mb limit";
  EXPECT_TRUE(flood.waitClosed(5000));
  EXPECT_TRUE(waitFor([&] { return !clientListed(observer, id); }, 5000));
  EXPECT_EQ(observer.cmd({"EXISTS", "flood"}).repr(), ":0");
  EXPECT_EQ(infoField(observer, "clients", "connected_clients"), 1);
  // Requests below the limit still work.
  EXPECT_EQ(observer.cmd({"SET", "small", std::string(512 * 1024, 's')}).repr(), "+OK");
}

TEST(LimitsTest, ClientOutputBufferLimitForNormalClients) {
  ServerProcess server({"--client-output-buffer-limit", "normal 1mb 1mb 0"});
  server.start();
  Client observer(server.port());
  const std::string big(100 * 1024, 'v');
  ASSERT_EQ(observer.cmd({"SET", "big", big}).repr(), "+OK");
  long long memBefore = infoField(observer, "memory", "used_memory");

  RawConnection slow(server.port(), 2000);
  slow.send("CLIENT ID\r\n");
  std::string idLine = slow.readUntil("\r\n");
  ASSERT_EQ(idLine.front(), ':') << idLine;
  std::string id = idLine.substr(1, idLine.size() - 3);

  // Pipeline GETs of the 100 KB value and never read the replies: up to
  // 20,000 requests (2 GB of replies) unless the server cuts us off first.
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += multibulk({"GET", "big"});
  int batches = 0;
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (batches < 200 && Clock::now() < deadline) {
    if (!slow.trySend(batch)) break;  // closed, or the server stopped reading
    ++batches;
    if (!clientListed(observer, id)) break;
  }
  EXPECT_TRUE(waitFor([&] { return !clientListed(observer, id); }, 10000, 50))
      << "the non-reading client is still connected after " << batches << " batches of 100 GETs";
  EXPECT_EQ(infoField(observer, "clients", "connected_clients"), 1);
  // The server did not buffer the replies it could not send.
  long long memAfter = infoField(observer, "memory", "used_memory");
  EXPECT_LT(memAfter, memBefore + 16 * 1024 * 1024) << "before " << memBefore << " after " << memAfter;
  long long peak = infoField(observer, "memory", "used_memory_peak");
  if (peak >= 0) {
    EXPECT_LT(peak, memBefore + 64 * 1024 * 1024) << "peak " << peak;
  }
  EXPECT_TRUE(slow.waitClosed(10000));
  // Everyone else is fine.
  Reply got = observer.cmd({"GET", "big"});
  EXPECT_TRUE(got.str == big);
}

TEST(LimitsTest, HundredMegabyteValueRoundTrip) {
  ServerProcess server;
  server.start();
  Client c(server.port(), 60000);
  const size_t size = 100u * 1024 * 1024;
  std::string value = patternBytes(size, 12345);
  ASSERT_EQ(c.cmd({"SET", "huge", value}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"STRLEN", "huge"}).repr(), strCat({":", std::to_string(size)}));
  Reply r = c.cmd({"GET", "huge"});
  ASSERT_EQ(r.type, Reply::Type::String);
  ASSERT_EQ(r.str.size(), size);
  EXPECT_TRUE(r.str == value) << "100 MB value came back different";
  // A slice from the middle, to catch chunk-boundary bugs cheaply.
  Reply slice = c.cmd({"GETRANGE", "huge", "52428700", "52428899"});
  EXPECT_TRUE(slice.str == value.substr(52428700, 200));
  EXPECT_EQ(c.cmd({"DEL", "huge"}).repr(), ":1");
}

}  // namespace
}  // namespace erdtree::itest
