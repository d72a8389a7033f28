#pragma once
// What other command files need from the sorted-set family: the pop used by
// ZPOPMIN/ZPOPMAX/ZMPOP, shared with the blocking forms (BZPOPMIN, BZPOPMAX,
// BZMPOP) once a key they wait on can be served.
#include <cstddef>
#include <string_view>

#include "erdtree/command/context.h"

namespace erdtree::command {

// Reply shapes of the pop commands (the score is a double: RESP3 ",1.5",
// RESP2 a bulk string).
enum class ZPopReply {
  kFlat,        // [m, s, m, s, ...]: ZPOPMIN/ZPOPMAX in RESP2 and without COUNT
  kNested,      // [[m, s], ...]: ZPOPMIN/ZPOPMAX with COUNT in RESP3
  kKeyFlat,     // [key, m, s]: BZPOPMIN/BZPOPMAX
  kKeyNested,   // [key, [[m, s], ...]]: ZMPOP/BZMPOP
};

// Pops up to count (>= 1) elements with the lowest (or highest, fromMax)
// scores from the sorted set at key, which must exist and hold a zset (the
// caller has checked the type). Replies them in the given shape, deletes the
// key when it becomes empty, propagates "ZPOPMIN|ZPOPMAX key n" (n popped)
// and touches key for WATCH. Returns how many were popped.
size_t zsetPopGeneric(Context& ctx, std::string_view key, bool fromMax, size_t count, ZPopReply shape);

}  // namespace erdtree::command
