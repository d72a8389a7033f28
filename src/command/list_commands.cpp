// List family (non-blocking): pushes and pops at both ends, LLEN, LRANGE,
// LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LMOVE/RPOPLPUSH and LMPOP.
// Values are engine::ListValue (chunks of packed elements, list_value.h).
//
// A list that becomes empty is deleted. Writes that change nothing are not
// propagated; the others replay as received (their effect depends only on the
// keyspace), except LMPOP, which becomes LPOP/RPOP of the key it popped from
// with the number of elements it took.
#include <algorithm>
#include <climits>
#include <memory>
#include <string>
#include <vector>

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

constexpr std::string_view kPositiveCount = "ERR value is out of range, must be positive";

// The list at key: false after replying WRONGTYPE; out is null when the key
// does not exist.
bool readList(Context& ctx, std::string_view key, ListValue*& out, bool forWrite) {
  return lookupValue(ctx, key, ValueType::List, out, forWrite);
}

// The list at key, created empty (and inserted) when missing.
ListValue* createList(Context& ctx, std::string_view key) {
  auto value = std::make_unique<ListValue>(ctx.svc.encoding.listMaxListpackSize);
  ListValue* l = value.get();
  Entry* e = Entry::makeObject(key, ValueType::List, std::move(value));
  e->setLru(engine::initialAccessField(ctx.svc.access, ctx.nowMs));
  ctx.db().insert(e);
  return l;
}

void deleteIfEmpty(Context& ctx, std::string_view key, const ListValue* l) {
  if (l->length() == 0) ctx.db().remove(key, ctx.nowMs);
}

// Parses LEFT/RIGHT; true for LEFT.
bool parseEnd(std::string_view s, bool& left) {
  if (equalsIgnoreCase(s, "left")) left = true;
  else if (equalsIgnoreCase(s, "right")) left = false;
  else return false;
  return true;
}

// Maps Redis's signed start/stop to a clamped [start, end) over len elements.
bool clampRange(int64_t start, int64_t stop, size_t len, size_t& from, size_t& to) {
  const auto n = static_cast<int64_t>(len);
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return false;
  if (stop >= n) stop = n - 1;
  from = static_cast<size_t>(start);
  to = static_cast<size_t>(stop) + 1;
  return true;
}

// ---- pushes and pops ----

void pushGeneric(Context& ctx, bool left, bool onlyIfExists) {
  ListValue* l = nullptr;
  if (!readList(ctx, ctx.arg(1), l, true)) return;
  if (l == nullptr) {
    if (onlyIfExists) return ctx.out.integer(0);
    l = createList(ctx, ctx.arg(1));
  }
  for (size_t i = 2; i < ctx.argc(); ++i) left ? l->pushFront(ctx.arg(i)) : l->pushBack(ctx.arg(i));
  ctx.propagateAsIs(ctx.argc() - 2);
  ctx.out.integer(static_cast<int64_t>(l->length()));
}
void lpushCommand(Context& ctx) { pushGeneric(ctx, true, false); }
void rpushCommand(Context& ctx) { pushGeneric(ctx, false, false); }
void lpushxCommand(Context& ctx) { pushGeneric(ctx, true, true); }
void rpushxCommand(Context& ctx) { pushGeneric(ctx, false, true); }

// Pops up to count elements from one end, replying them as an array.
void popIntoReply(Context& ctx, ListValue* l, bool left, size_t count) {
  count = std::min(count, l->length());
  ctx.out.arrayHeader(count);
  for (size_t i = 0; i < count; ++i) ctx.out.bulk(left ? l->popFront() : l->popBack());
}

void popGeneric(Context& ctx, bool left) {
  if (ctx.argc() > 3) return replyWrongArity(ctx);
  const bool hasCount = ctx.argc() == 3;
  int64_t count = 1;
  if (hasCount) {
    auto c = util::parseInt64(ctx.arg(2));
    if (!c || *c < 0) return ctx.out.error(kPositiveCount);
    count = *c;
  }
  ListValue* l = nullptr;
  if (!readList(ctx, ctx.arg(1), l, true)) return;
  if (l == nullptr) return hasCount ? ctx.out.nullArray() : ctx.out.nullBulk();
  if (hasCount && count == 0) return ctx.out.arrayHeader(0);
  size_t popped = std::min(static_cast<size_t>(count), l->length());
  if (hasCount) popIntoReply(ctx, l, left, popped);
  else ctx.out.bulk(left ? l->popFront() : l->popBack());
  deleteIfEmpty(ctx, ctx.arg(1), l);
  ctx.propagateAsIs(popped);
}
void lpopCommand(Context& ctx) { popGeneric(ctx, true); }
void rpopCommand(Context& ctx) { popGeneric(ctx, false); }

// ---- reads ----

void llenCommand(Context& ctx) {
  ListValue* l = nullptr;
  if (!readList(ctx, ctx.arg(1), l, false)) return;
  ctx.out.integer(l == nullptr ? 0 : static_cast<int64_t>(l->length()));
}

void lrangeCommand(Context& ctx) {
  int64_t start = 0, stop = 0;
  if (!parseIntArg(ctx, ctx.arg(2), start) || !parseIntArg(ctx, ctx.arg(3), stop)) return;
  ListValue* l = nullptr;
  if (!readList(ctx, ctx.arg(1), l, false)) return;
  size_t from = 0, to = 0;
  if (l == nullptr || !clampRange(start, stop, l->length(), from, to)) return ctx.out.arrayHeader(0);
  ctx.out.arrayHeader(to - from);
  size_t left = to - from;
  l->forEachFrom(from, [&](std::string_view v) {
    ctx.out.bulk(v);
    return --left > 0;
  });
}

// Index arg normalized to 0..len-1; false when out of range.
bool normIndex(int64_t index, size_t len, size_t& out) {
  const auto n = static_cast<int64_t>(len);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return false;
  out = static_cast<size_t>(index);
  return true;
}

// LINDEX and LSET look the key up (nil / no such key / WRONGTYPE) before
// parsing the index, as Redis does.
void lindexCommand(Context& ctx) {
  ListValue* l = nullptr;
  if (!readList(ctx, ctx.arg(1), l, false)) return;
  if (l == nullptr) return ctx.out.nullBulk();
  int64_t index = 0;
  if (!parseIntArg(ctx, ctx.arg(2), index)) return;
  size_t i = 0;
  if (!normIndex(index, l->length(), i)) return ctx.out.nullBulk();
  ctx.out.bulk(l->at(i));
}

// ---- edits ----

void lsetCommand(Context& ctx) {
  ListValue* l = nullptr;
  if (!readList(ctx, ctx.arg(1), l, true)) return;
  if (l == nullptr) return ctx.out.error(err::kNoSuchKey);
  int64_t index = 0;
  if (!parseIntArg(ctx, ctx.arg(2), index)) return;
  size_t i = 0;
  if (!normIndex(index, l->length(), i)) return ctx.out.error("ERR index out of range");
  l->set(i, ctx.arg(3));
  ctx.propagateAsIs();
  ctx.out.ok();
}

void linsertCommand(Context& ctx) {
  bool after = false;
  if (equalsIgnoreCase(ctx.arg(2), "after")) after = true;
  else if (!equalsIgnoreCase(ctx.arg(2), "before")) return ctx.out.error(err::kSyntax);
  ListValue* l = nullptr;
  if (!readList(ctx, ctx.arg(1), l, true)) return;
  if (l == nullptr) return ctx.out.integer(0);
  if (!l->insert(ctx.arg(3), ctx.arg(4), after)) return ctx.out.integer(-1);
  ctx.propagateAsIs();
  ctx.out.integer(static_cast<int64_t>(l->length()));
}

void lremCommand(Context& ctx) {
  int64_t count = 0;
  if (!parseIntArg(ctx, ctx.arg(2), count)) return;
  ListValue* l = nullptr;
  if (!readList(ctx, ctx.arg(1), l, true)) return;
  if (l == nullptr) return ctx.out.integer(0);
  size_t limit = count == INT64_MIN ? static_cast<size_t>(INT64_MAX) + 1 : static_cast<size_t>(count < 0 ? -count : count);
  size_t removed = l->remove(ctx.arg(3), limit, count < 0);
  if (removed > 0) {
    deleteIfEmpty(ctx, ctx.arg(1), l);
    ctx.propagateAsIs(removed);
  }
  ctx.out.integer(static_cast<int64_t>(removed));
}

void ltrimCommand(Context& ctx) {
  int64_t start = 0, stop = 0;
  if (!parseIntArg(ctx, ctx.arg(2), start) || !parseIntArg(ctx, ctx.arg(3), stop)) return;
  ListValue* l = nullptr;
  if (!readList(ctx, ctx.arg(1), l, true)) return;
  if (l == nullptr) return ctx.out.ok();
  const size_t len = l->length();
  size_t from = 0, to = 0;
  if (!clampRange(start, stop, len, from, to)) from = to = len;
  size_t removed = from + (len - to);
  l->dropBack(len - to);
  l->dropFront(from);
  if (removed > 0) {
    deleteIfEmpty(ctx, ctx.arg(1), l);
    ctx.propagateAsIs(removed);
  }
  ctx.out.ok();
}

// ---- LPOS ----

void lposCommand(Context& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view o = ctx.arg(j);
    if (j + 1 >= ctx.argc()) return ctx.out.error(err::kSyntax);
    std::string_view v = ctx.arg(++j);
    if (equalsIgnoreCase(o, "rank")) {
      if (!parseIntArg(ctx, v, rank)) return;
      if (rank == 0)
        return ctx.out.error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative "
            "to start from the end of the list");
    } else if (equalsIgnoreCase(o, "count")) {
      auto c = util::parseInt64(v);
      if (!c || *c < 0) return ctx.out.error("ERR COUNT can't be negative");
      count = *c;
    } else if (equalsIgnoreCase(o, "maxlen")) {
      auto m = util::parseInt64(v);
      if (!m || *m < 0) return ctx.out.error("ERR MAXLEN can't be negative");
      maxlen = *m;
    } else {
      return ctx.out.error(err::kSyntax);
    }
  }
  ListValue* l = nullptr;
  if (!readList(ctx, ctx.arg(1), l, false)) return;
  const bool many = count != -1;
  if (l == nullptr) return many ? ctx.out.arrayHeader(0) : ctx.out.nullBulk();
  // Redis negates a negative rank; INT64_MIN stays negative there and
  // matches the first hit from the tail, i.e. behaves as -1.
  const bool fromTail = rank < 0;
  const uint64_t skip = fromTail ? (rank == INT64_MIN ? 0 : static_cast<uint64_t>(-rank) - 1) : static_cast<uint64_t>(rank) - 1;
  const size_t want = count == 0 ? SIZE_MAX : (many ? static_cast<size_t>(count) : 1);
  const size_t len = l->length();
  const size_t scanLimit = maxlen == 0 ? len : std::min<size_t>(len, static_cast<size_t>(maxlen));
  std::string_view needle = ctx.arg(2);
  std::vector<int64_t> hits;
  uint64_t matches = 0;
  size_t scanned = 0;
  auto visit = [&](std::string_view v, size_t index) {
    if (scanned++ >= scanLimit) return false;
    if (v == needle && ++matches > skip) hits.push_back(static_cast<int64_t>(index));
    return hits.size() < want;
  };
  if (fromTail) {
    size_t index = len;
    l->forEachBackFrom(len - 1, [&](std::string_view v) { return visit(v, --index); });
  } else {
    size_t index = 0;
    l->forEachFrom(0, [&](std::string_view v) { return visit(v, index++); });
  }
  if (!many) return hits.empty() ? ctx.out.nullBulk() : ctx.out.integer(hits[0]);
  ctx.out.arrayHeader(hits.size());
  for (int64_t h : hits) ctx.out.integer(h);
}

// ---- moves ----

// Pops one element from src's `fromLeft` end and pushes it at dst's `toLeft`
// end; replies the element (or null when src is missing).
void moveGeneric(Context& ctx, bool fromLeft, bool toLeft) {
  std::string_view srcKey = ctx.arg(1), dstKey = ctx.arg(2);
  ListValue* src = nullptr;
  if (!readList(ctx, srcKey, src, true)) return;
  if (src == nullptr) return ctx.out.nullBulk();
  ListValue* dst = nullptr;
  if (!readList(ctx, dstKey, dst, true)) return;
  std::string v = fromLeft ? src->popFront() : src->popBack();
  if (dst == nullptr) dst = createList(ctx, dstKey);  // src is not empty, so src != dst here
  toLeft ? dst->pushFront(v) : dst->pushBack(v);
  if (src != dst) deleteIfEmpty(ctx, srcKey, src);
  ctx.propagateAsIs();
  ctx.out.bulk(v);
}

void lmoveCommand(Context& ctx) {
  bool fromLeft = false, toLeft = false;
  if (!parseEnd(ctx.arg(3), fromLeft) || !parseEnd(ctx.arg(4), toLeft)) return ctx.out.error(err::kSyntax);
  moveGeneric(ctx, fromLeft, toLeft);
}
void rpoplpushCommand(Context& ctx) { moveGeneric(ctx, false, true); }

void lmpopCommand(Context& ctx) {
  auto numkeys = util::parseInt64(ctx.arg(1));
  if (!numkeys || *numkeys < 1) return ctx.out.error("ERR numkeys should be greater than 0");
  if (static_cast<uint64_t>(*numkeys) >= ctx.argc() - 2) return ctx.out.error(err::kSyntax);
  const auto nk = static_cast<size_t>(*numkeys);
  bool left = false;
  if (!parseEnd(ctx.arg(2 + nk), left)) return ctx.out.error(err::kSyntax);
  int64_t count = -1;
  for (size_t j = 3 + nk; j < ctx.argc(); ++j) {
    if (count == -1 && equalsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      auto c = util::parseInt64(ctx.arg(++j));
      if (!c || *c < 1) return ctx.out.error("ERR count should be greater than 0");
      count = *c;
    } else {
      return ctx.out.error(err::kSyntax);
    }
  }
  if (count == -1) count = 1;
  for (size_t i = 0; i < nk; ++i) {
    std::string_view key = ctx.arg(2 + i);
    ListValue* l = nullptr;
    if (!readList(ctx, key, l, true)) return;
    if (l == nullptr) continue;
    size_t n = std::min(static_cast<size_t>(count), l->length());
    ctx.out.arrayHeader(2);
    ctx.out.bulk(key);
    popIntoReply(ctx, l, left, n);
    deleteIfEmpty(ctx, key, l);
    char buf[24];
    std::string_view countText(buf, util::formatInt64(static_cast<int64_t>(n), buf));
    ctx.propagate({left ? "LPOP" : "RPOP", key, countText}, n);
    ctx.svc.watches.touch(ctx.session.db, key);  // only the list popped (WatchTouch::kByHandler)
    return;
  }
  ctx.out.nullArray();
}

}  // namespace

void registerListCommands(Registry& r) {
  constexpr uint32_t W = kWrite | kDenyOom;
  r.add({"lpush", -3, W | kFast, 1, 1, 1, lpushCommand, "@write @list @fast", "list", "Prepends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", {}});
  r.add({"rpush", -3, W | kFast, 1, 1, 1, rpushCommand, "@write @list @fast", "list", "Appends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", {}});
  r.add({"lpushx", -3, W | kFast, 1, 1, 1, lpushxCommand, "@write @list @fast", "list", "Prepends one or more elements to a list only when the list exists.", "2.2.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", {}});
  r.add({"rpushx", -3, W | kFast, 1, 1, 1, rpushxCommand, "@write @list @fast", "list", "Appends an element to a list only when the list exists.", "2.2.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", {}});
  r.add({"lpop", -2, kWrite | kFast, 1, 1, 1, lpopCommand, "@write @list @fast", "list", "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", "1.0.0", "O(N) where N is the number of elements returned", {}});
  r.add({"rpop", -2, kWrite | kFast, 1, 1, 1, rpopCommand, "@write @list @fast", "list", "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", "1.0.0", "O(N) where N is the number of elements returned", {}});
  r.add({"llen", 2, kReadonly | kFast, 1, 1, 1, llenCommand, "@read @list @fast", "list", "Returns the length of a list.", "1.0.0", "O(1)", {}});
  r.add({"lrange", 4, kReadonly, 1, 1, 1, lrangeCommand, "@read @list @slow", "list", "Returns a range of elements from a list.", "1.0.0", "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.", {}});
  r.add({"lindex", 3, kReadonly, 1, 1, 1, lindexCommand, "@read @list @slow", "list", "Returns an element from a list by its index.", "1.0.0", "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).", {}});
  r.add({"lset", 4, W, 1, 1, 1, lsetCommand, "@write @list @slow", "list", "Sets the value of an element in a list by its index.", "1.0.0", "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).", {}});
  r.add({"linsert", 5, W, 1, 1, 1, linsertCommand, "@write @list @slow", "list", "Inserts an element before or after another element in a list.", "2.2.0", "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).", {}});
  r.add({"lrem", 4, kWrite, 1, 1, 1, lremCommand, "@write @list @slow", "list", "Removes elements from a list. Deletes the list if the last element was removed.", "1.0.0", "O(N+M) where N is the length of the list and M is the number of elements removed.", {}});
  r.add({"ltrim", 4, kWrite, 1, 1, 1, ltrimCommand, "@write @list @slow", "list", "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", "1.0.0", "O(N) where N is the number of elements to be removed by the operation.", {}});
  r.add({"lpos", -3, kReadonly, 1, 1, 1, lposCommand, "@read @list @slow", "list", "Returns the index of matching elements in a list.", "6.0.6", "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.", {}});
  r.add({"lmove", 5, W, 1, 2, 1, lmoveCommand, "@write @list @slow", "list", "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", "6.2.0", "O(1)", {}});
  r.add({"rpoplpush", 3, W, 1, 2, 1, rpoplpushCommand, "@write @list @slow", "list", "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", "1.2.0", "O(1)", {}});
  r.add({"lmpop", -4, kWrite, 0, 0, 0, lmpopCommand, "@write @list @slow", "list", "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", "7.0.0", "O(N+M) where N is the number of provided keys and M is the number of elements returned.", {}, NumKeys{1, 2, 1}, WatchTouch::kByHandler});
}

}  // namespace erdtree::command
