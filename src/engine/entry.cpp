#include "erdtree/engine/entry.h"
#include "erdtree/util/varint.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include "erdtree/util/small_alloc.h"

namespace erdtree::engine {
namespace {

using util::readVarint;
using util::varintSize;
using util::writeVarint;

}  // namespace

Entry::Layout Entry::layout() const {
  const uint8_t* base = reinterpret_cast<const uint8_t*>(this);
  Layout l{};
  size_t off = sizeof(Entry);
  off += readVarint(base + off, l.keyLen);
  off += readVarint(base + off, l.valLen);
  l.expireOffset = off;
  if (hasExpire()) off += sizeof(int64_t);
  l.keyOffset = off;
  l.valOffset = off + l.keyLen;
  l.total = l.valOffset + l.valLen;
  return l;
}

Entry* Entry::build(ValueType type, std::string_view key, size_t valLen, int64_t expireAtMs) {
  bool withExpire = expireAtMs != kNoExpire;
  size_t total = sizeof(Entry) + varintSize(key.size()) + varintSize(valLen) +
                 (withExpire ? sizeof(int64_t) : 0) + key.size() + valLen;
  void* mem = util::allocBlock(total);
  Entry* e = new (mem) Entry();
  e->meta_ = static_cast<uint8_t>(type) | (withExpire ? kHasExpire : 0);
  e->setLru(0);
  uint8_t* base = static_cast<uint8_t*>(mem);
  size_t off = sizeof(Entry);
  off += writeVarint(base + off, key.size());
  off += writeVarint(base + off, valLen);
  if (withExpire) {
    std::memcpy(base + off, &expireAtMs, sizeof(int64_t));
    off += sizeof(int64_t);
  }
  if (!key.empty()) std::memcpy(base + off, key.data(), key.size());
  return e;
}

Entry* Entry::makeString(std::string_view key, std::string_view value, int64_t expireAtMs) {
  Entry* e = build(ValueType::String, key, value.size(), expireAtMs);
  if (!value.empty()) std::memcpy(e->mutableValue(), value.data(), value.size());
  return e;
}

Entry* Entry::makeObject(std::string_view key, ValueType type, std::unique_ptr<Object> obj, int64_t expireAtMs) {
  Entry* e = build(type, key, sizeof(Object*), expireAtMs);
  Object* raw = obj.release();
  std::memcpy(e->mutableValue(), &raw, sizeof(raw));
  return e;
}

Object* Entry::object() const {
  Object* obj;
  std::memcpy(&obj, reinterpret_cast<const char*>(this) + layout().valOffset, sizeof(obj));
  return obj;
}

void Entry::destroy(Entry* e) {
  if (e->type() != ValueType::String) delete e->object();
  util::freeBlock(e, e->layout().total);
}

std::string_view Entry::key() const {
  Layout l = layout();
  return {reinterpret_cast<const char*>(this) + l.keyOffset, l.keyLen};
}

std::string_view Entry::stringValue() const {
  Layout l = layout();
  return {reinterpret_cast<const char*>(this) + l.valOffset, l.valLen};
}

char* Entry::mutableValue() { return reinterpret_cast<char*>(this) + layout().valOffset; }

int64_t Entry::expireAt() const {
  if (!hasExpire()) return kNoExpire;
  int64_t v;
  std::memcpy(&v, reinterpret_cast<const uint8_t*>(this) + layout().expireOffset, sizeof(v));
  return v;
}

size_t Entry::allocatedBytes() const { return util::blockSize(this, layout().total); }

Entry* Entry::setExpire(Entry* e, int64_t expireAtMs) {
  if (e->hasExpire() && expireAtMs != kNoExpire) {  // same size: overwrite in place
    std::memcpy(reinterpret_cast<uint8_t*>(e) + e->layout().expireOffset, &expireAtMs, sizeof(int64_t));
    return e;
  }
  if (!e->hasExpire() && expireAtMs == kNoExpire) return e;
  Layout l = e->layout();
  Entry* n = build(e->type(), e->key(), l.valLen, expireAtMs);
  n->meta_ = static_cast<uint8_t>((e->meta_ & ~kHasExpire) | (expireAtMs != kNoExpire ? kHasExpire : 0));
  n->setLru(e->lru());
  std::memcpy(n->mutableValue(), reinterpret_cast<const char*>(e) + l.valOffset, l.valLen);
  util::freeBlock(e, l.total);  // the value now lives in n
  return n;
}

Entry* Entry::setStringValue(Entry* e, std::string_view value) {
  Layout l = e->layout();
  if (l.valLen == value.size()) {
    if (!value.empty()) std::memmove(e->mutableValue(), value.data(), value.size());
    e->setRawEncoded(false);
    e->setPlainEncoded(false);
    e->setUnshared(false);
    return e;
  }
  Entry* n = build(ValueType::String, e->key(), value.size(), e->expireAt());
  n->setLru(e->lru());
  if (!value.empty()) std::memcpy(n->mutableValue(), value.data(), value.size());
  util::freeBlock(e, l.total);  // the value now lives in n
  return n;
}

Entry* Entry::resizeString(Entry* e, size_t newLen) {
  Layout l = e->layout();
  if (varintSize(newLen) == varintSize(l.valLen)) {
    // Header size unchanged: the block keeps its prefix, in place while the
    // size stays within its slot.
    void* mem = util::resizeBlock(e, l.total, l.valOffset + newLen);
    uint8_t* base = static_cast<uint8_t*>(mem);
    writeVarint(base + sizeof(Entry) + varintSize(l.keyLen), newLen);
    if (newLen > l.valLen) std::memset(base + l.valOffset + l.valLen, 0, newLen - l.valLen);
    return static_cast<Entry*>(mem);
  }
  Entry* n = build(ValueType::String, e->key(), newLen, e->expireAt());
  n->meta_ = e->meta_;
  n->setLru(e->lru());
  size_t keep = l.valLen < newLen ? l.valLen : newLen;
  char* dst = n->mutableValue();
  std::memcpy(dst, reinterpret_cast<const char*>(e) + l.valOffset, keep);
  if (newLen > keep) std::memset(dst + keep, 0, newLen - keep);
  util::freeBlock(e, l.total);  // the value now lives in n
  return n;
}

Entry* Entry::cloneWithKey(const Entry* e, std::string_view newKey) {
  if (e->type() != ValueType::String) {
    Entry* n = makeObject(newKey, e->type(), e->object()->clone(), e->expireAt());
    n->meta_ = e->meta_;
    n->setLru(e->lru());
    return n;
  }
  Layout l = e->layout();
  Entry* n = build(e->type(), newKey, l.valLen, e->expireAt());
  n->meta_ = e->meta_;
  n->setLru(e->lru());
  if (l.valLen > 0) std::memcpy(n->mutableValue(), reinterpret_cast<const char*>(e) + l.valOffset, l.valLen);
  return n;
}

Entry* Entry::moveToKey(Entry* e, std::string_view newKey) {
  // Copy the raw value bytes (for objects, the owning pointer) and release
  // only the old entry's memory: ownership of the object moves.
  Layout l = e->layout();
  Entry* n = build(e->type(), newKey, l.valLen, e->expireAt());
  n->meta_ = e->meta_;
  n->setLru(e->lru());
  if (l.valLen > 0) std::memcpy(n->mutableValue(), reinterpret_cast<const char*>(e) + l.valOffset, l.valLen);
  util::freeBlock(e, l.total);
  return n;
}

}  // namespace erdtree::engine
