#include "erdtree/engine/hash_value.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

using namespace erdtree::engine;

namespace {

std::map<std::string, std::string> contents(const HashValue& h) {
  std::map<std::string, std::string> m;
  h.forEach([&](std::string_view f, std::string_view v) { m.emplace(f, v); });
  return m;
}

TEST(HashValue, ListpackSetGetDelete) {
  EncodingLimits lim;
  HashValue h;
  EXPECT_TRUE(h.set("a", "1", lim));
  EXPECT_TRUE(h.set("b", "22", lim));
  EXPECT_TRUE(h.set("", "", lim));
  EXPECT_FALSE(h.set("a", "longer value", lim));  // update in place, keeps its position
  EXPECT_FALSE(h.set("b", "xy", lim));            // same length
  EXPECT_EQ(h.encodingName(), "listpack");
  EXPECT_EQ(h.length(), 3u);
  EXPECT_EQ(h.get("a").value(), "longer value");
  EXPECT_EQ(h.get("b").value(), "xy");
  EXPECT_EQ(h.get("").value(), "");
  EXPECT_FALSE(h.get("c").has_value());
  std::vector<std::string> order;
  h.forEach([&](std::string_view f, std::string_view) { order.emplace_back(f); });
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", ""}));
  EXPECT_TRUE(h.remove("b"));
  EXPECT_FALSE(h.remove("b"));
  EXPECT_EQ(h.length(), 2u);
  EXPECT_EQ(h.get("a").value(), "longer value");
  EXPECT_EQ(h.get("").value(), "");
  EXPECT_TRUE(h.remove("a"));
  EXPECT_TRUE(h.remove(""));
  EXPECT_EQ(h.length(), 0u);
}

TEST(HashValue, ConvertsAfterTheEntriesLimit) {
  EncodingLimits lim;
  HashValue h;
  for (int i = 0; i < 128; ++i) h.set("f" + std::to_string(i), "v", lim);
  EXPECT_EQ(h.encodingName(), "listpack");
  h.set("f0", "updated", lim);  // updates never convert
  EXPECT_EQ(h.encodingName(), "listpack");
  h.set("f128", "v", lim);
  EXPECT_EQ(h.encodingName(), "hashtable");
  EXPECT_EQ(h.length(), 129u);
  EXPECT_EQ(h.get("f0").value(), "updated");
  for (int i = 0; i < 120; ++i) h.remove("f" + std::to_string(i));
  EXPECT_EQ(h.encodingName(), "hashtable");  // never back
  EXPECT_EQ(h.length(), 9u);
}

TEST(HashValue, ConvertsOnALongFieldOrValue) {
  EncodingLimits lim;
  HashValue a, b, c;
  a.set("f", std::string(64, 'x'), lim);
  a.set(std::string(64, 'k'), "v", lim);
  EXPECT_EQ(a.encodingName(), "listpack");
  a.set("g", std::string(65, 'x'), lim);
  EXPECT_EQ(a.encodingName(), "hashtable");
  EXPECT_EQ(a.get("g").value(), std::string(65, 'x'));
  EXPECT_EQ(a.get(std::string(64, 'k')).value(), "v");
  b.set(std::string(65, 'k'), "v", lim);
  EXPECT_EQ(b.encodingName(), "hashtable");
  lim.hashMaxListpackValue = 3;
  c.set("abcd", "1", lim);
  EXPECT_EQ(c.encodingName(), "hashtable");
}

TEST(HashValue, TableSetGetDeleteMatchesAModel) {
  EncodingLimits lim;
  HashValue h;
  std::map<std::string, std::string> model;
  for (int i = 0; i < 5000; ++i) {
    std::string f = "field:" + std::to_string(i * 7919 % 3001);
    std::string v(static_cast<size_t>(i % 90), static_cast<char>('a' + i % 26));
    EXPECT_EQ(h.set(f, v, lim), model.count(f) == 0);
    model[f] = v;
    if (i % 3 == 0) {
      std::string d = "field:" + std::to_string(i % 3001);
      EXPECT_EQ(h.remove(d), model.erase(d) == 1);
    }
  }
  EXPECT_EQ(h.encodingName(), "hashtable");
  EXPECT_EQ(h.length(), model.size());
  EXPECT_EQ(contents(h), model);
  for (const auto& [f, v] : model) EXPECT_EQ(h.get(f).value(), v);
}

TEST(HashValue, ScanVisitsEveryFieldWhileTheTableGrows) {
  EncodingLimits lim;
  HashValue h;
  for (int i = 0; i < 1000; ++i) h.set("f" + std::to_string(i), "v", lim);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int added = 1000;
  do {
    cursor = h.scan(cursor, [&](std::string_view f, std::string_view) { seen.emplace(f); });
    for (int k = 0; k < 20; ++k, ++added) h.set("f" + std::to_string(added), "v", lim);  // forces resizes
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("f" + std::to_string(i))) << i;
  EXPECT_GT(added, 2000);
}

TEST(HashValue, ListpackScanReturnsEverythingAtOnce) {
  EncodingLimits lim;
  HashValue h;
  for (int i = 0; i < 50; ++i) h.set("f" + std::to_string(i), "v", lim);
  size_t n = 0;
  EXPECT_EQ(h.scan(0, [&](std::string_view, std::string_view) { ++n; }), 0u);
  EXPECT_EQ(n, 50u);
}

TEST(HashValue, RandomPairAndClone) {
  EncodingLimits lim;
  for (int size : {5, 500}) {
    HashValue h;
    for (int i = 0; i < size; ++i) h.set("f" + std::to_string(i), "v" + std::to_string(i), lim);
    std::set<std::string> drawn;
    for (uint64_t r = 0; r < 20000; ++r) {
      auto [f, v] = h.randomPair(r * 0x9e3779b97f4a7c15ULL);
      EXPECT_EQ("v" + std::string(f.substr(1)), v);
      drawn.emplace(f);
    }
    EXPECT_EQ(drawn.size(), static_cast<size_t>(size));
    auto copy = h.clone();
    auto* c = static_cast<HashValue*>(copy.get());
    EXPECT_EQ(c->encodingName(), h.encodingName());
    EXPECT_EQ(contents(*c), contents(h));
    c->set("f0", "changed", lim);
    EXPECT_EQ(h.get("f0").value(), "v0");
  }
}

TEST(HashValue, MemoryUsageIsSane) {
  EncodingLimits lim;
  HashValue small;
  const size_t empty = small.memoryUsage();
  for (int i = 0; i < 100; ++i) small.set("f" + std::to_string(i), "v" + std::to_string(i), lim);
  EXPECT_GT(small.memoryUsage(), empty + 100 * 4);
  EXPECT_LT(small.memoryUsage(), empty + 100 * 20);

  HashValue big;
  for (int i = 0; i < 100000; ++i) big.set("field" + std::to_string(i), "value" + std::to_string(i), lim);
  const double perField = static_cast<double>(big.memoryUsage()) / 100000.0;
  EXPECT_GT(perField, 32.0);  // at least one malloc chunk per field
  EXPECT_LT(perField, 64.0);
  for (int i = 0; i < 100000; ++i) big.remove("field" + std::to_string(i));
  EXPECT_LT(big.memoryUsage(), 4096u);
}

}  // namespace
