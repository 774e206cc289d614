#include "base/brief_lock.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace kprod::client {

namespace {
// A short spin of pause instructions, longer than a partition queue's
// critical section, so a waiter mostly gets the lock without sleeping (a
// sleep and a wakeup cost far more, in a VM most of all).
constexpr int kSpins = 100;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

long futex(std::atomic<uint32_t> &word, int op, uint32_t value) {
    return syscall(SYS_futex, reinterpret_cast<uint32_t *>(&word), op, value, nullptr, nullptr, 0);
}
}  // namespace

void BriefLock::lock_contended() {
    for (int i = 0; i < kSpins; ++i) {
        cpu_relax();
        uint32_t expected = kUnlocked;
        if (state_.load(std::memory_order_relaxed) == kUnlocked &&
            state_.compare_exchange_weak(expected, kLocked, std::memory_order_acquire,
                                         std::memory_order_relaxed))
            return;
    }
    // Mark the lock as having sleepers, so that its unlock wakes one; taking
    // it this way (from unlocked) leaves that mark, at the cost of one
    // needless wakeup at most.
    uint32_t previous = state_.exchange(kLockedWithSleepers, std::memory_order_acquire);
    while (previous != kUnlocked) {
        sleeps_.fetch_add(1, std::memory_order_relaxed);
        futex(state_, FUTEX_WAIT_PRIVATE, kLockedWithSleepers);  // returns at once if no longer 2
        previous = state_.exchange(kLockedWithSleepers, std::memory_order_acquire);
    }
}

void BriefLock::wake_one() {
    state_.store(kUnlocked, std::memory_order_release);
    futex(state_, FUTEX_WAKE_PRIVATE, 1);
}

}  // namespace kprod::client
