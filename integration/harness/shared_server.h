#pragma once
// A googletest fixture whose suite shares one server, started in
// SetUpTestSuite and stopped in TearDownTestSuite. Each test gets a fresh
// client (client()) on an emptied keyspace, database 0. A suite may declare
// `static std::vector<std::string> serverArgs()` to pass extra flags.
// CRTP gives every suite its own server: class Foo : public SharedServerTest<Foo>.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/server_process.h"

namespace erdtree::itest {

template <class Suite>
class SharedServerTest : public ::testing::Test {
 protected:
  static std::vector<std::string> serverArgs() { return {}; }

  static void SetUpTestSuite() {
    try {
      server_ = std::make_unique<ServerProcess>(Suite::serverArgs());
      server_->start();
    } catch (const std::exception& e) {
      startError_ = e.what();
      server_.reset();
    }
  }
  static void TearDownTestSuite() {
    client_.reset();
    if (server_) server_->stop();
    server_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->running()) << "server did not start: " << startError_;
    client_ = std::make_unique<Client>(server_->port(), 30000);
    ASSERT_EQ(client_->cmd({"FLUSHALL"}).repr(), "+OK");
  }

  // One command on the test's client: the reply as show() renders it
  // ("+OK", ":1", "[\"a\"]", "(nil)"), or the whole Reply.
  template <typename... A>
  static std::string run(const A&... a) {
    return show(client_->cmd({std::string(a)...}));
  }
  static Reply cmd(const std::vector<std::string>& args) { return client_->cmd(args); }

  static int port() { return server_->port(); }
  static ServerProcess& server() { return *server_; }
  static Client& client() { return *client_; }

  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<Client> client_;
  static inline std::string startError_;
};

}  // namespace erdtree::itest
