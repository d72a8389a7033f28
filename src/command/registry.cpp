#include "erdtree/command/registry.h"

#include <cctype>
#include <cstdlib>
#include <string>

#include "erdtree/util/numbers.h"

namespace erdtree::command {

bool commandKeyPositions(const CommandSpec& spec, std::span<const std::string_view> args,
                         std::vector<size_t>& out) {
  out.clear();
  const int argc = static_cast<int>(args.size());
  auto addRange = [&] {
    if (spec.firstKey <= 0) return;
    int last = spec.lastKey < 0 ? argc + spec.lastKey : spec.lastKey;
    for (int i = spec.firstKey; i <= last && i < argc; i += spec.step) out.push_back(static_cast<size_t>(i));
  };
  const NumKeys& nk = spec.numKeys;
  if (nk.countAt <= 0) {
    addRange();
    return true;
  }
  // Redis's keynum key spec: a strict integer, at least one key, all present.
  if (nk.countAt < argc) {
    auto n = util::parseInt64(args[static_cast<size_t>(nk.countAt)]);
    if (n && *n >= 1 && *n <= argc && nk.firstAt + (*n - 1) * nk.step < argc) {
      addRange();
      for (int64_t i = 0; i < *n; ++i) out.push_back(static_cast<size_t>(nk.firstAt + i * nk.step));
      return true;
    }
  }
  // The spec failed: Redis falls back to the command's getkeys_proc, which
  // reads the count with atoi() and puts the fixed keys after the others.
  if (nk.countAt >= argc) return false;
  std::string count(args[static_cast<size_t>(nk.countAt)]);
  int num = static_cast<int>(std::strtol(count.c_str(), nullptr, 10));
  if (num < 1 || num > (argc - nk.firstAt) / nk.step) return false;
  for (int i = 0; i < num; ++i) out.push_back(static_cast<size_t>(nk.firstAt + i * nk.step));
  addRange();
  return true;
}

bool lowerInto(std::string_view name, char* buf, size_t cap, std::string_view& out) {
  if (name.size() > cap) return false;
  for (size_t i = 0; i < name.size(); ++i)
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  out = std::string_view(buf, name.size());
  return true;
}

void Registry::add(CommandSpec spec) {
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  owned->index = static_cast<uint32_t>(indexCount_++);
  for (auto& sub : owned->subcommands) sub.index = static_cast<uint32_t>(indexCount_++);
  byName_.emplace(std::string(owned->name), owned.get());
  byOriginalName_.emplace(std::string(owned->name), owned.get());
  specs_.push_back(std::move(owned));
}

const CommandSpec* Registry::find(std::string_view name) const {
  char buf[64] = {};  // zeroed only to silence a GCC 12 false positive
  std::string_view lowered;
  if (!lowerInto(name, buf, sizeof(buf), lowered)) {
    if (!hasLongNames_) return nullptr;
    // Only a rename-command target can be this long: the slow path is theirs.
    std::string owned(name);
    for (char& c : owned) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = byName_.find(owned);
    return it == byName_.end() ? nullptr : it->second;
  }
  auto it = byName_.find(lowered);
  return it == byName_.end() ? nullptr : it->second;
}

const CommandSpec* Registry::findOriginal(std::string_view name) const {
  char buf[64] = {};
  std::string_view lowered;
  if (!lowerInto(name, buf, sizeof(buf), lowered)) return nullptr;
  auto it = byOriginalName_.find(lowered);
  return it == byOriginalName_.end() ? nullptr : it->second;
}

std::string Registry::rename(std::string_view from, std::string_view to) {
  std::string oldName(from), newName(to);
  for (char& c : oldName) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : newName) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = byName_.find(oldName);
  if (it == byName_.end()) return "No such command in rename-command";
  const CommandSpec* spec = it->second;
  if (!newName.empty() && byName_.contains(newName) && newName != oldName) return "Target command name already exists";
  byName_.erase(it);
  if (newName.empty()) disabled_.insert(spec);
  else byName_.emplace(newName, spec);
  hasLongNames_ |= newName.size() > 64;
  return "";
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
