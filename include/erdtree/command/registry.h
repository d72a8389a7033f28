#pragma once
// The command table: every family registers its specs here once at start-up
// (see families.h); the dispatcher looks names up case-insensitively without
// allocating.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "erdtree/command/spec.h"

namespace erdtree::command {

class Registry {
 public:
  void add(CommandSpec spec);
  // Case-insensitive lookup by the name clients use (after rename-command);
  // nullptr if unknown.
  const CommandSpec* find(std::string_view name) const;
  // Lookup by the command's own name, whatever it was renamed to (the
  // server's internal calls, and the master's stream and the AOF as a
  // fallback: they may name a command by its original name).
  const CommandSpec* findOriginal(std::string_view name) const;
  // redis.conf's rename-command: clients then reach `from` as `to` only, or
  // not at all when `to` is empty. "" or Redis's error text. The spec keeps
  // its name, so COMMAND INFO and errors show the original one, as in Redis.
  std::string rename(std::string_view from, std::string_view to);
  // The commands clients can reach (COMMAND, COMMAND COUNT/LIST/DOCS).
  bool reachable(const CommandSpec& spec) const { return !disabled_.contains(&spec); }
  static const CommandSpec* findSubcommand(const CommandSpec& parent, std::string_view name);
  const std::vector<std::unique_ptr<CommandSpec>>& all() const { return specs_; }
  size_t size() const { return specs_.size() - disabled_.size(); }
  // Commands and subcommands: the size of tables indexed by CommandSpec::index.
  size_t indexCount() const { return indexCount_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::unique_ptr<CommandSpec>> specs_;
  size_t indexCount_ = 0;
  std::unordered_map<std::string, const CommandSpec*, Hash, std::equal_to<>> byName_;
  std::unordered_map<std::string, const CommandSpec*, Hash, std::equal_to<>> byOriginalName_;
  std::unordered_set<const CommandSpec*> disabled_;  // renamed to ""
  bool hasLongNames_ = false;  // a rename-command target over 64 bytes
};

// Lower-cases name into buf (capacity cap); returns false if it does not fit.
bool lowerInto(std::string_view name, char* buf, size_t cap, std::string_view& out);

}  // namespace erdtree::command
