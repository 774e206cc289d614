// wall_clock_ms: always the system clock's millisecond at some instant of
// the call, and (with a usable TSC) reading the system clock about once a
// millisecond rather than on every call.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

extern "C" {
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
}

#include "base/wall_clock.h"

namespace {

using kprod::client::wall_clock_ms;
using kprod::client::wall_clock_reads_on_this_thread;

int64_t system_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct Calls {
    uint64_t calls = 0;
    uint64_t reads = 0;
};

// Calls wall_clock_ms for `duration`, each call between two readings of the
// system clock, and checks that its answer lies between them.
Calls check_between_system_readings(std::chrono::milliseconds duration) {
    const uint64_t reads_before = wall_clock_reads_on_this_thread();
    const auto end = std::chrono::steady_clock::now() + duration;
    Calls calls;
    while (std::chrono::steady_clock::now() < end) {
        for (int i = 0; i < 64; ++i) {
            const int64_t before = system_ms();
            const int64_t ms = wall_clock_ms();
            const int64_t after = system_ms();
            if (ms < before || ms > after) {
                std::printf("wall_clock_ms %lld outside [%lld, %lld]\n", static_cast<long long>(ms),
                            static_cast<long long>(before), static_cast<long long>(after));
                fail();
            }
            ++calls.calls;
        }
    }
    calls.reads = wall_clock_reads_on_this_thread() - reads_before;
    return calls;
}

void test_answers_lie_between_system_clock_readings(void **) {
    // Long enough to pass the 100 ms the TSC's rate is measured over, and then
    // to answer from the TSC for a while.
    check_between_system_readings(std::chrono::milliseconds(150));
    const Calls calls = check_between_system_readings(std::chrono::milliseconds(300));
    std::printf("# TSC usable: %s; %llu calls, %llu system clock reads\n",
                kprod::client::wall_clock_uses_tsc() ? "yes" : "no",
                static_cast<unsigned long long>(calls.calls),
                static_cast<unsigned long long>(calls.reads));
    assert_true(calls.calls > 1000);
    if (kprod::client::wall_clock_uses_tsc()) {
        // A few reads a millisecond: one, then a few in the last 1% of it,
        // which the rate taken 1% low leaves to the system clock.
        assert_true(calls.reads < calls.calls / 10);
        assert_true(calls.reads <= 5 * 300 + 50);
    } else {
        assert_int_equal(calls.reads, calls.calls);
    }
}

// Threads keep their own remembered millisecond: each one's answers are right.
void test_threads_answer_independently(void **) {
    std::vector<uint64_t> calls(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < calls.size(); ++t) {
        threads.emplace_back([&calls, t] {
            calls[t] = check_between_system_readings(std::chrono::milliseconds(120)).calls;
        });
    }
    for (std::thread &thread : threads) thread.join();
    for (uint64_t n : calls) assert_true(n > 100);
}

// Sleeping past many milliseconds, and past a second, gives the new time.
void test_answer_follows_sleeps(void **) {
    for (int sleep_ms : {0, 1, 3, 20, 1100}) {
        const int64_t before = system_ms();
        std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
        const int64_t ms = wall_clock_ms();
        const int64_t after = system_ms();
        assert_true(ms >= before + sleep_ms);
        assert_true(ms <= after);
    }
}

// monotonic_us keeps CLOCK_MONOTONIC's pace before and after the TSC's rate
// is measured (its first 20 ms), and never goes back.
void test_monotonic_us_keeps_the_monotonic_clocks_pace(void **) {
    using kprod::client::monotonic_us;
    const auto monotonic_now_us = [] {
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    };
    int64_t last = monotonic_us();
    for (int sleep_ms : {0, 1, 20, 150, 30, 400}) {
        const int64_t steady_before = monotonic_now_us();
        const int64_t start = monotonic_us();
        std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
        const int64_t end = monotonic_us();
        const int64_t steady_elapsed = monotonic_now_us() - steady_before;
        assert_true(start >= last);
        assert_true(end >= start);
        // Within 1% and 200 us (the readings are not taken at the same instants).
        assert_true(end - start >= sleep_ms * 1000 - sleep_ms * 10 - 200);
        assert_true(end - start <= steady_elapsed + steady_elapsed / 100 + 200);
        last = end;
    }
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_lie_between_system_clock_readings),
        cmocka_unit_test(test_threads_answer_independently),
        cmocka_unit_test(test_answer_follows_sleeps),
        cmocka_unit_test(test_monotonic_us_keeps_the_monotonic_clocks_pace),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
