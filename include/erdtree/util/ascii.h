#pragma once
#include <string_view>
#include <vector>

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

// Splits on runs of spaces ("a  b c" -> a, b, c); views into s.
inline std::vector<std::string_view> splitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace erdtree::util
