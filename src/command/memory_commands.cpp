// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP. The figures
// come from the allocation counter (util/alloc_counter.h) and the values' own
// byte counts; docs/memory.md explains what each one covers.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/command/replies.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/numbers.h"
#include "erdtree/util/small_alloc.h"

namespace erdtree::command {
namespace {

using engine::Entry;

// Below this much allocated memory MEMORY DOCTOR has nothing to judge (Redis's limit).
constexpr uint64_t kDoctorMinBytes = 5ull << 20;
// A peak this much above the current use, or RSS this much above it, is worth a word.
constexpr double kDoctorPeakRatio = 1.5;
constexpr double kDoctorFragRatio = 1.4;
constexpr uint64_t kDoctorFragMinBytes = 10ull << 20;

// The key's bytes: its entry (key, value or value pointer, TTL, in one
// allocation), the value object's own bytes for collections, and its table
// slot. Collections keep exact byte counts as they change, so the figure is
// exact and SAMPLES (which Redis needs to extrapolate) changes nothing.
uint64_t keyBytes(const Entry* e) {
  uint64_t bytes = e->allocatedBytes() + sizeof(void*);
  if (e->type() != engine::ValueType::String) bytes += e->object()->memoryUsage();
  return bytes;
}

void memoryUsageCommand(Context& ctx) {
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    if (!util::equalsIgnoreCase(ctx.arg(i), "samples") || i + 1 >= ctx.argc()) return ctx.out.error(err::kSyntax);
    auto samples = util::parseInt64(ctx.arg(i + 1));
    if (!samples) return ctx.out.error(err::kNotInteger);
    if (*samples < 0) return ctx.out.error(err::kSyntax);
  }
  const Entry* e = ctx.db().lookup(ctx.arg(2), ctx.nowMs);  // no LRU touch, as Redis
  if (e == nullptr) return ctx.out.nullBulk();
  ctx.out.integer(static_cast<int64_t>(keyBytes(e)));
}

double percent(uint64_t part, uint64_t whole) {
  // Redis computes these in float; the same precision gives the same digits.
  return whole ? static_cast<double>(static_cast<float>(part) * 100 / static_cast<float>(whole)) : 0.0;
}
double ratio(uint64_t a, uint64_t b) {
  return b ? static_cast<double>(static_cast<float>(a) / static_cast<float>(b)) : 0.0;
}

void memoryStatsCommand(Context& ctx) {
  const MemoryStats m = ctx.svc.server.memoryStats();
  const uint64_t net = m.totalAllocated > m.startupAllocated ? m.totalAllocated - m.startupAllocated : 0;
  auto& out = ctx.out;
  auto field = [&](std::string_view name, int64_t v) {
    out.bulk(name);
    out.integer(v);
  };
  auto dfield = [&](std::string_view name, double v) {
    out.bulk(name);
    out.doubleBulk(v);
  };
  out.mapHeader(27 + m.dbs.size());
  field("peak.allocated", static_cast<int64_t>(m.peakAllocated));
  field("total.allocated", static_cast<int64_t>(m.totalAllocated));
  field("startup.allocated", static_cast<int64_t>(m.startupAllocated));
  field("replication.backlog", static_cast<int64_t>(m.replicationBacklog));
  field("clients.slaves", static_cast<int64_t>(m.clientsReplicas));
  field("clients.normal", static_cast<int64_t>(m.clientsNormal));
  field("cluster.links", 0);
  field("aof.buffer", static_cast<int64_t>(m.aofBuffer));
  field("lua.caches", 0);
  field("functions.caches", 0);
  for (const MemoryStats::Db& d : m.dbs) {
    out.bulk("db." + std::to_string(d.index));
    out.mapHeader(3);
    field("overhead.hashtable.main", static_cast<int64_t>(d.mainTable));
    field("overhead.hashtable.expires", static_cast<int64_t>(d.expiresTable));
    field("overhead.hashtable.slot-to-keys", 0);
  }
  field("overhead.total", static_cast<int64_t>(m.overheadTotal));
  field("keys.count", static_cast<int64_t>(m.keys));
  field("keys.bytes-per-key", static_cast<int64_t>(m.keys ? net / m.keys : 0));
  field("dataset.bytes", static_cast<int64_t>(m.dataset()));
  dfield("dataset.percentage", percent(m.dataset(), net));
  dfield("peak.percentage", percent(m.totalAllocated, m.peakAllocated));
  // libc malloc has no allocator statistics: as a libc-built Redis, the
  // allocator figures fall back to used_memory and RSS.
  const int64_t fragBytes = static_cast<int64_t>(m.rss) - static_cast<int64_t>(m.totalAllocated);
  field("allocator.allocated", static_cast<int64_t>(m.totalAllocated));
  field("allocator.active", static_cast<int64_t>(m.rss));
  field("allocator.resident", static_cast<int64_t>(m.rss));
  dfield("allocator-fragmentation.ratio", ratio(m.rss, m.totalAllocated));
  field("allocator-fragmentation.bytes", fragBytes);
  dfield("allocator-rss.ratio", 1.0);
  field("allocator-rss.bytes", 0);
  dfield("rss-overhead.ratio", 1.0);
  field("rss-overhead.bytes", 0);
  dfield("fragmentation", ratio(m.rss, m.totalAllocated));
  field("fragmentation.bytes", fragBytes);
}

void memoryDoctorCommand(Context& ctx) {
  const MemoryStats m = ctx.svc.server.memoryStats();
  if (m.totalAllocated < kDoctorMinBytes) {
    return ctx.out.verbatim(
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in "
        "these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I "
        "will be back to our programming as soon as I finished rebooting.");
  }
  const double used = static_cast<double>(m.totalAllocated);
  const bool bigPeak = static_cast<double>(m.peakAllocated) > used * kDoctorPeakRatio;
  const bool highFrag = static_cast<double>(m.rss) > used * kDoctorFragRatio && m.rss - m.totalAllocated > kDoctorFragMinBytes;
  if (!bigPeak && !highFrag) {
    return ctx.out.verbatim(
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.");
  }
  std::string s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
  if (bigPeak)
    s += " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The "
         "allocator is normally not able to release memory after a peak, so you can expect to see a big "
         "fragmentation ratio, however this is actually harmless and is only due to the memory peak. If the memory "
         "peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command.\n\n";
  if (highFrag)
    s += " * High total RSS: This instance has a memory fragmentation greater than 1.4 (the Resident Set Size of "
         "the process is much larger than the sum of the logical allocations). This is usually due to a large "
         "memory peak or to a workload that fragments the heap; MEMORY PURGE returns free pages to the system. "
         "Note: The currently used allocator is \"libc\".\n\n";
  s += "I'm here to keep you safe, Sam. I want to help you.\n";
  ctx.out.verbatim(s);
}

// The slab allocator's totals (util/small_alloc.h), then glibc's own report
// (malloc_info's XML): per-arena free lists and totals.
void memoryMallocStatsCommand(Context& ctx) {
  const util::SmallAllocStats slab = util::smallAllocStats();
  std::string report = "erdtree slabs: pages=" + std::to_string(slab.pages) +
                       " page_bytes=" + std::to_string(slab.pages * util::kSmallPageBytes) +
                       " free_pages=" + std::to_string(slab.freePages) +
                       " arena_bytes=" + std::to_string(slab.arenaBytes) +
                       " live_blocks=" + std::to_string(slab.liveBlocks) +
                       " live_bytes=" + std::to_string(slab.liveBytes) +
                       " remote_pending=" + std::to_string(slab.remotePending) + "\n";
  char* text = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&text, &len);
  if (f != nullptr) {
    malloc_info(0, f);
    std::fclose(f);
    report.append(text, len);
    std::free(text);  // open_memstream's buffer comes from the plain malloc
  }
  ctx.out.verbatim(report);
}

void memoryPurgeCommand(Context& ctx) {
  malloc_trim(0);  // gives free heap pages back to the kernel (RSS drops; used_memory does not move)
  ctx.out.ok();
}

void memoryHelpCommand(Context& ctx) {
  static const char* const lines[] = {
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return memory problems reports.",
      "MALLOC-STATS",
      "    Return internal statistics report from the memory allocator.",
      "PURGE",
      "    Attempt to purge dirty pages for reclamation by the allocator.",
      "STATS",
      "    Return information about the memory usage of the server.",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

}  // namespace

void registerMemoryCommands(Registry& r) {
  r.add({"memory", -2, 0, 0, 0, 0, nullptr, "@slow", "server", "A container for memory diagnostics commands.", "4.0.0", "Depends on subcommand.", {
      {"memory|doctor", 2, 0, 0, 0, 0, memoryDoctorCommand, "@slow", "server", "Outputs a memory problems report.", "4.0.0", "O(1)", {}},
      {"memory|help", 2, kLoading | kStale, 0, 0, 0, memoryHelpCommand, "@slow", "server", "Returns helpful text about the different subcommands.", "4.0.0", "O(1)", {}},
      {"memory|malloc-stats", 2, 0, 0, 0, 0, memoryMallocStatsCommand, "@slow", "server", "Returns the allocator statistics.", "4.0.0", "Depends on how much memory is allocated, could be slow", {}},
      {"memory|purge", 2, 0, 0, 0, 0, memoryPurgeCommand, "@slow", "server", "Asks the allocator to release memory.", "4.0.0", "Depends on how much memory is allocated, could be slow", {}},
      {"memory|stats", 2, 0, 0, 0, 0, memoryStatsCommand, "@slow", "server", "Returns details about memory usage.", "4.0.0", "O(1)", {}},
      {"memory|usage", -3, kReadonly, 2, 2, 1, memoryUsageCommand, "@read @slow", "server", "Estimates the memory usage of a key.", "4.0.0", "O(N) where N is the number of samples.", {}},
  }});
}

}  // namespace erdtree::command
