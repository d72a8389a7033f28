// COMMAND and its subcommands, answered from the registry so that what
// clients discover at connect time is exactly what the dispatcher enforces.
#include <string>
#include <vector>

#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/glob.h"

namespace erdtree::command {
namespace {

using util::equalsIgnoreCase;

// Not a CommandFlag: derived from CommandSpec::numKeys (Redis's CMD_MOVABLE_KEYS).
constexpr uint32_t kMovableKeysInfo = 1u << 31;

struct FlagName {
  uint32_t flag;
  std::string_view name;
};
constexpr FlagName kFlagNames[] = {
    {kWrite, "write"},          {kReadonly, "readonly"},       {kDenyOom, "denyoom"},
    {kAdmin, "admin"},          {kPubsub, "pubsub"},           {kNoscript, "noscript"},
    {kBlocking, "blocking"},
    {kLoading, "loading"},      {kStale, "stale"},             {kSkipMonitor, "skip_monitor"},
    {kSkipSlowlog, "skip_slowlog"}, {kFast, "fast"},           {kNoAuth, "no_auth"},
    {kNoMulti, "no_multi"},     {kMovableKeysInfo, "movablekeys"}, {kAllowBusy, "allow_busy"},
    // "sentinel" is shown only by Sentinel
};

// The flags COMMAND INFO prints: the spec's, plus movablekeys when the spec
// declares NumKeys.
uint32_t infoFlags(const CommandSpec& spec) { return spec.flags | (spec.movableKeys() ? kMovableKeysInfo : 0u); }

void writeKeySpecFlags(resp::Writer& out, const CommandSpec& spec, bool counted) {
  out.bulk("flags");
  out.arrayHeader(2);
  if (!(spec.flags & kWrite) || (counted && spec.watchTouch == WatchTouch::kDestination)) {
    out.simple("RO");   // read-only keys, and the sources of a ...STORE command
    out.simple("access");
  } else if (spec.watchTouch == WatchTouch::kDestination) {
    out.simple("OW");   // the destination of a ...STORE command
    out.simple("update");
  } else {
    out.simple("RW");
    out.simple("update");
  }
}

void writeIndexSearch(resp::Writer& out, int index) {
  out.bulk("begin_search");
  out.mapHeader(2);
  out.bulk("type");
  out.bulk("index");
  out.bulk("spec");
  out.mapHeader(1);
  out.bulk("index");
  out.integer(index);
}

// One key spec for the fixed range, one (keynum) for counted keys.
void writeKeySpecs(resp::Writer& out, const CommandSpec& spec) {
  out.arrayHeader((spec.firstKey > 0 ? 1 : 0) + (spec.movableKeys() ? 1 : 0));
  if (spec.firstKey > 0) {
    out.mapHeader(3);
    writeKeySpecFlags(out, spec, false);
    writeIndexSearch(out, spec.firstKey);
    out.bulk("find_keys");
    out.mapHeader(2);
    out.bulk("type");
    out.bulk("range");
    out.bulk("spec");
    out.mapHeader(3);
    out.bulk("lastkey");
    out.integer(spec.lastKey < 0 ? spec.lastKey : spec.lastKey - spec.firstKey);
    out.bulk("keystep");
    out.integer(spec.step);
    out.bulk("limit");
    out.integer(0);
  }
  if (spec.movableKeys()) {
    const NumKeys& nk = spec.numKeys;
    out.mapHeader(3);
    writeKeySpecFlags(out, spec, true);
    writeIndexSearch(out, nk.countAt);
    out.bulk("find_keys");
    out.mapHeader(2);
    out.bulk("type");
    out.bulk("keynum");
    out.bulk("spec");
    out.mapHeader(3);
    out.bulk("keynumidx");
    out.integer(0);
    out.bulk("firstkey");
    out.integer(nk.firstAt - nk.countAt);
    out.bulk("keystep");
    out.integer(nk.step);
  }
}

void writeCommandInfo(resp::Writer& out, const CommandSpec& spec) {
  out.arrayHeader(10);
  out.bulk(spec.name);
  out.integer(spec.arity);
  const uint32_t flags = infoFlags(spec);
  size_t nflags = 0;
  for (const auto& f : kFlagNames)
    if (flags & f.flag) ++nflags;
  out.setHeader(nflags);
  for (const auto& f : kFlagNames)
    if (flags & f.flag) out.simple(f.name);
  out.integer(spec.firstKey);
  out.integer(spec.lastKey);
  out.integer(spec.step);
  auto cats = util::splitSpaces(spec.aclCategories);
  out.setHeader(cats.size());
  for (auto c : cats) out.simple(c);
  out.setHeader(0);  // tips
  writeKeySpecs(out, spec);
  out.arrayHeader(spec.subcommands.size());
  for (const auto& sub : spec.subcommands) writeCommandInfo(out, sub);
}

void writeCommandDocs(resp::Writer& out, const CommandSpec& spec) {
  bool hasSubs = !spec.subcommands.empty();
  bool hasComplexity = !spec.complexity.empty();  // MONITOR has none
  out.mapHeader(3 + (hasComplexity ? 1 : 0) + (hasSubs ? 1 : 0));
  out.bulk("summary");
  out.bulk(spec.summary);
  out.bulk("since");
  out.bulk(spec.since);
  out.bulk("group");
  out.bulk(spec.group);
  if (hasComplexity) {
    out.bulk("complexity");
    out.bulk(spec.complexity);
  }
  if (hasSubs) {
    out.bulk("subcommands");
    out.mapHeader(spec.subcommands.size());
    for (const auto& sub : spec.subcommands) {
      out.bulk(sub.name);
      writeCommandDocs(out, sub);
    }
  }
}

void commandCommand(Context& ctx) {
  const Registry& r = ctx.svc.registry;
  ctx.out.arrayHeader(r.size());
  for (const auto& spec : r.all())
    if (r.reachable(*spec)) writeCommandInfo(ctx.out, *spec);
}

void commandCountCommand(Context& ctx) { ctx.out.integer(static_cast<int64_t>(ctx.svc.registry.size())); }

// Resolves "get" or "config|get" style names.
const CommandSpec* findByFullName(Registry& r, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return r.find(name);
  const CommandSpec* parent = r.find(name.substr(0, bar));
  return parent == nullptr ? nullptr : Registry::findSubcommand(*parent, name.substr(bar + 1));
}

void commandInfoCommand(Context& ctx) {
  if (ctx.argc() == 2) return commandCommand(ctx);
  ctx.out.arrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const CommandSpec* spec = findByFullName(ctx.svc.registry, ctx.arg(i));
    if (spec == nullptr) ctx.out.nullBulk();  // Redis's addReplyNull: $-1 in RESP2
    else writeCommandInfo(ctx.out, *spec);
  }
}

void commandDocsCommand(Context& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.argc() == 2) {
    for (const auto& s : ctx.svc.registry.all())
      if (ctx.svc.registry.reachable(*s)) specs.push_back(s.get());
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i)
      if (const CommandSpec* s = findByFullName(ctx.svc.registry, ctx.arg(i))) specs.push_back(s);
  }
  ctx.out.mapHeader(specs.size());
  for (const CommandSpec* s : specs) {
    ctx.out.bulk(s->name);
    writeCommandDocs(ctx.out, *s);
  }
}

void commandListCommand(Context& ctx) {
  std::string_view pattern;
  bool filter = false;
  if (ctx.argc() == 5 && equalsIgnoreCase(ctx.arg(2), "filterby") && equalsIgnoreCase(ctx.arg(3), "pattern")) {
    pattern = ctx.arg(4);
    filter = true;
  } else if (ctx.argc() != 2) {
    return ctx.out.error(err::kSyntax);
  }
  std::vector<std::string_view> names;
  for (const auto& s : ctx.svc.registry.all()) {
    if (!ctx.svc.registry.reachable(*s)) continue;
    if (!filter || util::globMatch(pattern, s->name, true)) names.push_back(s->name);
    for (const auto& sub : s->subcommands)
      if (!filter || util::globMatch(pattern, sub.name, true)) names.push_back(sub.name);
  }
  ctx.out.arrayHeader(names.size());
  for (auto n : names) ctx.out.bulk(n);
}

void commandGetkeysCommand(Context& ctx) {
  auto args = ctx.args.subspan(2);
  const CommandSpec* spec = ctx.svc.registry.find(args[0]);
  if (spec == nullptr) return ctx.out.error("ERR Invalid command specified");
  // As Redis: an unknown subcommand of a container is an unknown command, and
  // "no key arguments" is checked before the arity.
  if (!spec->subcommands.empty() && args.size() > 1) {
    spec = Registry::findSubcommand(*spec, args[1]);
    if (spec == nullptr) return ctx.out.error("ERR Invalid command specified");
  }
  if (!spec->hasKeys()) return ctx.out.error("ERR The command has no key arguments");
  bool arityOk = spec->arity >= 0 ? args.size() == static_cast<size_t>(spec->arity)
                                   : args.size() >= static_cast<size_t>(-spec->arity);
  if (!arityOk) return ctx.out.error("ERR Invalid number of arguments specified for command");
  std::vector<size_t> keys;
  if (!commandKeyPositions(*spec, args, keys)) return ctx.out.error("ERR Invalid arguments specified for command");
  ctx.out.arrayHeader(keys.size());
  for (size_t i : keys) ctx.out.bulk(args[i]);
}

void commandHelpCommand(Context& ctx) {
  static const char* const lines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

}  // namespace

void registerIntrospectionCommands(Registry& r) {
  constexpr uint32_t f = kLoading | kStale | kSentinel;
  r.add({"command", -1, f, 0, 0, 0, commandCommand, "@slow @connection", "server", "Returns detailed information about all commands.", "2.8.13", "O(N) where N is the total number of Redis commands", {
      {"command|count", 2, f, 0, 0, 0, commandCountCommand, "@slow @connection", "server", "Returns a count of commands.", "2.8.13", "O(1)", {}},
      {"command|info", -2, f, 0, 0, 0, commandInfoCommand, "@slow @connection", "server", "Returns information about one, multiple or all commands.", "2.8.13", "O(N) where N is the number of commands to look up", {}},
      {"command|docs", -2, f, 0, 0, 0, commandDocsCommand, "@slow @connection", "server", "Returns documentary information about one, multiple or all commands.", "7.0.0", "O(N) where N is the number of commands to look up", {}},
      {"command|list", -2, f, 0, 0, 0, commandListCommand, "@slow @connection", "server", "Returns a list of command names.", "7.0.0", "O(N) where N is the total number of Redis commands", {}},
      {"command|getkeys", -4, f, 0, 0, 0, commandGetkeysCommand, "@slow @connection", "server", "Extracts the key names from an arbitrary command.", "2.8.13", "O(N) where N is the number of arguments to the command", {}},
      {"command|help", 2, f, 0, 0, 0, commandHelpCommand, "@slow @connection", "server", "Returns helpful text about the different subcommands.", "5.0.0", "O(1)", {}},
  }});
}

}  // namespace erdtree::command
