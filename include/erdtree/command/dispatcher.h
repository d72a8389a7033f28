#pragma once
// Runs one parsed request: lookup -> arity -> auth -> OOM (maxmemory) -> disk
// error -> read-only replica -> MULTI queueing -> handler, in Redis's order, so
// the same input gets the same error Redis would send.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "erdtree/command/context.h"

namespace erdtree::command {

// Leaves MULTI, drops the queue and unwatches every key (DISCARD, EXEC, and
// an EXEC the dispatcher refuses). Defined in transaction_commands.cpp.
void discardTransaction(Services& svc, Session& session);

class Dispatcher {
 public:
  explicit Dispatcher(Services& svc);
  // args[0] is the command name; the reply is appended to out. Inside MULTI,
  // commands other than EXEC/DISCARD/MULTI/WATCH/QUIT are queued. Afterwards,
  // clients blocked on keys the command made ready are served (blocking.h).
  void execute(Session& session, std::span<const std::string_view> args, resp::Writer& out, int64_t nowMs);
  // Runs an already validated command now (EXEC's queued commands); touches
  // watched keys when it changed data.
  void call(Session& session, const CommandSpec& spec, std::span<const std::string_view> args, resp::Writer& out,
            int64_t nowMs);
  // Lookup and arity as execute() does them; replies the error and returns
  // nullptr when the request is not a valid command.
  // internal: the request comes from the AOF or the master (Registry::findOriginal).
  const CommandSpec* resolve(std::span<const std::string_view> args, resp::Writer& out, bool internal = false);
  Services& services() { return svc_; }
  // Whether clients must authenticate (requirepass set).
  void setAuthRequired(bool required) { authRequired_ = required; }
  bool authRequired() const { return authRequired_; }

 private:
  // resolve() without the reply: nullptr and the error text (with its "ERR "
  // prefix) when refused; found is the spec named, if any, even then
  // (none for an unknown subcommand, as Redis).
  const CommandSpec* lookup(std::span<const std::string_view> args, const CommandSpec*& found,
                            std::string& error, bool internal) const;
  // Refuses a request (Redis's rejectCommand): inside MULTI it flags the
  // transaction; a refused EXEC answers EXECABORT and discards it.
  void reject(Session& session, const CommandSpec* spec, std::string_view error, resp::Writer& out);
  // Counts the error reply a handler wrote at replyMark (INFO errorstats).
  void countHandlerError(resp::Writer& out, size_t replyMark);
  // A handler that ran long enough for a LATENCY sample or a SLOWLOG entry.
  void recordSlow(const Session& session, const CommandSpec& spec, std::span<const std::string_view> args,
                  int64_t durationUs);

  Services& svc_;
  bool authRequired_ = false;
  uint64_t errorsSeen_ = 0;  // total error replies when the last command ended (failed_calls)
};

}  // namespace erdtree::command
