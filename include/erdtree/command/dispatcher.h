#pragma once
// Runs one parsed request: lookup -> arity -> auth -> (OOM, read-only replica
// and MULTI queueing arrive with later issues) -> handler, in Redis's order, so
// the same input gets the same error Redis would send.
#include <cstdint>
#include <span>
#include <string_view>

#include "erdtree/command/context.h"

namespace erdtree::command {

class Dispatcher {
 public:
  explicit Dispatcher(Services& svc) : svc_(svc) {}
  // args[0] is the command name; the reply is appended to out.
  void execute(Session& session, std::span<const std::string_view> args, resp::Writer& out, int64_t nowMs);
  Services& services() { return svc_; }
  // Whether clients must authenticate (requirepass set).
  void setAuthRequired(bool required) { authRequired_ = required; }
  bool authRequired() const { return authRequired_; }

 private:
  Services& svc_;
  bool authRequired_ = false;
};

}  // namespace erdtree::command
