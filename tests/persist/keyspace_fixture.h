#pragma once
// A keyspace holding every value type in both encodings, and a canonical text
// form of a keyspace to compare two of them: the persistence tests (RDB,
// AOF rewrite) fill one, write it out, read it back and compare.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "erdtree/engine/hash_value.h"
#include "erdtree/engine/keyspace.h"
#include "erdtree/engine/list_value.h"
#include "erdtree/engine/set_value.h"
#include "erdtree/engine/zset_value.h"
#include "erdtree/util/numbers.h"

namespace erdtree::testing {

inline constexpr int64_t kNow = 1700000000000;

// A canonical text form of a whole keyspace: db, key, type, encoding, TTL, value.
inline std::map<std::string, std::string> snapshot(engine::Keyspace& ks) {
  std::map<std::string, std::string> out;
  for (int i = 0; i < ks.count(); ++i) {
    ks.db(i).table().forEach([&](engine::Entry* e) {
      std::string v = std::to_string(static_cast<int>(e->type())) + "|ttl=" + std::to_string(e->expireAt()) + "|";
      switch (e->type()) {
        case engine::ValueType::String:
          v += e->stringValue();
          break;
        case engine::ValueType::List: {
          auto* l = static_cast<engine::ListValue*>(e->object());
          l->forEachFrom(0, [&](std::string_view s) {
            v.append(s).append(",");
            return true;
          });
          break;
        }
        case engine::ValueType::Set: {
          auto* s = static_cast<engine::SetValue*>(e->object());
          std::vector<std::string> m;
          s->forEach([&](std::string_view x) { m.emplace_back(x); });
          std::sort(m.begin(), m.end());
          v += std::string(s->encodingName()) + "|";
          for (auto& x : m) v += x + ",";
          break;
        }
        case engine::ValueType::Hash: {
          auto* h = static_cast<engine::HashValue*>(e->object());
          std::vector<std::string> m;
          h->forEach([&](std::string_view f, std::string_view x) { m.push_back(std::string(f) + "=" + std::string(x)); });
          std::sort(m.begin(), m.end());
          v += std::string(h->encodingName()) + "|";
          for (auto& x : m) v += x + ",";
          break;
        }
        case engine::ValueType::ZSet: {
          auto* z = static_cast<engine::ZSetValue*>(e->object());
          v += std::string(z->encodingName()) + "|";
          z->forEach([&](std::string_view m, double s) {
            char buf[util::kMaxDoubleChars];
            v.append(m).append("=").append(buf, util::formatDouble(s, buf)).append(",");
          });
          break;
        }
      }
      out[std::to_string(i) + ":" + std::string(e->key())] = v;
    });
  }
  return out;
}

// Every type in both encodings (strings with binary bytes, integers and long
// text; lists small and large; intsets, a hashtable set; listpack and
// hashtable hashes; listpack and skiplist sorted sets with inf/-inf scores),
// in dbs 0, 3 and 15, with TTLs and one key ("0:expired") already expired at
// kNow.
inline void fill(engine::Keyspace& ks) {
  engine::EncodingLimits lim;
  engine::Db& db0 = ks.db(0);
  db0.insert(engine::Entry::makeString("small", "hello"));
  db0.insert(engine::Entry::makeString("int", "12345"));
  db0.insert(engine::Entry::makeString("negint", "-2147483648"));
  db0.insert(engine::Entry::makeString("bigint", "9223372036854775807"));
  db0.insert(engine::Entry::makeString("notint", "007"));
  db0.insert(engine::Entry::makeString("empty", ""));
  db0.insert(engine::Entry::makeString(std::string("bin\0\xff\r\nkey", 10), std::string("v\0\x01", 3)));
  std::string longText;
  for (int i = 0; i < 3000; ++i) longText += "lorem ipsum " + std::to_string(i % 13);
  db0.insert(engine::Entry::makeString("long", longText));
  db0.insert(engine::Entry::makeString("ttl", "x", kNow + 100000));
  db0.insert(engine::Entry::makeString("expired", "x", kNow - 1));

  auto list = std::make_unique<engine::ListValue>();
  for (int i = 0; i < 3000; ++i) list->pushBack(i % 3 ? std::to_string(static_cast<int64_t>(i) * 1000003) : "elem-" + std::to_string(i));
  list->pushBack(std::string(20000, 'L'));
  db0.insert(engine::Entry::makeObject("biglist", engine::ValueType::List, std::move(list), kNow + 5000));
  auto small = std::make_unique<engine::ListValue>();
  for (const char* s : {"a", "-1", "0", "127", "128", "-4096", "4095", "-4097", "32767", "8388607", "-8388608",
                        "2147483647", "-2147483649", "9223372036854775807", "-9223372036854775808", "1.5"})
    small->pushBack(s);
  db0.insert(engine::Entry::makeObject("smalllist", engine::ValueType::List, std::move(small)));

  engine::Db& db3 = ks.db(3);
  auto iset = std::make_unique<engine::SetValue>();
  for (int64_t v : {1LL, -5LL, 70000LL, 5000000000LL}) iset->add(std::to_string(v), lim.setMaxIntsetEntries);
  db3.insert(engine::Entry::makeObject("intset", engine::ValueType::Set, std::move(iset)));
  auto iset16 = std::make_unique<engine::SetValue>();
  for (int v = 0; v < 100; ++v) iset16->add(std::to_string(v * 3), lim.setMaxIntsetEntries);
  db3.insert(engine::Entry::makeObject("intset16", engine::ValueType::Set, std::move(iset16)));
  auto hset = std::make_unique<engine::SetValue>();
  for (int v = 0; v < 1000; ++v) hset->add("m" + std::to_string(v), lim.setMaxIntsetEntries);
  db3.insert(engine::Entry::makeObject("hashset", engine::ValueType::Set, std::move(hset), kNow + 123456));

  auto lph = std::make_unique<engine::HashValue>();
  lph->set("f1", "v1", lim);
  lph->set("n", "42", lim);
  lph->set(std::string("\0k", 2), "", lim);
  db3.insert(engine::Entry::makeObject("lphash", engine::ValueType::Hash, std::move(lph)));
  auto bigh = std::make_unique<engine::HashValue>();
  for (int i = 0; i < 500; ++i) bigh->set("field" + std::to_string(i), std::to_string(i), lim);
  db3.insert(engine::Entry::makeObject("bighash", engine::ValueType::Hash, std::move(bigh)));

  engine::Db& db15 = ks.db(15);
  auto lpz = std::make_unique<engine::ZSetValue>();
  lpz->set("a", 1, lim);
  lpz->set("b", 2.5, lim);
  lpz->set("c", -0.1, lim);
  lpz->set("d", INFINITY, lim);
  lpz->set("e", -INFINITY, lim);
  lpz->set("f", 1e300, lim);
  lpz->set("g", 123456789012.0, lim);
  lpz->set("h", 0.1 + 0.2, lim);
  db15.insert(engine::Entry::makeObject("lpzset", engine::ValueType::ZSet, std::move(lpz)));
  auto bigz = std::make_unique<engine::ZSetValue>();
  for (int i = 0; i < 300; ++i) bigz->set("member:" + std::to_string(i), i * 0.7 - 50, lim);
  bigz->set("inf", INFINITY, lim);
  db15.insert(engine::Entry::makeObject("bigzset", engine::ValueType::ZSet, std::move(bigz), kNow + 1));
}

}  // namespace erdtree::testing
