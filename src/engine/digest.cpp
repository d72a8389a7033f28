// The data-set digest (see digest.h for the construction, which must stay
// exactly Redis 7.0's so digests compare across servers).
#include "erdtree/engine/digest.h"

#include "erdtree/engine/hash_value.h"
#include "erdtree/engine/list_value.h"
#include "erdtree/engine/set_value.h"
#include "erdtree/engine/zset_value.h"
#include "erdtree/util/numbers.h"

namespace erdtree::engine {
namespace {

using util::Sha1;
using util::Sha1Digest;

void xorIn(Sha1Digest& d, std::string_view bytes) {
  const Sha1Digest h = Sha1::of(bytes);
  for (size_t i = 0; i < d.size(); ++i) d[i] ^= h[i];
}

// Redis folds a sub-digest in with the same xor step, so what is xored is
// the SHA-1 of its 20 bytes, not the bytes themselves.
void xorDigest(Sha1Digest& d, const Sha1Digest& sub) {
  xorIn(d, std::string_view(reinterpret_cast<const char*>(sub.data()), sub.size()));
}

void mixIn(Sha1Digest& d, std::string_view bytes) {
  xorIn(d, bytes);
  d = Sha1::of(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

// 4-byte big-endian, as Redis mixes htonl() values.
void mixU32(Sha1Digest& d, uint32_t v) {
  const char be[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                      static_cast<char>(v)};
  mixIn(d, std::string_view(be, 4));
}

// Mixes the type, value and TTL mark of e into d (Redis's xorObjectDigest).
void addValue(Sha1Digest& d, Entry* e) {
  mixU32(d, static_cast<uint32_t>(e->type()));
  switch (e->type()) {
    case ValueType::String:
      mixIn(d, e->stringValue());
      break;
    case ValueType::List:
      static_cast<const ListValue*>(e->object())->forEachFrom(0, [&](std::string_view v) {
        mixIn(d, v);
        return true;
      });
      break;
    case ValueType::Set:
      static_cast<SetValue*>(e->object())->forEach([&](std::string_view m) { xorIn(d, m); });
      break;
    case ValueType::ZSet:
      static_cast<ZSetValue*>(e->object())->forEach([&](std::string_view m, double score) {
        Sha1Digest member{};
        mixIn(member, m);
        char buf[util::kMaxDoubleChars];
        mixIn(member, std::string_view(buf, util::formatDouble(score, buf)));
        xorDigest(d, member);
      });
      break;
    case ValueType::Hash:
      static_cast<const HashValue*>(e->object())->forEach([&](std::string_view f, std::string_view v) {
        Sha1Digest field{};
        mixIn(field, f);
        mixIn(field, v);
        xorDigest(d, field);
      });
      break;
  }
  if (e->hasExpire()) xorIn(d, "!!expire!!");
}

}  // namespace

Sha1Digest valueDigest(Entry* e) {
  Sha1Digest d{};
  if (e != nullptr) addValue(d, e);
  return d;
}

Sha1Digest datasetDigest(Keyspace& ks) {
  Sha1Digest total{};
  for (int j = 0; j < ks.count(); ++j) {
    Db& db = ks.db(j);
    if (db.table().size() == 0) continue;
    mixU32(total, static_cast<uint32_t>(j));
    db.table().forEach([&](Entry* e) {
      Sha1Digest key{};
      mixIn(key, e->key());
      addValue(key, e);
      xorDigest(total, key);
    });
  }
  return total;
}

std::string digestHex(const Sha1Digest& d) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * d.size());
  for (uint8_t b : d) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

}  // namespace erdtree::engine
