// Tests for base/brief_lock: mutual exclusion under heavy contention (four
// threads, a plain counter), a waiter that outlasts the spinning sleeps and is
// woken by the unlock, and many sleepers all woken in turn.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "base/brief_lock.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own; it also defines
// fail() and skip() as macros, so it comes after every other header.
extern "C" {
#include <cmocka.h>
}

namespace {

using kprod::client::BriefLock;
using namespace std::chrono_literals;

void test_excludes_under_contention(void **) {
    BriefLock lock;
    uint64_t counter = 0;  // deliberately not atomic: the lock alone guards it
    constexpr int kThreads = 4;
    constexpr int kIncrements = 200'000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < kIncrements; ++i) {
                std::lock_guard guard(lock);
                ++counter;
            }
        });
    for (std::thread &t : threads) t.join();
    assert_int_equal(counter, uint64_t{kThreads} * kIncrements);
}

// The holder keeps the lock for 50 ms, far past the spinning: the waiter
// sleeps, and the unlock wakes it.
void test_long_hold_puts_the_waiter_to_sleep_until_unlock(void **) {
    BriefLock lock;
    lock.lock();
    std::atomic<bool> got_it{false};
    std::thread waiter([&] {
        std::lock_guard guard(lock);
        got_it = true;
    });
    std::this_thread::sleep_for(50ms);
    assert_false(got_it.load());
    const auto unlocked_at = std::chrono::steady_clock::now();
    lock.unlock();
    waiter.join();
    assert_true(got_it.load());
    assert_true(lock.sleeps() >= 1);
    assert_true(std::chrono::steady_clock::now() - unlocked_at < 5s);
}

// Eight sleepers: each unlock wakes one, and every one gets the lock.
void test_every_sleeper_gets_the_lock(void **) {
    BriefLock lock;
    lock.lock();
    std::atomic<int> done{0};
    std::vector<std::thread> sleepers;
    for (int t = 0; t < 8; ++t)
        sleepers.emplace_back([&] {
            std::lock_guard guard(lock);
            std::this_thread::sleep_for(1ms);  // hold it past the others' spinning
            ++done;
        });
    std::this_thread::sleep_for(50ms);
    assert_int_equal(done.load(), 0);
    lock.unlock();
    for (std::thread &t : sleepers) t.join();
    assert_int_equal(done.load(), 8);
    // The lock is free again: taking it does not block.
    lock.lock();
    lock.unlock();
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_excludes_under_contention),
        cmocka_unit_test(test_long_hold_puts_the_waiter_to_sleep_until_unlock),
        cmocka_unit_test(test_every_sleeper_gets_the_lock),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
