// The server's side of the append-only log: replay at start-up through the
// Dispatcher (an internal session, replies discarded, an error reply is a
// load error; an RDB base goes to the RDB loader), opening the writer,
// flushing it in beforeSleep before the replies, the MISCONF state (the
// snapshot's and the log's), BGREWRITEAOF, CONFIG SET appendonly yes/no,
// shutdown.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "erdtree/persist/aof_loader.h"
#include "erdtree/persist/rdb_loader.h"
#include "erdtree/persist/rdb_writer.h"
#include "erdtree/persist/repl_position.h"
#include "erdtree/server/server.h"
#include "erdtree/util/clock.h"

namespace erdtree::server {
namespace {

constexpr std::string_view kRdbMisconf =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that "
    "may modify the data set are disabled, because this instance is configured to report errors during writes if RDB "
    "snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";

class ReplaySink final : public persist::AofLoadSink {
 public:
  ReplaySink(command::Dispatcher& dispatcher, command::Services& svc) : dispatcher_(dispatcher), svc_(svc) {
    beginFile();
  }
  ~ReplaySink() override { reset(); }

  void beginFile() override {
    reset();
    session_ = command::Session{};
    session_.internal = true;
    session_.authenticated = true;
  }
  std::string apply(std::span<const std::string_view> args) override {
    out_.clear();
    resp::Writer w(out_, 2);
    dispatcher_.execute(session_, args, w, util::unixTimeMs());
    if (session_.blocked) return "a blocking command blocked during replay";
    if (!out_.empty() && out_[0] == '-') return out_.substr(1, out_.size() >= 3 ? out_.size() - 3 : 0);
    position_.record();
    return "";
  }
  void annotation(std::string_view line) override { position_.annotation(line); }
  const persist::PositionTracker& position() const { return position_; }
  std::string loadRdbBase(std::string_view data, uint64_t& keys) override {
    persist::LoadOptions opts;
    opts.nowMs = util::unixTimeMs();
    opts.limits = svc_.encoding;
    opts.access = svc_.access;
    opts.maxStringLen = svc_.protoMaxBulkLen;
    persist::LoadResult r = persist::loadRdb(data, svc_.keyspace, opts);
    keys = r.keys;
    persist::ReplPosition p;
    position_.base(persist::positionFromAux(r.aux, p) ? &p : nullptr);
    return r.ok ? "" : r.error;
  }

 private:
  void reset() {
    if (session_.tx.inMulti) command::discardTransaction(svc_, session_);
    svc_.watches.unwatchAll(session_);
    svc_.blocking.forget(session_);
  }
  command::Dispatcher& dispatcher_;
  command::Services& svc_;
  command::Session session_;
  std::string out_;
  persist::PositionTracker position_;
};

}  // namespace

std::string Server::loadAof() {
  const config::Settings& s = config_.settings();
  if (!s.appendonly) return "";
  const std::string dir = s.dir + "/" + s.appenddirname;
  const int64_t startUs = util::monotonicUs();
  persist::AofLoadResult r;
  {
    ReplaySink sink(dispatcher_, services_);
    r = persist::loadAof(dir, s.appendfilename, s.aofLoadTruncated, sink);
    if (r.status == persist::AofLoadResult::Status::Loaded && !sink.position().current(aofPosition_)) {
      aofPosition_ = {};
      if (sink.position().sawReset())
        spdlog::info("The AOF was written across a full resync before its rewrite finished: no replication position");
    }
  }
  if (r.status == persist::AofLoadResult::Status::Error) return r.error;
  persist::removeTempLogFiles(dir, s.appendfilename);  // left by a crash mid-rewrite
  if (r.status == persist::AofLoadResult::Status::NoLog) {
    spdlog::info("Creating AOF incr file {} on server start", persist::aofIncrName(s.appendfilename, 1));
    return openAof(nullptr, 0, 0, false);
  }
  services_.stats.dirty = 0;
  const double secs = static_cast<double>(util::monotonicUs() - startUs) / 1e6;
  spdlog::info("DB loaded from append only file: {:.3f} seconds, {} records, {} keys", secs, r.records,
               keyspace_.totalKeys());
  return openAof(&r.manifest, r.totalSize, r.baseSize, r.lastFileSealed);
}

// DEBUG LOADAOF, as Redis: the buffered records go to disk, the data set is
// emptied and the log replayed from its files. Nothing of the replay is
// propagated (the records are in the log already). Redis exits when the log
// does not load (and, with appendonly off, when there is none); erdtree
// answers an error and keeps what loaded.
std::string Server::debugLoadAof() {
  const config::Settings& s = config_.settings();
  if (!aof_) return "ERR DEBUG LOADAOF needs appendonly yes";
  // Turned on a moment ago: the directory holds no base yet, only part of the data.
  if (aof_->enabling()) return "ERR DEBUG LOADAOF needs the first AOF rewrite to finish";
  flushAof(true);
  services_.watches.touchFlushed(-1, [&](int db, std::string_view key) {
    return keyspace_.db(db).table().find(key) != nullptr;
  });
  keyspace_.clearAll(false);
  const uint64_t dirty = services_.stats.dirty;
  persist::AofLoadResult r;
  propagation_.setMuted(true);
  {
    ReplaySink sink(dispatcher_, services_);
    r = persist::loadAof(s.dir + "/" + s.appenddirname, s.appendfilename, s.aofLoadTruncated, sink);
  }
  propagation_.setMuted(false);
  services_.stats.dirty = dirty;
  if (r.status == persist::AofLoadResult::Status::Error) {
    spdlog::warn("DEBUG LOADAOF failed: {}", r.error);
    return "ERR Error loading the append only file, check server logs.";
  }
  spdlog::warn("Append Only File loaded by DEBUG LOADAOF");
  return "";
}

command::ValueLayout Server::valueLayout(engine::Entry* e) {
  const persist::ValueLayout l =
      persist::describeValue(e, rdbSaveOptions(config_.settings(), services_.encoding, util::unixTimeMs()));
  return {l.serializedLength, l.listNodes, l.listBytes};
}

std::string Server::openAof(const persist::AofManifest* loaded, uint64_t size, uint64_t baseSize, bool lastSealed) {
  const config::Settings& s = config_.settings();
  auto writer = std::make_unique<persist::AofWriter>();
  if (aofAsyncReady_) writer->setWakeup([this] { uv_async_send(&aofAsync_); });
  writer->setGroupNote([this](std::string& out) { appendPositionNote(out); });
  persist::AofWriterOptions o;
  // Absolute: a later CONFIG SET dir does not move the open log.
  o.dir = s.dir + "/" + s.appenddirname;
  o.prefix = s.appendfilename;
  o.policy = persist::parseFsyncPolicy(s.appendfsync);
  o.segmentMaxSize = s.aofSegmentMaxSize;
  std::string err = writer->open(o, loaded, size, baseSize, lastSealed);
  if (!err.empty()) return err;
  aof_ = std::move(writer);
  aofSink_.writer = aof_.get();
  return "";
}

void Server::flushAof(bool force) {
  if (!aof_) return;
  // LATENCY: the write (and, under appendfsync always, the fsync) of a turn.
  const bool timed = services_.latency.thresholdMs != 0;
  const int64_t startUs = timed ? util::monotonicUs() : 0;
  const auto result = aof_->flush(util::unixTimeMs(), force);
  if (timed)
    services_.latency.addSampleIfNeeded(
        config_.settings().appendfsync == "always" ? "aof-fsync-always" : "aof-write",
        (util::monotonicUs() - startUs) / 1000, util::unixTimeMs() / 1000);
  if (result == persist::AofWriter::FlushResult::Fatal) {
    // appendfsync always: the replies of this turn would promise durability
    // the disk did not give, and the writes can't be taken back (Redis exits too).
    spdlog::default_logger()->flush();
    _exit(1);
  }
  refreshDiskError();
}

// Redis's writeCommandsDeniedByDiskError: a failed BGSAVE (with save rules
// on and stop-writes-on-bgsave-error) is checked before the log's errors.
void Server::refreshDiskError() {
  const config::Settings& s = config_.settings();
  if (s.stopWritesOnBgsaveError && !s.save.empty() && !snapshot_.lastBgsaveOk()) {
    if (services_.diskWriteError != kRdbMisconf) services_.diskWriteError = kRdbMisconf;
  } else if (aof_ && !aof_->healthy()) {
    services_.diskWriteError = std::string("MISCONF Errors writing to the AOF file: ") + std::strerror(aof_->lastErrno());
  } else {
    services_.diskWriteError.clear();
  }
}

std::string Server::bgrewriteaof(bool inExec) {
  if (rewriter_.inProgress()) return "ERR Background append only file rewriting already in progress";
  // Inside EXEC the switch to a new segment would split the transaction.
  if (inExec || snapshot_.saveInProgress()) {
    rewriter_.schedule();  // the cron starts it
    return "Background append only file rewriting scheduled";
  }
  std::string err;
  switch (rewriter_.request(aof_.get(), err)) {
    case AofRewriter::Start::Started: return "Background append only file rewriting started";
    case AofRewriter::Start::Scheduled: return "Background append only file rewriting scheduled";
    case AofRewriter::Start::AlreadyRunning: return "ERR Background append only file rewriting already in progress";
    case AofRewriter::Start::Failed: break;
  }
  spdlog::warn("{}", err);
  return "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
}

std::string Server::enableAof() {
  const config::Settings& s = config_.settings();
  const std::string dir = s.dir + "/" + s.appenddirname;
  // The files there (if any) are from an earlier life of the log: the first
  // rewrite replaces them all.
  persist::AofManifest onDisk;
  std::string text, perr;
  if (persist::readWholeFile(dir + "/" + persist::aofManifestName(s.appendfilename), text).empty() &&
      !persist::AofManifest::parse(text, onDisk, perr))
    return "the AOF manifest in " + dir + " is invalid (" + perr + ")";
  rewriter_.killChild();  // a BGREWRITEAOF of the log-less server: start over with the log
  auto writer = std::make_unique<persist::AofWriter>();
  if (aofAsyncReady_) writer->setWakeup([this] { uv_async_send(&aofAsync_); });
  writer->setGroupNote([this](std::string& out) { appendPositionNote(out); });
  persist::AofWriterOptions o;
  o.dir = dir;
  o.prefix = s.appendfilename;
  o.policy = persist::parseFsyncPolicy(s.appendfsync);
  o.segmentMaxSize = s.aofSegmentMaxSize;
  if (std::string err = writer->openForEnable(o, onDisk); !err.empty()) return err;
  std::string err;
  if (rewriter_.request(writer.get(), err) == AofRewriter::Start::Failed) {
    writer->close();
    ::unlink(writer->tempIncrPath().c_str());
    spdlog::warn("Erdtree needs to enable the AOF but can't trigger a background AOF rewrite operation: {}", err);
    return err;
  }
  aof_ = std::move(writer);
  aofSink_.writer = aof_.get();
  spdlog::info("AOF turned on by CONFIG SET appendonly yes: writing the initial base");
  return "";
}

void Server::disableAof() {
  rewriter_.killChild();
  const bool enabling = aof_->enabling();
  const std::string temp = aof_->tempIncrPath();
  closeAof();
  if (enabling) ::unlink(temp.c_str());  // never listed: the log it was to start is abandoned
  spdlog::info("AOF turned off by CONFIG SET appendonly no");
}

void Server::closeAof() {
  if (!aof_) return;
  aofSink_.writer = nullptr;
  aof_->close();
  aof_.reset();
  refreshDiskError();
}

void Server::onAofAsync(uv_async_t* h) { static_cast<Server*>(h->data)->refreshDiskError(); }

}  // namespace erdtree::server
