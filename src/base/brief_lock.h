// BriefLock: a mutex for critical sections of a few hundred nanoseconds, the
// partition queues' (kprod_send appends a record under it; the Sender checks
// and takes batches). Uncontended, lock and unlock are one atomic instruction
// each, inline, where std::mutex calls pthread_mutex_lock and _unlock out of
// line on every record. Contended, it spins a little, since the holder is
// about to leave, then sleeps on a futex.
// The states and their transitions are those of the third mutex in Ulrich
// Drepper's "Futexes Are Tricky". Usable with std::lock_guard.
#pragma once

#include <atomic>
#include <cstdint>

namespace kprod::client {

class BriefLock {
public:
    BriefLock() = default;
    BriefLock(const BriefLock &) = delete;
    BriefLock &operator=(const BriefLock &) = delete;

    void lock() {
        uint32_t expected = kUnlocked;
        if (state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                           std::memory_order_relaxed)) [[likely]]
            return;
        lock_contended();
    }

    void unlock() {
        if (state_.fetch_sub(1, std::memory_order_release) != kLocked) [[unlikely]]
            wake_one();
    }

    // How many times a lock() slept (for tests).
    uint64_t sleeps() const { return sleeps_.load(std::memory_order_relaxed); }

private:
    static constexpr uint32_t kUnlocked = 0;
    static constexpr uint32_t kLocked = 1;
    static constexpr uint32_t kLockedWithSleepers = 2;

    void lock_contended();
    void wake_one();

    std::atomic<uint32_t> state_{kUnlocked};
    std::atomic<uint64_t> sleeps_{0};
};

}  // namespace kprod::client
