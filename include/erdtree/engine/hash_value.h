#pragma once
// The value of a hash key, with Redis's two encodings:
//
// "listpack": one contiguous buffer of field/value pairs, each string stored
// as [LEB128 length][bytes], in insertion order (an update keeps its place,
// a delete closes the gap). Lookups are linear; this is the encoding while
// the hash has at most hash-max-listpack-entries fields and every field and
// value is at most hash-max-listpack-value bytes. For 128 short pairs a
// lookup scans a few KB at most, cheaper than hashing and chasing pointers.
//
// "hashtable": a BucketTable (the keyspace's table, engine/table.h) of
// FieldEntry pointers; each FieldEntry is one allocation holding
// [varint fieldLen][varint valueLen][field][value], so a small pair costs one
// malloc chunk plus ~14-17 bytes of bucket array (no dictEntry, no separate
// sds for field and value, no robj).
//
// Conversion is Redis 7.0's: set() converts before writing a field or value
// longer than the value limit, and after an insert that takes the length
// past the entries limit (so the 129th field, or a 65-byte value, with the
// defaults). A hash never converts back to a listpack.
//
// Lifetimes: string_views returned by get() and passed to forEach/scan
// callbacks are valid until the next mutation of this value.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "erdtree/engine/encoding_limits.h"
#include "erdtree/engine/object.h"
#include "erdtree/engine/table.h"

namespace erdtree::engine {

// One field/value pair of the hashtable encoding, in a single allocation.
class FieldEntry {
 public:
  static FieldEntry* make(std::string_view field, std::string_view value);
  static void destroy(FieldEntry* e);
  // A copy of e carrying a new value (e is freed).
  static FieldEntry* withValue(FieldEntry* e, std::string_view value);

  std::string_view field() const;
  std::string_view value() const;
  // Bytes the allocation takes, including the allocator's chunk header.
  size_t allocatedBytes() const;

 private:
  FieldEntry() = default;
  struct Lens {
    size_t fieldLen, valueLen, header;
  };
  Lens lens() const;
  size_t blockBytes() const;  // the size it was allocated with
  unsigned char bytes_[1];
};

struct FieldKeyOf {
  std::string_view operator()(const FieldEntry* e) const { return e->field(); }
};
using FieldTable = BucketTable<FieldEntry, FieldKeyOf>;

class HashValue : public Object {
 public:
  HashValue() = default;
  ~HashValue() override;
  HashValue(const HashValue&) = delete;
  HashValue& operator=(const HashValue&) = delete;

  std::unique_ptr<Object> clone() const override;
  size_t memoryUsage() const override;
  std::string_view encodingName() const override { return listpack_ ? "listpack" : "hashtable"; }
  size_t length() const override { return listpack_ ? lpCount_ : table_->size(); }
  size_t freeEffort() const override { return listpack_ ? 1 : table_->size(); }

  bool isListpack() const { return listpack_; }

  std::optional<std::string_view> get(std::string_view field);
  bool contains(std::string_view field) { return get(field).has_value(); }
  // Sets field to value; returns true if the field is new. Converts to the
  // hashtable encoding as described above.
  bool set(std::string_view field, std::string_view value, const EncodingLimits& limits);
  // Removes field; returns false if it was absent.
  bool remove(std::string_view field);

  // Calls fn(field, value) for every pair: insertion order for a listpack,
  // table order for a hashtable. fn must not mutate this value.
  template <class Fn>
  void forEach(Fn&& fn) const {
    if (listpack_) {
      for (size_t pos = 0; pos < lp_.size();) {
        std::string_view f = lpRead(pos), v = lpRead(pos);
        fn(f, v);
      }
      return;
    }
    table_->forEach([&](FieldEntry* e) { fn(e->field(), e->value()); });
  }

  // One step of a cursor scan over the hashtable encoding (Redis's
  // reverse-binary cursor, see table.h); returns the next cursor, 0 at the
  // end. For a listpack it visits every pair and returns 0.
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) {
    if (listpack_) {
      forEach(fn);
      return 0;
    }
    return table_->scan(cursor, [&](FieldEntry* e) { fn(e->field(), e->value()); });
  }

  // A random pair (the hash must not be empty); random is a fresh 64-bit
  // random number.
  std::pair<std::string_view, std::string_view> randomPair(uint64_t random);

  // Converts a listpack to a hashtable now (no-op otherwise).
  void convertToTable();

 private:
  // Reads one length-prefixed string at pos and advances pos past it.
  std::string_view lpRead(size_t& pos) const;
  // Offset of field's pair in the listpack, or npos.
  size_t lpFind(std::string_view field) const;
  void lpAppend(std::string_view s);

  bool listpack_ = true;
  uint32_t lpCount_ = 0;
  std::string lp_;
  std::unique_ptr<FieldTable> table_;  // allocated on conversion
  size_t entryBytes_ = 0;  // allocated bytes of all FieldEntry allocations
};

}  // namespace erdtree::engine
