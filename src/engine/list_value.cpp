// ListValue: chunks of packed, two-way length-prefixed elements (see
// list_value.h for the layout and its costs).
#include "erdtree/engine/list_value.h"
#include "erdtree/util/varint.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include "erdtree/util/alloc_counter.h"

namespace erdtree::engine {
namespace {

using Chunk = ListValue::Chunk;

// Redis's SIZE_SAFETY_LIMIT: a chunk limited by count still stays under 8 KiB.
constexpr size_t kSafetyBytes = 8192;

size_t encodedSize(size_t n) { return 2 * util::varintSize(n) + n; }

// Writes [len][bytes][len reversed] at p; returns the bytes written.
size_t writeElement(char* p, std::string_view v) {
  uint8_t leb[util::kMaxVarintBytes];
  const size_t k = util::writeVarint(leb, v.size());
  std::memcpy(p, leb, k);
  if (!v.empty()) std::memcpy(p + k, v.data(), v.size());
  char* q = p + k + v.size();
  for (size_t i = 0; i < k; ++i) q[i] = static_cast<char>(leb[k - 1 - i]);
  return 2 * k + v.size();
}

// Usable data bytes of a chunk asked for `need`, rounded up to what glibc's
// allocator hands out anyway (16-byte granules, 8 bytes of its own header).
size_t roundCap(size_t need) {
  size_t total = sizeof(Chunk) + need;
  size_t granule = (total + 8 + 15) & ~static_cast<size_t>(15);
  return granule - 8 - sizeof(Chunk);
}

Chunk* allocChunk(size_t cap) {
  cap = roundCap(cap);
  void* mem = util::countedMalloc(sizeof(Chunk) + cap);
  if (mem == nullptr) throw std::bad_alloc();
  auto* c = static_cast<Chunk*>(mem);
  c->begin = c->end = 0;
  c->cap = static_cast<uint32_t>(cap);
  c->count = 0;
  return c;
}

void freeChunk(Chunk* c) { util::countedFree(c); }

uint32_t used(const Chunk* c) { return c->end - c->begin; }

// A copy of c with no slack.
Chunk* exactCopy(const Chunk* c) {
  Chunk* n = allocChunk(used(c));
  std::memcpy(n->data(), c->data() + c->begin, used(c));
  n->end = used(c);
  n->count = c->count;
  return n;
}

// Makes room for `need` bytes at the front or back of c (may reallocate).
void ensureRoom(Chunk*& c, size_t need, bool front, size_t growCap) {
  const uint32_t u = used(c);
  if (front ? c->begin >= need : c->cap - c->end >= need) return;
  if (c->cap - u >= need && (c->cap - u) * 4 >= c->cap) {
    // Enough slack overall: slide the data to the other side.
    uint32_t nb = front ? c->cap - u : 0;
    std::memmove(c->data() + nb, c->data() + c->begin, u);
    c->begin = nb;
    c->end = nb + u;
    return;
  }
  size_t cap = std::max(u + need, std::min<size_t>(c->cap + c->cap / 2 + 16, growCap));
  Chunk* n = allocChunk(cap);
  uint32_t nb = front ? static_cast<uint32_t>(n->cap - u) : 0;
  std::memcpy(n->data() + nb, c->data() + c->begin, u);
  n->begin = nb;
  n->end = nb + u;
  n->count = c->count;
  freeChunk(c);
  c = n;
}

}  // namespace

ListValue::ListValue(int64_t fill) : fill_(fill) {}

ListValue::~ListValue() {
  for (Chunk* c : chunks_) freeChunk(c);
}

std::unique_ptr<Object> ListValue::clone() const {
  auto copy = std::make_unique<ListValue>(fill_);
  copy->chunks_.reserve(chunks_.size());
  for (const Chunk* c : chunks_) copy->chunks_.push_back(exactCopy(c));
  copy->count_ = count_;
  return copy;
}

size_t ListValue::memoryUsage() const {
  size_t total = sizeof(*this) + chunks_.capacity() * sizeof(Chunk*);
  for (const Chunk* c : chunks_) total += sizeof(Chunk) + c->cap;
  return total;
}

size_t ListValue::limitBytes() const {
  if (fill_ >= 0) return kSafetyBytes;
  int64_t level = std::min<int64_t>(-fill_, 5);
  return size_t{4096} << (level - 1);
}

bool ListValue::fits(const Chunk* c, size_t elemBytes) const {
  size_t after = used(c) + elemBytes;
  if (fill_ < 0) return after <= limitBytes();
  return c->count < static_cast<uint64_t>(std::max<int64_t>(fill_, 1)) && after <= kSafetyBytes;
}

void ListValue::pushBack(std::string_view v) {
  const size_t sz = encodedSize(v.size());
  if (chunks_.empty() || !fits(chunks_.back(), sz)) {
    if (!chunks_.empty() && chunks_.back()->cap != used(chunks_.back())) {
      Chunk* old = chunks_.back();
      chunks_.back() = exactCopy(old);
      freeChunk(old);
    }
    chunks_.push_back(allocChunk(sz));
  } else {
    ensureRoom(chunks_.back(), sz, false, limitBytes());
  }
  Chunk* c = chunks_.back();
  c->end += static_cast<uint32_t>(writeElement(c->data() + c->end, v));
  ++c->count;
  ++count_;
}

void ListValue::pushFront(std::string_view v) {
  const size_t sz = encodedSize(v.size());
  if (chunks_.empty() || !fits(chunks_.front(), sz)) {
    if (!chunks_.empty() && chunks_.front()->cap != used(chunks_.front())) {
      Chunk* old = chunks_.front();
      chunks_.front() = exactCopy(old);
      freeChunk(old);
    }
    Chunk* n = allocChunk(sz);
    n->begin = n->end = n->cap;
    chunks_.insert(chunks_.begin(), n);
  } else {
    ensureRoom(chunks_.front(), sz, true, limitBytes());
  }
  Chunk* c = chunks_.front();
  c->begin -= static_cast<uint32_t>(sz);
  writeElement(c->data() + c->begin, v);
  ++c->count;
  ++count_;
}

std::string_view ListValue::readAt(const Chunk* c, uint32_t off, uint32_t& next) {
  const auto* p = reinterpret_cast<const uint8_t*>(c->data() + off);
  size_t n = 0, k = 0;
  unsigned shift = 0;
  while (true) {
    uint8_t b = p[k++];
    n |= static_cast<size_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) break;
    shift += 7;
  }
  next = static_cast<uint32_t>(off + 2 * k + n);
  return {c->data() + off + k, n};
}

uint32_t ListValue::prevOff(const Chunk* c, uint32_t off) {
  const auto* p = reinterpret_cast<const uint8_t*>(c->data() + off);
  size_t n = 0, k = 0;
  unsigned shift = 0;
  while (true) {
    uint8_t b = *(p - 1 - k);
    ++k;
    n |= static_cast<size_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) break;
    shift += 7;
  }
  return static_cast<uint32_t>(off - 2 * k - n);
}

std::string ListValue::popFront() {
  Chunk* c = chunks_.front();
  uint32_t next = 0;
  std::string out(readAt(c, c->begin, next));
  c->begin = next;
  --c->count;
  --count_;
  if (c->count == 0) {
    freeChunk(c);
    chunks_.erase(chunks_.begin());
  }
  return out;
}

std::string ListValue::popBack() {
  Chunk* c = chunks_.back();
  uint32_t off = prevOff(c, c->end), next = 0;
  std::string out(readAt(c, off, next));
  c->end = off;
  --c->count;
  --count_;
  if (c->count == 0) {
    freeChunk(c);
    chunks_.pop_back();
  }
  return out;
}

ListValue::Pos ListValue::locate(size_t index) const {
  if (index < count_ / 2) {
    size_t ci = 0;
    while (index >= chunks_[ci]->count) index -= chunks_[ci++]->count;
    const Chunk* c = chunks_[ci];
    uint32_t off = c->begin, next = 0;
    for (size_t i = 0; i < index; ++i) {
      readAt(c, off, next);
      off = next;
    }
    return {ci, off};
  }
  size_t fromEnd = count_ - 1 - index;  // 0 = last element
  size_t ci = chunks_.size() - 1;
  while (fromEnd >= chunks_[ci]->count) fromEnd -= chunks_[ci--]->count;
  const Chunk* c = chunks_[ci];
  uint32_t off = prevOff(c, c->end);
  for (size_t i = 0; i < fromEnd; ++i) off = prevOff(c, off);
  return {ci, off};
}

std::string_view ListValue::at(size_t index) const {
  Pos p = locate(index);
  uint32_t next = 0;
  return readAt(chunks_[p.chunk], p.off, next);
}

void ListValue::rebuildChunk(size_t i, const std::vector<std::string_view>& items) {
  std::vector<Chunk*> built;
  size_t gi = 0;
  while (gi < items.size()) {
    size_t bytes = 0, n = 0, gj = gi;
    while (gj < items.size()) {
      size_t sz = encodedSize(items[gj].size());
      bool ok = fill_ < 0 ? bytes + sz <= limitBytes()
                          : n < static_cast<size_t>(std::max<int64_t>(fill_, 1)) && bytes + sz <= kSafetyBytes;
      if (n > 0 && !ok) break;
      bytes += sz;
      ++n;
      ++gj;
    }
    Chunk* c = allocChunk(bytes);
    for (size_t k = gi; k < gj; ++k) c->end += static_cast<uint32_t>(writeElement(c->data() + c->end, items[k]));
    c->count = static_cast<uint32_t>(n);
    built.push_back(c);
    gi = gj;
  }
  Chunk* old = chunks_[i];
  count_ = count_ - old->count + items.size();
  chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(i));
  chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(i), built.begin(), built.end());
  freeChunk(old);
}

void ListValue::set(size_t index, std::string_view v) {
  Pos p = locate(index);
  Chunk* c = chunks_[p.chunk];
  uint32_t next = 0;
  std::string_view cur = readAt(c, p.off, next);
  if (encodedSize(cur.size()) == encodedSize(v.size())) {
    writeElement(c->data() + p.off, v);
    return;
  }
  std::vector<std::string_view> items;
  items.reserve(c->count);
  for (uint32_t off = c->begin; off < c->end; off = next) {
    std::string_view e = readAt(c, off, next);
    items.push_back(off == p.off ? v : e);
  }
  rebuildChunk(p.chunk, items);
}

bool ListValue::insert(std::string_view pivot, std::string_view v, bool after) {
  for (size_t ci = 0; ci < chunks_.size(); ++ci) {
    const Chunk* c = chunks_[ci];
    uint32_t next = 0;
    for (uint32_t off = c->begin; off < c->end; off = next) {
      if (readAt(c, off, next) != pivot) continue;
      std::vector<std::string_view> items;
      items.reserve(c->count + 1);
      uint32_t n2 = 0;
      for (uint32_t o = c->begin; o < c->end; o = n2) {
        std::string_view e = readAt(c, o, n2);
        if (o == off && !after) items.push_back(v);
        items.push_back(e);
        if (o == off && after) items.push_back(v);
      }
      rebuildChunk(ci, items);
      return true;
    }
  }
  return false;
}

size_t ListValue::remove(std::string_view v, size_t limit, bool fromTail) {
  size_t removed = 0;
  auto more = [&] { return limit == 0 || removed < limit; };
  if (!fromTail) {
    for (size_t ci = 0; ci < chunks_.size() && more();) {
      const Chunk* c = chunks_[ci];
      std::vector<std::string_view> kept;
      size_t before = removed;
      uint32_t next = 0;
      for (uint32_t off = c->begin; off < c->end; off = next) {
        std::string_view e = readAt(c, off, next);
        if (e == v && more()) ++removed;
        else kept.push_back(e);
      }
      if (removed == before) {
        ++ci;
        continue;
      }
      bool gone = kept.empty();
      rebuildChunk(ci, kept);
      if (!gone) ++ci;
    }
    return removed;
  }
  for (size_t ci = chunks_.size(); ci-- > 0 && more();) {
    const Chunk* c = chunks_[ci];
    std::vector<std::string_view> kept;
    size_t before = removed;
    uint32_t off = c->end;
    while (off > c->begin) {
      off = prevOff(c, off);
      uint32_t next = 0;
      std::string_view e = readAt(c, off, next);
      if (e == v && more()) ++removed;
      else kept.push_back(e);
    }
    if (removed == before) continue;
    std::reverse(kept.begin(), kept.end());
    rebuildChunk(ci, kept);
  }
  return removed;
}

void ListValue::dropFront(size_t n) {
  while (n > 0 && !chunks_.empty()) {
    Chunk* c = chunks_.front();
    if (c->count <= n) {
      n -= c->count;
      count_ -= c->count;
      freeChunk(c);
      chunks_.erase(chunks_.begin());
      continue;
    }
    uint32_t next = 0;
    for (size_t i = 0; i < n; ++i) {
      readAt(c, c->begin, next);
      c->begin = next;
    }
    c->count -= static_cast<uint32_t>(n);
    count_ -= n;
    n = 0;
    if (used(c) * 2 < c->cap) {
      chunks_.front() = exactCopy(c);
      freeChunk(c);
    }
  }
}

void ListValue::dropBack(size_t n) {
  while (n > 0 && !chunks_.empty()) {
    Chunk* c = chunks_.back();
    if (c->count <= n) {
      n -= c->count;
      count_ -= c->count;
      freeChunk(c);
      chunks_.pop_back();
      continue;
    }
    for (size_t i = 0; i < n; ++i) c->end = prevOff(c, c->end);
    c->count -= static_cast<uint32_t>(n);
    count_ -= n;
    n = 0;
    if (used(c) * 2 < c->cap) {
      chunks_.back() = exactCopy(c);
      freeChunk(c);
    }
  }
}

}  // namespace erdtree::engine
