#include "erdtree/engine/set_value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using erdtree::engine::SetMember;
using erdtree::engine::SetValue;

namespace {

constexpr int64_t kMaxIntset = 512;

std::vector<std::string> members(SetValue& s) {
  std::vector<std::string> out;
  s.forEach([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

std::set<std::string> sortedMembers(SetValue& s) {
  auto v = members(s);
  return {v.begin(), v.end()};
}

TEST(SetMember, RoundTripsShortAndLongMembers) {
  for (size_t len : {0, 1, 254, 255, 256, 70000}) {
    std::string text(len, 'x');
    for (size_t i = 0; i < len; ++i) text[i] = static_cast<char>(i * 7);
    SetMember* m = SetMember::make(text);
    EXPECT_EQ(m->view(), text) << len;
    SetMember::destroy(m);
  }
}

TEST(SetValue, IntsetAddRemoveContainsAscending) {
  SetValue s;
  EXPECT_TRUE(s.add("5", kMaxIntset));
  EXPECT_TRUE(s.add("-3", kMaxIntset));
  EXPECT_TRUE(s.add("10", kMaxIntset));
  EXPECT_FALSE(s.add("5", kMaxIntset));
  EXPECT_TRUE(s.isIntset());
  EXPECT_EQ(s.encodingName(), "intset");
  EXPECT_EQ(s.length(), 3u);
  EXPECT_EQ(members(s), (std::vector<std::string>{"-3", "5", "10"}));
  EXPECT_TRUE(s.contains("10"));
  EXPECT_FALSE(s.contains("010"));   // not the canonical form: not a member
  EXPECT_FALSE(s.contains("abc"));
  EXPECT_FALSE(s.contains("99999999999"));
  EXPECT_FALSE(s.remove("7"));
  EXPECT_FALSE(s.remove("x"));
  EXPECT_TRUE(s.remove("5"));
  EXPECT_EQ(members(s), (std::vector<std::string>{"-3", "10"}));
  EXPECT_TRUE(s.isIntset());
}

TEST(SetValue, IntsetWidensForLargeValues) {
  SetValue s;
  s.add("1", kMaxIntset);
  s.add("-1", kMaxIntset);
  s.add("40000", kMaxIntset);                  // int32
  s.add("-40000", kMaxIntset);
  s.add("9223372036854775807", kMaxIntset);    // int64
  s.add("-9223372036854775808", kMaxIntset);
  s.add("2", kMaxIntset);
  EXPECT_TRUE(s.isIntset());
  EXPECT_EQ(members(s), (std::vector<std::string>{"-9223372036854775808", "-40000", "-1", "1", "2", "40000",
                                                  "9223372036854775807"}));
  EXPECT_TRUE(s.contains("-9223372036854775808"));
  EXPECT_TRUE(s.contains("40000"));
  EXPECT_TRUE(s.remove("9223372036854775807"));
  EXPECT_FALSE(s.contains("9223372036854775807"));
  EXPECT_EQ(s.length(), 6u);
}

TEST(SetValue, ConvertsOnNonIntegerMember) {
  SetValue s;
  for (int i = 0; i < 10; ++i) s.add(std::to_string(i), kMaxIntset);
  EXPECT_TRUE(s.add("a", kMaxIntset));
  EXPECT_FALSE(s.isIntset());
  EXPECT_EQ(s.encodingName(), "hashtable");
  EXPECT_EQ(s.length(), 11u);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(s.contains(std::to_string(i)));
  EXPECT_TRUE(s.contains("a"));
  // Never converts back, even when only integers remain.
  EXPECT_TRUE(s.remove("a"));
  EXPECT_FALSE(s.isIntset());
  // Non-canonical integers are ordinary strings in a hashtable.
  EXPECT_TRUE(s.add("01", kMaxIntset));
  EXPECT_TRUE(s.contains("01"));
  EXPECT_TRUE(s.contains("1"));
}

TEST(SetValue, ConvertsPastMaxIntsetEntries) {
  SetValue s;
  for (int i = 0; i < 512; ++i) ASSERT_TRUE(s.add(std::to_string(i * 3), kMaxIntset));
  EXPECT_TRUE(s.isIntset());
  EXPECT_FALSE(s.add("0", kMaxIntset));  // a duplicate does not convert
  EXPECT_TRUE(s.isIntset());
  EXPECT_TRUE(s.add("1", kMaxIntset));
  EXPECT_FALSE(s.isIntset());
  EXPECT_EQ(s.length(), 513u);
  EXPECT_TRUE(s.contains("1533"));

  SetValue zero;  // a limit of 0 makes even one integer a hashtable
  zero.add("1", 0);
  EXPECT_FALSE(zero.isIntset());
}

TEST(SetValue, HashtableAddRemoveMany) {
  SetValue s;
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(s.add("m" + std::to_string(i), kMaxIntset));
  EXPECT_EQ(s.length(), 20000u);
  for (int i = 0; i < 20000; i += 2) ASSERT_TRUE(s.remove("m" + std::to_string(i)));
  EXPECT_EQ(s.length(), 10000u);
  for (int i = 0; i < 20000; ++i) ASSERT_EQ(s.contains("m" + std::to_string(i)), i % 2 == 1) << i;
  EXPECT_EQ(sortedMembers(s).size(), 10000u);
}

TEST(SetValue, CloneIsDeep) {
  for (bool ints : {true, false}) {
    SetValue s;
    for (int i = 0; i < 100; ++i) s.add(ints ? std::to_string(i) : "k" + std::to_string(i), kMaxIntset);
    auto copy = s.clone();
    auto* c = static_cast<SetValue*>(copy.get());
    s.remove(ints ? "0" : "k0");
    EXPECT_EQ(c->length(), 100u);
    EXPECT_EQ(c->encodingName(), s.encodingName());
    EXPECT_TRUE(c->contains(ints ? "0" : "k0"));
    EXPECT_EQ(sortedMembers(*c).size(), 100u);
  }
}

TEST(SetValue, RandomMemberIsRoughlyFair) {
  for (bool ints : {true, false}) {
    SetValue s;
    const int n = 50;
    for (int i = 0; i < n; ++i) s.add(ints ? std::to_string(i) : "x" + std::to_string(i), kMaxIntset);
    std::mt19937_64 rng(42);
    std::map<std::string, int> hits;
    const int draws = 50000;
    for (int i = 0; i < draws; ++i) ++hits[s.randomMember(rng())];
    EXPECT_EQ(hits.size(), static_cast<size_t>(n));
    for (const auto& [m, c] : hits) {
      EXPECT_GT(c, draws / n / 2) << m;
      EXPECT_LT(c, draws / n * 2) << m;
    }
  }
}

TEST(SetValue, PopRandomEmptiesTheSet) {
  for (bool ints : {true, false}) {
    SetValue s;
    for (int i = 0; i < 300; ++i) s.add(ints ? std::to_string(i) : "p" + std::to_string(i), kMaxIntset);
    std::mt19937_64 rng(7);
    std::set<std::string> popped;
    while (s.length() > 0) ASSERT_TRUE(popped.insert(s.popRandom(rng())).second);
    EXPECT_EQ(popped.size(), 300u);
  }
}

TEST(SetValue, ScanCoversAllMembersAcrossGrowth) {
  SetValue s;
  for (int i = 0; i < 1000; ++i) s.add("s" + std::to_string(i), kMaxIntset);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0, next = 1000;
  do {
    cursor = s.scan(cursor, [&](std::string_view m) { seen.emplace(m); });
    // Grow the set during the first calls so the table resizes mid-scan
    // (growing forever would keep the cursor space growing faster than the
    // scan advances).
    if (calls < 20)
      for (int k = 0; k < 100; ++k) s.add("s" + std::to_string(next++), kMaxIntset);
    ++calls;
  } while (cursor != 0);
  EXPECT_GT(calls, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("s" + std::to_string(i))) << i;

  SetValue ints;  // an intset is returned whole
  for (int i = 0; i < 100; ++i) ints.add(std::to_string(i), kMaxIntset);
  size_t n = 0;
  EXPECT_EQ(ints.scan(12345, [&](std::string_view) { ++n; }), 0u);
  EXPECT_EQ(n, 100u);
}

TEST(SetValue, MemoryUsageIsSane) {
  SetValue ints;
  for (int i = 0; i < 500; ++i) ints.add(std::to_string(i), kMaxIntset);
  EXPECT_GE(ints.memoryUsage(), 500u * 2);
  EXPECT_LT(ints.memoryUsage(), 500u * 2 * 2 + 1024);

  SetValue strs;
  const size_t n = 100000;
  for (size_t i = 0; i < n; ++i) strs.add("member:" + std::to_string(i), kMaxIntset);
  const double perMember = static_cast<double>(strs.memoryUsage()) / static_cast<double>(n);
  EXPECT_GT(perMember, 20.0);
  EXPECT_LT(perMember, 64.0);
  for (size_t i = 0; i < n; ++i) strs.remove("member:" + std::to_string(i));
  EXPECT_LT(strs.memoryUsage(), 4096u);
}

}  // namespace
