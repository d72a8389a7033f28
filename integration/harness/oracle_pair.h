#pragma once
// An erdtree and Debian's redis-server (the oracle) side by side with a
// client on each, for tests that send both the same commands and compare.
// Skips when redis-server is not installed.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/client.h"
#include "harness/replication.h"
#include "harness/server_process.h"

namespace erdtree::itest {

class OraclePairTest : public ::testing::Test {
 protected:
  OraclePairTest(std::vector<std::string> oursArgs, std::vector<std::string> oracleArgs, int clientTimeoutMs = 10000)
      : ours_(std::move(oursArgs)), oracle_(std::move(oracleArgs)), clientTimeoutMs_(clientTimeoutMs) {}

  void SetUp() override {
    if (!std::filesystem::exists(kRedisServerBin)) GTEST_SKIP() << "no " << kRedisServerBin;
    oracle_.setBinary(kRedisServerBin);
    ours_.start();
    oracle_.start();
    a_ = std::make_unique<Client>(ours_.port(), clientTimeoutMs_);
    b_ = std::make_unique<Client>(oracle_.port(), clientTimeoutMs_);
  }

  ServerProcess ours_;
  ServerProcess oracle_;
  std::unique_ptr<Client> a_, b_;  // on ours_, on oracle_

 private:
  int clientTimeoutMs_;
};

}  // namespace erdtree::itest
