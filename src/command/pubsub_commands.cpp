// Pub/Sub commands. Subscription confirmations and messages are push frames
// in RESP3 and arrays in RESP2; a RESP2 client with subscriptions may only
// run the (un)subscribe commands, PING, QUIT and RESET (see Dispatcher).
#include <string>
#include <vector>

#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/util/ascii.h"

namespace erdtree::command {
namespace {

int64_t subscriptionCount(const Session& s) { return static_cast<int64_t>(s.channels.size() + s.patterns.size()); }

void confirm(Context& ctx, std::string_view kind, const std::string_view* name) {
  ctx.out.pushHeader(3);
  ctx.out.bulk(kind);
  if (name != nullptr) ctx.out.bulk(*name);
  else ctx.out.nullBulk();
  ctx.out.integer(subscriptionCount(ctx.session));
}

void subscribeCommand(Context& ctx) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view ch = ctx.arg(i);
    ctx.svc.pubsub.subscribe(ctx.session, ch);
    confirm(ctx, "subscribe", &ch);
  }
}

void psubscribeCommand(Context& ctx) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view p = ctx.arg(i);
    ctx.svc.pubsub.psubscribe(ctx.session, p);
    confirm(ctx, "psubscribe", &p);
  }
}

// UNSUBSCRIBE/PUNSUBSCRIBE: the named ones, or all when none is named.
void unsubscribeGeneric(Context& ctx, bool patterns) {
  std::string_view kind = patterns ? "punsubscribe" : "unsubscribe";
  auto drop = [&](std::string_view name) {
    patterns ? ctx.svc.pubsub.punsubscribe(ctx.session, name) : ctx.svc.pubsub.unsubscribe(ctx.session, name);
    confirm(ctx, kind, &name);
  };
  if (ctx.argc() > 1) {
    for (size_t i = 1; i < ctx.argc(); ++i) drop(ctx.arg(i));
    return;
  }
  std::vector<std::string> all = patterns ? ctx.session.patterns : ctx.session.channels;
  if (all.empty()) return confirm(ctx, kind, nullptr);
  for (const auto& name : all) drop(name);
}
void unsubscribeCommand(Context& ctx) { unsubscribeGeneric(ctx, false); }
void punsubscribeCommand(Context& ctx) { unsubscribeGeneric(ctx, true); }

// Replicas get the PUBLISH too (their subscribers hear it); the log does
// not, as in Redis: a restart does not publish old messages again.
void publishCommand(Context& ctx) {
  const size_t receivers = ctx.svc.pubsub.publish(ctx.arg(1), ctx.arg(2));
  ctx.svc.propagator.propagateToReplicas(ctx.session.db, ctx.args);
  ctx.out.integer(static_cast<int64_t>(receivers));
}

void pubsubChannelsCommand(Context& ctx) {
  if (ctx.argc() > 3) return replySubcommandSyntaxError(ctx);
  auto names = ctx.svc.pubsub.channels(ctx.argc() == 3 ? ctx.arg(2) : "", ctx.argc() == 2);
  ctx.out.arrayHeader(names.size());
  for (const auto& n : names) ctx.out.bulk(n);
}

// A flat channel/count array in RESP3 too: Redis 7.0 answers with an array
// (a map only from 7.2), and node-redis 6 reads the pairs from an array.
void pubsubNumsubCommand(Context& ctx) {
  ctx.out.arrayHeader(2 * (ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.out.bulk(ctx.arg(i));
    ctx.out.integer(static_cast<int64_t>(ctx.svc.pubsub.subscribers(ctx.arg(i))));
  }
}

// Sharded Pub/Sub (SSUBSCRIBE) is not implemented, so no client has shard
// channels: SHARDCHANNELS lists none and SHARDNUMSUB counts 0 each.
void pubsubShardchannelsCommand(Context& ctx) {
  if (ctx.argc() > 3) return replySubcommandSyntaxError(ctx);
  ctx.out.arrayHeader(0);
}

void pubsubShardnumsubCommand(Context& ctx) {
  ctx.out.mapHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.out.bulk(ctx.arg(i));
    ctx.out.integer(0);
  }
}

void pubsubNumpatCommand(Context& ctx) { ctx.out.integer(static_cast<int64_t>(ctx.svc.pubsub.patternCount())); }

void pubsubHelpCommand(Context& ctx) {
  static const char* const lines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

}  // namespace

void registerPubSubCommands(Registry& r) {
  constexpr uint32_t sub = kPubsub | kNoscript | kLoading | kStale;
  constexpr uint32_t info = kPubsub | kLoading | kStale;
  r.add({"subscribe", -2, sub, 0, 0, 0, subscribeCommand, "@pubsub @slow", "pubsub", "Listens for messages published to channels.", "2.0.0", "O(N) where N is the number of channels to subscribe to.", {}});
  r.add({"unsubscribe", -1, sub, 0, 0, 0, unsubscribeCommand, "@pubsub @slow", "pubsub", "Stops listening to messages posted to channels.", "2.0.0", "O(N) where N is the number of channels to unsubscribe.", {}});
  r.add({"psubscribe", -2, sub, 0, 0, 0, psubscribeCommand, "@pubsub @slow", "pubsub", "Listens for messages published to channels that match one or more patterns.", "2.0.0", "O(N) where N is the number of patterns to subscribe to.", {}});
  r.add({"punsubscribe", -1, sub, 0, 0, 0, punsubscribeCommand, "@pubsub @slow", "pubsub", "Stops listening to messages published to channels that match one or more patterns.", "2.0.0", "O(N) where N is the number of patterns to unsubscribe.", {}});
  r.add({"publish", 3, kPubsub | kLoading | kStale | kFast, 0, 0, 0, publishCommand, "@pubsub @fast", "pubsub", "Posts a message to a channel.", "2.0.0", "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).", {}});
  r.add({"pubsub", -2, 0, 0, 0, 0, nullptr, "@slow", "pubsub", "A container for Pub/Sub commands.", "2.8.0", "Depends on subcommand.", {
      {"pubsub|channels", -2, info, 0, 0, 0, pubsubChannelsCommand, "@pubsub @slow", "pubsub", "Returns the active channels.", "2.8.0", "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)", {}},
      {"pubsub|numsub", -2, info, 0, 0, 0, pubsubNumsubCommand, "@pubsub @slow", "pubsub", "Returns a count of subscribers to channels.", "2.8.0", "O(N) for the NUMSUB subcommand, where N is the number of requested channels", {}},
      {"pubsub|numpat", 2, info, 0, 0, 0, pubsubNumpatCommand, "@pubsub @slow", "pubsub", "Returns a count of unique pattern subscriptions.", "2.8.0", "O(1)", {}},
      {"pubsub|shardchannels", -2, info, 0, 0, 0, pubsubShardchannelsCommand, "@pubsub @slow", "pubsub", "Returns the active shard channels.", "7.0.0", "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).", {}},
      {"pubsub|shardnumsub", -2, info, 0, 0, 0, pubsubShardnumsubCommand, "@pubsub @slow", "pubsub", "Returns the count of subscribers of shard channels.", "7.0.0", "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels", {}},
      {"pubsub|help", 2, kLoading | kStale, 0, 0, 0, pubsubHelpCommand, "@slow", "pubsub", "Returns helpful text about the different subcommands.", "6.2.0", "O(1)", {}},
  }});
}

}  // namespace erdtree::command
