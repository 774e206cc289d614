// Tests for accumulator/buffer_pool: reuse of pooled buffers, the buffer.memory
// accounting, and the waiters: deadline, wake-up from another thread, first
// come first served, close(); the statistics behind the buffer metrics.
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "accumulator/buffer_pool.h"

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

using kprod::client::BufferPool;
using Clock = BufferPool::Clock;
using Result = BufferPool::Result;
using namespace std::chrono_literals;

constexpr size_t kPooled = 1024;

// Far enough that a test only reaches it when the pool is broken.
Clock::time_point far_deadline() {
    return Clock::now() + 30s;
}

// Polls until `condition` holds; false if it still does not after 10 s.
template <typename Condition>
bool eventually(Condition condition) {
    const auto give_up = Clock::now() + 10s;
    while (!condition()) {
        if (Clock::now() > give_up) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

uint8_t *allocate_now(BufferPool &pool, size_t size) {
    uint8_t *buffer = nullptr;
    assert_int_equal(pool.allocate(size, Clock::now(), buffer), Result::kOk);
    assert_non_null(buffer);
    std::memset(buffer, 0x5A, size);  // the whole size is usable (ASan checks)
    return buffer;
}

// One thread blocked in allocate(), started so that its place in line is known.
struct Waiter {
    explicit Waiter(BufferPool &pool, size_t size_) : size(size_) {
        thread = std::thread([this, &pool] {
            calling.store(true);
            result = pool.allocate(size, far_deadline(), buffer);
            done.store(true);
        });
        // There is no waiter count to observe, so give the thread a moment past
        // the call to join the line before anyone queues behind it.
        while (!calling.load()) std::this_thread::yield();
        std::this_thread::sleep_for(50ms);
    }
    ~Waiter() {
        if (thread.joinable()) thread.join();
    }
    size_t size;
    std::thread thread;
    std::atomic<bool> calling{false};
    std::atomic<bool> done{false};
    Result result = Result::kTooLarge;
    uint8_t *buffer = nullptr;
};

void test_pooled_buffer_is_reused(void **) {
    BufferPool pool(4 * kPooled, kPooled);
    uint8_t *first = allocate_now(pool, kPooled);
    pool.deallocate(first, kPooled);
    assert_int_equal(pool.free_list_size(), 1);
    uint8_t *second = allocate_now(pool, kPooled);
    assert_ptr_equal(second, first);
    assert_int_equal(pool.free_list_size(), 0);
    pool.deallocate(second, kPooled);
}

// Batches grow through batch.size halved down to kSmallestPooledSize: those
// sizes are pooled too, each on its own list.
void test_halves_of_the_pooled_size_are_pooled_too(void **) {
    constexpr size_t kLarge = 4 * BufferPool::kSmallestPooledSize;
    BufferPool pool(8 * kLarge, kLarge);
    assert_int_equal(pool.pooled_size_for(1), BufferPool::kSmallestPooledSize);
    assert_int_equal(pool.pooled_size_for(BufferPool::kSmallestPooledSize + 1), kLarge / 2);
    assert_int_equal(pool.pooled_size_for(kLarge), kLarge);
    assert_int_equal(pool.pooled_size_for(kLarge + 1), kLarge + 1);  // not pooled
    uint8_t *half = allocate_now(pool, kLarge / 2);
    uint8_t *smallest = allocate_now(pool, BufferPool::kSmallestPooledSize);
    pool.deallocate(half, kLarge / 2);
    pool.deallocate(smallest, BufferPool::kSmallestPooledSize);
    assert_int_equal(pool.free_list_size(), 2);
    assert_int_equal(pool.available_memory(), 8 * kLarge);
    assert_ptr_equal(allocate_now(pool, BufferPool::kSmallestPooledSize), smallest);
    assert_ptr_equal(allocate_now(pool, kLarge / 2), half);
    assert_int_equal(pool.free_list_size(), 0);
    pool.deallocate(half, kLarge / 2);
    pool.deallocate(smallest, BufferPool::kSmallestPooledSize);
    // A size that is no power-of-two fraction of batch.size is not pooled.
    uint8_t *odd = allocate_now(pool, 3 * BufferPool::kSmallestPooledSize);
    pool.deallocate(odd, 3 * BufferPool::kSmallestPooledSize);
    assert_int_equal(pool.free_list_size(), 2);
}

// try_allocate never waits: it fails while the budget is short or others wait.
void test_try_allocate_fails_instead_of_waiting(void **) {
    BufferPool pool(2 * kPooled, kPooled);
    uint8_t *a = nullptr;
    uint8_t *b = nullptr;
    assert_true(pool.try_allocate(kPooled, a));
    assert_true(pool.try_allocate(kPooled, b));
    uint8_t *c = nullptr;
    assert_false(pool.try_allocate(kPooled / 2, c));
    assert_null(c);
    assert_int_equal(pool.available_memory(), 0);
    pool.deallocate(a, kPooled);
    assert_true(pool.try_allocate(kPooled / 2, c));  // frees the idle pooled buffer for it
    assert_int_equal(pool.available_memory(), kPooled / 2);
    pool.deallocate(b, kPooled);
    pool.deallocate(c, kPooled / 2);
    assert_int_equal(pool.available_memory(), 2 * kPooled);
}

void test_other_sizes_are_counted_and_given_back(void **) {
    BufferPool pool(4 * kPooled, kPooled);
    uint8_t *small = allocate_now(pool, 300);
    uint8_t *large = allocate_now(pool, 2 * kPooled + 1);
    assert_int_equal(pool.available_memory(), 4 * kPooled - 300 - (2 * kPooled + 1));
    pool.deallocate(small, 300);
    pool.deallocate(large, 2 * kPooled + 1);
    assert_int_equal(pool.available_memory(), 4 * kPooled);
    assert_int_equal(pool.free_list_size(), 0);  // not pooled: freed, not kept
}

void test_available_memory_counts_free_list_and_budget(void **) {
    BufferPool pool(4 * kPooled, kPooled);
    assert_int_equal(pool.available_memory(), 4 * kPooled);
    uint8_t *a = allocate_now(pool, kPooled);
    uint8_t *b = allocate_now(pool, kPooled);
    assert_int_equal(pool.available_memory(), 2 * kPooled);
    pool.deallocate(a, kPooled);
    assert_int_equal(pool.available_memory(), 3 * kPooled);
    assert_int_equal(pool.free_list_size(), 1);
    pool.deallocate(b, kPooled);
    assert_int_equal(pool.available_memory(), 4 * kPooled);
}

// When the unallocated budget is short, idle pooled buffers are freed to make room.
void test_other_size_shrinks_the_free_list_when_budget_is_short(void **) {
    BufferPool pool(4 * kPooled, kPooled);
    uint8_t *pooled[3];
    for (uint8_t *&buffer : pooled) buffer = allocate_now(pool, kPooled);
    for (uint8_t *buffer : pooled) pool.deallocate(buffer, kPooled);
    assert_int_equal(pool.free_list_size(), 3);
    const size_t size = 3 * kPooled + 100;
    uint8_t *large = allocate_now(pool, size);
    assert_int_equal(pool.available_memory(), 4 * kPooled - size);
    assert_int_equal(pool.free_list_size(), 0);
    pool.deallocate(large, size);
    assert_int_equal(pool.available_memory(), 4 * kPooled);
}

void test_request_larger_than_pool_fails_at_once(void **) {
    BufferPool pool(4 * kPooled, kPooled);
    uint8_t *buffer = reinterpret_cast<uint8_t *>(&pool);  // must be overwritten
    const auto start = Clock::now();
    assert_int_equal(pool.allocate(4 * kPooled + 1, far_deadline(), buffer), Result::kTooLarge);
    assert_true(Clock::now() - start < 5s);
    assert_null(buffer);
    assert_int_equal(pool.available_memory(), 4 * kPooled);
    assert_false(pool.has_waiters());
}

void test_waiting_past_the_deadline_times_out(void **) {
    BufferPool pool(kPooled, kPooled);
    uint8_t *held = allocate_now(pool, kPooled);
    uint8_t *buffer = nullptr;
    const auto start = Clock::now();
    assert_int_equal(pool.allocate(kPooled, start + 100ms, buffer), Result::kTimedOut);
    const auto waited = Clock::now() - start;
    assert_true(waited >= 100ms);
    assert_true(waited < 10s);  // generous: only "not forever"
    assert_null(buffer);
    assert_false(pool.has_waiters());
    pool.deallocate(held, kPooled);
    assert_int_equal(pool.available_memory(), kPooled);  // nothing lost to the timeout
}

void test_waiter_is_woken_by_memory_freed_on_another_thread(void **) {
    BufferPool pool(kPooled, kPooled);
    uint8_t *held = allocate_now(pool, kPooled);
    std::thread freer([&] {
        if (eventually([&] { return pool.has_waiters(); })) pool.deallocate(held, kPooled);
    });
    uint8_t *buffer = nullptr;
    const auto start = Clock::now();
    const Result result = pool.allocate(kPooled, far_deadline(), buffer);
    freer.join();
    assert_int_equal(result, Result::kOk);
    assert_ptr_equal(buffer, held);  // the freed pooled buffer itself
    assert_true(Clock::now() - start < 10s);
    pool.deallocate(buffer, kPooled);
}

void test_has_waiters_while_a_thread_waits(void **) {
    BufferPool pool(kPooled, kPooled);
    assert_false(pool.has_waiters());
    uint8_t *held = allocate_now(pool, kPooled);
    assert_false(pool.has_waiters());  // spent, but nobody asked
    Waiter waiter(pool, kPooled);
    assert_true(pool.has_waiters());
    pool.deallocate(held, kPooled);
    assert_true(eventually([&] { return waiter.done.load(); }));
    assert_false(pool.has_waiters());
    waiter.thread.join();
    pool.deallocate(waiter.buffer, kPooled);
}

void test_waiters_are_served_first_come_first_served(void **) {
    BufferPool pool(3 * kPooled, kPooled);
    uint8_t *held[3];
    for (uint8_t *&buffer : held) buffer = allocate_now(pool, kPooled);

    std::mutex order_mutex;
    std::vector<int> order;
    uint8_t *got[3] = {};
    std::vector<std::thread> threads;
    std::atomic<int> calling{0};
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back([&, i] {
            calling.fetch_add(1);
            if (pool.allocate(kPooled, far_deadline(), got[i]) != Result::kOk) return;
            std::lock_guard lock(order_mutex);
            order.push_back(i);
        });
        // No waiter count to observe: a moment past the call puts it in line.
        while (calling.load() != i + 1) std::this_thread::yield();
        std::this_thread::sleep_for(50ms);
    }
    for (size_t freed = 0; freed < 3; ++freed) {
        pool.deallocate(held[freed], kPooled);
        assert_true(eventually([&] {
            std::lock_guard lock(order_mutex);
            return order.size() == freed + 1;
        }));
    }
    for (std::thread &thread : threads) thread.join();
    assert_int_equal(order.size(), 3);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1);
    assert_int_equal(order[2], 2);
    for (uint8_t *buffer : got) pool.deallocate(buffer, kPooled);
    assert_int_equal(pool.available_memory(), 3 * kPooled);
}

// A small request behind a large one waits its turn even when it would fit
// (the front of the line is not starved by later, smaller requests).
void test_small_request_does_not_overtake_a_large_one(void **) {
    BufferPool pool(2 * kPooled, kPooled);
    uint8_t *first = allocate_now(pool, kPooled);
    uint8_t *second = allocate_now(pool, kPooled);
    Waiter large(pool, 2 * kPooled);
    Waiter small(pool, kPooled);

    pool.deallocate(first, kPooled);
    std::this_thread::sleep_for(100ms);
    assert_false(small.done.load());  // a buffer is free, but it is not small's turn
    assert_false(large.done.load());

    pool.deallocate(second, kPooled);
    assert_true(eventually([&] { return large.done.load(); }));
    assert_int_equal(large.result, Result::kOk);
    assert_false(small.done.load());

    pool.deallocate(large.buffer, 2 * kPooled);
    assert_true(eventually([&] { return small.done.load(); }));
    assert_int_equal(small.result, Result::kOk);
    small.thread.join();
    pool.deallocate(small.buffer, kPooled);
}

void test_close_wakes_waiters_with_closed(void **) {
    BufferPool pool(kPooled, kPooled);
    uint8_t *held = allocate_now(pool, kPooled);
    Waiter first(pool, kPooled);
    Waiter second(pool, kPooled);
    const auto start = Clock::now();
    pool.close();
    first.thread.join();
    second.thread.join();
    assert_true(Clock::now() - start < 10s);  // woken, not timed out
    assert_int_equal(first.result, Result::kClosed);
    assert_int_equal(second.result, Result::kClosed);
    assert_null(first.buffer);
    assert_false(pool.has_waiters());

    // Later requests that would wait are refused at once.
    uint8_t *buffer = nullptr;
    assert_int_equal(pool.allocate(kPooled, far_deadline(), buffer), Result::kClosed);
    assert_true(Clock::now() - start < 10s);

    // Memory still comes back after close (the Sender finishes its batches).
    pool.deallocate(held, kPooled);
    assert_int_equal(pool.available_memory(), kPooled);
}

// A waiter whose deadline passes just as memory comes back and close() is
// called may answer kOk, kTimedOut or kClosed, but the memory must not vanish.
// The moment varies round by round so that some rounds hit the race.
void test_waiter_timing_out_as_the_pool_closes_loses_no_memory(void **) {
    int rounds_that_lost_memory = 0;
    for (int round = 0; round < 200; ++round) {
        BufferPool pool(kPooled, kPooled);
        uint8_t *held = allocate_now(pool, kPooled);
        const auto deadline = Clock::now() + 2ms;
        Result result = Result::kTooLarge;
        uint8_t *buffer = nullptr;
        std::thread waiter([&] { result = pool.allocate(kPooled, deadline, buffer); });
        std::this_thread::sleep_until(deadline - std::chrono::microseconds(5 * (round % 40)));
        pool.deallocate(held, kPooled);
        pool.close();
        waiter.join();
        if (result == Result::kOk) pool.deallocate(buffer, kPooled);
        if (pool.available_memory() != kPooled) ++rounds_that_lost_memory;
    }
    assert_int_equal(rounds_that_lost_memory, 0);
}

// statistics() mirrors what the mutex guards, and counts each wait and each timeout.
void test_statistics_follow_memory_waiters_and_timeouts(void **) {
    BufferPool pool(2 * kPooled, kPooled);
    const auto stats = [&] { return pool.statistics(kprod::client::metric_time_ms(Clock::now())); };
    assert_int_equal(stats().total_bytes, 2 * kPooled);
    assert_int_equal(stats().available_bytes, 2 * kPooled);
    uint8_t *a = allocate_now(pool, kPooled);
    uint8_t *b = allocate_now(pool, 300);
    assert_int_equal(stats().available_bytes, kPooled - 300);
    assert_int_equal(stats().waiting_threads, 0);
    assert_int_equal(stats().wait_time_ns.total_count, 0);

    Waiter waiter(pool, kPooled);
    assert_true(eventually([&] { return stats().waiting_threads == 1; }));
    pool.deallocate(a, kPooled);
    waiter.thread.join();
    assert_int_equal(waiter.result, Result::kOk);
    assert_int_equal(stats().waiting_threads, 0);
    assert_int_equal(stats().wait_time_ns.total_count, 1);
    assert_true(stats().wait_time_ns.total >= 40e6);  // Waiter lets 50 ms pass before anyone frees
    assert_true(stats().wait_time_ns.fraction_of_time() > 0);
    assert_int_equal(stats().exhausted.total_count, 0);

    uint8_t *never = nullptr;
    assert_int_equal(pool.allocate(kPooled, Clock::now() + 20ms, never), Result::kTimedOut);
    assert_int_equal(stats().exhausted.total_count, 1);
    assert_int_equal(stats().wait_time_ns.total_count, 2);
    pool.deallocate(waiter.buffer, kPooled);
    pool.deallocate(b, 300);
    assert_int_equal(stats().available_bytes, 2 * kPooled);
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pooled_buffer_is_reused),
        cmocka_unit_test(test_halves_of_the_pooled_size_are_pooled_too),
        cmocka_unit_test(test_try_allocate_fails_instead_of_waiting),
        cmocka_unit_test(test_other_sizes_are_counted_and_given_back),
        cmocka_unit_test(test_available_memory_counts_free_list_and_budget),
        cmocka_unit_test(test_other_size_shrinks_the_free_list_when_budget_is_short),
        cmocka_unit_test(test_request_larger_than_pool_fails_at_once),
        cmocka_unit_test(test_waiting_past_the_deadline_times_out),
        cmocka_unit_test(test_waiter_is_woken_by_memory_freed_on_another_thread),
        cmocka_unit_test(test_has_waiters_while_a_thread_waits),
        cmocka_unit_test(test_waiters_are_served_first_come_first_served),
        cmocka_unit_test(test_small_request_does_not_overtake_a_large_one),
        cmocka_unit_test(test_close_wakes_waiters_with_closed),
        cmocka_unit_test(test_waiter_timing_out_as_the_pool_closes_loses_no_memory),
        cmocka_unit_test(test_statistics_follow_memory_waiters_and_timeouts),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
