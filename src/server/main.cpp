// erdtree-server entry point: configuration (embedded default, optional file,
// --name value flags), logging, working directory, then the event loop.
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "erdtree/command/families.h"
#include "erdtree/config/config.h"
#include "erdtree/server/fd_limit.h"
#include "erdtree/server/log_format.h"
#include "erdtree/server/server.h"
#include "erdtree/server/supervision.h"
#include "erdtree/util/alloc_counter.h"
#include "erdtree/util/hash.h"

namespace {

void printUsage() {
  std::puts(
      "Usage: erdtree-server [/path/to/erdtree.toml | /path/to/redis.conf] [--config FILE] [--name value ...]\n"
      "       erdtree-server --version\n"
      "Settings use Redis's names, e.g. --port 7000 --bind 127.0.0.1 --maxclients 100.\n"
      "Without a file the embedded default (conf/erdtree.toml) applies.");
}

// Creates every missing component of path.
bool makeDirs(const std::string& path) {
  std::string partial;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (!partial.empty() && mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
    if (i < path.size()) partial += path[i];
  }
  return true;
}

// rename-command may name any command the server has.
std::vector<std::string> commandNames() {
  erdtree::command::Registry registry;
  erdtree::command::registerAllCommands(registry);
  std::vector<std::string> names;
  for (const auto& spec : registry.all()) names.emplace_back(spec->name);
  return names;
}

// daemonize yes, as Redis does it: the parent exits at once (an init script
// waits for that), the child leaves the terminal's session and its standard
// streams go to /dev/null. Done before any thread is started.
// The parent waits until the child has its own session, so whoever started
// it and then signals its process group cannot hit the daemon.
void daemonize() {
  int ready[2];
  if (pipe(ready) != 0) ready[0] = ready[1] = -1;
  pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "Can't fork to daemonize: %s\n", std::strerror(errno));
    std::exit(1);
  }
  if (pid > 0) {
    if (ready[1] >= 0) close(ready[1]);
    char byte;
    while (ready[0] >= 0 && read(ready[0], &byte, 1) < 0 && errno == EINTR) {
    }
    std::_Exit(0);
  }
  setsid();
  if (ready[0] >= 0) close(ready[0]);
  if (ready[1] >= 0) close(ready[1]);  // the parent's read returns: it may exit now
  int fd = open("/dev/null", O_RDWR);
  if (fd >= 0) {
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) close(fd);
  }
}

// Every client costs a descriptor: raise the limit or lower maxclients to fit.
void adjustOpenFilesLimit(erdtree::config::Config& config) {
  auto& s = config.mutableSettings();
  int64_t fit = erdtree::server::ensureFdsForClients(s.maxclients);
  if (fit >= s.maxclients) return;
  spdlog::warn("You requested maxclients of {} requiring at least {} max file descriptors; the system allows {} "
               "clients, so maxclients is now {}.", s.maxclients, s.maxclients + erdtree::server::kReservedFds, fit, fit);
  s.maxclients = fit;
}

}  // namespace

int main(int argc, char** argv) {
  // No glibc fastbins: with millions of small entries freed (mass expiry,
  // FLUSHALL) the next large free would consolidate them all at once, a
  // measured 60-90 ms stall. tcache still serves small sizes quickly.
  mallopt(M_MXFAST, 0);
  // libuv's own allocations count in used_memory too (before any uv call).
  uv_replace_allocator(erdtree::util::countedMalloc, erdtree::util::countedRealloc, erdtree::util::countedCalloc,
                       erdtree::util::countedFree);
  if (argc == 2 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "-v") == 0)) {
    std::printf("Erdtree server v=%s (Redis 7.0 compatible) bits=64\n", ERDTREE_VERSION);
    return 0;
  }
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    printUsage();
    return 0;
  }

  erdtree::config::Config config;
  config.setKnownCommands(commandNames());
  std::string err = config.applyCommandLine(argc, argv);
  if (!err.empty()) {
    // A redis.conf fails with Redis's own text (scripts and people know it).
    if (config.redisConfFormat()) std::fprintf(stderr, "%s%s", err.c_str(), err.back() == '\n' ? "" : "\n");
    else std::fprintf(stderr, "\n*** FATAL CONFIG ERROR (erdtree-server) ***\n>>> %s\n", err.c_str());
    return 1;
  }
  const auto& s = config.settings();

  // Redis's line shape and start-up lines (log_format.h).
  std::shared_ptr<spdlog::logger> logger = erdtree::server::makeServerLogger(s, err);
  if (!logger) {
    std::fprintf(stderr, "Can't open the log file: %s\n", err.c_str());
    return 1;
  }
  spdlog::set_default_logger(logger);
  config.onChange([&config](std::string_view name) {
    if (name == "loglevel") spdlog::default_logger()->set_level(erdtree::server::spdlogLevel(config.settings().loglevel));
  });

  spdlog::warn("oO0OoO0OoO0Oo Erdtree is starting oO0OoO0OoO0Oo");
  spdlog::warn("Erdtree version={}, bits=64, commit=00000000, modified=0, pid={}, just started", ERDTREE_VERSION,
               getpid());
  spdlog::warn(config.configFile().empty() ? "Configuration loaded (embedded default)"
                                           : "Configuration loaded from " + config.configFile());
  for (const std::string& w : config.startupWarnings()) spdlog::warn("{}", w);
  // As Redis: a supervised server stays in the foreground whatever daemonize says.
  const bool supervised = erdtree::server::startSupervision(s.supervised);
  if (s.daemonize && !supervised) {
    daemonize();
    erdtree::server::setLogServerProcess();
  }

  adjustOpenFilesLimit(config);
  if (!makeDirs(s.dir) || chdir(s.dir.c_str()) != 0) {
    spdlog::warn("Can't chdir to '{}': {}", s.dir, std::strerror(errno));
    return 1;
  }
  // CONFIG GET dir reports the absolute working directory, as Redis does.
  if (char* cwd = getcwd(nullptr, 0)) {
    config.mutableSettings().dir = cwd;
    std::free(cwd);
  }
  if (!s.pidfile.empty()) {
    std::ofstream pidOut(s.pidfile);
    pidOut << getpid() << "\n";
    if (!pidOut) spdlog::warn("Failed to write PID file: {}", std::strerror(errno));
  }

  std::random_device rd;
  erdtree::util::setHashSeed((static_cast<uint64_t>(rd()) << 32) ^ rd());

  int code = 0;
  {
    erdtree::server::Server server(config);  // the log's role becomes M (or S)
    erdtree::server::logBanner(*logger, s, ERDTREE_VERSION);
    err = server.start();
    if (!err.empty()) {
      spdlog::warn("{}", err);
      return 1;
    }
    code = server.run();
  }
  if (!s.pidfile.empty()) unlink(s.pidfile.c_str());
  return code;
}
