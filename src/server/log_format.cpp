// Redis's log line format and start-up banner on spdlog (log_format.h).
#include "erdtree/server/log_format.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <syslog.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <vector>

namespace erdtree::server {
namespace {

// 'C' until the server exists (Redis prints its first lines so).
std::atomic<char> gRole{'C'};
std::atomic<pid_t> gServerPid{::getpid()};  // moves to the daemon after daemonize's fork

// %& : the role character; a forked child logs as 'C'.
class RoleFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    dest.push_back(::getpid() == gServerPid.load(std::memory_order_relaxed) ? gRole.load(std::memory_order_relaxed)
                                                                           : 'C');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<RoleFlag>(); }
};

// %* : Redis's level character.
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    switch (msg.level) {
      case spdlog::level::trace: dest.push_back('.'); break;
      case spdlog::level::debug: dest.push_back('-'); break;
      case spdlog::level::info: dest.push_back('*'); break;
      default: dest.push_back('#'); break;
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelFlag>(); }
};

std::unique_ptr<spdlog::formatter> lineFormatter() {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<RoleFlag>('&').add_flag<LevelFlag>('*').set_pattern("%P:%& %d %b %Y %H:%M:%S.%e %* %v");
  return f;
}

// The message alone, at the priority Redis gives each level (its
// syslogLevelMap: debug, info, notice, warning).
class SyslogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  SyslogSink(std::string ident, int facility) : ident_(std::move(ident)) {
    ::openlog(ident_.c_str(), LOG_PID | LOG_NDELAY | LOG_NOWAIT, facility);
  }
  ~SyslogSink() override { ::closelog(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    int prio = LOG_WARNING;
    if (msg.level == spdlog::level::trace) prio = LOG_DEBUG;
    else if (msg.level == spdlog::level::debug) prio = LOG_INFO;
    else if (msg.level == spdlog::level::info) prio = LOG_NOTICE;
    ::syslog(prio, "%.*s", static_cast<int>(msg.payload.size()), msg.payload.data());
  }
  void flush_() override {}
  void set_pattern_(const std::string&) override {}
  void set_formatter_(std::unique_ptr<spdlog::formatter>) override {}

 private:
  std::string ident_;  // openlog keeps the pointer
};

int syslogFacility(const std::string& name) {
  static constexpr int kLocal[] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                   LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
  if (name.size() == 6 && name.starts_with("local") && name[5] >= '0' && name[5] <= '7') return kLocal[name[5] - '0'];
  return LOG_USER;
}

}  // namespace

void setLogRole(char role) { gRole.store(role, std::memory_order_relaxed); }

void setLogServerProcess() { gServerPid.store(::getpid(), std::memory_order_relaxed); }

spdlog::level::level_enum spdlogLevel(std::string_view level) {
  if (level == "debug") return spdlog::level::trace;
  if (level == "verbose") return spdlog::level::debug;
  if (level == "warning") return spdlog::level::warn;
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> makeServerLogger(const config::Settings& s, std::string& err) {
  std::vector<spdlog::sink_ptr> sinks;
  try {
    if (s.logfile.empty()) sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
    else sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(s.logfile));
  } catch (const spdlog::spdlog_ex& e) {
    err = e.what();
    return nullptr;
  }
  if (s.syslogEnabled) sinks.push_back(std::make_shared<SyslogSink>(s.syslogIdent, syslogFacility(s.syslogFacility)));
  auto logger = std::make_shared<spdlog::logger>("erdtree", sinks.begin(), sinks.end());
  logger->set_formatter(lineFormatter());
  logger->set_level(spdlogLevel(s.loglevel));
  logger->flush_on(spdlog::level::trace);  // every line reaches the file at once, as Redis's fopen/fclose per line
  return logger;
}

void logBanner(spdlog::logger& logger, const config::Settings& s, const char* version) {
  const bool logo = s.alwaysShowLogo || (!s.syslogEnabled && s.logfile.empty() && ::isatty(STDOUT_FILENO));
  if (!logo) {
    logger.info("Running mode=standalone, port={}.", s.port);
    return;
  }
  if (!logger.should_log(spdlog::level::info)) return;
  char text[1024];
  std::snprintf(text, sizeof(text),
                "                 __.--.__\n"
                "             .-'  .  :   '-.          Erdtree %s (Redis 7.0 compatible) 64 bit\n"
                "           .'  :    '   .   '.\n"
                "          /  .   \\  |  /  :   \\       Running in standalone mode\n"
                "         |  :  '. \\ | / .'  .  |      Port: %lld\n"
                "          \\   '-._\\\\|//_.-'   /       PID: %d\n"
                "           '-.._   \\|/   _..-'\n"
                "                '--.|.--'\n"
                "                    |||\n"
                "                    |||\n"
                "               ____/|||\\____\n",  // spdlog's end of line makes Redis's blank line
                version, static_cast<long long>(s.port), static_cast<int>(::getpid()));
  logger.set_pattern("%v");  // raw, as Redis's LL_RAW
  logger.info("{}", text);
  logger.set_formatter(lineFormatter());
}

}  // namespace erdtree::server
