// Operator commands that watch the server: SLOWLOG, LATENCY and MONITOR.
// The dispatcher feeds them (Dispatcher::call times each handler and copies
// it to monitors); these handlers only read and reset what was collected.
#include <string>

#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/clock.h"
#include "erdtree/util/numbers.h"

namespace erdtree::command {
namespace {

int64_t nowSec() { return util::unixTimeMs() / 1000; }

void slowlogGetCommand(Context& ctx) {
  if (ctx.argc() > 3) return replySubcommandSyntaxError(ctx);
  const auto& entries = ctx.svc.slowlog.entries();
  size_t count = 10;
  if (ctx.argc() == 3) {
    auto n = util::parseInt64(ctx.arg(2));
    if (!n || *n < -1) return ctx.out.error("ERR count should be greater than or equal to -1");
    count = *n == -1 ? entries.size() : static_cast<size_t>(*n);
  }
  count = std::min(count, entries.size());
  ctx.out.arrayHeader(count);
  for (size_t i = 0; i < count; ++i) {
    const SlowLogEntry& e = entries[i];
    ctx.out.arrayHeader(6);
    ctx.out.integer(e.id);
    ctx.out.integer(e.unixSec);
    ctx.out.integer(e.durationUs);
    ctx.out.arrayHeader(e.args.size());
    for (const auto& a : e.args) ctx.out.bulk(a);
    ctx.out.bulk(e.addr);
    ctx.out.bulk(e.name);
  }
}

void slowlogLenCommand(Context& ctx) { ctx.out.integer(static_cast<int64_t>(ctx.svc.slowlog.entries().size())); }

void slowlogResetCommand(Context& ctx) {
  ctx.svc.slowlog.reset();
  ctx.out.ok();
}

void slowlogHelpCommand(Context& ctx) {
  static const char* const lines[] = {
      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

void latencyLatestCommand(Context& ctx) {
  const auto& all = ctx.svc.latency.series();
  ctx.out.arrayHeader(all.size());
  for (const auto& s : all) {
    ctx.out.arrayHeader(4);
    ctx.out.bulk(s.event);
    ctx.out.integer(s.latest().unixSec);
    ctx.out.integer(s.latest().ms);
    ctx.out.integer(s.maxMs);
  }
}

void latencyHistoryCommand(Context& ctx) {
  const LatencyMonitor::Series* s = ctx.svc.latency.find(ctx.arg(2));
  if (s == nullptr) return ctx.out.arrayHeader(0);
  size_t n = 0;
  for (const auto& x : s->samples) n += x.unixSec != 0;
  ctx.out.arrayHeader(n);
  for (size_t j = 0; j < LatencyMonitor::kSamples; ++j) {
    const auto& x = s->samples[(s->next + j) % LatencyMonitor::kSamples];
    if (x.unixSec == 0) continue;
    ctx.out.arrayHeader(2);
    ctx.out.integer(x.unixSec);
    ctx.out.integer(x.ms);
  }
}

void latencyResetCommand(Context& ctx) {
  if (ctx.argc() == 2) return ctx.out.integer(static_cast<int64_t>(ctx.svc.latency.resetAll()));
  int64_t n = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) n += ctx.svc.latency.reset(ctx.arg(i));
  ctx.out.integer(n);
}

void latencyDoctorCommand(Context& ctx) { ctx.out.verbatim(ctx.svc.latency.doctor(nowSec())); }

void latencyGraphCommand(Context& ctx) {
  std::string graph = ctx.svc.latency.graph(ctx.arg(2), nowSec());
  if (graph.empty())
    return ctx.out.error("ERR No samples available for event '" + std::string(ctx.arg(2)) + "'");
  ctx.out.verbatim(graph);
}

// One command's entry: {calls, histogram_usec: {bucket label: cumulative count}}.
void writeHistogram(Context& ctx, const CommandSpec& spec, const CommandStats& st) {
  ctx.out.bulk(spec.name);
  ctx.out.mapHeader(2);
  ctx.out.bulk("calls");
  ctx.out.integer(static_cast<int64_t>(st.samples));
  ctx.out.bulk("histogram_usec");
  size_t used = 0;
  for (uint64_t b : st.buckets) used += b != 0;
  ctx.out.mapHeader(used);
  uint64_t cumulative = 0;
  for (size_t k = 0; k < CommandStats::kBuckets; ++k) {
    if (st.buckets[k] == 0) continue;
    cumulative += st.buckets[k];
    ctx.out.integer(latencyBucketLabelUs(k));
    ctx.out.integer(static_cast<int64_t>(cumulative));
  }
}

// LATENCY HISTOGRAM [command ...]: commands called since the start (or
// CONFIG RESETSTAT); a container name lists its subcommands too.
void latencyHistogramCommand(Context& ctx) {
  std::vector<const CommandSpec*> specs;
  auto consider = [&](const CommandSpec& spec) {
    const CommandStats* st = ctx.svc.commandStats.get(spec.index);
    if (st != nullptr && st->samples != 0) specs.push_back(&spec);
  };
  auto withSubs = [&](const CommandSpec& spec) {
    consider(spec);
    for (const auto& sub : spec.subcommands) consider(sub);
  };
  if (ctx.argc() == 2) {
    for (const auto& spec : ctx.svc.registry.all()) withSubs(*spec);
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      std::string_view name = ctx.arg(i);
      size_t bar = name.find('|');
      const CommandSpec* spec = ctx.svc.registry.find(name.substr(0, bar));
      if (spec != nullptr && bar != std::string_view::npos)
        spec = Registry::findSubcommand(*spec, name.substr(bar + 1));
      if (spec != nullptr) withSubs(*spec);
    }
  }
  ctx.out.mapHeader(specs.size());
  for (const CommandSpec* spec : specs) writeHistogram(ctx, *spec, *ctx.svc.commandStats.get(spec->index));
}

void latencyHelpCommand(Context& ctx) {
  static const char* const lines[] = {
      "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return a human readable latency analysis report.",
      "GRAPH <event>",
      "    Return an ASCII latency graph for the <event> class.",
      "HISTORY <event>",
      "    Return time-latency samples for the <event> class.",
      "LATEST",
      "    Return the latest latency samples for all events.",
      "RESET [<event> ...]",
      "    Reset latency data of one or more <event> classes.",
      "    (default: reset all data for all event classes)",
      "HISTOGRAM [COMMAND ...]",
      "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
      "    If no commands are specified then all histograms are replied.",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

// MONITOR: from now on this client receives every command others run. A
// second MONITOR is ignored without a reply, as in Redis.
void monitorCommand(Context& ctx) {
  if (ctx.session.monitor || ctx.session.replica) return;
  ctx.session.monitor = true;
  ctx.svc.monitors.add(ctx.session);
  ctx.out.ok();
}

}  // namespace

void registerMonitoringCommands(Registry& r) {
  constexpr uint32_t adm = kAdmin | kLoading | kStale;
  constexpr std::string_view admAcl = "@admin @slow @dangerous";
  r.add({"slowlog", -2, 0, 0, 0, 0, nullptr, "@slow", "server", "A container for slow log commands", "2.2.12", "Depends on subcommand.", {
      {"slowlog|len", 2, adm, 0, 0, 0, slowlogLenCommand, admAcl, "server", "Get the slow log's length", "2.2.12", "O(1)", {}},
      {"slowlog|help", 2, kLoading | kStale, 0, 0, 0, slowlogHelpCommand, "@slow", "server", "Show helpful text about the different subcommands", "6.2.0", "O(1)", {}},
      {"slowlog|reset", 2, adm, 0, 0, 0, slowlogResetCommand, admAcl, "server", "Clear all entries from the slow log", "2.2.12", "O(N) where N is the number of entries in the slowlog", {}},
      {"slowlog|get", -2, adm, 0, 0, 0, slowlogGetCommand, admAcl, "server", "Get the slow log's entries", "2.2.12", "O(N) where N is the number of entries returned", {}},
  }});
  constexpr uint32_t lat = adm | kNoscript;
  r.add({"latency", -2, 0, 0, 0, 0, nullptr, "@slow", "server", "A container for latency diagnostics commands", "2.8.13", "Depends on subcommand.", {
      {"latency|help", 2, kLoading | kStale, 0, 0, 0, latencyHelpCommand, "@slow", "server", "Show helpful text about the different subcommands.", "2.8.13", "O(1)", {}},
      {"latency|doctor", 2, lat, 0, 0, 0, latencyDoctorCommand, admAcl, "server", "Return a human readable latency analysis report.", "2.8.13", "O(1)", {}},
      {"latency|reset", -2, lat, 0, 0, 0, latencyResetCommand, admAcl, "server", "Reset latency data for one or more events.", "2.8.13", "O(1)", {}},
      {"latency|latest", 2, lat, 0, 0, 0, latencyLatestCommand, admAcl, "server", "Return the latest latency samples for all events.", "2.8.13", "O(1)", {}},
      {"latency|history", 3, lat, 0, 0, 0, latencyHistoryCommand, admAcl, "server", "Return timestamp-latency samples for the event.", "2.8.13", "O(1)", {}},
      {"latency|graph", 3, lat, 0, 0, 0, latencyGraphCommand, admAcl, "server", "Return a latency graph for the event.", "2.8.13", "O(1)", {}},
      {"latency|histogram", -2, lat, 0, 0, 0, latencyHistogramCommand, admAcl, "server", "Return the cumulative distribution of latencies of a subset of commands or all.", "7.0.0", "O(N) where N is the number of commands with latency information being retrieved.", {}},
  }});
  r.add({"monitor", 1, lat, 0, 0, 0, monitorCommand, admAcl, "server", "Listen for all requests received by the server in real time", "1.0.0", "", {}});
}

}  // namespace erdtree::command
