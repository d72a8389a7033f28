// CONFIG REWRITE, line by line: the file is never re-serialized by a TOML
// library (that would drop comments and reorder keys). Each `key = value`
// line is located, its value (which may continue over several lines, as an
// array can) is parsed on its own, and only a value that means something
// else than the running setting is replaced. A value written by hand in
// another spelling ("64mb" for 67108864) stays as it was.
#include "erdtree/config/config_rewrite.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "erdtree/config/config_table.h"
#include "toml_text.h"

namespace erdtree::config {
namespace {

// A value spanning more lines than this is left alone (no setting needs it).
constexpr size_t kMaxValueLines = 64;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> splitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// The value of `rest` (the text after '='), parsed as TOML, or nullopt.
std::optional<toml::value> parseValue(const std::string& rest) {
  try {
    std::istringstream in("v =" + rest + "\n");
    toml::value root = toml::parse(in, "config rewrite");
    return toml::find(root, "v");
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Where a single-line value ends: the first '#' outside a string, else the end.
size_t valueEnd(std::string_view rest) {
  char quote = 0;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (quote != 0) {
      if (c == '\\' && quote == '"') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      return i;
    }
  }
  return rest.size();
}

TomlKind kindOf(const toml::value& v) {
  if (v.is_boolean()) return TomlKind::Boolean;
  if (v.is_integer()) return TomlKind::Integer;
  if (v.is_string()) return TomlKind::String;
  return TomlKind::Unknown;
}

std::string keyName(std::string_view k) {
  k = trim(k);
  if (k.size() >= 2 && (k.front() == '"' || k.front() == '\'') && k.back() == k.front()) k = k.substr(1, k.size() - 2);
  return std::string(k);
}

std::string_view canonicalName(const SettingDescriptor& d) { return d.aliasOf.empty() ? d.name : d.aliasOf; }

}  // namespace

std::string rewriteTomlText(std::string_view fileText, const Settings& current, const Settings& defaults) {
  std::vector<std::string> lines = splitLines(fileText);
  std::set<std::string_view> inFile;              // canonical names the file sets
  std::map<std::string, size_t> tableEnd;         // table -> its last header/key line
  std::string table;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view t = trim(lines[i]);
    if (t.empty() || t.front() == '#') continue;
    if (t.front() == '[') {
      size_t close = t.find(']');
      table = std::string(trim(t.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1)));
      tableEnd[table] = i;
      continue;
    }
    size_t eq = lines[i].find('=');
    if (eq == std::string::npos) continue;
    const std::string key = keyName(std::string_view(lines[i]).substr(0, eq));
    // The value may continue on the next lines (a multi-line array).
    std::string rest = lines[i].substr(eq + 1);
    size_t last = i;
    std::optional<toml::value> value = parseValue(rest);
    while (!value && last + 1 < lines.size() && last - i < kMaxValueLines) {
      rest += "\n" + lines[++last];
      value = parseValue(rest);
    }
    if (!value) continue;  // not ours to judge; leave the text alone
    tableEnd[table] = last;
    const SettingDescriptor* d = findSetting(key);
    if (d == nullptr || d->table != table) {
      i = last;
      continue;
    }
    inFile.insert(canonicalName(*d));
    const std::string now = d->format(current);
    std::string old;
    Settings scratch = current;
    bool same = tomlToText(*value, old) && d->parse(scratch, old).empty() && d->format(scratch) == now;
    if (!same) {
      const std::string newValue = textToToml(now, kindOf(*value));
      std::string line = lines[i].substr(0, eq + 1) + " " + newValue;
      if (last == i) {
        // Keep the comment, at its old column when the new value fits.
        const size_t cut = valueEnd(rest);
        std::string_view comment = trim(std::string_view(rest).substr(cut));
        if (!comment.empty()) {
          const size_t column = eq + 1 + cut;
          line += line.size() + 1 < column ? std::string(column - line.size(), ' ') : std::string(" ");
          line += comment;
        }
      }
      if (!lines[last].empty() && lines[last].back() == '\r') line += '\r';
      lines[i] = line;
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i) + 1, lines.begin() + static_cast<std::ptrdiff_t>(last) + 1);
      for (auto& [name, end] : tableEnd)
        if (end > i) end -= last - i;
      tableEnd[table] = i;
      last = i;
    }
    i = last;
  }

  // Settings the file lacks and that differ from the defaults, per table.
  std::map<std::string, std::vector<std::string>> additions;
  for (const SettingDescriptor& d : settingDescriptors()) {
    if (!d.aliasOf.empty() || inFile.count(d.name)) continue;
    const std::string now = d.format(current);
    if (now == d.format(defaults)) continue;
    additions[std::string(d.table)].push_back(std::string(d.name) + " = " + textToToml(now, TomlKind::Unknown));
  }
  // Insert from the bottom up so earlier positions stay valid.
  std::vector<std::pair<size_t, std::string>> inserts;
  std::vector<std::string> newTables;
  for (const auto& [name, entries] : additions) {
    auto it = tableEnd.find(name);
    if (it == tableEnd.end()) {
      newTables.push_back(name);
      continue;
    }
    for (auto e = entries.rbegin(); e != entries.rend(); ++e) inserts.emplace_back(it->second, *e);
  }
  std::stable_sort(inserts.begin(), inserts.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [after, text] : inserts) lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(after) + 1, text);
  for (const std::string& name : newTables) {
    if (!lines.empty() && !trim(lines.back()).empty()) lines.emplace_back();
    lines.push_back("[" + name + "]");
    for (const std::string& e : additions[name]) lines.push_back(e);
  }

  std::string out;
  for (const std::string& l : lines) {
    out += l;
    out += '\n';
  }
  return out;
}

}  // namespace erdtree::config
