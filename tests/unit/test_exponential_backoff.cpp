// Tests for base/exponential_backoff: the first wait is the base, each attempt
// doubles it up to the maximum, and the jitter stays within 20 % either way.
#include <algorithm>
#include <cstdint>
#include <random>

#include "base/exponential_backoff.h"

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

using kprod::client::exponential_backoff;

// Over many draws, every wait lies in [0.8, 1.2] x the expected one, and both
// ends of that range are reached (it is jittered, not fixed).
void expect_around(int attempt, int64_t base, int64_t max, int64_t expected) {
    std::minstd_rand random(42);
    int64_t lowest = INT64_MAX;
    int64_t highest = 0;
    for (int i = 0; i < 2000; ++i) {
        const int64_t ms = exponential_backoff(attempt, base, max, random).count();
        lowest = std::min(lowest, ms);
        highest = std::max(highest, ms);
    }
    assert_true(lowest >= expected * 8 / 10);
    assert_true(highest <= expected * 12 / 10);
    assert_true(lowest < expected * 85 / 100);
    assert_true(highest > expected * 115 / 100);
}

void test_first_wait_is_the_base(void **) {
    expect_around(1, 100, 1000, 100);
}

void test_each_attempt_doubles(void **) {
    expect_around(2, 100, 1000, 200);
    expect_around(3, 100, 1000, 400);
    expect_around(4, 100, 1000, 800);
}

void test_capped_at_the_maximum(void **) {
    expect_around(5, 100, 1000, 1000);
    expect_around(64, 100, 1000, 1000);  // no overflow however many attempts
    expect_around(3, 1000, 1000, 1000);  // base equal to the maximum
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_wait_is_the_base),
        cmocka_unit_test(test_each_attempt_doubles),
        cmocka_unit_test(test_capped_at_the_maximum),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
