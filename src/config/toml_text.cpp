#include "toml_text.h"

#include <cstdio>

#include "erdtree/util/numbers.h"

namespace erdtree::config {

bool tomlToText(const toml::value& v, std::string& out) {
  if (v.is_string()) {
    out = v.as_string().str;
  } else if (v.is_integer()) {
    out = std::to_string(v.as_integer());
  } else if (v.is_boolean()) {
    out = v.as_boolean() ? "yes" : "no";
  } else if (v.is_array()) {
    out.clear();
    for (const auto& item : v.as_array()) {
      std::string part;
      if (!tomlToText(item, part)) return false;
      if (!out.empty()) out += ' ';
      out += part;
    }
  } else {
    return false;
  }
  return true;
}

namespace {

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace

std::string textToToml(std::string_view text, TomlKind kind) {
  if ((kind == TomlKind::Boolean || kind == TomlKind::Unknown) && (text == "yes" || text == "no"))
    return text == "yes" ? "true" : "false";
  if (kind == TomlKind::Integer || kind == TomlKind::Unknown) {
    auto n = util::parseInt64(text);
    // Only the canonical spelling: "007" must stay a string to load back as "007".
    if (n && std::to_string(*n) == text) return std::string(text);
  }
  return quoted(text);
}

}  // namespace erdtree::config
