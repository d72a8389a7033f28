#pragma once
// One key and its value in a single heap allocation, so the keyspace table
// holds one pointer per key and a lookup touches one cache line or two:
//
//   [meta u8: type(4) | flags(4)] [lru u24] [varint keyLen] [varint valLen]
//   [expireAtMs i64, only when kHasExpire] [key bytes] [value bytes]
//
// Strings live inline. Other types store an owning pointer to their object
// as an 8-byte value. The block comes from util/small_alloc.h's slabs, sized
// to 8 bytes: for 10-byte keys and values this is 26 bytes in a 32-byte slot
// (a glibc chunk would be 48) against Redis's dictEntry + robj + two sds
// headers. A TTL costs 8 bytes inside the same block.
//
// Entries change size (new value, TTL added or removed) by reallocation: the
// caller swaps the new pointer into the table slot (BucketTable::findRef).
// A block is freed with its size, which the entry itself encodes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "erdtree/engine/object.h"

namespace erdtree::engine {

// Values match Redis's RDB type order for the TYPE names that exist.
enum class ValueType : uint8_t { String = 0, List = 1, Set = 2, ZSet = 3, Hash = 4 };

constexpr int64_t kNoExpire = -1;

class Entry {
 public:
  static Entry* makeString(std::string_view key, std::string_view value, int64_t expireAtMs = kNoExpire);
  // A key holding a non-string value; takes ownership of obj.
  static Entry* makeObject(std::string_view key, ValueType type, std::unique_ptr<Object> obj,
                           int64_t expireAtMs = kNoExpire);
  // Frees the entry and, for non-string types, its value.
  static void destroy(Entry* e);

  ValueType type() const { return static_cast<ValueType>(meta_ & 0x0f); }
  std::string_view key() const;
  std::string_view stringValue() const;  // type() == String
  // Writable view of the value bytes (same length); for in-place INCR/SETRANGE.
  char* mutableValue();
  // The value object of a non-string key (type() != String).
  Object* object() const;

  bool hasExpire() const { return (meta_ & kHasExpire) != 0; }
  int64_t expireAt() const;  // kNoExpire when none
  bool expiredAt(int64_t nowMs) const { return hasExpire() && expireAt() <= nowMs; }

  // Raw encoding flag: set by APPEND/SETRANGE, as Redis reports "raw" for a
  // string modified in place even when short.
  bool rawEncoded() const { return (meta_ & kRawEncoded) != 0; }
  void setRawEncoded(bool raw) { meta_ = raw ? (meta_ | kRawEncoded) : (meta_ & ~kRawEncoded); }

  // Set for strings Redis never int-encodes (INCRBYFLOAT results): they
  // report embstr/raw by length even when they look like integers.
  bool plainEncoded() const { return (meta_ & kPlainEncoded) != 0; }
  void setPlainEncoded(bool plain) { meta_ = plain ? (meta_ | kPlainEncoded) : (meta_ & ~kPlainEncoded); }

  // Set on a string COPY made: Redis duplicates the value there, so a small
  // integer is no longer its shared object (OBJECT REFCOUNT 1, not immortal).
  // Cleared, like the flags above, when a new value is stored.
  bool unshared() const { return (meta_ & kUnshared) != 0; }
  void setUnshared(bool unshared) { meta_ = unshared ? (meta_ | kUnshared) : (meta_ & ~kUnshared); }

  uint32_t lru() const { return static_cast<uint32_t>(lru_[0]) | (lru_[1] << 8) | (static_cast<uint32_t>(lru_[2]) << 16); }
  void setLru(uint32_t clock) {
    lru_[0] = static_cast<uint8_t>(clock);
    lru_[1] = static_cast<uint8_t>(clock >> 8);
    lru_[2] = static_cast<uint8_t>(clock >> 16);
  }

  size_t allocatedBytes() const;

  // The functions below may reallocate: they consume `e` and return the entry
  // to use from now on (same key, same lru).
  static Entry* setExpire(Entry* e, int64_t expireAtMs);  // kNoExpire removes it
  static Entry* setStringValue(Entry* e, std::string_view value);  // keeps the TTL
  // Grows the value to newLen bytes (new bytes zeroed) without touching the
  // existing ones; for APPEND and SETRANGE.
  static Entry* resizeString(Entry* e, size_t newLen);
  // A deep copy of e under another key, keeping value, TTL, flags and lru (COPY).
  static Entry* cloneWithKey(const Entry* e, std::string_view newKey);
  // e under another key, taking over its value without copying it (RENAME);
  // consumes e.
  static Entry* moveToKey(Entry* e, std::string_view newKey);

 private:
  static constexpr uint8_t kHasExpire = 0x10;
  static constexpr uint8_t kRawEncoded = 0x20;
  static constexpr uint8_t kPlainEncoded = 0x40;
  static constexpr uint8_t kUnshared = 0x80;

  struct Layout {
    size_t keyLen, valLen, keyOffset, valOffset, expireOffset, total;
  };
  Layout layout() const;
  static Entry* build(ValueType type, std::string_view key, size_t valLen, int64_t expireAtMs);

  uint8_t meta_;
  uint8_t lru_[3];
};

static_assert(sizeof(Entry) == 4);

}  // namespace erdtree::engine
