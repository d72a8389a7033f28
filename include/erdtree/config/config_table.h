#pragma once
// One descriptor per setting: its Redis name, TOML table, whether CONFIG SET
// may change it, and how to parse/format it against a Settings field.
#include <string>
#include <string_view>
#include <vector>

#include "erdtree/config/settings.h"

namespace erdtree::config {

struct SettingDescriptor {
  std::string_view name;
  std::string_view table;       // TOML table the setting lives in
  bool mutableAtRuntime;
  // Redis's PROTECTED_CONFIG: CONFIG SET needs enable-protected-configs.
  bool isProtected = false;
  // Returns "" or an error (Redis's CONFIG SET wording).
  std::string (*parse)(Settings&, std::string_view value);
  std::string (*format)(const Settings&);
  // Set for an old name of another setting (slave-read-only): CONFIG REWRITE
  // adds only the canonical name.
  std::string_view aliasOf = {};
};
// Field order above: name, table, mutableAtRuntime, isProtected, parse, format, aliasOf.

const std::vector<SettingDescriptor>& settingDescriptors();
const SettingDescriptor* findSetting(std::string_view name);  // case-insensitive

// Redis memory units: 1k=1000, 1kb=1024, m/mb, g/gb; plain bytes otherwise.
bool parseMemory(std::string_view text, uint64_t& out);

}  // namespace erdtree::config
