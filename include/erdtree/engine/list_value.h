#pragma once
// A list value: a sequence of chunks, each one malloc'd buffer of packed
// elements (Redis's quicklist of listpacks, without a node per element).
//
//   chunk: [begin u32][end u32][cap u32][count u32][data: cap bytes]
//   element in data[begin, end): [len LEB128][bytes][len LEB128, bytes reversed]
//
// The length is written at both ends of an element so a chunk can be walked
// forward and backward (Redis's listpack keeps a back-length for the same
// reason). A small element costs its bytes plus 2. Free space may sit at
// both ends of a chunk, so pushes and pops at either end of the list are
// O(1) amortized; a chunk that fills up is shrunk to its exact size, so only
// the two end chunks carry slack. Middle edits (LSET, LINSERT, LREM) rebuild
// the one chunk they touch, which is bounded by the chunk limit.
//
// The chunk limit follows list-max-listpack-size: -1..-5 cap a chunk at
// 4/8/16/32/64 KiB of data, a positive value caps its element count (with an
// 8 KiB safety size, as Redis). An element larger than the limit gets a
// chunk of its own. Redis 7.0 reports every list as "quicklist".
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "erdtree/engine/object.h"

namespace erdtree::engine {

class ListValue : public Object {
 public:
  explicit ListValue(int64_t fill = -2);
  ~ListValue() override;
  ListValue(const ListValue&) = delete;
  ListValue& operator=(const ListValue&) = delete;

  std::unique_ptr<Object> clone() const override;
  size_t memoryUsage() const override;
  std::string_view encodingName() const override { return "quicklist"; }
  size_t length() const override { return count_; }

  // list-max-listpack-size for chunks created from now on.
  void setFill(int64_t fill) { fill_ = fill; }
  size_t chunkCount() const { return chunks_.size(); }
  size_t freeEffort() const override { return chunks_.size(); }  // Redis: quicklist nodes

  void pushFront(std::string_view v);
  void pushBack(std::string_view v);
  // Precondition: length() > 0.
  std::string popFront();
  std::string popBack();

  // Element at index 0..length()-1; the view lives until the next change.
  std::string_view at(size_t index) const;
  // Replaces the element at index (0..length()-1).
  void set(size_t index, std::string_view v);
  // Inserts v before or after the first element equal to pivot; false if none.
  bool insert(std::string_view pivot, std::string_view v, bool after);
  // Removes up to `limit` elements equal to v (0: all), from the head, or
  // from the tail when fromTail. Returns how many were removed.
  size_t remove(std::string_view v, size_t limit, bool fromTail);
  // Drops n elements at the front / back (n may exceed the length).
  void dropFront(size_t n);
  void dropBack(size_t n);

  // Calls f(view) for elements index, index+1, ... while f returns true.
  template <class F>
  void forEachFrom(size_t index, F&& f) const;
  // Calls f(view) for elements index, index-1, ..., 0 while f returns true.
  template <class F>
  void forEachBackFrom(size_t index, F&& f) const;

  struct Chunk;

 private:
  // Position of an element: chunk number and byte offset inside its data.
  struct Pos {
    size_t chunk;
    uint32_t off;
  };
  Pos locate(size_t index) const;
  static std::string_view readAt(const Chunk* c, uint32_t off, uint32_t& next);
  static uint32_t prevOff(const Chunk* c, uint32_t off);
  size_t limitBytes() const;
  bool fits(const Chunk* c, size_t elemBytes) const;
  // Replaces chunk i by chunks packed from items (none if items is empty).
  void rebuildChunk(size_t i, const std::vector<std::string_view>& items);

  std::vector<Chunk*> chunks_;
  size_t count_ = 0;
  int64_t fill_;
};

struct ListValue::Chunk {
  uint32_t begin, end, cap, count;
  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
};

template <class F>
void ListValue::forEachFrom(size_t index, F&& f) const {
  if (index >= count_) return;
  Pos p = locate(index);
  for (size_t ci = p.chunk; ci < chunks_.size(); ++ci) {
    const Chunk* c = chunks_[ci];
    uint32_t off = ci == p.chunk ? p.off : c->begin;
    while (off < c->end) {
      uint32_t next = 0;
      std::string_view v = readAt(c, off, next);
      if (!f(v)) return;
      off = next;
    }
  }
}

template <class F>
void ListValue::forEachBackFrom(size_t index, F&& f) const {
  if (index >= count_) return;
  Pos p = locate(index);
  for (size_t ci = p.chunk + 1; ci-- > 0;) {
    const Chunk* c = chunks_[ci];
    bool first = ci == p.chunk;
    uint32_t off = first ? p.off : prevOff(c, c->end);
    while (true) {
      uint32_t next = 0;
      std::string_view v = readAt(c, off, next);
      if (!f(v)) return;
      if (off == c->begin) break;
      off = prevOff(c, off);
    }
  }
}

}  // namespace erdtree::engine
