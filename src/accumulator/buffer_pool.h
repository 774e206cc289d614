// BufferPool: the producer's memory budget (buffer.memory). Buffers of the
// pooled sizes (batch.size, and batch.size halved down to kSmallestPooledSize,
// the sizes a batch grows through) are kept on free lists and reused, so the
// steady state allocates nothing; other sizes come from malloc and are counted
// against the same budget. A thread that finds the budget spent waits, first
// come first served, up to its deadline (max.block.ms).
// Runs on: any thread: application threads allocate, the sender thread
// deallocates, any thread reads the statistics. Locks: mutex_; the statistics
// none (gauges the mutex holders publish).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "metrics/metric_window.h"

namespace kprod::client {

class BufferPool {
public:
    using Clock = std::chrono::steady_clock;

    enum class Result { kOk, kTimedOut, kTooLarge, kClosed, kNoMemory };

    // buffer_overhead: bytes charged to the budget for every buffer handed
    // out besides its size (the bookkeeping of the batch that holds it).
    BufferPool(size_t total_memory, size_t pooled_size, MetricWindowSettings metrics = {},
               size_t buffer_overhead = 0);
    ~BufferPool();
    BufferPool(const BufferPool &) = delete;
    BufferPool &operator=(const BufferPool &) = delete;

    // Gets `size` bytes, waiting until `deadline` if the budget is spent.
    // kTooLarge at once when size exceeds the whole budget.
    Result allocate(size_t size, Clock::time_point deadline, uint8_t *&buffer);

    // Gets `size` bytes only if that needs no wait (nobody waits, the budget
    // has them); false otherwise. For growing a batch, which must never block.
    // `ahead_of_waiters`: even while threads wait, if the budget has them (the
    // Sender splitting a batch, whose pieces free memory sooner than new batches).
    bool try_allocate(size_t size, uint8_t *&buffer, bool ahead_of_waiters = false);

    // Returns a buffer obtained from allocate with the same size.
    void deallocate(uint8_t *buffer, size_t size);

    // The smallest pooled size that holds `needed` bytes; `needed` itself
    // when it is larger than batch.size.
    size_t pooled_size_for(size_t needed) const;

    // Wakes every waiter with kClosed and refuses later waits.
    void close();

    // True while some thread waits for memory: batches should go out now.
    bool has_waiters() const;
    size_t available_memory() const;  // free list plus unallocated budget
    size_t pooled_size() const { return pooled_size_; }
    size_t total_memory() const { return total_memory_; }
    size_t free_list_size() const;  // pooled buffers kept, of every size

    // Batches start small and double: no pooled size is below this.
    static constexpr size_t kSmallestPooledSize = 512;

    // What the producer's buffer metrics show (Java's buffer-*, waiting-threads,
    // bufferpool-wait-*). Runs on: any thread. Locks: none.
    struct Statistics {
        size_t total_bytes;
        size_t available_bytes;
        size_t waiting_threads;
        MetricWindow::Reading wait_time_ns;  // one value per wait, in nanoseconds
        MetricWindow::Reading exhausted;     // one value (1) per allocation that timed out
    };
    Statistics statistics(int64_t now_ms) const;

private:
    struct Waiter {
        std::condition_variable ready;
    };
    Result wait_in_line(std::unique_lock<std::mutex> &lock, size_t size, Clock::time_point deadline,
                        uint8_t *&buffer);
    // Takes from the unallocated budget, shrinking the free lists if it must.
    void take_from_budget(size_t size);
    // Charges `size` and the overhead to the budget if it holds them; `buffer`
    // is then a pooled buffer, or null for the caller to malloc.
    bool obtain(size_t size, uint8_t *&buffer);
    // Mallocs `size` bytes already charged by obtain(); gives the charge back if malloc fails.
    uint8_t *malloc_charged(size_t size);
    // Index of the free list for buffers of `size`, or -1 when that size is not pooled.
    int size_class(size_t size) const;
    // A pooled buffer of `size` if one is kept; null otherwise.
    uint8_t *take_pooled(size_t size);
    // Copies the gauges for lock-free readers; call with the mutex held after a change.
    void publish_gauges();

    static constexpr int kMaxSizeClasses = 16;
    const size_t total_memory_;
    const size_t pooled_size_;
    const size_t buffer_overhead_;
    int size_classes_ = 0;  // free lists in use: class i holds pooled_size_ >> i

    mutable std::mutex mutex_;  // guards the following
    std::vector<uint8_t *> free_[kMaxSizeClasses];
    size_t free_bytes_ = 0;  // bytes held by the free lists
    size_t unallocated_;     // budget not held by any buffer, pooled or not
    std::deque<Waiter *> waiters_;
    bool closed_ = false;
    MetricWindow wait_time_ns_;  // recorded by waiters, holding the mutex
    MetricWindow exhausted_;     // likewise

    // Written with the mutex held, read by anyone.
    std::atomic<size_t> available_bytes_;
    std::atomic<size_t> waiting_threads_{0};
};

}  // namespace kprod::client
