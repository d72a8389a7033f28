#pragma once
#include <string_view>

namespace erdtree::util {

// Redis-style glob: * ? [abc] [^a] [a-z] and backslash escapes. Used by KEYS,
// SCAN MATCH, CONFIG GET and (later) PSUBSCRIBE.
bool globMatch(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace erdtree::util
