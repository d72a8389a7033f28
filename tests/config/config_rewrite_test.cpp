// CONFIG REWRITE's text transformation: comments and order kept, changed
// values replaced in place, missing non-default settings added to their table.
#include <gtest/gtest.h>

#include "erdtree/config/config.h"
#include "erdtree/config/config_rewrite.h"

namespace erdtree::config {
namespace {

Settings defaults() { return Config().settings(); }

TEST(ConfigRewrite, UnchangedFileStaysByteForByte) {
  const std::string text =
      "# top comment\n\n[server]\nport = 6379   # the port\n\n[aof]\nappendonly = true\n"
      "aof-segment-max-size = \"64mb\"  # other spelling of 67108864\n";
  Settings s = defaults();
  s.appendonly = true;
  EXPECT_EQ(rewriteTomlText(text, s, defaults()), text);
}

TEST(ConfigRewrite, ChangedValueReplacedInPlaceKeepingComment) {
  const std::string text = "[server]\nport = 6379          # the port\nhz = 10\n";
  Settings s = defaults();
  s.port = 7000;
  EXPECT_EQ(rewriteTomlText(text, s, defaults()), "[server]\nport = 7000          # the port\nhz = 10\n");
}

TEST(ConfigRewrite, KeepsTheValueTypeOfTheFile) {
  const std::string text = "[aof]\nappendonly = true\nappendfsync = \"everysec\"\n";
  Settings s = defaults();
  s.appendonly = false;
  s.appendfsync = "always";
  EXPECT_EQ(rewriteTomlText(text, s, defaults()), "[aof]\nappendonly = false\nappendfsync = \"always\"\n");
}

TEST(ConfigRewrite, MissingSettingGoesToTheEndOfItsTable) {
  const std::string text = "[server]\nport = 6379\n\n# replication below\n[replication]\nrepl-timeout = 60\n\n[memory]\n";
  Settings s = defaults();
  s.replicaof = "127.0.0.1 7001";
  s.replicaPriority = 50;
  EXPECT_EQ(rewriteTomlText(text, s, defaults()),
            "[server]\nport = 6379\n\n# replication below\n[replication]\nrepl-timeout = 60\n"
            "replicaof = \"127.0.0.1 7001\"\nreplica-priority = 50\n\n[memory]\n");
}

TEST(ConfigRewrite, MissingTableIsAppended) {
  const std::string text = "[server]\nport = 6379\n";
  Settings s = defaults();
  s.replicaof = "10.0.0.1 6380";
  EXPECT_EQ(rewriteTomlText(text, s, defaults()), "[server]\nport = 6379\n\n[replication]\nreplicaof = \"10.0.0.1 6380\"\n");
}

TEST(ConfigRewrite, PromotedReplicaClearsReplicaof) {
  const std::string text = "[replication]\nreplicaof = \"127.0.0.1 7000\"  # set by Sentinel\n";
  Settings s = defaults();
  s.replicaof.clear();
  EXPECT_EQ(rewriteTomlText(text, s, defaults()), "[replication]\nreplicaof = \"\"                # set by Sentinel\n");
}

TEST(ConfigRewrite, AliasInTheFileIsUpdatedNotDuplicated) {
  const std::string text = "[replication]\nslave-read-only = true\n";
  Settings s = defaults();
  s.replicaReadOnly = false;
  EXPECT_EQ(rewriteTomlText(text, s, defaults()), "[replication]\nslave-read-only = false\n");
}

TEST(ConfigRewrite, MultiLineArrayReplacedWhole) {
  const std::string text = "[server]\nbind = [\n  \"127.0.0.1\",\n  \"::1\",\n]\nport = 1\n";
  Settings s = defaults();
  s.port = 1;
  s.bind = {"127.0.0.1"};
  EXPECT_EQ(rewriteTomlText(text, s, defaults()), "[server]\nbind = \"127.0.0.1\"\nport = 1\n");
}

TEST(ConfigRewrite, RewrittenTextLoadsBackToTheSameSettings) {
  const std::string text = "[server]\nport = 6379\nrequirepass = \"\"\n";
  Settings s = defaults();
  s.port = 7002;
  s.requirepass = "a \"quoted\" pass\\word";
  s.masterauth = "0123";
  s.replicaof = "127.0.0.1 7001";
  Config loaded;
  ASSERT_EQ(loaded.loadTomlText(rewriteTomlText(text, s, defaults()), "rewritten"), "");
  EXPECT_EQ(loaded.settings().port, 7002);
  EXPECT_EQ(loaded.settings().requirepass, s.requirepass);
  EXPECT_EQ(loaded.settings().masterauth, "0123");
  EXPECT_EQ(loaded.settings().replicaof, "127.0.0.1 7001");
}

}  // namespace
}  // namespace erdtree::config
