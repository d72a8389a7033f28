#pragma once
// Runs a helper program (a real client: redis-cli, python3, node) for a test
// with bounded time: its stdout and stderr are collected and it is killed if
// it runs past the timeout, so a test can never hang on it.
#include <sys/wait.h>

#include <string>
#include <vector>

namespace erdtree::itest {

struct ProcessResult {
  int status = -1;  // waitpid status
  bool timedOut = false;
  std::string out;
  std::string err;
  int exitCode() const { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
  std::string describe() const {
    return "exit status " + std::to_string(status) + (timedOut ? " (timed out)" : "") + "\nstdout:\n" + out +
           "\nstderr:\n" + err;
  }
};

bool executable(const std::string& path);

// The full path of `name` found in $PATH, or "" when it is not installed.
std::string findInPath(const std::string& name);

// Runs argv (argv[0] is a full path) with `input` on stdin; collects stdout
// and stderr; kills the process if it runs longer than timeoutMs.
ProcessResult runProcess(const std::vector<std::string>& args, const std::string& input, int timeoutMs);

}  // namespace erdtree::itest
