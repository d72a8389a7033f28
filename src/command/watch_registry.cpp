#include "erdtree/command/watch_registry.h"

#include <algorithm>
#include <cstring>

#include "erdtree/command/context.h"

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

void WatchRegistry::markDirty(std::vector<Session*>& sessions) {
  for (Session* s : sessions) s->tx.watchDirty = true;
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
  if (it != byKey_.end()) markDirty(it->second);
}

}  // namespace erdtree::command
