#include "accumulator/buffer_pool.h"

#include <algorithm>
#include <cstdlib>

namespace kprod::client {

BufferPool::BufferPool(size_t total_memory, size_t pooled_size, MetricWindowSettings metrics)
    : total_memory_(total_memory),
      pooled_size_(pooled_size),
      unallocated_(total_memory),
      wait_time_ns_(metrics),
      exhausted_(metrics),
      available_bytes_(total_memory) {}

BufferPool::~BufferPool() {
    for (uint8_t *buffer : free_) std::free(buffer);
}

BufferPool::Result BufferPool::allocate(size_t size, Clock::time_point deadline, uint8_t *&buffer) {
    buffer = nullptr;
    if (size > total_memory_) return Result::kTooLarge;
    std::unique_lock lock(mutex_);
    if (closed_) return Result::kClosed;
    if (size == pooled_size_ && !free_.empty() && waiters_.empty()) {
        buffer = free_.back();
        free_.pop_back();
        publish_gauges();
        return Result::kOk;
    }
    if (!waiters_.empty() || unallocated_ + free_.size() * pooled_size_ < size) {
        Result waited = wait_in_line(lock, size, deadline, buffer);
        if (waited != Result::kOk || buffer) return waited;  // failed, or got a pooled buffer
    } else {
        take_from_budget(size);
    }
    lock.unlock();
    buffer = static_cast<uint8_t *>(std::malloc(size > 0 ? size : 1));
    if (!buffer) {
        std::lock_guard relock(mutex_);
        unallocated_ += size;
        publish_gauges();
        return Result::kNoMemory;
    }
    return Result::kOk;
}

// Waits, first come first served, until `size` bytes can be had. On kOk either
// `buffer` is a pooled buffer, or the budget was taken and the caller mallocs.
BufferPool::Result BufferPool::wait_in_line(std::unique_lock<std::mutex> &lock, size_t size,
                                            Clock::time_point deadline, uint8_t *&buffer) {
    const auto started = Clock::now();
    Waiter me;
    waiters_.push_back(&me);
    publish_gauges();
    Result result = Result::kOk;
    while (true) {
        if (closed_) {
            result = Result::kClosed;
            break;
        }
        const bool is_front = waiters_.front() == &me;
        if (is_front && size == pooled_size_ && !free_.empty()) {
            buffer = free_.back();
            free_.pop_back();
            break;
        }
        if (is_front && unallocated_ + free_.size() * pooled_size_ >= size) {
            take_from_budget(size);
            break;
        }
        // Memory that arrives with the deadline is still taken (looked at above).
        if (Clock::now() >= deadline) {
            result = Result::kTimedOut;
            break;
        }
        me.ready.wait_until(lock, deadline);
    }
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &me));
    publish_gauges();
    const auto now = Clock::now();
    wait_time_ns_.record(
        static_cast<double>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - started).count()),
        metric_time_ms(now));
    if (result == Result::kTimedOut) exhausted_.record(1, metric_time_ms(now));
    // The next in line may be satisfiable with what is left.
    if (!waiters_.empty()) waiters_.front()->ready.notify_one();
    return result;
}

void BufferPool::take_from_budget(size_t size) {
    while (unallocated_ < size) {
        std::free(free_.back());
        free_.pop_back();
        unallocated_ += pooled_size_;
    }
    unallocated_ -= size;
    publish_gauges();
}

void BufferPool::publish_gauges() {
    available_bytes_.store(unallocated_ + free_.size() * pooled_size_, std::memory_order_relaxed);
    waiting_threads_.store(waiters_.size(), std::memory_order_relaxed);
}

void BufferPool::deallocate(uint8_t *buffer, size_t size) {
    std::lock_guard lock(mutex_);
    if (size == pooled_size_ && size > 0) {
        free_.push_back(buffer);
    } else {
        std::free(buffer);
        unallocated_ += size;
    }
    publish_gauges();
    if (!waiters_.empty()) waiters_.front()->ready.notify_one();
}

void BufferPool::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (Waiter *waiter : waiters_) waiter->ready.notify_one();
}

bool BufferPool::has_waiters() const {
    std::lock_guard lock(mutex_);
    return !waiters_.empty();
}

size_t BufferPool::available_memory() const {
    std::lock_guard lock(mutex_);
    return unallocated_ + free_.size() * pooled_size_;
}

size_t BufferPool::free_list_size() const {
    std::lock_guard lock(mutex_);
    return free_.size();
}

BufferPool::Statistics BufferPool::statistics(int64_t now_ms) const {
    return {total_memory_, available_bytes_.load(std::memory_order_relaxed),
            waiting_threads_.load(std::memory_order_relaxed), wait_time_ns_.read(now_ms),
            exhausted_.read(now_ms)};
}

}  // namespace kprod::client
