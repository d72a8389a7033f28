#pragma once
// Redis's sdscatrepr: a string in double quotes with \\ \" \n \r \t \a \b
// escaped and other bytes outside printable ASCII as \xHH. MONITOR lines and
// redis.conf values (CONFIG REWRITE, flags read as lines) use this form.
#include <string>
#include <string_view>

namespace erdtree::util {

void appendRepr(std::string& out, std::string_view s);

}  // namespace erdtree::util
