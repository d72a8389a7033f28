#pragma once
// WATCH bookkeeping: which sessions watch which (db, key). A write that
// changes a watched key marks its watchers dirty, and their next EXEC fails.
// Costs nothing while nobody watches (every hook first checks empty()).
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace erdtree::command {

struct Session;

class WatchRegistry {
 public:
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
      if ((db == -1 || keyDb == db) && exists(keyDb, keyOf(composite))) markDirty(sessions);
    }
  }

 private:
  static std::string composite(int db, std::string_view key);
  static int dbOf(const std::string& composite);
  static std::string_view keyOf(const std::string& composite);
  static void markDirty(std::vector<Session*>& sessions);

  std::unordered_map<std::string, std::vector<Session*>> byKey_;
};

}  // namespace erdtree::command
