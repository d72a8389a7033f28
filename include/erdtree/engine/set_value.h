#pragma once
// The value of a set key, with Redis 7.0's two encodings:
//
// intset    while every member is a strict int64 (util::parseInt64) and the
//           count is at most set-max-intset-entries: a sorted array of
//           integers, all of one width (2, 4 or 8 bytes, widened when a value
//           needs it, never narrowed), searched by bisection. Iteration is in
//           ascending order, as Redis's.
// hashtable otherwise: an engine::BucketTable of SetMember pointers, each
//           member one allocation holding a length prefix and its bytes
//           (1 + n bytes for members under 255 bytes). With glibc that is a
//           32-byte chunk for members up to 23 bytes, plus the table's ~14-24
//           bytes of buckets per member; Redis spends a 24-byte dictEntry, an
//           sds allocation and 8-16 bytes of bucket array.
//
// The conversion intset -> hashtable happens once (a non-integer member, or
// one member too many) and never back, as in Redis. Members of an intset are
// produced as decimal text on the fly, so every reader takes string_views
// valid only during the callback (or copies them).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "erdtree/engine/object.h"
#include "erdtree/engine/table.h"
#include "erdtree/util/numbers.h"

namespace erdtree::engine {

// One hashtable member: [len u8 | 0xff + u32 len] [bytes], one allocation.
class SetMember {
 public:
  static SetMember* make(std::string_view bytes);
  static void destroy(SetMember* m);
  std::string_view view() const;
  // Bytes requested from the allocator for a member of this length.
  static size_t allocationSize(size_t len) { return len < 0xff ? len + 1 : len + 5; }

 private:
  SetMember() = default;
  uint8_t first_;
};

struct SetMemberKeyOf {
  std::string_view operator()(const SetMember* m) const { return m->view(); }
};

class SetValue final : public Object {
 public:
  SetValue() = default;
  ~SetValue() override;
  SetValue(const SetValue&) = delete;
  SetValue& operator=(const SetValue&) = delete;

  // Adds member; true if it was not there. maxIntsetEntries is
  // set-max-intset-entries: more integers than that convert to a hashtable.
  bool add(std::string_view member, int64_t maxIntsetEntries);
  bool remove(std::string_view member);
  bool contains(std::string_view member);

  bool isIntset() const { return !hashtable_; }
  // Redis's name for the value's current encoding ("intset" / "hashtable").
  std::string_view encodingName() const override { return hashtable_ ? "hashtable" : "intset"; }
  size_t length() const override { return hashtable_ ? table_.size() : count_; }
  size_t freeEffort() const override { return hashtable_ ? table_.size() : 1; }
  std::unique_ptr<Object> clone() const override;
  size_t memoryUsage() const override;

  // Calls fn(std::string_view) for every member (intset: ascending). fn must
  // not modify this set.
  template <class Fn>
  void forEach(Fn&& fn) {
    if (hashtable_) {
      table_.forEach([&](SetMember* m) { fn(m->view()); });
      return;
    }
    char buf[24];
    for (size_t i = 0; i < count_; ++i) fn(std::string_view(buf, util::formatInt64(intAt(i), buf)));
  }

  // A uniformly chosen member (copied), the set must not be empty.
  std::string randomMember(uint64_t random);
  // Removes and returns a random member; the set must not be empty.
  std::string popRandom(uint64_t random);

  // SSCAN: calls fn(std::string_view) for the members under cursor and
  // returns the next cursor (0 when done). An intset is returned whole in
  // one call (cursor 0), as Redis does for its compact encodings.
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) {
    if (hashtable_) return table_.scan(cursor, [&](SetMember* m) { fn(m->view()); });
    forEach(fn);
    return 0;
  }

  // Converts an intset to a hashtable (no-op if already one).
  void convertToHashtable();

 private:
  using Table = BucketTable<SetMember, SetMemberKeyOf>;

  int64_t intAt(size_t i) const;
  void setIntAt(size_t i, int64_t v);
  // Position of v, or where it would be inserted (found reports which).
  size_t intSearch(int64_t v, bool& found) const;
  bool intAdd(int64_t v);
  bool intRemove(int64_t v);
  void widenTo(uint8_t width);
  static uint8_t widthFor(int64_t v);

  // intset state
  std::vector<uint8_t> ints_;  // count_ * width_ bytes, ascending
  size_t count_ = 0;
  uint8_t width_ = 2;
  // hashtable state
  bool hashtable_ = false;
  Table table_;
  size_t memberBytes_ = 0;  // allocation sizes of the members
};

}  // namespace erdtree::engine
