// TTL commands. Every TTL change propagates as an absolute PEXPIREAT (or DEL
// when the time is already past, except on a replica: see deletesAtOnce), so
// a replay later gives the same deadline.
#include <algorithm>

#include "erdtree/command/expire_args.h"
#include "erdtree/command/families.h"
#include "erdtree/util/ascii.h"
#include "erdtree/command/lookup.h"
#include "erdtree/util/numbers.h"

namespace erdtree::command {
namespace {

using util::equalsIgnoreCase;

using engine::Entry;
using engine::kNoExpire;

enum ExpireFlags : unsigned { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

bool parseExpireFlags(Context& ctx, unsigned& flags) {
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view o = ctx.arg(j);
    if (equalsIgnoreCase(o, "nx")) flags |= kNx;
    else if (equalsIgnoreCase(o, "xx")) flags |= kXx;
    else if (equalsIgnoreCase(o, "gt")) flags |= kGt;
    else if (equalsIgnoreCase(o, "lt")) flags |= kLt;
    else {
      ctx.out.error("ERR Unsupported option " + std::string(o));
      return false;
    }
  }
  if ((flags & kNx) && (flags & (kXx | kGt | kLt))) {
    ctx.out.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return false;
  }
  if ((flags & kGt) && (flags & kLt)) {
    ctx.out.error("ERR GT and LT options at the same time are not compatible");
    return false;
  }
  return true;
}

void expireGeneric(Context& ctx, TimeUnit unit, bool relative) {
  unsigned flags = 0;
  if (!parseExpireFlags(ctx, flags)) return;
  int64_t when = 0;
  if (!parseExpireArg(ctx, ctx.arg(2), unit, relative, false, when)) return;
  std::string_view key = ctx.arg(1);
  Entry** ref = lookupWriteRef(ctx, key);
  if (ref == nullptr) return ctx.out.integer(0);
  int64_t current = (*ref)->expireAt();
  if ((flags & kNx) && current != kNoExpire) return ctx.out.integer(0);
  if ((flags & kXx) && current == kNoExpire) return ctx.out.integer(0);
  // No TTL counts as an infinite one for GT and LT.
  if ((flags & kGt) && (current == kNoExpire || when <= current)) return ctx.out.integer(0);
  if ((flags & kLt) && current != kNoExpire && when >= current) return ctx.out.integer(0);
  if (deletesAtOnce(ctx, when)) {
    // As Redis 7.0: freed and propagated (UNLINK) per lazyfree-lazy-expire.
    const bool lazy = ctx.db().policy().expire;
    ctx.db().remove(key, ctx.nowMs, lazy);
    ctx.propagate({lazy ? "UNLINK" : "DEL", key});
    return ctx.out.integer(1);
  }
  ctx.db().setExpire(ref, when);
  char buf[24];
  ctx.propagate({"PEXPIREAT", key, std::string_view(buf, util::formatInt64(when, buf))});
  ctx.out.integer(1);
}

void expireCommand(Context& ctx) { expireGeneric(ctx, TimeUnit::Seconds, true); }
void pexpireCommand(Context& ctx) { expireGeneric(ctx, TimeUnit::Milliseconds, true); }
void expireatCommand(Context& ctx) { expireGeneric(ctx, TimeUnit::Seconds, false); }
void pexpireatCommand(Context& ctx) { expireGeneric(ctx, TimeUnit::Milliseconds, false); }

void ttlGeneric(Context& ctx, bool millis) {
  Entry* e = lookupRead(ctx, ctx.arg(1));
  if (e == nullptr) return ctx.out.integer(-2);
  if (!e->hasExpire()) return ctx.out.integer(-1);
  int64_t left = e->expireAt() - ctx.nowMs;
  if (left < 0) left = 0;
  ctx.out.integer(millis ? left : (left + 500) / 1000);
}
void ttlCommand(Context& ctx) { ttlGeneric(ctx, false); }
void pttlCommand(Context& ctx) { ttlGeneric(ctx, true); }

void expiretimeGeneric(Context& ctx, bool millis) {
  Entry* e = lookupRead(ctx, ctx.arg(1));
  if (e == nullptr) return ctx.out.integer(-2);
  if (!e->hasExpire()) return ctx.out.integer(-1);
  if (millis) return ctx.out.integer(e->expireAt());
  // Redis rounds here too. Its (t + 500) / 1000 on a non-negative long long is
  // computed as unsigned by the compiler, so times within 500 ms of LLONG_MAX
  // give 9223372036854776 rather than overflowing: do the same explicitly.
  int64_t at = std::max<int64_t>(e->expireAt(), 0);
  ctx.out.integer(static_cast<int64_t>((static_cast<uint64_t>(at) + 500) / 1000));
}
void expiretimeCommand(Context& ctx) { expiretimeGeneric(ctx, false); }
void pexpiretimeCommand(Context& ctx) { expiretimeGeneric(ctx, true); }

void persistCommand(Context& ctx) {
  Entry** ref = lookupWriteRef(ctx, ctx.arg(1));
  if (ref == nullptr || !(*ref)->hasExpire()) return ctx.out.integer(0);
  ctx.db().setExpire(ref, kNoExpire);
  ctx.propagateAsIs();
  ctx.out.integer(1);
}

}  // namespace

void registerExpireCommands(Registry& r) {
  r.add({"expire", -3, kWrite | kFast, 1, 1, 1, expireCommand, "@keyspace @write @fast", "generic", "Sets the expiration time of a key in seconds.", "1.0.0", "O(1)", {}});
  r.add({"pexpire", -3, kWrite | kFast, 1, 1, 1, pexpireCommand, "@keyspace @write @fast", "generic", "Sets the expiration time of a key in milliseconds.", "2.6.0", "O(1)", {}});
  r.add({"expireat", -3, kWrite | kFast, 1, 1, 1, expireatCommand, "@keyspace @write @fast", "generic", "Sets the expiration time of a key to a Unix timestamp.", "1.2.0", "O(1)", {}});
  r.add({"pexpireat", -3, kWrite | kFast, 1, 1, 1, pexpireatCommand, "@keyspace @write @fast", "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0", "O(1)", {}});
  r.add({"ttl", 2, kReadonly | kFast, 1, 1, 1, ttlCommand, "@keyspace @read @fast", "generic", "Returns the expiration time in seconds of a key.", "1.0.0", "O(1)", {}});
  r.add({"pttl", 2, kReadonly | kFast, 1, 1, 1, pttlCommand, "@keyspace @read @fast", "generic", "Returns the expiration time in milliseconds of a key.", "2.6.0", "O(1)", {}});
  r.add({"expiretime", 2, kReadonly | kFast, 1, 1, 1, expiretimeCommand, "@keyspace @read @fast", "generic", "Returns the expiration time of a key as a Unix timestamp.", "7.0.0", "O(1)", {}});
  r.add({"pexpiretime", 2, kReadonly | kFast, 1, 1, 1, pexpiretimeCommand, "@keyspace @read @fast", "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp.", "7.0.0", "O(1)", {}});
  r.add({"persist", 2, kWrite | kFast, 1, 1, 1, persistCommand, "@keyspace @write @fast", "generic", "Removes the expiration time of a key.", "2.2.0", "O(1)", {}});
}

}  // namespace erdtree::command
