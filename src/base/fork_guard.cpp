#include "base/fork_guard.h"

#include <pthread.h>

#include <mutex>

namespace kprod::client {

std::atomic<uint64_t> &ForkGuard::forks() {
    static std::atomic<uint64_t> count{0};
    return count;
}

ForkGuard::ForkGuard() {
    static std::once_flag installed;
    std::call_once(installed, [] {
        pthread_atfork(nullptr, nullptr, [] { forks().fetch_add(1, std::memory_order_relaxed); });
    });
    created_at_ = forks().load(std::memory_order_relaxed);
}

}  // namespace kprod::client
