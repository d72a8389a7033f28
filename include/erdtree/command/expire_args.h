#pragma once
// Turning a TTL argument into an absolute Unix time in milliseconds, with
// Redis's overflow checks and its "invalid expire time in '<cmd>' command".
#include <cstdint>
#include <string_view>

#include "erdtree/command/context.h"

namespace erdtree::command {

enum class TimeUnit { Seconds, Milliseconds };

// relative: added to now. requirePositive: SET/SETEX/GETEX refuse <= 0 (EXPIRE
// accepts it and deletes the key). Replies the error and returns false on bad input.
bool parseExpireArg(Context& ctx, std::string_view text, TimeUnit unit, bool relative, bool requirePositive,
                    int64_t& atMs);

void replyInvalidExpire(Context& ctx);

}  // namespace erdtree::command
