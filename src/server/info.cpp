// INFO: Redis's sections and field names, because monitoring, Sentinel and
// client libraries parse them.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "erdtree/server/server.h"
#include "erdtree/util/alloc_counter.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/clock.h"

namespace erdtree::server {
namespace {

constexpr std::string_view kCompatVersion = "7.0.15";

std::string human(uint64_t bytes) {
  char buf[64];
  double d = static_cast<double>(bytes);
  if (bytes < 1024) std::snprintf(buf, sizeof(buf), "%lluB", static_cast<unsigned long long>(bytes));
  else if (bytes < (1ull << 20)) std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  else if (bytes < (1ull << 30)) std::snprintf(buf, sizeof(buf), "%.2fM", d / (1 << 20));
  else if (bytes < (1ull << 40)) std::snprintf(buf, sizeof(buf), "%.2fG", d / (1ull << 30));
  else std::snprintf(buf, sizeof(buf), "%.2fT", d / (1ull << 40));
  return buf;
}

struct Fields {
  std::string text;
  void add(std::string_view name, std::string_view value) {
    text += name;
    text += ':';
    text += value;
    text += "\r\n";
  }
  void add(std::string_view name, uint64_t v) { add(name, std::to_string(v)); }
  void add(std::string_view name, int64_t v) { add(name, std::to_string(v)); }
  void add(std::string_view name, int v) { add(name, std::to_string(v)); }
  void addDouble(std::string_view name, double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.2f", v);
    add(name, std::string_view(buf));
  }
};

double average(const double* samples, int n) {
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += samples[i];
  return sum / n;
}

// latency_percentiles_usec_<command>:p50=...,p99=...,p99.9=... for every
// command called since the start (or CONFIG RESETSTAT), at the resolution of
// erdtree's power-of-two histogram buckets (command_stats.h).
Fields latencyStats(const command::Registry& registry, const command::CommandStatsTable& stats,
                    std::string_view percentileList) {
  Fields f;
  std::vector<std::pair<std::string_view, double>> percentiles;
  for (auto word : util::splitSpaces(percentileList))
    percentiles.emplace_back(word, std::strtod(std::string(word).c_str(), nullptr));
  auto line = [&](const command::CommandSpec& spec) {
    const command::CommandStats* st = stats.get(spec.index);
    if (st == nullptr || st->samples == 0) return;
    std::string value;
    for (const auto& [text, pct] : percentiles) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.3f",
                    static_cast<double>(command::latencyPercentileNs(*st, pct)) / 1000.0);
      if (!value.empty()) value += ',';
      value += 'p';
      value += text;
      value += '=';
      value += buf;
    }
    f.add("latency_percentiles_usec_" + std::string(spec.name), value);
  };
  for (const auto& spec : registry.all()) {
    line(*spec);
    for (const auto& sub : spec->subcommands) line(sub);
  }
  return f;
}

// cmdstat_<command>:calls=..,usec=..,usec_per_call=..,rejected_calls=..,failed_calls=..
// for every command (subcommands as config|get) called or refused since the
// start or CONFIG RESETSTAT, in the registry's order.
Fields commandStats(const command::Registry& registry, const command::CommandStatsTable& stats) {
  Fields f;
  auto line = [&](const command::CommandSpec& spec) {
    const command::CommandStats* st = stats.get(spec.index);
    if (st == nullptr || (st->calls == 0 && st->rejectedCalls == 0 && st->failedCalls == 0)) return;
    // Redis divides in single precision and prints %.2f.
    const float perCall = st->calls == 0 ? 0.0f : static_cast<float>(st->usec) / static_cast<float>(st->calls);
    char buf[160];
    std::snprintf(buf, sizeof(buf), "calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,failed_calls=%llu",
                  static_cast<unsigned long long>(st->calls), static_cast<unsigned long long>(st->usec),
                  static_cast<double>(perCall), static_cast<unsigned long long>(st->rejectedCalls),
                  static_cast<unsigned long long>(st->failedCalls));
    f.add("cmdstat_" + std::string(spec.name), std::string_view(buf));
  };
  for (const auto& spec : registry.all()) {
    line(*spec);
    for (const auto& sub : spec->subcommands) line(sub);
  }
  return f;
}

// errorstat_<code>:count=N, codes in byte order as Redis's radix tree.
Fields errorStats(const command::ErrorStats& errors) {
  Fields f;
  for (const auto& [code, count] : errors.codes()) f.add("errorstat_" + code, "count=" + std::to_string(count));
  return f;
}

}  // namespace

std::string Server::info(std::span<const std::string_view> sections) {
  static const std::string_view kDefault[] = {"server", "clients", "memory", "persistence", "stats",
                                              "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"};
  auto wanted = [&](std::string_view name) {
    if (sections.empty()) {
      for (auto d : kDefault)
        if (d == name) return true;
      return false;
    }
    for (auto s : sections) {
      if (util::equalsIgnoreCase(s, name) || util::equalsIgnoreCase(s, "all") ||
          util::equalsIgnoreCase(s, "everything"))
        return true;
      if (util::equalsIgnoreCase(s, "default"))
        for (auto d : kDefault)
          if (d == name) return true;
    }
    return false;
  };

  const config::Settings& s = config_.settings();
  int64_t nowUs = util::unixTimeUs();
  int64_t uptime = (nowUs / 1000 - startTimeMs_) / 1000;
  std::string out;
  auto section = [&](const char* title, const Fields& f) {
    if (!out.empty()) out += "\r\n";
    out += "# ";
    out += title;
    out += "\r\n";
    out += f.text;
  };

  if (wanted("server")) {
    Fields f;
    utsname un{};
    uname(&un);
    f.add("redis_version", kCompatVersion);
    f.add("erdtree_version", ERDTREE_VERSION);
    f.add("redis_git_sha1", "00000000");
    f.add("redis_git_dirty", 0);
    f.add("redis_build_id", "0");
    f.add("redis_mode", "standalone");
    f.add("os", std::string(un.sysname) + " " + un.release + " " + un.machine);
    f.add("arch_bits", 64);
    f.add("monotonic_clock", "POSIX clock_gettime");
    f.add("multiplexing_api", "epoll");
    f.add("atomicvar_api", "c11-builtin");
    f.add("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                             std::to_string(__GNUC_PATCHLEVEL__));
    f.add("process_id", static_cast<int64_t>(getpid()));
    f.add("process_supervised", "no");
    f.add("run_id", runId_);
    f.add("tcp_port", s.port);
    f.add("server_time_usec", nowUs);
    f.add("uptime_in_seconds", uptime);
    f.add("uptime_in_days", uptime / 86400);
    f.add("hz", s.hz);
    f.add("configured_hz", s.hz);
    f.add("lru_clock", static_cast<uint64_t>(engine::lruClockFromMs(nowUs / 1000)));
    char exe[4096] = {0};
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    f.add("executable", n > 0 ? std::string(exe, static_cast<size_t>(n)) : std::string());
    f.add("config_file", config_.configFile());
    f.add("io_threads_active", 0);
    section("Server", f);
  }
  if (wanted("clients")) {
    Fields f;
    f.add("connected_clients", static_cast<uint64_t>(tcp_->connectionCount()));
    f.add("cluster_connections", 0);
    f.add("maxclients", s.maxclients);
    uint64_t maxIn = 0, maxOut = 0;
    tcp_->forEach([&](net::Connection& c) {
      maxIn = std::max<uint64_t>(maxIn, c.input().capacity());
      maxOut = std::max<uint64_t>(maxOut, c.pendingOutputBytes());
    });
    f.add("client_recent_max_input_buffer", maxIn);
    f.add("client_recent_max_output_buffer", maxOut);
    // Clients held by CLIENT PAUSE count as blocked, as in Redis.
    f.add("blocked_clients", static_cast<uint64_t>(services_.blocking.blockedCount() + services_.pause.held.size()));
    f.add("tracking_clients", 0);
    f.add("clients_in_timeout_table", static_cast<uint64_t>(services_.blocking.timeoutCount()));
    section("Clients", f);
  }
  if (wanted("memory")) {
    // Redis 7.0's fields in its order. With a libc allocator Redis fakes the
    // allocator_* figures from used_memory and RSS; so does this.
    Fields f;
    const command::MemoryStats m = memoryStats();
    const uint64_t used = m.totalAllocated, rss = m.rss, peak = m.peakAllocated;
    auto perc = [&](std::string_view name, uint64_t part, uint64_t whole) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.2f%%", whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
      f.add(name, std::string_view(buf));
    };
    auto ratio = [](uint64_t a, uint64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; };
    f.add("used_memory", used);
    f.add("used_memory_human", human(used));
    f.add("used_memory_rss", rss);
    f.add("used_memory_rss_human", human(rss));
    f.add("used_memory_peak", peak);
    f.add("used_memory_peak_human", human(peak));
    perc("used_memory_peak_perc", used, peak);
    f.add("used_memory_overhead", m.overheadTotal);
    f.add("used_memory_startup", m.startupAllocated);
    f.add("used_memory_dataset", m.dataset());
    perc("used_memory_dataset_perc", m.dataset(), used > m.startupAllocated ? used - m.startupAllocated : 0);
    f.add("allocator_allocated", used);
    f.add("allocator_active", rss);
    f.add("allocator_resident", rss);
    long pages = sysconf(_SC_PHYS_PAGES);
    uint64_t total = pages > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
    f.add("total_system_memory", total);
    f.add("total_system_memory_human", human(total));
    // No Lua engine, no functions: their memory is zero.
    f.add("used_memory_lua", 0);
    f.add("used_memory_vm_eval", 0);
    f.add("used_memory_lua_human", human(0));
    f.add("used_memory_scripts_eval", 0);
    f.add("number_of_cached_scripts", 0);
    f.add("number_of_functions", 0);
    f.add("number_of_libraries", 0);
    f.add("used_memory_vm_functions", 0);
    f.add("used_memory_vm_total", 0);
    f.add("used_memory_vm_total_human", human(0));
    f.add("used_memory_functions", 0);
    f.add("used_memory_scripts", 0);
    f.add("used_memory_scripts_human", human(0));
    f.add("maxmemory", s.maxmemory);
    f.add("maxmemory_human", human(s.maxmemory));
    f.add("maxmemory_policy", s.maxmemoryPolicy);
    const int64_t fragBytes = static_cast<int64_t>(rss) - static_cast<int64_t>(used);
    f.addDouble("allocator_frag_ratio", ratio(rss, used));
    f.add("allocator_frag_bytes", fragBytes);
    f.addDouble("allocator_rss_ratio", 1.0);
    f.add("allocator_rss_bytes", 0);
    f.addDouble("rss_overhead_ratio", 1.0);
    f.add("rss_overhead_bytes", 0);
    f.addDouble("mem_fragmentation_ratio", ratio(rss, used));
    f.add("mem_fragmentation_bytes", fragBytes);
    f.add("mem_not_counted_for_evict", notCountedForEviction());  // as Redis: log buffer and replica output
    f.add("mem_replication_backlog", m.replicationBacklog);
    f.add("mem_total_replication_buffers", m.replicationBacklog + m.clientsReplicas);
    f.add("mem_clients_slaves", m.clientsReplicas);
    f.add("mem_clients_normal", m.clientsNormal);
    f.add("mem_cluster_links", 0);
    f.add("mem_aof_buffer", m.aofBuffer);
    f.add("mem_allocator", "libc");
    f.add("active_defrag_running", 0);
    f.add("lazyfree_pending_objects", keyspace_.lazyFreer().pending());
    f.add("lazyfreed_objects", keyspace_.lazyFreer().freed());
    section("Memory", f);
  }
  if (wanted("persistence")) {
    Fields f;
    f.add("loading", 0);
    f.add("async_loading", 0);
    // A running rewrite child's copy-on-write is sampled (a BGSAVE child's is
    // reported when it finishes, in rdb_last_cow_size).
    f.add("current_cow_peak", rewriter_.currentCowBytes());
    f.add("current_cow_size", 0);
    f.add("current_cow_size_age", 0);
    f.add("current_fork_perc", "0.00");
    f.add("current_save_keys_processed", 0);
    f.add("current_save_keys_total", 0);
    f.add("rdb_changes_since_last_save", services_.stats.dirty);
    f.add("rdb_bgsave_in_progress", snapshot_.saveInProgress() ? 1 : 0);
    f.add("rdb_last_save_time", snapshot_.lastSaveTime());
    f.add("rdb_last_bgsave_status", snapshot_.lastBgsaveOk() ? "ok" : "err");
    f.add("rdb_last_bgsave_time_sec", snapshot_.lastBgsaveSeconds());
    f.add("rdb_current_bgsave_time_sec", snapshot_.currentBgsaveSeconds());
    f.add("rdb_saves", snapshot_.saves());
    f.add("rdb_last_cow_size", snapshot_.lastCowBytes());
    f.add("rdb_last_load_keys_expired", snapshot_.lastLoadKeysExpired());
    f.add("rdb_last_load_keys_loaded", snapshot_.lastLoadKeysLoaded());
    f.add("aof_enabled", aof_ ? 1 : 0);
    f.add("aof_rewrite_in_progress", rewriter_.inProgress() ? 1 : 0);
    f.add("aof_rewrite_scheduled", rewriter_.scheduled() ? 1 : 0);
    f.add("aof_last_rewrite_time_sec", rewriter_.lastRewriteSeconds());
    f.add("aof_current_rewrite_time_sec", rewriter_.currentRewriteSeconds());
    f.add("aof_last_bgrewrite_status", rewriter_.lastRewriteOk() ? "ok" : "err");
    f.add("aof_rewrites", rewriter_.rewrites());
    f.add("aof_rewrites_consecutive_failures", rewriter_.consecutiveFailures());
    f.add("aof_last_write_status", !aof_ || aof_->healthy() ? "ok" : "err");
    f.add("aof_last_cow_size", rewriter_.lastCowBytes());
    if (aof_) {
      f.add("aof_current_size", aof_->currentSize());
      f.add("aof_base_size", aof_->baseSize());
      f.add("aof_pending_rewrite", rewriter_.scheduled() ? 1 : 0);
      f.add("aof_buffer_length", aof_->bufferLength());
      f.add("aof_pending_bio_fsync", aof_->pendingBackgroundJobs());
      f.add("aof_delayed_fsync", aof_->delayedFsyncs());
      f.add("aof_current_segment", aof_->currentSegment());   // Erdtree: the incr file written to
      f.add("aof_segment_rotations", aof_->rotations());      // Erdtree: since start-up
    }
    section("Persistence", f);
  }
  if (wanted("stats")) {
    Fields f;
    const command::Stats& st = services_.stats;
    f.add("total_connections_received", tcp_->totalConnectionsReceived());
    f.add("total_commands_processed", st.commandsProcessed);
    f.add("instantaneous_ops_per_sec", static_cast<uint64_t>(average(opsSamples_.data(), kMetricSamples)));
    f.add("total_net_input_bytes", tcp_->bytesRead());
    f.add("total_net_output_bytes", tcp_->bytesWritten());
    f.addDouble("instantaneous_input_kbps", average(inSamples_.data(), kMetricSamples) / 1024);
    f.addDouble("instantaneous_output_kbps", average(outSamples_.data(), kMetricSamples) / 1024);
    f.add("rejected_connections", rejectedConnections_);
    f.add("sync_full", master_.syncFull());
    f.add("sync_partial_ok", master_.syncPartialOk());
    f.add("sync_partial_err", master_.syncPartialErr());
    f.add("expired_keys", keyspace_.expiredKeys());
    f.add("evicted_keys", eviction_.evictedKeys());
    f.add("evicted_clients", 0);
    f.add("total_eviction_exceeded_time", eviction_.totalExceededMs());
    f.add("current_eviction_exceeded_time", eviction_.currentExceededMs());
    f.add("keyspace_hits", st.keyspaceHits);
    f.add("keyspace_misses", st.keyspaceMisses);
    f.add("pubsub_channels", static_cast<uint64_t>(services_.pubsub.channels("", true).size()));
    f.add("pubsub_patterns", static_cast<uint64_t>(services_.pubsub.patternCount()));
    f.add("total_error_replies", services_.errors.total());
    f.add("unexpected_error_replies", 0);
    f.add("total_propagated_records", propagation_.records());
    section("Stats", f);
  }
  if (wanted("replication")) {
    Fields f;
    auto replicas = master_.replicas(util::unixTimeMs());
    if (replicaLink_) replicaInfo(f.text);
    else f.add("role", "master");
    f.add("connected_slaves", static_cast<uint64_t>(replicas.size()));
    // Only while min-replicas-to-write is on, as Redis 7.0 prints it.
    const config::Settings& cs = config_.settings();
    if (cs.minReplicasToWrite > 0 && cs.minReplicasMaxLag > 0)
      f.add("min_slaves_good_slaves", static_cast<uint64_t>(master_.goodReplicas()));
    for (size_t i = 0; i < replicas.size(); ++i) {
      const auto& r = replicas[i];
      f.add("slave" + std::to_string(i), "ip=" + r.ip + ",port=" + std::to_string(r.port) +
                                             ",state=" + repl::Master::stateName(r.state) +
                                             ",offset=" + std::to_string(r.ackOffset) +
                                             ",lag=" + std::to_string(r.lagSeconds));
    }
    f.add("master_failover_state", "no-failover");
    f.add("master_replid", replIds_.replid);
    f.add("master_replid2", replIds_.replid2);
    f.add("master_repl_offset", replIds_.offset);
    f.add("second_repl_offset", replIds_.secondOffset);
    const repl::Backlog* bl = master_.backlog();
    f.add("repl_backlog_active", bl != nullptr ? 1 : 0);
    f.add("repl_backlog_size", master_.backlogSize());
    f.add("repl_backlog_first_byte_offset", bl != nullptr ? bl->firstByteOffset() : 0);
    f.add("repl_backlog_histlen", bl != nullptr ? bl->histlen() : 0);
    section("Replication", f);
  }
  if (wanted("cpu")) {
    Fields f;
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.6f", secs(self.ru_stime));
    f.add("used_cpu_sys", std::string_view(buf));
    std::snprintf(buf, sizeof(buf), "%.6f", secs(self.ru_utime));
    f.add("used_cpu_user", std::string_view(buf));
    section("CPU", f);
  }
  if (wanted("modules")) section("Modules", Fields{});
  // Not in the default set, as in Redis: INFO commandstats, all, everything.
  if (!sections.empty() && wanted("commandstats")) section("Commandstats", commandStats(registry_, services_.commandStats));
  if (wanted("errorstats")) section("Errorstats", errorStats(services_.errors));
  // Not in the default set, as in Redis: INFO latencystats, all, everything.
  if (!sections.empty() && wanted("latencystats")) section("Latencystats", latencyStats(registry_, services_.commandStats, s.latencyTrackingInfoPercentiles));
  if (wanted("cluster")) {
    Fields f;
    f.add("cluster_enabled", 0);
    section("Cluster", f);
  }
  if (wanted("keyspace")) {
    Fields f;
    for (int i = 0; i < keyspace_.count(); ++i) {
      engine::Db& d = keyspace_.db(i);
      if (d.size() == 0) continue;
      f.add("db" + std::to_string(i), "keys=" + std::to_string(d.size()) + ",expires=" +
                                          std::to_string(d.expiresCount()) + ",avg_ttl=" + std::to_string(d.avgTtlMs));
    }
    section("Keyspace", f);
  }
  return out;
}

void Server::resetStats() {
  uint64_t dirty = services_.stats.dirty;  // not a statistic: pending-save state
  services_.stats = command::Stats{};
  services_.stats.dirty = dirty;
  keyspace_.resetStats();
  keyspace_.lazyFreer().resetStats();  // lazyfreed_objects, as Redis 7.0
  rejectedConnections_ = 0;
  master_.resetStats();
  services_.errors.reset();  // INFO errorstats, total_error_replies
  util::resetPeakMemory();
  eviction_.resetStats();
  services_.commandStats.reset();  // commandstats and LATENCY HISTOGRAM, as Redis's resetCommandTableStats
}

}  // namespace erdtree::server
