#pragma once
// Redis's log as scripts and log shippers read it, through spdlog:
//   pid:role dd Mon yyyy hh:mm:ss.mmm level message
// role: M master, S replica, C a forked child (or the process before the
// server is set up, as Redis prints its first lines); level: '.' debug,
// '-' verbose, '*' notice, '#' warning. Redis's levels map onto spdlog's as
// debug=trace, verbose=debug, notice=info, warning=warn.
//
// The start-up banner (logBanner) is Redis's: with always-show-logo, or on a
// terminal with no logfile and no syslog, a raw multi-line logo holding
// "Port: N" and "PID: N"; otherwise one "Running mode=standalone, port=N."
// line. With syslog-enabled the messages also go to syslog (ident, facility),
// without the prefix and at Redis's priorities; when there is no syslog
// daemon (/dev/log missing), syslog drops them silently, as for Redis.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

#include "erdtree/config/settings.h"

namespace erdtree::server {

// The role character of the lines logged from now on.
void setLogRole(char role);
// The calling process is the server from now on (the daemon after
// daemonize's fork); other processes log as 'C'.
void setLogServerProcess();

// loglevel's value as spdlog's level.
spdlog::level::level_enum spdlogLevel(std::string_view redisLevel);

// The logger the settings describe (stdout or logfile, plus syslog); null
// with err set when the log file can't be opened.
std::shared_ptr<spdlog::logger> makeServerLogger(const config::Settings& s, std::string& err);

// The logo, or the "Running mode" line (see the top of this file).
void logBanner(spdlog::logger& logger, const config::Settings& s, const char* version);

}  // namespace erdtree::server
