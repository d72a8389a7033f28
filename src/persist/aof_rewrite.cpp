// The AOF rewrite's RESP base writer (what and why in aof_rewrite.h). It
// walks the keyspace the way the RDB writer does (rdb_writer.cpp): each db's
// table with forEach, keys expired at nowMs skipped, one switch on the value
// type; collections are cut into commands of kRewriteItemsPerCommand items.
#include "erdtree/persist/aof_rewrite.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <span>
#include <vector>

#include "erdtree/engine/hash_value.h"
#include "erdtree/engine/list_value.h"
#include "erdtree/engine/set_value.h"
#include "erdtree/engine/zset_value.h"
#include "erdtree/persist/aof_format.h"
#include "erdtree/persist/file_io.h"
#include "erdtree/util/numbers.h"

namespace erdtree::persist {
namespace {

// The buffer is handed to the sink once it holds this much; an argument at
// least this long skips the buffer.
constexpr size_t kFlushBytes = 64 * 1024;

// Redis 7.0 writes hashes with HMSET. HSET takes the same field/value pairs
// (since Redis 4.0), is the form the documentation recommends (HMSET is
// deprecated), and any server that can load a multi-part AOF (7.0+) has it,
// so the base uses HSET.
constexpr std::string_view kHashCommand = "HSET";

// Buffers records and hands them to the sink in chunks of about kFlushBytes.
class RecordOut {
 public:
  explicit RecordOut(const std::function<bool(std::string_view)>& out) : out_(out) { buf_.reserve(2 * kFlushBytes); }

  void select(int db) {
    appendSelect(buf_, db);
    maybeFlush();
  }

  void record(std::span<const std::string_view> args) {
    bool large = false;
    for (std::string_view a : args) large = large || a.size() >= kFlushBytes;
    if (!large) {
      appendRecord(buf_, args);
      maybeFlush();
      return;
    }
    appendRecordHeader(buf_, args.size());
    for (std::string_view a : args) {
      appendArgHeader(buf_, a.size());
      if (a.size() >= kFlushBytes) {
        flush();
        emit(a);
      } else {
        buf_.append(a);
      }
      buf_.append("\r\n", 2);
    }
    maybeFlush();
  }

  void flush() {
    emit(buf_);
    buf_.clear();
  }

  bool ok() const { return ok_; }
  uint64_t total() const { return total_; }

 private:
  void maybeFlush() {
    if (buf_.size() >= kFlushBytes) flush();
  }
  // Bytes after a refused chunk are dropped: the caller stops at !ok().
  void emit(std::string_view bytes) {
    if (!ok_ || bytes.empty()) return;
    ok_ = out_(bytes);
    if (ok_) total_ += bytes.size();
  }

  const std::function<bool(std::string_view)>& out_;
  std::string buf_;
  uint64_t total_ = 0;
  bool ok_ = true;
};

// Builds the commands of one collection: `<command> <key>` followed by up
// to kRewriteItemsPerCommand items of one or two arguments each, emitted as
// a record whenever it is full and once more at the end for the remainder.
// Arguments are views that must stay valid until the record is emitted:
// views into the value (not mutated during the walk), or text put into the
// current item's scratch slot (intset members, which the set produces in a
// reused buffer, and formatted scores).
class Batcher {
 public:
  Batcher(RecordOut& out, std::string_view command, std::string_view key) : out_(out) {
    args_.reserve(2 + 2 * kRewriteItemsPerCommand);
    args_.push_back(command);
    args_.push_back(key);
  }
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // This item's scratch space (util::kMaxDoubleChars bytes).
  char* scratch() { return scratch_[items_].data(); }
  // Copies short text (at most util::kMaxDoubleChars bytes) into the scratch slot.
  std::string_view copy(std::string_view text) {
    char* s = scratch();
    text.copy(s, text.size());
    return std::string_view(s, text.size());
  }

  void item(std::string_view a) {
    args_.push_back(a);
    endItem();
  }
  void item(std::string_view a, std::string_view b) {
    args_.push_back(a);
    args_.push_back(b);
    endItem();
  }
  // Emits the remainder; call once after the last item.
  void finish() {
    if (items_ > 0) emit();
  }

 private:
  void endItem() {
    if (++items_ == kRewriteItemsPerCommand) emit();
  }
  void emit() {
    out_.record(args_);
    args_.resize(2);
    items_ = 0;
  }

  RecordOut& out_;
  std::vector<std::string_view> args_;
  size_t items_ = 0;
  std::array<std::array<char, util::kMaxDoubleChars>, kRewriteItemsPerCommand> scratch_;
};

void writeList(RecordOut& out, std::string_view key, const engine::ListValue& list) {
  Batcher b(out, "RPUSH", key);
  list.forEachFrom(0, [&](std::string_view v) {
    b.item(v);
    return out.ok();
  });
  b.finish();
}

void writeSet(RecordOut& out, std::string_view key, engine::SetValue& set) {
  Batcher b(out, "SADD", key);
  const bool intset = set.isIntset();
  set.forEach([&](std::string_view m) { b.item(intset ? b.copy(m) : m); });
  b.finish();
}

void writeZSet(RecordOut& out, std::string_view key, engine::ZSetValue& zset) {
  Batcher b(out, "ZADD", key);
  zset.forEach([&](std::string_view m, double s) {
    char* text = b.scratch();
    b.item(std::string_view(text, util::formatDouble(s, text)), m);
  });
  b.finish();
}

void writeHash(RecordOut& out, std::string_view key, const engine::HashValue& hash) {
  Batcher b(out, kHashCommand, key);
  hash.forEach([&](std::string_view f, std::string_view v) { b.item(f, v); });
  b.finish();
}

void writeEntry(RecordOut& out, engine::Entry* e) {
  const std::string_view key = e->key();
  switch (e->type()) {
    case engine::ValueType::String: {
      const std::string_view args[] = {"SET", key, e->stringValue()};
      out.record(args);
      break;
    }
    case engine::ValueType::List:
      writeList(out, key, *static_cast<engine::ListValue*>(e->object()));
      break;
    case engine::ValueType::Set:
      writeSet(out, key, *static_cast<engine::SetValue*>(e->object()));
      break;
    case engine::ValueType::ZSet:
      writeZSet(out, key, *static_cast<engine::ZSetValue*>(e->object()));
      break;
    case engine::ValueType::Hash:
      writeHash(out, key, *static_cast<engine::HashValue*>(e->object()));
      break;
  }
  if (e->hasExpire()) {
    char when[24];
    const std::string_view args[] = {"PEXPIREAT", key, std::string_view(when, util::formatInt64(e->expireAt(), when))};
    out.record(args);
  }
}

}  // namespace

bool writeAofCommands(engine::Keyspace& ks, const RewriteOptions& opts,
                      const std::function<bool(std::string_view)>& out, RewriteStats* stats) {
  RecordOut w(out);
  uint64_t keys = 0;
  for (int i = 0; i < ks.count() && w.ok(); ++i) {
    engine::Db& db = ks.db(i);
    if (db.size() == 0) continue;
    bool selected = false;  // a db whose keys have all expired gets no SELECT
    db.table().forEach([&](engine::Entry* e) {
      if (!w.ok() || e->expiredAt(opts.nowMs)) return;
      if (!selected) {
        w.select(i);
        selected = true;
      }
      writeEntry(w, e);
      ++keys;
    });
  }
  w.flush();
  if (stats != nullptr) {
    stats->keys = keys;
    stats->bytes = w.total();
  }
  return w.ok();
}

std::string writeAofBaseFile(const std::string& path, engine::Keyspace& ks, const RewriteOptions& opts,
                             RewriteStats* stats) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int e = errno;
    return errnoText("Can't open the AOF rewrite file " + path, e);
  }
  int writeErrno = 0;
  const bool ok = writeAofCommands(ks, opts, [&](std::string_view chunk) {
    writeErrno = writeAll(fd, chunk);
    return writeErrno == 0;
  }, stats);
  if (ok && opts.repl.valid()) {
    std::string line;
    appendPositionAnnotation(line, opts.repl);
    writeErrno = writeAll(fd, line);
  }
  if (!ok || writeErrno != 0) {
    ::close(fd);
    return errnoText("Write error writing the AOF rewrite file " + path, writeErrno);
  }
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    return errnoText("Can't fsync the AOF rewrite file " + path, e);
  }
  if (::close(fd) != 0) {
    const int e = errno;
    return errnoText("Can't close the AOF rewrite file " + path, e);
  }
  return "";
}

}  // namespace erdtree::persist
