// Set values: intset and hashtable encodings (see set_value.h).
#include "erdtree/engine/set_value.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include "erdtree/util/small_alloc.h"

namespace erdtree::engine {
namespace {

// A member's heap chunk: its usable size plus glibc's 8-byte chunk header,
// as hash fields and sorted-set members count theirs (MEMORY USAGE).
size_t chunkBytes(const SetMember* m) { return util::blockSize(m, SetMember::allocationSize(m->view().size())); }

}  // namespace

// ---- SetMember ----

SetMember* SetMember::make(std::string_view bytes) {
  const size_t len = bytes.size();
  auto* p = static_cast<uint8_t*>(util::allocBlock(allocationSize(len)));
  size_t off = 1;
  if (len < 0xff) {
    p[0] = static_cast<uint8_t>(len);
  } else {
    p[0] = 0xff;
    const auto l32 = static_cast<uint32_t>(len);
    std::memcpy(p + 1, &l32, 4);
    off = 5;
  }
  if (len != 0) std::memcpy(p + off, bytes.data(), len);
  return reinterpret_cast<SetMember*>(p);
}

void SetMember::destroy(SetMember* m) { util::freeBlock(m, allocationSize(m->view().size())); }

std::string_view SetMember::view() const {
  const auto* p = reinterpret_cast<const uint8_t*>(this);
  if (p[0] != 0xff) return std::string_view(reinterpret_cast<const char*>(p + 1), p[0]);
  uint32_t l32;
  std::memcpy(&l32, p + 1, 4);
  return std::string_view(reinterpret_cast<const char*>(p + 5), l32);
}

// ---- SetValue ----

SetValue::~SetValue() {
  if (hashtable_) table_.clear([](SetMember* m) { SetMember::destroy(m); });
}

uint8_t SetValue::widthFor(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

int64_t SetValue::intAt(size_t i) const {
  const uint8_t* p = ints_.data() + i * width_;
  switch (width_) {
    case 2: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

void SetValue::setIntAt(size_t i, int64_t v) {
  uint8_t* p = ints_.data() + i * width_;
  switch (width_) {
    case 2: {
      const auto x = static_cast<int16_t>(v);
      std::memcpy(p, &x, 2);
      break;
    }
    case 4: {
      const auto x = static_cast<int32_t>(v);
      std::memcpy(p, &x, 4);
      break;
    }
    default:
      std::memcpy(p, &v, 8);
  }
}

size_t SetValue::intSearch(int64_t v, bool& found) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int64_t x = intAt(mid);
    if (x == v) {
      found = true;
      return mid;
    }
    if (x < v) lo = mid + 1;
    else hi = mid;
  }
  found = false;
  return lo;
}

void SetValue::widenTo(uint8_t width) {
  std::vector<int64_t> values(count_);
  for (size_t i = 0; i < count_; ++i) values[i] = intAt(i);
  width_ = width;
  ints_.assign(count_ * width_, 0);
  ints_.shrink_to_fit();
  for (size_t i = 0; i < count_; ++i) setIntAt(i, values[i]);
}

bool SetValue::intAdd(int64_t v) {
  const uint8_t w = widthFor(v);
  if (w > width_) widenTo(w);  // v is then beyond every member: found is false
  bool found = false;
  const size_t pos = intSearch(v, found);
  if (found) return false;
  ints_.insert(ints_.begin() + static_cast<std::ptrdiff_t>(pos * width_), width_, 0);
  ++count_;
  setIntAt(pos, v);
  return true;
}

bool SetValue::intRemove(int64_t v) {
  if (widthFor(v) > width_) return false;
  bool found = false;
  const size_t pos = intSearch(v, found);
  if (!found) return false;
  const auto at = ints_.begin() + static_cast<std::ptrdiff_t>(pos * width_);
  ints_.erase(at, at + width_);
  --count_;
  return true;
}

void SetValue::convertToHashtable() {
  if (hashtable_) return;
  hashtable_ = true;
  char buf[24];
  for (size_t i = 0; i < count_; ++i) {
    const std::string_view text(buf, util::formatInt64(intAt(i), buf));
    SetMember* m = SetMember::make(text);
    table_.insertNew(m);
    memberBytes_ += chunkBytes(m);
  }
  std::vector<uint8_t>().swap(ints_);
  count_ = 0;
}

bool SetValue::add(std::string_view member, int64_t maxIntsetEntries) {
  if (!hashtable_) {
    if (auto v = util::parseInt64(member)) {
      if (!intAdd(*v)) return false;
      if (static_cast<int64_t>(count_) > maxIntsetEntries) convertToHashtable();
      return true;
    }
    convertToHashtable();
  }
  if (table_.find(member) != nullptr) return false;
  SetMember* m = SetMember::make(member);
  table_.insertNew(m);
  memberBytes_ += chunkBytes(m);
  return true;
}

bool SetValue::remove(std::string_view member) {
  if (!hashtable_) {
    auto v = util::parseInt64(member);
    return v && intRemove(*v);
  }
  SetMember* m = table_.remove(member);
  if (m == nullptr) return false;
  memberBytes_ -= chunkBytes(m);
  SetMember::destroy(m);
  return true;
}

bool SetValue::contains(std::string_view member) {
  if (!hashtable_) {
    auto v = util::parseInt64(member);
    if (!v || widthFor(*v) > width_) return false;
    bool found = false;
    intSearch(*v, found);
    return found;
  }
  return table_.find(member) != nullptr;
}

std::string SetValue::randomMember(uint64_t random) {
  if (!hashtable_) return std::to_string(intAt(static_cast<size_t>(random % count_)));
  return std::string(table_.randomEntry(random)->view());
}

std::string SetValue::popRandom(uint64_t random) {
  std::string m = randomMember(random);
  remove(m);
  return m;
}

std::unique_ptr<Object> SetValue::clone() const {
  auto copy = std::make_unique<SetValue>();
  if (!hashtable_) {
    copy->ints_ = ints_;
    copy->count_ = count_;
    copy->width_ = width_;
    return copy;
  }
  copy->hashtable_ = true;
  // forEach is non-const only because BucketTable's is; it does not mutate.
  const_cast<Table&>(table_).forEach([&](SetMember* m) {
    copy->table_.insertNew(SetMember::make(m->view()));
  });
  copy->memberBytes_ = memberBytes_;
  return copy;
}

size_t SetValue::memoryUsage() const {
  if (!hashtable_) return sizeof(SetValue) + ints_.capacity();
  return sizeof(SetValue) + table_.memoryUsage() + memberBytes_;
}

}  // namespace erdtree::engine
