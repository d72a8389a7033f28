#include "erdtree/command/expire_args.h"

#include <climits>
#include <string>

#include "erdtree/command/lookup.h"
#include "erdtree/command/spec.h"

namespace erdtree::command {

void replyInvalidExpire(Context& ctx) {
  std::string msg = "ERR invalid expire time in '";
  // The command's own name as Redis prints it (lower case).
  for (char c : ctx.args[0]) msg.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  msg += "' command";
  ctx.out.error(msg);
}

bool parseExpireArg(Context& ctx, std::string_view text, TimeUnit unit, bool relative, bool requirePositive,
                    int64_t& atMs) {
  int64_t v = 0;
  if (!parseIntArg(ctx, text, v)) return false;
  if (requirePositive && v <= 0) {
    replyInvalidExpire(ctx);
    return false;
  }
  if (unit == TimeUnit::Seconds) {
    if (v > LLONG_MAX / 1000 || v < LLONG_MIN / 1000) {
      replyInvalidExpire(ctx);
      return false;
    }
    v *= 1000;
  }
  if (relative) {
    if (v > LLONG_MAX - ctx.nowMs) {
      replyInvalidExpire(ctx);
      return false;
    }
    v += ctx.nowMs;
  }
  atMs = v;
  return true;
}

}  // namespace erdtree::command
