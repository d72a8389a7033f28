#pragma once
// Runs a helper program (a real client: redis-cli, python3, node) for a test
// with bounded time: its stdout and stderr are collected and it is killed if
// it runs past the timeout, so a test can never hang on it.
#include <sys/types.h>
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

// Starts a long-running program (a server, a sentinel, a proxy) the way a
// shell would: its own process group, stdin from /dev/null, stdout and
// stderr appended to logFd, default signal dispositions and an empty mask
// (the test process ignores SIGPIPE), no inherited descriptors, and killed
// if the test process dies. argv[0] is a full path. Returns the pid, or -1
// with errno set when fork fails; an exec failure is written to the log and
// the child exits 127.
pid_t spawnServer(const std::vector<std::string>& args, int logFd);

}  // namespace erdtree::itest
