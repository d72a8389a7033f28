#pragma once
// redis.conf's `supervised` (upstart | systemd | auto | no), as Redis 7.0
// does it: under systemd (NOTIFY_SOCKET set) the server reports READY=1 once
// it accepts connections, so Debian's Type=notify unit starts; under upstart
// (UPSTART_JOB set) it stops itself with SIGSTOP once configured. A
// supervised server never daemonizes.
#include <string>
#include <string_view>

namespace erdtree::server {

// Decides the mode now (auto looks at the environment) and, for upstart,
// raises SIGSTOP. True when a supervisor was found; warns (through spdlog)
// when one was requested but its variable is missing, as Redis does.
bool startSupervision(const std::string& mode);
// True when READY=1 and the like go to systemd.
bool supervisedBySystemd();
// One datagram to $NOTIFY_SOCKET ("READY=1\n"); false if it could not be sent.
bool notifySystemd(std::string_view message);

}  // namespace erdtree::server
