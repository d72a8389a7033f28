// Set family: SADD/SREM and membership, random members (SPOP, SRANDMEMBER),
// SMOVE, the algebra (SINTER/SUNION/SDIFF, their STORE forms, SINTERCARD) and
// SSCAN. Values are engine::SetValue (intset or hashtable, see set_value.h).
//
// A set that becomes empty is deleted; a STORE form with an empty result
// deletes its destination. Propagation is deterministic: SPOP becomes
// SREM of the members actually popped (or DEL when it takes the whole set),
// everything else is replayed as received since its effect depends only on
// the keyspace. Writes that change nothing are not propagated.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/command/scan_args.h"
#include "erdtree/engine/set_value.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/glob.h"
#include "erdtree/util/numbers.h"
#include "erdtree/util/random.h"

namespace erdtree::command {
namespace {

using engine::Entry;
using engine::SetValue;
using engine::ValueType;
using util::equalsIgnoreCase;

constexpr std::string_view kPositiveCount = "ERR value is out of range, must be positive";

using util::randomU64;

SetValue* setOf(Entry* e) { return static_cast<SetValue*>(e->object()); }

int64_t maxIntset(Context& ctx) { return ctx.svc.encoding.setMaxIntsetEntries; }

// The set at key for reading: false after replying WRONGTYPE; out is null
// when the key does not exist.
bool readSet(Context& ctx, std::string_view key, SetValue*& out, bool forWrite = false) {
  return lookupValue(ctx, key, ValueType::Set, out, forWrite);
}

// Stores set under key (replacing any value and TTL); the set must not be empty.
void storeSet(Context& ctx, std::string_view key, std::unique_ptr<SetValue> set) {
  Entry* e = Entry::makeObject(key, ValueType::Set, std::move(set));
  e->setLru(engine::initialAccessField(ctx.svc.access, ctx.nowMs));
  Entry** ref = lookupWriteRef(ctx, key);
  if (ref == nullptr) ctx.db().insert(e);
  else ctx.db().replace(ref, e);
}

// Deletes key if its set became empty.
void dropIfEmpty(Context& ctx, std::string_view key, SetValue* set) {
  if (set->length() == 0) ctx.db().remove(key, ctx.nowMs);
}

void replyMembers(Context& ctx, SetValue* set) {
  ctx.out.setHeader(set->length());
  set->forEach([&](std::string_view m) { ctx.out.bulk(m); });
}

void replyStrings(Context& ctx, const std::vector<std::string>& members, bool asSet) {
  if (asSet) ctx.out.setHeader(members.size());
  else ctx.out.arrayHeader(members.size());
  for (const auto& m : members) ctx.out.bulk(m);
}

// ---- single-key commands ----

void saddCommand(Context& ctx) {
  SetValue* set = nullptr;
  if (!readSet(ctx, ctx.arg(1), set, true)) return;
  std::unique_ptr<SetValue> fresh;
  if (set == nullptr) {
    fresh = std::make_unique<SetValue>();
    set = fresh.get();
  }
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) added += set->add(ctx.arg(i), maxIntset(ctx)) ? 1 : 0;
  if (fresh) storeSet(ctx, ctx.arg(1), std::move(fresh));
  if (added > 0) ctx.propagateAsIs(static_cast<uint64_t>(added));
  ctx.out.integer(added);
}

void sremCommand(Context& ctx) {
  SetValue* set = nullptr;
  if (!readSet(ctx, ctx.arg(1), set, true)) return;
  if (set == nullptr) return ctx.out.integer(0);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc() && set->length() > 0; ++i) removed += set->remove(ctx.arg(i)) ? 1 : 0;
  dropIfEmpty(ctx, ctx.arg(1), set);
  if (removed > 0) ctx.propagateAsIs(static_cast<uint64_t>(removed));
  ctx.out.integer(removed);
}

void smembersCommand(Context& ctx) {
  SetValue* set = nullptr;
  if (!readSet(ctx, ctx.arg(1), set)) return;
  if (set == nullptr) return ctx.out.setHeader(0);
  replyMembers(ctx, set);
}

void sismemberCommand(Context& ctx) {
  SetValue* set = nullptr;
  if (!readSet(ctx, ctx.arg(1), set)) return;
  ctx.out.integer(set != nullptr && set->contains(ctx.arg(2)) ? 1 : 0);
}

void smismemberCommand(Context& ctx) {
  SetValue* set = nullptr;
  if (!readSet(ctx, ctx.arg(1), set)) return;
  ctx.out.arrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) ctx.out.integer(set != nullptr && set->contains(ctx.arg(i)) ? 1 : 0);
}

void scardCommand(Context& ctx) {
  SetValue* set = nullptr;
  if (!readSet(ctx, ctx.arg(1), set)) return;
  ctx.out.integer(set == nullptr ? 0 : static_cast<int64_t>(set->length()));
}

void spopWithCount(Context& ctx) {
  auto count = util::parseInt64(ctx.arg(2));
  if (!count || *count < 0) return ctx.out.error(kPositiveCount);
  SetValue* set = nullptr;
  if (!readSet(ctx, ctx.arg(1), set, true)) return;
  if (set == nullptr || *count == 0) return ctx.out.setHeader(0);
  std::string_view key = ctx.arg(1);
  if (static_cast<uint64_t>(*count) >= set->length()) {  // the whole set
    replyMembers(ctx, set);
    const uint64_t n = set->length();
    ctx.db().remove(key, ctx.nowMs);  // lazy under lazyfree-lazy-server-del; Redis 7.0 still logs DEL
    ctx.propagate({"DEL", key}, n);
    return;
  }
  std::vector<std::string> popped;
  popped.reserve(static_cast<size_t>(*count));
  for (int64_t i = 0; i < *count; ++i) popped.push_back(set->popRandom(randomU64()));
  std::vector<std::string_view> record{"SREM", key};
  record.insert(record.end(), popped.begin(), popped.end());
  ctx.propagate(record, popped.size());
  replyStrings(ctx, popped, true);
}

void spopCommand(Context& ctx) {
  if (ctx.argc() == 3) return spopWithCount(ctx);
  if (ctx.argc() > 3) return ctx.out.error(err::kSyntax);
  SetValue* set = nullptr;
  if (!readSet(ctx, ctx.arg(1), set, true)) return;
  if (set == nullptr) return ctx.out.nullBulk();
  std::string m = set->popRandom(randomU64());
  dropIfEmpty(ctx, ctx.arg(1), set);
  ctx.propagate({"SREM", ctx.arg(1), m});
  ctx.out.bulk(m);
}

// Up to count distinct random members (count < length).
std::vector<std::string> distinctRandom(SetValue* set, size_t count) {
  std::vector<std::string> out;
  if (count * 3 > set->length()) {  // dense: shuffle a copy and keep a prefix
    out.reserve(set->length());
    set->forEach([&](std::string_view m) { out.emplace_back(m); });
    for (size_t i = 0; i < count; ++i) {
      const size_t j = i + static_cast<size_t>(randomU64() % (out.size() - i));
      std::swap(out[i], out[j]);
    }
    out.resize(count);
    return out;
  }
  std::unordered_set<std::string> seen;
  while (out.size() < count) {
    std::string m = set->randomMember(randomU64());
    if (seen.insert(m).second) out.push_back(std::move(m));
  }
  return out;
}

void srandmemberCommand(Context& ctx) {
  if (ctx.argc() > 3) return ctx.out.error(err::kSyntax);
  int64_t count = 0;
  if (ctx.argc() == 3) {
    if (!parseIntArg(ctx, ctx.arg(2), count)) return;
    if (count == INT64_MIN)
      return ctx.out.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
  }
  SetValue* set = nullptr;
  if (!readSet(ctx, ctx.arg(1), set)) return;
  if (ctx.argc() == 2) {
    if (set == nullptr) return ctx.out.nullBulk();
    return ctx.out.bulk(set->randomMember(randomU64()));
  }
  if (set == nullptr || count == 0) return ctx.out.arrayHeader(0);
  if (count < 0) {  // repetitions allowed
    ctx.out.arrayHeader(static_cast<size_t>(-count));
    for (int64_t i = 0; i < -count; ++i) ctx.out.bulk(set->randomMember(randomU64()));
    return;
  }
  if (static_cast<uint64_t>(count) >= set->length()) {
    ctx.out.arrayHeader(set->length());
    set->forEach([&](std::string_view m) { ctx.out.bulk(m); });
    return;
  }
  replyStrings(ctx, distinctRandom(set, static_cast<size_t>(count)), false);
}

void smoveCommand(Context& ctx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2), member = ctx.arg(3);
  Entry** ref = lookupWriteRef(ctx, src);
  Entry* srcEntry = ref == nullptr ? nullptr : *ref;
  ref = lookupWriteRef(ctx, dst);
  Entry* dstEntry = ref == nullptr ? nullptr : *ref;
  if (srcEntry == nullptr) return ctx.out.integer(0);
  if (!expectType(ctx, srcEntry, ValueType::Set)) return;
  if (dstEntry != nullptr && !expectType(ctx, dstEntry, ValueType::Set)) return;
  SetValue* from = setOf(srcEntry);
  if (srcEntry == dstEntry) return ctx.out.integer(from->contains(member) ? 1 : 0);
  if (!from->remove(member)) return ctx.out.integer(0);
  dropIfEmpty(ctx, src, from);
  if (dstEntry != nullptr) {
    setOf(dstEntry)->add(member, maxIntset(ctx));
  } else {
    auto fresh = std::make_unique<SetValue>();
    fresh->add(member, maxIntset(ctx));
    storeSet(ctx, dst, std::move(fresh));
  }
  ctx.propagateAsIs();
  ctx.out.integer(1);
}

// ---- algebra ----

// Looks up every key in keys as a set (missing: nullptr). False after
// replying WRONGTYPE (all keys are type-checked, as Redis does).
bool gatherSets(Context& ctx, std::span<const std::string_view> keys, bool forWrite, std::vector<SetValue*>& sets) {
  sets.clear();
  for (std::string_view k : keys) {
    SetValue* s = nullptr;
    if (!readSet(ctx, k, s, forWrite)) return false;
    sets.push_back(s);
  }
  return true;
}

enum class SetOp { Union, Diff };

// Intersection of sets (a missing set makes it empty), stopping after limit
// members (0: no limit). emit(member) receives each result member.
template <class Emit>
void intersect(std::vector<SetValue*> sets, size_t limit, Emit&& emit) {
  for (SetValue* s : sets)
    if (s == nullptr) return;
  // A key given twice counts once (and a set must not be looked up while it
  // is being iterated); then the smallest set drives the iteration.
  std::sort(sets.begin(), sets.end());
  sets.erase(std::unique(sets.begin(), sets.end()), sets.end());
  std::sort(sets.begin(), sets.end(), [](SetValue* a, SetValue* b) { return a->length() < b->length(); });
  size_t n = 0;
  bool done = false;
  sets[0]->forEach([&](std::string_view m) {
    if (done) return;
    for (size_t j = 1; j < sets.size(); ++j)
      if (!sets[j]->contains(m)) return;
    emit(m);
    if (limit != 0 && ++n >= limit) done = true;
  });
}

std::unique_ptr<SetValue> unionOrDiff(Context& ctx, const std::vector<SetValue*>& sets, SetOp op) {
  auto result = std::make_unique<SetValue>();
  if (op == SetOp::Union) {
    for (SetValue* s : sets)
      if (s != nullptr) s->forEach([&](std::string_view m) { result->add(m, maxIntset(ctx)); });
    return result;
  }
  SetValue* first = sets[0];
  if (first == nullptr) return result;
  for (size_t j = 1; j < sets.size(); ++j)
    if (sets[j] == first) return result;  // A - A is empty
  first->forEach([&](std::string_view m) {
    for (size_t j = 1; j < sets.size(); ++j)
      if (sets[j] != nullptr && sets[j]->contains(m)) return;
    result->add(m, maxIntset(ctx));
  });
  return result;
}

// Replaces dst with result (or deletes it when empty) and replies the count.
void storeResult(Context& ctx, std::string_view dst, std::unique_ptr<SetValue> result) {
  const auto n = static_cast<int64_t>(result->length());
  if (n == 0) {
    if (ctx.db().remove(dst, ctx.nowMs)) ctx.propagateAsIs();
    return ctx.out.integer(0);
  }
  storeSet(ctx, dst, std::move(result));
  ctx.propagateAsIs();
  ctx.out.integer(n);
}

void sinterCommand(Context& ctx) {
  std::vector<SetValue*> sets;
  if (!gatherSets(ctx, ctx.args.subspan(1), false, sets)) return;
  std::vector<std::string> members;
  intersect(sets, 0, [&](std::string_view m) { members.emplace_back(m); });
  replyStrings(ctx, members, true);
}

void sinterstoreCommand(Context& ctx) {
  std::vector<SetValue*> sets;
  if (!gatherSets(ctx, ctx.args.subspan(2), true, sets)) return;
  auto result = std::make_unique<SetValue>();
  intersect(sets, 0, [&](std::string_view m) { result->add(m, maxIntset(ctx)); });
  storeResult(ctx, ctx.arg(1), std::move(result));
}

void sunionDiffGeneric(Context& ctx, SetOp op) {
  std::vector<SetValue*> sets;
  if (!gatherSets(ctx, ctx.args.subspan(1), false, sets)) return;
  replyMembers(ctx, unionOrDiff(ctx, sets, op).get());
}
void sunionCommand(Context& ctx) { sunionDiffGeneric(ctx, SetOp::Union); }
void sdiffCommand(Context& ctx) { sunionDiffGeneric(ctx, SetOp::Diff); }

void sunionDiffStoreGeneric(Context& ctx, SetOp op) {
  std::vector<SetValue*> sets;
  if (!gatherSets(ctx, ctx.args.subspan(2), true, sets)) return;
  storeResult(ctx, ctx.arg(1), unionOrDiff(ctx, sets, op));
}
void sunionstoreCommand(Context& ctx) { sunionDiffStoreGeneric(ctx, SetOp::Union); }
void sdiffstoreCommand(Context& ctx) { sunionDiffStoreGeneric(ctx, SetOp::Diff); }

void sintercardCommand(Context& ctx) {
  auto numkeys = util::parseInt64(ctx.arg(1));
  if (!numkeys || *numkeys < 1) return ctx.out.error("ERR numkeys should be greater than 0");
  if (static_cast<uint64_t>(*numkeys) > ctx.argc() - 2)
    return ctx.out.error("ERR Number of keys can't be greater than number of args");
  const auto nk = static_cast<size_t>(*numkeys);
  int64_t limit = 0;
  for (size_t j = 2 + nk; j < ctx.argc(); ++j) {
    if (equalsIgnoreCase(ctx.arg(j), "limit") && j + 1 < ctx.argc()) {
      auto l = util::parseInt64(ctx.arg(++j));
      if (!l || *l < 0) return ctx.out.error("ERR LIMIT can't be negative");
      limit = *l;
    } else {
      return ctx.out.error(err::kSyntax);
    }
  }
  std::vector<SetValue*> sets;
  if (!gatherSets(ctx, ctx.args.subspan(2, nk), false, sets)) return;
  int64_t n = 0;
  intersect(sets, static_cast<size_t>(limit), [&](std::string_view) { ++n; });
  ctx.out.integer(n);
}

// ---- SSCAN ----

void replyScan(Context& ctx, uint64_t cursor, const std::vector<std::string>& members) {
  replyScanHeader(ctx, cursor, members.size());
  for (const auto& m : members) ctx.out.bulk(m);
}

void sscanCommand(Context& ctx) {
  auto cursor = parseScanCursor(ctx.arg(2));
  if (!cursor) return ctx.out.error(err::kInvalidCursor);
  SetValue* set = nullptr;
  if (!readSet(ctx, ctx.arg(1), set)) return;
  if (set == nullptr) return replyScan(ctx, 0, {});
  ScanOptions opts;
  if (!parseScanOptions(ctx, 3, false, opts)) return;
  std::vector<std::string> members;
  auto collect = [&](std::string_view m) {
    if (!opts.hasPattern || util::globMatch(opts.pattern, m)) members.emplace_back(m);
  };
  uint64_t next = *cursor;
  if (set->isIntset()) {
    next = set->scan(next, collect);
  } else {
    // As Redis: visit buckets until COUNT members were gathered, bounded by 10*COUNT steps.
    int64_t steps = opts.count * 10;
    size_t visited = 0;
    do {
      next = set->scan(next, [&](std::string_view m) {
        ++visited;
        collect(m);
      });
    } while (next != 0 && steps-- > 0 && static_cast<int64_t>(visited) < opts.count);
  }
  replyScan(ctx, next, members);
}

}  // namespace

void registerSetCommands(Registry& r) {
  r.add({"sadd", -3, kWrite | kDenyOom | kFast, 1, 1, 1, saddCommand, "@write @set @fast", "set", "Add one or more members to a set", "1.0.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", {}});
  r.add({"srem", -3, kWrite | kFast, 1, 1, 1, sremCommand, "@write @set @fast", "set", "Remove one or more members from a set", "1.0.0", "O(N) where N is the number of members to be removed.", {}});
  r.add({"smembers", 2, kReadonly, 1, 1, 1, smembersCommand, "@read @set @slow", "set", "Get all the members in a set", "1.0.0", "O(N) where N is the set cardinality.", {}});
  r.add({"sismember", 3, kReadonly | kFast, 1, 1, 1, sismemberCommand, "@read @set @fast", "set", "Determine if a given value is a member of a set", "1.0.0", "O(1)", {}});
  r.add({"smismember", -3, kReadonly | kFast, 1, 1, 1, smismemberCommand, "@read @set @fast", "set", "Returns the membership associated with the given elements for a set", "6.2.0", "O(N) where N is the number of elements being checked for membership", {}});
  r.add({"scard", 2, kReadonly | kFast, 1, 1, 1, scardCommand, "@read @set @fast", "set", "Get the number of members in a set", "1.0.0", "O(1)", {}});
  r.add({"spop", -2, kWrite | kFast, 1, 1, 1, spopCommand, "@write @set @fast", "set", "Remove and return one or multiple random members from a set", "1.0.0", "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", {}});
  r.add({"srandmember", -2, kReadonly, 1, 1, 1, srandmemberCommand, "@read @set @slow", "set", "Get one or multiple random members from a set", "1.0.0", "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.", {}});
  r.add({"smove", 4, kWrite | kFast, 1, 2, 1, smoveCommand, "@write @set @fast", "set", "Move a member from one set to another", "1.0.0", "O(1)", {}});
  r.add({"sinter", -2, kReadonly, 1, -1, 1, sinterCommand, "@read @set @slow", "set", "Intersect multiple sets", "1.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", {}});
  r.add({"sunion", -2, kReadonly, 1, -1, 1, sunionCommand, "@read @set @slow", "set", "Add multiple sets", "1.0.0", "O(N) where N is the total number of elements in all given sets.", {}});
  r.add({"sdiff", -2, kReadonly, 1, -1, 1, sdiffCommand, "@read @set @slow", "set", "Subtract multiple sets", "1.0.0", "O(N) where N is the total number of elements in all given sets.", {}});
  r.add({"sinterstore", -3, kWrite | kDenyOom, 1, -1, 1, sinterstoreCommand, "@write @set @slow", "set", "Intersect multiple sets and store the resulting set in a key", "1.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", {}, {}, WatchTouch::kDestination});
  r.add({"sunionstore", -3, kWrite | kDenyOom, 1, -1, 1, sunionstoreCommand, "@write @set @slow", "set", "Add multiple sets and store the resulting set in a key", "1.0.0", "O(N) where N is the total number of elements in all given sets.", {}, {}, WatchTouch::kDestination});
  r.add({"sdiffstore", -3, kWrite | kDenyOom, 1, -1, 1, sdiffstoreCommand, "@write @set @slow", "set", "Subtract multiple sets and store the resulting set in a key", "1.0.0", "O(N) where N is the total number of elements in all given sets.", {}, {}, WatchTouch::kDestination});
  r.add({"sintercard", -3, kReadonly, 0, 0, 0, sintercardCommand, "@read @set @slow", "set", "Intersect multiple sets and return the cardinality of the result", "7.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", {}, NumKeys{1, 2, 1}});
  r.add({"sscan", -3, kReadonly, 1, 1, 1, sscanCommand, "@read @set @slow", "set", "Incrementally iterate Set elements", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", {}});
}

}  // namespace erdtree::command
