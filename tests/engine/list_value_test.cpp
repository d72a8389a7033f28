// ListValue units: pushes/pops across chunk boundaries, index/range/trim/
// insert/remove semantics against a std::deque model, encoding and memory.
#include "erdtree/engine/list_value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

namespace erdtree::engine {
namespace {

std::vector<std::string> all(const ListValue& l) {
  std::vector<std::string> out;
  l.forEachFrom(0, [&](std::string_view v) {
    out.emplace_back(v);
    return true;
  });
  return out;
}

std::vector<std::string> model(const std::deque<std::string>& d) { return {d.begin(), d.end()}; }

void expectSame(const ListValue& l, const std::deque<std::string>& d) {
  ASSERT_EQ(l.length(), d.size());
  EXPECT_EQ(all(l), model(d));
  std::vector<std::string> back;
  if (!d.empty()) {
    l.forEachBackFrom(d.size() - 1, [&](std::string_view v) {
      back.emplace_back(v);
      return true;
    });
  }
  EXPECT_EQ(back, std::vector<std::string>(d.rbegin(), d.rend()));
  for (size_t i = 0; i < d.size(); i += 1 + d.size() / 50) EXPECT_EQ(l.at(i), d[i]) << i;
}

TEST(ListValue, PushPopBothEndsAcrossChunks) {
  ListValue l(-1);  // 4 KiB chunks
  std::deque<std::string> d;
  for (int i = 0; i < 5000; ++i) {
    std::string v = "value-" + std::to_string(i);
    if (i % 3 == 0) {
      l.pushFront(v);
      d.push_front(v);
    } else {
      l.pushBack(v);
      d.push_back(v);
    }
  }
  EXPECT_GT(l.chunkCount(), 5u);
  expectSame(l, d);
  for (int i = 0; i < 2000; ++i) {
    if (i % 2 == 0) {
      EXPECT_EQ(l.popFront(), d.front());
      d.pop_front();
    } else {
      EXPECT_EQ(l.popBack(), d.back());
      d.pop_back();
    }
  }
  expectSame(l, d);
  while (l.length() > 0) {
    EXPECT_EQ(l.popBack(), d.back());
    d.pop_back();
  }
  EXPECT_EQ(l.chunkCount(), 0u);
}

TEST(ListValue, CountLimitedChunks) {
  ListValue l(3);
  for (int i = 0; i < 10; ++i) l.pushBack(std::to_string(i));
  EXPECT_EQ(l.chunkCount(), 4u);
  EXPECT_EQ(l.at(9), "9");
  EXPECT_EQ(l.at(4), "4");
}

TEST(ListValue, LargeAndEmptyElements) {
  ListValue l(-2);
  std::string big(20000, 'x');
  std::string mid(300, 'm');  // two-byte length prefix
  l.pushBack("");
  l.pushBack(big);
  l.pushFront(mid);
  l.pushBack("");
  EXPECT_EQ(l.length(), 4u);
  EXPECT_EQ(l.at(0), mid);
  EXPECT_EQ(l.at(1), "");
  EXPECT_EQ(l.at(2), big);
  EXPECT_EQ(l.at(3), "");
  EXPECT_EQ(l.popBack(), "");
  EXPECT_EQ(l.popBack(), big);
  EXPECT_EQ(l.popFront(), mid);
  EXPECT_EQ(l.popFront(), "");
}

TEST(ListValue, SetInsertRemove) {
  ListValue l(4);
  std::deque<std::string> d;
  for (int i = 0; i < 20; ++i) {
    std::string v = i % 5 == 0 ? "x" : std::to_string(i);
    l.pushBack(v);
    d.push_back(v);
  }
  l.set(3, "three-but-longer");
  d[3] = "three-but-longer";
  l.set(4, "F");
  d[4] = "F";
  expectSame(l, d);
  EXPECT_TRUE(l.insert("x", "before-x", false));
  d.insert(d.begin(), "before-x");
  EXPECT_TRUE(l.insert("7", "after-7", true));
  d.insert(d.begin() + 9, "after-7");
  EXPECT_FALSE(l.insert("missing", "z", true));
  expectSame(l, d);
  // Remove two "x" from the tail, then all of them.
  EXPECT_EQ(l.remove("x", 2, true), 2u);
  int removed = 0;
  for (auto it = d.end(); it != d.begin() && removed < 2;) {
    --it;
    if (*it == "x") {
      it = d.erase(it);
      ++removed;
    }
  }
  expectSame(l, d);
  EXPECT_EQ(l.remove("x", 0, false), 2u);
  std::erase(d, "x");
  expectSame(l, d);
  EXPECT_EQ(l.remove("nothing", 0, false), 0u);
}

TEST(ListValue, DropFrontAndBack) {
  ListValue l(-1);
  std::deque<std::string> d;
  for (int i = 0; i < 3000; ++i) {
    l.pushBack("e" + std::to_string(i));
    d.push_back("e" + std::to_string(i));
  }
  l.dropFront(1234);
  d.erase(d.begin(), d.begin() + 1234);
  l.dropBack(777);
  d.erase(d.end() - 777, d.end());
  expectSame(l, d);
  l.dropFront(100000);
  EXPECT_EQ(l.length(), 0u);
  EXPECT_EQ(l.chunkCount(), 0u);
}

TEST(ListValue, RandomOpsMatchModel) {
  std::mt19937 rng(42);
  ListValue l(-1);
  std::deque<std::string> d;
  for (int step = 0; step < 20000; ++step) {
    int op = static_cast<int>(rng() % 10);
    std::string v(rng() % 40, static_cast<char>('a' + rng() % 3));
    if (op < 3) {
      l.pushBack(v);
      d.push_back(v);
    } else if (op < 5) {
      l.pushFront(v);
      d.push_front(v);
    } else if (op == 5 && !d.empty()) {
      ASSERT_EQ(l.popFront(), d.front());
      d.pop_front();
    } else if (op == 6 && !d.empty()) {
      ASSERT_EQ(l.popBack(), d.back());
      d.pop_back();
    } else if (op == 7 && !d.empty()) {
      size_t i = rng() % d.size();
      l.set(i, v);
      d[i] = v;
    } else if (op == 8 && !d.empty()) {
      size_t i = rng() % d.size();
      std::string pivot = d[i];
      bool after = rng() % 2 == 0;
      ASSERT_TRUE(l.insert(pivot, v, after));
      auto it = std::find(d.begin(), d.end(), pivot);
      d.insert(after ? it + 1 : it, v);
    } else if (!d.empty()) {
      size_t i = rng() % d.size();
      ASSERT_EQ(l.at(i), d[i]);
    }
    ASSERT_EQ(l.length(), d.size());
  }
  expectSame(l, d);
}

TEST(ListValue, EncodingCloneAndMemory) {
  ListValue l;
  EXPECT_EQ(l.encodingName(), "quicklist");  // Redis 7.0 reports every list so
  for (int i = 0; i < 100000; ++i) l.pushBack("value:" + std::to_string(i));
  size_t mem = l.memoryUsage();
  // Each element is ~12 bytes of payload + 2 bytes of lengths.
  EXPECT_GT(mem, 100000u * 12);
  EXPECT_LT(mem, 100000u * 17);
  auto copy = l.clone();
  auto* c = static_cast<ListValue*>(copy.get());
  EXPECT_EQ(c->length(), l.length());
  EXPECT_EQ(c->at(54321), "value:54321");
  EXPECT_EQ(all(*c), all(l));
}

}  // namespace
}  // namespace erdtree::engine
