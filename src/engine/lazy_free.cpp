#include "erdtree/engine/lazy_free.h"

#include "erdtree/util/small_alloc.h"

#include <utility>

namespace erdtree::engine {

size_t freeEffort(const Entry* e) {
  if (e->type() == ValueType::String) return 1;
  return e->object()->freeEffort();
}

LazyFreer::~LazyFreer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  // The thread leaves only once the queue is empty; this is a safety net.
  for (Job& job : jobs_) execute(job);
  jobs_.clear();
}

void LazyFreer::freeEntry(Entry* e, bool lazy) {
  if (lazy && freeEffort(e) > kLazyFreeThreshold) {
    freeEntryAsync(e);
  } else {
    Entry::destroy(e);
  }
}

void LazyFreer::freeEntryAsync(Entry* e) {
  Job job;
  job.entry = e;
  job.objects = 1;
  enqueue(std::move(job));
}

void LazyFreer::freeTableAsync(std::unique_ptr<KeyTable> table) {
  Job job;
  job.objects = table->size();
  job.table = std::move(table);
  enqueue(std::move(job));
}

void LazyFreer::enqueue(Job job) {
  pending_.fetch_add(job.objects, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  wake_.notify_one();
}

void LazyFreer::waitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return jobs_.empty() && !busy_; });
}

void LazyFreer::run() {
  // Entries live in the loop thread's slab pages: frees from here are queued
  // for the loop to put back (util/small_alloc.h).
  util::markRemoteFreeThread();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping with nothing left: done
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lock.unlock();
    execute(job);
    // Count before reporting idle, so waitIdle() callers see final numbers.
    pending_.fetch_sub(job.objects, std::memory_order_relaxed);
    freed_.fetch_add(job.objects, std::memory_order_relaxed);
    lock.lock();
    busy_ = false;
    if (jobs_.empty()) idle_.notify_all();
  }
}

void LazyFreer::execute(Job& job) {
  if (job.entry != nullptr) {
    Entry::destroy(job.entry);
    job.entry = nullptr;
  }
  if (job.table) {
    job.table->clear([](Entry* e) { Entry::destroy(e); });
    job.table.reset();
  }
}

}  // namespace erdtree::engine
