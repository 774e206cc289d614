// BufferPool: the producer's memory budget (buffer.memory). Buffers of the
// pooled size (batch.size) are kept on a free list and reused, so the steady
// state allocates nothing; other sizes come from malloc and are counted
// against the same budget. A thread that finds the budget spent waits, first
// come first served, up to its deadline (max.block.ms).
// Touched by: application threads (allocate), the Sender (deallocate), any
// thread reading its statistics (lock-free: gauges the mutex holders publish).
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

    BufferPool(size_t total_memory, size_t pooled_size, MetricWindowSettings metrics = {});
    ~BufferPool();
    BufferPool(const BufferPool &) = delete;
    BufferPool &operator=(const BufferPool &) = delete;

    // Gets `size` bytes, waiting until `deadline` if the budget is spent.
    // kTooLarge at once when size exceeds the whole budget.
    Result allocate(size_t size, Clock::time_point deadline, uint8_t *&buffer);

    // Returns a buffer obtained from allocate with the same size.
    void deallocate(uint8_t *buffer, size_t size);

    // Wakes every waiter with kClosed and refuses later waits.
    void close();

    // True while some thread waits for memory: batches should go out now.
    bool has_waiters() const;
    size_t available_memory() const;  // free list plus unallocated budget
    size_t pooled_size() const { return pooled_size_; }
    size_t total_memory() const { return total_memory_; }
    size_t free_list_size() const;

    // What the producer's buffer metrics show (Java's buffer-*, waiting-threads,
    // bufferpool-wait-*). Any thread; takes no lock.
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
    // Takes from the unallocated budget, shrinking the free list if it must.
    void take_from_budget(size_t size);
    // Copies the gauges for lock-free readers; call with the mutex held after a change.
    void publish_gauges();

    const size_t total_memory_;
    const size_t pooled_size_;

    mutable std::mutex mutex_;  // guards the following
    std::vector<uint8_t *> free_;
    size_t unallocated_;  // budget not held by any buffer, pooled or not
    std::deque<Waiter *> waiters_;
    bool closed_ = false;
    MetricWindow wait_time_ns_;  // recorded by waiters, holding the mutex
    MetricWindow exhausted_;     // likewise

    // Written with the mutex held, read by anyone.
    std::atomic<size_t> available_bytes_;
    std::atomic<size_t> waiting_threads_{0};
};

}  // namespace kprod::client
