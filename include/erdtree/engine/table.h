#pragma once
// BucketTable: the keyspace hash table. It stores non-owning T* pointers and
// finds an entry's key through KeyOf{}(const T*) -> std::string_view.
//
// Layout. Buckets are one 64-byte cache line: 8 bytes of metadata, then 7
// pointer slots. Metadata byte 0 holds a presence bit per slot (bits 0-6) and
// the "chained" flag (bit 7); bytes 1-7 hold a tag per slot, the hash's top 8
// bits. A lookup compares the 7 tags at once (SWAR on the metadata word), so a
// miss dereferences an entry only on a 1-in-256 tag collision. The bucket
// index is hash & mask (low bits). When a full bucket receives one more entry
// it becomes chained: slot 6 then points to a child bucket (allocated on
// demand), which takes slot 6's entry and the new one; children chain the
// same way. An entry always lives in its home bucket or that bucket's chain.
// Chains stay compact: only the last bucket of a chain has free slots (a
// removal fills its hole from the tail), and a tail left with one entry or
// none is folded back into its parent and freed.
//
// Size. Bucket counts are powers of two. The table grows x2 when size exceeds
// kMaxFillPercent (77%) of 7 * buckets, i.e. about 5.4 entries per bucket,
// and shrinks (to about 50% fill, never below kMinBuckets) when size falls
// under 1/8 of 7 * buckets. The bucket array costs 64 / (7 * fill) bytes per
// entry: 11.9 just before a growth, 23.7 just after it; child buckets add
// about 2 bytes per entry at the top of that range (with random hashes ~18%
// of buckets hold more than 7 entries at 77% fill). Measured (memoryUsage()
// / size(), allocator overhead not counted): 13.99 at 1,412,956 entries in
// 2^18 buckets (77%, the top); 17.46 at 1M entries, which cannot do better
// than 16.8 since 2^17 buckets hold only 917,504. A chaining table with
// 24-byte nodes and a pointer array costs ~32.
//
// Incremental rehash. Resizing allocates the new array zeroed without a
// memset (see allocArray) and then migrates old buckets, in index order, a
// few at a time: one non-empty bucket (and its chain), or up to 10 empty
// ones, on every insertNew/remove/find/findRef; the server's cron calls
// rehashStep / rehashForMicroseconds for the rest. While rehashing, lookups
// check both tables (old bucket first, if not yet migrated) and inserts go to
// the new table. Migrated 2 MiB stretches of a large old array are handed
// back to the kernel as the rehash passes them (~150 us each), so finishing
// a rehash frees little: unmapping a resident 256 MB array at once takes
// ~20 ms. No operation ever walks a whole table, except clear() and
// forEach(). A new resize never starts while one is in progress; chains
// absorb any overflow meanwhile.
//
// SCAN. scan() uses Redis's reverse-binary cursor: the cursor's bits are
// incremented from the top of the mask down, so buckets of a larger table
// that expand an already visited bucket of a smaller one come after it, and
// buckets of a smaller table whose expansions were all visited are done too.
// While rehashing, a call visits one bucket of the smaller table and every
// bucket of the larger table that expands it. Guarantee: an entry present
// from the first call (cursor 0) to the last (returned 0) is visited at least
// once, even if the table grows, shrinks or rehashes between calls. Limits:
// entries may be visited more than once (mainly when the table shrinks
// during the scan), entries added or removed during the scan may or
// may not be visited, and a call visits whole chains, so its work is not
// strictly bounded (chains are short with a random seed).
//
// Lifetimes. The table never frees a T. Pointers returned by find() and slot
// references from findRef() stay valid only until the next call that may
// mutate the table, and find()/findRef() themselves migrate buckets while
// rehashing. Callbacks of scan() and forEach() must not call any non-const
// member (find included).
#include <bit>
#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

#include <sys/mman.h>

#include "erdtree/util/hash.h"
#include "erdtree/util/alloc_counter.h"

namespace erdtree::engine {

// The default key hash: the process-wide seeded hash. Tests substitute their
// own to force collisions.
struct SeededKeyHash {
  uint64_t operator()(std::string_view key, uint64_t seed) const { return util::hashBytes(key, seed); }
};

template <typename T, typename KeyOf, typename Hasher = SeededKeyHash>
class BucketTable {
 public:
  static constexpr int kSlots = 7;
  // Grow when size > 77% of 7 * buckets (~5.4 entries per bucket): about 12
  // bytes of bucket array per entry at the top while under a fifth of the
  // buckets need a child.
  static constexpr size_t kMaxFillPercent = 77;
  // Shrink when size < capacity / 8, to the smallest table at most this full.
  static constexpr size_t kShrinkDivisor = 8;
  static constexpr size_t kResizeTargetFillPercent = 50;
  static constexpr size_t kMinBuckets = 4;
  // Rehash work piggybacked on each insertNew/remove/find/findRef: migrate
  // this many non-empty old buckets, skipping at most kEmptyVisitsPerBucket
  // empty ones per bucket allowed.
  static constexpr int kRehashBucketsPerOp = 1;
  static constexpr int kEmptyVisitsPerBucket = 10;
  // randomEntry: rejection-sampling attempts before a linear fallback.
  static constexpr int kRandomAttempts = 64;
  // Arrays of at least this size are mmap'ed (see allocArray).
  static constexpr size_t kMmapMinBytes = size_t{1} << 20;
  // Granularity at which a migrated old array is returned (one huge page).
  static constexpr size_t kReleaseChunkBytes = size_t{2} << 20;

  BucketTable() : seed_(util::hashSeed()) {}
  ~BucketTable() { releaseAll(); }

  BucketTable(BucketTable&& other) noexcept { stealFrom(other); }
  BucketTable& operator=(BucketTable&& other) noexcept {
    if (this != &other) {
      releaseAll();
      stealFrom(other);
    }
    return *this;
  }
  BucketTable(const BucketTable&) = delete;
  BucketTable& operator=(const BucketTable&) = delete;

  // The hash this table uses for key; for find(key, hash).
  uint64_t hashKey(std::string_view key) const { return Hasher{}(key, seed_); }

  T* find(std::string_view key) {
    if (size_ == 0) return nullptr;
    return find(key, hashKey(key));
  }
  T* find(std::string_view key, uint64_t hash) {
    Slot* s = findRefHashed(key, hash);
    return s == nullptr ? nullptr : s->entry;
  }

  // Address of the slot holding key's entry (nullptr if absent), to swap in
  // a reallocated entry with the same key. Valid until the next call that
  // may mutate the table (find included).
  T** findRef(std::string_view key) {
    if (size_ == 0) return nullptr;
    Slot* s = findRefHashed(key, hashKey(key));
    return s == nullptr ? nullptr : &s->entry;
  }

  // Adds entry, whose key must be absent.
  void insertNew(T* entry) {
    assert(entry != nullptr);
    if (tables_[0].count == 0) {
      seed_ = util::hashSeed();  // an empty table adopts the current seed
      tables_[0] = allocArray(kMinBuckets);
      updateThresholds();
    }
    const uint64_t h = hashKey(KeyOf{}(entry));
    if (rehashing_) rehashStep(kRehashBucketsPerOp);
    assert(lookup(KeyOf{}(entry), h).slot == nullptr);
    if (!rehashing_ && size_ >= growAt_) startResize(growTarget());
    Array& t = rehashing_ ? tables_[1] : tables_[0];
    chainInsert(&t.buckets[h & t.mask], entry, tagOf(h));
    ++size_;
  }

  // Removes key's entry and returns it, or nullptr if absent.
  T* remove(std::string_view key) {
    if (size_ == 0) return nullptr;
    const uint64_t h = hashKey(key);
    if (rehashing_) rehashStep(kRehashBucketsPerOp);
    Found f = lookup(key, h);
    if (f.slot == nullptr) return nullptr;
    T* e = f.slot->entry;
    removeAt(f.home, f.bucket, static_cast<int>(f.slot - f.bucket->slots));
    --size_;
    maybeShrink();
    return e;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Buckets of the table that receives inserts (the new one while rehashing).
  size_t bucketCount() const { return rehashing_ ? tables_[1].count : tables_[0].count; }
  bool isRehashing() const { return rehashing_; }
  // Next old bucket to migrate (0 when not rehashing); for tests and INFO.
  size_t rehashPosition() const { return rehashing_ ? rehashIdx_ : 0; }
  size_t childBucketCount() const { return children_; }
  // Bytes of bucket arrays (both while rehashing) and child buckets.
  size_t memoryUsage() const {
    return (tables_[0].count - releasedBuckets_ + tables_[1].count + children_) * sizeof(Bucket);
  }

  // Migrates up to maxBuckets non-empty old buckets (visiting at most
  // 10 * maxBuckets empty ones). Returns true while rehashing remains.
  bool rehashStep(int maxBuckets) {
    if (!rehashing_) return false;
    Array& from = tables_[0];
    int emptyLeft = maxBuckets * kEmptyVisitsPerBucket;
    while (maxBuckets > 0 && rehashIdx_ < from.count) {
      Bucket* b = &from.buckets[rehashIdx_];
      if (b->meta == 0) {
        ++rehashIdx_;
        if (--emptyLeft <= 0) break;
        continue;
      }
      migrate(b);
      ++rehashIdx_;
      --maxBuckets;
    }
    if (rehashIdx_ == from.count) {
      finishRehash();
    } else {
      releaseMigrated();
    }
    return rehashing_;
  }

  // Rehashes in steps of 100 buckets until done or `us` microseconds passed.
  void rehashForMicroseconds(int64_t us) {
    const auto start = std::chrono::steady_clock::now();
    while (rehashStep(100)) {
      if (std::chrono::steady_clock::now() - start >= std::chrono::microseconds(us)) break;
    }
  }

  // Calls fn(T*) for the entries of the bucket(s) the cursor names and
  // returns the next cursor, 0 when the scan is complete (see the header
  // comment for the guarantee). fn must not mutate the table.
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) {
    if (size_ == 0) return 0;
    if (!rehashing_) {
      const Array& t = tables_[0];
      visitChain(&t.buckets[cursor & t.mask], fn);
      return nextCursor(cursor, t.mask);
    }
    const Array* small = &tables_[0];
    const Array* large = &tables_[1];
    if (small->count > large->count) std::swap(small, large);
    // Migrated old buckets are empty (released stretches read as zero
    // pages), so no index check is needed.
    visitChain(&small->buckets[cursor & small->mask], fn);
    do {
      visitChain(&large->buckets[cursor & large->mask], fn);
      cursor = nextCursor(cursor, large->mask);
    } while ((cursor & (small->mask ^ large->mask)) != 0);
    return cursor;
  }

  // A random entry (nullptr when empty). Draws buckets uniformly and accepts
  // one with n entries with probability n/7, which makes every entry equally
  // likely except in chains longer than 7 (slightly under-drawn).
  T* randomEntry(uint64_t random) {
    if (size_ == 0) return nullptr;
    const size_t oldLive = rehashing_ ? tables_[0].count - rehashIdx_ : tables_[0].count;
    const size_t live = oldLive + (rehashing_ ? tables_[1].count : 0);
    uint64_t state = random;
    for (int attempt = 0; attempt < kRandomAttempts; ++attempt) {
      const size_t pick = static_cast<size_t>(splitmix(state) % live);
      Bucket* b = pick < oldLive ? &tables_[0].buckets[pick + (rehashing_ ? rehashIdx_ : 0)]
                                 : &tables_[1].buckets[pick - oldLive];
      const size_t n = chainCount(b);
      if (n == 0) continue;
      const size_t k = static_cast<size_t>(splitmix(state) % (n > kSlots ? n : kSlots));
      if (k < n) return nthInChain(b, k);
    }
    // Very sparse table (mid-shrink): first non-empty bucket from a random start.
    const size_t start = static_cast<size_t>(splitmix(state) % live);
    for (size_t i = 0; i < live; ++i) {
      const size_t pick = (start + i) % live;
      Bucket* b = pick < oldLive ? &tables_[0].buckets[pick + (rehashing_ ? rehashIdx_ : 0)]
                                 : &tables_[1].buckets[pick - oldLive];
      const size_t n = chainCount(b);
      if (n != 0) return nthInChain(b, static_cast<size_t>(splitmix(state) % n));
    }
    return nullptr;  // unreachable while size_ > 0
  }

  // Calls fn(T*) once for every entry. fn must not mutate the table.
  template <class Fn>
  void forEach(Fn&& fn) {
    for (int t = 0; t < 2; ++t) {
      const Array& a = tables_[t];
      for (size_t i = (t == 0 && rehashing_) ? rehashIdx_ : 0; i < a.count; ++i) visitChain(&a.buckets[i], fn);
    }
  }

  // Calls release(T*) on every entry, then resets to an empty table with no
  // bucket array.
  template <class Fn>
  void clear(Fn&& release) {
    forEach(release);
    releaseAll();
    resetEmpty();
  }

 private:
  struct Bucket;
  union Slot {
    T* entry;
    Bucket* child;  // slot 6 of a chained bucket
  };
  struct alignas(64) Bucket {
    uint8_t meta;  // bits 0-6: slot holds an entry; bit 7: chained
    uint8_t tags[kSlots];
    Slot slots[kSlots];
  };
  static_assert(sizeof(Bucket) == 64);
  static_assert(std::endian::native == std::endian::little, "metadata word assumes little-endian");

  static constexpr uint8_t kChained = 0x80;
  static constexpr uint8_t kAllSlots = 0x7f;
  static constexpr uint8_t kEntrySlotsWhenChained = 0x3f;
  static constexpr int kChildSlot = kSlots - 1;

  struct Array {
    Bucket* buckets = nullptr;
    void* raw = nullptr;  // what to free (calloc) or unmap
    size_t count = 0;
    size_t mask = 0;
    bool mapped = false;
  };
  static constexpr size_t kReleaseChunkBuckets = kReleaseChunkBytes / 64;

  struct Found {
    Slot* slot = nullptr;
    Bucket* bucket = nullptr;
    Bucket* home = nullptr;
  };

  static uint8_t tagOf(uint64_t h) { return static_cast<uint8_t>(h >> 56); }
  static bool isChained(const Bucket* b) { return (b->meta & kChained) != 0; }
  static unsigned presence(const Bucket* b) { return b->meta & kAllSlots; }

  // Slots whose entry is present and whose tag equals tag: the 8 metadata
  // bytes are compared at once with an exact zero-byte test.
  static unsigned matchTags(const Bucket* b, uint8_t tag) {
    uint64_t w;
    std::memcpy(&w, static_cast<const void*>(b), sizeof(w));
    const uint64_t x = (w ^ (0x0101010101010101ULL * tag)) >> 8;  // byte i: tag i xor tag
    constexpr uint64_t k7f = 0x7f7f7f7f7f7f7f7fULL;
    const uint64_t zero = ~(((x & k7f) + k7f) | x | k7f);  // 0x80 in each zero byte
    // Gather the byte flags into bits 0-7 (no two partial products collide).
    const unsigned bits = static_cast<unsigned>(((zero >> 7) * 0x0102040810204080ULL) >> 56);
    return bits & static_cast<unsigned>(w & kAllSlots);
  }

  static Bucket* newChild() {
    auto* b = static_cast<Bucket*>(::operator new(sizeof(Bucket), std::align_val_t{alignof(Bucket)}));
    b->meta = 0;
    return b;
  }
  void freeChild(Bucket* b) {
    ::operator delete(b, std::align_val_t{alignof(Bucket)});
    --children_;
  }

  // Zeroed bucket arrays without a memset of the whole array. Small ones are
  // calloc'd, over-allocated by 63 bytes and aligned by hand. Large ones are
  // mmap'ed directly: the kernel zero-fills pages lazily on first touch.
  // (calloc alone does not guarantee that: glibc serves a large request from
  // a free heap chunk when it has one, and then memsets it; measured 26-40 ms
  // for a 32 MiB array on this machine.)
  static Array allocArray(size_t count) {
    Array a;
    a.count = count;
    a.mask = count - 1;
    const size_t bytes = count * sizeof(Bucket);
    if (bytes >= kMmapMinBytes) {
      void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      util::countMapped(static_cast<int64_t>(bytes));  // used_memory counts the whole mapping
      a.raw = p;
      a.buckets = std::launder(reinterpret_cast<Bucket*>(p));  // page-aligned
      a.mapped = true;
      return a;
    }
    void* raw = util::countedCalloc(1, bytes + alignof(Bucket) - 1);
    if (raw == nullptr) throw std::bad_alloc();
    const uintptr_t aligned = (reinterpret_cast<uintptr_t>(raw) + alignof(Bucket) - 1) & ~uintptr_t{alignof(Bucket) - 1};
    a.buckets = std::launder(reinterpret_cast<Bucket*>(aligned));
    a.raw = raw;
    return a;
  }

  static void freeArray(Array& a) {
    if (a.count == 0) return;
    if (a.mapped) {
      ::munmap(a.raw, a.count * sizeof(Bucket));
      util::countMapped(-static_cast<int64_t>(a.count * sizeof(Bucket)));
    } else {
      util::countedFree(a.raw);
    }
  }

  // Returns fully migrated 2 MiB stretches of a mapped old array to the
  // kernel. They read back as zero pages (empty buckets), so scan() may still
  // look at them.
  void releaseMigrated() {
    Array& from = tables_[0];
    if (!from.mapped) return;
    while (rehashIdx_ >= releasedBuckets_ + kReleaseChunkBuckets) {
      ::madvise(reinterpret_cast<char*>(from.buckets) + releasedBuckets_ * sizeof(Bucket), kReleaseChunkBytes,
                MADV_DONTNEED);
      releasedBuckets_ += kReleaseChunkBuckets;
    }
  }

  static uint64_t splitmix(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  static uint64_t reverseBits(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    return __builtin_bswap64(v);
  }

  // Adds one to the cursor's bits under mask, counting from the top bit down.
  static uint64_t nextCursor(uint64_t cursor, uint64_t mask) {
    cursor |= ~mask;
    return reverseBits(reverseBits(cursor) + 1);
  }

  template <class Fn>
  static void visitChain(Bucket* b, Fn& fn) {
    for (;;) {
      for (unsigned p = presence(b); p != 0; p &= p - 1) fn(b->slots[std::countr_zero(p)].entry);
      if (!isChained(b)) return;
      b = b->slots[kChildSlot].child;
    }
  }

  static size_t chainCount(const Bucket* b) {
    size_t n = 0;
    for (;;) {
      n += static_cast<size_t>(std::popcount(presence(b)));
      if (!isChained(b)) return n;
      b = b->slots[kChildSlot].child;
    }
  }

  static T* nthInChain(Bucket* b, size_t k) {
    for (;;) {
      for (unsigned p = presence(b); p != 0; p &= p - 1) {
        if (k-- == 0) return b->slots[std::countr_zero(p)].entry;
      }
      b = b->slots[kChildSlot].child;  // k < chainCount, so a child exists
    }
  }

  static Found findInChain(Bucket* home, std::string_view key, uint8_t tag) {
    Bucket* b = home;
    for (;;) {
      for (unsigned m = matchTags(b, tag); m != 0; m &= m - 1) {
        Slot* s = &b->slots[std::countr_zero(m)];
        if (KeyOf{}(s->entry) == key) return Found{s, b, home};
      }
      if (!isChained(b)) return Found{};
      b = b->slots[kChildSlot].child;
    }
  }

  // Looks in both tables without rehashing.
  Found lookup(std::string_view key, uint64_t h) {
    const uint8_t tag = tagOf(h);
    const Array& t0 = tables_[0];
    const size_t i0 = h & t0.mask;
    if (!rehashing_) return findInChain(&t0.buckets[i0], key, tag);
    if (i0 >= rehashIdx_) {
      Found f = findInChain(&t0.buckets[i0], key, tag);
      if (f.slot != nullptr) return f;
    }
    const Array& t1 = tables_[1];
    return findInChain(&t1.buckets[h & t1.mask], key, tag);
  }

  Slot* findRefHashed(std::string_view key, uint64_t h) {
    if (size_ == 0) return nullptr;
    if (rehashing_) rehashStep(kRehashBucketsPerOp);
    return lookup(key, h).slot;
  }

  // Puts entry in the first free slot of b's chain, chaining a full tail.
  void chainInsert(Bucket* b, T* entry, uint8_t tag) {
    for (;;) {
      const unsigned usable = isChained(b) ? kEntrySlotsWhenChained : kAllSlots;
      const unsigned freeSlots = ~static_cast<unsigned>(b->meta) & usable;
      if (freeSlots != 0) {
        const int i = std::countr_zero(freeSlots);
        b->slots[i].entry = entry;
        b->tags[i] = tag;
        b->meta = static_cast<uint8_t>(b->meta | (1u << i));
        return;
      }
      if (isChained(b)) {
        b = b->slots[kChildSlot].child;
        continue;
      }
      Bucket* c = newChild();
      ++children_;
      c->slots[0] = b->slots[kChildSlot];
      c->tags[0] = b->tags[kChildSlot];
      c->slots[1].entry = entry;
      c->tags[1] = tag;
      c->meta = 0x03;
      b->slots[kChildSlot].child = c;
      b->meta = static_cast<uint8_t>((b->meta & kEntrySlotsWhenChained) | kChained);
      return;
    }
  }

  // Empties slot i of bucket b (in home's chain) and keeps the chain compact.
  void removeAt(Bucket* home, Bucket* b, int i) {
    b->meta = static_cast<uint8_t>(b->meta & ~(1u << i));
    if (!isChained(home)) return;
    Bucket* parent = nullptr;
    Bucket* tail = home;
    while (isChained(tail)) {
      parent = tail;
      tail = tail->slots[kChildSlot].child;
    }
    if (tail != b) {  // fill the hole from the tail (which is never empty)
      const int j = 31 - std::countl_zero(presence(tail));
      b->slots[i] = tail->slots[j];
      b->tags[i] = tail->tags[j];
      b->meta = static_cast<uint8_t>(b->meta | (1u << i));
      tail->meta = static_cast<uint8_t>(tail->meta & ~(1u << j));
    }
    const unsigned p = presence(tail);
    if (std::popcount(p) > 1) return;
    // Fold the tail's last entry (if any) into the parent's child slot.
    uint8_t meta = parent->meta & kEntrySlotsWhenChained;
    if (p != 0) {
      const int j = std::countr_zero(p);
      parent->slots[kChildSlot] = tail->slots[j];
      parent->tags[kChildSlot] = tail->tags[j];
      meta = static_cast<uint8_t>(meta | (1u << kChildSlot));
    }
    parent->meta = meta;
    freeChild(tail);
  }

  // Moves every entry of old bucket b's chain to the new table.
  void migrate(Bucket* b) {
    Array& to = tables_[1];
    Bucket* cur = b;
    for (;;) {
      for (unsigned p = presence(cur); p != 0; p &= p - 1) {
        T* e = cur->slots[std::countr_zero(p)].entry;
        const uint64_t h = hashKey(KeyOf{}(e));
        chainInsert(&to.buckets[h & to.mask], e, tagOf(h));
      }
      Bucket* next = isChained(cur) ? cur->slots[kChildSlot].child : nullptr;
      if (cur != b) freeChild(cur);
      if (next == nullptr) break;
      cur = next;
    }
    b->meta = 0;
  }

  static size_t bucketsForFill(size_t n, size_t fillPercent) {
    size_t buckets = kMinBuckets;
    while (n * 100 > buckets * kSlots * fillPercent) buckets *= 2;
    return buckets;
  }

  size_t growTarget() const {
    const size_t doubled = tables_[0].count * 2;
    const size_t needed = bucketsForFill(size_ + 1, kResizeTargetFillPercent);
    return needed > doubled ? needed : doubled;
  }

  void maybeShrink() {
    if (rehashing_ || size_ >= shrinkAt_ || tables_[0].count <= kMinBuckets) return;
    startResize(bucketsForFill(size_, kResizeTargetFillPercent));
  }

  void startResize(size_t count) {
    tables_[1] = allocArray(count);
    rehashing_ = true;
    rehashIdx_ = 0;
    releasedBuckets_ = 0;
  }

  void finishRehash() {
    freeArray(tables_[0]);
    tables_[0] = tables_[1];
    tables_[1] = Array{};
    rehashing_ = false;
    rehashIdx_ = 0;
    releasedBuckets_ = 0;
    updateThresholds();
    if (size_ > growAt_) {
      startResize(growTarget());
    } else {
      maybeShrink();
    }
  }

  void updateThresholds() {
    growAt_ = tables_[0].count * kSlots * kMaxFillPercent / 100;
    shrinkAt_ = tables_[0].count * kSlots / kShrinkDivisor;
  }

  // Frees child buckets and arrays; leaves members dangling (see resetEmpty).
  void releaseAll() {
    for (Array& a : tables_) {
      if (a.count == 0) continue;
      for (size_t i = 0; children_ != 0 && i < a.count; ++i) {
        Bucket* b = &a.buckets[i];
        while (isChained(b)) {
          Bucket* c = b->slots[kChildSlot].child;
          b->meta = 0;
          if (b != &a.buckets[i]) freeChild(b);
          b = c;
        }
        if (b != &a.buckets[i]) freeChild(b);
      }
      freeArray(a);
    }
  }

  void resetEmpty() {
    tables_[0] = Array{};
    tables_[1] = Array{};
    size_ = 0;
    children_ = 0;
    rehashing_ = false;
    rehashIdx_ = 0;
    releasedBuckets_ = 0;
    growAt_ = 0;
    shrinkAt_ = 0;
  }

  void stealFrom(BucketTable& other) {
    tables_[0] = other.tables_[0];
    tables_[1] = other.tables_[1];
    size_ = other.size_;
    children_ = other.children_;
    rehashIdx_ = other.rehashIdx_;
    releasedBuckets_ = other.releasedBuckets_;
    growAt_ = other.growAt_;
    shrinkAt_ = other.shrinkAt_;
    seed_ = other.seed_;
    rehashing_ = other.rehashing_;
    other.resetEmpty();
  }

  Array tables_[2];  // [0] current (old while rehashing), [1] rehash target
  size_t size_ = 0;
  size_t children_ = 0;
  size_t rehashIdx_ = 0;        // next bucket of tables_[0] to migrate
  size_t releasedBuckets_ = 0;  // leading buckets of tables_[0] given back
  size_t growAt_ = 0;
  size_t shrinkAt_ = 0;
  uint64_t seed_ = 0;
  bool rehashing_ = false;
};

}  // namespace erdtree::engine
