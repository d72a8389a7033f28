// The known-but-unsupported Redis 7.0 directives, in one table. The list is
// Redis 7.0.15's config names (CONFIG GET * and the hidden configs answered
// by an exact CONFIG GET) minus the settings in config_table.cpp. When a
// setting is added to config_table.cpp its entry here is simply shadowed;
// remove it then so docs/redis_conf.md stays true.
#include "erdtree/config/redis_directives.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "erdtree/config/config_table.h"
#include "erdtree/util/numbers.h"

namespace erdtree::config {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr int64_t kMin64 = INT64_MIN;
constexpr int64_t kMax64 = INT64_MAX;

// Kinds and bounds as redis-server 7.0.15 checks them (probed with bad values).
constexpr std::array kUnsupported = {
    UnsupportedDirective{"acl-pubsub-default", ValueKind::kEnum, 0, 0, "allchannels, resetchannels"},
    UnsupportedDirective{"aclfile", ValueKind::kOneWord},
    UnsupportedDirective{"acllog-max-len", ValueKind::kInteger, 0, kMax64},
    UnsupportedDirective{"active-defrag-cycle-max", ValueKind::kInteger, 1, 99},
    UnsupportedDirective{"active-defrag-cycle-min", ValueKind::kInteger, 1, 99},
    UnsupportedDirective{"active-defrag-ignore-bytes", ValueKind::kMemory, 1, kMax64},
    UnsupportedDirective{"active-defrag-max-scan-fields", ValueKind::kInteger, 1, kMax64},
    UnsupportedDirective{"active-defrag-threshold-lower", ValueKind::kInteger, 0, 1000},
    UnsupportedDirective{"active-defrag-threshold-upper", ValueKind::kInteger, 0, 1000},
    UnsupportedDirective{"activedefrag", ValueKind::kYesNo},
    UnsupportedDirective{"activerehashing", ValueKind::kYesNo},
    UnsupportedDirective{"aof-disable-auto-gc", ValueKind::kYesNo},
    UnsupportedDirective{"aof-rewrite-incremental-fsync", ValueKind::kYesNo},
    UnsupportedDirective{"aof-timestamp-enabled", ValueKind::kYesNo},
    UnsupportedDirective{"aof_rewrite_cpulist", ValueKind::kOneWord},
    UnsupportedDirective{"bgsave_cpulist", ValueKind::kOneWord},
    UnsupportedDirective{"bind-source-addr", ValueKind::kOneWord},
    UnsupportedDirective{"bio_cpulist", ValueKind::kOneWord},
    UnsupportedDirective{"busy-reply-threshold", ValueKind::kInteger, 0, kMax64},
    UnsupportedDirective{"cluster-allow-pubsubshard-when-down", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-allow-reads-when-down", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-allow-replica-migration", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-announce-bus-port", ValueKind::kInteger, 0, 65535},
    UnsupportedDirective{"cluster-announce-hostname", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-announce-ip", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-announce-port", ValueKind::kInteger, 0, 65535},
    UnsupportedDirective{"cluster-announce-tls-port", ValueKind::kInteger, 0, 65535},
    UnsupportedDirective{"cluster-config-file", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-enabled", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-link-sendbuf-limit", ValueKind::kMemory, 0, kMax64},
    UnsupportedDirective{"cluster-migration-barrier", ValueKind::kInteger, 0, 2147483647},
    UnsupportedDirective{"cluster-node-timeout", ValueKind::kInteger, 0, kMax64},
    UnsupportedDirective{"cluster-port", ValueKind::kInteger, 0, 65535},
    UnsupportedDirective{"cluster-preferred-endpoint-type", ValueKind::kEnum, 0, 0, "ip, hostname, unknown-endpoint"},
    UnsupportedDirective{"cluster-replica-no-failover", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-replica-validity-factor", ValueKind::kInteger, 0, 2147483647},
    UnsupportedDirective{"cluster-require-full-coverage", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-slave-no-failover", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-slave-validity-factor", ValueKind::kInteger, 0, 2147483647},
    UnsupportedDirective{"crash-log-enabled", ValueKind::kYesNo},
    UnsupportedDirective{"crash-memcheck-enabled", ValueKind::kYesNo},
    UnsupportedDirective{"disable-thp", ValueKind::kYesNo},
    UnsupportedDirective{"dynamic-hz", ValueKind::kYesNo},
    UnsupportedDirective{"enable-module-command", ValueKind::kEnum, 0, 0, "no, yes, local"},
    UnsupportedDirective{"hll-sparse-max-bytes", ValueKind::kMemory, 0, kMax64},
    UnsupportedDirective{"ignore-warnings", ValueKind::kOneWord},
    UnsupportedDirective{"io-threads", ValueKind::kInteger, 1, 128},
    UnsupportedDirective{"io-threads-do-reads", ValueKind::kYesNo},
    UnsupportedDirective{"jemalloc-bg-thread", ValueKind::kYesNo},
    UnsupportedDirective{"key-load-delay", ValueKind::kInteger, -2147483648, 2147483647},
    UnsupportedDirective{"list-compress-depth", ValueKind::kInteger, 0, 2147483647},
    UnsupportedDirective{"loading-process-events-interval-bytes", ValueKind::kInteger, 1024, 2147483647},
    UnsupportedDirective{"lua-enable-deprecated-api", ValueKind::kYesNo},
    UnsupportedDirective{"lua-time-limit", ValueKind::kInteger, 0, kMax64},
    UnsupportedDirective{"maxmemory-clients", ValueKind::kOneWord},
    UnsupportedDirective{"no-appendfsync-on-rewrite", ValueKind::kYesNo},
    UnsupportedDirective{"notify-keyspace-events", ValueKind::kOneWord},
    UnsupportedDirective{"oom-score-adj", ValueKind::kEnum, 0, 0, "no, yes, relative, absolute"},
    UnsupportedDirective{"oom-score-adj-values", ValueKind::kWords},
    UnsupportedDirective{"proc-title-template", ValueKind::kOneWord},
    UnsupportedDirective{"propagation-error-behavior", ValueKind::kEnum, 0, 0, "ignore, panic, panic-on-replicas"},
    UnsupportedDirective{"rdb-del-sync-files", ValueKind::kYesNo},
    UnsupportedDirective{"rdb-key-save-delay", ValueKind::kInteger, -2147483648, 2147483647},
    UnsupportedDirective{"rdb-save-incremental-fsync", ValueKind::kYesNo},
    UnsupportedDirective{"repl-backlog-ttl", ValueKind::kInteger, 0, kMax64},
    UnsupportedDirective{"repl-disable-tcp-nodelay", ValueKind::kYesNo},
    UnsupportedDirective{"repl-diskless-load", ValueKind::kEnum, 0, 0, "disabled, on-empty-db, swapdb"},
    UnsupportedDirective{"repl-diskless-sync-delay", ValueKind::kInteger, 0, 2147483647},
    UnsupportedDirective{"repl-diskless-sync-max-replicas", ValueKind::kInteger, 0, 2147483647},
    UnsupportedDirective{"replica-ignore-disk-write-errors", ValueKind::kYesNo},
    UnsupportedDirective{"sanitize-dump-payload", ValueKind::kEnum, 0, 0, "no, yes, clients"},
    UnsupportedDirective{"server_cpulist", ValueKind::kOneWord},
    UnsupportedDirective{"set-proc-title", ValueKind::kYesNo},
    UnsupportedDirective{"socket-mark-id", ValueKind::kInteger, 0, 4294967295},
    UnsupportedDirective{"stream-node-max-bytes", ValueKind::kMemory, 0, kMax64},
    UnsupportedDirective{"stream-node-max-entries", ValueKind::kInteger, 0, kMax64},
    UnsupportedDirective{"tls-auth-clients", ValueKind::kEnum, 0, 0, "no, yes, optional"},
    UnsupportedDirective{"tls-ca-cert-dir", ValueKind::kOneWord},
    UnsupportedDirective{"tls-ca-cert-file", ValueKind::kOneWord},
    UnsupportedDirective{"tls-cert-file", ValueKind::kOneWord},
    UnsupportedDirective{"tls-ciphers", ValueKind::kOneWord},
    UnsupportedDirective{"tls-ciphersuites", ValueKind::kOneWord},
    UnsupportedDirective{"tls-client-cert-file", ValueKind::kOneWord},
    UnsupportedDirective{"tls-client-key-file", ValueKind::kOneWord},
    UnsupportedDirective{"tls-client-key-file-pass", ValueKind::kOneWord},
    UnsupportedDirective{"tls-cluster", ValueKind::kYesNo},
    UnsupportedDirective{"tls-dh-params-file", ValueKind::kOneWord},
    UnsupportedDirective{"tls-key-file", ValueKind::kOneWord},
    UnsupportedDirective{"tls-key-file-pass", ValueKind::kOneWord},
    UnsupportedDirective{"tls-port", ValueKind::kInteger, 0, 65535},
    UnsupportedDirective{"tls-prefer-server-ciphers", ValueKind::kYesNo},
    UnsupportedDirective{"tls-protocols", ValueKind::kOneWord},
    UnsupportedDirective{"tls-replication", ValueKind::kYesNo},
    UnsupportedDirective{"tls-session-cache-size", ValueKind::kInteger, 0, 2147483647},
    UnsupportedDirective{"tls-session-cache-timeout", ValueKind::kInteger, 0, 2147483647},
    UnsupportedDirective{"tls-session-caching", ValueKind::kYesNo},
    UnsupportedDirective{"tracking-table-max-keys", ValueKind::kInteger, 0, kMax64},
    UnsupportedDirective{"use-exit-on-panic", ValueKind::kYesNo},
    UnsupportedDirective{"watchdog-period", ValueKind::kInteger, 0, 2147483647},
};

}  // namespace

std::span<const UnsupportedDirective> unsupportedDirectives() { return kUnsupported; }

std::string checkUnsupportedValue(const UnsupportedDirective& d, std::string_view value) {
  auto inRange = [&](int64_t n) -> std::string {
    if (n >= d.min && n <= d.max) return "";
    return "argument must be between " + std::to_string(d.min) + " and " + std::to_string(d.max) + " inclusive";
  };
  switch (d.kind) {
    case ValueKind::kYesNo: {
      const std::string v = lower(value);
      return v == "yes" || v == "no" ? "" : "argument must be 'yes' or 'no'";
    }
    case ValueKind::kInteger: {
      auto n = util::parseInt64(value);
      if (!n) return "argument couldn't be parsed into an integer";
      return inRange(*n);
    }
    case ValueKind::kMemory: {
      uint64_t n = 0;
      if (!parseMemory(value, n)) return "argument must be a memory value";
      // Redis holds it in a long long: larger values wrap negative, below any minimum.
      if (n > static_cast<uint64_t>(INT64_MAX)) return inRange(INT64_MIN);
      return inRange(static_cast<int64_t>(n));
    }
    case ValueKind::kEnum: {
      const std::string v = lower(value);
      std::string_view rest = d.choices;
      while (!rest.empty()) {
        const size_t comma = rest.find(", ");
        if (rest.substr(0, comma) == v) return "";
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
      }
      return "argument(s) must be one of the following: " + std::string(d.choices);
    }
    case ValueKind::kOneWord:
    case ValueKind::kWords:
      return "";
  }
  return "";
}

const UnsupportedDirective* findUnsupportedDirective(std::string_view lowerName) {
  auto it = std::lower_bound(kUnsupported.begin(), kUnsupported.end(), lowerName,
                             [](const UnsupportedDirective& d, std::string_view n) { return d.name < n; });
  return it != kUnsupported.end() && it->name == lowerName ? &*it : nullptr;
}

bool takesSeveralWords(std::string_view n) {
  return n == "save" || n == "bind" || n == "client-output-buffer-limit" || n == "replicaof" || n == "slaveof" ||
         n == "shutdown-on-sigterm" || n == "shutdown-on-sigint" || n == "latency-tracking-info-percentiles" ||
         n == "oom-score-adj-values";
}

bool isDeprecatedIgnored(std::string_view n) {
  return n == "list-max-ziplist-entries" || n == "list-max-ziplist-value" || n == "lua-replicate-commands";
}

}  // namespace erdtree::config
