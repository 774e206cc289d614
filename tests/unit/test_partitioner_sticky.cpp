// Tests for StickyPartitioner (accumulator/partitioner): keyless records stick to
// one partition until batch.size bytes went there, then move to another one.
// The random choice is injected, so each test knows which partition comes next.
#include <atomic>
#include <cstdint>
#include <deque>
#include <set>
#include <thread>
#include <vector>

#include "accumulator/partitioner.h"

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

using kprod::client::StickyPartitioner;

constexpr int64_t kBatchSize = 1000;

// Answers random_below(n) from a script, and remembers each n it was asked for.
// Past the script it repeats its last answer: a compare-and-swap loop that
// retries may ask again, and must get the same answer.
struct ScriptedRandom {
    std::deque<uint32_t> answers;
    std::vector<uint32_t> asked;
    uint32_t last = 0;

    StickyPartitioner::RandomBelow function() {
        return [this](uint32_t n) {
            asked.push_back(n);
            assert_true(n > 0);
            if (!answers.empty()) {
                last = answers.front();
                answers.pop_front();
            }
            assert_true(last < n);
            return last;
        };
    }
};

void test_first_partition_comes_from_the_random_choice(void **) {
    ScriptedRandom random{{2}, {}};
    StickyPartitioner sticky(kBatchSize, random.function());
    assert_int_equal(sticky.partition(5), 2);
    assert_int_equal(random.asked.size(), 1);
    assert_int_equal(random.asked[0], 5);
    assert_int_equal(sticky.partition(5), 2);  // and it sticks
    assert_int_equal(random.asked.size(), 1);
}

void test_sticks_until_batch_size_bytes_then_moves(void **) {
    ScriptedRandom random{{1, 3}, {}};
    StickyPartitioner sticky(kBatchSize, random.function());
    assert_int_equal(sticky.partition(5), 1);
    sticky.record_appended(1, 400, 5);
    sticky.record_appended(1, 599, 5);
    assert_int_equal(sticky.partition(5), 1);  // 999 bytes: not yet
    sticky.record_appended(1, 1, 5);
    const int32_t next = sticky.partition(5);
    assert_int_not_equal(next, 1);
    assert_int_equal(next, 4);  // choice 3 among the 4 others {0, 2, 3, 4}

    // The count starts again for the new partition.
    sticky.record_appended(next, 999, 5);
    assert_int_equal(sticky.partition(5), next);
    assert_true(random.answers.empty());
}

void test_record_larger_than_batch_size_moves_at_once(void **) {
    ScriptedRandom random{{0, 0}, {}};
    StickyPartitioner sticky(kBatchSize, random.function());
    assert_int_equal(sticky.partition(3), 0);
    sticky.record_appended(0, 5 * kBatchSize, 3);
    assert_int_equal(sticky.partition(3), 1);
}

// Every random answer maps to a partition other than the current one, and
// together the answers reach each other partition once (a uniform choice).
void test_never_picks_the_current_partition(void **) {
    for (int32_t count : {2, 3, 7}) {
        for (int32_t current = 0; current < count; ++current) {
            std::set<int32_t> reached;
            for (uint32_t answer = 0; answer < static_cast<uint32_t>(count - 1); ++answer) {
                ScriptedRandom random{{static_cast<uint32_t>(current), answer}, {}};
                StickyPartitioner sticky(kBatchSize, random.function());
                assert_int_equal(sticky.partition(count), current);
                sticky.record_appended(current, kBatchSize, count);
                const int32_t next = sticky.partition(count);
                assert_int_not_equal(next, current);
                assert_in_range(next, 0, count - 1);
                reached.insert(next);
            }
            assert_int_equal(reached.size(), count - 1);
        }
    }
}

void test_one_partition_stays(void **) {
    ScriptedRandom random{{0}, {}};
    StickyPartitioner sticky(kBatchSize, random.function());
    assert_int_equal(sticky.partition(1), 0);
    for (int i = 0; i < 5; ++i) {
        sticky.record_appended(0, kBatchSize, 1);
        assert_int_equal(sticky.partition(1), 0);
    }
    assert_int_equal(random.asked.size(), 1);  // never asked to choose among none
}

void test_fewer_partitions_than_current_picks_again(void **) {
    ScriptedRandom random{{8, 3}, {}};
    StickyPartitioner sticky(kBatchSize, random.function());
    assert_int_equal(sticky.partition(10), 8);
    assert_int_equal(sticky.partition(4), 3);
    assert_int_equal(random.asked.back(), 4);
    assert_int_equal(sticky.partition(4), 3);
    assert_int_equal(random.asked.size(), 2);
}

// A thread that chose the old partition just before another thread switched
// reports its bytes late. They went to the old partition, so they must not
// count toward the new one (Java keeps the count per sticky choice,
// BuiltInPartitioner.StickyPartitionInfo), or the new partition is left early.
void test_late_appends_to_a_partition_already_left_do_not_count(void **) {
    int32_t before_late = -1;
    int32_t after_late = -1;
    {
        ScriptedRandom random{{0, 0}, {}};
        StickyPartitioner sticky(kBatchSize, random.function());
        sticky.partition(3);                       // 0
        sticky.record_appended(0, kBatchSize, 3);  // moves to 1
        before_late = sticky.partition(3);
        sticky.record_appended(0, kBatchSize, 3);  // late: chosen before the switch
        sticky.record_appended(1, 1, 3);           // the first byte the new partition got
        after_late = sticky.partition(3);
    }
    assert_int_equal(before_late, 1);
    assert_int_equal(after_late, 1);
}

// The built-in random choice (no injected function) also stays in range and moves.
void test_default_random_stays_in_range_and_moves(void **) {
    StickyPartitioner sticky(kBatchSize);
    std::set<int32_t> visited;
    int32_t previous = sticky.partition(6);
    for (int i = 0; i < 200; ++i) {
        sticky.record_appended(previous, kBatchSize, 6);
        const int32_t next = sticky.partition(6);
        assert_in_range(next, 0, 5);
        assert_int_not_equal(next, previous);
        visited.insert(next);
        previous = next;
    }
    assert_true(visited.size() > 1);
}

// Java's switching rule: past batch.size only when the batch is full, and
// always at twice batch.size.
void test_switches_at_a_full_batch_or_twice_batch_size(void **) {
    ScriptedRandom random{{0, 1}, {}};
    StickyPartitioner sticky(kBatchSize, random.function());
    assert_int_equal(sticky.partition(4), 0);
    sticky.record_appended(0, kBatchSize, 4, /*batch_full=*/false);
    assert_int_equal(sticky.partition(4), 0);  // the batch still lingers: stay
    sticky.record_appended(0, kBatchSize - 1, 4, false);
    assert_int_equal(sticky.partition(4), 0);
    sticky.record_appended(0, 1, 4, false);    // twice batch.size
    assert_int_equal(sticky.partition(4), 2);  // "1" among the others {1, 2, 3} minus 0
    sticky.record_appended(2, kBatchSize, 4, true);
    assert_int_equal(random.asked.size(), 3);
}

void test_load_stats_weigh_short_queues_more(void **) {
    using kprod::client::make_load_stats;
    // Queues of 0, 3 and 1 batches: weights 4, 1, 3 (longest + 1 - queue).
    auto stats = make_load_stats(3, {0, 1, 2}, {0, 3, 1});
    assert_non_null(stats.get());
    assert_int_equal(stats->cumulative_weights.size(), 3);
    assert_int_equal(stats->cumulative_weights[0], 4);
    assert_int_equal(stats->cumulative_weights[1], 5);
    assert_int_equal(stats->cumulative_weights[2], 8);
    for (uint64_t drawn : {0, 3, 8, 11}) assert_int_equal(stats->pick(drawn), 0);
    assert_int_equal(stats->pick(4), 1);
    for (uint64_t drawn : {5, 7, 13}) assert_int_equal(stats->pick(drawn), 2);
    // Equal queues on every partition: uniform, no stats.
    assert_null(make_load_stats(3, {0, 1, 2}, {2, 2, 2}).get());
    assert_null(make_load_stats(3, {}, {}).get());
    // A partition left out (its leader unavailable) is never picked, even when
    // the others' queues are equal.
    auto without_one = make_load_stats(3, {0, 2}, {1, 1});
    assert_non_null(without_one.get());
    for (uint64_t drawn = 0; drawn < 10; ++drawn) assert_int_not_equal(without_one->pick(drawn), 1);
}

// Once the Sender published stats, the next partition follows them.
void test_switch_follows_published_load_stats(void **) {
    ScriptedRandom random{{0, 4}, {}};
    StickyPartitioner sticky(kBatchSize, random.function());
    assert_int_equal(sticky.partition(3), 0);
    // Partition 1's queue is long: weights 4, 1, 4 -> running sums 4, 5, 9; draw 4 -> 1,
    // draw 5.. -> 2. The script draws 4.
    sticky.set_load_stats(kprod::client::make_load_stats(3, {0, 1, 2}, {0, 3, 0}));
    sticky.record_appended(0, kBatchSize, 3, true);
    assert_int_equal(sticky.partition(3), 1);
    // Stats made for another partition count are ignored (the topic grew).
    sticky.set_load_stats(kprod::client::make_load_stats(5, {0, 1}, {0, 9}));
    random.answers = {0};
    sticky.record_appended(1, kBatchSize, 3, true);
    assert_int_equal(sticky.partition(3), 0);  // uniform among the others: "0" -> 0
}

void test_concurrent_appends_switch_and_stay_in_range(void **) {
    constexpr int kThreads = 4;
    constexpr int kRecordsPerThread = 20000;
    constexpr int32_t kPartitions = 8;
    std::atomic<uint32_t> draws{0};
    std::atomic<int> bad_random_bound{0};
    StickyPartitioner sticky(kBatchSize, [&](uint32_t n) {
        if (n == 0 || n > kPartitions) bad_random_bound.fetch_add(1);
        return n == 0 ? 0 : (draws.fetch_add(1) * 2654435761u) % n;
    });
    std::atomic<int> out_of_range{0};
    std::atomic<int> moves_seen{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            int32_t previous = -1;
            for (int i = 0; i < kRecordsPerThread; ++i) {
                const int32_t partition = sticky.partition(kPartitions);
                if (partition < 0 || partition >= kPartitions) out_of_range.fetch_add(1);
                if (previous >= 0 && partition != previous) moves_seen.fetch_add(1);
                previous = partition;
                sticky.record_appended(partition, 100, kPartitions);
            }
        });
    }
    for (std::thread &thread : threads) thread.join();
    assert_int_equal(out_of_range.load(), 0);
    assert_int_equal(bad_random_bound.load(), 0);
    // 8 MB over 1000-byte stints: thousands of switches; ask for far fewer.
    assert_true(moves_seen.load() > 100);
    assert_true(draws.load() > 100);
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_partition_comes_from_the_random_choice),
        cmocka_unit_test(test_sticks_until_batch_size_bytes_then_moves),
        cmocka_unit_test(test_record_larger_than_batch_size_moves_at_once),
        cmocka_unit_test(test_never_picks_the_current_partition),
        cmocka_unit_test(test_one_partition_stays),
        cmocka_unit_test(test_fewer_partitions_than_current_picks_again),
        cmocka_unit_test(test_late_appends_to_a_partition_already_left_do_not_count),
        cmocka_unit_test(test_default_random_stays_in_range_and_moves),
        cmocka_unit_test(test_concurrent_appends_switch_and_stay_in_range),
        cmocka_unit_test(test_switches_at_a_full_batch_or_twice_batch_size),
        cmocka_unit_test(test_load_stats_weigh_short_queues_more),
        cmocka_unit_test(test_switch_follows_published_load_stats),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
