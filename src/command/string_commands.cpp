// String family: GET/SET and friends, counters, ranges.
//
// Strings live inline in their entry. Writes that keep the value length
// (counters, SET of an equal-sized value, SETRANGE inside the string) modify
// the entry in place; others rebuild it and swap the table slot.
// Propagation is canonical: relative TTLs become PXAT, INCRBYFLOAT becomes
// SET ... KEEPTTL, GETDEL becomes DEL, so replaying the log is deterministic.
#include <climits>
#include <cmath>
#include <cstring>
#include <string>

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

// Stores value under key with the given absolute expiry (kNoExpire: none).
// keepTtl keeps whatever TTL the key had.
void storeString(Context& ctx, std::string_view key, std::string_view value, int64_t expireAtMs, bool keepTtl) {
  engine::Db& db = ctx.db();
  Entry** ref = lookupWriteRef(ctx, key);
  if (ref == nullptr) {
    db.insert(makeStringEntry(ctx, key, value, expireAtMs));
    return;
  }
  Entry* old = *ref;
  // KEEPTTL keeps the TTL whatever the type of the value it replaces (Redis).
  int64_t at = keepTtl ? old->expireAt() : expireAtMs;
  if (old->type() != engine::ValueType::String) {
    Entry* e = makeStringEntry(ctx, key, value, at);
    e->setLru(old->lru());  // an overwrite keeps the access history (Redis's dbSetValue)
    db.replace(ref, e);
    return;
  }
  bool hadExpire = old->hasExpire();
  Entry* e = Entry::setStringValue(old, value);
  e = Entry::setExpire(e, at);
  db.noteExpireChange(hadExpire, e->hasExpire());
  *ref = e;
}

void propagateSet(Context& ctx, std::string_view key, std::string_view value, int64_t expireAtMs, bool keepTtl) {
  if (expireAtMs != kNoExpire) {
    char buf[24];
    std::string_view at(buf, util::formatInt64(expireAtMs, buf));
    ctx.propagate({"SET", key, value, "PXAT", at});
  } else if (keepTtl) {
    ctx.propagate({"SET", key, value, "KEEPTTL"});
  } else {
    ctx.propagate({"SET", key, value});
  }
}

void getCommand(Context& ctx) {
  Entry* e = lookupRead(ctx, ctx.arg(1));
  if (e == nullptr) return ctx.out.nullBulk();
  if (!expectString(ctx, e)) return;
  ctx.out.bulk(e->stringValue());
}

enum SetFlags : unsigned { kNx = 1, kXx = 2, kGet = 4, kKeepTtl = 8, kEx = 16, kPx = 32, kExat = 64, kPxat = 128, kPersist = 256 };
constexpr unsigned kAnyExpire = kEx | kPx | kExat | kPxat;

// Parses SET's / GETEX's options from args[first...] as Redis does (later
// duplicates of the same option are allowed; conflicting ones are syntax errors).
// Only the syntax: the expire value (expireText) is checked by expireFromOptions.
bool parseSetOptions(Context& ctx, size_t first, bool isGetex, unsigned& flags, std::string_view& expireText) {
  for (size_t j = first; j < ctx.argc(); ++j) {
    std::string_view o = ctx.arg(j);
    bool hasNext = j + 1 < ctx.argc();
    if (!isGetex && equalsIgnoreCase(o, "nx") && !(flags & kXx)) {
      flags |= kNx;
    } else if (!isGetex && equalsIgnoreCase(o, "xx") && !(flags & kNx)) {
      flags |= kXx;
    } else if (!isGetex && equalsIgnoreCase(o, "get")) {
      flags |= kGet;
    } else if (!isGetex && equalsIgnoreCase(o, "keepttl") && !(flags & (kPersist | kAnyExpire))) {
      flags |= kKeepTtl;
    } else if (isGetex && equalsIgnoreCase(o, "persist") && !(flags & (kKeepTtl | kAnyExpire))) {
      flags |= kPersist;
    } else if (equalsIgnoreCase(o, "ex") && !(flags & (kKeepTtl | kPersist | kPx | kExat | kPxat)) && hasNext) {
      flags |= kEx;
      expireText = ctx.arg(++j);
    } else if (equalsIgnoreCase(o, "px") && !(flags & (kKeepTtl | kPersist | kEx | kExat | kPxat)) && hasNext) {
      flags |= kPx;
      expireText = ctx.arg(++j);
    } else if (equalsIgnoreCase(o, "exat") && !(flags & (kKeepTtl | kPersist | kEx | kPx | kPxat)) && hasNext) {
      flags |= kExat;
      expireText = ctx.arg(++j);
    } else if (equalsIgnoreCase(o, "pxat") && !(flags & (kKeepTtl | kPersist | kEx | kPx | kExat)) && hasNext) {
      flags |= kPxat;
      expireText = ctx.arg(++j);
    } else {
      ctx.out.error(err::kSyntax);
      return false;
    }
  }
  return true;
}

// The absolute expiry the parsed options ask for (kNoExpire when none); false
// after replying an error about the value.
bool expireFromOptions(Context& ctx, unsigned flags, std::string_view expireText, int64_t& expireAtMs) {
  expireAtMs = kNoExpire;
  if (flags & kAnyExpire) {
    TimeUnit unit = (flags & (kEx | kExat)) ? TimeUnit::Seconds : TimeUnit::Milliseconds;
    bool relative = (flags & (kEx | kPx)) != 0;
    if (!parseExpireArg(ctx, expireText, unit, relative, true, expireAtMs)) return false;
  }
  return true;
}

void setCommand(Context& ctx) {
  unsigned flags = 0;
  int64_t expireAtMs = kNoExpire;
  std::string_view expireText;
  if (ctx.argc() > 3 && !parseSetOptions(ctx, 3, false, flags, expireText)) return;
  if (!expireFromOptions(ctx, flags, expireText, expireAtMs)) return;
  std::string_view key = ctx.arg(1), value = ctx.arg(2);
  Entry* existing = ctx.db().lookup(key, ctx.nowMs);
  if (flags & kGet) {
    if (existing != nullptr && !expectString(ctx, existing)) return;
    if (existing == nullptr) ctx.out.nullBulk();
    else ctx.out.bulk(existing->stringValue());  // replied before the value changes
  }
  if (((flags & kNx) && existing != nullptr) || ((flags & kXx) && existing == nullptr)) {
    if (!(flags & kGet)) ctx.out.nullBulk();
    return;
  }
  storeString(ctx, key, value, expireAtMs, flags & kKeepTtl);
  propagateSet(ctx, key, value, expireAtMs, flags & kKeepTtl);
  if (!(flags & kGet)) ctx.out.ok();
}

void setnxCommand(Context& ctx) {
  if (ctx.db().lookup(ctx.arg(1), ctx.nowMs) != nullptr) return ctx.out.integer(0);
  storeString(ctx, ctx.arg(1), ctx.arg(2), kNoExpire, false);
  propagateSet(ctx, ctx.arg(1), ctx.arg(2), kNoExpire, false);
  ctx.out.integer(1);
}

void setexGeneric(Context& ctx, TimeUnit unit) {
  int64_t at = 0;
  if (!parseExpireArg(ctx, ctx.arg(2), unit, true, true, at)) return;
  storeString(ctx, ctx.arg(1), ctx.arg(3), at, false);
  propagateSet(ctx, ctx.arg(1), ctx.arg(3), at, false);
  ctx.out.ok();
}
void setexCommand(Context& ctx) { setexGeneric(ctx, TimeUnit::Seconds); }
void psetexCommand(Context& ctx) { setexGeneric(ctx, TimeUnit::Milliseconds); }

void getsetCommand(Context& ctx) {
  Entry* e = ctx.db().lookup(ctx.arg(1), ctx.nowMs);
  if (e != nullptr && !expectString(ctx, e)) return;
  if (e == nullptr) ctx.out.nullBulk();
  else ctx.out.bulk(e->stringValue());
  storeString(ctx, ctx.arg(1), ctx.arg(2), kNoExpire, false);
  propagateSet(ctx, ctx.arg(1), ctx.arg(2), kNoExpire, false);
}

void getdelCommand(Context& ctx) {
  Entry* e = lookupRead(ctx, ctx.arg(1));
  if (e == nullptr) return ctx.out.nullBulk();
  if (!expectString(ctx, e)) return;
  ctx.out.bulk(e->stringValue());
  std::string key(ctx.arg(1));
  // As Redis 7.0: a user delete (lazyfree-lazy-user-del), propagated as such.
  const bool lazy = ctx.db().policy().userDel;
  ctx.db().remove(key, ctx.nowMs, lazy);
  ctx.propagate({lazy ? "UNLINK" : "DEL", key});
}

void getexCommand(Context& ctx) {
  unsigned flags = 0;
  int64_t expireAtMs = kNoExpire;
  std::string_view expireText;
  if (ctx.argc() > 2 && !parseSetOptions(ctx, 2, true, flags, expireText)) return;
  std::string_view key = ctx.arg(1);
  Entry** ref = lookupWriteRef(ctx, key);
  if (ref == nullptr) {
    ++ctx.svc.stats.keyspaceMisses;
    return ctx.out.nullBulk();
  }
  ++ctx.svc.stats.keyspaceHits;
  if (!expectString(ctx, *ref)) return;
  // As Redis 7.0: the expire value is checked after the lookup and type check.
  if (!expireFromOptions(ctx, flags, expireText, expireAtMs)) return;
  ctx.out.bulk((*ref)->stringValue());
  if ((flags & kAnyExpire) && deletesAtOnce(ctx, expireAtMs)) {
    std::string k(key);
    const bool lazy = ctx.db().policy().expire;  // as Redis 7.0: lazyfree-lazy-expire
    ctx.db().remove(k, ctx.nowMs, lazy);
    ctx.propagate({lazy ? "UNLINK" : "DEL", k});
  } else if (flags & kAnyExpire) {
    ctx.db().setExpire(ref, expireAtMs);
    char buf[24];
    ctx.propagate({"PEXPIREAT", key, std::string_view(buf, util::formatInt64(expireAtMs, buf))});
  } else if ((flags & kPersist) && (*ref)->hasExpire()) {
    ctx.db().setExpire(ref, kNoExpire);
    ctx.propagate({"PERSIST", key});
  }
}

void mgetCommand(Context& ctx) {
  ctx.out.arrayHeader(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Entry* e = lookupRead(ctx, ctx.arg(i));
    if (e == nullptr || e->type() != engine::ValueType::String) ctx.out.nullBulk();
    else ctx.out.bulk(e->stringValue());
  }
}

bool pairsArity(Context& ctx) {
  if (ctx.argc() % 2 == 1) return true;
  replyWrongArity(ctx);
  return false;
}

void msetGeneric(Context& ctx, bool nx) {
  if (!pairsArity(ctx)) return;
  if (nx) {
    for (size_t i = 1; i < ctx.argc(); i += 2) {
      if (ctx.db().lookup(ctx.arg(i), ctx.nowMs) != nullptr) return ctx.out.integer(0);
    }
  }
  for (size_t i = 1; i < ctx.argc(); i += 2) storeString(ctx, ctx.arg(i), ctx.arg(i + 1), kNoExpire, false);
  ctx.propagate(ctx.args.subspan(0), (ctx.argc() - 1) / 2);
  if (nx) ctx.out.integer(1);
  else ctx.out.ok();
}
void msetCommand(Context& ctx) { msetGeneric(ctx, false); }
void msetnxCommand(Context& ctx) { msetGeneric(ctx, true); }

void appendCommand(Context& ctx) {
  std::string_view key = ctx.arg(1), suffix = ctx.arg(2);
  Entry** ref = lookupWriteRef(ctx, key);
  if (ref == nullptr) {
    ctx.db().insert(makeStringEntry(ctx, key, suffix, kNoExpire));
    ctx.propagateAsIs();
    return ctx.out.integer(static_cast<int64_t>(suffix.size()));
  }
  if (!expectString(ctx, *ref)) return;
  size_t oldLen = (*ref)->stringValue().size();
  if (oldLen + suffix.size() > ctx.svc.protoMaxBulkLen) return ctx.out.error(err::kStringTooBig);
  Entry* e = Entry::resizeString(*ref, oldLen + suffix.size());
  if (!suffix.empty()) std::memcpy(e->mutableValue() + oldLen, suffix.data(), suffix.size());
  e->setRawEncoded(true);
  *ref = e;
  ctx.propagateAsIs();
  ctx.out.integer(static_cast<int64_t>(oldLen + suffix.size()));
}

void strlenCommand(Context& ctx) {
  Entry* e = lookupRead(ctx, ctx.arg(1));
  if (e == nullptr) return ctx.out.integer(0);
  if (!expectString(ctx, e)) return;
  ctx.out.integer(static_cast<int64_t>(e->stringValue().size()));
}

void incrGeneric(Context& ctx, int64_t by) {
  std::string_view key = ctx.arg(1);
  Entry** ref = lookupWriteRef(ctx, key);
  int64_t current = 0;
  if (ref != nullptr) {
    if (!expectString(ctx, *ref)) return;
    auto v = util::parseInt64((*ref)->stringValue());
    if (!v) return ctx.out.error(err::kNotInteger);
    current = *v;
  }
  if ((by < 0 && current < 0 && by < LLONG_MIN - current) || (by > 0 && current > 0 && by > LLONG_MAX - current))
    return ctx.out.error(err::kOverflow);
  int64_t result = current + by;
  char buf[24];
  std::string_view text(buf, util::formatInt64(result, buf));
  if (ref == nullptr) {
    ctx.db().insert(makeStringEntry(ctx, key, text, kNoExpire));
  } else {
    Entry* e = Entry::setStringValue(*ref, text);  // in place when the width is unchanged
    *ref = e;
  }
  ctx.propagateAsIs();
  ctx.out.integer(result);
}

void incrCommand(Context& ctx) { incrGeneric(ctx, 1); }
void decrCommand(Context& ctx) { incrGeneric(ctx, -1); }
void incrbyCommand(Context& ctx) {
  int64_t by = 0;
  if (parseIntArg(ctx, ctx.arg(2), by)) incrGeneric(ctx, by);
}
void decrbyCommand(Context& ctx) {
  int64_t by = 0;
  if (!parseIntArg(ctx, ctx.arg(2), by)) return;
  if (by == LLONG_MIN) return ctx.out.error("ERR decrement would overflow");
  incrGeneric(ctx, -by);
}

void incrbyfloatCommand(Context& ctx) {
  std::string_view key = ctx.arg(1);
  Entry** ref = lookupWriteRef(ctx, key);
  long double current = 0;
  if (ref != nullptr) {
    if (!expectString(ctx, *ref)) return;
    auto v = util::parseLongDouble((*ref)->stringValue());
    if (!v) return ctx.out.error(err::kNotFloat);
    current = *v;
  }
  auto by = util::parseLongDouble(ctx.arg(2));
  if (!by) return ctx.out.error(err::kNotFloat);
  long double result = current + *by;
  if (std::isnan(result) || std::isinf(result)) return ctx.out.error(err::kNanOrInf);
  char buf[util::kMaxLongDoubleChars];
  std::string_view text(buf, util::formatLongDoubleHuman(result, buf, sizeof(buf)));
  Entry* e;
  if (ref == nullptr) {
    e = makeStringEntry(ctx, key, text, kNoExpire);
    ctx.db().insert(e);
  } else {
    e = *ref = Entry::setStringValue(*ref, text);
  }
  e->setPlainEncoded(true);
  // Float formatting may differ between machines: replay the result, not the increment.
  ctx.propagate({"SET", key, text, "KEEPTTL"});
  ctx.out.bulk(text);
}

void getrangeCommand(Context& ctx) {
  int64_t start = 0, end = 0;
  if (!parseIntArg(ctx, ctx.arg(2), start) || !parseIntArg(ctx, ctx.arg(3), end)) return;
  Entry* e = lookupRead(ctx, ctx.arg(1));
  if (e == nullptr) return ctx.out.bulk("");
  if (!expectString(ctx, e)) return;
  std::string_view s = e->stringValue();
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) return ctx.out.bulk("");
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return ctx.out.bulk("");
  ctx.out.bulk(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void setrangeCommand(Context& ctx) {
  int64_t offset = 0;
  if (!parseIntArg(ctx, ctx.arg(2), offset)) return;
  if (offset < 0) return ctx.out.error("ERR offset is out of range");
  std::string_view key = ctx.arg(1), value = ctx.arg(3);
  Entry** ref = lookupWriteRef(ctx, key);
  if (ref != nullptr && !expectString(ctx, *ref)) return;
  size_t oldLen = ref == nullptr ? 0 : (*ref)->stringValue().size();
  if (value.empty()) return ctx.out.integer(static_cast<int64_t>(oldLen));
  if (static_cast<uint64_t>(offset) + value.size() > ctx.svc.protoMaxBulkLen) return ctx.out.error(err::kStringTooBig);
  size_t newLen = std::max(oldLen, static_cast<size_t>(offset) + value.size());
  Entry* e;
  if (ref == nullptr) {
    e = makeStringEntry(ctx, key, std::string_view(), kNoExpire);
    e = Entry::resizeString(e, newLen);
    std::memcpy(e->mutableValue() + offset, value.data(), value.size());
    e->setRawEncoded(true);
    ctx.db().insert(e);
  } else {
    e = newLen == oldLen ? *ref : Entry::resizeString(*ref, newLen);
    std::memcpy(e->mutableValue() + offset, value.data(), value.size());
    e->setRawEncoded(true);
    *ref = e;
  }
  ctx.propagateAsIs();
  ctx.out.integer(static_cast<int64_t>(newLen));
}

}  // namespace

void registerStringCommands(Registry& r) {
  constexpr uint32_t W = kWrite | kDenyOom;
  r.add({"get", 2, kReadonly | kFast, 1, 1, 1, getCommand, "@read @string @fast", "string", "Returns the string value of a key.", "1.0.0", "O(1)", {}});
  r.add({"set", -3, W, 1, 1, 1, setCommand, "@write @string @slow", "string", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", "1.0.0", "O(1)", {}});
  r.add({"setnx", 3, W | kFast, 1, 1, 1, setnxCommand, "@write @string @fast", "string", "Set the string value of a key only when the key doesn't exist.", "1.0.0", "O(1)", {}});
  r.add({"setex", 4, W, 1, 1, 1, setexCommand, "@write @string @slow", "string", "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", "2.0.0", "O(1)", {}});
  r.add({"psetex", 4, W, 1, 1, 1, psetexCommand, "@write @string @slow", "string", "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", "2.6.0", "O(1)", {}});
  r.add({"getset", 3, W | kFast, 1, 1, 1, getsetCommand, "@write @string @fast", "string", "Returns the previous string value of a key after setting it to a new value.", "1.0.0", "O(1)", {}});
  r.add({"getdel", 2, kWrite | kFast, 1, 1, 1, getdelCommand, "@write @string @fast", "string", "Returns the string value of a key after deleting the key.", "6.2.0", "O(1)", {}});
  r.add({"getex", -2, kWrite | kFast, 1, 1, 1, getexCommand, "@write @string @fast", "string", "Returns the string value of a key after setting its expiration time.", "6.2.0", "O(1)", {}});
  r.add({"mget", -2, kReadonly | kFast, 1, -1, 1, mgetCommand, "@read @string @fast", "string", "Atomically returns the string values of one or more keys.", "1.0.0", "O(N) where N is the number of keys to retrieve.", {}});
  r.add({"mset", -3, W, 1, -1, 2, msetCommand, "@write @string @slow", "string", "Atomically creates or modifies the string values of one or more keys.", "1.0.1", "O(N) where N is the number of keys to set.", {}});
  r.add({"msetnx", -3, W, 1, -1, 2, msetnxCommand, "@write @string @slow", "string", "Atomically modifies the string values of one or more keys only when all keys don't exist.", "1.0.1", "O(N) where N is the number of keys to set.", {}});
  r.add({"append", 3, W | kFast, 1, 1, 1, appendCommand, "@write @string @fast", "string", "Appends a string to the value of a key. Creates the key if it doesn't exist.", "2.0.0", "O(1)", {}});
  r.add({"strlen", 2, kReadonly | kFast, 1, 1, 1, strlenCommand, "@read @string @fast", "string", "Returns the length of a string value.", "2.2.0", "O(1)", {}});
  r.add({"incr", 2, W | kFast, 1, 1, 1, incrCommand, "@write @string @fast", "string", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", {}});
  r.add({"decr", 2, W | kFast, 1, 1, 1, decrCommand, "@write @string @fast", "string", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", {}});
  r.add({"incrby", 3, W | kFast, 1, 1, 1, incrbyCommand, "@write @string @fast", "string", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", {}});
  r.add({"decrby", 3, W | kFast, 1, 1, 1, decrbyCommand, "@write @string @fast", "string", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", {}});
  r.add({"incrbyfloat", 3, W | kFast, 1, 1, 1, incrbyfloatCommand, "@write @string @fast", "string", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "2.6.0", "O(1)", {}});
  r.add({"getrange", 4, kReadonly, 1, 1, 1, getrangeCommand, "@read @string @slow", "string", "Returns a substring of the string stored at a key.", "2.4.0", "O(N) where N is the length of the returned string.", {}});
  r.add({"substr", 4, kReadonly, 1, 1, 1, getrangeCommand, "@read @string @slow", "string", "Returns a substring from a string value.", "1.0.0", "O(N) where N is the length of the returned string.", {}});
  r.add({"setrange", 4, W, 1, 1, 1, setrangeCommand, "@write @string @slow", "string", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", "2.2.0", "O(1), not counting the time taken to copy the new string in place.", {}});
}

}  // namespace erdtree::command
