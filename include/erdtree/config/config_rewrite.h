#pragma once
// CONFIG REWRITE for the TOML file: the file's text with every setting whose
// value differs from the running one updated in place (same line, same
// table, its comment kept), and every setting that is neither in the file nor
// at its default added at the end of its table (the table is appended when
// the file has none). Comments, blank lines and order stay as they were.
#include <string>
#include <string_view>

#include "erdtree/config/settings.h"

namespace erdtree::config {

std::string rewriteTomlText(std::string_view fileText, const Settings& current, const Settings& defaults);

}  // namespace erdtree::config
