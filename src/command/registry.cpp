#include "erdtree/command/registry.h"

#include <cctype>

namespace erdtree::command {

bool lowerInto(std::string_view name, char* buf, size_t cap, std::string_view& out) {
  if (name.size() > cap) return false;
  for (size_t i = 0; i < name.size(); ++i)
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  out = std::string_view(buf, name.size());
  return true;
}

void Registry::add(CommandSpec spec) {
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  byName_.emplace(std::string(owned->name), owned.get());
  specs_.push_back(std::move(owned));
}

const CommandSpec* Registry::find(std::string_view name) const {
  char buf[64] = {};  // zeroed only to silence a GCC 12 false positive
  std::string_view lowered;
  if (!lowerInto(name, buf, sizeof(buf), lowered)) return nullptr;
  auto it = byName_.find(lowered);
  return it == byName_.end() ? nullptr : it->second;
}

const CommandSpec* Registry::findSubcommand(const CommandSpec& parent, std::string_view name) {
  char buf[64] = {};  // zeroed only to silence a GCC 12 false positive
  std::string_view lowered;
  if (!lowerInto(name, buf, sizeof(buf), lowered)) return nullptr;
  for (const auto& sub : parent.subcommands) {
    std::string_view subName = sub.name.substr(sub.name.find('|') + 1);
    if (subName == lowered) return &sub;
  }
  return nullptr;
}

}  // namespace erdtree::command
