// SHUTDOWN and SIGTERM/SIGINT, as Redis 7.0 shuts down: a master whose
// replicas have not acknowledged everything first pauses writes (as CLIENT
// PAUSE WRITE), sends them REPLCONF GETACK and waits, up to
// shutdown-timeout seconds, until every replica acknowledged its offset;
// the SHUTDOWN callers stay blocked meanwhile. Then the final save and the
// exit. SHUTDOWN ABORT (or a final save that fails) cancels the wait: the
// blocked callers get an error and writes resume. NOW skips the wait.
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>

#include "erdtree/server/server.h"
#include "erdtree/server/supervision.h"
#include "erdtree/util/clock.h"

namespace erdtree::server {
namespace {

constexpr std::string_view kShutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs.";

}  // namespace

std::string Server::shutdown(const ShutdownFlags& flags) {
  const bool waiting = shutdownDeadlineMs_ != 0 || waitForReplicasFirst(flags);
  if (waiting) {  // a second SHUTDOWN joins the first one's wait, as in Redis
    if (current_ != nullptr) services_.blocking.blockForShutdown(current_->session);
    return "";
  }
  if (!prepareShutdown(flags)) return std::string(kShutdownFailed);
  shutdownRequested_ = true;  // performShutdown() once this client's command returns
  return "";
}

bool Server::waitForReplicasFirst(const ShutdownFlags& flags) {
  spdlog::warn("User requested shutdown...");
  const int64_t timeout = config_.settings().shutdownTimeout;
  if (flags.now || timeout == 0 || master_.allAcked(replIds_.offset)) return false;
  const int64_t nowMs = util::unixTimeMs();
  shutdownFlags_ = flags;
  shutdownDeadlineMs_ = nowMs + timeout * 1000;
  // Under a CLIENT PAUSE the offset must not move: no GETACK (the replicas
  // acknowledge every second anyway), as Redis.
  if (services_.pause.untilMs == 0) master_.requestAck();
  services_.pause.duringShutdown = true;
  services_.pause.combine(nowMs);
  spdlog::info("Waiting for replicas before shutting down.");
  return true;
}

// Before the loop sleeps (the cron's ticks wake it for the deadline).
void Server::serveShutdownWait() {
  if (shutdownDeadlineMs_ == 0 || stopped_) return;
  if (util::unixTimeMs() < shutdownDeadlineMs_ && !master_.allAcked(replIds_.offset)) return;
  if (prepareShutdown(shutdownFlags_)) {
    shutdownRequested_ = true;  // beforeSleep ends with performShutdown()
    return;
  }
  cancelShutdown();
}

void Server::cancelShutdown() {
  shutdownDeadlineMs_ = 0;
  shutdownFlags_ = {};
  services_.blocking.failShutdownWaiters(kShutdownFailed);
  services_.pause.duringShutdown = false;
  services_.pause.combine(util::unixTimeMs());  // held writes run before the loop sleeps
}

bool Server::abortShutdown() {
  if (shutdownDeadlineMs_ == 0) return false;
  cancelShutdown();
  spdlog::info("Shutdown manually aborted.");
  return true;
}

bool Server::prepareShutdown(const ShutdownFlags& flags) {
  // Whoever is still behind (no wait, or the timeout passed) is named.
  if (const size_t replicas = master_.replicaCount(); replicas > 0) {
    const size_t lagging = master_.logLagging(replIds_.offset, util::unixTimeMs());
    spdlog::info("{} of {} replicas are in sync when shutting down.", replicas - lagging, replicas);
  }
  // The log being turned on has no base yet: exiting now would leave the
  // writes since then in no file a restart reads (Redis refuses too).
  if (aof_ && aof_->enabling()) {
    if (!flags.force) {
      spdlog::warn("Writing initial AOF, can't exit.");
      return false;
    }
    spdlog::warn("Writing initial AOF. Exit anyway.");
  }
  // The snapshot written below (or the log) has everything the children have.
  snapshot_.killChild();
  rewriter_.killChild();
  if ((!config_.settings().save.empty() && !flags.nosave) || flags.save) {
    spdlog::info("Saving the final RDB snapshot before exiting.");
    if (!snapshot_.saveOnShutdown().empty()) {
      if (!flags.force) {
        spdlog::warn("Error trying to save the DB, can't exit.");
        spdlog::warn("Errors trying to shut down the server. Check the logs for more information.");
        return false;
      }
      spdlog::warn("Error trying to save the DB. Exit anyway.");
    }
  }
  return true;
}

void Server::performShutdown() {
  if (stopped_) return;
  stopped_ = true;
  // The log's last group says where the data stands, even when the last
  // stream bytes (PINGs) brought no record.
  if (persist::ReplPosition p; aof_ && replPosition(p)) {
    std::string line;
    persist::appendPositionAnnotation(line, p);
    aof_->appendNote(line);
  }
  replicaLink_.reset();
  if (tcp_->closeListeners()) spdlog::info("Removing the unix socket file.");
  tcp_->closeAll();
  snapshot_.killChild();
  rewriter_.killChild();
  master_.killChild();
  closeAof();  // everything logged is written and fsynced
  uv_prepare_stop(&prepare_);
  uv_idle_stop(&expireIdle_);
  uv_idle_stop(&replIdle_);
  uv_timer_stop(&cronTimer_);
  uv_timer_stop(&blockTimer_);
  uv_timer_stop(&pauseTimer_);
  uv_signal_stop(&sigterm_);
  uv_signal_stop(&sigint_);
  if (supervisedBySystemd()) notifySystemd("STOPPING=1\n");
  spdlog::warn("Erdtree is now ready to exit, bye bye...");
  uv_stop(&loop_);
}

// SIGTERM/SIGINT shut down as SHUTDOWN with shutdown-on-sigterm/-sigint's
// modifiers would; if the final save fails the server keeps running, as
// Redis does (send the signal again, or SHUTDOWN NOSAVE / FORCE).
void Server::onSignal(uv_signal_t* h, int signum) {
  auto* self = static_cast<Server*>(h->data);
  const char* name = signum == SIGINT ? "SIGINT" : "SIGTERM";
  // A second Ctrl-C while waiting for the replicas: exit at once, as Redis
  // (status 1: not a clean shutdown; nothing is saved).
  if (signum == SIGINT && self->shutdownDeadlineMs_ != 0) {
    spdlog::warn("You insist... exiting now.");
    spdlog::default_logger()->flush();
    std::_Exit(1);
  }
  spdlog::warn("Received {} scheduling shutdown...", name);
  const config::ShutdownOptions& o =
      signum == SIGINT ? self->config_.settings().shutdownOnSigint : self->config_.settings().shutdownOnSigterm;
  if (self->shutdownDeadlineMs_ != 0) return;  // already waiting for the replicas
  const ShutdownFlags flags{o.save, o.nosave, o.now, o.force};
  if (self->waitForReplicasFirst(flags)) return;  // serveShutdownWait() goes on
  if (!self->prepareShutdown(flags)) {
    spdlog::warn("{} received but errors trying to shut down the server, check the logs for more information", name);
    return;
  }
  self->performShutdown();
}

}  // namespace erdtree::server
