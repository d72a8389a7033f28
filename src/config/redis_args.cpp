#include "erdtree/config/redis_args.h"

#include "erdtree/util/repr.h"

#include <cctype>

namespace erdtree::config {
namespace {

bool isHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}
// C isspace: what may follow a closing quote and what separates words.
bool isBlank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

}  // namespace

bool splitRedisArgs(std::string_view input, std::vector<std::string>& out) {
  out.clear();
  // The C string ends at the first NUL.
  const std::string_view line = input.substr(0, input.find('\0'));
  size_t p = 0;
  auto at = [&](size_t i) { return i < line.size() ? line[i] : '\0'; };
  while (true) {
    while (p < line.size() && isBlank(line[p])) ++p;
    if (p >= line.size()) return true;
    std::string word;
    bool inDouble = false, inSingle = false, done = false;
    while (!done) {
      const char c = at(p);
      if (inDouble) {
        if (c == '\\' && at(p + 1) == 'x' && isHex(at(p + 2)) && isHex(at(p + 3))) {
          word.push_back(static_cast<char>(hexValue(at(p + 2)) * 16 + hexValue(at(p + 3))));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          ++p;
          switch (at(p)) {
            case 'n': word.push_back('\n'); break;
            case 'r': word.push_back('\r'); break;
            case 't': word.push_back('\t'); break;
            case 'b': word.push_back('\b'); break;
            case 'a': word.push_back('\a'); break;
            default: word.push_back(at(p)); break;
          }
        } else if (c == '"') {
          if (at(p + 1) != '\0' && !isBlank(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          word.push_back(c);
        }
      } else if (inSingle) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          word.push_back('\'');
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !isBlank(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          word.push_back(c);
        }
      } else {
        switch (c) {
          case ' ': case '\n': case '\r': case '\t': case '\0': done = true; break;
          case '"': inDouble = true; break;
          case '\'': inSingle = true; break;
          default: word.push_back(c); break;
        }
      }
      if (p < line.size()) ++p;
    }
    out.push_back(std::move(word));
  }
}

std::string quoteRedisArg(std::string_view s) {
  std::string out;
  util::appendRepr(out, s);
  return out;
}

}  // namespace erdtree::config
