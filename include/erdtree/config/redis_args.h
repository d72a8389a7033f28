#pragma once
// The two halves of Redis's config-line quoting: reading a line into words
// as sdssplitargs does, and quoting a value as sdscatrepr does (CONFIG
// REWRITE, and the lines redis-server makes of its --name value flags).
#include <string>
#include <string_view>
#include <vector>

namespace erdtree::config {

// Splits `line` into words with Redis's rules: blanks separate words;
// "double quotes" take \n \r \t \b \a \xHH and \<any> escapes; 'single
// quotes' take only \'; a closing quote must be followed by a blank or the
// end. Returns false (Redis: "Unbalanced quotes") on an unterminated quote or
// a closing quote followed by something else. Parsing stops at a NUL byte,
// as the C string Redis parses would.
bool splitRedisArgs(std::string_view line, std::vector<std::string>& out);

// `s` in double quotes with \\ \" \n \r \t \a \b escaped and other
// non-printable bytes as \xHH.
std::string quoteRedisArg(std::string_view s);

}  // namespace erdtree::config
