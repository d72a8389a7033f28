// Blocking list commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP, on the
// wait queues of blocking.h. With something to take they act at once as
// their non-blocking forms; otherwise the client waits until a list appears
// at one of its keys, its timeout passes, or CLIENT UNBLOCK. A timeout
// answers a null array (RESP3 null), for BLMOVE and BRPOPLPUSH too, as Redis
// 7.0 does. Inside MULTI/EXEC they never wait: an empty key answers a null
// array, or a null bulk for BLMOVE and BRPOPLPUSH.
//
// Replies and errors are Redis 7.0's, in its order of checks (arguments,
// then the timeout, then the keys in order, WRONGTYPE on the first key that
// is not a list). What reaches the log is the non-blocking form, whether the
// pop happened at once or after waiting, as Redis rewrites it:
//   BLPOP/BRPOP -> LPOP/RPOP key      BLMOVE -> LMOVE src dst LEFT|RIGHT LEFT|RIGHT
//   BRPOPLPUSH  -> RPOPLPUSH src dst   BLMPOP -> LPOP/RPOP key count
// BLMOVE, BRPOPLPUSH and BLMPOP run the LMOVE, RPOPLPUSH and LMPOP handlers
// (found in the registry) on rewritten arguments, so those replies, type
// checks and records are the non-blocking commands' own code.
#include <string>
#include <vector>

#include "erdtree/command/blocking.h"
#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/engine/list_value.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/numbers.h"

namespace erdtree::command {
namespace {

using engine::Entry;
using engine::ListValue;
using engine::ValueType;
using util::equalsIgnoreCase;

ListValue* listOf(Entry* e) { return static_cast<ListValue*>(e->object()); }

void nullArrayReply(resp::Writer& out) { out.nullArray(); }

// Parses LEFT/RIGHT; true for LEFT.
bool parseEnd(std::string_view s, bool& left) {
  if (equalsIgnoreCase(s, "left")) left = true;
  else if (equalsIgnoreCase(s, "right")) left = false;
  else return false;
  return true;
}

// Runs the registered handler of a non-blocking list command (args[0] names
// it) for ctx's client: its reply, propagation and WATCH touches, no stats.
void runAs(Context& ctx, std::span<const std::string_view> args) {
  const CommandSpec* spec = ctx.svc.registry.findOriginal(args[0]);  // rename-command does not apply
  Context sub{ctx.session, args, ctx.out, ctx.svc, ctx.nowMs};
  spec->handler(sub);
}

// Touches WATCHed keys when the code in between changed data.
template <class F>
void touchingIfChanged(Context& ctx, std::initializer_list<std::string_view> keys, F&& f) {
  uint64_t before = ctx.svc.stats.dirty;
  f();
  if (ctx.svc.stats.dirty != before)
    for (std::string_view k : keys) ctx.svc.watches.touch(ctx.session.db, k);
}

// ---- BLPOP / BRPOP ----

// Pops one element of the non-empty list l at key and replies [key, value].
void popOne(Context& ctx, std::string_view key, ListValue* l, bool left) {
  std::string v = left ? l->popFront() : l->popBack();
  if (l->length() == 0) ctx.db().remove(key, ctx.nowMs);
  ctx.out.arrayHeader(2);
  ctx.out.bulk(key);
  ctx.out.bulk(v);
  ctx.propagate({left ? "LPOP" : "RPOP", key});
  ctx.svc.watches.touch(ctx.session.db, key);
}

bool servePop(Context& ctx, std::string_view key, bool left) {
  Entry* e = ctx.db().lookup(key, ctx.nowMs);
  if (e == nullptr || e->type() != ValueType::List || listOf(e)->length() == 0) return false;
  popOne(ctx, key, listOf(e), left);
  return true;
}

const BlockingCommand kBlpop{ValueType::List, [](Context& c, std::string_view k) { return servePop(c, k, true); },
                             nullArrayReply};
const BlockingCommand kBrpop{ValueType::List, [](Context& c, std::string_view k) { return servePop(c, k, false); },
                             nullArrayReply};

void blockingPop(Context& ctx, bool left) {
  int64_t deadline = 0;
  if (!parseBlockTimeout(ctx, ctx.arg(ctx.argc() - 1), deadline)) return;
  auto keys = ctx.args.subspan(1, ctx.argc() - 2);
  for (std::string_view key : keys) {
    Entry** ref = lookupWriteRef(ctx, key);
    if (ref == nullptr) continue;
    if (!expectType(ctx, *ref, ValueType::List)) return;
    ListValue* l = listOf(*ref);
    if (l->length() == 0) continue;
    return popOne(ctx, key, l, left);
  }
  if (!mayBlock(ctx)) return ctx.out.nullArray();
  blockForKeys(ctx, keys, deadline, left ? kBlpop : kBrpop);
}
void blpopCommand(Context& ctx) { blockingPop(ctx, true); }
void brpopCommand(Context& ctx) { blockingPop(ctx, false); }

// ---- BLMOVE / BRPOPLPUSH ----

// Served: args are BLMOVE src dst from to timeout / BRPOPLPUSH src dst timeout.
bool serveMove(Context& ctx, std::string_view key, bool rpoplpush) {
  std::string_view dst = ctx.arg(2);
  touchingIfChanged(ctx, {key, dst}, [&] {
    if (rpoplpush) {
      const std::string_view args[] = {"RPOPLPUSH", key, dst};
      runAs(ctx, args);
    } else {
      bool fromLeft = false, toLeft = false;
      parseEnd(ctx.arg(3), fromLeft);  // validated when the client blocked
      parseEnd(ctx.arg(4), toLeft);
      const std::string_view args[] = {"LMOVE", key, dst, fromLeft ? "LEFT" : "RIGHT", toLeft ? "LEFT" : "RIGHT"};
      runAs(ctx, args);
    }
  });
  return true;  // a WRONGTYPE destination also ends the wait, with the error
}

// Redis 7.0 times every list wait out with a null array, BLMOVE's too
// (while BLMOVE that may not block answers a null bulk).
const BlockingCommand kBlmove{ValueType::List, [](Context& c, std::string_view k) { return serveMove(c, k, false); },
                              nullArrayReply};
const BlockingCommand kBrpoplpush{ValueType::List,
                                  [](Context& c, std::string_view k) { return serveMove(c, k, true); },
                                  nullArrayReply};

// With a source present this is the non-blocking command in nonBlocking
// (which checks both types); with none, the client waits on the source.
void blockingMove(Context& ctx, std::span<const std::string_view> nonBlocking, int64_t deadline,
                  const BlockingCommand& cmd) {
  if (lookupWriteRef(ctx, ctx.arg(1)) != nullptr) return runAs(ctx, nonBlocking);
  if (!mayBlock(ctx)) return ctx.out.nullBulk();
  blockForKeys(ctx, ctx.args.subspan(1, 1), deadline, cmd);
}

void blmoveCommand(Context& ctx) {
  bool fromLeft = false, toLeft = false;
  if (!parseEnd(ctx.arg(3), fromLeft) || !parseEnd(ctx.arg(4), toLeft)) return ctx.out.error(err::kSyntax);
  int64_t deadline = 0;
  if (!parseBlockTimeout(ctx, ctx.arg(5), deadline)) return;
  const std::string_view args[] = {"LMOVE", ctx.arg(1), ctx.arg(2), ctx.arg(3), ctx.arg(4)};
  blockingMove(ctx, args, deadline, kBlmove);
}

void brpoplpushCommand(Context& ctx) {
  int64_t deadline = 0;
  if (!parseBlockTimeout(ctx, ctx.arg(3), deadline)) return;
  const std::string_view args[] = {"RPOPLPUSH", ctx.arg(1), ctx.arg(2)};
  blockingMove(ctx, args, deadline, kBrpoplpush);
}

// ---- BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] ----

// The arguments LMPOP takes for the same request: BLMPOP's without the timeout.
std::vector<std::string_view> lmpopArgs(std::span<const std::string_view> blmpop) {
  std::vector<std::string_view> args{"LMPOP"};
  args.insert(args.end(), blmpop.begin() + 2, blmpop.end());
  return args;
}

// Served: LMPOP 1 key LEFT|RIGHT [COUNT n] (which touches WATCHed keys).
bool serveMpop(Context& ctx, std::string_view key) {
  const size_t nk = static_cast<size_t>(*util::parseInt64(ctx.arg(2)));  // validated when it blocked
  std::vector<std::string_view> args{"LMPOP", "1", key};
  args.insert(args.end(), ctx.args.begin() + static_cast<std::ptrdiff_t>(3 + nk), ctx.args.end());
  runAs(ctx, args);
  return true;
}

const BlockingCommand kBlmpop{ValueType::List, serveMpop, nullArrayReply};

void blmpopCommand(Context& ctx) {
  auto numkeys = util::parseInt64(ctx.arg(2));
  if (!numkeys || *numkeys < 1) return ctx.out.error("ERR numkeys should be greater than 0");
  if (static_cast<uint64_t>(*numkeys) >= ctx.argc() - 3) return ctx.out.error(err::kSyntax);
  const auto nk = static_cast<size_t>(*numkeys);
  bool left = false;
  if (!parseEnd(ctx.arg(3 + nk), left)) return ctx.out.error(err::kSyntax);
  bool hasCount = false;
  for (size_t j = 4 + nk; j < ctx.argc(); ++j) {
    if (!hasCount && equalsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      auto c = util::parseInt64(ctx.arg(++j));
      if (!c || *c < 1) return ctx.out.error("ERR count should be greater than 0");
      hasCount = true;
    } else {
      return ctx.out.error(err::kSyntax);
    }
  }
  int64_t deadline = 0;
  if (!parseBlockTimeout(ctx, ctx.arg(1), deadline)) return;
  auto keys = ctx.args.subspan(3, nk);
  // LMPOP replies for the first existing key: its elements, or WRONGTYPE.
  for (std::string_view key : keys)
    if (lookupWriteRef(ctx, key) != nullptr) return runAs(ctx, lmpopArgs(ctx.args));
  if (!mayBlock(ctx)) return ctx.out.nullArray();
  blockForKeys(ctx, keys, deadline, kBlmpop);
}

}  // namespace

void registerBlockingListCommands(Registry& r) {
  constexpr uint32_t B = kWrite | kNoscript | kBlocking;
  r.add({"blpop", -3, B, 1, -2, 1, blpopCommand, "@write @list @slow @blocking", "list", "Remove and get the first element in a list, or block until one is available", "2.0.0", "O(N) where N is the number of provided keys.", {}, {}, WatchTouch::kByHandler});
  r.add({"brpop", -3, B, 1, -2, 1, brpopCommand, "@write @list @slow @blocking", "list", "Remove and get the last element in a list, or block until one is available", "2.0.0", "O(N) where N is the number of provided keys.", {}, {}, WatchTouch::kByHandler});
  r.add({"blmove", 6, B | kDenyOom, 1, 2, 1, blmoveCommand, "@write @list @slow @blocking", "list", "Pop an element from a list, push it to another list and return it; or block until one is available", "6.2.0", "O(1)", {}});
  r.add({"brpoplpush", 4, B | kDenyOom, 1, 2, 1, brpoplpushCommand, "@write @list @slow @blocking", "list", "Pop an element from a list, push it to another list and return it; or block until one is available", "2.2.0", "O(1)", {}});
  r.add({"blmpop", -5, kWrite | kBlocking, 0, 0, 0, blmpopCommand, "@write @list @slow @blocking", "list", "Pop elements from a list, or block until one is available", "7.0.0", "O(N+M) where N is the number of provided keys and M is the number of elements returned.", {}, NumKeys{2, 3, 1}, WatchTouch::kByHandler});
}

}  // namespace erdtree::command
