#include "accumulator/buffer_pool.h"

#include <algorithm>
#include <cstdlib>

namespace kprod::client {

BufferPool::BufferPool(size_t total_memory, size_t pooled_size, MetricWindowSettings metrics,
                       size_t buffer_overhead)
    : total_memory_(total_memory),
      pooled_size_(pooled_size),
      buffer_overhead_(buffer_overhead),
      unallocated_(total_memory),
      wait_time_ns_(metrics),
      exhausted_(metrics),
      available_bytes_(total_memory) {
    if (pooled_size_ == 0) return;
    size_classes_ = 1;
    while (size_classes_ < kMaxSizeClasses &&
           (pooled_size_ >> size_classes_) << size_classes_ == pooled_size_ &&
           (pooled_size_ >> size_classes_) >= kSmallestPooledSize)
        ++size_classes_;
}

BufferPool::~BufferPool() {
    for (auto &list : free_)
        for (uint8_t *buffer : list) std::free(buffer);
}

int BufferPool::size_class(size_t size) const {
    for (int i = 0; i < size_classes_; ++i) {
        const size_t class_size = pooled_size_ >> i;
        if (size == class_size) return i;
        if (size > class_size) return -1;
    }
    return -1;
}

size_t BufferPool::pooled_size_for(size_t needed) const {
    if (size_classes_ == 0 || needed > pooled_size_) return needed;
    size_t size = pooled_size_;
    for (int i = 1; i < size_classes_ && (pooled_size_ >> i) >= needed; ++i)
        size = pooled_size_ >> i;
    return size;
}

uint8_t *BufferPool::take_pooled(size_t size) {
    const int index = size_class(size);
    if (index < 0 || free_[index].empty()) return nullptr;
    uint8_t *buffer = free_[index].back();
    free_[index].pop_back();
    free_bytes_ -= size;
    return buffer;
}

bool BufferPool::obtain(size_t size, uint8_t *&buffer) {
    if (unallocated_ + free_bytes_ < size + buffer_overhead_) return false;
    buffer = take_pooled(size);
    take_from_budget(buffer ? buffer_overhead_ : size + buffer_overhead_);
    return true;
}

BufferPool::Result BufferPool::allocate(size_t size, Clock::time_point deadline, uint8_t *&buffer) {
    buffer = nullptr;
    if (size + buffer_overhead_ > total_memory_) return Result::kTooLarge;
    std::unique_lock lock(mutex_);
    if (closed_) return Result::kClosed;
    if (!waiters_.empty() || !obtain(size, buffer)) {
        Result waited = wait_in_line(lock, size, deadline, buffer);
        if (waited != Result::kOk) return waited;
    }
    if (buffer) return Result::kOk;  // a pooled one
    lock.unlock();
    buffer = malloc_charged(size);
    return buffer ? Result::kOk : Result::kNoMemory;
}

uint8_t *BufferPool::malloc_charged(size_t size) {
    auto *buffer = static_cast<uint8_t *>(std::malloc(size > 0 ? size : 1));
    if (buffer) return buffer;
    std::lock_guard lock(mutex_);
    unallocated_ += size + buffer_overhead_;
    publish_gauges();
    return nullptr;
}

bool BufferPool::try_allocate(size_t size, uint8_t *&buffer, bool ahead_of_waiters) {
    buffer = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (closed_ || (!ahead_of_waiters && !waiters_.empty()) || !obtain(size, buffer))
            return false;
        if (buffer) return true;
    }
    buffer = malloc_charged(size);
    return buffer != nullptr;
}

// Waits, first come first served, until `size` bytes can be had. On kOk either
// `buffer` is a pooled buffer, or the budget was charged and the caller mallocs.
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
        if (waiters_.front() == &me && obtain(size, buffer)) break;
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

// Frees idle pooled buffers, smallest first (the largest are the likeliest to
// be asked for again), until the budget holds `size`.
void BufferPool::take_from_budget(size_t size) {
    for (int index = size_classes_ - 1; unallocated_ < size && index >= 0;) {
        if (free_[index].empty()) {
            --index;
            continue;
        }
        std::free(free_[index].back());
        free_[index].pop_back();
        unallocated_ += pooled_size_ >> index;
        free_bytes_ -= pooled_size_ >> index;
    }
    unallocated_ -= size;
    publish_gauges();
}

void BufferPool::publish_gauges() {
    available_bytes_.store(unallocated_ + free_bytes_, std::memory_order_relaxed);
    waiting_threads_.store(waiters_.size(), std::memory_order_relaxed);
}

void BufferPool::deallocate(uint8_t *buffer, size_t size) {
    std::lock_guard lock(mutex_);
    unallocated_ += buffer_overhead_;
    const int index = size > 0 ? size_class(size) : -1;
    if (index >= 0) {
        free_[index].push_back(buffer);
        free_bytes_ += size;
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
    return unallocated_ + free_bytes_;
}

size_t BufferPool::free_list_size() const {
    std::lock_guard lock(mutex_);
    size_t count = 0;
    for (int i = 0; i < size_classes_; ++i) count += free_[i].size();
    return count;
}

BufferPool::Statistics BufferPool::statistics(int64_t now_ms) const {
    return {total_memory_, available_bytes_.load(std::memory_order_relaxed),
            waiting_threads_.load(std::memory_order_relaxed), wait_time_ns_.read(now_ms),
            exhausted_.read(now_ms)};
}

}  // namespace kprod::client
