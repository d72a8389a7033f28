// Server-level commands: INFO, DBSIZE, FLUSHDB/FLUSHALL, CONFIG, TIME,
// SHUTDOWN, COMMAND, and the generic dispatcher errors (unknown command,
// wrong arity, case-insensitive names). Expected texts are Redis 7.0's.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/shared_server.h"
#include "harness/server_process.h"

namespace erdtree::itest {
namespace {

class ServerCommandsTest : public SharedServerTest<ServerCommandsTest> {
 protected:
  static std::map<std::string, std::string> info(Client& c, const std::string& section = "") {
    Reply r = section.empty() ? c.cmd({"INFO"}) : c.cmd({"INFO", section});
    EXPECT_EQ(r.type, Reply::Type::String) << r.repr();
    return parseInfo(r.str);
  }
  static long long infoInt(Client& c, const std::string& section, const std::string& field) {
    auto m = info(c, section);
    auto it = m.find(field);
    if (it == m.end()) {
      ADD_FAILURE() << "INFO " << section << " has no field " << field;
      return -1;
    }
    return std::stoll(it->second);
  }
  // CONFIG GET reply as a map (Redis does not promise the pair order).
  static std::map<std::string, std::string> configGet(Client& c, std::vector<std::string> patterns) {
    std::vector<std::string> args{"CONFIG", "GET"};
    args.insert(args.end(), patterns.begin(), patterns.end());
    Reply r = c.cmd(args);
    EXPECT_EQ(r.type, Reply::Type::Array) << r.repr();
    EXPECT_EQ(r.elements.size() % 2, 0u) << r.repr();
    std::map<std::string, std::string> out;
    for (size_t i = 0; i + 1 < r.elements.size(); i += 2) out[r.elements[i].str] = r.elements[i + 1].str;
    return out;
  }

};


bool isUnsigned(const std::string& s) { return isDigits(s); }

// ---------------------------------------------------------------- INFO

TEST_F(ServerCommandsTest, InfoDefaultSectionsAndFields) {
  Client c(port());
  ASSERT_EQ(c.cmd({"SET", "a", "1"}).repr(), "+OK");
  ASSERT_EQ(c.cmd({"SET", "b", "2"}).repr(), "+OK");
  ASSERT_EQ(c.cmd({"SET", "e", "3", "EX", "1000"}).repr(), "+OK");
  Reply r = c.cmd({"INFO"});
  ASSERT_EQ(r.type, Reply::Type::String) << r.repr();
  const std::string& text = r.str;

  // Sections appear with Redis's headers, in Redis's order.
  auto sections = infoSections(text);
  const std::vector<std::string> required{"Server", "Clients", "Memory", "Persistence", "Stats", "Replication",
                                          "Keyspace"};
  size_t last = 0;
  for (const auto& name : required) {
    auto it = std::find(sections.begin(), sections.end(), name);
    ASSERT_NE(it, sections.end()) << "missing # " << name << " in\n" << text;
    size_t pos = static_cast<size_t>(it - sections.begin());
    EXPECT_GE(pos, last) << name << " out of order";
    last = pos;
  }
  EXPECT_EQ(text.rfind("# Server\r\n", 0), 0u) << "INFO starts with the Server header";
  // Every line ends with CRLF.
  for (size_t pos = text.find('\n'); pos != std::string::npos; pos = text.find('\n', pos + 1)) {
    ASSERT_GT(pos, 0u);
    ASSERT_EQ(text[pos - 1], '\r') << "bare LF at offset " << pos;
  }

  auto f = parseInfo(text);
  EXPECT_TRUE(isVersionString(f["redis_version"])) << f["redis_version"];
  EXPECT_EQ(f["redis_mode"], "standalone");
  EXPECT_EQ(f["tcp_port"], std::to_string(port()));
  EXPECT_TRUE(isUnsigned(f["process_id"])) << f["process_id"];
  EXPECT_TRUE(isUnsigned(f["uptime_in_seconds"])) << f["uptime_in_seconds"];
  EXPECT_TRUE(isUnsigned(f["connected_clients"]));
  EXPECT_GE(std::stoll(f["connected_clients"]), 1);
  EXPECT_TRUE(isUnsigned(f["used_memory"]));
  EXPECT_GT(std::stoll(f["used_memory"]), 0);
  EXPECT_TRUE(f.count("used_memory_human")) << "used_memory_human";
  EXPECT_TRUE(f.count("maxmemory")) << "maxmemory";
  EXPECT_TRUE(f.count("maxmemory_policy")) << "maxmemory_policy";
  EXPECT_TRUE(f.count("loading")) << "loading";
  EXPECT_TRUE(f.count("aof_enabled")) << "aof_enabled";
  EXPECT_TRUE(isUnsigned(f["total_commands_processed"]));
  EXPECT_GT(std::stoll(f["total_commands_processed"]), 0);
  EXPECT_TRUE(isUnsigned(f["total_connections_received"]));
  EXPECT_TRUE(isUnsigned(f["keyspace_hits"]));
  EXPECT_TRUE(isUnsigned(f["keyspace_misses"]));
  EXPECT_TRUE(isUnsigned(f["expired_keys"]));
  EXPECT_EQ(f["role"], "master");
  EXPECT_EQ(f["connected_slaves"], "0");
  const std::string db0Prefix = "keys=3,expires=1,avg_ttl=";
  EXPECT_TRUE(f["db0"].rfind(db0Prefix, 0) == 0 && isDigits(f["db0"].substr(std::min(f["db0"].size(), db0Prefix.size()))))
      << f["db0"];
  EXPECT_EQ(f.count("db1"), 0u) << "empty databases are not listed";
}

TEST_F(ServerCommandsTest, InfoConnectedClientsCountsConnections) {
  Client& c = client();  // the fixture's connection is the only one left
  // Connections closed by earlier tests may take a moment to be noticed.
  ASSERT_TRUE(waitFor([&] { return infoInt(c, "clients", "connected_clients") == 1; }, 5000));
  {
    Client d(port());
    Client e(port());
    ASSERT_EQ(d.cmd({"PING"}).repr(), "+PONG");
    ASSERT_EQ(e.cmd({"PING"}).repr(), "+PONG");
    EXPECT_EQ(infoInt(c, "clients", "connected_clients"), 3);
  }
  EXPECT_TRUE(waitFor([&] { return infoInt(c, "clients", "connected_clients") == 1; }, 5000));
}

TEST_F(ServerCommandsTest, InfoSingleSection) {
  Client c(port());
  ASSERT_EQ(c.cmd({"SELECT", "5"}).repr(), "+OK");
  ASSERT_EQ(c.cmd({"SET", "x", "1"}).repr(), "+OK");
  Reply ks = c.cmd({"INFO", "keyspace"});
  ASSERT_EQ(ks.type, Reply::Type::String);
  EXPECT_EQ(infoSections(ks.str), std::vector<std::string>{"Keyspace"}) << ks.str;
  EXPECT_EQ(ks.str, "# Keyspace\r\ndb5:keys=1,expires=0,avg_ttl=0\r\n");

  Reply server = c.cmd({"INFO", "SERVER"});  // section names are case-insensitive
  EXPECT_EQ(infoSections(server.str), std::vector<std::string>{"Server"}) << server.str;
  EXPECT_EQ(parseInfo(server.str).count("redis_version"), 1u);
  EXPECT_EQ(parseInfo(server.str).count("used_memory"), 0u);

  Reply two = c.cmd({"INFO", "clients", "memory"});
  EXPECT_EQ(infoSections(two.str), (std::vector<std::string>{"Clients", "Memory"})) << two.str;

  for (const char* s : {"clients", "memory", "persistence", "stats", "replication"}) {
    Reply one = c.cmd({"INFO", s});
    auto secs = infoSections(one.str);
    ASSERT_EQ(secs.size(), 1u) << s << ": " << one.str;
    std::string lower = secs[0];
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    EXPECT_EQ(lower, s);
  }
  Reply none = c.cmd({"INFO", "nosuchsection"});
  EXPECT_EQ(none.repr(), "$");
}

TEST_F(ServerCommandsTest, InfoStatsCounters) {
  Client c(port());
  ASSERT_EQ(c.cmd({"SET", "hit", "1"}).repr(), "+OK");
  long long hits0 = infoInt(c, "stats", "keyspace_hits");
  long long misses0 = infoInt(c, "stats", "keyspace_misses");
  long long cmds0 = infoInt(c, "stats", "total_commands_processed");
  long long conns0 = infoInt(c, "stats", "total_connections_received");
  EXPECT_EQ(c.cmd({"GET", "hit"}).repr(), "$1");
  EXPECT_EQ(c.cmd({"GET", "hit"}).repr(), "$1");
  EXPECT_EQ(c.cmd({"GET", "miss"}).repr(), "(nil)");
  for (int i = 0; i < 5; ++i) ASSERT_EQ(c.cmd({"PING"}).repr(), "+PONG");
  { Client other(port()); ASSERT_EQ(other.cmd({"PING"}).repr(), "+PONG"); }
  EXPECT_EQ(infoInt(c, "stats", "keyspace_hits"), hits0 + 2);
  EXPECT_EQ(infoInt(c, "stats", "keyspace_misses"), misses0 + 1);
  // 4 INFOs, 3 GETs, 5+1 PINGs since cmds0 was sampled (the sampling INFO itself may or may not count).
  long long cmds1 = infoInt(c, "stats", "total_commands_processed");
  EXPECT_GE(cmds1, cmds0 + 12);
  EXPECT_LE(cmds1, cmds0 + 14);
  EXPECT_EQ(infoInt(c, "stats", "total_connections_received"), conns0 + 1);
}

// ---------------------------------------------------------------- DBSIZE / FLUSH*

TEST_F(ServerCommandsTest, Dbsize) {
  Client c(port());
  EXPECT_EQ(c.cmd({"DBSIZE"}).repr(), ":0");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(c.cmd({"SET", strCat({"k", std::to_string(i)}), "v"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"DBSIZE"}).repr(), ":3");
  ASSERT_EQ(c.cmd({"SET", "k0", "again"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"DBSIZE"}).repr(), ":3");
  ASSERT_EQ(c.cmd({"SELECT", "1"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"DBSIZE"}).repr(), ":0");
  ASSERT_EQ(c.cmd({"SET", "only-in-1", "v"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"DBSIZE"}).repr(), ":1");
  EXPECT_EQ(c.cmd({"DBSIZE", "x"}).repr(), "-ERR wrong number of arguments for 'dbsize' command");
}

void fillDbs(Client& c) {
  for (int db : {0, 1, 9}) {
    ASSERT_EQ(c.cmd({"SELECT", std::to_string(db)}).repr(), "+OK");
    for (int i = 0; i < 10; ++i) ASSERT_EQ(c.cmd({"SET", strCat({"key", std::to_string(i)}), "v"}).repr(), "+OK");
    ASSERT_EQ(c.cmd({"SET", "ttl", "v", "EX", "100"}).repr(), "+OK");
  }
  ASSERT_EQ(c.cmd({"SELECT", "0"}).repr(), "+OK");
}

long long dbsizeOf(Client& c, int db) {
  EXPECT_EQ(c.cmd({"SELECT", std::to_string(db)}).repr(), "+OK");
  Reply r = c.cmd({"DBSIZE"});
  EXPECT_EQ(c.cmd({"SELECT", "0"}).repr(), "+OK");
  return r.integer;
}

TEST_F(ServerCommandsTest, FlushdbOnlyCurrentDatabase) {
  for (const std::vector<std::string>& flush :
       {std::vector<std::string>{"FLUSHDB"}, {"FLUSHDB", "ASYNC"}, {"FLUSHDB", "SYNC"}, {"flushdb", "async"}}) {
    Client c(port());
    fillDbs(c);
    ASSERT_EQ(c.cmd({"SELECT", "1"}).repr(), "+OK");
    EXPECT_EQ(c.cmd(flush).repr(), "+OK") << flush.back();
    EXPECT_EQ(c.cmd({"DBSIZE"}).repr(), ":0");
    EXPECT_EQ(c.cmd({"GET", "key1"}).repr(), "(nil)");
    EXPECT_EQ(dbsizeOf(c, 0), 11);
    EXPECT_EQ(dbsizeOf(c, 9), 11);
    EXPECT_EQ(c.cmd({"FLUSHALL"}).repr(), "+OK");
  }
  Client c(port());
  EXPECT_EQ(c.cmd({"FLUSHDB", "foo"}).repr(), "-ERR syntax error");
  EXPECT_EQ(c.cmd({"FLUSHDB", "ASYNC", "SYNC"}).repr(), "-ERR syntax error");
}

TEST_F(ServerCommandsTest, FlushallAllDatabases) {
  for (const std::vector<std::string>& flush :
       {std::vector<std::string>{"FLUSHALL"}, {"FLUSHALL", "ASYNC"}, {"FLUSHALL", "SYNC"}, {"FlushAll", "Async"}}) {
    Client c(port());
    fillDbs(c);
    EXPECT_EQ(c.cmd(flush).repr(), "+OK") << flush.back();
    for (int db : {0, 1, 9}) EXPECT_EQ(dbsizeOf(c, db), 0) << "db " << db;
    EXPECT_EQ(c.cmd({"INFO", "keyspace"}).str, "# Keyspace\r\n");
    // The server is immediately usable again.
    EXPECT_EQ(c.cmd({"SET", "key1", "new"}).repr(), "+OK");
    EXPECT_EQ(c.cmd({"GET", "key1"}).repr(), "$new");
  }
  Client c(port());
  EXPECT_EQ(c.cmd({"FLUSHALL", "foo"}).repr(), "-ERR syntax error");
}

TEST_F(ServerCommandsTest, FlushallAsyncLargeDataset) {
  Client c(port());
  const int n = 20000;
  for (int i = 0; i < n; ++i) c.append({"SET", strCat({"big:", std::to_string(i)}), std::string(100, 'x')});
  for (int i = 0; i < n; ++i) ASSERT_EQ(c.getReply().repr(), "+OK");
  EXPECT_EQ(c.cmd({"DBSIZE"}).repr(), strCat({":", std::to_string(n)}));
  EXPECT_EQ(c.cmd({"FLUSHALL", "ASYNC"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"DBSIZE"}).repr(), ":0");
  EXPECT_EQ(c.cmd({"GET", "big:7"}).repr(), "(nil)");
}

// ---------------------------------------------------------------- CONFIG

TEST_F(ServerCommandsTest, ConfigGetSingleAndGlob) {
  Client c(port());
  Reply portReply = c.cmd({"CONFIG", "GET", "port"});
  EXPECT_EQ(portReply.strings(), (std::vector<std::string>{"port", std::to_string(port())}));

  auto mm = configGet(c, {"maxmemory*"});
  for (const char* k : {"maxmemory", "maxmemory-policy", "maxmemory-samples"})
    EXPECT_EQ(mm.count(k), 1u) << "CONFIG GET maxmemory* lacks " << k;
  for (const auto& [k, v] : mm) EXPECT_EQ(k.rfind("maxmemory", 0), 0u) << k << " does not match maxmemory*";
  EXPECT_EQ(mm["maxmemory"], "0");
  EXPECT_EQ(mm["maxmemory-policy"], "noeviction");

  // Several patterns in one call (Redis 7); no duplicates in the reply.
  auto several = configGet(c, {"port", "bind", "maxmemory"});
  EXPECT_EQ(several.size(), 3u);
  EXPECT_EQ(several["port"], std::to_string(port()));
  EXPECT_EQ(several["bind"], "127.0.0.1");
  EXPECT_EQ(several["maxmemory"], "0");
  Reply dup = c.cmd({"CONFIG", "GET", "port", "port", "p?rt"});
  EXPECT_EQ(dup.elements.size(), 2u) << dup.repr();

  // Other glob forms.
  auto q = configGet(c, {"p?rt"});
  EXPECT_EQ(q["port"], std::to_string(port()));
  auto all = configGet(c, {"*"});
  EXPECT_GT(all.size(), 10u);
  EXPECT_EQ(all["port"], std::to_string(port()));
  EXPECT_EQ(all["dir"], server_->dir());
  auto cls = configGet(c, {"[bd]i[nr]*"});
  EXPECT_EQ(cls["bind"], "127.0.0.1");
  EXPECT_EQ(cls["dir"], server_->dir());

  // Names are case-insensitive.
  Reply upper = c.cmd({"CONFIG", "GET", "PORT"});
  ASSERT_EQ(upper.elements.size(), 2u) << upper.repr();
  EXPECT_EQ(upper.elements[1].str, std::to_string(port()));

  EXPECT_EQ(c.cmd({"CONFIG", "GET", "nosuchparam"}).repr(), "[]");
  EXPECT_EQ(c.cmd({"CONFIG", "GET", "nosuch*"}).repr(), "[]");
  EXPECT_EQ(c.cmd({"CONFIG", "GET"}).repr(), "-ERR wrong number of arguments for 'config|get' command");
  EXPECT_EQ(c.cmd({"CONFIG"}).repr(), "-ERR wrong number of arguments for 'config' command");
  EXPECT_EQ(c.cmd({"CONFIG", "NOSUCHSUB"}).repr(), "-ERR unknown subcommand 'NOSUCHSUB'. Try CONFIG HELP.");
}

TEST_F(ServerCommandsTest, ConfigSet) {
  Client c(port());
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "maxmemory", "10mb"}).repr(), "+OK");
  EXPECT_EQ(configGet(c, {"maxmemory"})["maxmemory"], "10485760");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "MAXMEMORY", "0"}).repr(), "+OK");
  EXPECT_EQ(configGet(c, {"maxmemory"})["maxmemory"], "0");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "timeout", "300"}).repr(), "+OK");
  EXPECT_EQ(configGet(c, {"timeout"})["timeout"], "300");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "timeout", "0"}).repr(), "+OK");

  // Several parameters at once.
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "maxmemory", "1mb", "maxmemory-policy", "allkeys-lru"}).repr(), "+OK");
  auto both = configGet(c, {"maxmemory", "maxmemory-policy"});
  EXPECT_EQ(both["maxmemory"], "1048576");
  EXPECT_EQ(both["maxmemory-policy"], "allkeys-lru");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction"}).repr(), "+OK");

  // Invalid values: exact Redis texts.
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "maxmemory", "abc"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "maxmemory-policy", "bogus"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of "
            "the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, "
            "allkeys-random, noeviction");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "maxclients", "abc"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into "
            "an integer");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "timeout", "-1"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and "
            "2147483647 inclusive");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "databases", "4"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config");
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "maxmemory", "1mb", "maxmemory", "2mb"}).repr(),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter");
  // Unknown parameter.
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "nosuch", "1"}).repr(),
            "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  // Wrong number of arguments.
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "maxmemory"}).repr(),
            "-ERR wrong number of arguments for 'config|set' command");
  // An odd number of name/value arguments beyond the arity is a syntax error.
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "maxmemory", "1mb", "timeout"}).repr(), "-ERR syntax error");

  // A multi-parameter SET is all or nothing.
  EXPECT_EQ(c.cmd({"CONFIG", "SET", "maxmemory", "2mb", "maxmemory-policy", "bogus"}).isError(), true);
  auto after = configGet(c, {"maxmemory", "maxmemory-policy"});
  EXPECT_EQ(after["maxmemory"], "0");
  EXPECT_EQ(after["maxmemory-policy"], "noeviction");
}

TEST_F(ServerCommandsTest, ConfigResetStat) {
  Client c(port());
  ASSERT_EQ(c.cmd({"SET", "k", "v"}).repr(), "+OK");
  ASSERT_EQ(c.cmd({"GET", "k"}).repr(), "$v");
  ASSERT_EQ(c.cmd({"GET", "nope"}).repr(), "(nil)");
  ASSERT_EQ(c.cmd({"NOSUCHCOMMAND"}).type, Reply::Type::Error);
  auto before = info(c, "stats");
  EXPECT_GT(std::stoll(before["keyspace_hits"]), 0);
  EXPECT_GT(std::stoll(before["total_commands_processed"]), 3);

  EXPECT_EQ(c.cmd({"CONFIG", "RESETSTAT"}).repr(), "+OK");
  auto after = info(c, "stats");
  EXPECT_EQ(after["keyspace_hits"], "0");
  EXPECT_EQ(after["keyspace_misses"], "0");
  EXPECT_EQ(after["expired_keys"], "0");
  // Redis counts the RESETSTAT itself (it is counted after it ran): 1.
  EXPECT_GE(std::stoll(after["total_commands_processed"]), 0);
  EXPECT_LE(std::stoll(after["total_commands_processed"]), 2);
  EXPECT_EQ(after["total_error_replies"], "0");
  // Data is untouched.
  EXPECT_EQ(c.cmd({"GET", "k"}).repr(), "$v");
  EXPECT_EQ(c.cmd({"CONFIG", "RESETSTAT", "x"}).repr(),
            "-ERR wrong number of arguments for 'config|resetstat' command");
}

// ---------------------------------------------------------------- TIME

TEST_F(ServerCommandsTest, Time) {
  Client c(port());
  Reply r = c.cmd({"TIME"});
  ASSERT_EQ(r.type, Reply::Type::Array) << r.repr();
  ASSERT_EQ(r.elements.size(), 2u);
  for (const auto& e : r.elements) {
    EXPECT_EQ(e.type, Reply::Type::String) << r.repr();
    EXPECT_TRUE(isUnsigned(e.str)) << e.str;
  }
  long long secs = std::stoll(r.elements[0].str);
  long long micros = std::stoll(r.elements[1].str);
  EXPECT_LE(std::llabs(secs - static_cast<long long>(std::time(nullptr))), 5);
  EXPECT_GE(micros, 0);
  EXPECT_LT(micros, 1000000);
  // Monotonic enough: a later TIME is not earlier.
  Reply r2 = c.cmd({"TIME"});
  long long t1 = secs * 1000000 + micros;
  long long t2 = std::stoll(r2.elements[0].str) * 1000000 + std::stoll(r2.elements[1].str);
  EXPECT_GE(t2, t1);
  EXPECT_EQ(c.cmd({"TIME", "x"}).repr(), "-ERR wrong number of arguments for 'time' command");
}

// ---------------------------------------------------------------- COMMAND

TEST_F(ServerCommandsTest, CommandCount) {
  Client c(port());
  Reply r = c.cmd({"COMMAND", "COUNT"});
  ASSERT_EQ(r.type, Reply::Type::Integer) << r.repr();
  EXPECT_GT(r.integer, 50);
  EXPECT_EQ(c.cmd({"COMMAND", "COUNT", "x"}).repr(), "-ERR wrong number of arguments for 'command|count' command");
}

void expectCommandInfo(const Reply& e, const std::string& name, long long arity,
                       const std::vector<std::string>& flags, long long first, long long last, long long step) {
  ASSERT_EQ(e.type, Reply::Type::Array) << e.repr();
  // Redis 7: name, arity, flags, first key, last key, step, ACL categories,
  // tips, key specs, subcommands.
  ASSERT_EQ(e.elements.size(), 10u) << e.repr();
  EXPECT_EQ(e.elements[0].repr(), "$" + name);
  EXPECT_EQ(e.elements[1].repr(), strCat({":", std::to_string(arity)}));
  ASSERT_EQ(e.elements[2].type, Reply::Type::Array);
  std::vector<std::string> gotFlags;
  for (const auto& f : e.elements[2].elements) {
    EXPECT_EQ(f.type, Reply::Type::Status) << "flags are status replies: " << e.repr();
    gotFlags.push_back(f.str);
  }
  EXPECT_EQ(gotFlags, flags) << e.repr();
  EXPECT_EQ(e.elements[3].repr(), strCat({":", std::to_string(first)}));
  EXPECT_EQ(e.elements[4].repr(), strCat({":", std::to_string(last)}));
  EXPECT_EQ(e.elements[5].repr(), strCat({":", std::to_string(step)}));
  for (size_t i = 6; i < 10; ++i) EXPECT_EQ(e.elements[i].type, Reply::Type::Array) << i << ": " << e.repr();
}

TEST_F(ServerCommandsTest, CommandInfo) {
  Client c(port());
  Reply r = c.cmd({"COMMAND", "INFO", "get", "set"});
  ASSERT_EQ(r.type, Reply::Type::Array) << r.repr();
  ASSERT_EQ(r.elements.size(), 2u);
  expectCommandInfo(r.elements[0], "get", 2, {"readonly", "fast"}, 1, 1, 1);
  expectCommandInfo(r.elements[1], "set", -3, {"write", "denyoom"}, 1, 1, 1);
  EXPECT_EQ(r.elements[0].elements[6].strings(), (std::vector<std::string>{"@read", "@string", "@fast"}));
  EXPECT_EQ(r.elements[1].elements[6].strings(), (std::vector<std::string>{"@write", "@string", "@slow"}));

  // Upper-case names work; unknown commands yield nil in their slot.
  Reply mixed = c.cmd({"COMMAND", "INFO", "GET", "nosuchcommand", "ping"});
  ASSERT_EQ(mixed.elements.size(), 3u) << mixed.repr();
  EXPECT_EQ(mixed.elements[0].elements[0].repr(), "$get");
  EXPECT_EQ(mixed.elements[1].repr(), "(nil)");
  expectCommandInfo(mixed.elements[2], "ping", -1, {"fast"}, 0, 0, 0);
}

TEST_F(ServerCommandsTest, CommandDocs) {
  Client c(port());
  Reply r = c.cmd({"COMMAND", "DOCS", "get"});
  ASSERT_EQ(r.type, Reply::Type::Array) << r.repr();
  // RESP2 rendering of a map: {"get": {summary: ..., since: ..., group: ...}}.
  ASSERT_EQ(r.elements.size(), 2u) << r.repr();
  EXPECT_EQ(r.elements[0].repr(), "$get");
  const Reply& doc = r.elements[1];
  ASSERT_EQ(doc.type, Reply::Type::Array) << doc.repr();
  ASSERT_FALSE(doc.elements.empty());
  ASSERT_EQ(doc.elements.size() % 2, 0u);
  std::map<std::string, const Reply*> fields;
  for (size_t i = 0; i + 1 < doc.elements.size(); i += 2) fields[doc.elements[i].str] = &doc.elements[i + 1];
  ASSERT_TRUE(fields.count("summary")) << doc.repr();
  EXPECT_FALSE(fields["summary"]->str.empty());
  ASSERT_TRUE(fields.count("group")) << doc.repr();
  EXPECT_EQ(fields["group"]->str, "string");
  EXPECT_EQ(c.cmd({"COMMAND", "DOCS", "nosuchcommand"}).repr(), "[]");
}

TEST_F(ServerCommandsTest, CommandGetkeys) {
  Client c(port());
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "SET", "a", "b"}).strings(), (std::vector<std::string>{"a"}));
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}).strings(),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "OBJECT", "ENCODING", "k"}).strings(), (std::vector<std::string>{"k"}));
  // Error order as Redis 7.0 (found by tools/difftest): command|getkeys has
  // arity -4; an unknown command or subcommand comes first, then "no key
  // arguments", then the arity of the command asked about.
  const std::string arity = "-ERR wrong number of arguments for 'command|getkeys' command";
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS"}).repr(), arity);
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "GET"}).repr(), arity);
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "PING"}).repr(), arity);
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "nosuchcmd", "a"}).repr(), "-ERR Invalid command specified");
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "CONFIG", "nosuch", "a"}).repr(), "-ERR Invalid command specified");
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "PING", "x"}).repr(), "-ERR The command has no key arguments");
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "ECHO", "x"}).repr(), "-ERR The command has no key arguments");
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "CONFIG", "GET", "x"}).repr(), "-ERR The command has no key arguments");
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "SET", "a"}).repr(), "-ERR Invalid number of arguments specified for command");
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "GET", "a", "b"}).repr(),
            "-ERR Invalid number of arguments specified for command");
}

// Commands whose keys follow a key count (Redis's "movablekeys"): the
// key-spec reading needs a strict count with every key present; otherwise
// Redis falls back to atoi() of the count (and puts a fixed destination key
// last), and a count that gives no keys is an error.
TEST_F(ServerCommandsTest, CommandGetkeysMovableKeys) {
  Client c(port());
  using V = std::vector<std::string>;
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b"}).strings(), (V{"a", "b"}));
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "SINTERCARD", "1", "a", "LIMIT", "1"}).strings(), (V{"a"}));
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "sintercard", "2x", "a", "b"}).strings(), (V{"a", "b"}));  // atoi
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "SINTERCARD", " 1", "a"}).strings(), (V{"a"}));
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "LMPOP", "2", "a", "b", "LEFT"}).strings(), (V{"a", "b"}));
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "LMPOP", "1", "a", "b", "LEFT", "COUNT", "1"}).strings(), (V{"a"}));
  const std::string invalid = "-ERR Invalid arguments specified for command";
  for (const char* n : {"0", "-1", "3", "abc", "", "9223372036854775807"})
    EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "SINTERCARD", n, "a", "b"}).repr(), invalid) << n;
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "LMPOP", "5", "a", "LEFT"}).repr(), invalid);
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "SINTERCARD", "1"}).repr(),
            "-ERR Invalid number of arguments specified for command");
  EXPECT_EQ(c.cmd({"COMMAND", "GETKEYS", "LMPOP", "1", "a"}).repr(),
            "-ERR Invalid number of arguments specified for command");
}

TEST_F(ServerCommandsTest, CommandInfoMovableKeys) {
  Client c(port());
  Reply r = c.cmd({"COMMAND", "INFO", "sintercard", "lmpop", "sinterstore"});
  ASSERT_EQ(r.elements.size(), 3u) << r.repr();
  expectCommandInfo(r.elements[0], "sintercard", -3, {"readonly", "movablekeys"}, 0, 0, 0);
  expectCommandInfo(r.elements[1], "lmpop", -4, {"write", "movablekeys"}, 0, 0, 0);
  expectCommandInfo(r.elements[2], "sinterstore", -3, {"write", "denyoom"}, 1, -1, 1);
  // The counted keys have a keynum key spec.
  const Reply& specs = r.elements[0].elements[8];
  ASSERT_EQ(specs.elements.size(), 1u) << specs.repr();
  EXPECT_NE(specs.repr().find("keynum"), std::string::npos) << specs.repr();
}

// ---------------------------------------------------------------- dispatcher errors

TEST_F(ServerCommandsTest, UnknownCommand) {
  Client c(port());
  EXPECT_EQ(c.cmd({"foo"}).repr(), "-ERR unknown command 'foo', with args beginning with: ");
  EXPECT_EQ(c.cmd({"foo", "a", "b"}).repr(), "-ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(c.cmd({"FoO", "x y"}).repr(), "-ERR unknown command 'FoO', with args beginning with: 'x y' ");
  // Newlines in the echoed arguments become spaces so the error stays one line.
  EXPECT_EQ(c.cmd({"foo", "a\r\nb"}).repr(), "-ERR unknown command 'foo', with args beginning with: 'a  b' ");
  // The name is cut at 128 bytes; the argument list stops once it reaches
  // 128 bytes, and an argument is cut to what still fits.
  std::string longName(200, 'N');
  EXPECT_EQ(c.cmd({longName, "a"}).repr(),
            strCat({"-ERR unknown command '", std::string(128, 'N')}) + "', with args beginning with: 'a' ");
  EXPECT_EQ(c.cmd({"foo", std::string(200, 'x')}).repr(),
            strCat({"-ERR unknown command 'foo', with args beginning with: '", std::string(128, 'x')}) + "' ");
  std::vector<std::string> many{"foo"};
  for (int i = 1; i <= 130; ++i) many.push_back(std::to_string(i));
  std::string expected = "-ERR unknown command 'foo', with args beginning with: ";
  for (int i = 1; i <= 28; ++i) expected += strCat({"'", std::to_string(i)}) + "' ";
  EXPECT_EQ(c.cmd(many).repr(), expected);
  // Redis formats the name and arguments with %s: each ends at its first NUL
  // byte (found by tools/difftest).
  EXPECT_EQ(c.cmd({std::string("SET\0x", 5), std::string("a\0b", 3), "c"}).repr(),
            "-ERR unknown command 'SET', with args beginning with: 'a' 'c' ");
  EXPECT_EQ(c.cmd({"CONFIG", std::string("GE\0T", 4), "x"}).repr(), "-ERR unknown subcommand 'GE'. Try CONFIG HELP.");
  // The connection keeps working.
  EXPECT_EQ(c.cmd({"PING"}).repr(), "+PONG");
}

TEST_F(ServerCommandsTest, WrongArity) {
  Client c(port());
  EXPECT_EQ(c.cmd({"GET"}).repr(), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(c.cmd({"GET", "a", "b"}).repr(), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(c.cmd({"SET", "k"}).repr(), "-ERR wrong number of arguments for 'set' command");
  // The command name is reported in lower case whatever the caller used.
  EXPECT_EQ(c.cmd({"GeT"}).repr(), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(c.cmd({"INCR"}).repr(), "-ERR wrong number of arguments for 'incr' command");
  EXPECT_EQ(c.cmd({"DEL"}).repr(), "-ERR wrong number of arguments for 'del' command");
  EXPECT_EQ(c.cmd({"FLUSHALL", "ASYNC", "x"}).repr(), "-ERR syntax error");
  EXPECT_EQ(c.cmd({"PING"}).repr(), "+PONG");
}

TEST_F(ServerCommandsTest, CaseInsensitiveCommandNames) {
  Client c(port());
  EXPECT_EQ(c.cmd({"sEt", "k", "v"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"get", "k"}).repr(), "$v");
  EXPECT_EQ(c.cmd({"GET", "k"}).repr(), "$v");
  EXPECT_EQ(c.cmd({"GeT", "k"}).repr(), "$v");
  EXPECT_EQ(c.cmd({"set", "k", "w", "ex", "100"}).repr(), "+OK");  // options too
  EXPECT_EQ(c.cmd({"ttl", "k"}).repr(), ":100");
  EXPECT_EQ(c.cmd({"config", "get", "port"}).strings(), (std::vector<std::string>{"port", std::to_string(port())}));
  EXPECT_EQ(c.cmd({"Config", "Get", "port"}).strings(), (std::vector<std::string>{"port", std::to_string(port())}));
  EXPECT_EQ(c.cmd({"client", "getname"}).repr(), "(nil)");
  EXPECT_EQ(c.cmd({"dbsize"}).repr(), ":1");
  // Keys, unlike command names, are case-sensitive.
  EXPECT_EQ(c.cmd({"GET", "K"}).repr(), "(nil)");
}

// ---------------------------------------------------------------- SHUTDOWN

TEST(ServerShutdownTest, ShutdownExitsCleanly) {
  ServerProcess server;
  server.start();
  Client c(server.port());
  ASSERT_EQ(c.cmd({"SET", "k", "v"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"SHUTDOWN", "bogus"}).repr(), "-ERR syntax error");
  EXPECT_TRUE(server.running());
  // A successful SHUTDOWN sends no reply: the connection just closes.
  c.append({"SHUTDOWN"});
  c.flush();
  EXPECT_TRUE(c.waitDisconnected(10000));
  ASSERT_TRUE(server.waitExit(10000)) << server.log();
  EXPECT_FALSE(server.running());
  int status = server.exitStatus();
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << server.log();
  EXPECT_THROW(Client(server.port(), 1000), std::runtime_error);
}

TEST(ServerShutdownTest, ShutdownNosaveAndRestartOnSamePort) {
  ServerProcess server;
  server.start();
  int port = server.port();
  {
    RawConnection raw(port);
    raw.send("SHUTDOWN NOSAVE\r\n");
    EXPECT_TRUE(raw.waitClosed(10000));
  }
  ASSERT_TRUE(server.waitExit(10000)) << server.log();
  EXPECT_TRUE(WIFEXITED(server.exitStatus()));
  EXPECT_EQ(WEXITSTATUS(server.exitStatus()), 0);
  // The harness can start it again on the same port and directory.
  server.start();
  EXPECT_EQ(server.port(), port);
  Client c(server.port());
  EXPECT_EQ(c.cmd({"PING"}).repr(), "+PONG");
  EXPECT_EQ(server.stop(), 0) << "SIGTERM exits with status 0";
}

}  // namespace
}  // namespace erdtree::itest
