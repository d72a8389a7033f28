// CLIENT PAUSE on the server side. The dispatcher holds a paused client's
// request (Session::postponed, its id in ClientPause::held) without reading
// it; here, before the loop sleeps, the pause ends when its time is up (or
// CLIENT UNPAUSE cleared it) and the held clients run, in the order they
// were held. While a pause lasts, keys past their TTL are hidden but not
// deleted (no DEL may reach the log or the replicas), as Redis 7.0 pauses
// expiry and eviction with clients.
#include "erdtree/server/server.h"
#include "erdtree/util/clock.h"

namespace erdtree::server {

void Server::refreshPause() {
  command::ClientPause& p = services_.pause;
  if (p.untilMs == 0 && p.held.empty() && !expiryPausedByUs_) return;  // the common case: one comparison
  const int64_t nowMs = util::unixTimeMs();
  const bool wasAll = p.untilMs != 0 && p.all;
  p.combine(nowMs);
  const bool paused = p.untilMs != 0;
  // An ALL pause that ended under a shutdown's write pause: the held reads run.
  const bool weakened = paused && wasAll && !p.all;
  if (paused && !expiryPausedByUs_ && keyspace_.expiryMode() == engine::ExpiryMode::Delete) {
    keyspace_.setExpiryMode(engine::ExpiryMode::HideOnly);
    expiryPausedByUs_ = true;
  } else if (!paused && expiryPausedByUs_) {
    if (replicaLink_ == nullptr) keyspace_.setExpiryMode(engine::ExpiryMode::Delete);
    expiryPausedByUs_ = false;
  }
  // Wake up when the pause is due to end.
  const int64_t deadline = paused ? p.untilMs : 0;
  if (deadline != pauseTimerDeadline_ && !stopped_) {
    pauseTimerDeadline_ = deadline;
    if (deadline == 0) {
      uv_timer_stop(&pauseTimer_);
    } else {
      uv_update_time(&loop_);
      uv_timer_start(&pauseTimer_, [](uv_timer_t* h) { static_cast<Server*>(h->data)->pauseTimerDeadline_ = 0; },
                     static_cast<uint64_t>(std::max<int64_t>(0, deadline - nowMs)), 0);
    }
  }
  if ((paused && !weakened) || p.held.empty()) return;
  std::vector<uint64_t> held = std::exchange(p.held, {});
  for (uint64_t id : held) {
    net::Connection* conn = tcp_->find(id);
    auto* c = conn != nullptr ? static_cast<Client*>(conn->userData) : nullptr;
    if (c == nullptr || conn->closing() || !c->session.postponed) continue;
    c->session.postponed = false;
    processInput(*c);
    // A held CLIENT PAUSE paused again (or harder): the rest wait. Writes
    // held again by a write pause are back in p.held already.
    if (services_.pause.untilMs != 0 && (!paused || services_.pause.all)) break;
  }
  // Those not reached stay held for the new pause.
  for (uint64_t id : held) {
    net::Connection* conn = tcp_->find(id);
    auto* c = conn != nullptr ? static_cast<Client*>(conn->userData) : nullptr;
    if (c != nullptr && c->session.postponed &&
        std::find(p.held.begin(), p.held.end(), id) == p.held.end())
      p.held.push_back(id);
  }
}

}  // namespace erdtree::server
