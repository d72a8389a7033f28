#include "erdtree/command/scan_args.h"

#include <cctype>
#include <charconv>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "erdtree/command/lookup.h"
#include "erdtree/command/replies.h"
#include "erdtree/util/ascii.h"

namespace erdtree::command {

std::optional<uint64_t> parseScanCursor(std::string_view text) {
  const std::string s(text);  // strtoull needs a terminated string
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno == ERANGE || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

bool parseScanOptions(Context& ctx, size_t first, bool allowType, ScanOptions& out) {
  for (size_t j = first; j < ctx.argc(); j += 2) {
    if (j + 1 >= ctx.argc()) {
      ctx.out.error(err::kSyntax);
      return false;
    }
    const std::string_view opt = ctx.arg(j), val = ctx.arg(j + 1);
    if (util::equalsIgnoreCase(opt, "count")) {
      if (!parseIntArg(ctx, val, out.count)) return false;
      if (out.count < 1) {
        ctx.out.error(err::kSyntax);
        return false;
      }
    } else if (util::equalsIgnoreCase(opt, "match")) {
      out.pattern = val;
      out.hasPattern = val != "*";
    } else if (allowType && util::equalsIgnoreCase(opt, "type")) {
      out.type = val;
      out.hasType = true;
    } else {
      ctx.out.error(err::kSyntax);
      return false;
    }
  }
  return true;
}

void replyScanHeader(Context& ctx, uint64_t cursor, size_t n) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, cursor);
  ctx.out.arrayHeader(2);
  ctx.out.bulk(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
  ctx.out.arrayHeader(n);
}

}  // namespace erdtree::command
