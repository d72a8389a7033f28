#pragma once
// Starts a real server binary on a free loopback port for a test and stops it
// afterwards. The binary is erdtree-server unless ERDTREE_SERVER_BIN names
// another one (for example /usr/bin/redis-server, to check that a test's
// expectations are what Redis itself replies).
#include <string>
#include <utility>
#include <vector>

namespace erdtree::itest {

class ServerProcess {
 public:
  // extraArgs are appended as given, e.g. {"--maxclients", "50"}.
  explicit ServerProcess(std::vector<std::string> extraArgs = {});
  ~ServerProcess();  // stop() and remove the temporary directory
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Forks and execs the binary with --port P --bind 127.0.0.1 --dir TMP plus
  // extraArgs (and --save "" --appendonly no when the binary is redis-server);
  // returns once PING is answered. Throws std::runtime_error (with the server's
  // log) if it exits or does not answer within 10 s.
  void start();
  // SIGTERM, wait up to 10 s, then SIGKILL. Returns the exit status as given by
  // waitpid (or -1 if it was not running). Safe to call twice.
  int stop();
  // SIGKILL without waiting for a clean shutdown (crash simulation).
  void kill9();
  // Sends a signal (e.g. SIGTERM) and returns at once; no-op if not running.
  void sendSignal(int sig);
  bool running() const;
  // Waits for the process to exit on its own (e.g. after SHUTDOWN) up to
  // timeoutMs; returns true if it exited.
  bool waitExit(int timeoutMs);

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string log() const;            // stdout+stderr of the server so far
  bool isRedis() const;               // the binary under test is redis-server
  static std::string binaryPath();    // ERDTREE_SERVER_BIN or the built erdtree-server

  // Added by the harness implementation (not part of the original API):
  std::string logPath() const;        // <dir>/server.log (appended to across restarts)
  // waitpid status of the last run once it has exited (after stop(), kill9(),
  // or a waitExit()/running() that saw it exit); -1 while running or unknown.
  int exitStatus() const { return exitStatus_; }
  // Replaces the extra arguments used by later start() calls (e.g. to restart
  // with different flags on the same port and directory).
  void setExtraArgs(std::vector<std::string> extraArgs) { extraArgs_ = std::move(extraArgs); }
  // Uses this port from the first start() on (e.g. one a config file the
  // test writes already names). Call before start().
  void setPort(int port) { port_ = port; }
  // The full argv start() uses (binary first).
  std::vector<std::string> commandLine() const;
  // Runs this binary instead of binaryPath() (e.g. Debian's redis-server as
  // an oracle next to the server under test). Call before start().
  void setBinary(std::string path) { binary_ = std::move(path); }
  const std::string& binary() const { return binary_; }
  // Notes: the server is SIGKILLed by the kernel if the thread that called
  // start() exits (PR_SET_PDEATHSIG), so call start() from the test's own
  // thread. ERDTREE_KEEP_TMP=1 keeps the temporary directory for inspection.
  // The port is picked on the first start() and reused by later restarts.

 private:
  void spawn();
  bool reap(int waitpidOptions) const;  // true once the child has been reaped

  std::vector<std::string> extraArgs_;
  std::string binary_ = binaryPath();
  std::string dir_;
  int port_ = 0;
  int pid_ = -1;
  mutable bool reaped_ = true;
  mutable int exitStatus_ = -1;
};

// A free TCP port on 127.0.0.1 (bind to port 0 and read it back).
int pickFreePort();

}  // namespace erdtree::itest
