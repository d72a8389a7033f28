// Sorted-set values: listpack and skiplist encodings (see zset_value.h).
//
// ZTree is the order-statistic B+tree of the skiplist encoding. All leaves
// are at the same depth and linked both ways for range walks. An inner node
// keeps, per child, the number of elements below it and the child's smallest
// element (pointer and a copy of its score). Splits are even, except at the
// ends of the tree: a leaf or inner node on the rightmost (leftmost) path
// that overflows by an append (prepend) moves only the new entry to the new
// node, so ascending or descending loads leave nodes full instead of half
// full. Nodes under a third full are merged with or refilled from a sibling,
// and an emptied node is freed, so deletions give the memory back.
#include "erdtree/engine/zset_value.h"
#include "erdtree/util/varint.h"


#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>
#include "erdtree/util/small_alloc.h"

namespace erdtree::engine {
namespace {

using util::readVarint;
using util::varintSize;
using util::writeVarint;

// (s1, m1) < (s2, m2) in the sorted-set order.
bool keyLess(double s1, std::string_view m1, double s2, std::string_view m2) {
  return s1 < s2 || (s1 == s2 && m1 < m2);
}

// Redis's listpack keeps scores as text, integral ones as integers: -0 reads back as 0.
double listpackScore(double s) { return s == 0 ? 0.0 : s; }

// glibc: an 8-byte header per chunk, chunks rounded to 16 bytes.
size_t chunkFor(size_t request) { return std::max<size_t>(32, (request + 8 + 15) & ~size_t{15}); }

}  // namespace

// ---- ZMember ------------------------------------------------------------------

ZMember* ZMember::make(std::string_view member, double score) {
  const size_t len = member.size();
  auto* p = static_cast<unsigned char*>(util::allocBlock(allocationSize(len)));
  std::memcpy(p, &score, 8);
  size_t off = 9;
  if (len < 0xff) {
    p[8] = static_cast<unsigned char>(len);
  } else {
    p[8] = 0xff;
    const auto l32 = static_cast<uint32_t>(len);
    std::memcpy(p + 9, &l32, 4);
    off = 13;
  }
  if (len != 0) std::memcpy(p + off, member.data(), len);
  return reinterpret_cast<ZMember*>(p);
}

void ZMember::destroy(ZMember* m) { util::freeBlock(m, allocationSize(m->member().size())); }

double ZMember::score() const {
  double s;
  std::memcpy(&s, bytes_, 8);
  return s;
}

void ZMember::setScore(double score) { std::memcpy(bytes_, &score, 8); }

std::string_view ZMember::member() const {
  const unsigned char* p = bytes_ + 8;
  if (p[0] != 0xff) return std::string_view(reinterpret_cast<const char*>(p + 1), p[0]);
  uint32_t l32;
  std::memcpy(&l32, p + 1, 4);
  return std::string_view(reinterpret_cast<const char*>(p + 5), l32);
}

// ---- ZTree ----------------------------------------------------------------------

class ZTree {
 public:
  // Leaf: 64 pointers (a 544-byte chunk). Inner: 32 children.
  static constexpr uint16_t kLeafCap = 64;
  static constexpr uint16_t kInnerCap = 32;

  struct Node {
    uint16_t n = 0;
    bool leaf = true;
  };
  struct Leaf : Node {
    Leaf* prev = nullptr;
    Leaf* next = nullptr;
    ZMember* items[kLeafCap + 1];  // one spare slot: insert, then split
  };
  struct Inner : Node {
    Node* child[kInnerCap + 1];
    size_t count[kInnerCap + 1];
    double lowScore[kInnerCap + 1];
    ZMember* low[kInnerCap + 1];
  };
  struct Pos {
    Leaf* leaf;
    size_t idx;
  };

  ZTree() : root_(newLeaf()) {}
  ~ZTree() { freeSubtree(root_); }
  ZTree(const ZTree&) = delete;
  ZTree& operator=(const ZTree&) = delete;

  size_t size() const { return size_; }

  void insert(ZMember* m) {
    Node* right = insertRec(root_, m, true, true);
    ++size_;
    if (right == nullptr) return;
    Inner* r = newInner();
    r->n = 2;
    setChild(r, 0, root_, size_ - subtreeCount(right));
    setChild(r, 1, right, subtreeCount(right));
    root_ = r;
  }

  // Removes the element (score, member), which must be present; returns it.
  ZMember* erase(double score, std::string_view member) {
    ZMember* m = eraseRec(root_, score, member);
    --size_;
    while (!root_->leaf && root_->n <= 1) {
      auto* in = static_cast<Inner*>(root_);
      Node* only = in->n == 1 ? in->child[0] : nullptr;
      deleteNode(in);
      root_ = only != nullptr ? only : newLeaf();
    }
    return m;
  }

  std::optional<size_t> rank(double score, std::string_view member) const {
    size_t acc = 0;
    const Node* node = root_;
    while (!node->leaf) {
      const auto* in = static_cast<const Inner*>(node);
      const int i = childFor(in, score, member);
      for (int j = 0; j < i; ++j) acc += in->count[j];
      node = in->child[i];
    }
    const auto* leaf = static_cast<const Leaf*>(node);
    const size_t idx = leafLowerBound(leaf, score, member);
    if (idx < leaf->n && leaf->items[idx]->score() == score && leaf->items[idx]->member() == member) return acc + idx;
    return std::nullopt;
  }

  // Number of elements for which pred(score, member) holds, pred being true
  // on a prefix of the order.
  template <class Pred>
  size_t countWhile(Pred&& pred) const {
    size_t acc = 0;
    const Node* node = root_;
    while (!node->leaf) {
      const auto* in = static_cast<const Inner*>(node);
      int i = -1;
      int lo = 0, hi = in->n;  // last child whose smallest element satisfies pred
      while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (pred(in->lowScore[mid], in->low[mid]->member())) {
          i = mid;
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (i < 0) return acc;
      for (int j = 0; j < i; ++j) acc += in->count[j];
      node = in->child[i];
    }
    const auto* leaf = static_cast<const Leaf*>(node);
    size_t lo = 0, hi = leaf->n;
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (pred(leaf->items[mid]->score(), leaf->items[mid]->member())) lo = mid + 1;
      else hi = mid;
    }
    return acc + lo;
  }

  Pos at(size_t rank) const {
    Node* node = root_;
    while (!node->leaf) {
      auto* in = static_cast<Inner*>(node);
      int i = 0;
      while (rank >= in->count[i]) rank -= in->count[i++];
      node = in->child[i];
    }
    return Pos{static_cast<Leaf*>(node), rank};
  }

  size_t memoryUsage() const {
    return sizeof(ZTree) + leaves_ * chunkFor(sizeof(Leaf)) + inners_ * chunkFor(sizeof(Inner));
  }

  template <class Fn>
  void forEach(Fn&& fn) const {
    for (Pos p = at(0); size_ != 0 && p.leaf != nullptr; p.leaf = p.leaf->next)
      for (size_t i = 0; i < p.leaf->n; ++i) fn(p.leaf->items[i]);
  }

 private:
  static size_t subtreeCount(const Node* node) {
    if (node->leaf) return node->n;
    const auto* in = static_cast<const Inner*>(node);
    size_t total = 0;
    for (int i = 0; i < in->n; ++i) total += in->count[i];
    return total;
  }
  static ZMember* firstOf(const Node* node) {
    while (!node->leaf) node = static_cast<const Inner*>(node)->child[0];
    return static_cast<const Leaf*>(node)->items[0];
  }
  static void setChild(Inner* in, int i, Node* child, size_t count) {
    in->child[i] = child;
    in->count[i] = count;
    refreshLow(in, i);
  }
  static void refreshLow(Inner* in, int i) {
    if (in->count[i] == 0) return;
    in->low[i] = firstOf(in->child[i]);
    in->lowScore[i] = in->low[i]->score();
  }

  // The child of in whose range holds key: the last child whose smallest
  // element is <= key (the first child when key is below them all).
  static int childFor(const Inner* in, double score, std::string_view member) {
    int lo = 1, hi = in->n;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (keyLess(score, member, in->lowScore[mid], in->low[mid]->member())) hi = mid;
      else lo = mid + 1;
    }
    return lo - 1;
  }
  static size_t leafLowerBound(const Leaf* leaf, double score, std::string_view member) {
    size_t lo = 0, hi = leaf->n;
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      const ZMember* x = leaf->items[mid];
      if (keyLess(x->score(), x->member(), score, member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // Inserts m below node; returns the new right sibling when node split.
  Node* insertRec(Node* node, ZMember* m, bool leftmost, bool rightmost) {
    const double score = m->score();
    const std::string_view member = m->member();
    if (node->leaf) {
      auto* leaf = static_cast<Leaf*>(node);
      const size_t idx = leafLowerBound(leaf, score, member);
      std::memmove(&leaf->items[idx + 1], &leaf->items[idx], (leaf->n - idx) * sizeof(ZMember*));
      leaf->items[idx] = m;
      if (++leaf->n <= kLeafCap) return nullptr;
      size_t keep = leaf->n / 2;
      if (rightmost && idx == kLeafCap) keep = kLeafCap;
      else if (leftmost && idx == 0) keep = 1;
      return splitLeaf(leaf, keep);
    }
    auto* in = static_cast<Inner*>(node);
    const int i = childFor(in, score, member);
    Node* right = insertRec(in->child[i], m, leftmost && i == 0, rightmost && i == in->n - 1);
    ++in->count[i];
    refreshLow(in, i);
    if (right == nullptr) return nullptr;
    const size_t rightCount = subtreeCount(right);
    std::memmove(&in->child[i + 2], &in->child[i + 1], (in->n - i - 1) * sizeof(Node*));
    std::memmove(&in->count[i + 2], &in->count[i + 1], (in->n - i - 1) * sizeof(size_t));
    std::memmove(&in->lowScore[i + 2], &in->lowScore[i + 1], (in->n - i - 1) * sizeof(double));
    std::memmove(&in->low[i + 2], &in->low[i + 1], (in->n - i - 1) * sizeof(ZMember*));
    ++in->n;
    in->count[i] -= rightCount;
    setChild(in, i + 1, right, rightCount);
    if (in->n <= kInnerCap) return nullptr;
    int keep = in->n / 2;
    if (rightmost && i + 1 == kInnerCap) keep = kInnerCap;
    else if (leftmost && i == 0) keep = 1;
    return splitInner(in, keep);
  }

  Leaf* splitLeaf(Leaf* leaf, size_t keep) {
    Leaf* r = newLeaf();
    r->n = static_cast<uint16_t>(leaf->n - keep);
    std::memcpy(r->items, &leaf->items[keep], r->n * sizeof(ZMember*));
    leaf->n = static_cast<uint16_t>(keep);
    r->prev = leaf;
    r->next = leaf->next;
    if (leaf->next != nullptr) leaf->next->prev = r;
    leaf->next = r;
    return r;
  }

  Inner* splitInner(Inner* in, int keep) {
    Inner* r = newInner();
    r->n = static_cast<uint16_t>(in->n - keep);
    std::memcpy(r->child, &in->child[keep], r->n * sizeof(Node*));
    std::memcpy(r->count, &in->count[keep], r->n * sizeof(size_t));
    std::memcpy(r->lowScore, &in->lowScore[keep], r->n * sizeof(double));
    std::memcpy(r->low, &in->low[keep], r->n * sizeof(ZMember*));
    in->n = static_cast<uint16_t>(keep);
    return r;
  }

  ZMember* eraseRec(Node* node, double score, std::string_view member) {
    if (node->leaf) {
      auto* leaf = static_cast<Leaf*>(node);
      const size_t idx = leafLowerBound(leaf, score, member);
      assert(idx < leaf->n && leaf->items[idx]->member() == member);
      ZMember* m = leaf->items[idx];
      std::memmove(&leaf->items[idx], &leaf->items[idx + 1], (leaf->n - idx - 1) * sizeof(ZMember*));
      --leaf->n;
      return m;
    }
    auto* in = static_cast<Inner*>(node);
    const int i = childFor(in, score, member);
    ZMember* m = eraseRec(in->child[i], score, member);
    --in->count[i];
    if (in->count[i] == 0) {
      freeSubtree(in->child[i]);
      removeChild(in, i);
    } else {
      refreshLow(in, i);
      rebalance(in, i);
    }
    return m;
  }

  static void removeChild(Inner* in, int i) {
    const size_t tail = static_cast<size_t>(in->n - i - 1);
    std::memmove(&in->child[i], &in->child[i + 1], tail * sizeof(Node*));
    std::memmove(&in->count[i], &in->count[i + 1], tail * sizeof(size_t));
    std::memmove(&in->lowScore[i], &in->lowScore[i + 1], tail * sizeof(double));
    std::memmove(&in->low[i], &in->low[i + 1], tail * sizeof(ZMember*));
    --in->n;
  }

  // Child i of in may be under a third full: merge it with a sibling when
  // both fit in one node, else even the two out.
  void rebalance(Inner* in, int i) {
    Node* c = in->child[i];
    const uint16_t cap = c->leaf ? kLeafCap : kInnerCap;
    if (c->n >= cap / 3 || in->n < 2) return;
    const int a = i + 1 < in->n ? i : i - 1;
    Node* left = in->child[a];
    Node* right = in->child[a + 1];
    if (left->n + right->n <= cap) {
      if (left->leaf) mergeLeaves(static_cast<Leaf*>(left), static_cast<Leaf*>(right));
      else mergeInners(static_cast<Inner*>(left), static_cast<Inner*>(right));
      in->count[a] += in->count[a + 1];
      removeChild(in, a + 1);
      return;
    }
    const int total = left->n + right->n;
    const int wantLeft = total / 2;
    if (left->leaf) shiftLeaves(static_cast<Leaf*>(left), static_cast<Leaf*>(right), wantLeft);
    else shiftInners(static_cast<Inner*>(left), static_cast<Inner*>(right), wantLeft);
    const size_t sum = in->count[a] + in->count[a + 1];
    in->count[a] = subtreeCount(left);
    in->count[a + 1] = sum - in->count[a];
    refreshLow(in, a);
    refreshLow(in, a + 1);
  }

  void mergeLeaves(Leaf* l, Leaf* r) {
    std::memcpy(&l->items[l->n], r->items, r->n * sizeof(ZMember*));
    l->n = static_cast<uint16_t>(l->n + r->n);
    l->next = r->next;
    if (r->next != nullptr) r->next->prev = l;
    deleteNode(r);
  }
  void mergeInners(Inner* l, Inner* r) {
    std::memcpy(&l->child[l->n], r->child, r->n * sizeof(Node*));
    std::memcpy(&l->count[l->n], r->count, r->n * sizeof(size_t));
    std::memcpy(&l->lowScore[l->n], r->lowScore, r->n * sizeof(double));
    std::memcpy(&l->low[l->n], r->low, r->n * sizeof(ZMember*));
    l->n = static_cast<uint16_t>(l->n + r->n);
    deleteNode(r);
  }
  // Moves entries across the l|r boundary until l holds wantLeft.
  static void shiftLeaves(Leaf* l, Leaf* r, int wantLeft) {
    if (l->n < wantLeft) {
      const int k = wantLeft - l->n;
      std::memcpy(&l->items[l->n], r->items, k * sizeof(ZMember*));
      std::memmove(r->items, &r->items[k], (r->n - k) * sizeof(ZMember*));
      l->n = static_cast<uint16_t>(l->n + k);
      r->n = static_cast<uint16_t>(r->n - k);
    } else {
      const int k = l->n - wantLeft;
      std::memmove(&r->items[k], r->items, r->n * sizeof(ZMember*));
      std::memcpy(r->items, &l->items[wantLeft], k * sizeof(ZMember*));
      l->n = static_cast<uint16_t>(wantLeft);
      r->n = static_cast<uint16_t>(r->n + k);
    }
  }
  static void shiftInners(Inner* l, Inner* r, int wantLeft) {
    auto move = [](Inner* dst, int dpos, Inner* src, int spos, int k) {
      std::memmove(&dst->child[dpos], &src->child[spos], k * sizeof(Node*));
      std::memmove(&dst->count[dpos], &src->count[spos], k * sizeof(size_t));
      std::memmove(&dst->lowScore[dpos], &src->lowScore[spos], k * sizeof(double));
      std::memmove(&dst->low[dpos], &src->low[spos], k * sizeof(ZMember*));
    };
    if (l->n < wantLeft) {
      const int k = wantLeft - l->n;
      move(l, l->n, r, 0, k);
      move(r, 0, r, k, r->n - k);
      l->n = static_cast<uint16_t>(l->n + k);
      r->n = static_cast<uint16_t>(r->n - k);
    } else {
      const int k = l->n - wantLeft;
      move(r, k, r, 0, r->n);
      move(r, 0, l, wantLeft, k);
      l->n = static_cast<uint16_t>(wantLeft);
      r->n = static_cast<uint16_t>(r->n + k);
    }
  }

  // Frees node's subtree (not the members), unlinking its leaves.
  void freeSubtree(Node* node) {
    if (node->leaf) {
      auto* leaf = static_cast<Leaf*>(node);
      if (leaf->prev != nullptr) leaf->prev->next = leaf->next;
      if (leaf->next != nullptr) leaf->next->prev = leaf->prev;
      deleteNode(leaf);
      return;
    }
    auto* in = static_cast<Inner*>(node);
    for (int i = 0; i < in->n; ++i) freeSubtree(in->child[i]);
    deleteNode(in);
  }

  Leaf* newLeaf() {
    ++leaves_;
    return new Leaf;
  }
  Inner* newInner() {
    ++inners_;
    auto* in = new Inner;
    in->leaf = false;
    return in;
  }
  void deleteNode(Node* node) {
    if (node->leaf) {
      --leaves_;
      delete static_cast<Leaf*>(node);
    } else {
      --inners_;
      delete static_cast<Inner*>(node);
    }
  }

  size_t leaves_ = 0;
  size_t inners_ = 0;
  Node* root_;
  size_t size_ = 0;
};

// ---- ranges --------------------------------------------------------------------

namespace {

// Redis's sdscmplex: "-" sorts before everything, "+" after everything.
int compareBounds(const LexBound& a, const LexBound& b) {
  if (a.kind == b.kind && a.kind != LexBound::kValue) return 0;
  if (a.kind == LexBound::kNegInf || b.kind == LexBound::kPosInf) return -1;
  if (a.kind == LexBound::kPosInf || b.kind == LexBound::kNegInf) return 1;
  return a.value.compare(b.value);
}

int compareToBound(std::string_view m, const LexBound& b) {
  if (b.kind == LexBound::kNegInf) return 1;
  if (b.kind == LexBound::kPosInf) return -1;
  return m.compare(b.value);
}

}  // namespace

bool LexRange::empty() const {
  const int cmp = compareBounds(min, max);
  return cmp > 0 || (cmp == 0 && (min.exclusive || max.exclusive));
}
bool LexRange::aboveMin(std::string_view m) const {
  const int cmp = compareToBound(m, min);
  return min.exclusive ? cmp > 0 : cmp >= 0;
}
bool LexRange::belowMax(std::string_view m) const {
  const int cmp = compareToBound(m, max);
  return max.exclusive ? cmp < 0 : cmp <= 0;
}

// ---- ZSetValue: listpack ------------------------------------------------------

ZSetValue::ZSetValue() = default;

ZSetValue::~ZSetValue() {
  if (table_) table_->clear([](ZMember* m) { ZMember::destroy(m); });
}

size_t ZSetValue::length() const { return tree_ ? tree_->size() : lpCount_; }

ZSetValue::LpRecord ZSetValue::lpAt(size_t pos) const {
  const auto* base = reinterpret_cast<const unsigned char*>(lp_.data());
  LpRecord r{};
  std::memcpy(&r.score, base + pos, 8);
  size_t len = 0;
  const size_t hdr = readVarint(base + pos + 8, len);
  r.member = std::string_view(lp_.data() + pos + 8 + hdr, len);
  r.next = pos + 8 + hdr + len;
  return r;
}

size_t ZSetValue::lpFind(std::string_view member) const {
  for (size_t pos = 0; pos < lp_.size();) {
    const LpRecord r = lpAt(pos);
    if (r.member == member) return pos;
    pos = r.next;
  }
  return std::string::npos;
}

size_t ZSetValue::lpOffsetOfRank(size_t rank) const {
  size_t pos = 0;
  for (size_t i = 0; i < rank; ++i) pos = lpAt(pos).next;
  return pos;
}

void ZSetValue::lpInsert(std::string_view member, double score) {
  score = listpackScore(score);
  size_t pos = 0;
  while (pos < lp_.size()) {
    const LpRecord r = lpAt(pos);
    if (keyLess(score, member, r.score, r.member)) break;
    pos = r.next;
  }
  unsigned char hdr[8 + 10];
  std::memcpy(hdr, &score, 8);
  const size_t hlen = 8 + writeVarint(hdr + 8, member.size());
  std::string rec(reinterpret_cast<const char*>(hdr), hlen);
  rec.append(member);
  lp_.insert(pos, rec);
  ++lpCount_;
}

void ZSetValue::lpErase(size_t pos) {
  lp_.erase(pos, lpAt(pos).next - pos);
  --lpCount_;
}

// ---- ZSetValue: common ----------------------------------------------------------

std::optional<double> ZSetValue::score(std::string_view member) {
  if (tree_) {
    const ZMember* m = table_->find(member);
    if (m == nullptr) return std::nullopt;
    return m->score();
  }
  const size_t pos = lpFind(member);
  if (pos == std::string::npos) return std::nullopt;
  return lpAt(pos).score;
}

void ZSetValue::treeInsert(std::string_view member, double score) {
  ZMember* m = ZMember::make(member, score);
  memberBytes_ += util::blockSize(nullptr, ZMember::allocationSize(member.size()));
  table_->insertNew(m);
  tree_->insert(m);
}

bool ZSetValue::set(std::string_view member, double score, const EncodingLimits& limits) {
  if (!tree_) {
    const size_t pos = lpFind(member);
    if (pos != std::string::npos) {
      if (lpAt(pos).score != score) {
        lpErase(pos);
        lpInsert(member, score);
      }
      return false;
    }
    if (static_cast<int64_t>(lpCount_) + 1 > limits.zsetMaxListpackEntries ||
        static_cast<int64_t>(member.size()) > limits.zsetMaxListpackValue) {
      convertToSkiplist();
    } else {
      lpInsert(member, score);
      return true;
    }
  }
  if (ZMember* m = table_->find(member)) {
    if (m->score() != score) {
      tree_->erase(m->score(), member);
      m->setScore(score);
      tree_->insert(m);
    }
    return false;
  }
  treeInsert(member, score);
  return true;
}

bool ZSetValue::remove(std::string_view member) {
  if (!tree_) {
    const size_t pos = lpFind(member);
    if (pos == std::string::npos) return false;
    lpErase(pos);
    return true;
  }
  ZMember* m = table_->remove(member);
  if (m == nullptr) return false;
  tree_->erase(m->score(), member);
  memberBytes_ -= util::blockSize(nullptr, ZMember::allocationSize(member.size()));
  ZMember::destroy(m);
  return true;
}

std::optional<size_t> ZSetValue::rank(std::string_view member) {
  if (tree_) {
    const ZMember* m = table_->find(member);
    if (m == nullptr) return std::nullopt;
    return tree_->rank(m->score(), member);
  }
  size_t i = 0;
  for (size_t pos = 0; pos < lp_.size(); ++i) {
    const LpRecord r = lpAt(pos);
    if (r.member == member) return i;
    pos = r.next;
  }
  return std::nullopt;
}

RankSpan ZSetValue::scoreSpan(const ScoreRange& range) {
  if (range.empty()) return {};
  RankSpan span;
  if (tree_) {
    span.begin = tree_->countWhile([&](double s, std::string_view) { return !range.aboveMin(s); });
    span.end = tree_->countWhile([&](double s, std::string_view) { return range.belowMax(s); });
  } else {
    for (size_t pos = 0; pos < lp_.size();) {
      const LpRecord r = lpAt(pos);
      if (!range.aboveMin(r.score)) ++span.begin;
      if (range.belowMax(r.score)) ++span.end;
      else break;
      pos = r.next;
    }
  }
  if (span.end < span.begin) span.end = span.begin;
  return span;
}

std::vector<std::string_view> ZSetValue::orderedMembers() {
  std::vector<std::string_view> out;
  out.reserve(length());
  forEach([&](std::string_view m, double) { out.push_back(m); });
  return out;
}

size_t ZSetValue::lexFirstAboveMin(const LexRange& r) {
  if (!lexLinear()) return tree_->countWhile([&](double, std::string_view m) { return !r.aboveMin(m); });
  size_t i = 0;
  walk(0, false, [&](std::string_view m, double) {
    if (r.aboveMin(m)) return false;
    ++i;
    return true;
  });
  return i;
}

size_t ZSetValue::lexRunEnd(const LexRange& r, size_t rank) {
  walk(rank, false, [&](std::string_view m, double) {
    if (!r.belowMax(m)) return false;
    ++rank;
    return true;
  });
  return rank;
}

std::optional<size_t> ZSetValue::lexFirst(const LexRange& r) {
  const size_t n = length();
  if (r.empty() || n == 0) return std::nullopt;
  // zzl|zslIsInLexRange: the last member must reach min, the first stay under max.
  if (!r.aboveMin(at(n - 1).first) || !r.belowMax(at(0).first)) return std::nullopt;
  const size_t i = lexFirstAboveMin(r);
  if (i == n || !r.belowMax(at(i).first)) return std::nullopt;
  return i;
}

std::optional<size_t> ZSetValue::lexLast(const LexRange& r) {
  const size_t n = length();
  if (r.empty() || n == 0) return std::nullopt;
  if (!r.aboveMin(at(n - 1).first) || !r.belowMax(at(0).first)) return std::nullopt;
  size_t last = 0;
  if (!tree_) {  // listpack: the first member <= max from the tail
    const auto members = orderedMembers();
    size_t i = n;
    while (i > 0 && !r.belowMax(members[i - 1])) --i;
    if (i == 0) return std::nullopt;
    last = i - 1;
  } else {  // skiplist: the end of the run of members <= max from the head
    const size_t run = lexLinear() ? lexRunEnd(r, 0)
                                   : tree_->countWhile([&](double, std::string_view m) { return r.belowMax(m); });
    if (run == 0) return std::nullopt;
    last = run - 1;
  }
  if (!r.aboveMin(at(last).first)) return std::nullopt;
  return last;
}

int64_t ZSetValue::lexCount(const LexRange& r) {
  const auto first = lexFirst(r);
  if (!first) return 0;
  if (!tree_) return static_cast<int64_t>(lexRunEnd(r, *first) - *first);
  // zsetRank arithmetic of Redis's zlexcountCommand (1-based ranks).
  const auto n = static_cast<int64_t>(length());
  int64_t count = n - static_cast<int64_t>(*first);
  if (const auto last = lexLast(r)) count -= n - (static_cast<int64_t>(*last) + 1);
  return count;
}

RankSpan ZSetValue::lexRemovalSpan(const LexRange& r) {
  size_t first = 0;
  if (!tree_) {
    const auto f = lexFirst(r);
    if (!f) return {};
    first = *f;
  } else {  // zslDeleteRangeByLex skips the in-range pre-check
    if (r.empty()) return {};
    first = lexFirstAboveMin(r);
  }
  return {first, lexRunEnd(r, first)};
}

void ZSetValue::walkFrom(size_t start, bool reverse, Visit visit, void* fn) {
  if (start >= length()) return;
  if (tree_) {
    ZTree::Pos p = tree_->at(start);
    while (p.leaf != nullptr) {
      const ZMember* m = p.leaf->items[p.idx];
      if (!visit(fn, m->member(), m->score())) return;
      if (reverse) {
        if (p.idx == 0) {
          p.leaf = p.leaf->prev;
          if (p.leaf != nullptr) p.idx = p.leaf->n - 1u;
        } else {
          --p.idx;
        }
      } else if (++p.idx == p.leaf->n) {
        p.leaf = p.leaf->next;
        p.idx = 0;
      }
    }
    return;
  }
  if (!reverse) {
    for (size_t pos = lpOffsetOfRank(start); pos < lp_.size();) {
      const LpRecord r = lpAt(pos);
      if (!visit(fn, r.member, r.score)) return;
      pos = r.next;
    }
    return;
  }
  // Backward: records are only walkable forwards, so note the offsets first.
  std::vector<size_t> offsets;
  offsets.reserve(start + 1);
  for (size_t pos = 0, i = 0; i <= start; ++i) {
    offsets.push_back(pos);
    pos = lpAt(pos).next;
  }
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
    const LpRecord r = lpAt(*it);
    if (!visit(fn, r.member, r.score)) return;
  }
}

void ZSetValue::removeRange(size_t begin, size_t end) {
  end = std::min(end, length());
  if (begin >= end) return;
  if (!tree_) {
    const size_t from = lpOffsetOfRank(begin);
    size_t to = from;
    for (size_t i = begin; i < end; ++i) to = lpAt(to).next;
    lp_.erase(from, to - from);
    lpCount_ -= static_cast<uint32_t>(end - begin);
    return;
  }
  for (size_t i = begin; i < end; ++i) {
    ZTree::Pos p = tree_->at(begin);
    ZMember* m = p.leaf->items[p.idx];
    tree_->erase(m->score(), m->member());
    table_->remove(m->member());
    memberBytes_ -= util::blockSize(nullptr, ZMember::allocationSize(m->member().size()));
    ZMember::destroy(m);
  }
}

std::pair<std::string, double> ZSetValue::at(size_t rank) {
  std::pair<std::string, double> out;
  forRange(rank, rank + 1, false, [&](std::string_view m, double s) { out = {std::string(m), s}; });
  return out;
}

void ZSetValue::convertToSkiplist() {
  if (tree_) return;
  table_ = std::make_unique<Table>();
  tree_ = std::make_unique<ZTree>();
  for (size_t pos = 0; pos < lp_.size();) {
    const LpRecord r = lpAt(pos);
    treeInsert(r.member, r.score);
    pos = r.next;
  }
  std::string().swap(lp_);
  lpCount_ = 0;
}

void ZSetValue::fitToLimits(const EncodingLimits& limits) {
  if (!tree_ || static_cast<int64_t>(tree_->size()) > limits.zsetMaxListpackEntries) return;
  bool fits = true;
  tree_->forEach([&](const ZMember* m) {
    if (static_cast<int64_t>(m->member().size()) > limits.zsetMaxListpackValue) fits = false;
  });
  if (!fits) return;
  std::string lp;
  tree_->forEach([&](const ZMember* m) {
    const double s = listpackScore(m->score());
    unsigned char hdr[8 + 10];
    std::memcpy(hdr, &s, 8);
    lp.append(reinterpret_cast<const char*>(hdr), 8 + writeVarint(hdr + 8, m->member().size()));
    lp.append(m->member());
  });
  lpCount_ = static_cast<uint32_t>(tree_->size());
  table_->clear([](ZMember* m) { ZMember::destroy(m); });
  table_.reset();
  tree_.reset();
  memberBytes_ = 0;
  lp_ = std::move(lp);
}

std::unique_ptr<Object> ZSetValue::clone() const {
  auto copy = std::make_unique<ZSetValue>();
  if (!tree_) {
    copy->lp_ = lp_;
    copy->lpCount_ = lpCount_;
    return copy;
  }
  copy->table_ = std::make_unique<Table>();
  copy->tree_ = std::make_unique<ZTree>();
  tree_->forEach([&](const ZMember* m) { copy->treeInsert(m->member(), m->score()); });
  return copy;
}

size_t ZSetValue::memoryUsage() const {
  size_t bytes = sizeof(ZSetValue);
  if (!tree_) return bytes + (lp_.capacity() > 15 ? lp_.capacity() + 1 : 0);
  return bytes + sizeof(Table) + table_->memoryUsage() + tree_->memoryUsage() + memberBytes_;
}

}  // namespace erdtree::engine
