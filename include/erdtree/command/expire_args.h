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

// Redis's checkAlreadyExpired: EXPIRE-like commands (and GETEX) delete the
// key at once when the deadline has passed, except on a replica. There the
// key keeps its past deadline and waits for the master's DEL: the master's
// PEXPIREAT may arrive after its time (a lagging replica) while the master
// still holds the key and keeps writing to it.
inline bool deletesAtOnce(const Context& ctx, int64_t atMs) {
  return atMs <= ctx.nowMs && ctx.svc.keyspace.expiryMode() == engine::ExpiryMode::Delete;
}

}  // namespace erdtree::command
