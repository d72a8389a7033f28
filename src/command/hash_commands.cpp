// Hash family: HSET/HGET and friends, counters, HSCAN, HRANDFIELD.
//
// A hash is an Entry holding a HashValue (engine/hash_value.h), which picks
// its encoding (listpack or hashtable) itself. Handlers mutate the value in
// place through the entry's object pointer, so the keyspace slot never
// changes; a hash left empty by HDEL is deleted. Propagation is as received
// except HINCRBYFLOAT, which becomes HSET key field <result> so that replay
// does not depend on float formatting.
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/command/scan_args.h"
#include "erdtree/engine/hash_value.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/glob.h"
#include "erdtree/util/numbers.h"
#include "erdtree/util/random.h"

namespace erdtree::command {
namespace {

using engine::Entry;
using engine::HashValue;
using engine::ValueType;
using util::equalsIgnoreCase;

HashValue* hashOf(Entry* e) { return static_cast<HashValue*>(e->object()); }

using util::randomU64;

// The hash at key for writing, created (empty) when absent: callers add a
// field before they return. nullptr after replying WRONGTYPE.
HashValue* hashForWrite(Context& ctx, std::string_view key) {
  if (Entry** ref = lookupWriteRef(ctx, key)) return expectType(ctx, *ref, ValueType::Hash) ? hashOf(*ref) : nullptr;
  Entry* e = Entry::makeObject(key, ValueType::Hash, std::make_unique<HashValue>());
  e->setLru(engine::initialAccessField(ctx.svc.access, ctx.nowMs));
  ctx.db().insert(e);
  return hashOf(e);
}

// The hash at key for reading: nullptr when absent (found = false) or after
// replying WRONGTYPE (found = true).
HashValue* hashForRead(Context& ctx, std::string_view key, bool& found) {
  Entry* e = lookupRead(ctx, key);
  found = e != nullptr;
  if (e == nullptr || !expectType(ctx, e, ValueType::Hash)) return nullptr;
  return hashOf(e);
}

bool pairsArity(Context& ctx) {
  if (ctx.argc() % 2 == 0) return true;
  replyWrongArity(ctx);
  return false;
}

void hsetGeneric(Context& ctx, bool hmset) {
  if (!pairsArity(ctx)) return;
  HashValue* h = hashForWrite(ctx, ctx.arg(1));
  if (h == nullptr) return;
  int64_t created = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2)
    if (h->set(ctx.arg(i), ctx.arg(i + 1), ctx.svc.encoding)) ++created;
  ctx.propagateAsIs((ctx.argc() - 2) / 2);
  if (hmset) return ctx.out.ok();
  ctx.out.integer(created);
}
void hsetCommand(Context& ctx) { hsetGeneric(ctx, false); }
void hmsetCommand(Context& ctx) { hsetGeneric(ctx, true); }

void hsetnxCommand(Context& ctx) {
  Entry** ref = lookupWriteRef(ctx, ctx.arg(1));
  if (ref != nullptr && !expectType(ctx, *ref, ValueType::Hash)) return;
  if (ref != nullptr && hashOf(*ref)->contains(ctx.arg(2))) return ctx.out.integer(0);
  hashForWrite(ctx, ctx.arg(1))->set(ctx.arg(2), ctx.arg(3), ctx.svc.encoding);
  ctx.propagateAsIs();
  ctx.out.integer(1);
}

void hgetCommand(Context& ctx) {
  bool found = false;
  HashValue* h = hashForRead(ctx, ctx.arg(1), found);
  if (h == nullptr) return found ? void() : ctx.out.nullBulk();
  auto v = h->get(ctx.arg(2));
  if (!v) return ctx.out.nullBulk();
  ctx.out.bulk(*v);
}

void hmgetCommand(Context& ctx) {
  bool found = false;
  HashValue* h = hashForRead(ctx, ctx.arg(1), found);
  if (h == nullptr && found) return;
  ctx.out.arrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    auto v = h == nullptr ? std::nullopt : h->get(ctx.arg(i));
    if (v) ctx.out.bulk(*v);
    else ctx.out.nullBulk();
  }
}

void hdelCommand(Context& ctx) {
  Entry** ref = lookupWriteRef(ctx, ctx.arg(1));
  if (ref == nullptr) return ctx.out.integer(0);
  if (!expectType(ctx, *ref, ValueType::Hash)) return;
  HashValue* h = hashOf(*ref);
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argc() && h->length() > 0; ++i)
    if (h->remove(ctx.arg(i))) ++deleted;
  if (h->length() == 0) ctx.db().remove(ctx.arg(1), ctx.nowMs);
  if (deleted > 0) ctx.propagateAsIs(static_cast<uint64_t>(deleted));
  ctx.out.integer(deleted);
}

void hlenCommand(Context& ctx) {
  bool found = false;
  HashValue* h = hashForRead(ctx, ctx.arg(1), found);
  if (h == nullptr) return found ? void() : ctx.out.integer(0);
  ctx.out.integer(static_cast<int64_t>(h->length()));
}

void hexistsCommand(Context& ctx) {
  bool found = false;
  HashValue* h = hashForRead(ctx, ctx.arg(1), found);
  if (h == nullptr) return found ? void() : ctx.out.integer(0);
  ctx.out.integer(h->contains(ctx.arg(2)) ? 1 : 0);
}

void hstrlenCommand(Context& ctx) {
  bool found = false;
  HashValue* h = hashForRead(ctx, ctx.arg(1), found);
  if (h == nullptr) return found ? void() : ctx.out.integer(0);
  auto v = h->get(ctx.arg(2));
  ctx.out.integer(v ? static_cast<int64_t>(v->size()) : 0);
}

enum Parts : unsigned { kFields = 1, kValues = 2 };

void hgetallGeneric(Context& ctx, unsigned parts) {
  bool found = false;
  HashValue* h = hashForRead(ctx, ctx.arg(1), found);
  if (h == nullptr && found) return;
  const size_t n = h == nullptr ? 0 : h->length();
  if (parts == (kFields | kValues)) ctx.out.mapHeader(n);
  else ctx.out.arrayHeader(n);
  if (h == nullptr) return;
  h->forEach([&](std::string_view f, std::string_view v) {
    if (parts & kFields) ctx.out.bulk(f);
    if (parts & kValues) ctx.out.bulk(v);
  });
}
void hgetallCommand(Context& ctx) { hgetallGeneric(ctx, kFields | kValues); }
void hkeysCommand(Context& ctx) { hgetallGeneric(ctx, kFields); }
void hvalsCommand(Context& ctx) { hgetallGeneric(ctx, kValues); }

void hincrbyCommand(Context& ctx) {
  int64_t by = 0;
  if (!parseIntArg(ctx, ctx.arg(3), by)) return;
  std::string_view key = ctx.arg(1), field = ctx.arg(2);
  Entry** ref = lookupWriteRef(ctx, key);
  if (ref != nullptr && !expectType(ctx, *ref, ValueType::Hash)) return;
  int64_t current = 0;
  if (ref != nullptr) {
    if (auto v = hashOf(*ref)->get(field)) {
      auto n = util::parseInt64(*v);
      if (!n) return ctx.out.error("ERR hash value is not an integer");
      current = *n;
    }
  }
  if ((by < 0 && current < 0 && by < LLONG_MIN - current) || (by > 0 && current > 0 && by > LLONG_MAX - current))
    return ctx.out.error(err::kOverflow);
  const int64_t result = current + by;
  char buf[24];
  hashForWrite(ctx, key)->set(field, std::string_view(buf, util::formatInt64(result, buf)), ctx.svc.encoding);
  ctx.propagateAsIs();
  ctx.out.integer(result);
}

void hincrbyfloatCommand(Context& ctx) {
  auto by = util::parseLongDouble(ctx.arg(3));
  if (!by) return ctx.out.error(err::kNotFloat);
  if (std::isnan(*by) || std::isinf(*by)) return ctx.out.error("ERR value is NaN or Infinity");
  std::string_view key = ctx.arg(1), field = ctx.arg(2);
  Entry** ref = lookupWriteRef(ctx, key);
  if (ref != nullptr && !expectType(ctx, *ref, ValueType::Hash)) return;
  long double current = 0;
  if (ref != nullptr) {
    if (auto v = hashOf(*ref)->get(field)) {
      auto n = util::parseLongDouble(*v);
      if (!n) return ctx.out.error("ERR hash value is not a float");
      current = *n;
    }
  }
  const long double result = current + *by;
  if (std::isnan(result) || std::isinf(result)) return ctx.out.error(err::kNanOrInf);
  char buf[util::kMaxLongDoubleChars];
  std::string_view text(buf, util::formatLongDoubleHuman(result, buf, sizeof(buf)));
  hashForWrite(ctx, key)->set(field, text, ctx.svc.encoding);
  // Float formatting may differ between machines: replay the result.
  ctx.propagate({"HSET", key, field, text});
  ctx.out.bulk(text);
}

void hscanCommand(Context& ctx) {
  auto cursor = parseScanCursor(ctx.arg(2));
  if (!cursor) return ctx.out.error(err::kInvalidCursor);
  bool found = false;
  HashValue* h = hashForRead(ctx, ctx.arg(1), found);
  if (h == nullptr && found) return;
  if (h == nullptr) return replyScanHeader(ctx, 0, 0);
  ScanOptions opts;
  if (!parseScanOptions(ctx, 3, false, opts)) return;
  // As Redis: a listpack is returned whole; a table is walked bucket by
  // bucket until COUNT items (fields and values both count) were gathered,
  // bounded by 10*COUNT steps. Nothing mutates the hash until the reply is
  // written, so the views stay valid.
  std::vector<std::pair<std::string_view, std::string_view>> items;
  auto collect = [&](std::string_view f, std::string_view v) {
    if (!opts.hasPattern || util::globMatch(opts.pattern, f)) items.emplace_back(f, v);
  };
  uint64_t next = *cursor;
  if (h->isListpack()) {
    next = h->scan(0, collect);
  } else {
    int64_t steps = opts.count * 10;
    size_t gathered = 0;
    do {
      next = h->scan(next, [&](std::string_view f, std::string_view v) {
        gathered += 2;
        collect(f, v);
      });
    } while (next != 0 && steps-- > 0 && static_cast<int64_t>(gathered) < opts.count);
  }
  replyScanHeader(ctx, next, items.size() * 2);
  for (const auto& [f, v] : items) {
    ctx.out.bulk(f);
    ctx.out.bulk(v);
  }
}

void replyPair(Context& ctx, std::string_view f, std::string_view v, bool withValues) {
  if (withValues && ctx.out.protocol() == 3) ctx.out.arrayHeader(2);
  ctx.out.bulk(f);
  if (withValues) ctx.out.bulk(v);
}

void replyPairsHeader(Context& ctx, size_t n, bool withValues) {
  ctx.out.arrayHeader(withValues && ctx.out.protocol() == 2 ? n * 2 : n);
}

// Unique fields below this share of the hash are drawn at random and
// deduplicated; above it the pairs are listed and partially shuffled (the
// cut Redis uses between its cases 3 and 4).
constexpr uint64_t kRandfieldShuffleFactor = 3;

void hrandfieldWithCount(Context& ctx, int64_t l, bool withValues) {
  bool found = false;
  HashValue* h = hashForRead(ctx, ctx.arg(1), found);
  if (h == nullptr) return found ? void() : ctx.out.arrayHeader(0);
  const bool unique = l >= 0;
  const uint64_t count = unique ? static_cast<uint64_t>(l) : static_cast<uint64_t>(-l);
  const size_t size = h->length();
  if (count == 0) return ctx.out.arrayHeader(0);
  if (!unique || count == 1) {  // independent draws, repeats allowed
    replyPairsHeader(ctx, count, withValues);
    if (h->isListpack()) {  // index the pairs once: a listpack draw is a linear walk
      std::vector<std::pair<std::string_view, std::string_view>> all;
      all.reserve(size);
      h->forEach([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
      for (uint64_t i = 0; i < count; ++i) {
        const auto& [f, v] = all[static_cast<size_t>(randomU64() % all.size())];
        replyPair(ctx, f, v, withValues);
      }
      return;
    }
    for (uint64_t i = 0; i < count; ++i) {
      auto [f, v] = h->randomPair(randomU64());
      replyPair(ctx, f, v, withValues);
    }
    return;
  }
  if (count >= size) {  // the whole hash
    replyPairsHeader(ctx, size, withValues);
    h->forEach([&](std::string_view f, std::string_view v) { replyPair(ctx, f, v, withValues); });
    return;
  }
  std::vector<std::pair<std::string_view, std::string_view>> picked;
  picked.reserve(count);
  if (count * kRandfieldShuffleFactor > size) {
    h->forEach([&](std::string_view f, std::string_view v) { picked.emplace_back(f, v); });
    for (size_t i = 0; i < count; ++i) {
      const size_t j = i + static_cast<size_t>(randomU64() % (picked.size() - i));
      std::swap(picked[i], picked[j]);
    }
    picked.resize(count);
  } else {
    std::unordered_set<std::string_view> seen;
    while (picked.size() < count) {
      auto p = h->randomPair(randomU64());
      if (seen.insert(p.first).second) picked.push_back(p);
    }
  }
  replyPairsHeader(ctx, count, withValues);
  for (const auto& [f, v] : picked) replyPair(ctx, f, v, withValues);
}

void hrandfieldCommand(Context& ctx) {
  if (ctx.argc() >= 3) {
    int64_t l = 0;
    if (!parseIntArg(ctx, ctx.arg(2), l)) return;
    if (l == LLONG_MIN)
      return ctx.out.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !equalsIgnoreCase(ctx.arg(3), "withvalues")))
      return ctx.out.error(err::kSyntax);
    const bool withValues = ctx.argc() == 4;
    if (withValues && (l < -(LLONG_MAX / 2) || l > LLONG_MAX / 2)) return ctx.out.error("ERR value is out of range");
    return hrandfieldWithCount(ctx, l, withValues);
  }
  bool found = false;
  HashValue* h = hashForRead(ctx, ctx.arg(1), found);
  if (h == nullptr) return found ? void() : ctx.out.nullBulk();
  ctx.out.bulk(h->randomPair(randomU64()).first);
}

}  // namespace

void registerHashCommands(Registry& r) {
  constexpr uint32_t W = kWrite | kDenyOom;
  r.add({"hset", -4, W | kFast, 1, 1, 1, hsetCommand, "@write @hash @fast", "hash", "Creates or modifies the value of a field in a hash.", "2.0.0", "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.", {}});
  r.add({"hsetnx", 4, W | kFast, 1, 1, 1, hsetnxCommand, "@write @hash @fast", "hash", "Sets the value of a field in a hash only when the field doesn't exist.", "2.0.0", "O(1)", {}});
  r.add({"hmset", -4, W | kFast, 1, 1, 1, hmsetCommand, "@write @hash @fast", "hash", "Sets the values of multiple fields.", "2.0.0", "O(N) where N is the number of fields being set.", {}});
  r.add({"hget", 3, kReadonly | kFast, 1, 1, 1, hgetCommand, "@read @hash @fast", "hash", "Returns the value of a field in a hash.", "2.0.0", "O(1)", {}});
  r.add({"hmget", -3, kReadonly | kFast, 1, 1, 1, hmgetCommand, "@read @hash @fast", "hash", "Returns the values of all fields in a hash.", "2.0.0", "O(N) where N is the number of fields being requested.", {}});
  r.add({"hdel", -3, kWrite | kFast, 1, 1, 1, hdelCommand, "@write @hash @fast", "hash", "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", "2.0.0", "O(N) where N is the number of fields to be removed.", {}});
  r.add({"hlen", 2, kReadonly | kFast, 1, 1, 1, hlenCommand, "@read @hash @fast", "hash", "Returns the number of fields in a hash.", "2.0.0", "O(1)", {}});
  r.add({"hexists", 3, kReadonly | kFast, 1, 1, 1, hexistsCommand, "@read @hash @fast", "hash", "Determines whether a field exists in a hash.", "2.0.0", "O(1)", {}});
  r.add({"hstrlen", 3, kReadonly | kFast, 1, 1, 1, hstrlenCommand, "@read @hash @fast", "hash", "Returns the length of the value of a field.", "3.2.0", "O(1)", {}});
  r.add({"hgetall", 2, kReadonly, 1, 1, 1, hgetallCommand, "@read @hash @slow", "hash", "Returns all fields and values in a hash.", "2.0.0", "O(N) where N is the size of the hash.", {}});
  r.add({"hkeys", 2, kReadonly, 1, 1, 1, hkeysCommand, "@read @hash @slow", "hash", "Returns all fields in a hash.", "2.0.0", "O(N) where N is the size of the hash.", {}});
  r.add({"hvals", 2, kReadonly, 1, 1, 1, hvalsCommand, "@read @hash @slow", "hash", "Returns all values in a hash.", "2.0.0", "O(N) where N is the size of the hash.", {}});
  r.add({"hincrby", 4, W | kFast, 1, 1, 1, hincrbyCommand, "@write @hash @fast", "hash", "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", "2.0.0", "O(1)", {}});
  r.add({"hincrbyfloat", 4, W | kFast, 1, 1, 1, hincrbyfloatCommand, "@write @hash @fast", "hash", "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", "2.6.0", "O(1)", {}});
  r.add({"hscan", -3, kReadonly, 1, 1, 1, hscanCommand, "@read @hash @slow", "hash", "Iterates over fields and values of a hash.", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", {}});
  r.add({"hrandfield", -2, kReadonly, 1, 1, 1, hrandfieldCommand, "@read @hash @slow", "hash", "Returns one or more random fields from a hash.", "6.2.0", "O(N) where N is the number of fields returned", {}});
}

}  // namespace erdtree::command
