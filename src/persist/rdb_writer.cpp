// RDB writer (format in rdb_format.h, choices in rdb_writer.h). Bytes go
// through a 64 KiB buffer; the running CRC-64 is updated as each chunk is
// handed to the sink, so a save never holds the file in memory.
#include "erdtree/persist/rdb_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "erdtree/engine/hash_value.h"
#include "erdtree/engine/list_value.h"
#include "erdtree/engine/set_value.h"
#include "erdtree/engine/zset_value.h"
#include "erdtree/persist/crc64.h"
#include "erdtree/persist/file_io.h"
#include "erdtree/persist/lzf.h"
#include "erdtree/persist/rdb_blobs.h"
#include "erdtree/persist/rdb_format.h"
#include "erdtree/util/numbers.h"

namespace erdtree::persist {
namespace {

constexpr size_t kFlushBytes = 64 * 1024;
constexpr size_t kMinCompressLen = 20;  // Redis compresses strings longer than this
constexpr size_t kListNodeSafetyBytes = 8 * 1024;
constexpr char kRedisVersion[] = "7.0.15";

class Encoder {
 public:
  Encoder(const std::function<bool(std::string_view)>& out, bool compress) : out_(out), compress_(compress) {}

  void byte(uint8_t b) { buf_.push_back(static_cast<char>(b)); }
  void raw(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kFlushBytes) flush();
  }
  void le(uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  void len(uint64_t n) {
    if (n < (1u << 6)) {
      byte(static_cast<uint8_t>(n));
    } else if (n < (1u << 14)) {
      byte(static_cast<uint8_t>(0x40 | (n >> 8)));
      byte(static_cast<uint8_t>(n & 0xff));
    } else if (n <= UINT32_MAX) {
      byte(rdb::kLen32);
      for (int i = 3; i >= 0; --i) byte(static_cast<uint8_t>(n >> (8 * i)));
    } else {
      byte(rdb::kLen64);
      for (int i = 7; i >= 0; --i) byte(static_cast<uint8_t>(n >> (8 * i)));
    }
  }
  void str(std::string_view s) {
    if (s.size() <= 11) {
      if (auto v = util::parseInt64(s); v && *v >= INT32_MIN && *v <= INT32_MAX) {
        const uint8_t special = 0xC0;
        if (*v >= INT8_MIN && *v <= INT8_MAX) {
          byte(special | rdb::kEncInt8);
          le(static_cast<uint64_t>(*v), 1);
        } else if (*v >= INT16_MIN && *v <= INT16_MAX) {
          byte(special | rdb::kEncInt16);
          le(static_cast<uint64_t>(*v), 2);
        } else {
          byte(special | rdb::kEncInt32);
          le(static_cast<uint64_t>(*v), 4);
        }
        return;
      }
    }
    if (compress_ && s.size() > kMinCompressLen) {
      if (auto c = lzfCompress(s, s.size() - 4)) {
        byte(0xC0 | rdb::kEncLzf);
        len(c->size());
        len(s.size());
        raw(*c);
        return;
      }
    }
    len(s.size());
    raw(s);
  }
  void flush() {
    if (ok_ && !buf_.empty()) {
      crc_ = crc64(crc_, buf_);
      ok_ = out_(buf_);
    }
    total_ += buf_.size();
    buf_.clear();
  }
  // EOF opcode, checksum, final flush.
  bool finish(bool checksum) {
    byte(rdb::kOpEof);
    flush();
    le(checksum ? crc_ : 0, 8);
    if (ok_) ok_ = out_(buf_);
    total_ += buf_.size();
    buf_.clear();
    return ok_;
  }
  bool ok() const { return ok_; }
  uint64_t total() const { return total_; }

 private:
  const std::function<bool(std::string_view)>& out_;
  bool compress_;
  std::string buf_;
  uint64_t crc_ = 0;
  uint64_t total_ = 0;
  bool ok_ = true;
};

void aux(Encoder& enc, std::string_view name, std::string_view value) {
  enc.byte(rdb::kOpAux);
  enc.str(name);
  enc.str(value);
}

size_t listNodeBytes(int64_t fill) {
  if (fill >= 0) return kListNodeSafetyBytes;
  int64_t level = -fill;
  if (level > 5) level = 5;
  return size_t{4096} << (level - 1);
}

// Every value writer emits the type byte, then the key, then the value.
void header(Encoder& enc, uint8_t type, std::string_view key) {
  enc.byte(type);
  enc.str(key);
}

// The list's elements cut into listpack nodes as Redis's quicklist holds them.
std::vector<std::string> listNodes(const engine::ListValue& list, const engine::EncodingLimits& limits) {
  const size_t maxBytes = listNodeBytes(limits.listMaxListpackSize);
  const size_t maxCount = limits.listMaxListpackSize > 0 ? static_cast<size_t>(limits.listMaxListpackSize) : SIZE_MAX;
  std::vector<std::string> nodes;
  ListpackBuilder lp;
  list.forEachFrom(0, [&](std::string_view v) {
    if (lp.count() > 0 && (lp.count() >= maxCount || lp.bytes() + v.size() + 11 > maxBytes)) nodes.push_back(lp.finish());
    lp.add(v);
    return true;
  });
  if (lp.count() > 0) nodes.push_back(lp.finish());
  return nodes;
}

void writeList(Encoder& enc, std::string_view key, const engine::ListValue& list, const engine::EncodingLimits& limits) {
  const std::vector<std::string> nodes = listNodes(list, limits);
  header(enc, rdb::kTypeListQuicklist2, key);
  enc.len(nodes.size());
  for (const std::string& n : nodes) {
    enc.len(rdb::kQuicklistNodePacked);
    enc.str(n);
  }
}

void writeSet(Encoder& enc, std::string_view key, engine::SetValue& set) {
  if (set.isIntset()) {
    std::vector<int64_t> ints;
    ints.reserve(set.length());
    set.forEach([&](std::string_view m) { ints.push_back(util::parseInt64(m).value_or(0)); });
    header(enc, rdb::kTypeSetIntset, key);
    enc.str(encodeIntset(ints.data(), ints.size()));
    return;
  }
  header(enc, rdb::kTypeSet, key);
  enc.len(set.length());
  set.forEach([&](std::string_view m) { enc.str(m); });
}

void writeHash(Encoder& enc, std::string_view key, engine::HashValue& hash) {
  if (hash.isListpack()) {
    ListpackBuilder lp;
    hash.forEach([&](std::string_view f, std::string_view v) {
      lp.add(f);
      lp.add(v);
    });
    header(enc, rdb::kTypeHashListpack, key);
    enc.str(lp.finish());
    return;
  }
  header(enc, rdb::kTypeHash, key);
  enc.len(hash.length());
  hash.forEach([&](std::string_view f, std::string_view v) {
    enc.str(f);
    enc.str(v);
  });
}

// A listpack score as Redis stores it: integral values as integers, others
// as the shortest text strtod reads back exactly.
void addScore(ListpackBuilder& lp, double score) {
  if (std::isinf(score)) {
    lp.add(score > 0 ? "inf" : "-inf");
    return;
  }
  if (score == std::floor(score) && std::fabs(score) < 9007199254740992.0) {
    lp.addInt(static_cast<int64_t>(score));
    return;
  }
  char buf[32];
  for (int precision = 15; precision <= 17; ++precision) {
    int n = std::snprintf(buf, sizeof(buf), "%.*g", precision, score);
    if (precision == 17 || std::strtod(buf, nullptr) == score) {
      lp.add(std::string_view(buf, static_cast<size_t>(n)));
      return;
    }
  }
}

void writeZSet(Encoder& enc, std::string_view key, engine::ZSetValue& zset) {
  if (zset.isListpack()) {
    ListpackBuilder lp;
    zset.forEach([&](std::string_view m, double s) {
      lp.add(m);
      addScore(lp, s);
    });
    header(enc, rdb::kTypeZSetListpack, key);
    enc.str(lp.finish());
    return;
  }
  header(enc, rdb::kTypeZSet2, key);
  enc.len(zset.length());
  zset.forEach([&](std::string_view m, double s) {
    enc.str(m);
    uint64_t bits;
    std::memcpy(&bits, &s, sizeof(bits));
    enc.le(bits, 8);
  });
}

void writeEntry(Encoder& enc, engine::Entry* e, const SaveOptions& opts, bool withExpire = true) {
  if (withExpire && e->hasExpire()) {
    enc.byte(rdb::kOpExpireTimeMs);
    enc.le(static_cast<uint64_t>(e->expireAt()), 8);
  }
  switch (e->type()) {
    case engine::ValueType::String:
      header(enc, rdb::kTypeString, e->key());
      enc.str(e->stringValue());
      break;
    case engine::ValueType::List:
      writeList(enc, e->key(), *static_cast<engine::ListValue*>(e->object()), opts.limits);
      break;
    case engine::ValueType::Set:
      writeSet(enc, e->key(), *static_cast<engine::SetValue*>(e->object()));
      break;
    case engine::ValueType::Hash:
      writeHash(enc, e->key(), *static_cast<engine::HashValue*>(e->object()));
      break;
    case engine::ValueType::ZSet:
      writeZSet(enc, e->key(), *static_cast<engine::ZSetValue*>(e->object()));
      break;
  }
}

}  // namespace

bool writeRdb(engine::Keyspace& ks, const SaveOptions& opts, const std::function<bool(std::string_view)>& out,
              SaveStats* stats) {
  Encoder enc(out, opts.compress);
  char magic[16];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", rdb::kVersion);
  enc.raw(magic);
  char num[24];
  auto numText = [&](int64_t v) { return std::string_view(num, util::formatInt64(v, num)); };
  aux(enc, "redis-ver", kRedisVersion);
  aux(enc, "redis-bits", "64");
  aux(enc, "ctime", numText(opts.nowMs / 1000));
  aux(enc, "used-mem", numText(static_cast<int64_t>(opts.usedMemory)));
  if (opts.repl.valid()) {  // in Redis's order, between used-mem and aof-base
    aux(enc, "repl-stream-db", numText(opts.repl.streamDb));
    aux(enc, "repl-id", opts.repl.replid);
    aux(enc, "repl-offset", numText(opts.repl.offset));
  }
  aux(enc, "aof-base", "0");
  uint64_t keys = 0;
  for (int i = 0; i < ks.count() && enc.ok(); ++i) {
    engine::Db& db = ks.db(i);
    if (db.size() == 0) continue;
    enc.byte(rdb::kOpSelectDb);
    enc.len(static_cast<uint64_t>(i));
    enc.byte(rdb::kOpResizeDb);
    enc.len(db.size());
    enc.len(db.expiresCount());
    db.table().forEach([&](engine::Entry* e) {
      if (!enc.ok() || e->expiredAt(opts.nowMs)) return;
      writeEntry(enc, e, opts);
      ++keys;
    });
  }
  const bool ok = enc.finish(opts.checksum);
  if (stats != nullptr) {
    stats->keys = keys;
    stats->bytes = enc.total();
  }
  return ok;
}

ValueLayout describeValue(engine::Entry* e, const SaveOptions& opts) {
  const std::function<bool(std::string_view)> discard = [](std::string_view) { return true; };
  Encoder whole(discard, opts.compress);
  writeEntry(whole, e, opts, false);
  whole.flush();
  Encoder keyOnly(discard, opts.compress);
  keyOnly.str(e->key());
  keyOnly.flush();
  ValueLayout layout;
  layout.serializedLength = whole.total() - 1 - keyOnly.total();  // less the type byte and the key
  if (e->type() == engine::ValueType::List) {
    const std::vector<std::string> nodes = listNodes(*static_cast<engine::ListValue*>(e->object()), opts.limits);
    layout.listNodes = nodes.size();
    for (const std::string& n : nodes) layout.listBytes += n.size();
  }
  return layout;
}

std::string dumpRdb(engine::Keyspace& ks, const SaveOptions& opts) {
  std::string file;
  writeRdb(ks, opts, [&](std::string_view chunk) {
    file.append(chunk);
    return true;
  });
  return file;
}

std::string saveRdbFile(const std::string& path, engine::Keyspace& ks, const SaveOptions& opts, SaveStats* stats) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  char name[64];
  std::snprintf(name, sizeof(name), "temp-%d.rdb", static_cast<int>(::getpid()));
  const std::string tmp = dir + "/" + name;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int e = errno;
    return errnoText("Failed opening the temp RDB file " + tmp, e);
  }
  int writeErrno = 0;
  bool ok = writeRdb(ks, opts, [&](std::string_view chunk) {
    writeErrno = writeAll(fd, chunk);
    return writeErrno == 0;
  }, stats);
  if (!ok) {
    std::string err = errnoText("Write error saving the DB on disk", writeErrno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::fsync(fd) != 0) {
    const int e = errno;
    std::string err = errnoText("fsync of the temp RDB file failed", e);
    ::close(fd);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::close(fd) != 0) {
    const int e = errno;
    std::string err = errnoText("close of the temp RDB file failed", e);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::string err = errnoText("Error moving temp DB file " + tmp + " on the final destination " + path, e);
    ::unlink(tmp.c_str());
    return err;
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    const int e = ::fsync(dfd) == 0 ? 0 : errno;
    ::close(dfd);
    if (e != 0) return errnoText("fsync of the directory " + dir + " failed", e);
  }
  return "";
}

}  // namespace erdtree::persist
