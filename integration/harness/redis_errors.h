#pragma once
// Error replies many suites expect, as show() renders them (Redis 7.0 text).
#include <string>

namespace erdtree::itest {

inline const std::string kWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";
inline const std::string kNotInteger = "-ERR value is not an integer or out of range";
inline const std::string kSyntax = "-ERR syntax error";

}  // namespace erdtree::itest
