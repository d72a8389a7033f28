#include "erdtree/engine/lru_ager.h"

#include "erdtree/engine/access_clock.h"

namespace erdtree::engine {

uint64_t& LruAger::cursor(int db) {
  if (cursors_.size() <= static_cast<size_t>(db)) cursors_.resize(static_cast<size_t>(db) + 1, 0);
  return cursors_[static_cast<size_t>(db)];
}

size_t LruAger::visit(Db& d, size_t buckets, int64_t nowMs) {
  uint64_t& at = cursor(d.index());
  size_t rewritten = 0;
  for (size_t i = 0; i < buckets && d.size() != 0; ++i) {
    at = d.table().scan(at, [&](Entry* e) {
      const uint32_t field = e->lru();
      const uint32_t aged = lruAgedField(field, nowMs);
      if (aged == field) return;
      e->setLru(aged);
      ++rewritten;
    });
  }
  return rewritten;
}

size_t LruAger::step(Keyspace& ks, int64_t nowMs, int64_t tickMs) {
  const uint64_t tick = static_cast<uint64_t>(tickMs > 0 ? tickMs : 1);
  size_t rewritten = 0;
  for (int i = 0; i < ks.count(); ++i) {
    Db& d = ks.db(i);
    if (d.size() == 0) continue;
    // This tick's share of a pass over the buckets, rounded up.
    const uint64_t buckets = (d.table().bucketCount() * tick + kPassMs - 1) / kPassMs;
    rewritten += visit(d, static_cast<size_t>(buckets), nowMs);
  }
  return rewritten;
}

}  // namespace erdtree::engine
