// Sorted-set family: ZADD/ZINCRBY and membership, the range queries (ZRANGE
// with BYSCORE/BYLEX/REV/LIMIT and its legacy spellings, ZRANGESTORE), the
// counts, ranks, pops (ZPOPMIN/ZPOPMAX/ZMPOP), range removals, the algebra
// (ZUNION/ZINTER/ZDIFF, their STORE forms, ZINTERCARD; plain sets count as
// sorted sets whose scores are 1), ZRANDMEMBER and ZSCAN. Values are
// engine::ZSetValue (listpack or skiplist, see zset_value.h).
//
// Range queries follow Redis's walk: find the first element in range (the
// last for REV), skip LIMIT's offset without checking, then emit while the
// far bound holds. For score ranges this is a rank span; for lex ranges over
// mixed scores it reproduces Redis's answers on the listpack encoding.
//
// A sorted set that becomes empty is deleted; a STORE form with an empty
// result deletes its destination. Propagation: pops become "ZPOPMIN|ZPOPMAX
// key n" (ZMPOP included), everything else is replayed as received (ZINCRBY
// and ZADD INCR too: the scores replay bit for bit). Writes that change
// nothing are not propagated.
#include "erdtree/command/zset_commands.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "erdtree/command/families.h"
#include "erdtree/command/lookup.h"
#include "erdtree/engine/set_value.h"
#include "erdtree/engine/zset_value.h"
#include "erdtree/util/ascii.h"
#include "erdtree/util/glob.h"
#include "erdtree/util/numbers.h"
#include "erdtree/util/random.h"

namespace erdtree::command {
namespace {

using engine::Entry;
using engine::LexBound;
using engine::LexRange;
using engine::RankSpan;
using engine::ScoreRange;
using engine::SetValue;
using engine::ValueType;
using engine::ZSetValue;
using util::equalsIgnoreCase;

constexpr std::string_view kNan = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kMinMaxNotFloat = "ERR min or max is not a float";
constexpr std::string_view kMinMaxNotLex = "ERR min or max not valid string range item";
constexpr std::string_view kPositive = "ERR value is out of range, must be positive";

using util::randomU64;

ZSetValue* zsetOf(Entry* e) { return static_cast<ZSetValue*>(e->object()); }

// The sorted set at key: false after replying WRONGTYPE; out is null when
// the key does not exist.
bool readZSet(Context& ctx, std::string_view key, ZSetValue*& out, bool forWrite = false) {
  return lookupValue(ctx, key, ValueType::ZSet, out, forWrite);
}

// Stores z under key, replacing any value and TTL; z must not be empty.
void storeZSet(Context& ctx, std::string_view key, std::unique_ptr<ZSetValue> z) {
  Entry* e = Entry::makeObject(key, ValueType::ZSet, std::move(z));
  e->setLru(engine::initialAccessField(ctx.svc.access, ctx.nowMs));
  Entry** ref = lookupWriteRef(ctx, key);
  if (ref == nullptr) ctx.db().insert(e);
  else ctx.db().replace(ref, e);
}

void dropIfEmpty(Context& ctx, std::string_view key, ZSetValue* z) {
  if (z->length() == 0) ctx.db().remove(key, ctx.nowMs);
}

// ---- replies ----

// WITHSCORES: RESP2 flattens member/score pairs, RESP3 nests them.
void replyElementsHeader(Context& ctx, size_t n, bool withScores) {
  ctx.out.arrayHeader(withScores && ctx.out.protocol() == 2 ? n * 2 : n);
}

void replyElement(Context& ctx, std::string_view member, double score, bool withScores) {
  if (withScores && ctx.out.protocol() == 3) ctx.out.arrayHeader(2);
  ctx.out.bulk(member);
  if (withScores) ctx.out.doubleBulk(score);
}

using Elements = std::vector<std::pair<std::string_view, double>>;

void replyElements(Context& ctx, const Elements& elements, bool withScores) {
  replyElementsHeader(ctx, elements.size(), withScores);
  for (const auto& [m, s] : elements) replyElement(ctx, m, s, withScores);
}

// ---- argument parsing ----

// A ZRANGEBYSCORE bound: strtod, after an optional "(" (exclusive). As in
// Redis, leading spaces and hex are accepted and only NaN is refused.
bool parseScoreBound(std::string_view text, double& value, bool& exclusive) {
  std::string s(text);
  const char* p = s.c_str();
  exclusive = !s.empty() && s[0] == '(';
  if (exclusive) ++p;
  char* end = nullptr;
  value = std::strtod(p, &end);
  return *end == '\0' && !std::isnan(value);
}

bool parseScoreRange(std::string_view min, std::string_view max, ScoreRange& r) {
  return parseScoreBound(min, r.min, r.minExclusive) && parseScoreBound(max, r.max, r.maxExclusive);
}

// "-", "+", "[value" or "(value".
bool parseLexBound(std::string_view text, LexBound& b) {
  if (text.empty()) return false;
  const bool alone = text.size() == 1 || text[1] == '\0';
  switch (text[0]) {
    case '+':
      if (!alone) return false;
      b = LexBound{LexBound::kPosInf, true, {}};
      return true;
    case '-':
      if (!alone) return false;
      b = LexBound{LexBound::kNegInf, true, {}};
      return true;
    case '(':
      b = LexBound{LexBound::kValue, true, text.substr(1)};
      return true;
    case '[':
      b = LexBound{LexBound::kValue, false, text.substr(1)};
      return true;
    default:
      return false;
  }
}

bool parseLexRange(std::string_view min, std::string_view max, LexRange& r) {
  return parseLexBound(min, r.min) && parseLexBound(max, r.max);
}

bool parseScoreArg(Context& ctx, std::string_view text, double& out) {
  auto v = util::parseDouble(text);
  if (!v) {
    ctx.out.error(err::kNotFloat);
    return false;
  }
  out = *v;
  return true;
}

// ---- ZADD / ZINCRBY ----

enum ZAddFlags : unsigned { kNx = 1, kXx = 2, kGt = 4, kLt = 8, kIncr = 16, kCh = 32 };

enum class ZAddOutcome { kAdded, kUpdated, kUnchanged, kNop, kNan };

// Redis's zsetAdd: applies one score/member pair under the flags.
ZAddOutcome zsetAdd(ZSetValue* z, double score, std::string_view member, unsigned flags,
                    const engine::EncodingLimits& limits, double& newScore) {
  if (auto cur = z->score(member)) {
    if (flags & kNx) return ZAddOutcome::kNop;
    if (flags & kIncr) {
      score += *cur;
      if (std::isnan(score)) return ZAddOutcome::kNan;
    }
    if (((flags & kLt) && score >= *cur) || ((flags & kGt) && score <= *cur)) return ZAddOutcome::kNop;
    newScore = score;
    if (score == *cur) return ZAddOutcome::kUnchanged;
    z->set(member, score, limits);
    return ZAddOutcome::kUpdated;
  }
  if (flags & kXx) return ZAddOutcome::kNop;
  z->set(member, score, limits);
  newScore = score;
  return ZAddOutcome::kAdded;
}

void zaddGeneric(Context& ctx, unsigned flags) {
  size_t scoreIdx = 2;
  for (; scoreIdx < ctx.argc(); ++scoreIdx) {
    std::string_view opt = ctx.arg(scoreIdx);
    if (equalsIgnoreCase(opt, "nx")) flags |= kNx;
    else if (equalsIgnoreCase(opt, "xx")) flags |= kXx;
    else if (equalsIgnoreCase(opt, "ch")) flags |= kCh;
    else if (equalsIgnoreCase(opt, "incr")) flags |= kIncr;
    else if (equalsIgnoreCase(opt, "gt")) flags |= kGt;
    else if (equalsIgnoreCase(opt, "lt")) flags |= kLt;
    else break;
  }
  const size_t rest = ctx.argc() - scoreIdx;
  if (rest == 0 || rest % 2 != 0) return ctx.out.error(err::kSyntax);
  const size_t pairs = rest / 2;
  if ((flags & kNx) && (flags & kXx)) return ctx.out.error("ERR XX and NX options at the same time are not compatible");
  if (((flags & kGt) && (flags & kNx)) || ((flags & kLt) && (flags & kNx)) || ((flags & kGt) && (flags & kLt)))
    return ctx.out.error("ERR GT, LT, and/or NX options at the same time are not compatible");
  if ((flags & kIncr) && pairs > 1) return ctx.out.error("ERR INCR option supports a single increment-element pair");
  std::vector<double> scores(pairs);
  for (size_t j = 0; j < pairs; ++j)
    if (!parseScoreArg(ctx, ctx.arg(scoreIdx + 2 * j), scores[j])) return;

  std::string_view key = ctx.arg(1);
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, key, z, true)) return;
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  if (z != nullptr || !(flags & kXx)) {
    std::unique_ptr<ZSetValue> fresh;
    if (z == nullptr) {
      fresh = std::make_unique<ZSetValue>();
      z = fresh.get();
    }
    bool nan = false;
    for (size_t j = 0; j < pairs && !nan; ++j) {
      double newScore = 0;
      switch (zsetAdd(z, scores[j], ctx.arg(scoreIdx + 2 * j + 1), flags, ctx.svc.encoding, newScore)) {
        case ZAddOutcome::kAdded: ++added; ++processed; break;
        case ZAddOutcome::kUpdated: ++updated; ++processed; break;
        case ZAddOutcome::kUnchanged: ++processed; break;
        case ZAddOutcome::kNop: break;
        case ZAddOutcome::kNan: nan = true; break;
      }
      score = newScore;
      if (nan) break;
    }
    if (fresh && fresh->length() > 0) storeZSet(ctx, key, std::move(fresh));
    if (added + updated > 0) ctx.propagateAsIs(static_cast<uint64_t>(added + updated));
    if (nan) return ctx.out.error(kNan);
  }
  if (flags & kIncr) {
    if (processed > 0) return ctx.out.doubleBulk(score);
    return ctx.out.nullBulk();
  }
  ctx.out.integer((flags & kCh) ? added + updated : added);
}

void zaddCommand(Context& ctx) { zaddGeneric(ctx, 0); }
void zincrbyCommand(Context& ctx) { zaddGeneric(ctx, kIncr); }

// ---- single-key reads and removals ----

void zremCommand(Context& ctx) {
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z, true)) return;
  if (z == nullptr) return ctx.out.integer(0);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc() && z->length() > 0; ++i) removed += z->remove(ctx.arg(i)) ? 1 : 0;
  dropIfEmpty(ctx, ctx.arg(1), z);
  if (removed > 0) ctx.propagateAsIs(static_cast<uint64_t>(removed));
  ctx.out.integer(removed);
}

void zscoreCommand(Context& ctx) {
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z)) return;
  auto s = z == nullptr ? std::nullopt : z->score(ctx.arg(2));
  if (!s) return ctx.out.nullBulk();
  ctx.out.doubleBulk(*s);
}

void zmscoreCommand(Context& ctx) {
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z)) return;
  ctx.out.arrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    auto s = z == nullptr ? std::nullopt : z->score(ctx.arg(i));
    if (s) ctx.out.doubleBulk(*s);
    else ctx.out.nullBulk();
  }
}

void zcardCommand(Context& ctx) {
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z)) return;
  ctx.out.integer(z == nullptr ? 0 : static_cast<int64_t>(z->length()));
}

void zcountCommand(Context& ctx) {
  ScoreRange range;
  if (!parseScoreRange(ctx.arg(2), ctx.arg(3), range)) return ctx.out.error(kMinMaxNotFloat);
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z)) return;
  ctx.out.integer(z == nullptr ? 0 : static_cast<int64_t>(z->scoreSpan(range).size()));
}

void zlexcountCommand(Context& ctx) {
  LexRange range;
  if (!parseLexRange(ctx.arg(2), ctx.arg(3), range)) return ctx.out.error(kMinMaxNotLex);
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z)) return;
  ctx.out.integer(z == nullptr ? 0 : z->lexCount(range));
}

void zrankGeneric(Context& ctx, bool reverse) {
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z)) return;
  auto r = z == nullptr ? std::nullopt : z->rank(ctx.arg(2));
  if (!r) return ctx.out.nullBulk();
  ctx.out.integer(static_cast<int64_t>(reverse ? z->length() - 1 - *r : *r));
}
void zrankCommand(Context& ctx) { zrankGeneric(ctx, false); }
void zrevrankCommand(Context& ctx) { zrankGeneric(ctx, true); }

// ---- ZRANGE and friends ----

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// Sanitizes Redis's start/end indexes against len: [begin, end) or empty.
RankSpan rankSpan(int64_t start, int64_t end, size_t len) {
  const auto n = static_cast<int64_t>(len);
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return {};
  if (end >= n) end = n - 1;
  return {static_cast<size_t>(start), static_cast<size_t>(end) + 1};
}

struct RangeRequest {
  RangeType type = RangeType::kRank;
  bool reverse = false;
  int64_t start = 0, end = 0;  // rank
  ScoreRange score;
  LexRange lex;
  int64_t offset = 0, limit = -1;
};

// The elements a range request selects, in reply order. Views stay valid
// until z is mutated.
Elements selectRange(ZSetValue* z, const RangeRequest& req) {
  Elements out;
  const size_t len = z->length();
  if (req.type == RangeType::kRank) {
    // REV indexes count from the highest score.
    const RankSpan s = rankSpan(req.start, req.end, len);
    if (s.size() == 0) return out;
    const RankSpan ranks = req.reverse ? RankSpan{len - s.end, len - s.begin} : s;
    out.reserve(ranks.size());
    z->forRange(ranks.begin, ranks.end, req.reverse, [&](std::string_view m, double sc) { out.emplace_back(m, sc); });
    return out;
  }
  if (req.offset < 0 || (req.offset > 0 && static_cast<uint64_t>(req.offset) >= len)) return out;
  const bool byScore = req.type == RangeType::kScore;
  std::optional<size_t> first;
  if (byScore) {
    const RankSpan span = z->scoreSpan(req.score);
    if (span.size() > 0) first = req.reverse ? span.end - 1 : span.begin;
  } else {
    first = req.reverse ? z->lexLast(req.lex) : z->lexFirst(req.lex);
  }
  if (!first) return out;
  const auto offset = static_cast<size_t>(req.offset);
  size_t start = 0;
  if (req.reverse) {
    if (offset > *first) return out;
    start = *first - offset;
  } else {
    start = *first + offset;
  }
  int64_t limit = req.limit;
  z->walk(start, req.reverse, [&](std::string_view m, double sc) {
    if (limit == 0) return false;
    const bool inRange = byScore ? (req.reverse ? req.score.aboveMin(sc) : req.score.belowMax(sc))
                                 : (req.reverse ? req.lex.aboveMin(m) : req.lex.belowMax(m));
    if (!inRange) return false;
    out.emplace_back(m, sc);
    if (limit > 0) --limit;
    return true;
  });
  return out;
}

// Redis's zrangeGenericCommand: args from argStart are <key> <min> <max>
// [options]; store is ZRANGESTORE (destination at argStart - 1).
void zrangeGeneric(Context& ctx, size_t argStart, bool store, RangeType type, Direction dir) {
  bool withScores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = argStart + 3; j < ctx.argc(); ++j) {
    const size_t left = ctx.argc() - j - 1;
    std::string_view a = ctx.arg(j);
    if (!store && equalsIgnoreCase(a, "withscores")) {
      withScores = true;
    } else if (equalsIgnoreCase(a, "limit") && left >= 2) {
      if (!parseIntArg(ctx, ctx.arg(j + 1), offset) || !parseIntArg(ctx, ctx.arg(j + 2), limit)) return;
      j += 2;
    } else if (dir == Direction::kAuto && equalsIgnoreCase(a, "rev")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && equalsIgnoreCase(a, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && equalsIgnoreCase(a, "byscore")) {
      type = RangeType::kScore;
    } else {
      return ctx.out.error(err::kSyntax);
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  if (limit != -1 && type == RangeType::kRank)
    return ctx.out.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  if (withScores && type == RangeType::kLex)
    return ctx.out.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");

  RangeRequest req;
  req.type = type;
  req.reverse = dir == Direction::kReverse;
  req.offset = offset;
  req.limit = limit;
  std::string_view minArg = ctx.arg(argStart + 1), maxArg = ctx.arg(argStart + 2);
  if (req.reverse && type != RangeType::kRank) std::swap(minArg, maxArg);  // given as max, min
  switch (type) {
    case RangeType::kScore:
      if (!parseScoreRange(minArg, maxArg, req.score)) return ctx.out.error(kMinMaxNotFloat);
      break;
    case RangeType::kLex:
      if (!parseLexRange(minArg, maxArg, req.lex)) return ctx.out.error(kMinMaxNotLex);
      break;
    default:
      if (!parseIntArg(ctx, minArg, req.start) || !parseIntArg(ctx, maxArg, req.end)) return;
  }

  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(argStart), z)) return;
  Elements elements;
  if (z != nullptr) elements = selectRange(z, req);
  if (!store) return replyElements(ctx, elements, withScores);

  std::string_view dst = ctx.arg(argStart - 1);
  if (elements.empty()) {
    if (ctx.db().remove(dst, ctx.nowMs)) ctx.propagateAsIs();
    return ctx.out.integer(0);
  }
  auto result = std::make_unique<ZSetValue>();
  if (static_cast<int64_t>(elements.size()) > ctx.svc.encoding.zsetMaxListpackEntries) result->convertToSkiplist();
  for (const auto& [m, s] : elements) result->set(m, s, ctx.svc.encoding);
  const auto n = static_cast<int64_t>(result->length());
  storeZSet(ctx, dst, std::move(result));  // the source's views are dead from here on
  ctx.propagateAsIs();
  ctx.out.integer(n);
}

void zrangeCommand(Context& ctx) { zrangeGeneric(ctx, 1, false, RangeType::kAuto, Direction::kAuto); }
void zrangestoreCommand(Context& ctx) { zrangeGeneric(ctx, 2, true, RangeType::kAuto, Direction::kAuto); }
void zrevrangeCommand(Context& ctx) { zrangeGeneric(ctx, 1, false, RangeType::kRank, Direction::kReverse); }
void zrangebyscoreCommand(Context& ctx) { zrangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kForward); }
void zrevrangebyscoreCommand(Context& ctx) { zrangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kReverse); }
void zrangebylexCommand(Context& ctx) { zrangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kForward); }
void zrevrangebylexCommand(Context& ctx) { zrangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kReverse); }

// ---- range removals ----

void zremrangeGeneric(Context& ctx, RangeType type) {
  int64_t start = 0, end = 0;
  ScoreRange score;
  LexRange lex;
  if (type == RangeType::kRank) {
    if (!parseIntArg(ctx, ctx.arg(2), start) || !parseIntArg(ctx, ctx.arg(3), end)) return;
  } else if (type == RangeType::kScore) {
    if (!parseScoreRange(ctx.arg(2), ctx.arg(3), score)) return ctx.out.error(kMinMaxNotFloat);
  } else if (!parseLexRange(ctx.arg(2), ctx.arg(3), lex)) {
    return ctx.out.error(kMinMaxNotLex);
  }
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z, true)) return;
  if (z == nullptr) return ctx.out.integer(0);
  const RankSpan span = type == RangeType::kRank    ? rankSpan(start, end, z->length())
                        : type == RangeType::kScore ? z->scoreSpan(score)
                                                    : z->lexRemovalSpan(lex);
  const size_t removed = span.size();
  if (removed > 0) {
    z->removeRange(span.begin, span.end);
    dropIfEmpty(ctx, ctx.arg(1), z);
    ctx.propagateAsIs(removed);
  }
  ctx.out.integer(static_cast<int64_t>(removed));
}
void zremrangebyrankCommand(Context& ctx) { zremrangeGeneric(ctx, RangeType::kRank); }
void zremrangebyscoreCommand(Context& ctx) { zremrangeGeneric(ctx, RangeType::kScore); }
void zremrangebylexCommand(Context& ctx) { zremrangeGeneric(ctx, RangeType::kLex); }

// ---- pops ----

void zpopMinMax(Context& ctx, bool fromMax) {
  if (ctx.argc() > 3) return ctx.out.error(err::kSyntax);
  int64_t count = -1;  // -1: no COUNT argument
  if (ctx.argc() == 3) {
    auto c = util::parseInt64(ctx.arg(2));
    if (!c || *c < 0) return ctx.out.error(kPositive);
    count = *c;
  }
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z, true)) return;
  if (z == nullptr || count == 0) return ctx.out.arrayHeader(0);
  const ZPopReply shape = ctx.out.protocol() == 3 && count != -1 ? ZPopReply::kNested : ZPopReply::kFlat;
  zsetPopGeneric(ctx, ctx.arg(1), fromMax, count == -1 ? 1 : static_cast<size_t>(count), shape);
}
void zpopminCommand(Context& ctx) { zpopMinMax(ctx, false); }
void zpopmaxCommand(Context& ctx) { zpopMinMax(ctx, true); }

void zmpopCommand(Context& ctx) {
  auto numkeys = util::parseInt64(ctx.arg(1));
  if (!numkeys || *numkeys < 1) return ctx.out.error("ERR numkeys should be greater than 0");
  if (static_cast<uint64_t>(*numkeys) >= ctx.argc() - 2) return ctx.out.error(err::kSyntax);
  const auto nk = static_cast<size_t>(*numkeys);
  std::string_view where = ctx.arg(2 + nk);
  bool fromMax = false;
  if (equalsIgnoreCase(where, "max")) fromMax = true;
  else if (!equalsIgnoreCase(where, "min")) return ctx.out.error(err::kSyntax);
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
  for (size_t i = 0; i < nk; ++i) {
    std::string_view key = ctx.arg(2 + i);
    ZSetValue* z = nullptr;
    if (!readZSet(ctx, key, z, true)) return;
    if (z == nullptr) continue;
    zsetPopGeneric(ctx, key, fromMax, count == -1 ? 1 : static_cast<size_t>(count), ZPopReply::kKeyNested);
    return;
  }
  ctx.out.nullArray();
}

// ---- algebra ----

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input of the algebra: a sorted set, a plain set (scores 1), or missing.
struct OpSource {
  ZSetValue* zset = nullptr;
  SetValue* set = nullptr;
  double weight = 1;
  const void* subject() const { return zset != nullptr ? static_cast<const void*>(zset) : set; }
  size_t length() const { return zset != nullptr ? zset->length() : set != nullptr ? set->length() : 0; }
  std::optional<double> find(std::string_view m) const {
    if (zset != nullptr) return zset->score(m);
    if (set != nullptr && set->contains(m)) return 1.0;
    return std::nullopt;
  }
  template <class Fn>
  void forEach(Fn&& fn) const {
    if (zset != nullptr) zset->forEach(fn);
    else if (set != nullptr) set->forEach([&](std::string_view m) { fn(m, 1.0); });
  }
};

void aggregate(double& target, double value, Aggregate agg) {
  if (agg == Aggregate::kSum) {
    target += value;
    if (std::isnan(target)) target = 0;  // inf + -inf
  } else if (agg == Aggregate::kMin) {
    target = value < target ? value : target;
  } else {
    target = value > target ? value : target;
  }
}

// Computes the union/intersection/difference into a skiplist-encoded value;
// cardinality-only (ZINTERCARD) counts instead, stopping at limit (0: none).
std::unique_ptr<ZSetValue> computeOp(Context& ctx, std::vector<OpSource> src, SetOp op, Aggregate agg,
                                     bool cardinalityOnly, size_t limit, size_t& cardinality) {
  auto result = std::make_unique<ZSetValue>();
  result->convertToSkiplist();
  const auto& limits = ctx.svc.encoding;
  if (op != SetOp::kDiff)
    std::stable_sort(src.begin(), src.end(), [](const OpSource& a, const OpSource& b) { return a.length() < b.length(); });
  if (op == SetOp::kInter) {
    if (src[0].length() == 0) return result;
    bool done = false;
    src[0].forEach([&](std::string_view m, double s) {
      if (done) return;
      double score = src[0].weight * s;
      if (std::isnan(score)) score = 0;
      for (size_t j = 1; j < src.size(); ++j) {
        double value = 0;
        if (src[j].subject() == src[0].subject()) {
          value = s * src[j].weight;
        } else if (auto found = src[j].find(m)) {
          value = *found * src[j].weight;
        } else {
          return;
        }
        aggregate(score, value, agg);
      }
      if (cardinalityOnly) {
        ++cardinality;
        done = limit != 0 && cardinality >= limit;
        return;
      }
      result->set(m, score, limits);
    });
    return result;
  }
  if (op == SetOp::kUnion) {
    std::unordered_map<std::string, double> acc;
    for (const OpSource& s : src) {
      s.forEach([&](std::string_view m, double sc) {
        double score = s.weight * sc;
        if (std::isnan(score)) score = 0;
        auto [it, inserted] = acc.try_emplace(std::string(m), score);
        if (!inserted) aggregate(it->second, score, agg);
      });
    }
    for (const auto& [m, sc] : acc) result->set(m, sc, limits);
    return result;
  }
  // Difference: members of the first input found in no other, first scores.
  const OpSource& first = src[0];
  for (size_t j = 1; j < src.size(); ++j)
    if (src[j].subject() != nullptr && src[j].subject() == first.subject()) return result;
  first.forEach([&](std::string_view m, double s) {
    for (size_t j = 1; j < src.size(); ++j)
      if (src[j].find(m)) return;
    result->set(m, s, limits);
  });
  return result;
}

// ZUNION/ZINTER/ZDIFF[STORE] and ZINTERCARD (Redis's
// zunionInterDiffGenericCommand): numkeys at numkeysIdx; dst empty unless
// STORE.
void zsetOpGeneric(Context& ctx, size_t numkeysIdx, bool store, SetOp op, bool cardinalityOnly) {
  int64_t setnum = 0;
  if (!parseIntArg(ctx, ctx.arg(numkeysIdx), setnum)) return;
  if (setnum < 1) {
    std::string msg = "ERR at least 1 input key is needed for '";
    for (char c : ctx.arg(0)) msg.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    msg += "' command";
    return ctx.out.error(msg);
  }
  if (static_cast<uint64_t>(setnum) > ctx.argc() - (numkeysIdx + 1)) return ctx.out.error(err::kSyntax);
  const auto n = static_cast<size_t>(setnum);
  std::vector<OpSource> src(n);
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = ctx.arg(numkeysIdx + 1 + i);
    Entry* e = lookupRead(ctx, key);
    if (e == nullptr) continue;
    if (e->type() == ValueType::ZSet) src[i].zset = zsetOf(e);
    else if (e->type() == ValueType::Set) src[i].set = static_cast<SetValue*>(e->object());
    else return ctx.out.error(err::kWrongType);
  }
  Aggregate agg = Aggregate::kSum;
  bool withScores = false;
  size_t limit = 0;
  for (size_t j = numkeysIdx + 1 + n; j < ctx.argc();) {
    const size_t remaining = ctx.argc() - j;
    std::string_view a = ctx.arg(j);
    if (op != SetOp::kDiff && !cardinalityOnly && remaining >= n + 1 && equalsIgnoreCase(a, "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        auto w = util::parseDouble(ctx.arg(j));
        if (!w) return ctx.out.error("ERR weight value is not a float");
        src[i].weight = *w;
      }
    } else if (op != SetOp::kDiff && !cardinalityOnly && remaining >= 2 && equalsIgnoreCase(a, "aggregate")) {
      std::string_view v = ctx.arg(j + 1);
      if (equalsIgnoreCase(v, "sum")) agg = Aggregate::kSum;
      else if (equalsIgnoreCase(v, "min")) agg = Aggregate::kMin;
      else if (equalsIgnoreCase(v, "max")) agg = Aggregate::kMax;
      else return ctx.out.error(err::kSyntax);
      j += 2;
    } else if (!store && !cardinalityOnly && equalsIgnoreCase(a, "withscores")) {
      withScores = true;
      ++j;
    } else if (cardinalityOnly && remaining >= 2 && equalsIgnoreCase(a, "limit")) {
      auto l = util::parseInt64(ctx.arg(j + 1));
      if (!l || *l < 0) return ctx.out.error("ERR LIMIT can't be negative");
      limit = static_cast<size_t>(*l);
      j += 2;
    } else {
      return ctx.out.error(err::kSyntax);
    }
  }
  size_t cardinality = 0;
  auto result = computeOp(ctx, std::move(src), op, agg, cardinalityOnly, limit, cardinality);
  if (cardinalityOnly) return ctx.out.integer(static_cast<int64_t>(cardinality));
  if (!store) {
    replyElementsHeader(ctx, result->length(), withScores);
    result->forEach([&](std::string_view m, double s) { replyElement(ctx, m, s, withScores); });
    return;
  }
  std::string_view dst = ctx.arg(1);
  if (result->length() == 0) {
    if (ctx.db().remove(dst, ctx.nowMs)) ctx.propagateAsIs();
    return ctx.out.integer(0);
  }
  result->fitToLimits(ctx.svc.encoding);
  const auto len = static_cast<int64_t>(result->length());
  storeZSet(ctx, dst, std::move(result));
  ctx.propagateAsIs();
  ctx.out.integer(len);
}

void zunionCommand(Context& ctx) { zsetOpGeneric(ctx, 1, false, SetOp::kUnion, false); }
void zinterCommand(Context& ctx) { zsetOpGeneric(ctx, 1, false, SetOp::kInter, false); }
void zdiffCommand(Context& ctx) { zsetOpGeneric(ctx, 1, false, SetOp::kDiff, false); }
void zunionstoreCommand(Context& ctx) { zsetOpGeneric(ctx, 2, true, SetOp::kUnion, false); }
void zinterstoreCommand(Context& ctx) { zsetOpGeneric(ctx, 2, true, SetOp::kInter, false); }
void zdiffstoreCommand(Context& ctx) { zsetOpGeneric(ctx, 2, true, SetOp::kDiff, false); }
void zintercardCommand(Context& ctx) { zsetOpGeneric(ctx, 1, false, SetOp::kInter, true); }

// ---- ZRANDMEMBER ----

// Unique members below this share of the set are drawn at random and
// deduplicated; above it the elements are listed and partially shuffled
// (Redis's cut between its cases 3 and 4).
constexpr uint64_t kRandShuffleFactor = 3;

void zrandmemberWithCount(Context& ctx, int64_t l, bool withScores) {
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z)) return;
  if (z == nullptr || l == 0) return ctx.out.arrayHeader(0);
  const size_t size = z->length();
  if (l < 0) {  // independent draws, repeats allowed
    const auto count = static_cast<uint64_t>(-l);
    replyElementsHeader(ctx, count, withScores);
    auto emit = [&](std::string_view m, double s) { replyElement(ctx, m, s, withScores); };
    if (!z->isListpack()) {  // a rank lookup per draw: O(log n)
      for (uint64_t i = 0; i < count; ++i) {
        const auto r = static_cast<size_t>(randomU64() % size);
        z->forRange(r, r + 1, false, emit);
      }
      return;
    }
    Elements all;  // index the listpack once: a draw there is a linear walk
    all.reserve(size);
    z->forEach([&](std::string_view m, double s) { all.emplace_back(m, s); });
    for (uint64_t i = 0; i < count; ++i) {
      const auto& [m, s] = all[static_cast<size_t>(randomU64() % size)];
      emit(m, s);
    }
    return;
  }
  const auto count = static_cast<uint64_t>(l);
  if (count >= size) {  // the whole set, highest scores first (as Redis 7.0)
    replyElementsHeader(ctx, size, withScores);
    z->forRange(0, size, true, [&](std::string_view m, double s) { replyElement(ctx, m, s, withScores); });
    return;
  }
  Elements picked;
  picked.reserve(count);
  if (count * kRandShuffleFactor > size) {
    z->forEach([&](std::string_view m, double s) { picked.emplace_back(m, s); });
    for (size_t i = 0; i < count; ++i) {
      const size_t j = i + static_cast<size_t>(randomU64() % (picked.size() - i));
      std::swap(picked[i], picked[j]);
    }
    picked.resize(count);
  } else {
    std::unordered_set<size_t> seen;
    std::vector<size_t> ranks;
    while (ranks.size() < count) {
      const size_t r = static_cast<size_t>(randomU64() % size);
      if (seen.insert(r).second) ranks.push_back(r);
    }
    for (size_t r : ranks) z->forRange(r, r + 1, false, [&](std::string_view m, double s) { picked.emplace_back(m, s); });
  }
  replyElements(ctx, picked, withScores);
}

void zrandmemberCommand(Context& ctx) {
  if (ctx.argc() >= 3) {
    int64_t l = 0;
    if (!parseIntArg(ctx, ctx.arg(2), l)) return;
    if (l == LLONG_MIN)
      return ctx.out.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !equalsIgnoreCase(ctx.arg(3), "withscores")))
      return ctx.out.error(err::kSyntax);
    const bool withScores = ctx.argc() == 4;
    if (withScores && (l < -(LLONG_MAX / 2) || l > LLONG_MAX / 2)) return ctx.out.error("ERR value is out of range");
    return zrandmemberWithCount(ctx, l, withScores);
  }
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z)) return;
  if (z == nullptr) return ctx.out.nullBulk();
  ctx.out.bulk(z->at(static_cast<size_t>(randomU64() % z->length())).first);
}

// ---- ZSCAN ----

// Redis parses the cursor with strtoul: "" is 0, "+5" is 5, "-1" wraps.
std::optional<uint64_t> parseCursor(std::string_view text) {
  std::string s(text);
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno == ERANGE || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

void zscanCommand(Context& ctx) {
  auto cursor = parseCursor(ctx.arg(2));
  if (!cursor) return ctx.out.error(err::kInvalidCursor);
  ZSetValue* z = nullptr;
  if (!readZSet(ctx, ctx.arg(1), z)) return;
  if (z == nullptr) {
    ctx.out.arrayHeader(2);
    ctx.out.bulk("0");
    return ctx.out.arrayHeader(0);
  }
  int64_t count = 10;
  std::string_view pattern;
  bool hasPattern = false;
  for (size_t j = 3; j < ctx.argc(); j += 2) {
    if (j + 1 >= ctx.argc()) return ctx.out.error(err::kSyntax);
    std::string_view opt = ctx.arg(j), val = ctx.arg(j + 1);
    if (equalsIgnoreCase(opt, "count")) {
      if (!parseIntArg(ctx, val, count)) return;
      if (count < 1) return ctx.out.error(err::kSyntax);
    } else if (equalsIgnoreCase(opt, "match")) {
      pattern = val;
      hasPattern = val != "*";
    } else {
      return ctx.out.error(err::kSyntax);
    }
  }
  // As Redis: a listpack is returned whole; a table is walked bucket by
  // bucket until COUNT items (members and scores both count) were gathered,
  // bounded by 10*COUNT steps.
  Elements items;
  auto collect = [&](std::string_view m, double s) {
    if (!hasPattern || util::globMatch(pattern, m)) items.emplace_back(m, s);
  };
  uint64_t next = *cursor;
  if (z->isListpack()) {
    next = z->scan(0, collect);
  } else {
    int64_t steps = count * 10;
    size_t gathered = 0;
    do {
      next = z->scan(next, [&](std::string_view m, double s) {
        gathered += 2;
        collect(m, s);
      });
    } while (next != 0 && steps-- > 0 && static_cast<int64_t>(gathered) < count);
  }
  char buf[32];
  ctx.out.arrayHeader(2);
  ctx.out.bulk(std::string_view(buf, util::formatInt64(static_cast<int64_t>(next), buf)));
  ctx.out.arrayHeader(items.size() * 2);
  for (const auto& [m, s] : items) {
    ctx.out.bulk(m);
    ctx.out.bulk(std::string_view(buf, util::formatDouble(s, buf)));  // Redis's d2string
  }
}

}  // namespace

size_t zsetPopGeneric(Context& ctx, std::string_view key, bool fromMax, size_t count, ZPopReply shape) {
  Entry** ref = lookupWriteRef(ctx, key);
  ZSetValue* z = zsetOf(*ref);
  const size_t n = std::min(count, z->length());
  const bool nested = shape == ZPopReply::kNested || shape == ZPopReply::kKeyNested;
  switch (shape) {
    case ZPopReply::kFlat: ctx.out.arrayHeader(n * 2); break;
    case ZPopReply::kNested: ctx.out.arrayHeader(n); break;
    case ZPopReply::kKeyFlat: ctx.out.arrayHeader(n * 2 + 1); ctx.out.bulk(key); break;
    case ZPopReply::kKeyNested:
      ctx.out.arrayHeader(2);
      ctx.out.bulk(key);
      ctx.out.arrayHeader(n);
      break;
  }
  const size_t len = z->length();
  z->forRange(fromMax ? len - n : 0, fromMax ? len : n, fromMax, [&](std::string_view m, double s) {
    if (nested) ctx.out.arrayHeader(2);
    ctx.out.bulk(m);
    ctx.out.doubleBulk(s);
  });
  z->removeRange(fromMax ? len - n : 0, fromMax ? len : n);
  dropIfEmpty(ctx, key, z);
  char buf[24];
  const std::string_view countText(buf, util::formatInt64(static_cast<int64_t>(n), buf));
  ctx.propagate({fromMax ? "ZPOPMAX" : "ZPOPMIN", key, countText}, n);
  ctx.svc.watches.touch(ctx.session.db, key);
  return n;
}

void registerZSetCommands(Registry& r) {
  constexpr uint32_t W = kWrite | kDenyOom;
  r.add({"zadd", -4, W | kFast, 1, 1, 1, zaddCommand, "@write @sortedset @fast", "sorted-set", "Add one or more members to a sorted set, or update its score if it already exists", "1.2.0", "O(log(N)) for each item added, where N is the number of elements in the sorted set.", {}});
  r.add({"zincrby", 4, W | kFast, 1, 1, 1, zincrbyCommand, "@write @sortedset @fast", "sorted-set", "Increment the score of a member in a sorted set", "1.2.0", "O(log(N)) where N is the number of elements in the sorted set.", {}});
  r.add({"zrem", -3, kWrite | kFast, 1, 1, 1, zremCommand, "@write @sortedset @fast", "sorted-set", "Remove one or more members from a sorted set", "1.2.0", "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.", {}});
  r.add({"zscore", 3, kReadonly | kFast, 1, 1, 1, zscoreCommand, "@read @sortedset @fast", "sorted-set", "Get the score associated with the given member in a sorted set", "1.2.0", "O(1)", {}});
  r.add({"zmscore", -3, kReadonly | kFast, 1, 1, 1, zmscoreCommand, "@read @sortedset @fast", "sorted-set", "Get the score associated with the given members in a sorted set", "6.2.0", "O(N) where N is the number of members being requested.", {}});
  r.add({"zcard", 2, kReadonly | kFast, 1, 1, 1, zcardCommand, "@read @sortedset @fast", "sorted-set", "Get the number of members in a sorted set", "1.2.0", "O(1)", {}});
  r.add({"zcount", 4, kReadonly | kFast, 1, 1, 1, zcountCommand, "@read @sortedset @fast", "sorted-set", "Count the members in a sorted set with scores within the given values", "2.0.0", "O(log(N)) with N being the number of elements in the sorted set.", {}});
  r.add({"zlexcount", 4, kReadonly | kFast, 1, 1, 1, zlexcountCommand, "@read @sortedset @fast", "sorted-set", "Count the number of members in a sorted set between a given lexicographical range", "2.8.9", "O(log(N)) with N being the number of elements in the sorted set.", {}});
  r.add({"zrange", -4, kReadonly, 1, 1, 1, zrangeCommand, "@read @sortedset @slow", "sorted-set", "Return a range of members in a sorted set", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", {}});
  r.add({"zrangestore", -5, W, 1, 2, 1, zrangestoreCommand, "@write @sortedset @slow", "sorted-set", "Store a range of members from sorted set into another key", "6.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.", {}, {}, WatchTouch::kDestination});
  r.add({"zrangebyscore", -4, kReadonly, 1, 1, 1, zrangebyscoreCommand, "@read @sortedset @slow", "sorted-set", "Return a range of members in a sorted set, by score", "1.0.5", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", {}});
  r.add({"zrevrange", -4, kReadonly, 1, 1, 1, zrevrangeCommand, "@read @sortedset @slow", "sorted-set", "Return a range of members in a sorted set, by index, with scores ordered from high to low", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", {}});
  r.add({"zrevrangebyscore", -4, kReadonly, 1, 1, 1, zrevrangebyscoreCommand, "@read @sortedset @slow", "sorted-set", "Return a range of members in a sorted set, by score, with scores ordered from high to low", "2.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", {}});
  r.add({"zrangebylex", -4, kReadonly, 1, 1, 1, zrangebylexCommand, "@read @sortedset @slow", "sorted-set", "Return a range of members in a sorted set, by lexicographical range", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", {}});
  r.add({"zrevrangebylex", -4, kReadonly, 1, 1, 1, zrevrangebylexCommand, "@read @sortedset @slow", "sorted-set", "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", {}});
  r.add({"zrank", 3, kReadonly | kFast, 1, 1, 1, zrankCommand, "@read @sortedset @fast", "sorted-set", "Determine the index of a member in a sorted set", "2.0.0", "O(log(N))", {}});
  r.add({"zrevrank", 3, kReadonly | kFast, 1, 1, 1, zrevrankCommand, "@read @sortedset @fast", "sorted-set", "Determine the index of a member in a sorted set, with scores ordered from high to low", "2.0.0", "O(log(N))", {}});
  r.add({"zpopmin", -2, kWrite | kFast, 1, 1, 1, zpopminCommand, "@write @sortedset @fast", "sorted-set", "Remove and return members with the lowest scores in a sorted set", "5.0.0", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", {}});
  r.add({"zpopmax", -2, kWrite | kFast, 1, 1, 1, zpopmaxCommand, "@write @sortedset @fast", "sorted-set", "Remove and return members with the highest scores in a sorted set", "5.0.0", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", {}});
  r.add({"zmpop", -4, kWrite, 0, 0, 0, zmpopCommand, "@write @sortedset @slow", "sorted-set", "Remove and return members with scores in a sorted set", "7.0.0", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", {}, NumKeys{1, 2, 1}, WatchTouch::kByHandler});
  r.add({"zremrangebyrank", 4, kWrite, 1, 1, 1, zremrangebyrankCommand, "@write @sortedset @slow", "sorted-set", "Remove all members in a sorted set within the given indexes", "2.0.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", {}});
  r.add({"zremrangebyscore", 4, kWrite, 1, 1, 1, zremrangebyscoreCommand, "@write @sortedset @slow", "sorted-set", "Remove all members in a sorted set within the given scores", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", {}});
  r.add({"zremrangebylex", 4, kWrite, 1, 1, 1, zremrangebylexCommand, "@write @sortedset @slow", "sorted-set", "Remove all members in a sorted set between the given lexicographical range", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", {}});
  r.add({"zunion", -3, kReadonly, 0, 0, 0, zunionCommand, "@read @sortedset @slow", "sorted-set", "Add multiple sorted sets", "6.2.0", "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", {}, NumKeys{1, 2, 1}});
  r.add({"zinter", -3, kReadonly, 0, 0, 0, zinterCommand, "@read @sortedset @slow", "sorted-set", "Intersect multiple sorted sets", "6.2.0", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", {}, NumKeys{1, 2, 1}});
  r.add({"zdiff", -3, kReadonly, 0, 0, 0, zdiffCommand, "@read @sortedset @slow", "sorted-set", "Subtract multiple sorted sets", "6.2.0", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", {}, NumKeys{1, 2, 1}});
  r.add({"zunionstore", -4, W, 1, 1, 1, zunionstoreCommand, "@write @sortedset @slow", "sorted-set", "Add multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", {}, NumKeys{2, 3, 1}, WatchTouch::kDestination});
  r.add({"zinterstore", -4, W, 1, 1, 1, zinterstoreCommand, "@write @sortedset @slow", "sorted-set", "Intersect multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", {}, NumKeys{2, 3, 1}, WatchTouch::kDestination});
  r.add({"zdiffstore", -4, W, 1, 1, 1, zdiffstoreCommand, "@write @sortedset @slow", "sorted-set", "Subtract multiple sorted sets and store the resulting sorted set in a new key", "6.2.0", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", {}, NumKeys{2, 3, 1}, WatchTouch::kDestination});
  r.add({"zintercard", -3, kReadonly, 0, 0, 0, zintercardCommand, "@read @sortedset @slow", "sorted-set", "Intersect multiple sorted sets and return the cardinality of the result", "7.0.0", "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.", {}, NumKeys{1, 2, 1}});
  r.add({"zrandmember", -2, kReadonly, 1, 1, 1, zrandmemberCommand, "@read @sortedset @slow", "sorted-set", "Get one or multiple random elements from a sorted set", "6.2.0", "O(N) where N is the number of elements returned", {}});
  r.add({"zscan", -3, kReadonly, 1, 1, 1, zscanCommand, "@read @sortedset @slow", "sorted-set", "Incrementally iterate sorted sets elements and associated scores", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", {}});
}

}  // namespace erdtree::command
