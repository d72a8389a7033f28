// rename-command in the command table: clients find a command by its new
// name only; the server's own lookups still find it by its own name.
#include <gtest/gtest.h>

#include <string>

#include "erdtree/command/registry.h"

namespace erdtree::command {
namespace {

void noop(Context&) {}

Registry table() {
  Registry r;
  r.add({"get", 2, kReadonly, 1, 1, 1, noop, "@read", "string", "", "1.0.0", "O(1)", {}});
  r.add({"set", -3, kWrite, 1, 1, 1, noop, "@write", "string", "", "1.0.0", "O(1)", {}});
  r.add({"flushall", -1, kWrite, 0, 0, 0, noop, "@write", "server", "", "1.0.0", "O(N)", {}});
  return r;
}

TEST(RegistryRename, NewNameOnlyForClientsOwnNameForTheServer) {
  Registry r = table();
  const CommandSpec* get = r.find("get");
  ASSERT_EQ(r.rename("GET", "MyGet"), "");
  EXPECT_EQ(r.find("get"), nullptr);
  EXPECT_EQ(r.find("MYGET"), get);
  EXPECT_EQ(r.findOriginal("GET"), get);
  EXPECT_EQ(get->name, "get");  // COMMAND INFO and errors keep it
  EXPECT_EQ(r.size(), 3u);
}

TEST(RegistryRename, EmptyNameDisables) {
  Registry r = table();
  const CommandSpec* flushall = r.find("flushall");
  ASSERT_EQ(r.rename("flushall", ""), "");
  EXPECT_EQ(r.find("flushall"), nullptr);
  EXPECT_FALSE(r.reachable(*flushall));
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r.findOriginal("flushall"), flushall);
}

TEST(RegistryRename, RedisErrors) {
  Registry r = table();
  EXPECT_EQ(r.rename("nosuch", "x"), "No such command in rename-command");
  EXPECT_EQ(r.rename("get", "set"), "Target command name already exists");
  EXPECT_EQ(r.rename("get", "get"), "");
  EXPECT_NE(r.find("get"), nullptr);
}

TEST(RegistryRename, LongNewNameIsFound) {
  Registry r = table();
  const std::string longName(100, 'g');
  ASSERT_EQ(r.rename("get", longName), "");
  EXPECT_EQ(r.find(std::string(100, 'G')), r.findOriginal("get"));
}

}  // namespace
}  // namespace erdtree::command
