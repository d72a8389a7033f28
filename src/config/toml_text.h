#pragma once
// Private to src/config: TOML values as the text CONFIG SET takes, and back.
#include <string>
#include <string_view>
#include <toml.hpp>

namespace erdtree::config {

// A TOML value as the text CONFIG SET would receive (booleans as yes/no,
// arrays joined with spaces). False for a type no setting takes.
bool tomlToText(const toml::value& v, std::string& out);

// The TOML spelling of a setting's text: true/false for yes/no and an integer
// for a plain number when `kind` is that type (or unknown), else a quoted
// string. Loading it back with tomlToText gives the same text.
enum class TomlKind { Unknown, Boolean, Integer, String };
std::string textToToml(std::string_view text, TomlKind kind);

}  // namespace erdtree::config
