// Blocking sorted-set pops: BZPOPMIN, BZPOPMAX and BZMPOP, on the wait
// queues of blocking.h (which explains waiting, serving and timeouts). With a
// sorted set at one of the keys they act at once as ZPOPMIN/ZPOPMAX/ZMPOP;
// otherwise the client waits until ZADD (or RENAME, COPY, ...) creates one,
// its timeout passes, or CLIENT UNBLOCK. A timeout, and any call inside
// MULTI/EXEC that would have to wait, answers a null array (RESP3 null).
//
// Checks run in Redis 7.0's order: BZMPOP's numkeys / MIN|MAX / COUNT, then
// the timeout, then the keys in order (WRONGTYPE on the first existing key
// that is not a sorted set). The pop itself, its reply, the record
// ("ZPOPMIN|ZPOPMAX key n", whether served at once or after waiting) and the
// WATCH touch are zsetPopGeneric's (zset_commands.h).
#include <string_view>

#include "erdtree/command/blocking.h"
#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/command/zset_commands.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/numbers.h"

namespace erdtree::command {
namespace {

using engine::Entry;
using engine::ValueType;
using util::equalsIgnoreCase;

void nullArrayReply(resp::Writer& out) { out.nullArray(); }

// True when key holds a sorted set (which is never empty: emptied ones are
// deleted); after replying WRONGTYPE for another type, `failed` is set.
bool hasZSet(Context& ctx, std::string_view key, bool& failed) {
  Entry** ref = lookupWriteRef(ctx, key);
  if (ref == nullptr) return false;
  failed = !expectType(ctx, *ref, ValueType::ZSet);
  return !failed;
}

// ---- BZPOPMIN / BZPOPMAX key [key ...] timeout ----

bool servePop(Context& ctx, std::string_view key, bool fromMax) {
  Entry* e = ctx.db().lookup(key, ctx.nowMs);
  if (e == nullptr || e->type() != ValueType::ZSet) return false;
  zsetPopGeneric(ctx, key, fromMax, 1, ZPopReply::kKeyFlat);
  return true;
}

const BlockingCommand kBzpopmin{ValueType::ZSet,
                                [](Context& c, std::string_view k) { return servePop(c, k, false); },
                                nullArrayReply};
const BlockingCommand kBzpopmax{ValueType::ZSet, [](Context& c, std::string_view k) { return servePop(c, k, true); },
                                nullArrayReply};

void blockingPop(Context& ctx, bool fromMax) {
  int64_t deadline = 0;
  if (!parseBlockTimeout(ctx, ctx.arg(ctx.argc() - 1), deadline)) return;
  auto keys = ctx.args.subspan(1, ctx.argc() - 2);
  for (std::string_view key : keys) {
    bool failed = false;
    if (hasZSet(ctx, key, failed)) return static_cast<void>(zsetPopGeneric(ctx, key, fromMax, 1, ZPopReply::kKeyFlat));
    if (failed) return;
  }
  if (!mayBlock(ctx)) return ctx.out.nullArray();
  blockForKeys(ctx, keys, deadline, fromMax ? kBzpopmax : kBzpopmin);
}
void bzpopminCommand(Context& ctx) { blockingPop(ctx, false); }
void bzpopmaxCommand(Context& ctx) { blockingPop(ctx, true); }

// ---- BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] ----

struct MpopRequest {
  size_t numkeys = 0;
  bool fromMax = false;
  size_t count = 1;
};

// Parses what follows the timeout; replies Redis's error and returns false
// when it is invalid.
bool parseMpop(Context& ctx, MpopRequest& req) {
  auto numkeys = util::parseInt64(ctx.arg(2));
  if (!numkeys || *numkeys < 1) {
    ctx.out.error("ERR numkeys should be greater than 0");
    return false;
  }
  if (static_cast<uint64_t>(*numkeys) >= ctx.argc() - 3) {
    ctx.out.error(err::kSyntax);
    return false;
  }
  req.numkeys = static_cast<size_t>(*numkeys);
  const std::string_view where = ctx.arg(3 + req.numkeys);
  if (equalsIgnoreCase(where, "max")) {
    req.fromMax = true;
  } else if (!equalsIgnoreCase(where, "min")) {
    ctx.out.error(err::kSyntax);
    return false;
  }
  bool hasCount = false;
  for (size_t j = 4 + req.numkeys; j < ctx.argc(); ++j) {
    if (!hasCount && equalsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      auto c = util::parseInt64(ctx.arg(++j));
      if (!c || *c < 1) {
        ctx.out.error("ERR count should be greater than 0");
        return false;
      }
      req.count = static_cast<size_t>(*c);
      hasCount = true;
    } else {
      ctx.out.error(err::kSyntax);
      return false;
    }
  }
  return true;
}

// Served: the saved arguments were validated when the client blocked.
bool serveMpop(Context& ctx, std::string_view key) {
  Entry* e = ctx.db().lookup(key, ctx.nowMs);
  if (e == nullptr || e->type() != ValueType::ZSet) return false;
  MpopRequest req;
  parseMpop(ctx, req);
  zsetPopGeneric(ctx, key, req.fromMax, req.count, ZPopReply::kKeyNested);
  return true;
}

const BlockingCommand kBzmpop{ValueType::ZSet, serveMpop, nullArrayReply};

void bzmpopCommand(Context& ctx) {
  MpopRequest req;
  if (!parseMpop(ctx, req)) return;
  int64_t deadline = 0;
  if (!parseBlockTimeout(ctx, ctx.arg(1), deadline)) return;
  auto keys = ctx.args.subspan(3, req.numkeys);
  for (std::string_view key : keys) {
    bool failed = false;
    if (hasZSet(ctx, key, failed))
      return static_cast<void>(zsetPopGeneric(ctx, key, req.fromMax, req.count, ZPopReply::kKeyNested));
    if (failed) return;
  }
  if (!mayBlock(ctx)) return ctx.out.nullArray();
  blockForKeys(ctx, keys, deadline, kBzmpop);
}

}  // namespace

void registerBlockingZSetCommands(Registry& r) {
  constexpr uint32_t B = kWrite | kNoscript | kBlocking;
  r.add({"bzpopmin", -3, B | kFast, 1, -2, 1, bzpopminCommand, "@write @sortedset @fast @blocking", "sorted-set", "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.", {}, {}, WatchTouch::kByHandler});
  r.add({"bzpopmax", -3, B | kFast, 1, -2, 1, bzpopmaxCommand, "@write @sortedset @fast @blocking", "sorted-set", "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.", {}, {}, WatchTouch::kByHandler});
  r.add({"bzmpop", -5, kWrite | kBlocking, 0, 0, 0, bzmpopCommand, "@write @sortedset @slow @blocking", "sorted-set", "Remove and return members with scores in a sorted set or block until one is available", "7.0.0", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", {}, NumKeys{2, 3, 1}, WatchTouch::kByHandler});
}

}  // namespace erdtree::command
