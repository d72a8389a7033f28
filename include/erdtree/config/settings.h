#pragma once
// Every tunable of the server as a typed field, so the hot path reads a plain
// member instead of looking a name up. Names in comments are the Redis setting
// names the descriptor table (config_table.cpp) maps to these fields.
#include <cstdint>
#include <string>
#include <vector>

namespace erdtree::config {

struct OutputBufferLimit {
  uint64_t hardBytes = 0;    // disconnect at once above this (0 = no limit)
  uint64_t softBytes = 0;    // disconnect if above this for softSeconds
  int64_t softSeconds = 0;
};

// One RDB save rule: BGSAVE once `seconds` have passed since the last save
// and at least `changes` writes happened (Redis's "save <seconds> <changes>").
struct SaveRule {
  int64_t seconds = 0;
  int32_t changes = 0;  // an int in Redis: CONFIG SET truncates larger values the same way
  bool operator==(const SaveRule&) const = default;
};

// SHUTDOWN's modifiers as shutdown-on-sigterm / shutdown-on-sigint take them
// ("default" is none of them).
struct ShutdownOptions {
  bool save = false;
  bool nosave = false;
  bool now = false;
  bool force = false;
};

struct Settings {
  // [server]
  std::vector<std::string> bind{"127.0.0.1"};  // bind (space separated)
  int64_t port = 6379;                          // port
  int64_t tcpBacklog = 511;                     // tcp-backlog
  std::string unixsocket;                       // unixsocket: also listen on this Unix socket ("" = no)
  int64_t unixsocketperm = 0;                   // unixsocketperm (octal; 0 = leave the umask's mode)
  int64_t timeoutSeconds = 0;                   // timeout (idle clients; 0 = never)
  int64_t tcpKeepalive = 300;                   // tcp-keepalive (seconds)
  int64_t databases = 16;                       // databases
  int64_t maxclients = 10000;                   // maxclients
  std::string requirepass;                      // requirepass
  std::string dir = "./data";                   // dir
  std::string enableProtectedConfigs = "no";    // enable-protected-configs (no|yes|local)
  // enable-debug-command (no|yes|local): Redis's default is no; erdtree
  // allows loopback clients so DEBUG DIGEST works out of the box.
  std::string enableDebugCommand = "local";
  std::string loglevel = "notice";              // loglevel
  std::string logfile;                          // logfile ("" = stdout)
  bool alwaysShowLogo = false;                  // always-show-logo (else only on a terminal)
  bool syslogEnabled = false;                   // syslog-enabled: also log to syslog
  std::string syslogIdent = "redis";            // syslog-ident (Redis's default, for existing log filters)
  std::string syslogFacility = "local0";        // syslog-facility: user or local0..local7
  std::string pidfile;                          // pidfile
  int64_t hz = 10;                              // hz (cron frequency)
  bool daemonize = false;                       // daemonize (yes: fork into the background as Redis does)
  std::string supervised = "no";                // supervised (upstart|systemd|auto|no; supervision.h)
  bool protectedMode = true;                    // protected-mode (loopback-only default)
  // save: Redis 7.0's default rules; empty = no automatic snapshots.
  std::vector<SaveRule> save{{3600, 1}, {300, 100}, {60, 10000}};
  bool stopWritesOnBgsaveError = true;          // stop-writes-on-bgsave-error
  ShutdownOptions shutdownOnSigterm;            // shutdown-on-sigterm
  ShutdownOptions shutdownOnSigint;             // shutdown-on-sigint
  int64_t shutdownTimeout = 10;                 // shutdown-timeout: seconds a master waits for its replicas
  std::string dbfilename = "dump.rdb";          // dbfilename
  bool rdbcompression = true;                   // rdbcompression (LZF for strings over 20 bytes)
  bool rdbchecksum = true;                      // rdbchecksum (CRC-64 at the end of the file)
  // [aof]
  bool appendonly = true;                       // appendonly (Erdtree defaults to yes; Redis to no)
  std::string appendfsync = "everysec";         // appendfsync
  std::string appendfilename = "appendonly.aof";// appendfilename
  std::string appenddirname = "appendonlydir";  // appenddirname
  bool aofLoadTruncated = true;                 // aof-load-truncated
  uint64_t aofSegmentMaxSize = 64ull << 20;     // aof-segment-max-size (Erdtree's; incr segment rotation)
  bool aofUseRdbPreamble = true;                // aof-use-rdb-preamble (the rewrite's base is an RDB file)
  int64_t autoAofRewritePercentage = 100;       // auto-aof-rewrite-percentage (0: no automatic rewrite)
  uint64_t autoAofRewriteMinSize = 64ull << 20; // auto-aof-rewrite-min-size
  // [replication] (replica side)
  std::string replicaof;                        // replicaof "host port" ("" = a master)
  std::string masterauth;                       // masterauth
  std::string masteruser;                       // masteruser
  bool replicaReadOnly = true;                  // replica-read-only (alias slave-read-only)
  bool replicaServeStaleData = true;            // replica-serve-stale-data (alias slave-serve-stale-data)
  int64_t replTimeout = 60;                     // repl-timeout (seconds)
  int64_t replicaPriority = 100;                // replica-priority (alias slave-priority; 0: never promoted)
  bool replicaAnnounced = true;                 // replica-announced (Sentinel lists this replica)
  std::string replicaAnnounceIp;                // replica-announce-ip (REPLCONF ip-address; "" = peer address)
  int64_t replicaAnnouncePort = 0;              // replica-announce-port (0 = the listening port)
  // [limits]
  uint64_t protoMaxBulkLen = 512ull << 20;          // proto-max-bulk-len
  uint64_t clientQueryBufferLimit = 1ull << 30;     // client-query-buffer-limit
  OutputBufferLimit outputLimitNormal{};            // client-output-buffer-limit normal
  OutputBufferLimit outputLimitReplica{256ull << 20, 64ull << 20, 60};
  OutputBufferLimit outputLimitPubsub{32ull << 20, 8ull << 20, 60};
  // [replication] (master side)
  uint64_t replBacklogSize = 1ull << 20;        // repl-backlog-size
  int64_t replPingReplicaPeriod = 10;           // repl-ping-replica-period (seconds)
  int64_t minReplicasToWrite = 0;               // min-replicas-to-write (alias min-slaves-to-write; 0 = off)
  int64_t minReplicasMaxLag = 10;               // min-replicas-max-lag (alias min-slaves-max-lag; seconds, 0 = off)
  bool replDisklessSync = true;                 // repl-diskless-sync (accepted, ignored: sync is disk-based)
  // [memory]
  uint64_t maxmemory = 0;                       // maxmemory
  std::string maxmemoryPolicy = "noeviction";   // maxmemory-policy
  int64_t maxmemorySamples = 5;                 // maxmemory-samples (keys sampled per db per round)
  int64_t maxmemoryEvictionTenacity = 10;       // maxmemory-eviction-tenacity (0..100: time per eviction call)
  int64_t lfuLogFactor = 10;                    // lfu-log-factor
  int64_t lfuDecayTime = 1;                     // lfu-decay-time (minutes per counter decrement; 0 = never)
  bool replicaIgnoreMaxmemory = true;           // replica-ignore-maxmemory (alias slave-ignore-maxmemory)
  int64_t activeExpireEffort = 1;               // active-expire-effort (1..10)
  // [encoding] compact-encoding thresholds (Redis's names; *-ziplist-* are aliases)
  int64_t hashMaxListpackEntries = 128;
  int64_t hashMaxListpackValue = 64;
  int64_t listMaxListpackSize = -2;
  int64_t setMaxIntsetEntries = 512;
  int64_t zsetMaxListpackEntries = 128;
  int64_t zsetMaxListpackValue = 64;
  // [lazyfree] which deletions free big values off the loop (all off, as Redis 7.0)
  bool lazyfreeLazyEviction = false;   // lazyfree-lazy-eviction
  bool lazyfreeLazyExpire = false;     // lazyfree-lazy-expire
  bool lazyfreeLazyServerDel = false;  // lazyfree-lazy-server-del
  bool lazyfreeLazyUserDel = false;    // lazyfree-lazy-user-del
  bool lazyfreeLazyUserFlush = false;  // lazyfree-lazy-user-flush
  bool replicaLazyFlush = false;       // replica-lazy-flush (alias slave-lazy-flush)
  // [monitoring] SLOWLOG and LATENCY (docs in README, "Operator commands")
  int64_t slowlogLogSlowerThan = 10000;  // slowlog-log-slower-than (us; -1 disables, 0 logs everything)
  int64_t slowlogMaxLen = 128;           // slowlog-max-len
  int64_t latencyMonitorThreshold = 0;   // latency-monitor-threshold (ms; 0 = off)
  bool latencyTracking = true;           // latency-tracking (per-command histograms, LATENCY HISTOGRAM)
  // latency-tracking-info-percentiles: the percentiles INFO latencystats prints.
  std::string latencyTrackingInfoPercentiles = "50 99 99.9";
};

}  // namespace erdtree::config
