#pragma once
// WATCH bookkeeping: which sessions watch which (db, key). A write that
// changes a watched key marks its watchers dirty, and their next EXEC fails.
// Costs nothing while nobody watches (every hook first checks empty()).
//
// A key already logically expired when WATCHed (Redis 7's watchedKey.expired)
// is not "changed" by its own deletion: when such a key is touched and is gone
// from the table (lazy or active expiry, DEL, FLUSHDB), the watcher only
// forgets that it was expired; a write that leaves the key in place (SET
// over it) still makes the watcher dirty.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace erdtree::engine {
class Keyspace;
}

namespace erdtree::command {

struct Session;

class WatchRegistry {
 public:
  // ks must outlive the registry; touch() looks keys up in it.
  explicit WatchRegistry(engine::Keyspace& ks) : keyspace_(ks) {}
  bool empty() const { return byKey_.empty(); }
  void watch(Session& s, int db, std::string_view key, bool expiredNow);
  void unwatchAll(Session& s);
  // The key was modified (written, deleted, expired).
  void touch(int db, std::string_view key);

  // FLUSHDB/FLUSHALL: touches watched keys of db (-1: every db) for which
  // exists(db, key) is true, as Redis touches only keys the flush removed.
  template <class Exists>
  void touchFlushed(int db, Exists&& exists) {
    for (auto& [composite, sessions] : byKey_) {
      int keyDb = dbOf(composite);
      if ((db == -1 || keyDb == db) && exists(keyDb, keyOf(composite)))
        markDirty(sessions, keyDb, keyOf(composite), /*removed=*/true);
    }
  }

 private:
  static std::string composite(int db, std::string_view key);
  static int dbOf(const std::string& composite);
  static std::string_view keyOf(const std::string& composite);
  // removed: the key is being deleted (a flush), whatever the table says.
  void markDirty(std::vector<Session*>& sessions, int db, std::string_view key, bool removed);

  engine::Keyspace& keyspace_;
  std::unordered_map<std::string, std::vector<Session*>> byKey_;
};

}  // namespace erdtree::command
