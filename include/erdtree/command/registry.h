#pragma once
// The command table: every family registers its specs here once at start-up
// (see families.h); the dispatcher looks names up case-insensitively without
// allocating.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "erdtree/command/spec.h"

namespace erdtree::command {

class Registry {
 public:
  void add(CommandSpec spec);
  // Case-insensitive lookup; nullptr if unknown.
  const CommandSpec* find(std::string_view name) const;
  static const CommandSpec* findSubcommand(const CommandSpec& parent, std::string_view name);
  const std::vector<std::unique_ptr<CommandSpec>>& all() const { return specs_; }
  size_t size() const { return specs_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::unique_ptr<CommandSpec>> specs_;
  std::unordered_map<std::string, const CommandSpec*, Hash, std::equal_to<>> byName_;
};

// Lower-cases name into buf (capacity cap); returns false if it does not fit.
bool lowerInto(std::string_view name, char* buf, size_t cap, std::string_view& out);

}  // namespace erdtree::command
