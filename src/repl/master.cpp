#include "erdtree/repl/master.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "erdtree/persist/aof_format.h"
#include "erdtree/util/ascii.h"

namespace erdtree::repl {
namespace {

// File bytes moved into a replica's output per step, and how much output may
// wait before the next chunk is read (the socket is the pace).
constexpr size_t kBulkChunk = 64 * 1024;
constexpr size_t kBulkHighWater = 4 * kBulkChunk;

}  // namespace

struct Master::SyncFile {
  std::string path;
  explicit SyncFile(std::string p) : path(std::move(p)) {}
  ~SyncFile() { ::unlink(path.c_str()); }
};

PsyncDecision decidePsync(const ReplicationIds& ids, const Backlog* backlog, std::string_view replid,
                          int64_t offset) {
  const bool current = replid == ids.replid;
  const bool previous = replid == ids.replid2 && offset <= ids.secondOffset;
  if (!current && !previous) return PsyncDecision::FullResync;
  if (backlog == nullptr || !backlog->contains(offset)) return PsyncDecision::FullResync;
  return PsyncDecision::Continue;
}

Master::Master(ReplicationIds& ids, ReplicaTransport& transport) : ids_(ids), transport_(transport) {}

Master::~Master() { killChild(); }

const char* Master::stateName(State s) {
  switch (s) {
    case State::WaitBgsaveStart:
    case State::WaitBgsaveEnd: return "wait_bgsave";
    case State::SendBulk: return "send_bulk";
    case State::Online: return "online";
  }
  return "online";
}

void Master::setBacklogSize(uint64_t size) {
  backlogSize_ = std::max(size, kMinBacklogSize);
  if (backlog_) backlog_->resize(backlogSize_);
}

Master::Replica* Master::find(uint64_t id) {
  for (Replica& r : replicas_)
    if (r.id == id) return &r;
  return nullptr;
}

bool Master::isReplica(uint64_t id) const {
  return std::any_of(replicas_.begin(), replicas_.end(), [&](const Replica& r) { return r.id == id; });
}

void Master::feed(int db, std::span<const std::string_view> args) {
  if (!backlog_ || proxying_) return;  // nobody to stream to yet / the master's bytes go through proxy()
  scratch_.clear();
  if (db != lastDb_) {
    persist::appendSelect(scratch_, db);
    lastDb_ = db;
  }
  persist::appendRecord(scratch_, args);
  feedBytes(scratch_);
}

void Master::setProxying(bool on) {
  flushStream();
  proxying_ = on;
  lastDb_ = -1;  // the proxied stream selected dbs we did not track
}

bool Master::proxy(std::string_view raw) {
  if (!proxying_ || !backlog_) return false;
  feedBytes(raw);
  return true;
}

void Master::newHistory() {
  flushStream();
  for (Replica& r : replicas_) closeLater(r.id);
  closeQueued();
  backlog_ = std::make_unique<Backlog>(ids_, backlogSize_);
  lastDb_ = -1;
}

void Master::feedBytes(std::string_view bytes) {
  backlog_->feed(bytes);
  if (childPid_ > 0) forkStream_.append(bytes);
  if (!replicas_.empty()) fanout_.append(bytes);
}

// The stream fed since the last call goes to every replica in one append
// each: per record, feedBytes only copies into the backlog and fanout_, so
// two replicas cost two appends per loop turn instead of two per command.
// Called before anything reads or changes the replicas' state.
void Master::flushStream() {
  if (fanout_.empty()) return;
  for (Replica& r : replicas_) {
    if (r.state == State::SendBulk) {
      r.pending.append(fanout_);
      if (pendingLimit_ != 0 && r.pending.size() > pendingLimit_) {
        spdlog::warn("Replica {}:{} scheduled to be closed: its stream buffer passed the replica output limit",
                     r.ip, r.port);
        closeLater(r.id);
      }
    } else if (r.state == State::Online) {
      if (std::string* out = transport_.replicaOutput(r.id)) {
        out->append(fanout_);
        transport_.replicaWake(r.id);
      }
    }
  }
  fanout_.clear();
  if (fanout_.capacity() > kKeepFanoutCapacity) std::string().swap(fanout_);
  closeQueued();
}

void Master::ack(uint64_t id, int64_t offset, int64_t nowMs) {
  Replica* r = find(id);
  if (r == nullptr) return;
  if (offset > r->ackOffset) r->ackOffset = offset;
  r->ackTimeMs = nowMs;
}

void Master::heard(uint64_t id, int64_t nowMs) {
  if (Replica* r = find(id)) r->heardMs = nowMs;
}

int64_t Master::countAcks(int64_t offset) const {
  return std::count_if(replicas_.begin(), replicas_.end(),
                       [&](const Replica& r) { return r.state == State::Online && r.ackOffset >= offset; });
}

bool Master::allAcked(int64_t offset) const {
  return std::all_of(replicas_.begin(), replicas_.end(), [&](const Replica& r) { return r.ackOffset == offset; });
}

size_t Master::logLagging(int64_t offset, int64_t nowMs) const {
  size_t lagging = 0;
  for (const Replica& r : replicas_) {
    if (r.ackOffset == offset) continue;
    ++lagging;
    const int64_t lag = r.state == State::Online ? nowMs / 1000 - r.ackTimeMs / 1000 : 0;
    spdlog::warn("Lagging replica {}:{} reported offset {} behind master, lag={}, state={}.", r.ip, r.port,
                 offset - r.ackOffset, lag, stateName(r.state));
  }
  return lagging;
}

bool Master::sendRequestedAck() {
  if (!ackRequested_) return false;
  ackRequested_ = false;
  if (!backlog_ || proxying_) return false;  // no stream of our own to ask in
  const std::string_view getack[] = {"REPLCONF", "GETACK", "*"};
  feedCommand(getack);
  return true;
}

void Master::feedCommand(std::span<const std::string_view> args) {
  scratch_.clear();
  persist::appendRecord(scratch_, args);
  feedBytes(scratch_);
}

void Master::setGoodLagSeconds(int64_t s, int64_t nowMs) {
  goodLagSeconds_ = s;
  refreshGood(nowMs);
}

// Redis's refreshGoodSlavesCount: lag in whole seconds, as INFO shows it.
void Master::refreshGood(int64_t nowMs) {
  size_t good = 0;
  for (Replica& r : replicas_) {
    r.good = r.state == State::Online && (nowMs - r.ackTimeMs) / 1000 <= goodLagSeconds_;
    good += r.good ? 1 : 0;
  }
  if (good == good_) return;
  good_ = good;
  transport_.goodReplicasChanged();
}

// Redis's replicationCron check: an online replica silent for repl-timeout is
// dropped. A disk-based sync's replica is not judged by what it sends (it
// sends nothing until loaded), only by whether its socket takes the file.
void Master::dropTimedOut(int64_t nowMs) {
  for (const Replica& r : replicas_) {
    if (r.state == State::Online && nowMs - std::max(r.ackTimeMs, r.heardMs) > timeoutMs_) {
      spdlog::warn("Disconnecting timedout replica (streaming sync): {}:{}", r.ip, r.port);
      closeLater(r.id);
    } else if (r.state == State::SendBulk && nowMs - r.bulkMovedMs > timeoutMs_) {
      spdlog::warn("Disconnecting timedout replica (full sync): {}:{}", r.ip, r.port);
      closeLater(r.id);
    }
  }
}

void Master::fullResyncLine(Replica& r) {
  if (r.oldSync) return;
  if (std::string* out = transport_.replicaOutput(r.id)) {
    *out += "+FULLRESYNC " + ids_.replid + " " + std::to_string(forkOffset_) + "\r\n";
    transport_.replicaWake(r.id);
  }
}

void Master::psync(uint64_t id, const std::string& peerIp, std::string_view replid, int64_t offset, bool oldSync,
                   int64_t nowMs) {
  flushStream();  // a replica joining now gets what came before from the backlog
  if (isReplica(id)) return;  // already one: ignored, as in Redis
  Replica r;
  r.id = id;
  r.ip = peerIp;
  if (auto it = hello_.find(id); it != hello_.end()) {
    r.port = it->second.port;
    if (!it->second.ip.empty()) r.ip = it->second.ip;
    hello_.erase(it);
  }
  r.oldSync = oldSync;
  r.ackTimeMs = nowMs;
  r.heardMs = nowMs;
  std::string* out = transport_.replicaOutput(id);
  if (out == nullptr) return;

  if (!oldSync && decidePsync(ids_, backlog_.get(), replid, offset) == PsyncDecision::Continue) {
    *out += "+CONTINUE " + ids_.replid + "\r\n";
    backlog_->copyFrom(offset, *out);
    r.state = State::Online;
    r.ackOffset = offset - 1;
    spdlog::info("Partial resynchronization request from {}:{} accepted. Sending {} bytes of backlog starting "
                 "from offset {}.",
                 r.ip, r.port, ids_.offset - offset + 1, offset);
    ++syncPartialOk_;
    replicas_.push_back(std::move(r));
    transport_.replicaWake(id);
    refreshGood(nowMs);
    return;
  }
  if (!oldSync && replid != "?") {
    ++syncPartialErr_;
    spdlog::info("Partial resynchronization not accepted for {}:{} (replid {} offset {})", r.ip, r.port, replid,
                 offset);
  }
  ++syncFull_;
  spdlog::info("Replica {}:{} asks for synchronization; full resync", r.ip, r.port);
  if (!backlog_) {
    // The first replica: a new history starts here (Redis changes the ID),
    // unless we relay our own master's, whose ID and offsets we keep.
    if (!proxying_) {
      ids_.replid = ReplicationIds::newReplid();
      ids_.clearSecond();
    }
    backlog_ = std::make_unique<Backlog>(ids_, backlogSize_);
    spdlog::info("Replication backlog created, my new replication IDs are '{}' and '{}'", ids_.replid,
                 ids_.replid2);
  }
  replicas_.push_back(std::move(r));
  Replica& added = replicas_.back();
  if (childPid_ > 0) {
    // Share the running sync child's file and stream.
    added.state = State::WaitBgsaveEnd;
    fullResyncLine(added);
    spdlog::info("Waiting for end of BGSAVE for SYNC (attached to the running one)");
  } else if (transport_.otherChildActive()) {
    added.state = State::WaitBgsaveStart;
    spdlog::info("Another child is active: the sync snapshot starts when it is done");
  } else {
    startFork();
  }
  closeQueued();
}

void Master::startFork() {
  forkOffset_ = ids_.offset;
  forkStream_.clear();
  lastDb_ = -1;  // the replicas start at db 0: the next record selects its db
  // A new name each time: replicas still reading the previous file keep it.
  std::string path = dir_ + "/temp-repl-sync-" + std::to_string(::getpid()) + "-" + std::to_string(++forks_) + ".rdb";
  int pid = transport_.forkSnapshot(path);
  if (pid < 0) {
    spdlog::warn("Can't fork for the replica sync: closing the waiting replicas");
    for (Replica& r : replicas_)
      if (r.state == State::WaitBgsaveStart) closeLater(r.id);
    return;
  }
  childPid_ = pid;
  childFile_ = std::make_shared<SyncFile>(path);
  spdlog::info("Starting BGSAVE for SYNC with target: disk (pid {})", pid);
  for (Replica& r : replicas_) {
    if (r.state != State::WaitBgsaveStart) continue;
    r.state = State::WaitBgsaveEnd;
    fullResyncLine(r);
  }
}

void Master::reap(int64_t nowMs) {
  flushStream();  // the bytes fed so far belong to the states before the child is reaped
  if (childPid_ <= 0) return;
  int status = 0;
  pid_t got = ::waitpid(childPid_, &status, WNOHANG);
  if (got == 0) return;
  const bool ok = got == childPid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  childPid_ = -1;
  std::shared_ptr<SyncFile> file = std::move(childFile_);
  std::string stream = std::move(forkStream_);
  forkStream_.clear();
  struct stat st {};
  if (ok && ::stat(file->path.c_str(), &st) != 0) {
    spdlog::warn("The sync snapshot {} is missing: {}", file->path, std::strerror(errno));
  }
  if (ok) spdlog::info("Background RDB for replicas done ({} bytes)", static_cast<int64_t>(st.st_size));
  else spdlog::warn("Background RDB for replicas failed");
  for (Replica& r : replicas_) {
    if (r.state != State::WaitBgsaveEnd) continue;
    int fd = ok ? ::open(file->path.c_str(), O_RDONLY | O_CLOEXEC) : -1;
    std::string* out = transport_.replicaOutput(r.id);
    if (fd < 0 || out == nullptr) {
      if (fd >= 0) ::close(fd);
      closeLater(r.id);
      continue;
    }
    r.fd = fd;
    r.file = file;
    r.left = static_cast<uint64_t>(st.st_size);
    r.pending = stream;
    r.state = State::SendBulk;
    r.bulkMovedMs = nowMs;
    *out += "$" + std::to_string(r.left) + "\r\n";
    transport_.replicaWake(r.id);
  }
}

bool Master::pump(int64_t nowMs) {
  flushStream();
  bool more = false;
  bool online = false;
  for (Replica& r : replicas_) {
    if (r.state != State::SendBulk) continue;
    std::string* out = transport_.replicaOutput(r.id);
    if (out == nullptr) continue;
    bool wrote = false;
    while (r.left > 0 && transport_.replicaPendingBytes(r.id) < kBulkHighWater) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(r.left, kBulkChunk));
      size_t at = out->size();
      out->resize(at + want);
      ssize_t n = ::read(r.fd, out->data() + at, want);
      if (n <= 0) {
        out->resize(at);
        spdlog::warn("Reading the sync snapshot for {}:{} failed: {}", r.ip, r.port,
                     n < 0 ? std::strerror(errno) : "unexpected end of file");
        closeLater(r.id);
        break;
      }
      out->resize(at + static_cast<size_t>(n));
      r.left -= static_cast<uint64_t>(n);
      r.bulkMovedMs = nowMs;
      wrote = true;
    }
    if (r.left == 0) {
      ::close(r.fd);
      r.fd = -1;
      r.file.reset();
      out->append(r.pending);
      std::string().swap(r.pending);
      r.state = State::Online;
      r.ackTimeMs = nowMs;
      r.heardMs = nowMs;
      online = true;
      spdlog::info("Synchronization with replica {}:{} succeeded", r.ip, r.port);
      wrote = true;
    } else if (transport_.replicaPendingBytes(r.id) < kBulkHighWater) {
      more = true;
    }
    if (wrote) transport_.replicaWake(r.id);
  }
  closeQueued();
  if (online) refreshGood(nowMs);
  return more;
}

bool Master::hungry() {
  return std::any_of(replicas_.begin(), replicas_.end(), [&](const Replica& r) {
    return r.state == State::SendBulk && transport_.replicaPendingBytes(r.id) < kBulkHighWater;
  });
}

void Master::cron(int64_t nowMs) {
  reap(nowMs);
  bool waiting = std::any_of(replicas_.begin(), replicas_.end(),
                             [](const Replica& r) { return r.state == State::WaitBgsaveStart; });
  if (waiting && childPid_ <= 0 && !transport_.otherChildActive()) startFork();
  // Replicas waiting for their snapshot get a newline every second, which
  // they skip as a keep-alive (Redis does the same), so a long fork does not
  // look like a dead master to them.
  if (nowMs - lastKeepaliveMs_ >= 1000) {
    lastKeepaliveMs_ = nowMs;
    for (Replica& r : replicas_) {
      if (r.state != State::WaitBgsaveStart && r.state != State::WaitBgsaveEnd) continue;
      if (std::string* out = transport_.replicaOutput(r.id)) {
        out->push_back('\n');
        transport_.replicaWake(r.id);
      }
    }
  }
  // A relaying replica sends no PINGs of its own: its master's come through.
  if (backlog_ && !proxying_ && !replicas_.empty() && nowMs - lastPingMs_ >= pingPeriodMs_) {
    lastPingMs_ = nowMs;
    const std::string_view ping[] = {"PING"};
    feedCommand(ping);
  }
  dropTimedOut(nowMs);
  closeQueued();
  refreshGood(nowMs);
}

void Master::clientClosed(uint64_t id) {
  flushStream();
  hello_.erase(id);
  auto it = std::find_if(replicas_.begin(), replicas_.end(), [&](const Replica& r) { return r.id == id; });
  if (it == replicas_.end()) return;
  if (it->fd >= 0) ::close(it->fd);
  spdlog::info("Connection with replica {}:{} lost.", it->ip, it->port);
  const bool wasGood = it->good;
  replicas_.erase(it);
  if (wasGood) {
    --good_;
    transport_.goodReplicasChanged();
  }
}

void Master::closeQueued() {
  if (toClose_.empty()) return;
  std::vector<uint64_t> ids;
  ids.swap(toClose_);
  for (uint64_t id : ids) transport_.replicaClose(id);
}

void Master::killChild() {
  if (childPid_ <= 0) return;
  ::kill(childPid_, SIGKILL);
  int status = 0;
  ::waitpid(childPid_, &status, 0);
  ::unlink(("temp-" + std::to_string(childPid_) + ".rdb").c_str());
  ::unlink((dir_ + "/temp-" + std::to_string(childPid_) + ".rdb").c_str());
  childPid_ = -1;
  childFile_.reset();
}

std::vector<Master::ReplicaView> Master::replicas(int64_t nowMs) const {
  std::vector<ReplicaView> out;
  for (const Replica& r : replicas_)
    out.push_back({r.id, r.ip, r.port, r.state, r.ackOffset, (nowMs - r.ackTimeMs) / 1000});
  return out;
}

}  // namespace erdtree::repl
