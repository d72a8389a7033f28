#include "erdtree/engine/hash_value.h"
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

// ---- FieldEntry -------------------------------------------------------------

FieldEntry* FieldEntry::make(std::string_view field, std::string_view value) {
  const size_t header = varintSize(field.size()) + varintSize(value.size());
  auto* p = static_cast<unsigned char*>(util::allocBlock(header + field.size() + value.size()));
  size_t off = writeVarint(p, field.size());
  off += writeVarint(p + off, value.size());
  if (!field.empty()) std::memcpy(p + off, field.data(), field.size());
  if (!value.empty()) std::memcpy(p + off + field.size(), value.data(), value.size());
  return reinterpret_cast<FieldEntry*>(p);
}

size_t FieldEntry::blockBytes() const {
  const Lens l = lens();
  return l.header + l.fieldLen + l.valueLen;
}

void FieldEntry::destroy(FieldEntry* e) { util::freeBlock(e, e->blockBytes()); }

FieldEntry* FieldEntry::withValue(FieldEntry* e, std::string_view value) {
  const Lens l = e->lens();
  if (l.valueLen == value.size()) {  // same size: in place
    if (!value.empty()) std::memcpy(e->bytes_ + l.header + l.fieldLen, value.data(), value.size());
    return e;
  }
  FieldEntry* n = make(e->field(), value);
  destroy(e);
  return n;
}

FieldEntry::Lens FieldEntry::lens() const {
  Lens l{};
  l.header = readVarint(bytes_, l.fieldLen);
  l.header += readVarint(bytes_ + l.header, l.valueLen);
  return l;
}

std::string_view FieldEntry::field() const {
  const Lens l = lens();
  return {reinterpret_cast<const char*>(bytes_) + l.header, l.fieldLen};
}

std::string_view FieldEntry::value() const {
  const Lens l = lens();
  return {reinterpret_cast<const char*>(bytes_) + l.header + l.fieldLen, l.valueLen};
}

size_t FieldEntry::allocatedBytes() const { return util::blockSize(this, blockBytes()); }

// ---- HashValue ----------------------------------------------------------------

HashValue::~HashValue() {
  if (table_) table_->clear([](FieldEntry* e) { FieldEntry::destroy(e); });
}

std::unique_ptr<Object> HashValue::clone() const {
  auto copy = std::make_unique<HashValue>();
  if (listpack_) {
    copy->lp_ = lp_;
    copy->lpCount_ = lpCount_;
    return copy;
  }
  copy->listpack_ = false;
  copy->table_ = std::make_unique<FieldTable>();
  table_->forEach([&](FieldEntry* e) {
    FieldEntry* n = FieldEntry::make(e->field(), e->value());
    copy->entryBytes_ += n->allocatedBytes();
    copy->table_->insertNew(n);
  });
  return copy;
}

size_t HashValue::memoryUsage() const {
  size_t bytes = sizeof(*this);
  if (listpack_) return bytes + (lp_.capacity() > 15 ? lp_.capacity() + 1 : 0);
  return bytes + sizeof(FieldTable) + table_->memoryUsage() + entryBytes_;
}

std::string_view HashValue::lpRead(size_t& pos) const {
  const auto* base = reinterpret_cast<const unsigned char*>(lp_.data());
  size_t len = 0;
  pos += readVarint(base + pos, len);
  std::string_view s(lp_.data() + pos, len);
  pos += len;
  return s;
}

size_t HashValue::lpFind(std::string_view field) const {
  for (size_t pos = 0; pos < lp_.size();) {
    const size_t start = pos;
    std::string_view f = lpRead(pos);
    if (f == field) return start;
    size_t vlen = 0;
    pos += readVarint(reinterpret_cast<const unsigned char*>(lp_.data()) + pos, vlen);
    pos += vlen;
  }
  return std::string::npos;
}

void HashValue::lpAppend(std::string_view s) {
  unsigned char hdr[10];
  const size_t n = writeVarint(hdr, s.size());
  lp_.append(reinterpret_cast<const char*>(hdr), n);
  lp_.append(s.data(), s.size());
}

std::optional<std::string_view> HashValue::get(std::string_view field) {
  if (listpack_) {
    size_t pos = lpFind(field);
    if (pos == std::string::npos) return std::nullopt;
    lpRead(pos);
    return lpRead(pos);
  }
  FieldEntry* e = table_->find(field);
  if (e == nullptr) return std::nullopt;
  return e->value();
}

bool HashValue::set(std::string_view field, std::string_view value, const EncodingLimits& limits) {
  if (listpack_) {
    const auto maxLen = static_cast<uint64_t>(limits.hashMaxListpackValue);
    if (field.size() > maxLen || value.size() > maxLen) convertToTable();
  }
  if (listpack_) {
    const size_t pos = lpFind(field);
    if (pos != std::string::npos) {
      size_t valuePos = pos;
      lpRead(valuePos);
      size_t end = valuePos;
      const std::string_view old = lpRead(end);
      if (old.size() == value.size()) {
        if (!value.empty()) std::memcpy(lp_.data() + (end - value.size()), value.data(), value.size());
      } else {
        unsigned char hdr[10];
        std::string repl(reinterpret_cast<const char*>(hdr), writeVarint(hdr, value.size()));
        repl.append(value);
        lp_.replace(valuePos, end - valuePos, repl);
      }
      return false;
    }
    lpAppend(field);
    lpAppend(value);
    ++lpCount_;
    if (static_cast<int64_t>(lpCount_) > limits.hashMaxListpackEntries) convertToTable();
    return true;
  }
  if (FieldEntry** ref = table_->findRef(field)) {
    const size_t before = (*ref)->allocatedBytes();
    *ref = FieldEntry::withValue(*ref, value);
    entryBytes_ = entryBytes_ - before + (*ref)->allocatedBytes();
    return false;
  }
  FieldEntry* e = FieldEntry::make(field, value);
  entryBytes_ += e->allocatedBytes();
  table_->insertNew(e);
  return true;
}

bool HashValue::remove(std::string_view field) {
  if (listpack_) {
    const size_t pos = lpFind(field);
    if (pos == std::string::npos) return false;
    size_t end = pos;
    lpRead(end);
    lpRead(end);
    lp_.erase(pos, end - pos);
    --lpCount_;
    return true;
  }
  FieldEntry* e = table_->remove(field);
  if (e == nullptr) return false;
  entryBytes_ -= e->allocatedBytes();
  FieldEntry::destroy(e);
  return true;
}

std::pair<std::string_view, std::string_view> HashValue::randomPair(uint64_t random) {
  if (listpack_) {
    size_t skip = static_cast<size_t>(random % lpCount_);
    size_t pos = 0;
    for (;;) {
      std::string_view f = lpRead(pos), v = lpRead(pos);
      if (skip-- == 0) return {f, v};
    }
  }
  FieldEntry* e = table_->randomEntry(random);
  return {e->field(), e->value()};
}

void HashValue::convertToTable() {
  if (!listpack_) return;
  auto table = std::make_unique<FieldTable>();
  size_t bytes = 0;
  forEach([&](std::string_view f, std::string_view v) {
    FieldEntry* e = FieldEntry::make(f, v);
    bytes += e->allocatedBytes();
    table->insertNew(e);
  });
  table_ = std::move(table);
  entryBytes_ = bytes;
  listpack_ = false;
  std::string().swap(lp_);
  lpCount_ = 0;
}

}  // namespace erdtree::engine
