#pragma once
#include <string_view>

namespace erdtree::util {

// ASCII case-insensitive equality for option keywords ("EX", "nx", ...). b is
// expected to be a lower-case keyword.
inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    char d = b[i];
    if (d >= 'A' && d <= 'Z') d = static_cast<char>(d + 32);
    if (c != d) return false;
  }
  return true;
}

}  // namespace erdtree::util
