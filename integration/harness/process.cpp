#include "harness/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace erdtree::itest {

using Clock = std::chrono::steady_clock;

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string findInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t begin = 0;
  while (begin <= dirs.size()) {
    size_t end = dirs.find(':', begin);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(begin, end - begin);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (executable(candidate)) return candidate;
    }
    begin = end + 1;
  }
  return "";
}

ProcessResult runProcess(const std::vector<std::string>& args, const std::string& input, int timeoutMs) {
  ProcessResult res;
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    res.err = std::string("pipe: ") + std::strerror(errno);
    return res;
  }
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
#ifdef SYS_close_range
    ::syscall(SYS_close_range, 3u, ~0u, 0u);
#endif
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &dfl, nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (pid < 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    res.err = std::string("fork: ") + std::strerror(errno);
    return res;
  }
  ::fcntl(in[1], F_SETFL, O_NONBLOCK);
  size_t inOff = 0;
  int inFd = in[1];
  if (input.empty()) {
    ::close(inFd);
    inFd = -1;
  }
  int outFd = out[0], errFd = err[0];
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  char buf[65536];
  while (outFd >= 0 || errFd >= 0) {
    std::vector<pollfd> fds;
    if (outFd >= 0) fds.push_back({outFd, POLLIN, 0});
    if (errFd >= 0) fds.push_back({errFd, POLLIN, 0});
    if (inFd >= 0) fds.push_back({inFd, POLLOUT, 0});
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      res.timedOut = true;
      break;
    }
    int rc = ::poll(fds.data(), fds.size(), static_cast<int>(left));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == inFd) {
        ssize_t n = ::write(inFd, input.data() + inOff, input.size() - inOff);
        if (n > 0) inOff += static_cast<size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || inOff == input.size()) {
          ::close(inFd);
          inFd = -1;
        }
      } else {
        ssize_t n = ::read(p.fd, buf, sizeof buf);
        if (n > 0) {
          (p.fd == outFd ? res.out : res.err).append(buf, static_cast<size_t>(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          ::close(p.fd);
          (p.fd == outFd ? outFd : errFd) = -1;
        }
      }
    }
  }
  if (inFd >= 0) ::close(inFd);
  if (outFd >= 0) ::close(outFd);
  if (errFd >= 0) ::close(errFd);
  if (res.timedOut) ::kill(pid, SIGKILL);
  // Output closed: the process is exiting; bound the wait anyway.
  auto waitDeadline = Clock::now() + std::chrono::milliseconds(res.timedOut ? 5000 : timeoutMs);
  while (true) {
    pid_t r = ::waitpid(pid, &res.status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (Clock::now() >= waitDeadline) {
      res.timedOut = true;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &res.status, 0);
      break;
    }
    ::poll(nullptr, 0, 5);
  }
  return res;
}


namespace {

void closeInheritedFds() {
  // Async-signal-safe: runs in the child between fork and exec.
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, 3u, ~0u, 0u) == 0) return;
#endif
  rlimit rl{};
  long maxFd = 65536;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) maxFd = static_cast<long>(rl.rlim_cur);
  for (long fd = 3; fd < maxFd; ++fd) ::close(static_cast<int>(fd));
}

}  // namespace

pid_t spawnServer(const std::vector<std::string>& args, int logFd) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const int nullFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (nullFd < 0) return -1;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls from here to exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);  // own process group: terminal signals to the test don't hit it twice
    ::dup2(nullFd, 0);
    ::dup2(logFd, 1);
    ::dup2(logFd, 2);
    closeInheritedFds();
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    // Report errno without non-async-signal-safe formatting.
    char msg[64] = "erdtree-itest: execv failed, errno ";
    size_t len = std::strlen(msg);
    int e = errno;
    char digits[12];
    int nd = 0;
    do {
      digits[nd++] = static_cast<char>('0' + e % 10);
      e /= 10;
    } while (e > 0 && nd < 11);
    while (nd > 0 && len < sizeof msg - 2) msg[len++] = digits[--nd];
    msg[len++] = '\n';
    if (::write(2, msg, len) < 0) { /* nothing to do */ }
    ::_exit(127);
  }
  const int err = errno;
  ::close(nullFd);
  errno = err;
  return pid;
}

}  // namespace erdtree::itest
