#include "erdtree/config/config_table.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <string>

#include "erdtree/util/ascii.h"
#include "erdtree/util/numbers.h"

namespace erdtree::config {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <auto Member, int64_t Min, int64_t Max>
std::string parseInt(Settings& s, std::string_view v) {
  auto n = util::parseInt64(v);
  if (!n) return "argument couldn't be parsed into an integer";
  if (*n < Min || *n > Max)
    return "argument must be between " + std::to_string(Min) + " and " + std::to_string(Max) + " inclusive";
  s.*Member = *n;
  return "";
}

template <auto Member>
std::string formatInt(const Settings& s) {
  return std::to_string(s.*Member);
}

template <auto Member, uint64_t Min = 0, uint64_t Max = UINT64_MAX>
std::string parseMem(Settings& s, std::string_view v) {
  uint64_t n = 0;
  if (!parseMemory(v, n)) return "argument must be a memory value";
  if (n < Min || n > Max)
    return "argument must be between " + std::to_string(Min) + " and " + std::to_string(Max) + " inclusive";
  s.*Member = n;
  return "";
}

// A memory value kept in a signed field (Redis's size_t *-max-listpack-value).
template <auto Member>
std::string parseMemSigned(Settings& s, std::string_view v) {
  uint64_t n = 0;
  if (!parseMemory(v, n)) return "argument must be a memory value";
  if (n > static_cast<uint64_t>(INT64_MAX)) return "argument must be between 0 and 9223372036854775807 inclusive";
  s.*Member = static_cast<int64_t>(n);
  return "";
}

template <auto Member>
std::string formatMem(const Settings& s) {
  return std::to_string(s.*Member);
}

template <auto Member>
std::string parseBool(Settings& s, std::string_view v) {
  std::string l = lower(v);
  if (l == "yes") s.*Member = true;
  else if (l == "no") s.*Member = false;
  else return "argument must be 'yes' or 'no'";
  return "";
}

template <auto Member>
std::string formatBool(const Settings& s) {
  return s.*Member ? "yes" : "no";
}

template <auto Member>
std::string parseString(Settings& s, std::string_view v) {
  s.*Member = std::string(v);
  return "";
}

template <auto Member>
std::string formatString(const Settings& s) {
  return s.*Member;
}

std::string parseEnum(std::string& field, std::string_view v, std::initializer_list<std::string_view> allowed) {
  std::string l = lower(v);
  for (auto a : allowed) {
    if (l == a) {
      field = l;
      return "";
    }
  }
  std::string msg = "argument(s) must be one of the following: ";
  bool first = true;
  for (auto a : allowed) {
    if (!first) msg += ", ";
    msg += a;
    first = false;
  }
  return msg;
}

// A space-separated list of percentiles in [0, 100], kept in Redis's
// shortest form ("99.90" reads back as "99.9").
std::string parsePercentiles(Settings& s, std::string_view v) {
  std::string out;
  for (auto word : util::splitSpaces(v)) {
    std::string text(word);
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size()) return "Invalid latency-tracking-info-percentiles parameters";
    if (d < 0.0 || d > 100.0) return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof(buf), d);
    if (!out.empty()) out += ' ';
    out.append(buf, res.ptr);
  }
  s.latencyTrackingInfoPercentiles = out;
  return "";
}

std::string parseProtectedConfigs(Settings& s, std::string_view v) {
  return parseEnum(s.enableProtectedConfigs, v, {"no", "yes", "local"});
}

std::string parseDebugCommand(Settings& s, std::string_view v) {
  return parseEnum(s.enableDebugCommand, v, {"no", "yes", "local"});
}

std::string parseLoglevel(Settings& s, std::string_view v) {
  return parseEnum(s.loglevel, v, {"debug", "verbose", "notice", "warning"});
}
std::string parseSupervised(Settings& s, std::string_view v) {
  return parseEnum(s.supervised, v, {"upstart", "systemd", "auto", "no"});
}
std::string parseSyslogFacility(Settings& s, std::string_view v) {
  return parseEnum(s.syslogFacility, v,
                   {"user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"});
}
std::string parseAppendfsync(Settings& s, std::string_view v) {
  return parseEnum(s.appendfsync, v, {"everysec", "always", "no"});  // Redis's order, for its error text
}
std::string parsePolicy(Settings& s, std::string_view v) {
  return parseEnum(s.maxmemoryPolicy, v,
                   {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                    "allkeys-lfu", "allkeys-random", "noeviction"});
}

std::string parseBind(Settings& s, std::string_view v) {
  std::vector<std::string> addrs;
  for (auto a : util::splitSpaces(v)) addrs.emplace_back(a);
  if (addrs.empty()) return "Too many bind addresses specified.";
  s.bind = std::move(addrs);
  return "";
}
std::string formatBind(const Settings& s) {
  std::string out;
  for (const auto& a : s.bind) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}


// Redis 7.0 refuses paths here: the log lives in dir/appenddirname/.
std::string parseAppendfilename(Settings& s, std::string_view v) {
  if (v.empty() || v.find('/') != std::string_view::npos || v == "." || v == "..")
    return "appendfilename can't be a path, just a filename";
  s.appendfilename = std::string(v);
  return "";
}
std::string parseAppenddirname(Settings& s, std::string_view v) {
  if (v.empty() || v.find('/') != std::string_view::npos || v == "." || v == "..")
    return "appenddirname can't be a path, just a dirname";
  s.appenddirname = std::string(v);
  return "";
}

// save: "<seconds> <changes> [<seconds> <changes> ...]" or "" for none.
// Redis's rules: the words are split on single spaces (so doubled or
// trailing spaces make empty words), each is read as strtoll reads it (an
// empty word is 0, a too large number saturates), seconds must be >= 1 and
// changes >= 0, and changes is then kept as an int.
std::string parseSave(Settings& s, std::string_view v) {
  std::vector<SaveRule> rules;
  if (!v.empty()) {
    std::vector<std::string> words;
    size_t start = 0;
    while (true) {
      size_t sp = v.find(' ', start);
      words.emplace_back(v.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start));
      if (sp == std::string_view::npos) break;
      start = sp + 1;
    }
    if (words.size() % 2 != 0) return "Invalid save parameters";
    for (size_t j = 0; j < words.size(); j += 2) {
      char* end = nullptr;
      const long long seconds = std::strtoll(words[j].c_str(), &end, 10);
      if (*end != '\0' || seconds < 1) return "Invalid save parameters";
      const long long changes = std::strtoll(words[j + 1].c_str(), &end, 10);
      if (*end != '\0' || changes < 0) return "Invalid save parameters";
      rules.push_back(SaveRule{seconds, static_cast<int32_t>(static_cast<uint32_t>(changes))});
    }
  }
  s.save = std::move(rules);
  return "";
}
std::string formatSave(const Settings& s) {
  std::string out;
  for (const SaveRule& r : s.save) {
    if (!out.empty()) out += ' ';
    out += std::to_string(r.seconds) + " " + std::to_string(r.changes);
  }
  return out;
}

// shutdown-on-sigterm / shutdown-on-sigint: "default" or any of save,
// nosave, now, force (space separated; "default" adds nothing).
std::string parseShutdownOptions(ShutdownOptions& field, std::string_view v) {
  ShutdownOptions o;
  std::vector<std::string_view> words = util::splitSpaces(v);
  if (words.empty()) return "argument(s) must be one of the following: default, save, nosave, now, force";
  for (std::string_view w : words) {
    std::string l = lower(w);
    if (l == "save") o.save = true;
    else if (l == "nosave") o.nosave = true;
    else if (l == "now") o.now = true;
    else if (l == "force") o.force = true;
    else if (l != "default") return "argument(s) must be one of the following: default, save, nosave, now, force";
  }
  if (o.save && o.nosave) return "shutdown options SAVE and NOSAVE can't be used simultaneously";
  field = o;
  return "";
}
std::string formatShutdownOptions(const ShutdownOptions& o) {
  std::string out;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!out.empty()) out += ' ';
    out += name;
  };
  add(o.save, "save");
  add(o.nosave, "nosave");
  add(o.now, "now");
  add(o.force, "force");
  return out.empty() ? "default" : out;
}
std::string parseSigterm(Settings& s, std::string_view v) { return parseShutdownOptions(s.shutdownOnSigterm, v); }
std::string formatSigterm(const Settings& s) { return formatShutdownOptions(s.shutdownOnSigterm); }
std::string parseSigint(Settings& s, std::string_view v) { return parseShutdownOptions(s.shutdownOnSigint, v); }
std::string formatSigint(const Settings& s) { return formatShutdownOptions(s.shutdownOnSigint); }

// "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60"; classes not named keep their values.
std::string parseOutputLimits(Settings& s, std::string_view v) {
  std::vector<std::string_view> words = util::splitSpaces(v);
  if (words.empty() || words.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
  Settings copy = s;
  for (size_t k = 0; k < words.size(); k += 4) {
    std::string cls = lower(words[k]);
    OutputBufferLimit* target = nullptr;
    if (cls == "normal") target = &copy.outputLimitNormal;
    else if (cls == "replica" || cls == "slave") target = &copy.outputLimitReplica;
    else if (cls == "pubsub") target = &copy.outputLimitPubsub;
    else return "Invalid client class specified in buffer limit configuration.";
    uint64_t hard = 0, soft = 0;
    auto secs = util::parseInt64(words[k + 3]);
    if (!parseMemory(words[k + 1], hard) || !parseMemory(words[k + 2], soft) || !secs || *secs < 0)
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    *target = OutputBufferLimit{hard, soft, *secs};
  }
  s = std::move(copy);
  return "";
}
std::string formatOutputLimits(const Settings& s) {
  auto one = [](const char* name, const OutputBufferLimit& l) {
    return std::string(name) + " " + std::to_string(l.hardBytes) + " " + std::to_string(l.softBytes) + " " +
           std::to_string(l.softSeconds);
  };
  return one("normal", s.outputLimitNormal) + " " + one("slave", s.outputLimitReplica) + " " +
         one("pubsub", s.outputLimitPubsub);
}

constexpr int64_t kMaxInt = INT32_MAX;
// Redis's bounds for the request limits: at least 1mb, at most LONG_MAX.
constexpr uint64_t kOneMb = 1024 * 1024;
constexpr uint64_t kLongMax = INT64_MAX;

}  // namespace

bool parseMemory(std::string_view text, uint64_t& out) {
  std::string t = lower(text);
  uint64_t mul = 1;
  auto strip = [&](std::string_view suffix, uint64_t m) {
    if (t.size() > suffix.size() && t.compare(t.size() - suffix.size(), suffix.size(), suffix) == 0) {
      t.resize(t.size() - suffix.size());
      mul = m;
      return true;
    }
    return false;
  };
  strip("gb", 1024ull * 1024 * 1024) || strip("mb", 1024ull * 1024) || strip("kb", 1024) ||
      strip("g", 1000ull * 1000 * 1000) || strip("m", 1000ull * 1000) || strip("k", 1000) || strip("b", 1);
  auto n = util::parseUint64(t);
  if (!n) return false;
  if (mul != 1 && *n > UINT64_MAX / mul) return false;
  out = *n * mul;
  return true;
}

// unixsocketperm: octal, as Redis's strtoll(v, 8) reads it (an empty value is 0).
std::string parseUnixsocketperm(Settings& s, std::string_view v) {
  size_t i = 0;
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
  const bool negative = i < v.size() && v[i] == '-';
  if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
  const size_t digitsFrom = i;
  int64_t n = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '7'; ++i) n = std::min<int64_t>(n * 8 + (v[i] - '0'), 1 << 30);
  if (i != v.size() || (i == digitsFrom && !v.empty())) return "argument couldn't be parsed as an octal number";
  if (negative) n = -n;
  if (n < 0 || n > 0777) return "argument must be between 0 and 777 inclusive";
  s.unixsocketperm = n;
  return "";
}

std::string formatUnixsocketperm(const Settings& s) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%llo", static_cast<unsigned long long>(s.unixsocketperm));
  return buf;
}

// replicaof "<host> <port>" (empty: none; "no one" as Redis also takes it).
std::string parseReplicaof(Settings& s, std::string_view v) {
  std::string t(v);
  while (!t.empty() && t.back() == ' ') t.pop_back();
  while (!t.empty() && t.front() == ' ') t.erase(0, 1);
  if (t.empty() || lower(t) == "no one") {
    s.replicaof.clear();
    return "";
  }
  size_t sp = t.find(' ');
  if (sp == std::string::npos) return "wrong number of arguments";
  std::string host = t.substr(0, sp);
  std::string port = t.substr(t.find_first_not_of(' ', sp));
  auto n = util::parseInt64(port);
  if (!n || *n < 0 || *n > 65535 || port.find(' ') != std::string::npos) return "Invalid master port";
  s.replicaof = host + " " + std::to_string(*n);
  return "";
}

const std::vector<SettingDescriptor>& settingDescriptors() {
  static const std::vector<SettingDescriptor> table = {
      {"bind", "server", false, false, parseBind, formatBind},
      {"port", "server", false, false, parseInt<&Settings::port, 0, 65535>, formatInt<&Settings::port>},
      {"unixsocket", "server", false, false, parseString<&Settings::unixsocket>, formatString<&Settings::unixsocket>},
      {"unixsocketperm", "server", false, false, parseUnixsocketperm, formatUnixsocketperm},
      {"tcp-backlog", "server", false, false, parseInt<&Settings::tcpBacklog, 0, kMaxInt>, formatInt<&Settings::tcpBacklog>},
      {"timeout", "server", true, false, parseInt<&Settings::timeoutSeconds, 0, kMaxInt>, formatInt<&Settings::timeoutSeconds>},
      {"tcp-keepalive", "server", true, false, parseInt<&Settings::tcpKeepalive, 0, kMaxInt>, formatInt<&Settings::tcpKeepalive>},
      {"databases", "server", false, false, parseInt<&Settings::databases, 1, kMaxInt>, formatInt<&Settings::databases>},
      {"maxclients", "server", true, false, parseInt<&Settings::maxclients, 1, kMaxInt>, formatInt<&Settings::maxclients>},
      {"requirepass", "server", true, false, parseString<&Settings::requirepass>, formatString<&Settings::requirepass>},
      {"dir", "server", true, true, parseString<&Settings::dir>, formatString<&Settings::dir>},
      {"enable-protected-configs", "server", false, false, parseProtectedConfigs,
       formatString<&Settings::enableProtectedConfigs>},
      {"enable-debug-command", "server", false, false, parseDebugCommand, formatString<&Settings::enableDebugCommand>},
      {"loglevel", "server", true, false, parseLoglevel, formatString<&Settings::loglevel>},
      {"logfile", "server", false, false, parseString<&Settings::logfile>, formatString<&Settings::logfile>},
      {"always-show-logo", "server", false, false, parseBool<&Settings::alwaysShowLogo>, formatBool<&Settings::alwaysShowLogo>},
      {"syslog-enabled", "server", false, false, parseBool<&Settings::syslogEnabled>, formatBool<&Settings::syslogEnabled>},
      {"syslog-ident", "server", false, false, parseString<&Settings::syslogIdent>, formatString<&Settings::syslogIdent>},
      {"syslog-facility", "server", false, false, parseSyslogFacility, formatString<&Settings::syslogFacility>},
      {"pidfile", "server", false, false, parseString<&Settings::pidfile>, formatString<&Settings::pidfile>},
      {"hz", "server", true, false, parseInt<&Settings::hz, 1, 500>, formatInt<&Settings::hz>},
      {"daemonize", "server", false, false, parseBool<&Settings::daemonize>, formatBool<&Settings::daemonize>},
      {"supervised", "server", false, false, parseSupervised, formatString<&Settings::supervised>},
      {"protected-mode", "server", true, false, parseBool<&Settings::protectedMode>, formatBool<&Settings::protectedMode>},
      {"save", "server", true, false, parseSave, formatSave},
      {"stop-writes-on-bgsave-error", "server", true, false, parseBool<&Settings::stopWritesOnBgsaveError>,
       formatBool<&Settings::stopWritesOnBgsaveError>},
      {"shutdown-on-sigterm", "server", true, false, parseSigterm, formatSigterm},
      {"shutdown-on-sigint", "server", true, false, parseSigint, formatSigint},
      {"shutdown-timeout", "server", true, false, parseInt<&Settings::shutdownTimeout, 0, kMaxInt>,
       formatInt<&Settings::shutdownTimeout>},
      {"dbfilename", "server", true, true, parseString<&Settings::dbfilename>, formatString<&Settings::dbfilename>},
      {"rdbcompression", "server", true, false, parseBool<&Settings::rdbcompression>, formatBool<&Settings::rdbcompression>},
      {"rdbchecksum", "server", true, false, parseBool<&Settings::rdbchecksum>, formatBool<&Settings::rdbchecksum>},
      {"appendonly", "aof", true, false, parseBool<&Settings::appendonly>, formatBool<&Settings::appendonly>},
      {"appendfsync", "aof", true, false, parseAppendfsync, formatString<&Settings::appendfsync>},
      {"appendfilename", "aof", false, false, parseAppendfilename, formatString<&Settings::appendfilename>},
      {"appenddirname", "aof", false, false, parseAppenddirname, formatString<&Settings::appenddirname>},
      {"aof-load-truncated", "aof", true, false, parseBool<&Settings::aofLoadTruncated>,
       formatBool<&Settings::aofLoadTruncated>},
      {"aof-segment-max-size", "aof", true, false, parseMem<&Settings::aofSegmentMaxSize, 1024, kLongMax>,
       formatMem<&Settings::aofSegmentMaxSize>},
      {"aof-use-rdb-preamble", "aof", true, false, parseBool<&Settings::aofUseRdbPreamble>,
       formatBool<&Settings::aofUseRdbPreamble>},
      {"auto-aof-rewrite-percentage", "aof", true, false, parseInt<&Settings::autoAofRewritePercentage, 0, kMaxInt>,
       formatInt<&Settings::autoAofRewritePercentage>},
      {"auto-aof-rewrite-min-size", "aof", true, false, parseMem<&Settings::autoAofRewriteMinSize, 0, kLongMax>,
       formatMem<&Settings::autoAofRewriteMinSize>},
      {"replicaof", "replication", false, false, parseReplicaof, formatString<&Settings::replicaof>},
      {"slaveof", "replication", false, false, parseReplicaof, formatString<&Settings::replicaof>, "replicaof"},
      {"masterauth", "replication", true, false, parseString<&Settings::masterauth>, formatString<&Settings::masterauth>},
      {"masteruser", "replication", true, false, parseString<&Settings::masteruser>, formatString<&Settings::masteruser>},
      {"replica-read-only", "replication", true, false, parseBool<&Settings::replicaReadOnly>,
       formatBool<&Settings::replicaReadOnly>},
      {"slave-read-only", "replication", true, false, parseBool<&Settings::replicaReadOnly>,
       formatBool<&Settings::replicaReadOnly>, "replica-read-only"},
      {"replica-serve-stale-data", "replication", true, false, parseBool<&Settings::replicaServeStaleData>,
       formatBool<&Settings::replicaServeStaleData>},
      {"slave-serve-stale-data", "replication", true, false, parseBool<&Settings::replicaServeStaleData>,
       formatBool<&Settings::replicaServeStaleData>, "replica-serve-stale-data"},
      {"repl-timeout", "replication", true, false, parseInt<&Settings::replTimeout, 1, kMaxInt>,
       formatInt<&Settings::replTimeout>},
      {"replica-priority", "replication", true, false, parseInt<&Settings::replicaPriority, 0, kMaxInt>,
       formatInt<&Settings::replicaPriority>},
      {"slave-priority", "replication", true, false, parseInt<&Settings::replicaPriority, 0, kMaxInt>,
       formatInt<&Settings::replicaPriority>, "replica-priority"},
      {"replica-announced", "replication", true, false, parseBool<&Settings::replicaAnnounced>,
       formatBool<&Settings::replicaAnnounced>},
      {"replica-announce-ip", "replication", true, false, parseString<&Settings::replicaAnnounceIp>,
       formatString<&Settings::replicaAnnounceIp>},
      {"slave-announce-ip", "replication", true, false, parseString<&Settings::replicaAnnounceIp>,
       formatString<&Settings::replicaAnnounceIp>, "replica-announce-ip"},
      {"replica-announce-port", "replication", true, false, parseInt<&Settings::replicaAnnouncePort, 0, 65535>,
       formatInt<&Settings::replicaAnnouncePort>},
      {"slave-announce-port", "replication", true, false, parseInt<&Settings::replicaAnnouncePort, 0, 65535>,
       formatInt<&Settings::replicaAnnouncePort>, "replica-announce-port"},
      {"proto-max-bulk-len", "limits", true, false, parseMem<&Settings::protoMaxBulkLen, kOneMb, kLongMax>, formatMem<&Settings::protoMaxBulkLen>},
      {"client-query-buffer-limit", "limits", true, false, parseMem<&Settings::clientQueryBufferLimit, kOneMb, kLongMax>,
       formatMem<&Settings::clientQueryBufferLimit>},
      {"client-output-buffer-limit", "limits", true, false, parseOutputLimits, formatOutputLimits},
      {"repl-backlog-size", "replication", true, false, parseMem<&Settings::replBacklogSize, 16 * 1024, kLongMax>,
       formatMem<&Settings::replBacklogSize>},
      {"repl-ping-replica-period", "replication", true, false, parseInt<&Settings::replPingReplicaPeriod, 1, kMaxInt>,
       formatInt<&Settings::replPingReplicaPeriod>},
      {"repl-ping-slave-period", "replication", true, false, parseInt<&Settings::replPingReplicaPeriod, 1, kMaxInt>,
       formatInt<&Settings::replPingReplicaPeriod>, "repl-ping-replica-period"},
      {"min-replicas-to-write", "replication", true, false, parseInt<&Settings::minReplicasToWrite, 0, kMaxInt>,
       formatInt<&Settings::minReplicasToWrite>},
      {"min-slaves-to-write", "replication", true, false, parseInt<&Settings::minReplicasToWrite, 0, kMaxInt>,
       formatInt<&Settings::minReplicasToWrite>, "min-replicas-to-write"},
      {"min-replicas-max-lag", "replication", true, false, parseInt<&Settings::minReplicasMaxLag, 0, kMaxInt>,
       formatInt<&Settings::minReplicasMaxLag>},
      {"min-slaves-max-lag", "replication", true, false, parseInt<&Settings::minReplicasMaxLag, 0, kMaxInt>,
       formatInt<&Settings::minReplicasMaxLag>, "min-replicas-max-lag"},
      {"repl-diskless-sync", "replication", true, false, parseBool<&Settings::replDisklessSync>,
       formatBool<&Settings::replDisklessSync>},
      {"maxmemory", "memory", true, false, parseMem<&Settings::maxmemory>, formatMem<&Settings::maxmemory>},
      {"maxmemory-policy", "memory", true, false, parsePolicy, formatString<&Settings::maxmemoryPolicy>},
      {"maxmemory-samples", "memory", true, false, parseInt<&Settings::maxmemorySamples, 1, kMaxInt>,
       formatInt<&Settings::maxmemorySamples>},
      {"maxmemory-eviction-tenacity", "memory", true, false, parseInt<&Settings::maxmemoryEvictionTenacity, 0, 100>,
       formatInt<&Settings::maxmemoryEvictionTenacity>},
      {"lfu-log-factor", "memory", true, false, parseInt<&Settings::lfuLogFactor, 0, kMaxInt>,
       formatInt<&Settings::lfuLogFactor>},
      {"lfu-decay-time", "memory", true, false, parseInt<&Settings::lfuDecayTime, 0, kMaxInt>,
       formatInt<&Settings::lfuDecayTime>},
      {"replica-ignore-maxmemory", "memory", true, false, parseBool<&Settings::replicaIgnoreMaxmemory>,
       formatBool<&Settings::replicaIgnoreMaxmemory>},
      {"slave-ignore-maxmemory", "memory", true, false, parseBool<&Settings::replicaIgnoreMaxmemory>,
       formatBool<&Settings::replicaIgnoreMaxmemory>, "replica-ignore-maxmemory"},
      {"active-expire-effort", "memory", true, false, parseInt<&Settings::activeExpireEffort, 1, 10>,
       formatInt<&Settings::activeExpireEffort>},
      {"hash-max-listpack-entries", "encoding", true, false, parseInt<&Settings::hashMaxListpackEntries, 0, INT64_MAX>,
       formatInt<&Settings::hashMaxListpackEntries>},
      {"hash-max-listpack-value", "encoding", true, false, parseMemSigned<&Settings::hashMaxListpackValue>,
       formatInt<&Settings::hashMaxListpackValue>},
      {"hash-max-ziplist-entries", "encoding", true, false, parseInt<&Settings::hashMaxListpackEntries, 0, INT64_MAX>,
       formatInt<&Settings::hashMaxListpackEntries>, "hash-max-listpack-entries"},
      {"hash-max-ziplist-value", "encoding", true, false, parseMemSigned<&Settings::hashMaxListpackValue>,
       formatInt<&Settings::hashMaxListpackValue>, "hash-max-listpack-value"},
      {"list-max-listpack-size", "encoding", true, false, parseInt<&Settings::listMaxListpackSize, INT32_MIN, INT32_MAX>,
       formatInt<&Settings::listMaxListpackSize>},
      {"list-max-ziplist-size", "encoding", true, false, parseInt<&Settings::listMaxListpackSize, INT32_MIN, INT32_MAX>,
       formatInt<&Settings::listMaxListpackSize>, "list-max-listpack-size"},
      {"set-max-intset-entries", "encoding", true, false, parseInt<&Settings::setMaxIntsetEntries, 0, INT64_MAX>,
       formatInt<&Settings::setMaxIntsetEntries>},
      {"zset-max-listpack-entries", "encoding", true, false, parseInt<&Settings::zsetMaxListpackEntries, 0, INT64_MAX>,
       formatInt<&Settings::zsetMaxListpackEntries>},
      {"zset-max-listpack-value", "encoding", true, false, parseMemSigned<&Settings::zsetMaxListpackValue>,
       formatInt<&Settings::zsetMaxListpackValue>},
      {"zset-max-ziplist-entries", "encoding", true, false, parseInt<&Settings::zsetMaxListpackEntries, 0, INT64_MAX>,
       formatInt<&Settings::zsetMaxListpackEntries>, "zset-max-listpack-entries"},
      {"zset-max-ziplist-value", "encoding", true, false, parseMemSigned<&Settings::zsetMaxListpackValue>,
       formatInt<&Settings::zsetMaxListpackValue>, "zset-max-listpack-value"},
      {"lazyfree-lazy-eviction", "lazyfree", true, false, parseBool<&Settings::lazyfreeLazyEviction>,
       formatBool<&Settings::lazyfreeLazyEviction>},
      {"lazyfree-lazy-expire", "lazyfree", true, false, parseBool<&Settings::lazyfreeLazyExpire>,
       formatBool<&Settings::lazyfreeLazyExpire>},
      {"lazyfree-lazy-server-del", "lazyfree", true, false, parseBool<&Settings::lazyfreeLazyServerDel>,
       formatBool<&Settings::lazyfreeLazyServerDel>},
      {"lazyfree-lazy-user-del", "lazyfree", true, false, parseBool<&Settings::lazyfreeLazyUserDel>,
       formatBool<&Settings::lazyfreeLazyUserDel>},
      {"lazyfree-lazy-user-flush", "lazyfree", true, false, parseBool<&Settings::lazyfreeLazyUserFlush>,
       formatBool<&Settings::lazyfreeLazyUserFlush>},
      {"replica-lazy-flush", "lazyfree", true, false, parseBool<&Settings::replicaLazyFlush>,
       formatBool<&Settings::replicaLazyFlush>},
      {"slave-lazy-flush", "lazyfree", true, false, parseBool<&Settings::replicaLazyFlush>,
       formatBool<&Settings::replicaLazyFlush>, "replica-lazy-flush"},
      {"slowlog-log-slower-than", "monitoring", true, false, parseInt<&Settings::slowlogLogSlowerThan, -1, INT64_MAX>,
       formatInt<&Settings::slowlogLogSlowerThan>},
      {"slowlog-max-len", "monitoring", true, false, parseInt<&Settings::slowlogMaxLen, 0, INT64_MAX>,
       formatInt<&Settings::slowlogMaxLen>},
      {"latency-monitor-threshold", "monitoring", true, false,
       parseInt<&Settings::latencyMonitorThreshold, 0, INT64_MAX>, formatInt<&Settings::latencyMonitorThreshold>},
      {"latency-tracking", "monitoring", true, false, parseBool<&Settings::latencyTracking>,
       formatBool<&Settings::latencyTracking>},
      {"latency-tracking-info-percentiles", "monitoring", true, false, parsePercentiles,
       formatString<&Settings::latencyTrackingInfoPercentiles>},
  };
  return table;
}

const SettingDescriptor* findSetting(std::string_view name) {
  std::string l = lower(name);
  for (const auto& d : settingDescriptors())
    if (d.name == l) return &d;
  return nullptr;
}

}  // namespace erdtree::config
