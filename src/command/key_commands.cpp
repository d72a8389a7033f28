// Generic key commands: existence, deletion, iteration, renaming, copying and
// OBJECT introspection. Type-agnostic: they work on entries, not values.
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "erdtree/command/families.h"
#include "erdtree/util/ascii.h"
#include "erdtree/command/lookup.h"
#include "erdtree/command/scan_args.h"
#include "erdtree/util/glob.h"
#include "erdtree/util/numbers.h"
#include "erdtree/util/random.h"

namespace erdtree::command {
namespace {

using util::equalsIgnoreCase;

using engine::Entry;

std::string_view typeName(const Entry* e) {
  switch (e->type()) {
    case engine::ValueType::String: return "string";
    case engine::ValueType::List: return "list";
    case engine::ValueType::Set: return "set";
    case engine::ValueType::ZSet: return "zset";
    case engine::ValueType::Hash: return "hash";
  }
  return "none";
}

using util::randomU64;

// DEL frees inline unless lazyfree-lazy-user-del; UNLINK hands big values to
// the lazy-free thread (engine/lazy_free.h).
void delGeneric(Context& ctx, bool lazy) {
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.argc(); ++i)
    if (ctx.db().remove(ctx.arg(i), ctx.nowMs, lazy)) {
      ++deleted;
      ctx.svc.watches.touch(ctx.session.db, ctx.arg(i));  // only the keys removed (WatchTouch::kByHandler)
    }
  if (deleted > 0) ctx.propagateAsIs(static_cast<uint64_t>(deleted));
  ctx.out.integer(deleted);
}
void delCommand(Context& ctx) { delGeneric(ctx, ctx.svc.keyspace.lazyFreePolicy().userDel); }
void unlinkCommand(Context& ctx) { delGeneric(ctx, true); }

void existsCommand(Context& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i)
    if (lookupRead(ctx, ctx.arg(i)) != nullptr) ++n;
  ctx.out.integer(n);
}

void touchCommand(Context& ctx) { existsCommand(ctx); }

void typeCommand(Context& ctx) {
  Entry* e = lookupRead(ctx, ctx.arg(1));
  ctx.out.simple(e == nullptr ? "none" : typeName(e));
}

void keysCommand(Context& ctx) {
  std::string_view pattern = ctx.arg(1);
  bool all = pattern == "*";
  std::vector<const Entry*> found;
  ctx.db().table().forEach([&](Entry* e) {
    if (e->expiredAt(ctx.nowMs)) return;
    if (all || util::globMatch(pattern, e->key())) found.push_back(e);
  });
  ctx.out.arrayHeader(found.size());
  for (const Entry* e : found) ctx.out.bulk(e->key());
}

void scanCommand(Context& ctx) {
  auto cursor = parseScanCursor(ctx.arg(1));
  if (!cursor) return ctx.out.error(err::kInvalidCursor);
  ScanOptions opts;
  if (!parseScanOptions(ctx, 2, true, opts)) return;
  std::vector<std::string> keys;
  engine::KeyTable& table = ctx.db().table();
  uint64_t next = *cursor;
  // As Redis: visit buckets until COUNT keys were gathered, bounded by 10*COUNT steps.
  int64_t steps = opts.count * 10;
  do {
    next = table.scan(next, [&](Entry* e) { keys.emplace_back(e->key()); });
  } while (next != 0 && steps-- > 0 && static_cast<int64_t>(keys.size()) < opts.count);

  size_t kept = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    Entry* e = ctx.db().lookup(keys[i], ctx.nowMs);  // drops expired keys on the way
    if (e == nullptr) continue;
    if (opts.hasPattern && !util::globMatch(opts.pattern, keys[i])) continue;
    if (opts.hasType && !equalsIgnoreCase(typeName(e), opts.type)) continue;
    if (kept != i) keys[kept] = std::move(keys[i]);
    ++kept;
  }
  keys.resize(kept);
  replyScanHeader(ctx, next, keys.size());
  for (const auto& k : keys) ctx.out.bulk(k);
}

void randomkeyCommand(Context& ctx) {
  engine::Db& db = ctx.db();
  // Expired keys found are deleted; give up after many tries when every key
  // is volatile and expired (the active cycle will clear them).
  for (int tries = 0; tries < 100 && db.size() > 0; ++tries) {
    Entry* e = db.table().randomEntry(randomU64());
    if (e == nullptr) break;
    if (!e->expiredAt(ctx.nowMs)) return ctx.out.bulk(e->key());
    db.expireEntry(e->key());
  }
  ctx.out.nullBulk();
}

void renameGeneric(Context& ctx, bool nx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  engine::Db& db = ctx.db();
  Entry* e = db.lookup(src, ctx.nowMs);
  if (e == nullptr) return ctx.out.error(err::kNoSuchKey);
  if (src == dst) return nx ? ctx.out.integer(0) : ctx.out.ok();
  if (db.lookup(dst, ctx.nowMs) != nullptr) {
    if (nx) return ctx.out.integer(0);
    db.remove(dst, ctx.nowMs);
  }
  db.insert(Entry::moveToKey(db.detach(src), dst));
  ctx.propagateAsIs();
  nx ? ctx.out.integer(1) : ctx.out.ok();
}
void renameCommand(Context& ctx) { renameGeneric(ctx, false); }
void renamenxCommand(Context& ctx) { renameGeneric(ctx, true); }

// Database index argument: an int in range, with Redis's two different errors.
bool parseDbIndex(Context& ctx, std::string_view text, int& out) {
  auto v = util::parseInt64(text);
  if (!v || *v < INT32_MIN || *v > INT32_MAX) {
    ctx.out.error(err::kNotInteger);
    return false;
  }
  if (*v < 0 || *v >= ctx.svc.keyspace.count()) {
    ctx.out.error(err::kDbIndex);
    return false;
  }
  out = static_cast<int>(*v);
  return true;
}

void copyCommand(Context& ctx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  int dstDb = ctx.session.db;
  bool replace = false;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (equalsIgnoreCase(ctx.arg(j), "replace")) {
      replace = true;
    } else if (equalsIgnoreCase(ctx.arg(j), "db") && j + 1 < ctx.argc()) {
      if (!parseDbIndex(ctx, ctx.arg(++j), dstDb)) return;
    } else {
      return ctx.out.error(err::kSyntax);
    }
  }
  if (dstDb == ctx.session.db && src == dst)
    return ctx.out.error("ERR source and destination objects are the same");
  Entry* e = lookupRead(ctx, src);
  if (e == nullptr) return ctx.out.integer(0);
  engine::Db& target = ctx.svc.keyspace.db(dstDb);
  if (target.lookup(dst, ctx.nowMs) != nullptr) {
    if (!replace) return ctx.out.integer(0);
    target.remove(dst, ctx.nowMs);
  }
  Entry* copy = Entry::cloneWithKey(e, dst);
  if (copy->type() == engine::ValueType::String) copy->setUnshared(true);  // Redis dups the string
  target.insert(copy);
  ctx.svc.watches.touch(dstDb, dst);  // only the destination, in its db (WatchTouch::kByHandler)
  ctx.propagateAsIs();
  ctx.out.integer(1);
}

void moveCommand(Context& ctx) {
  std::string_view key = ctx.arg(1);
  auto v = util::parseInt64(ctx.arg(2));
  if (!v || *v < INT32_MIN || *v > INT32_MAX) return ctx.out.error(err::kNotInteger);
  if (*v < 0 || *v >= ctx.svc.keyspace.count()) return ctx.out.error(err::kDbIndex);
  int dstDb = static_cast<int>(*v);
  if (dstDb == ctx.session.db) return ctx.out.error("ERR source and destination objects are the same");
  engine::Db& src = ctx.db();
  engine::Db& dst = ctx.svc.keyspace.db(dstDb);
  if (src.lookup(key, ctx.nowMs) == nullptr) return ctx.out.integer(0);
  if (dst.lookup(key, ctx.nowMs) != nullptr) return ctx.out.integer(0);
  std::string k(key);
  dst.insert(src.detach(k));
  ctx.svc.watches.touch(dstDb, k);  // the key appears in the other db too
  ctx.propagateAsIs();
  ctx.out.integer(1);
}

void objectEncodingCommand(Context& ctx) {
  Entry* e = ctx.db().lookup(ctx.arg(2), ctx.nowMs);
  if (e == nullptr) return ctx.out.nullBulk();
  ctx.out.bulk(e->type() == engine::ValueType::String ? stringEncoding(e) : e->object()->encodingName());
}

void objectIdletimeCommand(Context& ctx) {
  Entry* e = ctx.db().lookup(ctx.arg(2), ctx.nowMs);  // no LRU touch, as Redis
  if (e == nullptr) return ctx.out.nullBulk();
  if (ctx.svc.access.lfu)
    return ctx.out.error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between "
        "policies at runtime LRU and LFU data will take some time to adjust.");
  ctx.out.integer(engine::lruIdleSeconds(e->lru(), ctx.nowMs));
}

void objectFreqCommand(Context& ctx) {
  Entry* e = ctx.db().lookup(ctx.arg(2), ctx.nowMs);
  if (e == nullptr) return ctx.out.nullBulk();
  if (!ctx.svc.access.lfu)
    return ctx.out.error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching "
        "between policies at runtime LRU and LFU data will take some time to adjust.");
  // The counter as decayed by now, without counting this look as an access.
  ctx.out.integer(engine::lfuDecayedCounter(e->lru(), ctx.nowMs, ctx.svc.access.lfuDecayTime));
}

void objectRefcountCommand(Context& ctx) {
  Entry* e = ctx.db().lookup(ctx.arg(2), ctx.nowMs);
  if (e == nullptr) return ctx.out.nullBulk();
  // Redis shares the objects for 0..9999 and reports them as immortal (not
  // a COPY, which duplicates the value).
  ctx.out.integer(sharedInteger(e) ? 2147483647 : 1);
}

void objectHelpCommand(Context& ctx) {
  static const char* const lines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  replyHelp(ctx, lines);
}

}  // namespace

void registerKeyCommands(Registry& r) {
  r.add({"del", -2, kWrite, 1, -1, 1, delCommand, "@keyspace @write @slow", "generic", "Deletes one or more keys.", "1.0.0", "O(N) where N is the number of keys that will be removed.", {}, {}, WatchTouch::kByHandler});
  r.add({"unlink", -2, kWrite | kFast, 1, -1, 1, unlinkCommand, "@keyspace @write @fast", "generic", "Asynchronously deletes one or more keys.", "4.0.0", "O(1) for each key removed regardless of its size.", {}, {}, WatchTouch::kByHandler});
  r.add({"exists", -2, kReadonly | kFast, 1, -1, 1, existsCommand, "@keyspace @read @fast", "generic", "Determines whether one or more keys exist.", "1.0.0", "O(N) where N is the number of keys to check.", {}});
  r.add({"touch", -2, kReadonly | kFast, 1, -1, 1, touchCommand, "@keyspace @read @fast", "generic", "Returns the number of existing keys out of those specified after updating the time they were last accessed.", "3.2.1", "O(N) where N is the number of keys that will be touched.", {}});
  r.add({"type", 2, kReadonly | kFast, 1, 1, 1, typeCommand, "@keyspace @read @fast", "generic", "Determines the type of value stored at a key.", "1.0.0", "O(1)", {}});
  r.add({"keys", 2, kReadonly, 0, 0, 0, keysCommand, "@keyspace @read @slow @dangerous", "generic", "Returns all key names that match a pattern.", "1.0.0", "O(N) with N being the number of keys in the database.", {}});
  r.add({"scan", -2, kReadonly, 0, 0, 0, scanCommand, "@keyspace @read @slow", "generic", "Iterates over the key names in the database.", "2.8.0", "O(1) for every call. O(N) for a complete iteration.", {}});
  r.add({"randomkey", 1, kReadonly, 0, 0, 0, randomkeyCommand, "@keyspace @read @slow", "generic", "Returns a random key name from the database.", "1.0.0", "O(1)", {}});
  r.add({"rename", 3, kWrite, 1, 2, 1, renameCommand, "@keyspace @write @slow", "generic", "Renames a key and overwrites the destination.", "1.0.0", "O(1)", {}});
  r.add({"renamenx", 3, kWrite | kFast, 1, 2, 1, renamenxCommand, "@keyspace @write @fast", "generic", "Renames a key only when the target key name doesn't exist.", "1.0.0", "O(1)", {}});
  r.add({"copy", -3, kWrite | kDenyOom, 1, 2, 1, copyCommand, "@keyspace @write @slow", "generic", "Copies the value of a key to a new key.", "6.2.0", "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.", {}, {}, WatchTouch::kByHandler});
  r.add({"move", 3, kWrite | kFast, 1, 1, 1, moveCommand, "@keyspace @write @fast", "generic", "Moves a key to another database.", "1.0.0", "O(1)", {}});
  r.add({"object", -2, 0, 0, 0, 0, nullptr, "@slow", "generic", "A container for object introspection commands.", "2.2.3", "Depends on subcommand.", {
      {"object|encoding", 3, kReadonly, 2, 2, 1, objectEncodingCommand, "@keyspace @read @slow", "generic", "Returns the internal encoding of a Redis object.", "2.2.3", "O(1)", {}},
      {"object|freq", 3, kReadonly, 2, 2, 1, objectFreqCommand, "@keyspace @read @slow", "generic", "Returns the logarithmic access frequency counter of a Redis object.", "4.0.0", "O(1)", {}},
      {"object|idletime", 3, kReadonly, 2, 2, 1, objectIdletimeCommand, "@keyspace @read @slow", "generic", "Returns the time since the last access to a Redis object.", "2.2.3", "O(1)", {}},
      {"object|refcount", 3, kReadonly, 2, 2, 1, objectRefcountCommand, "@keyspace @read @slow", "generic", "Returns the reference count of a value of a key.", "2.2.3", "O(1)", {}},
      {"object|help", 2, kLoading | kStale, 0, 0, 0, objectHelpCommand, "@keyspace @slow", "generic", "Returns helpful text about the different subcommands.", "6.2.0", "O(1)", {}},
  }});
}

}  // namespace erdtree::command
