#pragma once
// A growable byte buffer for socket reads: the reader asks for writable space
// at the tail (no zero-filling, unlike std::string::resize), commits what
// arrived, and consumes parsed bytes from the front.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include "erdtree/util/alloc_counter.h"

namespace erdtree::util {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ~ByteBuffer() { util::countedFree(data_); }
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  const char* data() const { return data_; }
  char* data() { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_, size_}; }

  // Space for at least minFree more bytes at the tail; grows geometrically.
  char* reserveTail(size_t minFree) {
    if (cap_ - size_ < minFree) grow(size_ + minFree);
    return data_ + size_;
  }
  size_t tailRoom() const { return cap_ - size_; }
  void commit(size_t n) { size_ += n; }
  void append(std::string_view s) {
    std::memcpy(reserveTail(s.size()), s.data(), s.size());
    size_ += s.size();
  }
  // Drops n bytes from the front (moving the rest down).
  void consume(size_t n) {
    if (n >= size_) {
      size_ = 0;
      return;
    }
    std::memmove(data_, data_ + n, size_ - n);
    size_ -= n;
  }
  void clear() { size_ = 0; }
  // Returns memory to the allocator when a burst left a large, mostly empty buffer.
  void shrinkTo(size_t cap) {
    if (cap_ <= cap || size_ > cap) return;
    char* p = static_cast<char*>(util::countedRealloc(data_, cap));
    if (p == nullptr) return;
    data_ = p;
    cap_ = cap;
  }

 private:
  void grow(size_t need) {
    size_t cap = cap_ == 0 ? 1024 : cap_;
    while (cap < need) cap = cap < (64u << 20) ? cap * 2 : cap + (64u << 20);
    char* p = static_cast<char*>(util::countedRealloc(data_, cap));
    if (p == nullptr) throw std::bad_alloc();
    data_ = p;
    cap_ = cap;
  }

  char* data_ = nullptr;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace erdtree::util
