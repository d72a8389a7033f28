#include "erdtree/command/watch_registry.h"

#include <algorithm>
#include <cstring>

#include "erdtree/command/context.h"
#include "erdtree/engine/keyspace.h"

namespace erdtree::command {

std::string WatchRegistry::composite(int db, std::string_view key) {
  std::string c(sizeof(int), '\0');
  std::memcpy(c.data(), &db, sizeof(int));
  c.append(key);
  return c;
}

int WatchRegistry::dbOf(const std::string& composite) {
  int db;
  std::memcpy(&db, composite.data(), sizeof(int));
  return db;
}

std::string_view WatchRegistry::keyOf(const std::string& composite) {
  return std::string_view(composite).substr(sizeof(int));
}

void WatchRegistry::markDirty(std::vector<Session*>& sessions, int db, std::string_view key, bool removed) {
  for (Session* s : sessions) {
    auto w = std::find_if(s->tx.watched.begin(), s->tx.watched.end(),
                          [&](const Transaction::Watched& x) { return x.db == db && x.key == key; });
    if (w != s->tx.watched.end() && w->expiredAtWatch) {
      // Watched while already expired: its deletion is no logical change.
      if (removed || keyspace_.db(db).table().find(key) == nullptr) {
        w->expiredAtWatch = false;
        continue;
      }
    }
    s->tx.watchDirty = true;
  }
}

void WatchRegistry::watch(Session& s, int db, std::string_view key, bool expiredNow) {
  for (const auto& w : s.tx.watched)
    if (w.db == db && w.key == key) return;  // already watched
  s.tx.watched.push_back({db, std::string(key), expiredNow});
  byKey_[composite(db, key)].push_back(&s);
}

void WatchRegistry::unwatchAll(Session& s) {
  for (const auto& w : s.tx.watched) {
    auto it = byKey_.find(composite(w.db, w.key));
    if (it == byKey_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &s), v.end());
    if (v.empty()) byKey_.erase(it);
  }
  s.tx.watched.clear();
  s.tx.watchDirty = false;
}

void WatchRegistry::touch(int db, std::string_view key) {
  if (byKey_.empty()) return;
  auto it = byKey_.find(composite(db, key));
  if (it != byKey_.end()) markDirty(it->second, db, key, /*removed=*/false);
}

}  // namespace erdtree::command
