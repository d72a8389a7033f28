#include "erdtree/util/glob.h"

#include <cctype>

namespace erdtree::util {
namespace {

inline char fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches one [...] class at p (just after '['); advances p past ']'.
bool matchClass(const char*& p, const char* pend, char c, bool nocase) {
  bool negate = false;
  bool matched = false;
  if (p < pend && *p == '^') {
    negate = true;
    ++p;
  }
  while (p < pend && *p != ']') {
    if (*p == '\\' && p + 1 < pend) {
      ++p;
      if (fold(*p, nocase) == fold(c, nocase)) matched = true;
      ++p;
    } else if (p + 2 < pend && p[1] == '-') {  // as Redis: "[a-]" is a range up to ']'

      char lo = fold(p[0], nocase), hi = fold(p[2], nocase), x = fold(c, nocase);
      if (lo > hi) std::swap(lo, hi);
      if (x >= lo && x <= hi) matched = true;
      p += 3;
    } else {
      if (fold(*p, nocase) == fold(c, nocase)) matched = true;
      ++p;
    }
  }
  if (p < pend) ++p;  // skip ']'; an unterminated class ends the pattern, as in Redis
  return negate ? !matched : matched;
}

}  // namespace

bool globMatch(std::string_view pattern, std::string_view text, bool nocase) {
  // As Redis's stringmatchlen: the empty string matches only the empty
  // pattern ("*" and "**" do not match it; KEYS/SCAN treat a bare "*" as
  // "everything" before matching, so KEYS * still lists the key "").
  if (text.empty()) return pattern.empty();
  const char* p = pattern.data();
  const char* pend = p + pattern.size();
  const char* s = text.data();
  const char* send = s + text.size();
  // Backtracking point for the most recent '*': linear in practice, no recursion.
  const char* starP = nullptr;
  const char* starS = nullptr;
  while (s < send) {
    if (p < pend) {
      char pc = *p;
      if (pc == '*') {
        while (p < pend && *p == '*') ++p;
        if (p == pend) return true;
        starP = p;
        starS = s;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++s;
        continue;
      }
      if (pc == '[') {
        const char* q = p + 1;
        if (matchClass(q, pend, *s, nocase)) {
          p = q;
          ++s;
          continue;
        }
      } else {
        const char* q = p;
        if (pc == '\\' && q + 1 < pend) ++q;
        if (fold(*q, nocase) == fold(*s, nocase)) {
          p = q + 1;
          ++s;
          continue;
        }
      }
    }
    if (starP == nullptr) return false;
    p = starP;
    s = ++starS;
  }
  while (p < pend && *p == '*') ++p;
  return p == pend;
}

}  // namespace erdtree::util
