#include "erdtree/command/lookup.h"

#include "erdtree/util/numbers.h"

namespace erdtree::command {

bool parseIntArg(Context& ctx, std::string_view text, int64_t& out) {
  auto v = util::parseInt64(text);
  if (!v) {
    ctx.out.error(err::kNotInteger);
    return false;
  }
  out = *v;
  return true;
}

engine::Entry* makeStringEntry(Context& ctx, std::string_view key, std::string_view value, int64_t expireAtMs) {
  engine::Entry* e = engine::Entry::makeString(key, value, expireAtMs);
  e->setLru(engine::lruClockFromMs(ctx.nowMs));
  return e;
}

}  // namespace erdtree::command
