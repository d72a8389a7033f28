// While the log cannot be written, writes (and PING, and an EXEC that queued
// a write) are refused with the MISCONF error; reads and log replay go on.
#include <gtest/gtest.h>

#include "command_test_support.h"

using erdtree::testing::CommandHarness;

TEST(DiskError, WritesAreRefusedReadsWork) {
  CommandHarness h;
  EXPECT_EQ(h.run({"SET", "k", "v"}), "+OK\r\n");
  h.svc.diskWriteError = "MISCONF Errors writing to the AOF file: No space left on device";
  EXPECT_EQ(h.run({"SET", "k", "w"}), "-MISCONF Errors writing to the AOF file: No space left on device\r\n");
  EXPECT_EQ(h.run({"PING"}), "-MISCONF Errors writing to the AOF file: No space left on device\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), "$1\r\nv\r\n");
  // Inside MULTI a write is refused at queue time and EXEC aborts.
  EXPECT_EQ(h.run({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"INCR", "n"}).substr(0, 8), "-MISCONF");
  EXPECT_EQ(h.run({"EXEC"}).substr(0, 10), "-EXECABORT");
  // A transaction queued before the error is refused at EXEC if it writes.
  h.svc.diskWriteError.clear();
  EXPECT_EQ(h.run({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SET", "k", "x"}), "+QUEUED\r\n");
  h.svc.diskWriteError = "MISCONF Errors writing to the AOF file: Input/output error";
  EXPECT_EQ(h.run({"EXEC"}).substr(0, 10), "-EXECABORT");
  // Replay (an internal session) is not refused.
  h.session.internal = true;
  EXPECT_EQ(h.run({"SET", "k", "y"}), "+OK\r\n");
  h.session.internal = false;
  h.svc.diskWriteError.clear();
  EXPECT_EQ(h.run({"GET", "k"}), "$1\r\ny\r\n");
}
