#pragma once
// Runs commands through the real registry and dispatcher against a real
// keyspace, capturing the raw reply bytes and every propagated record.
#include <string>
#include <vector>

#include "erdtree/command/dispatcher.h"
#include "erdtree/command/families.h"
#include "erdtree/command/registry.h"

namespace erdtree::testing {

class RecordingPropagator : public command::Propagator {
 public:
  void propagate(int db, std::span<const std::string_view> args) override {
    std::string line = std::to_string(db) + ":";
    for (auto a : args) line += " " + std::string(a);
    records.push_back(line);
  }
  void propagateToReplicas(int db, std::span<const std::string_view> args) override {
    std::string line = std::to_string(db) + ": (replicas)";
    for (auto a : args) line += " " + std::string(a);
    records.push_back(line);
  }
  std::vector<std::string> records;
};

class FakeServer : public command::ServerApi {
 public:
  std::string info(std::span<const std::string_view>) override { return "# Server\r\n"; }
  std::vector<std::pair<std::string, std::string>> configGet(std::span<const std::string_view>) override { return {}; }
  std::string configSet(std::span<const std::string_view>) override { return ""; }
  void resetStats() override {}
  std::string configRewrite() override { return ""; }
  const std::string& requirePass() const override { return pass; }
  std::string clientList(const command::Session*, std::span<const uint64_t>, std::string_view) override { return ""; }
  size_t clientKill(const command::Session&, const KillFilter&) override { return 0; }
  std::string shutdown(const ShutdownFlags& flags) override {
    shutdownCalled = true;
    lastShutdown = flags;
    return shutdownError;
  }
  std::string bgrewriteaof(bool) override { return "Background append only file rewriting started"; }
  std::string pass;
  bool shutdownCalled = false;
  ShutdownFlags lastShutdown;
  std::string shutdownError;  // what shutdown() answers ("" = stopping)
};

class CommandHarness {
 public:
  CommandHarness() : keyspace(16), svc{keyspace, registry, server, propagator}, dispatcher(svc) {
    command::registerAllCommands(registry);
    session.authenticated = true;
  }
  // Runs one command at the given time and returns its raw RESP reply.
  std::string run(std::vector<std::string> args, int64_t nowMs = 1'000'000) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    resp::Writer w(out);
    dispatcher.execute(session, views, w, nowMs);
    return out;
  }

  engine::Keyspace keyspace;
  command::Registry registry;
  FakeServer server;
  RecordingPropagator propagator;
  command::Services svc;
  command::Dispatcher dispatcher;
  command::Session session;
};

}  // namespace erdtree::testing
