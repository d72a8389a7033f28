// RDB loader (what it accepts is listed in rdb_loader.h). The file is read
// into memory and walked by a bounds-checked Reader; any inconsistency
// throws a LoadError that loadRdb turns into an error result, so no
// exception leaves this file.
#include "erdtree/persist/rdb_loader.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>

#include "erdtree/engine/hash_value.h"
#include "erdtree/engine/list_value.h"
#include "erdtree/engine/set_value.h"
#include "erdtree/engine/zset_value.h"
#include "erdtree/persist/crc64.h"
#include "erdtree/persist/lzf.h"
#include "erdtree/persist/rdb_blobs.h"
#include "erdtree/persist/rdb_format.h"
#include "erdtree/util/numbers.h"

namespace erdtree::persist {
namespace {

struct LoadError {
  size_t offset;
  std::string message;
};

// An LZF item of 2 bytes expands to at most 264: a compressed string claiming
// more than this ratio is corrupt (and must not make us allocate for it).
constexpr uint64_t kMaxLzfRatio = 133;

// Module serialization opcodes (module AUX payloads).
constexpr uint64_t kModuleOpEof = 0, kModuleOpSint = 1, kModuleOpUint = 2, kModuleOpFloat = 3, kModuleOpDouble = 4,
                   kModuleOpString = 5;

class Reader {
 public:
  Reader(std::string_view d, const LoadOptions& opts) : d_(d), opts_(opts) {}

  size_t pos() const { return pos_; }
  size_t left() const { return d_.size() - pos_; }
  [[noreturn]] void fail(const std::string& msg, size_t at) const { throw LoadError{at, msg}; }
  [[noreturn]] void fail(const std::string& msg) const { fail(msg, pos_); }

  void need(size_t n) const {
    if (left() < n) fail("unexpected end of file");
  }
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(d_[pos_++]);
  }
  uint64_t le(int bytes) {
    need(static_cast<size_t>(bytes));
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(d_[pos_ + static_cast<size_t>(i)])) << (8 * i);
    pos_ += static_cast<size_t>(bytes);
    return v;
  }
  uint64_t be(int bytes) {
    need(static_cast<size_t>(bytes));
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(d_[pos_ + static_cast<size_t>(i)]);
    pos_ += static_cast<size_t>(bytes);
    return v;
  }
  std::string_view bytes(size_t n) {
    need(n);
    std::string_view s = d_.substr(pos_, n);
    pos_ += n;
    return s;
  }

  // A length, or (encoded == true) a special string encoding number.
  uint64_t lenOrEnc(bool& encoded) {
    const uint8_t b = u8();
    encoded = false;
    switch (b >> 6) {
      case rdb::kLen6:
        return b & 0x3f;
      case rdb::kLen14:
        return (static_cast<uint64_t>(b & 0x3f) << 8) | u8();
      case rdb::kEncVal:
        encoded = true;
        return b & 0x3f;
      default:
        if (b == rdb::kLen32) return be(4);
        if (b == rdb::kLen64) return be(8);
        fail("invalid length encoding", pos_ - 1);
    }
  }
  uint64_t len() {
    const size_t at = pos_;
    bool encoded = false;
    uint64_t n = lenOrEnc(encoded);
    if (encoded) fail("string encoding where a length was expected", at);
    return n;
  }
  // A count of items that each take at least one byte.
  uint64_t count() {
    const size_t at = pos_;
    uint64_t n = len();
    if (n > left()) fail("element count larger than the rest of the file", at);
    return n;
  }

  // A string; the view points into the file or into scratch.
  std::string_view str(std::string& scratch) {
    const size_t at = pos_;
    bool encoded = false;
    uint64_t n = lenOrEnc(encoded);
    if (!encoded) {
      if (n > opts_.maxStringLen) fail("string longer than the limit", at);
      return bytes(static_cast<size_t>(n));
    }
    char* num = numBuf_;
    switch (n) {
      case rdb::kEncInt8:
        return {num, util::formatInt64(static_cast<int8_t>(le(1)), num)};
      case rdb::kEncInt16:
        return {num, util::formatInt64(static_cast<int16_t>(le(2)), num)};
      case rdb::kEncInt32:
        return {num, util::formatInt64(static_cast<int32_t>(le(4)), num)};
      case rdb::kEncLzf: {
        const uint64_t clen = len();
        const uint64_t plain = len();
        if (clen > left()) fail("compressed string longer than the rest of the file", at);
        if (plain > opts_.maxStringLen || plain > clen * kMaxLzfRatio) fail("implausible compressed string length", at);
        auto out = lzfDecompress(bytes(static_cast<size_t>(clen)), static_cast<size_t>(plain));
        if (!out) fail("corrupt LZF string", at);
        scratch = std::move(*out);
        return scratch;
      }
      default:
        fail("unknown string encoding", at);
    }
  }
  std::string strCopy() {
    std::string scratch;
    return std::string(str(scratch));
  }

 private:
  std::string_view d_;
  const LoadOptions& opts_;
  size_t pos_ = 0;
  char numBuf_[24];
};

class Loader {
 public:
  Loader(std::string_view data, engine::Keyspace& ks, const LoadOptions& opts, LoadResult& res)
      : r_(data, opts), data_(data), ks_(ks), opts_(opts), res_(res) {}

  void run() {
    std::string_view magic = r_.bytes(9);
    if (magic.substr(0, 5) != "REDIS") r_.fail("wrong signature, not an RDB file", 0);
    int version = 0;
    for (char c : magic.substr(5)) {
      if (c < '0' || c > '9') r_.fail("malformed RDB version", 5);
      version = version * 10 + (c - '0');
    }
    if (version < 1 || version > rdb::kMaxLoadableVersion) r_.fail("can't handle RDB format version " + std::to_string(version), 5);
    res_.version = version;

    int db = 0;
    int64_t expireAt = engine::kNoExpire;
    for (;;) {
      const size_t at = r_.pos();
      const uint8_t op = r_.u8();
      switch (op) {
        case rdb::kOpExpireTime:
          expireAt = static_cast<int64_t>(static_cast<int32_t>(r_.le(4))) * 1000;
          continue;
        case rdb::kOpExpireTimeMs:
          expireAt = static_cast<int64_t>(r_.le(8));
          continue;
        case rdb::kOpFreq:
          r_.u8();
          continue;
        case rdb::kOpIdle:
          r_.len();
          continue;
        case rdb::kOpSelectDb: {
          uint64_t id = r_.len();
          if (id >= static_cast<uint64_t>(ks_.count())) r_.fail("database index " + std::to_string(id) + " out of range", at);
          db = static_cast<int>(id);
          continue;
        }
        case rdb::kOpResizeDb:
          r_.len();
          r_.len();
          continue;
        case rdb::kOpAux: {
          std::string name = r_.strCopy();
          std::string value = r_.strCopy();
          res_.aux.emplace_back(std::move(name), std::move(value));
          continue;
        }
        case rdb::kOpModuleAux:
          skipModuleAux(at);
          ++res_.skippedModuleAux;
          continue;
        case rdb::kOpFunction2: {
          std::string scratch;
          r_.str(scratch);
          ++res_.skippedFunctions;
          continue;
        }
        case rdb::kOpFunctionPreGa:
          r_.fail("pre-GA function records are not supported", at);
        case rdb::kOpEof:
          finish();
          return;
        default:
          loadKey(op, at, db, expireAt);
          expireAt = engine::kNoExpire;
      }
    }
  }

 private:
  void finish() {
    if (res_.version < 5) return;
    const size_t end = r_.pos();
    const uint64_t stored = r_.le(8);
    if (stored == 0) return;  // written with rdbchecksum no
    const uint64_t actual = crc64(0, data_.data(), end);
    if (stored != actual) r_.fail("wrong RDB checksum", end);
  }

  void skipModuleAux(size_t at) {
    r_.len();  // module id
    const uint64_t whenOpcode = r_.len();
    if (whenOpcode != kModuleOpUint) r_.fail("malformed module AUX record", at);
    r_.len();  // when
    std::string scratch;
    for (;;) {
      const uint64_t op = r_.len();
      if (op == kModuleOpEof) return;
      if (op == kModuleOpSint || op == kModuleOpUint) r_.len();
      else if (op == kModuleOpFloat) r_.bytes(4);
      else if (op == kModuleOpDouble) r_.bytes(8);
      else if (op == kModuleOpString) r_.str(scratch);
      else r_.fail("unknown module data opcode", at);
    }
  }

  double parseScore(std::string_view s, size_t at) {
    auto v = util::parseDouble(s);
    if (!v || std::isnan(*v)) r_.fail("invalid sorted set score", at);
    return *v;
  }

  void checkBlob(const std::string& err, size_t at) {
    if (!err.empty()) r_.fail(err, at);
  }

  std::unique_ptr<engine::Object> loadList(uint8_t type, size_t at) {
    auto list = std::make_unique<engine::ListValue>(opts_.limits.listMaxListpackSize);
    auto push = [&](std::string_view v) { list->pushBack(v); };
    std::string scratch;
    if (type == rdb::kTypeList) {
      for (uint64_t n = r_.count(); n > 0; --n) list->pushBack(r_.str(scratch));
    } else if (type == rdb::kTypeListZiplist) {
      checkBlob(decodeZiplist(r_.str(scratch), push), at);
    } else if (type == rdb::kTypeListQuicklist) {
      for (uint64_t n = r_.count(); n > 0; --n) {
        const size_t nodeAt = r_.pos();
        checkBlob(decodeZiplist(r_.str(scratch), push), nodeAt);
      }
    } else {  // quicklist 2
      for (uint64_t n = r_.count(); n > 0; --n) {
        const size_t nodeAt = r_.pos();
        const uint64_t container = r_.len();
        if (container == rdb::kQuicklistNodePlain) {
          list->pushBack(r_.str(scratch));
        } else if (container == rdb::kQuicklistNodePacked) {
          std::string_view blob = r_.str(scratch);
          if (blob.size() == 7 && static_cast<uint8_t>(blob[6]) == 0xFF) continue;  // empty node
          checkBlob(decodeListpack(blob, push), nodeAt);
        } else {
          r_.fail("unknown quicklist node container", nodeAt);
        }
      }
    }
    return list;
  }

  std::unique_ptr<engine::Object> loadSet(uint8_t type, size_t at) {
    auto set = std::make_unique<engine::SetValue>();
    const int64_t maxInts = opts_.limits.setMaxIntsetEntries;
    bool dup = false;
    auto add = [&](std::string_view m) {
      if (!set->add(m, maxInts)) dup = true;
    };
    std::string scratch;
    if (type == rdb::kTypeSet) {
      for (uint64_t n = r_.count(); n > 0 && !dup; --n) add(r_.str(scratch));
    } else if (type == rdb::kTypeSetIntset) {
      char num[24];
      checkBlob(decodeIntset(r_.str(scratch), [&](int64_t v) { add(std::string_view(num, util::formatInt64(v, num))); }), at);
    } else {
      checkBlob(decodeListpack(r_.str(scratch), add), at);
    }
    if (dup) r_.fail("duplicate set member", at);
    return set;
  }

  std::unique_ptr<engine::Object> loadHash(uint8_t type, size_t at) {
    auto hash = std::make_unique<engine::HashValue>();
    bool dup = false;
    std::string scratch;
    if (type == rdb::kTypeHash) {
      std::string field;
      for (uint64_t n = r_.count(); n > 0 && !dup; --n) {
        field.assign(r_.str(scratch));
        if (!hash->set(field, r_.str(scratch), opts_.limits)) dup = true;
      }
    } else if (type == rdb::kTypeHashZipmap) {
      r_.fail("zipmap-encoded hashes (RDB from Redis < 2.6) are not supported", at);
    } else {
      std::string field;
      bool haveField = false;
      auto pair = [&](std::string_view s) {
        if (!haveField) {
          field.assign(s);
          haveField = true;
          return;
        }
        haveField = false;
        if (!hash->set(field, s, opts_.limits)) dup = true;
      };
      std::string_view blob = r_.str(scratch);
      checkBlob(type == rdb::kTypeHashZiplist ? decodeZiplist(blob, pair) : decodeListpack(blob, pair), at);
      if (haveField) r_.fail("hash blob with an odd number of elements", at);
    }
    if (dup) r_.fail("duplicate hash field", at);
    return hash;
  }

  std::unique_ptr<engine::Object> loadZSet(uint8_t type, size_t at) {
    auto zset = std::make_unique<engine::ZSetValue>();
    bool dup = false;
    std::string scratch;
    if (type == rdb::kTypeZSet || type == rdb::kTypeZSet2) {
      std::string member;
      for (uint64_t n = r_.count(); n > 0 && !dup; --n) {
        member.assign(r_.str(scratch));
        const size_t scoreAt = r_.pos();
        double score;
        if (type == rdb::kTypeZSet2) {
          uint64_t bits = r_.le(8);
          std::memcpy(&score, &bits, sizeof(score));
          if (std::isnan(score)) r_.fail("NaN sorted set score", scoreAt);
        } else {
          const uint8_t l = r_.u8();
          if (l == rdb::kScoreNan) r_.fail("NaN sorted set score", scoreAt);
          if (l == rdb::kScorePosInf) score = INFINITY;
          else if (l == rdb::kScoreNegInf) score = -INFINITY;
          else score = parseScore(r_.bytes(l), scoreAt);
        }
        if (!zset->set(member, score, opts_.limits)) dup = true;
      }
    } else {
      std::string member;
      bool haveMember = false;
      bool badScore = false;
      auto pair = [&](std::string_view s) {
        if (!haveMember) {
          member.assign(s);
          haveMember = true;
          return;
        }
        haveMember = false;
        auto score = util::parseDouble(s);
        if (!score || std::isnan(*score)) {
          badScore = true;
          return;
        }
        if (!zset->set(member, *score, opts_.limits)) dup = true;
      };
      std::string_view blob = r_.str(scratch);
      checkBlob(type == rdb::kTypeZSetZiplist ? decodeZiplist(blob, pair) : decodeListpack(blob, pair), at);
      if (haveMember) r_.fail("sorted set blob with an odd number of elements", at);
      if (badScore) r_.fail("invalid sorted set score", at);
    }
    if (dup) r_.fail("duplicate sorted set member", at);
    return zset;
  }

  void loadKey(uint8_t type, size_t at, int dbIndex, int64_t expireAt) {
    std::string key = r_.strCopy();
    engine::Entry* e = nullptr;
    std::unique_ptr<engine::Object> obj;
    engine::ValueType vt = engine::ValueType::String;
    switch (type) {
      case rdb::kTypeString: {
        std::string scratch;
        e = engine::Entry::makeString(key, r_.str(scratch), expireAt);
        break;
      }
      case rdb::kTypeList:
      case rdb::kTypeListZiplist:
      case rdb::kTypeListQuicklist:
      case rdb::kTypeListQuicklist2:
        obj = loadList(type, at);
        vt = engine::ValueType::List;
        break;
      case rdb::kTypeSet:
      case rdb::kTypeSetIntset:
      case rdb::kTypeSetListpack:
        obj = loadSet(type, at);
        vt = engine::ValueType::Set;
        break;
      case rdb::kTypeHash:
      case rdb::kTypeHashZipmap:
      case rdb::kTypeHashZiplist:
      case rdb::kTypeHashListpack:
        obj = loadHash(type, at);
        vt = engine::ValueType::Hash;
        break;
      case rdb::kTypeZSet:
      case rdb::kTypeZSet2:
      case rdb::kTypeZSetZiplist:
      case rdb::kTypeZSetListpack:
        obj = loadZSet(type, at);
        vt = engine::ValueType::ZSet;
        break;
      case rdb::kTypeModulePreGa:
      case rdb::kTypeModule2:
        r_.fail("module values are not supported", at);
      case rdb::kTypeStreamListpacks:
      case rdb::kTypeStreamListpacks2:
      case rdb::kTypeStreamListpacks3:
        r_.fail("streams are not supported", at);
      default:
        r_.fail("unknown value type " + std::to_string(type), at);
    }
    if (obj) {
      if (obj->length() == 0) {
        ++res_.emptySkipped;
        return;
      }
      e = engine::Entry::makeObject(key, vt, std::move(obj), expireAt);
    }
    if (opts_.dropExpired && expireAt != engine::kNoExpire && expireAt <= opts_.nowMs) {
      engine::Entry::destroy(e);
      ++res_.expiredSkipped;
      return;
    }
    engine::Db& db = ks_.db(dbIndex);
    if (opts_.replaceExisting) db.remove(key, opts_.nowMs, false);
    if (db.table().find(key) != nullptr) {
      engine::Entry::destroy(e);
      r_.fail("duplicate key in database " + std::to_string(dbIndex), at);
    }
    e->setLru(engine::initialAccessField(opts_.access, opts_.nowMs));
    db.insert(e);
    ++res_.keys;
  }

  Reader r_;
  std::string_view data_;
  engine::Keyspace& ks_;
  const LoadOptions& opts_;
  LoadResult& res_;
};

}  // namespace

LoadResult loadRdb(std::string_view data, engine::Keyspace& ks, const LoadOptions& opts) {
  LoadResult res;
  try {
    Loader(data, ks, opts, res).run();
    res.ok = true;
  } catch (const LoadError& e) {
    res.errorOffset = e.offset;
    res.error = "RDB error at offset " + std::to_string(e.offset) + ": " + e.message;
  } catch (const std::bad_alloc&) {
    res.error = "RDB load ran out of memory";
  }
  return res;
}

LoadResult loadRdbFile(const std::string& path, engine::Keyspace& ks, const LoadOptions& opts) {
  LoadResult res;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    res.error = "can't open " + path + ": " + std::strerror(errno);
    return res;
  }
  const std::streamoff size = in.tellg();
  std::string data;
  try {
    data.resize(static_cast<size_t>(size));
  } catch (const std::bad_alloc&) {
    res.error = "not enough memory to read " + path;
    return res;
  }
  in.seekg(0);
  if (size > 0 && !in.read(data.data(), size)) {
    res.error = "read error on " + path;
    return res;
  }
  return loadRdb(data, ks, opts);
}

}  // namespace erdtree::persist
