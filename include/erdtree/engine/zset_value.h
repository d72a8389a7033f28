#pragma once
// The value of a sorted-set key, with Redis 7.0's two encodings. Elements are
// ordered by (score, member), members compared bytewise (memcmp, then length).
//
// "listpack": one contiguous buffer of [score f64][varint len][member bytes]
// records in (score, member) order. Every operation is a linear walk, which
// for at most zset-max-listpack-entries (128) short members is a few KB. As
// Redis's listpack stores a score as text where an integral score becomes an
// integer, -0 is stored as 0 here (Redis replies "0" for it too).
//
// "skiplist" (the name Redis reports; the structure is not one): a BucketTable
// (engine/table.h) of ZMember pointers for member -> score, plus an
// order-statistic B+tree over the same pointers for order and rank. A ZMember
// is one allocation [score f64][len u8 | 0xff + u32][bytes]: 17 bytes for
// "m:123456", a 32-byte glibc chunk. Leaves hold only pointers (up to 64, kept
// at least a third full); inner nodes hold per-child element counts (rank in
// O(log n)) and the smallest key of each child (score copied, so descents
// compare doubles and touch a member only on equal scores). Per element:
// 32 (ZMember) + ~17 (table) + ~11 (8-byte leaf slot at ~70% fill) + <1
// (inner nodes) = ~60 bytes. Redis's skiplist spends a zskiplistNode (ele,
// score, backward, 1.33 levels of forward+span: ~48 bytes with allocator
// rounding), an sds member (~16), a 24-byte dictEntry rounded to 32 and 8-16
// bytes of dict buckets: ~100-110. A skiplist with spans would need at least
// score + member + backward + one level (32 bytes) per node before the hash
// index; the B+tree shares the member allocation between both indexes and
// amortizes its structure over 64 elements, and its leaves are contiguous,
// which also makes range walks cache friendly. Cost: an insert or delete
// moves up to 63 pointers within a leaf (one memmove). Measured with 1M
// members "m:<i>" scored i (one ZADD per 1000): 60.6 bytes per element of
// RSS growth (43.7 by INFO used_memory, which does not see the table's
// mmap'ed bucket array), against 109.7 (used_memory) / 115.7 (RSS) for
// Redis 7.0.15.
//
// Conversion follows Redis 7.0: inserting a new member converts a listpack to
// the skiplist first when the length would exceed zset-max-listpack-entries
// or the member is longer than zset-max-listpack-value; nothing converts
// back, except the STORE commands, which build the result and then pick the
// encoding by its final size (fitToLimits()).
//
// Ranges. Score ranges are monotone in the order: scoreSpan() bisects to a
// rank span. Lex ranges assume equal scores (as Redis documents); over mixed
// scores Redis's answer is whatever its walk produces, so the lex functions
// reproduce those walks: on a listpack Redis's listpack walk (the first
// member >= min from the head; for REV the first member <= max from the
// tail), on a skiplist Redis's skiplist walk with every node on level 1 (a
// linear walk from the head; Redis's own answer then also depends on its
// random node levels), done literally up to kLexLinearMax elements and by
// bisection above, where the two agree whenever the range is monotone.
//
// Lifetimes: string_views passed to callbacks are valid until the next
// mutation of this value; callbacks must not mutate it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "erdtree/engine/encoding_limits.h"
#include "erdtree/engine/object.h"
#include "erdtree/engine/table.h"

namespace erdtree::engine {

// One element of the skiplist encoding: score and member in one allocation.
class ZMember {
 public:
  static ZMember* make(std::string_view member, double score);
  static void destroy(ZMember* m);
  double score() const;
  void setScore(double score);
  std::string_view member() const;
  // Bytes requested from the allocator for a member of this length.
  static size_t allocationSize(size_t len) { return 8 + (len < 0xff ? len + 1 : len + 5); }

 private:
  ZMember() = default;
  unsigned char bytes_[1];
};

struct ZMemberKeyOf {
  std::string_view operator()(const ZMember* m) const { return m->member(); }
};

// A score interval as ZRANGEBYSCORE parses it ("(" makes a bound exclusive).
struct ScoreRange {
  double min = 0, max = 0;
  bool minExclusive = false, maxExclusive = false;
  bool empty() const { return min > max || (min == max && (minExclusive || maxExclusive)); }
  bool aboveMin(double s) const { return minExclusive ? s > min : s >= min; }
  bool belowMax(double s) const { return maxExclusive ? s < max : s <= max; }
};

// A lex interval: "-" and "+" are the open ends, "[x" / "(x" bounds.
struct LexBound {
  enum Kind : uint8_t { kNegInf, kPosInf, kValue };
  Kind kind = kNegInf;
  bool exclusive = true;
  std::string_view value;
};
struct LexRange {
  LexBound min, max;
  bool empty() const;
  bool aboveMin(std::string_view m) const;
  bool belowMax(std::string_view m) const;
};

// Ranks [begin, end) in ascending order.
struct RankSpan {
  size_t begin = 0, end = 0;
  size_t size() const { return end > begin ? end - begin : 0; }
};

class ZTree;  // order-statistic B+tree of the skiplist encoding (zset_value.cpp)

class ZSetValue final : public Object {
 public:
  ZSetValue();
  ~ZSetValue() override;
  ZSetValue(const ZSetValue&) = delete;
  ZSetValue& operator=(const ZSetValue&) = delete;

  std::unique_ptr<Object> clone() const override;
  size_t memoryUsage() const override;
  std::string_view encodingName() const override { return tree_ ? "skiplist" : "listpack"; }
  size_t length() const override;
  size_t freeEffort() const override { return tree_ ? length() : 1; }
  bool isListpack() const { return !tree_; }

  std::optional<double> score(std::string_view member);
  // Sets member's score; true if the member is new. New members may convert
  // the value to the skiplist encoding (see above).
  bool set(std::string_view member, double score, const EncodingLimits& limits);
  bool remove(std::string_view member);
  // 0-based ascending rank of member.
  std::optional<size_t> rank(std::string_view member);

  RankSpan scoreSpan(const ScoreRange& r);
  // Redis's first / last element in a lex range (zzl|zslFirstInLexRange,
  // zzl|zslLastInLexRange); see the header comment for mixed scores.
  std::optional<size_t> lexFirst(const LexRange& r);
  std::optional<size_t> lexLast(const LexRange& r);
  // ZLEXCOUNT as Redis computes it per encoding (a skiplist subtracts ranks,
  // which over mixed scores may even be negative).
  int64_t lexCount(const LexRange& r);
  // The ranks ZREMRANGEBYLEX deletes.
  RankSpan lexRemovalSpan(const LexRange& r);
  static constexpr size_t kLexLinearMax = 128;

  // Calls fn(std::string_view member, double score) from rank start onwards,
  // ascending (descending when reverse), until fn returns false or the
  // elements run out.
  template <class Fn>
  void walk(size_t start, bool reverse, Fn&& fn) {
    using F = std::remove_reference_t<Fn>;
    walkFrom(start, reverse, [](void* f, std::string_view m, double s) -> bool { return (*static_cast<F*>(f))(m, s); },
             const_cast<void*>(static_cast<const void*>(&fn)));
  }
  // Calls fn(member, score) for ranks [begin, end), ascending, or descending
  // from end - 1 when reverse.
  template <class Fn>
  void forRange(size_t begin, size_t end, bool reverse, Fn&& fn) {
    if (end > length()) end = length();
    if (begin >= end) return;
    size_t todo = end - begin;
    walk(reverse ? end - 1 : begin, reverse, [&](std::string_view m, double s) {
      fn(m, s);
      return --todo > 0;
    });
  }
  template <class Fn>
  void forEach(Fn&& fn) {
    forRange(0, length(), false, fn);
  }
  // Removes ranks [begin, end).
  void removeRange(size_t begin, size_t end);
  // The element at rank (copied member).
  std::pair<std::string, double> at(size_t rank);

  // ZSCAN: calls fn(member, score) for the elements under cursor and returns
  // the next cursor (0 when done). A listpack is returned whole in one call.
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) {
    if (!tree_) {
      forEach(fn);
      return 0;
    }
    return table_->scan(cursor, [&](ZMember* m) { fn(m->member(), m->score()); });
  }

  // Converts to the skiplist encoding (no-op if already).
  void convertToSkiplist();
  // STORE results: a skiplist that fits the listpack limits becomes one.
  void fitToLimits(const EncodingLimits& limits);

 private:
  using Table = BucketTable<ZMember, ZMemberKeyOf>;
  using Visit = bool (*)(void*, std::string_view, double);
  void walkFrom(size_t start, bool reverse, Visit visit, void* fn);

  // listpack helpers: a record at pos, and the offset past it.
  struct LpRecord {
    double score;
    std::string_view member;
    size_t next;
  };
  LpRecord lpAt(size_t pos) const;
  size_t lpFind(std::string_view member) const;  // npos when absent
  size_t lpOffsetOfRank(size_t rank) const;
  void lpInsert(std::string_view member, double score);
  void lpErase(size_t pos);
  void treeInsert(std::string_view member, double score);
  // Members in order, for the literal lex walks of small values.
  std::vector<std::string_view> orderedMembers();
  bool lexLinear() const { return !tree_ || length() <= kLexLinearMax; }
  // First rank from the head whose member is >= the range's min (length()
  // when none), and the end of the run of members <= max starting at rank.
  size_t lexFirstAboveMin(const LexRange& r);
  size_t lexRunEnd(const LexRange& r, size_t rank);

  std::string lp_;  // listpack records
  uint32_t lpCount_ = 0;
  std::unique_ptr<Table> table_;  // skiplist encoding: member index
  std::unique_ptr<ZTree> tree_;   // skiplist encoding: order and rank
  size_t memberBytes_ = 0;        // allocation sizes of the ZMembers
};

}  // namespace erdtree::engine
