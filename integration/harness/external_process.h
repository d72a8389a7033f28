#pragma once
// Runs an external program that a test sets up next to erdtree (Redis
// Sentinel, twemproxy) from a config file the test writes into the process's
// own temporary directory. The program runs in the background until stop()
// (or the destructor); its stdout and stderr go to <dir>/<name>.log, and like
// ServerProcess it is SIGKILLed by the kernel if the test process dies.
#include <string>
#include <vector>

namespace erdtree::itest {

class ExternalProcess {
 public:
  // binary: the full path (see requireBinary). name: used for the log file.
  ExternalProcess(std::string name, std::string binary);
  ~ExternalProcess();  // stop() and remove the temporary directory
  ExternalProcess(const ExternalProcess&) = delete;
  ExternalProcess& operator=(const ExternalProcess&) = delete;

  const std::string& dir() const { return dir_; }
  // Writes `text` to <dir>/<fileName> and returns the full path.
  std::string writeFile(const std::string& fileName, const std::string& text) const;
  // Starts `binary args...`; then waits until 127.0.0.1:port accepts a TCP
  // connection (port > 0). Throws std::runtime_error with the log if the
  // process exits or the port does not open within timeoutMs.
  void start(const std::vector<std::string>& args, int port, int timeoutMs = 10000);
  // SIGTERM, up to 5 s, then SIGKILL. Safe to call twice.
  void stop();
  void kill9();
  bool running();
  std::string log() const;
  std::string logPath() const { return dir_ + "/" + name_ + ".log"; }

 private:
  std::string name_;
  std::string binary_;
  std::string dir_;
  int pid_ = -1;
};

// An empty string when `path` is an executable file, else the message a test
// fails with: which binary is missing and which Debian package (installed by
// tools/install-deps.sh) provides it.
std::string missingBinary(const std::string& path, const std::string& debianPackage);

// The file `relativePath` under the source tree (conf/... examples).
std::string readSourceFile(const std::string& relativePath);

// Replaces every line that starts with `prefix` by `line` (config templates:
// "port " -> "port 12345"); throws if no line starts with it.
std::string replaceLine(const std::string& text, const std::string& prefix, const std::string& line);

}  // namespace erdtree::itest
