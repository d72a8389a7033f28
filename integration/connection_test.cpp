// Connection-level commands: PING, ECHO, SELECT, QUIT, HELLO, AUTH and the
// CLIENT family. Expected texts are Redis 7.0's replies (checked against
// /usr/bin/redis-server); places where erdtree deliberately differs are
// guarded with isRedis().
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/shared_server.h"
#include "harness/server_process.h"

namespace erdtree::itest {
namespace {

class ConnectionTest : public SharedServerTest<ConnectionTest> {
 protected:
  // This client's line in CLIENT LIST, seen from `observer`.
  static std::map<std::string, std::string> lineFor(Client& observer, long long id) {
    Reply r = observer.cmd({"CLIENT", "LIST"});
    for (auto& fields : parseClientList(r.str)) {
      if (fields["id"] == std::to_string(id)) return fields;
    }
    return {};
  }

};


TEST_F(ConnectionTest, Ping) {
  Client c(port());
  EXPECT_EQ(c.cmd({"PING"}).repr(), "+PONG");
  EXPECT_EQ(c.cmd({"ping"}).repr(), "+PONG");
  EXPECT_EQ(c.cmd({"PING", "hello world"}).repr(), "$hello world");
  EXPECT_EQ(c.cmd({"PING", ""}).repr(), "$");
  EXPECT_EQ(c.cmd({"PING", "a", "b"}).repr(), "-ERR wrong number of arguments for 'ping' command");
}

TEST_F(ConnectionTest, Echo) {
  Client c(port());
  EXPECT_EQ(c.cmd({"ECHO", "hi"}).repr(), "$hi");
  std::string bin("a\0b\r\nc\xff", 7);
  Reply r = c.cmd({"ECHO", bin});
  EXPECT_EQ(r.type, Reply::Type::String);
  EXPECT_EQ(r.str, bin);
  EXPECT_EQ(c.cmd({"ECHO"}).repr(), "-ERR wrong number of arguments for 'echo' command");
  EXPECT_EQ(c.cmd({"ECHO", "a", "b"}).repr(), "-ERR wrong number of arguments for 'echo' command");
}

TEST_F(ConnectionTest, SelectValidAndInvalid) {
  Client c(port());
  for (int db = 0; db <= 15; ++db) EXPECT_EQ(c.cmd({"SELECT", std::to_string(db)}).repr(), "+OK") << db;
  EXPECT_EQ(c.cmd({"SELECT", "16"}).repr(), "-ERR DB index is out of range");
  EXPECT_EQ(c.cmd({"SELECT", "-1"}).repr(), "-ERR DB index is out of range");
  EXPECT_EQ(c.cmd({"SELECT", "x"}).repr(), "-ERR value is not an integer or out of range");
  EXPECT_EQ(c.cmd({"SELECT", "1.5"}).repr(), "-ERR value is not an integer or out of range");
  EXPECT_EQ(c.cmd({"SELECT"}).repr(), "-ERR wrong number of arguments for 'select' command");
  // A failed SELECT leaves the current database unchanged (still 15).
  Reply info = c.cmd({"CLIENT", "INFO"});
  EXPECT_EQ(parseClientLine(info.str)["db"], "15");
}

TEST_F(ConnectionTest, SelectIsolatesDatabases) {
  Client c(port());
  ASSERT_EQ(c.cmd({"SELECT", "3"}).repr(), "+OK");
  ASSERT_EQ(c.cmd({"SET", "k", "in3"}).repr(), "+OK");
  ASSERT_EQ(c.cmd({"SELECT", "0"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"GET", "k"}).repr(), "(nil)");
  ASSERT_EQ(c.cmd({"SET", "k", "in0"}).repr(), "+OK");
  Client other(port());  // a new connection starts in db 0
  EXPECT_EQ(other.cmd({"GET", "k"}).repr(), "$in0");
  ASSERT_EQ(other.cmd({"SELECT", "3"}).repr(), "+OK");
  EXPECT_EQ(other.cmd({"GET", "k"}).repr(), "$in3");
  EXPECT_EQ(c.cmd({"GET", "k"}).repr(), "$in0");  // per-connection selection
}

TEST_F(ConnectionTest, QuitRepliesOkAndCloses) {
  Client c(port());
  EXPECT_EQ(c.cmd({"QUIT"}).repr(), "+OK");
  EXPECT_TRUE(c.waitDisconnected(5000));
  EXPECT_FALSE(c.connected());
}

TEST_F(ConnectionTest, QuitDiscardsPipelinedCommandsAfterIt) {
  RawConnection raw(port());
  raw.send("PING\r\nQUIT\r\nSET quitkey 1\r\n");
  EXPECT_EQ(raw.readExactly(12), "+PONG\r\n+OK\r\n");
  EXPECT_TRUE(raw.waitClosed(5000));
  Client c(port());
  EXPECT_EQ(c.cmd({"EXISTS", "quitkey"}).repr(), ":0");
}

// HELLO without a version and HELLO 2 reply with the server-info map, which
// in RESP2 is a flat array of alternating field names and values.
void expectHelloMap(const Reply& r, long long clientId) {
  ASSERT_EQ(r.type, Reply::Type::Array) << r.repr();
  ASSERT_EQ(r.elements.size(), 14u) << r.repr();
  const std::vector<std::string> names{"server", "version", "proto", "id", "mode", "role", "modules"};
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(r.elements[2 * i].str, names[i]) << r.repr();
  EXPECT_EQ(r.elements[1].type, Reply::Type::String);
  EXPECT_FALSE(r.elements[1].str.empty());
  EXPECT_EQ(r.elements[3].type, Reply::Type::String);
  EXPECT_TRUE(isVersionString(r.elements[3].str)) << r.elements[3].str;
  EXPECT_EQ(r.elements[5].repr(), ":2");
  EXPECT_EQ(r.elements[7].repr(), strCat({":", std::to_string(clientId)}));
  EXPECT_EQ(r.elements[9].repr(), "$standalone");
  EXPECT_EQ(r.elements[11].repr(), "$master");
  EXPECT_EQ(r.elements[13].repr(), "[]");
}

TEST_F(ConnectionTest, HelloResp2) {
  Client c(port());
  long long id = c.cmd({"CLIENT", "ID"}).integer;
  expectHelloMap(c.cmd({"HELLO"}), id);
  expectHelloMap(c.cmd({"HELLO", "2"}), id);
  // The connection still speaks RESP2 afterwards.
  EXPECT_EQ(c.cmd({"PING"}).repr(), "+PONG");
  // HELLO 2 SETNAME sets the connection name at the same time.
  expectHelloMap(c.cmd({"HELLO", "2", "SETNAME", "helloname"}), id);
  EXPECT_EQ(c.cmd({"CLIENT", "GETNAME"}).repr(), "$helloname");
}

TEST_F(ConnectionTest, HelloVersionErrors) {
  Client c(port());
  EXPECT_EQ(c.cmd({"HELLO", "x"}).repr(), "-ERR Protocol version is not an integer or out of range");
  EXPECT_EQ(c.cmd({"HELLO", "4"}).repr(), "-NOPROTO unsupported protocol version");
  EXPECT_EQ(c.cmd({"HELLO", "1"}).repr(), "-NOPROTO unsupported protocol version");
  // Options are checked in order: a bad SETNAME name is reported before a
  // later unknown option; an option is echoed up to its first NUL byte
  // (both found by tools/difftest).
  const std::string badName = "-ERR Client names cannot contain spaces, newlines or special characters.";
  EXPECT_EQ(c.cmd({"HELLO", "2", "SETNAME", "with space", "NX"}).repr(), badName);
  EXPECT_EQ(c.cmd({"HELLO", "2", "NX", "SETNAME", "with space"}).repr(), "-ERR Syntax error in HELLO option 'NX'");
  EXPECT_EQ(c.cmd({"HELLO", "2", std::string("F\0O", 3)}).repr(), "-ERR Syntax error in HELLO option 'F'");
  EXPECT_EQ(c.cmd({"CLIENT", "GETNAME"}).repr(), "(nil)");
  // A valid SETNAME takes effect as it is parsed: a later bad option or bad
  // credentials do not undo it.
  EXPECT_EQ(c.cmd({"HELLO", "2", "SETNAME", "me", "FOO"}).repr(), "-ERR Syntax error in HELLO option 'FOO'");
  EXPECT_EQ(c.cmd({"CLIENT", "GETNAME"}).repr(), "$me");
  EXPECT_EQ(c.cmd({"HELLO", "2", "SETNAME", "me2", "AUTH", "nobody", "pw"}).repr(),
            "-WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(c.cmd({"CLIENT", "GETNAME"}).repr(), "$me2");
  EXPECT_EQ(c.cmd({"PING"}).repr(), "+PONG");
}

TEST_F(ConnectionTest, Hello3) {
  // hiredis 0.14 cannot parse RESP3, so look at the raw bytes.
  RawConnection raw(port());
  raw.send("HELLO 3\r\n");
  // The server switches to RESP3 and answers with a 7-entry map.
  std::string head = raw.readUntil("\r\n");
  EXPECT_EQ(head, "%7\r\n");
  std::string rest = raw.readAvailable(200);
  EXPECT_NE(rest.find("$5\r\nproto\r\n:3\r\n"), std::string::npos) << rest;
  raw.send("GET missing\r\n");
  EXPECT_EQ(raw.readUntil("\r\n"), "_\r\n");  // RESP3's null
}

TEST_F(ConnectionTest, AuthWithoutPasswordConfigured) {
  Client c(port());
  EXPECT_EQ(c.cmd({"AUTH", "foo"}).repr(),
            "-ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?");
  EXPECT_EQ(c.cmd({"AUTH"}).repr(), "-ERR wrong number of arguments for 'auth' command");
  EXPECT_EQ(c.cmd({"PING"}).repr(), "+PONG");
}

TEST(ConnectionAuthTest, RequirePass) {
  ServerProcess server({"--requirepass", "s3cret"});
  server.start();
  const std::string noauth = "-NOAUTH Authentication required.";
  const std::string wrongpass = "-WRONGPASS invalid username-password pair or user is disabled.";

  Client c(server.port());
  EXPECT_EQ(c.cmd({"PING"}).repr(), noauth);
  EXPECT_EQ(c.cmd({"GET", "k"}).repr(), noauth);
  EXPECT_EQ(c.cmd({"SET", "k", "v"}).repr(), noauth);
  // Unknown commands are reported as such even before authentication.
  EXPECT_EQ(c.cmd({"NOSUCHCMD"}).repr(), "-ERR unknown command 'NOSUCHCMD', with args beginning with: ");
  EXPECT_EQ(c.cmd({"AUTH", "wrong"}).repr(), wrongpass);
  EXPECT_EQ(c.cmd({"AUTH", "default", "wrong"}).repr(), wrongpass);
  EXPECT_EQ(c.cmd({"AUTH", "nosuchuser", "s3cret"}).repr(), wrongpass);
  EXPECT_EQ(c.cmd({"AUTH", "a", "b", "c"}).repr(), "-ERR syntax error");
  EXPECT_EQ(c.cmd({"HELLO", "2"}).repr(),
            "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH "
            "<user> <pass> option can be used to authenticate the client and select the RESP protocol "
            "version at the same time");
  EXPECT_EQ(c.cmd({"GET", "k"}).repr(), noauth);  // failed attempts leave it unauthenticated
  EXPECT_EQ(c.cmd({"AUTH", "s3cret"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"PING"}).repr(), "+PONG");
  EXPECT_EQ(c.cmd({"SET", "k", "v"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"GET", "k"}).repr(), "$v");

  // Authentication is per connection.
  Client d(server.port());
  EXPECT_EQ(d.cmd({"GET", "k"}).repr(), noauth);
  EXPECT_EQ(d.cmd({"AUTH", "default", "s3cret"}).repr(), "+OK");
  EXPECT_EQ(d.cmd({"GET", "k"}).repr(), "$v");

  // HELLO 2 AUTH authenticates and returns the server-info map.
  Client e(server.port());
  EXPECT_EQ(e.cmd({"HELLO", "2", "AUTH", "default", "wrong"}).repr(), wrongpass);
  EXPECT_EQ(e.cmd({"GET", "k"}).repr(), noauth);
  // SETNAME takes effect as it is parsed, even when HELLO then fails.
  EXPECT_EQ(e.cmd({"HELLO", "2", "SETNAME", "early"}).repr().substr(0, 7), "-NOAUTH");
  Reply hello = e.cmd({"HELLO", "2", "AUTH", "default", "s3cret"});
  ASSERT_EQ(hello.type, Reply::Type::Array) << hello.repr();
  EXPECT_EQ(hello.elements.size(), 14u);
  EXPECT_EQ(e.cmd({"GET", "k"}).repr(), "$v");
  EXPECT_EQ(e.cmd({"CLIENT", "GETNAME"}).repr(), "$early");

  // CONFIG GET requirepass is visible once authenticated.
  Reply cfg = d.cmd({"CONFIG", "GET", "requirepass"});
  EXPECT_EQ(cfg.strings(), (std::vector<std::string>{"requirepass", "s3cret"}));
}

TEST_F(ConnectionTest, ClientIdIsUniqueAndIncreasing) {
  Client a(port());
  Client b(port());
  Reply ida = a.cmd({"CLIENT", "ID"});
  Reply idb = b.cmd({"CLIENT", "ID"});
  ASSERT_EQ(ida.type, Reply::Type::Integer);
  ASSERT_EQ(idb.type, Reply::Type::Integer);
  EXPECT_GT(ida.integer, 0);
  EXPECT_GT(idb.integer, ida.integer);
  EXPECT_EQ(a.cmd({"CLIENT", "ID"}).integer, ida.integer);  // stable
  EXPECT_EQ(parseClientLine(a.cmd({"CLIENT", "INFO"}).str)["id"], std::to_string(ida.integer));
}

TEST_F(ConnectionTest, ClientSetNameGetName) {
  Client c(port());
  EXPECT_EQ(c.cmd({"CLIENT", "GETNAME"}).repr(), "(nil)");
  EXPECT_EQ(c.cmd({"CLIENT", "SETNAME", "worker-1"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"CLIENT", "GETNAME"}).repr(), "$worker-1");
  EXPECT_EQ(parseClientLine(c.cmd({"CLIENT", "INFO"}).str)["name"], "worker-1");
  const std::string bad = "-ERR Client names cannot contain spaces, newlines or special characters.";
  EXPECT_EQ(c.cmd({"CLIENT", "SETNAME", "a b"}).repr(), bad);
  EXPECT_EQ(c.cmd({"CLIENT", "SETNAME", "a\nb"}).repr(), bad);
  EXPECT_EQ(c.cmd({"CLIENT", "GETNAME"}).repr(), "$worker-1");  // unchanged by failures
  EXPECT_EQ(c.cmd({"CLIENT", "SETNAME"}).repr(), "-ERR wrong number of arguments for 'client|setname' command");
  // An empty name removes the name.
  EXPECT_EQ(c.cmd({"CLIENT", "SETNAME", ""}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"CLIENT", "GETNAME"}).repr(), "(nil)");
  EXPECT_EQ(c.cmd({"CLIENT", "NOSUCHSUB"}).repr(), "-ERR unknown subcommand 'NOSUCHSUB'. Try CLIENT HELP.");
}

TEST_F(ConnectionTest, ClientListFields) {
  Client me(port());
  Client other(port());
  ASSERT_EQ(other.cmd({"CLIENT", "SETNAME", "other"}).repr(), "+OK");
  ASSERT_EQ(other.cmd({"SELECT", "4"}).repr(), "+OK");
  ASSERT_EQ(other.cmd({"PING"}).repr(), "+PONG");
  long long meId = me.cmd({"CLIENT", "ID"}).integer;
  long long otherId = other.cmd({"CLIENT", "ID"}).integer;

  Reply list = me.cmd({"CLIENT", "LIST"});
  ASSERT_EQ(list.type, Reply::Type::String) << list.repr();
  ASSERT_FALSE(list.str.empty());
  EXPECT_EQ(list.str.back(), '\n');
  auto clients = parseClientList(list.str);
  EXPECT_GE(clients.size(), 2u);

  // Field order of the leading fields is fixed; cmd= is present.
  std::string myLine;
  {
    size_t start = 0;
    while (start < list.str.size()) {
      size_t nl = list.str.find('\n', start);
      std::string line = list.str.substr(start, nl - start);
      if (parseClientLine(line)["id"] == std::to_string(meId)) myLine = line;
      start = nl + 1;
    }
  }
  ASSERT_FALSE(myLine.empty()) << list.str;
  auto keys = clientLineKeys(myLine);
  const std::vector<std::string> leading{"id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db"};
  ASSERT_GE(keys.size(), leading.size());
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + static_cast<long>(leading.size())), leading)
      << myLine;
  for (const char* k : {"sub", "psub", "multi", "qbuf", "obl", "oll", "omem", "tot-mem", "events", "cmd", "user",
                        "resp"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << "missing " << k << " in " << myLine;
  }

  auto mine = parseClientLine(myLine);
  EXPECT_EQ(mine["addr"], strCat({"127.0.0.1:", std::to_string(localPort(me.fd()))}));
  EXPECT_EQ(mine["laddr"], strCat({"127.0.0.1:", std::to_string(port())}));
  EXPECT_TRUE(isDigits(mine["fd"])) << mine["fd"];
  EXPECT_EQ(mine["name"], "");
  EXPECT_TRUE(isDigits(mine["age"])) << mine["age"];
  EXPECT_TRUE(isDigits(mine["idle"])) << mine["idle"];
  EXPECT_EQ(mine["flags"], "N");
  EXPECT_EQ(mine["db"], "0");
  EXPECT_EQ(mine["sub"], "0");
  EXPECT_EQ(mine["psub"], "0");
  EXPECT_EQ(mine["multi"], "-1");
  EXPECT_EQ(mine["cmd"], "client|list");
  EXPECT_EQ(mine["user"], "default");
  EXPECT_EQ(mine["resp"], "2");

  auto theirs = lineFor(me, otherId);
  ASSERT_FALSE(theirs.empty());
  EXPECT_EQ(theirs["addr"], strCat({"127.0.0.1:", std::to_string(localPort(other.fd()))}));
  EXPECT_EQ(theirs["name"], "other");
  EXPECT_EQ(theirs["db"], "4");
  EXPECT_EQ(theirs["cmd"], "client|id");
  EXPECT_NE(theirs["fd"], mine["fd"]);

  // Filters: by ID (several allowed) and by TYPE.
  Reply byId = me.cmd({"CLIENT", "LIST", "ID", std::to_string(otherId)});
  auto filtered = parseClientList(byId.str);
  ASSERT_EQ(filtered.size(), 1u) << byId.str;
  EXPECT_EQ(filtered[0]["name"], "other");
  Reply byTwo = me.cmd({"CLIENT", "LIST", "ID", std::to_string(otherId), std::to_string(meId)});
  EXPECT_EQ(parseClientList(byTwo.str).size(), 2u);
  EXPECT_EQ(me.cmd({"CLIENT", "LIST", "ID", "abc"}).repr(), "-ERR Invalid client ID");
  Reply normal = me.cmd({"CLIENT", "LIST", "TYPE", "normal"});
  EXPECT_GE(parseClientList(normal.str).size(), 2u);
}

TEST_F(ConnectionTest, ClientListTracksLastCommandAndIdle) {
  Client observer(port());
  Client c(port());
  long long id = c.cmd({"CLIENT", "ID"}).integer;
  ASSERT_EQ(c.cmd({"SET", "x", "1"}).repr(), "+OK");
  EXPECT_EQ(lineFor(observer, id)["cmd"], "set");
  ASSERT_EQ(c.cmd({"GET", "x"}).repr(), "$1");
  EXPECT_EQ(lineFor(observer, id)["cmd"], "get");
  ASSERT_EQ(c.cmd({"CONFIG", "GET", "port"}).type, Reply::Type::Array);
  EXPECT_EQ(lineFor(observer, id)["cmd"], "config|get");
  // idle= grows while the client does nothing.
  EXPECT_TRUE(waitFor([&] { return std::stoll(lineFor(observer, id)["idle"]) >= 1; }, 5000, 100));
  EXPECT_GE(std::stoll(lineFor(observer, id)["age"]), 1);
}

TEST_F(ConnectionTest, ClientInfo) {
  Client c(port());
  ASSERT_EQ(c.cmd({"SELECT", "2"}).repr(), "+OK");
  ASSERT_EQ(c.cmd({"CLIENT", "SETNAME", "me"}).repr(), "+OK");
  Reply info = c.cmd({"CLIENT", "INFO"});
  ASSERT_EQ(info.type, Reply::Type::String) << info.repr();
  ASSERT_FALSE(info.str.empty());
  EXPECT_EQ(info.str.back(), '\n');
  EXPECT_EQ(info.str.find('\n'), info.str.size() - 1) << "one line only: " << info.str;
  auto f = parseClientLine(info.str);
  EXPECT_EQ(f["id"], std::to_string(c.cmd({"CLIENT", "ID"}).integer));
  EXPECT_EQ(f["addr"], strCat({"127.0.0.1:", std::to_string(localPort(c.fd()))}));
  EXPECT_EQ(f["laddr"], strCat({"127.0.0.1:", std::to_string(port())}));
  EXPECT_EQ(f["name"], "me");
  EXPECT_EQ(f["db"], "2");
  EXPECT_EQ(f["flags"], "N");
  EXPECT_EQ(f["cmd"], "client|info");
}

TEST_F(ConnectionTest, ClientKillById) {
  Client killer(port());
  Client victim(port());
  long long vid = victim.cmd({"CLIENT", "ID"}).integer;
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", "ID", std::to_string(vid)}).repr(), ":1");
  EXPECT_TRUE(victim.waitDisconnected(5000));
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", "ID", std::to_string(vid)}).repr(), ":0");
  EXPECT_TRUE(lineFor(killer, vid).empty());
  // By default a client does not kill itself (SKIPME yes).
  long long kid = killer.cmd({"CLIENT", "ID"}).integer;
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", "ID", std::to_string(kid)}).repr(), ":0");
  EXPECT_EQ(killer.cmd({"PING"}).repr(), "+PONG");
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", "ID", "abc"}).repr(), "-ERR client-id should be greater than 0");
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", "FOO", "bar"}).repr(), "-ERR syntax error");
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL"}).repr(), "-ERR wrong number of arguments for 'client|kill' command");
}

TEST_F(ConnectionTest, ClientKillByAddr) {
  Client killer(port());
  Client victim(port());
  long long vid = victim.cmd({"CLIENT", "ID"}).integer;
  std::string addr = strCat({"127.0.0.1:", std::to_string(localPort(victim.fd()))});
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", "ADDR", addr}).repr(), ":1");
  EXPECT_TRUE(victim.waitDisconnected(5000));
  EXPECT_TRUE(lineFor(killer, vid).empty());
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", "ADDR", addr}).repr(), ":0");
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", "ADDR", "1.2.3.4:5"}).repr(), ":0");
}

TEST_F(ConnectionTest, ClientKillOldAddrForm) {
  Client killer(port());
  Client victim(port());
  Client bystander(port());
  std::string addr = strCat({"127.0.0.1:", std::to_string(localPort(victim.fd()))});
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", addr}).repr(), "+OK");
  EXPECT_TRUE(victim.waitDisconnected(5000));
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", addr}).repr(), "-ERR No such client");
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", "1.2.3.4:5"}).repr(), "-ERR No such client");
  EXPECT_EQ(bystander.cmd({"PING"}).repr(), "+PONG");
}

TEST_F(ConnectionTest, ClientKillPipelinedVictimGetsNoMoreReplies) {
  Client killer(port());
  RawConnection victim(port());
  victim.send("CLIENT ID\r\n");
  std::string idLine = victim.readUntil("\r\n");
  ASSERT_EQ(idLine.front(), ':') << idLine;
  std::string vid = idLine.substr(1, idLine.size() - 3);
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", "ID", vid}).repr(), ":1");
  EXPECT_TRUE(victim.waitClosed(5000));
}

TEST_F(ConnectionTest, ClientSetInfo) {
  Client c(port());
  if (server().isRedis()) {
    // CLIENT SETINFO arrived in Redis 7.2; the 7.0 oracle does not know it.
    EXPECT_EQ(c.cmd({"CLIENT", "SETINFO", "lib-name", "mylib"}).repr(),
              "-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.");
    return;
  }
  // erdtree implements the Redis 7.2 behaviour.
  EXPECT_EQ(c.cmd({"CLIENT", "SETINFO", "lib-name", "mylib"}).repr(), "+OK");
  EXPECT_EQ(c.cmd({"CLIENT", "SETINFO", "LIB-VER", "1.2.3"}).repr(), "+OK");
  auto f = parseClientLine(c.cmd({"CLIENT", "INFO"}).str);
  EXPECT_EQ(f["lib-name"], "mylib");
  EXPECT_EQ(f["lib-ver"], "1.2.3");
  EXPECT_EQ(c.cmd({"CLIENT", "SETINFO", "lib-name", "my lib"}).repr(),
            "-ERR lib-name cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(c.cmd({"CLIENT", "SETINFO", "foo", "bar"}).repr(), "-ERR Unrecognized option 'foo'");
  EXPECT_EQ(c.cmd({"CLIENT", "SETINFO", "lib-name"}).repr(),
            "-ERR wrong number of arguments for 'client|setinfo' command");
}

}  // namespace
}  // namespace erdtree::itest
