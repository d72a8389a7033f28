// Wait queues, ready keys, timeouts and CLIENT UNBLOCK for blocking
// commands (the mechanism is described in blocking.h).
#include "erdtree/command/blocking.h"

#include <climits>
#include <cmath>
#include <cstring>

#include "erdtree/command/context.h"
#include "erdtree/util/numbers.h"

namespace erdtree::command {

bool parseBlockTimeout(Context& ctx, std::string_view arg, int64_t& deadlineMs) {
  auto seconds = util::parseLongDouble(arg);
  if (!seconds) {
    ctx.out.error("ERR timeout is not a float or out of range");
    return false;
  }
  // Redis 7.0: (long long)ceill(seconds * 1000). A value outside the range of
  // long long (including inf) converts to LLONG_MIN on x86, hence "negative".
  long double ms = std::ceil(*seconds * 1000.0L);
  int64_t tval = INT64_MIN;
  if (ms >= static_cast<long double>(INT64_MIN) && ms <= static_cast<long double>(INT64_MAX))
    tval = static_cast<int64_t>(ms);
  if (tval < 0) {
    ctx.out.error("ERR timeout is negative");
    return false;
  }
  // Redis 7.0 adds the time without an overflow check; a sum past the end of
  // the clock never times out there, which saturating gives too.
  deadlineMs = tval == 0 ? 0 : (tval > INT64_MAX - ctx.nowMs ? INT64_MAX : ctx.nowMs + tval);
  return true;
}

bool mayBlock(const Context& ctx) { return !ctx.session.internal && !ctx.svc.execWrapPending; }

void blockForKeys(Context& ctx, std::span<const std::string_view> keys, int64_t deadlineMs,
                  const BlockingCommand& cmd) {
  ctx.svc.blocking.block(ctx.session, ctx.session.db, keys, deadlineMs, cmd, ctx.args);
}

std::string BlockingRegistry::composite(int db, std::string_view key) {
  std::string c(sizeof(int), '\0');
  std::memcpy(c.data(), &db, sizeof(int));
  c.append(key);
  return c;
}

void BlockingRegistry::block(Session& s, int db, std::span<const std::string_view> keys, int64_t deadlineMs,
                             const BlockingCommand& cmd, std::span<const std::string_view> args) {
  Waiter w{&s, db, &cmd, deadlineMs, std::vector<std::string>(args.begin(), args.end()), {}};
  for (std::string_view key : keys) {
    std::string ck = composite(db, key);
    bool dup = false;  // BLPOP k k waits once on k
    for (const auto& p : w.positions) dup |= p.first == ck;
    if (dup) continue;
    Queue& q = byKey_[ck];
    q.push_back(&s);
    w.positions.emplace_back(std::move(ck), std::prev(q.end()));
  }
  if (deadlineMs != 0) deadlines_.emplace(deadlineMs, s.id);
  waiters_.emplace(s.id, std::move(w));
  s.blocked = true;
}

void BlockingRegistry::blockForAcks(Session& s, int64_t offset, int64_t numReplicas, int64_t deadlineMs,
                                    std::span<const std::string_view> args) {
  Waiter w{&s, s.db, nullptr, deadlineMs, std::vector<std::string>(args.begin(), args.end()), {}};
  w.ackOffset = offset;
  w.ackReplicas = numReplicas;
  if (deadlineMs != 0) deadlines_.emplace(deadlineMs, s.id);
  waiters_.emplace(s.id, std::move(w));
  ++ackWaiters_;
  s.blocked = true;
}

void BlockingRegistry::blockForShutdown(Session& s) {
  Waiter w{&s, s.db, nullptr, 0, {}, {}};
  w.shutdown = true;
  waiters_.emplace(s.id, std::move(w));
  s.blocked = true;
}

void BlockingRegistry::failShutdownWaiters(std::string_view error) {
  std::vector<uint64_t> ids;
  for (auto& [id, w] : waiters_)
    if (w.shutdown) ids.push_back(id);
  for (uint64_t id : ids) {
    replyTo(*waiters_.at(id).session, [&](resp::Writer& out) { out.error(error); });
    release(id, true);
  }
}

void BlockingRegistry::serveAckWaiters() {
  if (ackWaiters_ == 0) return;
  std::vector<std::pair<uint64_t, int64_t>> done;  // released after the walk
  for (auto& [id, w] : waiters_) {
    if (w.cmd != nullptr || w.shutdown) continue;
    int64_t acked = countAcks(w.ackOffset);
    if (acked >= w.ackReplicas) done.emplace_back(id, acked);
  }
  for (auto [id, acked] : done) {
    replyTo(*waiters_.at(id).session, [&](resp::Writer& out) { out.integer(acked); });
    release(id, true);
  }
}

void BlockingRegistry::timeoutReply(const Waiter& w, resp::Writer& out) const {
  if (w.cmd == nullptr) out.integer(countAcks(w.ackOffset));  // WAIT: whoever acknowledged so far
  else w.cmd->timedOut(out);
}

void BlockingRegistry::queueReady(int db, std::string_view key) {
  std::string ck = composite(db, key);
  if (byKey_.find(ck) == byKey_.end()) return;  // nobody waits for it
  if (!readySet_.insert(std::move(ck)).second) return;  // already signalled
  ready_.emplace_back(db, std::string(key));
}

void BlockingRegistry::release(uint64_t sessionId, bool resume) {
  auto it = waiters_.find(sessionId);
  if (it == waiters_.end()) return;
  Waiter& w = it->second;
  for (auto& [ck, node] : w.positions) {
    auto q = byKey_.find(ck);
    q->second.erase(node);
    if (q->second.empty()) byKey_.erase(q);
  }
  if (w.deadlineMs != 0) deadlines_.erase({w.deadlineMs, sessionId});
  if (w.cmd == nullptr && !w.shutdown) --ackWaiters_;
  w.session->blocked = false;
  if (resume) unblocked_.push_back(sessionId);
  waiters_.erase(it);
}

template <class F>
bool BlockingRegistry::replyTo(Session& s, F&& write) {
  std::string scratch;  // a session without a sink (none today) or with CLIENT REPLY OFF drops the reply
  const bool drop = s.sink == nullptr || s.replyMode == Session::ReplyMode::kOff;
  std::string& buf = drop ? scratch : s.sink->buffer();
  resp::Writer out(buf, s.protocol);
  const size_t mark = buf.size();
  write(out);
  const bool error = buf.size() > mark && buf[mark] == '-';
  if (error && errors_ != nullptr) {
    std::string_view line = std::string_view(buf).substr(mark + 1);
    errors_->count(line.substr(0, line.find('\r')));
  }
  if (!drop) s.sink->appended();
  return error;
}

void BlockingRegistry::serveReadyKeys(Services& svc, int64_t nowMs) {
  while (!ready_.empty()) {
    // Serving may signal more keys (BLMOVE's destination): next round.
    std::vector<std::pair<int, std::string>> round = std::exchange(ready_, {});
    for (auto& [db, key] : round) {
      readySet_.erase(composite(db, key));  // from now on it may be signalled again
      serveKey(svc, db, key, nowMs);
    }
  }
}

void BlockingRegistry::serveKey(Services& svc, int db, std::string_view key, int64_t nowMs) {
  auto qit = byKey_.find(composite(db, key));
  if (qit == byKey_.end()) return;
  Queue& q = qit->second;
  for (auto it = q.begin(); it != q.end();) {
    Session* s = *it;
    ++it;
    // Serving s removes only s's node; when that empties the queue, the queue
    // itself goes away, so decide now whether s was the last one.
    const bool last = it == q.end();
    engine::Entry* e = svc.keyspace.db(db).lookup(key, nowMs);
    if (e == nullptr) return;  // taken (or never there): the rest keep waiting
    Waiter& w = waiters_.at(s->id);
    if (e->type() != w.cmd->type) {
      if (last) return;
      continue;  // e.g. a zset waiter on a key that is now a list
    }
    std::vector<std::string_view> args(w.args.begin(), w.args.end());
    bool served = false;
    const bool failed = replyTo(*s, [&](resp::Writer& out) {
      Context ctx{*s, args, out, svc, nowMs};
      served = w.cmd->serve(ctx, key);
    });
    if (served) {
      if (finished_) finished_(*s, w.args, true, failed);
      release(s->id, true);
    }
    if (last) return;
  }
}

void BlockingRegistry::expireTimedOut(int64_t nowMs) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= nowMs) {
    uint64_t id = deadlines_.begin()->second;
    Waiter& w = waiters_.at(id);
    replyTo(*w.session, [&](resp::Writer& out) { timeoutReply(w, out); });
    if (finished_ && w.cmd != nullptr) finished_(*w.session, w.args, false, false);
    release(id, true);
  }
}

bool BlockingRegistry::unblock(uint64_t sessionId, bool withError) {
  auto it = waiters_.find(sessionId);
  if (it == waiters_.end() || it->second.shutdown) return false;
  Waiter& w = it->second;
  replyTo(*w.session, [&](resp::Writer& out) {
    if (withError) out.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    else timeoutReply(w, out);
  });
  if (finished_ && w.cmd != nullptr) finished_(*w.session, w.args, false, true);
  release(sessionId, true);
  return true;
}

std::vector<uint64_t> BlockingRegistry::unblockAll(std::string_view error) {
  std::vector<uint64_t> ids;
  for (auto& [id, w] : waiters_) ids.push_back(id);
  for (uint64_t id : ids) {
    replyTo(*waiters_.at(id).session, [&](resp::Writer& out) { out.error(error); });
    release(id, false);
  }
  return ids;
}

void BlockingRegistry::forget(Session& s) {
  release(s.id, false);
  std::erase(unblocked_, s.id);
}

}  // namespace erdtree::command
