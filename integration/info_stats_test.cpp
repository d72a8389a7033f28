// INFO commandstats / errorstats and total_error_replies against Debian's
// redis-server 7.0.15 as the oracle: the same requests on both servers (calls,
// an arity error, a WRONGTYPE, an unknown command and subcommand, errors
// inside MULTI, EXECABORT, CONFIG RESETSTAT) must give the same lines, usec
// values aside (the order of commandstats lines is Redis's hash order, so
// the lines are compared sorted).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/oracle_pair.h"
#include "harness/replication.h"
#include "harness/server_process.h"

using namespace erdtree::itest;

namespace {

using Cmd = std::vector<std::string>;

// The section's field lines, sorted, with usec and usec_per_call masked.
std::vector<std::string> sectionLines(Client& c, const std::string& section) {
  std::istringstream in(c.cmd({"INFO", section}).str);
  std::vector<std::string> lines;
  static const std::regex usec("usec=[0-9]+,usec_per_call=[0-9]+\\.[0-9]{2},");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    lines.push_back(std::regex_replace(line, usec, "usec=U,usec_per_call=U,"));
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::string statsField(Client& c, const std::string& name) { return infoField(c, "stats", name); }

class InfoStats : public OraclePairTest {
 protected:
  InfoStats() : OraclePairTest({"--save", ""}, {}) {}
  // Runs cmd on both servers; the replies must agree too.
  void both(const Cmd& cmd) { ASSERT_EQ(a_->cmd(cmd).repr(), b_->cmd(cmd).repr()) << cmd[0]; }
  void expectSameStats() {
    EXPECT_EQ(sectionLines(*a_, "commandstats"), sectionLines(*b_, "commandstats"));
    EXPECT_EQ(sectionLines(*a_, "errorstats"), sectionLines(*b_, "errorstats"));
    EXPECT_EQ(statsField(*a_, "total_error_replies"), statsField(*b_, "total_error_replies"));
  }
};

}  // namespace

TEST_F(InfoStats, CommandAndErrorStatsMatchRedis) {
  both({"CONFIG", "RESETSTAT"});
  both({"SET", "s", "1"});
  both({"GET", "s"});
  both({"GET", "s"});
  both({"GET"});                  // arity: rejected_calls, ERR
  both({"LPUSH", "s", "x"});      // WRONGTYPE: failed_calls
  both({"NOSUCHCOMMAND", "x"});   // ERR, no commandstats line
  both({"CONFIG", "NOSUCH"});     // unknown subcommand: ERR only
  both({"CONFIG"});               // container arity: rejected on cmdstat_config
  both({"CONFIG", "GET", "maxmemory"});
  both({"MULTI"});
  both({"GET"});                  // refused while queueing
  both({"EXEC"});                 // EXECABORT: a failed EXEC
  both({"MULTI"});
  both({"INCR", "s"});
  both({"LPUSH", "s", "y"});      // fails inside EXEC
  both({"EXEC"});
  expectSameStats();
  EXPECT_EQ(statsField(*a_, "total_error_replies"), "8");
  const auto stats = sectionLines(*a_, "commandstats");
  EXPECT_NE(std::find(stats.begin(), stats.end(),
                      "cmdstat_get:calls=2,usec=U,usec_per_call=U,rejected_calls=2,failed_calls=0"),
            stats.end());

  // Not in the default INFO; in INFO all and everything, as Redis.
  for (const char* section : {"", "all", "everything", "default"}) {
    Cmd info{"INFO"};
    if (*section != '\0') info.push_back(section);
    const bool ours = a_->cmd(info).str.find("# Commandstats") != std::string::npos;
    const bool redis = b_->cmd(info).str.find("# Commandstats") != std::string::npos;
    EXPECT_EQ(ours, redis) << section;
  }

  both({"CONFIG", "RESETSTAT"});
  expectSameStats();
  EXPECT_EQ(statsField(*a_, "total_error_replies"), "0");
}

// Blocked commands count when they end: a timeout is a call, CLIENT UNBLOCK
// a failed call (with or without ERROR, as Redis 7.0.15), and an
// UNBLOCKED error is an error reply that also fails the CLIENT UNBLOCK.
TEST_F(InfoStats, BlockedCommandsCountWhenTheyEnd) {
  both({"CONFIG", "RESETSTAT"});
  both({"BLPOP", "nothing", "0.01"});  // times out
  for (ServerProcess* server : {&ours_, &oracle_}) {
    for (const char* mode : {"TIMEOUT", "ERROR"}) {
      Client blocked(server->port()), admin(server->port());
      const long long id = blocked.cmd({"CLIENT", "ID"}).integer;
      blocked.append({"BLPOP", "nothing", "0"});
      blocked.flush();
      ASSERT_TRUE(waitLong([&] { return infoField(admin, "clients", "blocked_clients") == "1"; }, 5000));
      EXPECT_EQ(admin.cmd({"CLIENT", "UNBLOCK", std::to_string(id), mode}).integer, 1);
      const std::string reply = blocked.getReply().repr();
      if (std::string(mode) == "ERROR") EXPECT_EQ(reply, "-UNBLOCKED client unblocked via CLIENT UNBLOCK");
      else EXPECT_EQ(reply, "(nil)");
    }
  }
  expectSameStats();
}
