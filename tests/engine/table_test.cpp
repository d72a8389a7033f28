#include "erdtree/engine/table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

using namespace erdtree::engine;

namespace {

struct Item {
  uint8_t len = 0;
  char key[23] = {};
  int value = 0;
  std::string_view view() const { return {key, len}; }
};

struct ItemKey {
  std::string_view operator()(const Item* i) const { return i->view(); }
};

// Every key in bucket 0 of any table; tags still differ.
struct OneBucketHash {
  uint64_t operator()(std::string_view k, uint64_t seed) const {
    return erdtree::util::hashBytes(k, seed) & 0xff00000000000000ULL;
  }
};
// Every key in bucket 0 with the same tag: only the key compare tells them apart.
struct ConstantHash {
  uint64_t operator()(std::string_view, uint64_t) const { return 0x4200000000000000ULL; }
};

using Table = BucketTable<Item, ItemKey>;

std::vector<Item> makeItems(size_t n, const char* prefix = "key:") {
  std::vector<Item> items(n);
  for (size_t i = 0; i < n; ++i) {
    int len = std::snprintf(items[i].key, sizeof(items[i].key), "%s%zu", prefix, i);
    items[i].len = static_cast<uint8_t>(len);
    items[i].value = static_cast<int>(i);
  }
  return items;
}

template <class Tbl>
void finishRehash(Tbl& t) {
  while (t.rehashStep(1000)) {
  }
}

template <class Tbl>
size_t countForEach(Tbl& t) {
  size_t n = 0;
  t.forEach([&](Item*) { ++n; });
  return n;
}

}  // namespace

TEST(BucketTable, EmptyTable) {
  Table t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.bucketCount(), 0u);
  EXPECT_EQ(t.memoryUsage(), 0u);
  EXPECT_EQ(t.find("x"), nullptr);
  EXPECT_EQ(t.findRef("x"), nullptr);
  EXPECT_EQ(t.remove("x"), nullptr);
  EXPECT_EQ(t.randomEntry(7), nullptr);
  EXPECT_EQ(t.scan(0, [](Item*) { FAIL(); }), 0u);
  EXPECT_EQ(countForEach(t), 0u);
}

TEST(BucketTable, InsertFindRemoveMillion) {
  constexpr size_t kN = 1000000;
  auto items = makeItems(kN);
  Table t;
  for (auto& it : items) t.insertNew(&it);
  ASSERT_EQ(t.size(), kN);
  for (auto& it : items) {
    ASSERT_EQ(t.find(it.view()), &it);
  }
  for (auto& it : items) ASSERT_EQ(t.find(it.view(), t.hashKey(it.view())), &it);
  auto absent = makeItems(10000, "nokey:");
  for (auto& it : absent) ASSERT_EQ(t.find(it.view()), nullptr);

  for (size_t i = 0; i < kN; i += 2) ASSERT_EQ(t.remove(items[i].view()), &items[i]);
  EXPECT_EQ(t.size(), kN / 2);
  for (size_t i = 0; i < kN; ++i) {
    ASSERT_EQ(t.find(items[i].view()), i % 2 == 0 ? nullptr : &items[i]) << i;
  }
  EXPECT_EQ(t.remove(items[0].view()), nullptr);
  for (size_t i = 1; i < kN; i += 2) ASSERT_EQ(t.remove(items[i].view()), &items[i]);
  EXPECT_TRUE(t.empty());
  finishRehash(t);
  EXPECT_EQ(t.bucketCount(), Table::kMinBuckets);
  EXPECT_EQ(t.childBucketCount(), 0u);
  EXPECT_EQ(t.memoryUsage(), Table::kMinBuckets * 64);
}

TEST(BucketTable, FindRefSwapsEntry) {
  auto items = makeItems(5000);
  auto replacements = makeItems(5000);
  Table t;
  for (auto& it : items) t.insertNew(&it);
  EXPECT_EQ(t.findRef("missing"), nullptr);
  // Swap every entry, including while a rehash is in progress.
  for (size_t i = 0; i < items.size(); ++i) {
    Item** ref = t.findRef(items[i].view());
    ASSERT_NE(ref, nullptr);
    ASSERT_EQ(*ref, &items[i]);
    *ref = &replacements[i];
  }
  for (size_t i = 0; i < items.size(); ++i) ASSERT_EQ(t.find(items[i].view()), &replacements[i]);
  EXPECT_EQ(t.remove(items[17].view()), &replacements[17]);
  EXPECT_EQ(t.size(), items.size() - 1);
}

TEST(BucketTable, GrowAndShrinkWithOperationsDuringRehash) {
  constexpr size_t kPool = 300000;
  auto items = makeItems(kPool);
  Table t;
  std::vector<size_t> pos(kPool, SIZE_MAX);  // index in liveIdx, or SIZE_MAX
  std::vector<size_t> liveIdx;
  std::mt19937_64 rng(12345);
  size_t opsWhileGrowing = 0, opsWhileShrinking = 0;

  auto check = [&](size_t i) {
    Item* want = pos[i] != SIZE_MAX ? &items[i] : nullptr;
    ASSERT_EQ(t.find(items[i].view()), want) << i;
  };
  auto step = [&](unsigned insertPercent) {
    const bool rehashing = t.isRehashing();
    if (rng() % 100 < insertPercent || liveIdx.empty()) {
      size_t i = rng() % kPool;
      if (pos[i] == SIZE_MAX) {
        t.insertNew(&items[i]);
        pos[i] = liveIdx.size();
        liveIdx.push_back(i);
      }
      check(i);
    } else {
      size_t k = rng() % liveIdx.size();
      size_t i = liveIdx[k];
      ASSERT_EQ(t.remove(items[i].view()), &items[i]);
      ASSERT_EQ(t.remove(items[i].view()), nullptr);
      liveIdx[k] = liveIdx.back();
      pos[liveIdx[k]] = k;
      liveIdx.pop_back();
      pos[i] = SIZE_MAX;
      check(i);
    }
    if (rehashing) (insertPercent > 50 ? opsWhileGrowing : opsWhileShrinking) += 1;
    ASSERT_EQ(t.size(), liveIdx.size());
    check(rng() % kPool);
  };

  for (int n = 0; n < 300000; ++n) {
    step(75);
    if (HasFatalFailure()) return;
  }
  const size_t peakBuckets = t.bucketCount();
  while (liveIdx.size() > 200) {
    step(20);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(opsWhileGrowing, 1000u);
  EXPECT_GT(opsWhileShrinking, 100u);
  EXPECT_GE(peakBuckets, 16384u);
  finishRehash(t);
  EXPECT_LE(t.bucketCount(), 128u);
  EXPECT_EQ(countForEach(t), liveIdx.size());
  for (size_t i = 0; i < kPool; ++i) {
    check(i);
    if (HasFatalFailure()) return;
  }
}

TEST(BucketTable, ChainsInOneBucketAndChildFreeing) {
  constexpr size_t kN = 600;
  auto items = makeItems(kN);
  BucketTable<Item, ItemKey, OneBucketHash> t;
  // With every key in one chain and no rehash pending: home bucket holds 6,
  // full children 6 each, and the tail 2..7; so (n - 2) / 6 children.
  auto expectedChildren = [](size_t n) { return n <= 7 ? size_t{0} : (n - 2) / 6; };
  for (size_t i = 0; i < kN; ++i) {
    t.insertNew(&items[i]);
    finishRehash(t);
    ASSERT_EQ(t.childBucketCount(), expectedChildren(i + 1)) << i;
  }
  EXPECT_EQ(t.memoryUsage(), (t.bucketCount() + t.childBucketCount()) * 64);
  for (auto& it : items) ASSERT_EQ(t.find(it.view()), &it);
  EXPECT_EQ(t.find("absent"), nullptr);

  std::vector<size_t> order(kN);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  std::vector<char> present(kN, 1);
  for (size_t k = 0; k < kN; ++k) {
    size_t i = order[k];
    ASSERT_EQ(t.remove(items[i].view()), &items[i]);
    present[i] = 0;
    finishRehash(t);
    ASSERT_EQ(t.childBucketCount(), expectedChildren(kN - k - 1)) << k;
    if (k % 50 == 0) {
      for (size_t j = 0; j < kN; ++j) ASSERT_EQ(t.find(items[j].view()), present[j] ? &items[j] : nullptr);
    }
  }
  EXPECT_EQ(t.childBucketCount(), 0u);
  EXPECT_EQ(t.memoryUsage(), t.bucketCount() * 64);
}

TEST(BucketTable, ChainsSurviveRehashAndIdenticalTags) {
  auto items = makeItems(300);
  BucketTable<Item, ItemKey, ConstantHash> t;
  for (auto& it : items) t.insertNew(&it);  // rehashes happen along the way
  for (auto& it : items) ASSERT_EQ(t.find(it.view()), &it);
  EXPECT_EQ(t.find("key:300"), nullptr);
  size_t seen = 0;
  uint64_t cursor = 0;
  do {
    cursor = t.scan(cursor, [&](Item*) { ++seen; });
  } while (cursor != 0);
  EXPECT_EQ(seen, items.size());
  for (size_t i = 0; i < items.size(); i += 3) ASSERT_EQ(t.remove(items[i].view()), &items[i]);
  for (size_t i = 0; i < items.size(); ++i) ASSERT_EQ(t.find(items[i].view()), i % 3 == 0 ? nullptr : &items[i]);
  t.clear([](Item*) {});
  EXPECT_EQ(t.childBucketCount(), 0u);
}

namespace {

// Scans the table to completion while `between` mutates it after each call;
// returns how often each stable item was visited.
template <class Between>
std::vector<int> scanWhileMutating(Table& t, std::vector<Item>& stable, Between between) {
  std::unordered_map<const Item*, size_t> index;
  for (size_t i = 0; i < stable.size(); ++i) index[&stable[i]] = i;
  std::vector<int> seen(stable.size(), 0);
  uint64_t cursor = 0;
  size_t calls = 0;
  do {
    cursor = t.scan(cursor, [&](Item* e) {
      auto it = index.find(e);
      if (it != index.end()) ++seen[it->second];
    });
    between(calls++);
  } while (cursor != 0 && calls < 10000000);
  return seen;
}

}  // namespace

TEST(BucketTable, ScanReturnsStableEntriesWhileTableGrowsAndShrinks) {
  for (int round = 0; round < 3; ++round) {
    auto stable = makeItems(3000, "stable:");
    // The last round reaches 2^16 buckets (4 MiB, mmap'ed), so its shrink
    // scans an old array whose migrated part was given back to the kernel.
    auto churn = makeItems(round == 2 ? 300000 : 150000, "churn:");
    Table t;
    for (auto& it : stable) t.insertNew(&it);
    finishRehash(t);
    const size_t startBuckets = t.bucketCount();
    size_t maxBuckets = startBuckets, callsRehashing = 0;
    size_t next = 0, removed = 0;
    const size_t perCall = 100 + 150 * static_cast<size_t>(round);
    std::mt19937_64 rng(round);
    bool sawShrink = false;
    auto seen = scanWhileMutating(t, stable, [&](size_t) {
      if (t.isRehashing()) ++callsRehashing;
      // First grow to 150k churn entries, then remove them all; a few
      // removes and inserts of churn keys throughout.
      for (size_t k = 0; k < perCall; ++k) {
        if (next < churn.size()) {
          t.insertNew(&churn[next++]);
        } else if (removed < churn.size()) {
          ASSERT_EQ(t.remove(churn[removed].view()), &churn[removed]);
          ++removed;
        }
      }
      if (next > 0 && removed < next && rng() % 4 == 0) {
        size_t i = removed + rng() % (next - removed);
        ASSERT_EQ(t.remove(churn[i].view()), &churn[i]);
        t.insertNew(&churn[i]);
      }
      size_t b = t.bucketCount();
      if (b < maxBuckets) sawShrink = true;
      maxBuckets = std::max(maxBuckets, b);
    });
    for (size_t i = 0; i < stable.size(); ++i) ASSERT_GE(seen[i], 1) << "round " << round << " missed " << i;
    EXPECT_GE(maxBuckets, startBuckets * 16) << round;
    EXPECT_TRUE(sawShrink) << round;
    EXPECT_GT(callsRehashing, 0u) << round;
    EXPECT_EQ(t.size(), stable.size() + (next - removed));
  }
}

TEST(BucketTable, StaticTableScanAndForEachVisitEachEntryOnce) {
  auto items = makeItems(20000);
  std::unordered_map<const Item*, size_t> index;
  for (size_t i = 0; i < items.size(); ++i) index[&items[i]] = i;
  auto checkOnce = [&](Table& t, size_t expected) {
    std::vector<int> byScan(items.size(), 0), byForEach(items.size(), 0);
    uint64_t cursor = 0;
    do {
      cursor = t.scan(cursor, [&](Item* e) { ++byScan[index.at(e)]; });
    } while (cursor != 0);
    t.forEach([&](Item* e) { ++byForEach[index.at(e)]; });
    for (size_t i = 0; i < items.size(); ++i) {
      int want = i < expected ? 1 : 0;
      ASSERT_EQ(byScan[i], want) << i;
      ASSERT_EQ(byForEach[i], want) << i;
    }
  };
  Table t;
  for (auto& it : items) t.insertNew(&it);
  finishRehash(t);
  ASSERT_FALSE(t.isRehashing());
  checkOnce(t, items.size());

  // Frozen in the middle of a growth.
  Table g;
  size_t n = 0;
  while (!(g.isRehashing() && g.rehashPosition() > 0 && g.bucketCount() >= 1024)) g.insertNew(&items[n++]);
  checkOnce(g, n);

  // Frozen in the middle of a shrink.
  Table s;
  for (auto& it : items) s.insertNew(&it);
  finishRehash(s);
  size_t m = items.size();
  while (!(s.isRehashing() && s.rehashPosition() > 0)) ASSERT_NE(s.remove(items[--m].view()), nullptr);
  checkOnce(s, m);
}

TEST(BucketTable, RandomEntryIsFairOnSmallTable) {
  auto items = makeItems(50);
  Table t;
  for (auto& it : items) t.insertNew(&it);
  std::unordered_map<const Item*, int> counts;
  std::mt19937_64 rng(99);
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) {
    Item* e = t.randomEntry(rng());
    ASSERT_NE(e, nullptr);
    ++counts[e];
  }
  ASSERT_EQ(counts.size(), items.size());
  const int expected = kDraws / static_cast<int>(items.size());
  for (auto& [e, c] : counts) {
    EXPECT_GT(c, expected * 2 / 3) << e->view();
    EXPECT_LT(c, expected * 3 / 2) << e->view();
  }
}

TEST(BucketTable, RandomEntryCoversBothTablesWhileRehashing) {
  auto items = makeItems(5000);
  Table t;
  size_t n = 0;
  while (!(t.isRehashing() && t.rehashPosition() > 8 && n > 2000)) t.insertNew(&items[n++]);
  std::unordered_set<const Item*> seen;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200000 && seen.size() < n; ++i) seen.insert(t.randomEntry(rng()));
  EXPECT_EQ(seen.size(), n);
  EXPECT_EQ(seen.count(nullptr), 0u);
}

TEST(BucketTable, MemoryPerEntry) {
  constexpr size_t kBuckets = size_t{1} << 18;
  // The most entries 2^18 buckets hold before the next insert grows them.
  constexpr size_t kPeak = kBuckets * 7 * Table::kMaxFillPercent / 100;
  auto items = makeItems(kPeak);
  Table t;
  for (size_t i = 0; i < 1000000; ++i) t.insertNew(&items[i]);
  finishRehash(t);
  // 2^17 buckets hold at most 917504 entries, so 1M entries need 2^18 buckets
  // (16 MiB): the array alone is 16.8 bytes per entry here.
  ASSERT_EQ(t.bucketCount(), kBuckets);
  const double atMillion = static_cast<double>(t.memoryUsage()) / static_cast<double>(t.size());
  const size_t childrenAtMillion = t.childBucketCount();
  EXPECT_LT(atMillion, 18.0);
  for (size_t i = 1000000; i < kPeak; ++i) t.insertNew(&items[i]);
  finishRehash(t);
  ASSERT_EQ(t.bucketCount(), kBuckets);
  const double atPeak = static_cast<double>(t.memoryUsage()) / static_cast<double>(t.size());
  EXPECT_LT(atPeak, 14.5);
  std::printf("[ bytes/entry ] %.2f at 1000000 entries (%zu children); %.2f at %zu entries (%zu children)\n",
              atMillion, childrenAtMillion, atPeak, kPeak, t.childBucketCount());
}

TEST(BucketTable, SingleOperationMigratesBoundedBuckets) {
  auto items = makeItems(200000);
  Table t;
  size_t n = 0;
  // Up to the moment a growth starts: the new array exists, nothing moved yet.
  while (!t.isRehashing() || t.bucketCount() < 8192) t.insertNew(&items[n++]);
  const size_t oldBuckets = t.bucketCount() / 2;
  EXPECT_EQ(t.memoryUsage(), (oldBuckets * 3 + t.childBucketCount()) * 64);
  EXPECT_LE(t.rehashPosition(), 11u);
  const size_t bound = Table::kRehashBucketsPerOp * (1 + Table::kEmptyVisitsPerBucket);
  for (int k = 0; k < 300; ++k) {
    size_t before = t.rehashPosition();
    switch (k % 3) {
      case 0: t.insertNew(&items[n++]); break;
      case 1: ASSERT_NE(t.find(items[k].view()), nullptr); break;
      case 2: ASSERT_EQ(t.remove(items[n - 1].view()), &items[n - 1]); --n; break;
    }
    ASSERT_TRUE(t.isRehashing());
    size_t after = t.rehashPosition();
    ASSERT_GE(after, before);
    ASSERT_LE(after - before, bound) << k;
    ASSERT_GE(after - before, 1u) << k;  // progress on every operation
  }
  // The cron's step is bounded the same way.
  size_t before = t.rehashPosition();
  t.rehashStep(5);
  EXPECT_LE(t.rehashPosition() - before, 5u * bound);
  t.rehashForMicroseconds(1000000);
  EXPECT_FALSE(t.isRehashing());
  EXPECT_EQ(t.bucketCount(), oldBuckets * 2);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(t.find(items[i].view()), &items[i]);
}

TEST(BucketTable, MigratedPartOfLargeOldArrayIsReleased) {
  constexpr size_t kOld = size_t{1} << 16;  // 4 MiB: mmap'ed
  constexpr size_t kGrowAt = kOld * 7 * Table::kMaxFillPercent / 100;
  auto items = makeItems(kGrowAt + 1);
  Table t;
  for (size_t i = 0; i < kGrowAt; ++i) t.insertNew(&items[i]);
  finishRehash(t);
  ASSERT_EQ(t.bucketCount(), kOld);
  t.insertNew(&items[kGrowAt]);
  ASSERT_TRUE(t.isRehashing());
  const size_t chunk = Table::kReleaseChunkBytes / 64;
  while (t.rehashPosition() < chunk) t.rehashStep(1);
  ASSERT_TRUE(t.isRehashing());
  EXPECT_EQ(t.memoryUsage(), (kOld - chunk + 2 * kOld + t.childBucketCount()) * 64);
  // The released stretch reads as empty buckets: scan still visits every
  // entry exactly once, lookups still find everything.
  std::unordered_map<const Item*, int> seen;
  uint64_t cursor = 0;
  do {
    cursor = t.scan(cursor, [&](Item* e) { ++seen[e]; });
  } while (cursor != 0);
  ASSERT_EQ(seen.size(), items.size());
  for (auto& [e, c] : seen) ASSERT_EQ(c, 1);
  for (auto& it : items) ASSERT_EQ(t.find(it.view()), &it);
  finishRehash(t);
  EXPECT_EQ(t.memoryUsage(), (2 * kOld + t.childBucketCount()) * 64);
}

TEST(BucketTable, MoveAndClear) {
  auto items = makeItems(3000);
  Table a;
  for (auto& it : items) a.insertNew(&it);
  ASSERT_TRUE(a.isRehashing() || a.childBucketCount() > 0 || a.size() == 3000);
  Table b(std::move(a));
  EXPECT_EQ(b.size(), items.size());
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty and usable
  EXPECT_EQ(a.memoryUsage(), 0u);
  a.insertNew(&items[0]);
  EXPECT_EQ(a.find(items[0].view()), &items[0]);
  a = std::move(b);
  EXPECT_EQ(a.size(), items.size());
  for (auto& it : items) ASSERT_EQ(a.find(it.view()), &it);

  std::vector<int> released(items.size(), 0);
  a.clear([&](Item* e) { ++released[static_cast<size_t>(e->value)]; });
  for (int r : released) ASSERT_EQ(r, 1);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.memoryUsage(), 0u);
  EXPECT_EQ(a.find(items[1].view()), nullptr);
  a.insertNew(&items[1]);
  EXPECT_EQ(a.find(items[1].view()), &items[1]);
}

TEST(BucketTable, ClearInTheMiddleOfRehashWithChains) {
  auto items = makeItems(1000);
  BucketTable<Item, ItemKey, OneBucketHash> t;
  size_t n = 0;
  while (!(t.isRehashing() && n > 100)) t.insertNew(&items[n++]);
  EXPECT_GT(t.childBucketCount(), 0u);
  size_t released = 0;
  t.clear([&](Item*) { ++released; });
  EXPECT_EQ(released, n);
  EXPECT_EQ(t.childBucketCount(), 0u);
}
