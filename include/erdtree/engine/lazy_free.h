#pragma once
// Lazy free: destroying big values on a background thread (Redis's
// BIO_LAZY_FREE), so UNLINK of a 1M-member set or FLUSHALL ASYNC of 1M keys
// costs the loop a table swap, not the seconds of free() calls.
//
// What goes to the thread. A value whose "free effort" (freeEffort(): roughly
// the number of allocations it owns, as Redis's lazyfreeGetFreeEffort) is
// above kLazyFreeThreshold; smaller ones are cheaper to free inline than to
// hand over. A flushed database always goes (its whole table, entries and
// bucket arrays). The count of objects handed over and not yet freed is
// pending() (INFO lazyfree_pending_objects); freed() counts those done
// (INFO lazyfreed_objects; a flushed database counts as its key count).
//
// Ownership. A job owns what it frees: an Entry detached from its table or a
// KeyTable moved out of its Db. Nothing the loop can reach points into them
// (entries are single allocations whose value object hangs off the entry
// alone; no refcounts are shared), so the thread needs no lock but the
// queue's. The thread starts on the first job. The destructor lets the thread
// finish every queued job, then joins it: nothing leaks at shutdown.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "erdtree/engine/key_table.h"

namespace erdtree::engine {

// Redis's LAZYFREE_THRESHOLD: values owning more allocations than this are
// freed in the background.
constexpr size_t kLazyFreeThreshold = 64;

// Allocations freeing e's value would take: 1 for strings and compact
// encodings, the element (or chunk) count for the others.
size_t freeEffort(const Entry* e);

class LazyFreer {
 public:
  LazyFreer() = default;
  ~LazyFreer();
  LazyFreer(const LazyFreer&) = delete;
  LazyFreer& operator=(const LazyFreer&) = delete;

  // Destroys e here or, when lazy and its free effort is above the
  // threshold, on the background thread. Takes ownership; e must already be
  // detached from its table.
  void freeEntry(Entry* e, bool lazy);
  // Hands e to the background thread whatever its size.
  void freeEntryAsync(Entry* e);
  // Hands a whole table (its entries too) to the background thread.
  void freeTableAsync(std::unique_ptr<KeyTable> table);

  uint64_t pending() const { return pending_.load(std::memory_order_relaxed); }
  uint64_t freed() const { return freed_.load(std::memory_order_relaxed); }
  void resetStats() { freed_.store(0, std::memory_order_relaxed); }
  // Blocks until every job queued so far is done (tests, shutdown paths).
  void waitIdle();

 private:
  struct Job {
    Entry* entry = nullptr;               // or
    std::unique_ptr<KeyTable> table;      // a flushed database
    uint64_t objects = 0;                 // what it adds to pending()
  };
  void enqueue(Job job);
  void run();
  static void execute(Job& job);

  std::mutex mu_;
  std::condition_variable wake_;  // a job arrived, or stopping
  std::condition_variable idle_;  // the queue drained
  std::deque<Job> jobs_;
  bool busy_ = false;     // the thread is running a job it took off the queue
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<uint64_t> pending_{0};
  std::atomic<uint64_t> freed_{0};
};

}  // namespace erdtree::engine
