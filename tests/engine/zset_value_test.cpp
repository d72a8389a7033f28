#include "erdtree/engine/zset_value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

using erdtree::engine::EncodingLimits;
using erdtree::engine::LexBound;
using erdtree::engine::LexRange;
using erdtree::engine::RankSpan;
using erdtree::engine::ScoreRange;
using erdtree::engine::ZMember;
using erdtree::engine::ZSetValue;

namespace {

using Elements = std::vector<std::pair<std::string, double>>;

Elements elements(ZSetValue& z, bool reverse = false) {
  Elements out;
  z.forRange(0, z.length(), reverse, [&](std::string_view m, double s) { out.emplace_back(std::string(m), s); });
  return out;
}

EncodingLimits limits(int64_t entries = 128, int64_t value = 64) {
  EncodingLimits l;
  l.zsetMaxListpackEntries = entries;
  l.zsetMaxListpackValue = value;
  return l;
}

LexBound bound(std::string_view text) {
  if (text == "-") return {LexBound::kNegInf, true, {}};
  if (text == "+") return {LexBound::kPosInf, true, {}};
  return {LexBound::kValue, text[0] == '(', text.substr(1)};
}

TEST(ZMember, RoundTripsMembersAndScores) {
  for (size_t len : {0, 1, 254, 255, 256, 70000}) {
    std::string text(len, 'x');
    for (size_t i = 0; i < len; ++i) text[i] = static_cast<char>(i * 13);
    ZMember* m = ZMember::make(text, -2.5);
    EXPECT_EQ(m->member(), text);
    EXPECT_EQ(m->score(), -2.5);
    m->setScore(7);
    EXPECT_EQ(m->score(), 7);
    EXPECT_EQ(m->member(), text);
    ZMember::destroy(m);
  }
}

TEST(ZSetValue, ListpackOrdersByScoreThenMember) {
  ZSetValue z;
  const auto l = limits();
  EXPECT_TRUE(z.set("b", 1, l));
  EXPECT_TRUE(z.set("a", 1, l));
  EXPECT_TRUE(z.set("c", 0.5, l));
  EXPECT_TRUE(z.set("d", -std::numeric_limits<double>::infinity(), l));
  EXPECT_FALSE(z.set("c", 3, l));
  EXPECT_EQ(z.encodingName(), "listpack");
  EXPECT_EQ(elements(z), (Elements{{"d", -INFINITY}, {"a", 1}, {"b", 1}, {"c", 3}}));
  EXPECT_EQ(elements(z, true), (Elements{{"c", 3}, {"b", 1}, {"a", 1}, {"d", -INFINITY}}));
  EXPECT_EQ(z.score("a"), 1);
  EXPECT_FALSE(z.score("zz").has_value());
  EXPECT_EQ(z.rank("b"), 2u);
  EXPECT_TRUE(z.remove("a"));
  EXPECT_FALSE(z.remove("a"));
  EXPECT_EQ(z.length(), 3u);
  EXPECT_EQ(z.at(1), (std::pair<std::string, double>{"b", 1}));
}

TEST(ZSetValue, ListpackStoresNegativeZeroAsZero) {
  ZSetValue z;
  z.set("a", -0.0, limits());
  EXPECT_FALSE(std::signbit(*z.score("a")));
  z.convertToSkiplist();
  z.set("b", -0.0, limits());
  EXPECT_TRUE(std::signbit(*z.score("b")));
}

TEST(ZSetValue, ConvertsPastTheEntryLimitAndNeverBack) {
  ZSetValue z;
  const auto l = limits(4, 64);
  for (int i = 0; i < 4; ++i) z.set("m" + std::to_string(i), i, l);
  EXPECT_TRUE(z.isListpack());
  z.set("m0", 10, l);  // an update never converts
  EXPECT_TRUE(z.isListpack());
  z.set("m4", 4, l);
  EXPECT_EQ(z.encodingName(), "skiplist");
  for (int i = 0; i < 4; ++i) z.remove("m" + std::to_string(i));
  EXPECT_EQ(z.encodingName(), "skiplist");
  EXPECT_EQ(elements(z), (Elements{{"m4", 4}}));
}

TEST(ZSetValue, ConvertsOnLongMember) {
  ZSetValue z;
  z.set("a", 1, limits());
  z.set(std::string(64, 'x'), 2, limits());
  EXPECT_TRUE(z.isListpack());
  z.set(std::string(65, 'y'), 3, limits());
  EXPECT_FALSE(z.isListpack());
  EXPECT_EQ(z.length(), 3u);
  EXPECT_EQ(z.rank(std::string(65, 'y')), 2u);
}

TEST(ZSetValue, FitToLimitsConvertsSmallResultsBack) {
  ZSetValue z;
  z.convertToSkiplist();
  z.set("a", -0.0, limits());
  z.set("b", 2, limits());
  z.fitToLimits(limits(1, 64));
  EXPECT_FALSE(z.isListpack());
  z.fitToLimits(limits(2, 0));
  EXPECT_FALSE(z.isListpack());
  z.fitToLimits(limits());
  EXPECT_TRUE(z.isListpack());
  EXPECT_EQ(elements(z), (Elements{{"a", 0}, {"b", 2}}));
  EXPECT_FALSE(std::signbit(*z.score("a")));
}

TEST(ZSetValue, ScoreSpans) {
  for (bool skiplist : {false, true}) {
    ZSetValue z;
    if (skiplist) z.convertToSkiplist();
    for (int i = 0; i < 10; ++i) z.set("m" + std::to_string(i), i, limits());
    auto span = [&](double min, double max, bool minEx, bool maxEx) {
      RankSpan s = z.scoreSpan(ScoreRange{min, max, minEx, maxEx});
      return std::make_pair(s.begin, s.size());
    };
    EXPECT_EQ(span(2, 5, false, false), std::make_pair(size_t{2}, size_t{4}));
    EXPECT_EQ(span(2, 5, true, true), std::make_pair(size_t{3}, size_t{2}));
    EXPECT_EQ(span(-INFINITY, INFINITY, false, false).second, 10u);
    EXPECT_EQ(span(5, 2, false, false).second, 0u);
    EXPECT_EQ(span(3, 3, true, false).second, 0u);
    EXPECT_EQ(span(3, 3, false, false), std::make_pair(size_t{3}, size_t{1}));
    EXPECT_EQ(span(9.5, 100, false, false).second, 0u);
  }
}

TEST(ZSetValue, LexRangesWithEqualScores) {
  for (bool skiplist : {false, true}) {
    ZSetValue z;
    if (skiplist) z.convertToSkiplist();
    for (const char* m : {"a", "b", "c", "d", "e"}) z.set(m, 0, limits());
    auto range = [](std::string_view min, std::string_view max) { return LexRange{bound(min), bound(max)}; };
    EXPECT_EQ(z.lexCount(range("-", "+")), 5);
    EXPECT_EQ(z.lexFirst(range("[b", "(d")), 1u);
    EXPECT_EQ(z.lexLast(range("[b", "(d")), 2u);
    EXPECT_EQ(z.lexCount(range("[b", "(d")), 2);
    EXPECT_EQ(z.lexCount(range("(b", "[d")), 2);
    EXPECT_EQ(z.lexCount(range("+", "-")), 0);
    EXPECT_EQ(z.lexCount(range("-", "-")), 0);
    EXPECT_EQ(z.lexCount(range("[c", "[c")), 1);
    EXPECT_EQ(z.lexCount(range("(c", "[c")), 0);
    EXPECT_FALSE(z.lexFirst(range("[z", "+")).has_value());
    EXPECT_FALSE(z.lexLast(range("-", "(a")).has_value());
    RankSpan del = z.lexRemovalSpan(range("(a", "[c"));
    EXPECT_EQ(del.begin, 1u);
    EXPECT_EQ(del.size(), 2u);
  }
}

TEST(ZSetValue, LexWalksMatchRedisOnMixedScores) {
  // Redis 7.0 on c:1 a:2 d:3 b:4: ZRANGEBYLEX [b [c -> c a, ZREVRANGEBYLEX
  // [c [b -> b d, ZLEXCOUNT 2 (listpack). Its skiplist walk from the head
  // (all nodes on level 1) ends the [b [c range at a.
  ZSetValue z;
  z.set("c", 1, limits());
  z.set("a", 2, limits());
  z.set("d", 3, limits());
  z.set("b", 4, limits());
  const LexRange r{bound("[b"), bound("[c")};
  EXPECT_EQ(z.lexFirst(r), 0u);
  EXPECT_EQ(z.lexLast(r), 3u);
  EXPECT_EQ(z.lexCount(r), 2);
  z.convertToSkiplist();
  EXPECT_EQ(z.lexFirst(r), 0u);
  EXPECT_FALSE(z.lexLast(r).has_value());  // a, the end of the run, is below [b
  EXPECT_EQ(z.lexCount(r), 4);            // Redis: length - (first rank - 1)
}

TEST(ZSetValue, RemoveRangeAndClone) {
  for (bool skiplist : {false, true}) {
    ZSetValue z;
    if (skiplist) z.convertToSkiplist();
    for (int i = 0; i < 20; ++i) z.set("m" + std::to_string(i), i, limits());
    z.removeRange(5, 15);
    EXPECT_EQ(z.length(), 10u);
    EXPECT_EQ(z.at(5).first, "m15");
    EXPECT_FALSE(z.score("m7").has_value());
    auto copy = z.clone();
    auto* c = static_cast<ZSetValue*>(copy.get());
    EXPECT_EQ(elements(*c), elements(z));
    EXPECT_EQ(c->encodingName(), z.encodingName());
    EXPECT_GT(c->memoryUsage(), 0u);
  }
}

TEST(ZSetValue, SkiplistScan) {
  ZSetValue z;
  z.convertToSkiplist();
  for (int i = 0; i < 1000; ++i) z.set("m" + std::to_string(i), i, limits());
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = z.scan(cursor, [&](std::string_view m, double s) {
      EXPECT_EQ("m" + std::to_string(static_cast<int>(s)), m);
      seen.emplace(m);
    });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 1000u);
}

// Random operations against a std::map/std::set model, across both
// encodings, with deletions heavy enough to merge and free tree nodes.
TEST(ZSetValue, RandomOperationsMatchModel) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 4; ++round) {
    ZSetValue z;
    const auto l = limits(round == 0 ? 128 : 0, 64);
    std::map<std::string, double> scores;
    std::set<std::pair<double, std::string>> order;
    const int keyspace = round < 2 ? 3000 : 200;
    for (int op = 0; op < 40000; ++op) {
      const std::string m = "k" + std::to_string(rng() % keyspace);
      const double s = static_cast<double>(rng() % 50);
      const int kind = static_cast<int>(rng() % 10);
      if (kind < 6) {
        const bool isNew = !scores.count(m);
        if (!isNew) order.erase({scores[m], m});
        scores[m] = s;
        order.insert({s, m});
        ASSERT_EQ(z.set(m, s, l), isNew);
      } else if (kind < 9) {
        const bool present = scores.count(m) != 0;
        if (present) {
          order.erase({scores[m], m});
          scores.erase(m);
        }
        ASSERT_EQ(z.remove(m), present);
      } else if (!order.empty()) {
        const size_t a = rng() % order.size();
        const size_t b = std::min(order.size(), a + rng() % 40);
        z.removeRange(a, b);
        auto it = std::next(order.begin(), static_cast<std::ptrdiff_t>(a));
        for (size_t i = a; i < b; ++i) {
          scores.erase(it->second);
          it = order.erase(it);
        }
      }
      ASSERT_EQ(z.length(), order.size());
      if (op % 997 == 0) {
        Elements want;
        for (const auto& [sc, mem] : order) want.emplace_back(mem, sc);
        ASSERT_EQ(elements(z), want);
        size_t r = 0;
        for (const auto& [sc, mem] : order) {
          ASSERT_EQ(z.rank(mem), r++);
          if (r > 50) break;
        }
        const double lo = static_cast<double>(rng() % 50);
        RankSpan span = z.scoreSpan(ScoreRange{lo, lo + 5, false, true});
        size_t below = 0, in = 0;
        for (const auto& [sc, mem] : order) {
          below += sc < lo ? 1 : 0;
          in += sc >= lo && sc < lo + 5 ? 1 : 0;
        }
        ASSERT_EQ(span.begin, below);
        ASSERT_EQ(span.size(), in);
      }
    }
    // Drain completely: the tree must free everything and stay consistent.
    while (!order.empty()) {
      auto it = order.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(rng() % order.size()));
      ASSERT_TRUE(z.remove(it->second));
      order.erase(it);
    }
    EXPECT_EQ(z.length(), 0u);
  }
}

TEST(ZSetValue, SequentialLoadKeepsLeavesFull) {
  ZSetValue asc, desc;
  asc.convertToSkiplist();
  desc.convertToSkiplist();
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    asc.set("m:" + std::to_string(i), i, limits());
    desc.set("m:" + std::to_string(i), -i, limits());
  }
  // ~32 bytes per member, ~17 of table, ~9 of full leaves.
  EXPECT_LT(asc.memoryUsage() / n, 64u);
  EXPECT_LT(desc.memoryUsage() / n, 64u);
  EXPECT_EQ(asc.rank("m:77777"), 77777u);
  EXPECT_EQ(desc.rank("m:77777"), static_cast<size_t>(n - 1 - 77777));
}

}  // namespace
