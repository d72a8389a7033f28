#include "erdtree/engine/keyspace.h"

#include <utility>

#include "erdtree/util/clock.h"

namespace erdtree::engine {

uint32_t lruClockFromMs(int64_t unixMs) { return static_cast<uint32_t>(unixMs / 1000) & kLruClockMax; }

Db::~Db() { clear(); }

Entry* Db::lookup(std::string_view key, int64_t nowMs) {
  Entry* e = table_.find(key);
  const ExpiryMode mode = mode_ != nullptr ? *mode_ : ExpiryMode::Delete;
  if (e != nullptr && mode != ExpiryMode::Ignore && e->expiredAt(nowMs)) {
    if (mode == ExpiryMode::HideOnly) return nullptr;
    expireEntry(key);
    return nullptr;
  }
  return e;
}

Entry** Db::lookupRef(std::string_view key, int64_t nowMs) {
  Entry** ref = table_.findRef(key);
  const ExpiryMode mode = mode_ != nullptr ? *mode_ : ExpiryMode::Delete;
  if (ref != nullptr && mode != ExpiryMode::Ignore && (*ref)->expiredAt(nowMs)) {
    // The slot is about to be written (a writable replica's own write): the
    // stale entry goes without a propagated DEL, which the master will send.
    if (mode == ExpiryMode::HideOnly) {
      detachSilently(key);
      return nullptr;
    }
    expireEntry(key);
    return nullptr;
  }
  return ref;
}

void Db::insert(Entry* e) {
  if (e->hasExpire()) ++expires_;
  table_.insertNew(e);
  if (added_ != nullptr && *added_) (*added_)(index_, e->key());
}

void Db::replace(Entry** ref, Entry* e) {
  Entry* old = *ref;
  noteExpireChange(old->hasExpire(), e->hasExpire());
  *ref = e;
  if (old != e) freeEntry(old, policy().serverDel);
}

void Db::setExpire(Entry** ref, int64_t expireAtMs) {
  bool had = (*ref)->hasExpire();
  *ref = Entry::setExpire(*ref, expireAtMs);
  noteExpireChange(had, (*ref)->hasExpire());
}

bool Db::remove(std::string_view key, int64_t nowMs) { return remove(key, nowMs, policy().serverDel); }

bool Db::remove(std::string_view key, int64_t nowMs, bool lazy) {
  Entry* e = table_.remove(key);
  if (e == nullptr) return false;
  const ExpiryMode mode = mode_ != nullptr ? *mode_ : ExpiryMode::Delete;
  bool live = mode == ExpiryMode::Ignore || !e->expiredAt(nowMs);
  if (e->hasExpire()) --expires_;
  if (!live && mode == ExpiryMode::Delete && listener_ != nullptr && *listener_) (*listener_)(index_, key);
  freeEntry(e, live ? lazy : policy().expire);
  return live;
}

void Db::swapContents(Db& other) {
  std::swap(table_, other.table_);
  std::swap(expires_, other.expires_);
  std::swap(expireCursor, other.expireCursor);
  std::swap(avgTtlMs, other.avgTtlMs);
}

Entry* Db::detach(std::string_view key) {
  Entry* e = table_.remove(key);
  if (e != nullptr && e->hasExpire()) --expires_;
  return e;
}

void Db::clear(bool lazy) {
  if (lazy && free_ != nullptr && !table_.empty()) {
    // O(1) here: the moved-from table is left empty and valid.
    free_->freer.freeTableAsync(std::make_unique<KeyTable>(std::move(table_)));
  } else {
    table_.clear([](Entry* e) { Entry::destroy(e); });
  }
  expires_ = 0;
  expireCursor = 0;
  avgTtlMs = 0;
}

void Db::freeEntry(Entry* e, bool lazy) {
  if (free_ != nullptr) {
    free_->freer.freeEntry(e, lazy);
  } else {
    Entry::destroy(e);
  }
}

const LazyFreePolicy& Db::policy() const {
  static const LazyFreePolicy kDefaults;
  return free_ != nullptr ? free_->policy : kDefaults;
}

void Db::noteExpireChange(bool hadExpire, bool hasExpire) {
  if (hadExpire && !hasExpire) --expires_;
  if (!hadExpire && hasExpire) ++expires_;
}

void Db::detachSilently(std::string_view key) {
  Entry* e = detach(key);
  if (e != nullptr) freeEntry(e, policy().expire);
}

void Db::expireEntry(std::string_view key) {
  // The key view points into the entry: tell the listener before freeing it.
  Entry* e = table_.remove(key);
  if (e == nullptr) return;
  --expires_;
  if (listener_ != nullptr && *listener_) (*listener_)(index_, e->key());
  freeEntry(e, policy().expire);
}

Keyspace::Keyspace(int databases) {
  dispatch_ = [this](int db, std::string_view key) {
    ++expiredKeys_;
    if (listener_) listener_(db, key);
  };
  dbs_.reserve(static_cast<size_t>(databases));
  for (int i = 0; i < databases; ++i) dbs_.emplace_back(i, &dispatch_, &added_, &mode_, &free_);
}

uint64_t Keyspace::totalKeys() const {
  uint64_t n = 0;
  for (const auto& d : dbs_) n += d.size();
  return n;
}

void Keyspace::clearAll(bool lazy) {
  for (auto& d : dbs_) d.clear(lazy);
}

void Keyspace::rehashStep(int64_t budgetUs) {
  for (auto& d : dbs_)
    if (d.table().isRehashing()) d.table().rehashForMicroseconds(budgetUs);
}

}  // namespace erdtree::engine
