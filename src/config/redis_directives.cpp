// The known-but-unsupported Redis 7.0 directives, in one table. The list is
// Redis 7.0.15's config names (CONFIG GET * and the hidden configs answered
// by an exact CONFIG GET) minus the settings in config_table.cpp. When a
// setting is added to config_table.cpp its entry here is simply shadowed;
// remove it then so docs/redis_conf.md stays true.
#include "erdtree/config/redis_directives.h"

#include <algorithm>
#include <array>

namespace erdtree::config {
namespace {

constexpr std::array kUnsupported = {
    UnsupportedDirective{"acl-pubsub-default", ValueKind::kOneWord},
    UnsupportedDirective{"aclfile", ValueKind::kOneWord},
    UnsupportedDirective{"acllog-max-len", ValueKind::kOneWord},
    UnsupportedDirective{"active-defrag-cycle-max", ValueKind::kOneWord},
    UnsupportedDirective{"active-defrag-cycle-min", ValueKind::kOneWord},
    UnsupportedDirective{"active-defrag-ignore-bytes", ValueKind::kOneWord},
    UnsupportedDirective{"active-defrag-max-scan-fields", ValueKind::kOneWord},
    UnsupportedDirective{"active-defrag-threshold-lower", ValueKind::kOneWord},
    UnsupportedDirective{"active-defrag-threshold-upper", ValueKind::kOneWord},
    UnsupportedDirective{"activedefrag", ValueKind::kYesNo},
    UnsupportedDirective{"activerehashing", ValueKind::kYesNo},
    UnsupportedDirective{"always-show-logo", ValueKind::kYesNo},
    UnsupportedDirective{"aof-disable-auto-gc", ValueKind::kYesNo},
    UnsupportedDirective{"aof-rewrite-incremental-fsync", ValueKind::kYesNo},
    UnsupportedDirective{"aof-timestamp-enabled", ValueKind::kYesNo},
    UnsupportedDirective{"aof_rewrite_cpulist", ValueKind::kOneWord},
    UnsupportedDirective{"bgsave_cpulist", ValueKind::kOneWord},
    UnsupportedDirective{"bind-source-addr", ValueKind::kOneWord},
    UnsupportedDirective{"bio_cpulist", ValueKind::kOneWord},
    UnsupportedDirective{"busy-reply-threshold", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-allow-pubsubshard-when-down", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-allow-reads-when-down", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-allow-replica-migration", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-announce-bus-port", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-announce-hostname", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-announce-ip", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-announce-port", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-announce-tls-port", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-config-file", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-enabled", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-link-sendbuf-limit", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-migration-barrier", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-node-timeout", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-port", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-preferred-endpoint-type", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-replica-no-failover", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-replica-validity-factor", ValueKind::kOneWord},
    UnsupportedDirective{"cluster-require-full-coverage", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-slave-no-failover", ValueKind::kYesNo},
    UnsupportedDirective{"cluster-slave-validity-factor", ValueKind::kOneWord},
    UnsupportedDirective{"crash-log-enabled", ValueKind::kYesNo},
    UnsupportedDirective{"crash-memcheck-enabled", ValueKind::kYesNo},
    UnsupportedDirective{"disable-thp", ValueKind::kYesNo},
    UnsupportedDirective{"dynamic-hz", ValueKind::kYesNo},
    UnsupportedDirective{"enable-module-command", ValueKind::kOneWord},
    UnsupportedDirective{"hll-sparse-max-bytes", ValueKind::kOneWord},
    UnsupportedDirective{"ignore-warnings", ValueKind::kOneWord},
    UnsupportedDirective{"io-threads", ValueKind::kOneWord},
    UnsupportedDirective{"io-threads-do-reads", ValueKind::kYesNo},
    UnsupportedDirective{"jemalloc-bg-thread", ValueKind::kYesNo},
    UnsupportedDirective{"key-load-delay", ValueKind::kOneWord},
    UnsupportedDirective{"latency-monitor-threshold", ValueKind::kOneWord},
    UnsupportedDirective{"latency-tracking", ValueKind::kYesNo},
    UnsupportedDirective{"latency-tracking-info-percentiles", ValueKind::kWords},
    UnsupportedDirective{"list-compress-depth", ValueKind::kOneWord},
    UnsupportedDirective{"loading-process-events-interval-bytes", ValueKind::kOneWord},
    UnsupportedDirective{"lua-enable-deprecated-api", ValueKind::kYesNo},
    UnsupportedDirective{"lua-time-limit", ValueKind::kOneWord},
    UnsupportedDirective{"maxmemory-clients", ValueKind::kOneWord},
    UnsupportedDirective{"no-appendfsync-on-rewrite", ValueKind::kYesNo},
    UnsupportedDirective{"notify-keyspace-events", ValueKind::kOneWord},
    UnsupportedDirective{"oom-score-adj", ValueKind::kOneWord},
    UnsupportedDirective{"oom-score-adj-values", ValueKind::kWords},
    UnsupportedDirective{"proc-title-template", ValueKind::kOneWord},
    UnsupportedDirective{"propagation-error-behavior", ValueKind::kOneWord},
    UnsupportedDirective{"rdb-del-sync-files", ValueKind::kYesNo},
    UnsupportedDirective{"rdb-key-save-delay", ValueKind::kOneWord},
    UnsupportedDirective{"rdb-save-incremental-fsync", ValueKind::kYesNo},
    UnsupportedDirective{"repl-backlog-ttl", ValueKind::kOneWord},
    UnsupportedDirective{"repl-disable-tcp-nodelay", ValueKind::kYesNo},
    UnsupportedDirective{"repl-diskless-load", ValueKind::kOneWord},
    UnsupportedDirective{"repl-diskless-sync-delay", ValueKind::kOneWord},
    UnsupportedDirective{"repl-diskless-sync-max-replicas", ValueKind::kOneWord},
    UnsupportedDirective{"replica-ignore-disk-write-errors", ValueKind::kYesNo},
    UnsupportedDirective{"sanitize-dump-payload", ValueKind::kOneWord},
    UnsupportedDirective{"server_cpulist", ValueKind::kOneWord},
    UnsupportedDirective{"set-proc-title", ValueKind::kYesNo},
    UnsupportedDirective{"shutdown-timeout", ValueKind::kOneWord},
    UnsupportedDirective{"slowlog-log-slower-than", ValueKind::kOneWord},
    UnsupportedDirective{"slowlog-max-len", ValueKind::kOneWord},
    UnsupportedDirective{"socket-mark-id", ValueKind::kOneWord},
    UnsupportedDirective{"stream-node-max-bytes", ValueKind::kOneWord},
    UnsupportedDirective{"stream-node-max-entries", ValueKind::kOneWord},
    UnsupportedDirective{"syslog-enabled", ValueKind::kYesNo},
    UnsupportedDirective{"syslog-facility", ValueKind::kOneWord},
    UnsupportedDirective{"syslog-ident", ValueKind::kOneWord},
    UnsupportedDirective{"tls-auth-clients", ValueKind::kOneWord},
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
    UnsupportedDirective{"tls-port", ValueKind::kOneWord},
    UnsupportedDirective{"tls-prefer-server-ciphers", ValueKind::kYesNo},
    UnsupportedDirective{"tls-protocols", ValueKind::kOneWord},
    UnsupportedDirective{"tls-replication", ValueKind::kYesNo},
    UnsupportedDirective{"tls-session-cache-size", ValueKind::kOneWord},
    UnsupportedDirective{"tls-session-cache-timeout", ValueKind::kOneWord},
    UnsupportedDirective{"tls-session-caching", ValueKind::kYesNo},
    UnsupportedDirective{"tracking-table-max-keys", ValueKind::kOneWord},
    UnsupportedDirective{"unixsocket", ValueKind::kOneWord},
    UnsupportedDirective{"unixsocketperm", ValueKind::kOneWord},
    UnsupportedDirective{"use-exit-on-panic", ValueKind::kYesNo},
    UnsupportedDirective{"watchdog-period", ValueKind::kOneWord},
};

}  // namespace

std::span<const UnsupportedDirective> unsupportedDirectives() { return kUnsupported; }

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
