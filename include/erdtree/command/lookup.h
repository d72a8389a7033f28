#pragma once
// Key lookups shared by every family, with Redis's side effects: reads count a
// keyspace hit or miss and refresh the key's LRU clock (or LFU counter,
// access_clock.h); expired keys are
// deleted on the way (Db::lookup).
#include <string_view>

#include "erdtree/command/context.h"
#include "erdtree/command/replies.h"
#include "erdtree/engine/access_clock.h"

namespace erdtree::command {

inline engine::Entry* lookupRead(Context& ctx, std::string_view key) {
  engine::Entry* e = ctx.db().lookup(key, ctx.nowMs);
  if (e == nullptr) {
    ++ctx.svc.stats.keyspaceMisses;
    return nullptr;
  }
  ++ctx.svc.stats.keyspaceHits;
  engine::touchEntry(e, ctx.svc.access, ctx.nowMs);
  return e;
}

inline engine::Entry** lookupWriteRef(Context& ctx, std::string_view key) {
  engine::Entry** ref = ctx.db().lookupRef(key, ctx.nowMs);
  if (ref != nullptr) engine::touchEntry(*ref, ctx.svc.access, ctx.nowMs);
  return ref;
}

// Replies WRONGTYPE and returns false unless e holds a string.
inline bool expectString(Context& ctx, const engine::Entry* e) {
  if (e->type() == engine::ValueType::String) return true;
  ctx.out.error(err::kWrongType);
  return false;
}

// Replies WRONGTYPE and returns false unless e holds a value of type t.
inline bool expectType(Context& ctx, const engine::Entry* e, engine::ValueType t) {
  if (e->type() == t) return true;
  ctx.out.error(err::kWrongType);
  return false;
}

// The value of type T (an engine::Object subclass holding `type`) at key,
// looked up for reading or, with forWrite, for writing. Returns false after
// replying WRONGTYPE; out is null when the key does not exist.
template <class T>
bool lookupValue(Context& ctx, std::string_view key, engine::ValueType type, T*& out, bool forWrite) {
  engine::Entry* e = nullptr;
  if (forWrite) {
    engine::Entry** ref = lookupWriteRef(ctx, key);
    e = ref == nullptr ? nullptr : *ref;
  } else {
    e = lookupRead(ctx, key);
  }
  out = nullptr;
  if (e == nullptr) return true;
  if (!expectType(ctx, e, type)) return false;
  out = static_cast<T*>(e->object());
  return true;
}

// Replies Redis's wrong-arity error for this command, for checks the
// registry's arity cannot express (MSET/HSET pairs, LPOP's optional count).
void replyWrongArity(Context& ctx);

// Parses an integer argument, replying Redis's error when it is not one.
bool parseIntArg(Context& ctx, std::string_view text, int64_t& out);

// Replies a SUBCOMMAND HELP text: one status line per entry.
template <size_t N>
void replyHelp(Context& ctx, const char* const (&lines)[N]) {
  ctx.out.arrayHeader(N);
  for (const char* l : lines) ctx.out.simple(l);
}

// Redis's addReplySubcommandSyntaxError, for a subcommand whose own argument
// count is wrong: "unknown subcommand or wrong number of arguments for
// '<arg 1 as typed>'. Try <ARG 0> HELP." (each cut at NUL, newlines as spaces).
void replySubcommandSyntaxError(Context& ctx);

// The encoding Redis 7.0 reports for a string value (OBJECT ENCODING).
std::string_view stringEncoding(const engine::Entry* e);
// Whether Redis would hold this value as one of its shared integers 0..9999
// (refcount reported as INT_MAX); a COPY duplicates the value, so not that.
bool sharedInteger(const engine::Entry* e);

// Builds a new string entry stamped with the current LRU clock (or LFU start).
engine::Entry* makeStringEntry(Context& ctx, std::string_view key, std::string_view value, int64_t expireAtMs);

}  // namespace erdtree::command
