// Tests for accumulator/record_accumulator: where appends go, when a partition's
// first batch is ready, when an append must wake the Sender, what the Sender
// may take (backoff, max bytes), expiry, running out of buffer.memory, and
// concurrent appends losing nothing.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "accumulator/buffer_pool.h"
#include "accumulator/record_accumulator.h"
#include "accumulator/topic.h"
#include "compress/codec.h"
#include "protocol/record_batch.h"
#include "record_batch_reader.h"

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

using kprod::client::AccumulatorSettings;
using kprod::client::BatchState;
using kprod::client::BufferPool;
using kprod::client::PartitionQueue;
using kprod::client::ProducerBatch;
using kprod::client::RecordAccumulator;
using kprod::client::Topic;
using kprod::protocol::RecordView;
using Clock = RecordAccumulator::Clock;
using namespace std::chrono_literals;

constexpr size_t kBatchSize = 1024;
constexpr auto kLinger = 10s;  // longer than any test runs: only an explicit `now` passes it
constexpr auto kDeliveryTimeout = 120s;
constexpr size_t kNoLimit = SIZE_MAX;

Clock::time_point far_deadline() {
    return Clock::now() + 30s;
}

RecordView value_only(const std::string &value) {
    return {nullptr, 0, value.data(), value.size(), nullptr, 0};
}

// A record whose single-record batch is exactly batch.size: it fills a pooled batch.
std::string value_filling_a_batch() {
    std::string value;
    while (RecordAccumulator::single_record_batch_size(value_only(value)) < kBatchSize)
        value.push_back('f');
    assert_int_equal(RecordAccumulator::single_record_batch_size(value_only(value)), kBatchSize);
    return value;
}

// A pool, an accumulator and one topic whose partition count is known, as the
// Sender leaves them after the first metadata answer.
struct Fixture {
    explicit Fixture(size_t buffer_memory = 64 * kBatchSize,
                     std::chrono::milliseconds linger = kLinger)
        : pool(buffer_memory, kBatchSize),
          accumulator(AccumulatorSettings{kBatchSize, false, 1 << 20, linger, kDeliveryTimeout},
                      pool) {
        bool created = false;
        topic = accumulator.get_or_create_topic("events", created);
        topic->resize(3);
    }
    PartitionQueue &queue(int32_t partition) {
        return *topic->table.load()->queues[static_cast<size_t>(partition)];
    }
    RecordAccumulator::AppendResult append(int32_t partition, const std::string &value,
                                           void *opaque = nullptr,
                                           std::chrono::milliseconds max_block = 30s) {
        kprod::client::SendDeadline deadline(max_block);
        return accumulator.append(*topic, queue(partition), value_only(value), 1700000000000LL,
                                  opaque, deadline);
    }
    ProducerBatch *take(int32_t partition, Clock::time_point now, size_t max_bytes = kNoLimit,
                        bool first_in_request = true) {
        return accumulator.take_sendable(queue(partition), now, max_bytes, first_in_request,
                                         /*retries_alone=*/false, /*first_attempts=*/true);
    }
    bool is_ready(int32_t partition, Clock::time_point now) {
        Clock::time_point next_check = Clock::time_point::max();
        return accumulator.is_ready(queue(partition), now, next_check);
    }
    // Takes the batch out as the Sender would, then puts it back as a failed attempt.
    ProducerBatch *take_and_reenqueue_as_retry(int32_t partition, Clock::time_point retry_after) {
        ProducerBatch *batch = take(partition, Clock::now());
        batch->attempts = 1;
        batch->retry_after = retry_after;
        accumulator.reenqueue(batch);
        return batch;
    }

    BufferPool pool;  // outlives the accumulator, which gives batches back on destruction
    RecordAccumulator accumulator;
    Topic *topic = nullptr;
};

const std::string kHundredBytes(100, 'v');

// --- where appends go ---

void test_append_to_empty_queue_opens_a_batch(void **) {
    Fixture f;
    auto result = f.append(0, kHundredBytes);
    assert_int_equal(result.err, KPROD_OK);
    assert_true(result.new_batch);
    assert_false(result.batch_full);
    size_t body_size = 0;
    assert_int_equal(result.record_bytes, kprod::protocol::record_encoded_size(
                                              value_only(kHundredBytes), 0, 0, body_size));
    PartitionQueue &queue = f.queue(0);
    assert_int_equal(queue.batches.size(), 1);
    assert_int_equal(queue.batches.front()->record_count(), 1);
    assert_int_equal(queue.batches.front()->state, BatchState::kOpen);
    assert_int_equal(queue.batches.front()->partition, 0);
    assert_true(f.queue(1).batches.empty());
}

void test_appends_fill_the_open_batch_before_opening_another(void **) {
    Fixture f;
    assert_true(f.append(0, kHundredBytes).new_batch);
    int appended_to_first = 1;
    while (true) {
        auto result = f.append(0, kHundredBytes);
        assert_int_equal(result.err, KPROD_OK);
        assert_true(result.batch_full == f.queue(0).batches.back()->is_full());
        if (result.new_batch) break;
        ++appended_to_first;
    }
    PartitionQueue &queue = f.queue(0);
    assert_int_equal(queue.batches.size(), 2);
    ProducerBatch *first = queue.batches[0];
    assert_int_equal(first->record_count(), appended_to_first);
    size_t body_size = 0;
    const size_t next_record = kprod::protocol::record_encoded_size(
        value_only(kHundredBytes), 0, first->record_count(), body_size);
    assert_true(first->size() + next_record > kBatchSize);  // it really did not fit
    assert_int_equal(queue.batches[1]->record_count(), 1);
    assert_true(queue.batches[0]->sequence < queue.batches[1]->sequence);
}

void test_record_larger_than_batch_size_gets_a_batch_of_its_own(void **) {
    Fixture f;
    const std::string large(3 * kBatchSize, 'L');
    const size_t needed = RecordAccumulator::single_record_batch_size(value_only(large));
    const size_t available_before = f.pool.available_memory();
    auto result = f.append(0, large);
    assert_int_equal(result.err, KPROD_OK);
    assert_true(result.new_batch);
    assert_true(result.batch_full);
    ProducerBatch *batch = f.queue(0).batches.front();
    assert_int_equal(batch->capacity(), needed);
    assert_int_equal(batch->size(), needed);
    assert_int_equal(f.pool.available_memory(), available_before - needed);

    assert_true(f.append(0, kHundredBytes).new_batch);  // nothing more fits in it
    f.accumulator.release(f.take(0, Clock::now()));
    assert_int_equal(f.pool.available_memory(),
                     available_before - f.queue(0).batches.front()->capacity());
}

// With compression a batch holds batch.size / (estimated ratio * 1.05) raw
// bytes (Java's judgement), rounded to a whole number of batch.size so that
// batch buffers come in a few sizes as the estimate moves.
void test_compressed_batches_hold_more_raw_bytes_in_whole_batch_sizes(void **) {
    BufferPool pool(64 * kBatchSize, kBatchSize);
    RecordAccumulator accumulator(
        AccumulatorSettings{kBatchSize, /*compressed=*/true, 1 << 20, kLinger, kDeliveryTimeout},
        pool);
    bool created = false;
    Topic *topic = accumulator.get_or_create_topic("compressed", created);
    topic->resize(3);
    const auto capacity_of_new_batch = [&](int32_t partition, float ratio) {
        topic->compression_ratio.store(ratio);
        PartitionQueue &queue = *topic->table.load()->queues[static_cast<size_t>(partition)];
        kprod::client::SendDeadline deadline(30s);
        assert_true(accumulator
                        .append(*topic, queue, value_only(kHundredBytes), 1700000000000LL, nullptr,
                                deadline)
                        .new_batch);
        return queue.batches.back()->max_capacity();
    };
    assert_int_equal(capacity_of_new_batch(0, 1.0f), kBatchSize);      // 975 raw bytes: one
    assert_int_equal(capacity_of_new_batch(1, 0.3f), 3 * kBatchSize);  // 3,250: three
    assert_int_equal(capacity_of_new_batch(2, 0.2f), 5 * kBatchSize);  // 4,876: five
}

void test_record_larger_than_buffer_memory_is_too_large(void **) {
    Fixture f(4 * kBatchSize);
    auto result = f.append(0, std::string(5 * kBatchSize, 'L'));
    assert_int_equal(result.err, KPROD_ERR_MSG_TOO_LARGE);
    assert_true(f.queue(0).batches.empty());
}

void test_append_fails_with_queue_full_when_memory_stays_spent(void **) {
    Fixture f(kBatchSize);
    assert_int_equal(f.append(0, kHundredBytes).err, KPROD_OK);
    uint8_t *rest = nullptr;  // the rest of buffer.memory
    const size_t rest_size = f.pool.available_memory();
    assert_int_equal(f.pool.allocate(rest_size, far_deadline(), rest), BufferPool::Result::kOk);
    const auto start = Clock::now();
    auto result = f.append(1, kHundredBytes, nullptr, 0ms);
    assert_int_equal(result.err, KPROD_ERR_QUEUE_FULL);
    assert_true(Clock::now() - start < 10s);
    assert_true(f.queue(1).batches.empty());
    assert_false(f.pool.has_waiters());
    // The open batch still takes records: that needs no new memory.
    assert_int_equal(f.append(0, kHundredBytes, nullptr, 0ms).err, KPROD_OK);
    f.pool.deallocate(rest, rest_size);
}

// When a partition needs its next batch and memory is spent, one thread waits
// for the memory and the others for the batch it opens: they would otherwise
// each take memory, find the batch open and give it back, waking one another.
void test_one_thread_waits_for_memory_the_others_for_its_batch(void **) {
    Fixture f(kBatchSize);
    assert_int_equal(f.append(0, value_filling_a_batch()).err, KPROD_OK);  // all the memory
    std::atomic<int> new_batches{0};
    std::atomic<int> appended{0};
    std::vector<std::thread> senders;
    for (int i = 0; i < 3; ++i)
        senders.emplace_back([&] {
            auto result = f.append(0, kHundredBytes, nullptr, 10s);
            if (result.err == KPROD_OK) ++appended;
            if (result.new_batch) ++new_batches;
        });
    const auto waiting = [&] { return f.pool.statistics(0).waiting_threads; };
    const auto give_up_at = Clock::now() + 5s;
    while (waiting() == 0 && Clock::now() < give_up_at) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(100ms);  // the other two have reached their wait by now
    assert_int_equal(waiting(), 1);
    assert_int_equal(appended.load(), 0);
    f.accumulator.release(f.take(0, Clock::now()));  // memory for the next batch
    for (std::thread &sender : senders) sender.join();
    assert_int_equal(appended.load(), 3);
    assert_int_equal(new_batches.load(), 1);
    assert_int_equal(f.queue(0).batches.size(), 1);
    assert_int_equal(f.queue(0).batches.front()->record_count(), 3);
}

// --- batches that start small and grow ---

// A partition's first batch takes the smallest pooled size that holds its
// record, then doubles as records come, up to batch.size; the records moved
// along read back as they were written.
void test_batch_starts_small_and_grows_to_batch_size(void **) {
    Fixture f;
    const size_t total = f.pool.available_memory();
    assert_true(f.append(0, kHundredBytes).new_batch);
    ProducerBatch *batch = f.queue(0).batches.front();
    assert_int_equal(batch->capacity(), BufferPool::kSmallestPooledSize);
    assert_int_equal(batch->max_capacity(), kBatchSize);
    assert_int_equal(f.pool.available_memory(), total - BufferPool::kSmallestPooledSize);
    std::vector<std::string> values{kHundredBytes};
    while (true) {
        std::string value = std::to_string(values.size()) + std::string(90, 'g');
        if (f.append(0, value).new_batch) break;
        values.push_back(value);
    }
    assert_ptr_equal(f.queue(0).batches.front(), batch);
    assert_int_equal(batch->capacity(), kBatchSize);
    assert_int_equal(batch->record_count(), values.size());
    // The old buffer went back to the pool: only the grown one and the new batch's are held.
    assert_int_equal(f.pool.available_memory(),
                     total - kBatchSize - f.queue(0).batches.back()->capacity());
    batch = f.take(0, Clock::now());
    batch->seal(-1, -1, -1);
    kprod::test::RecordBatch decoded;
    assert_true(kprod::test::read_record_batch(batch->data(), batch->size(), &decoded));
    assert_int_equal(decoded.records.size(), values.size());
    for (size_t i = 0; i < values.size(); ++i) assert_true(decoded.records[i].value == values[i]);
    f.accumulator.release(batch);
}

// Once a partition's batches fill up, new ones start at the size the last
// one reached: a busy partition does not grow every batch again.
void test_new_batch_starts_at_the_size_the_last_one_reached(void **) {
    Fixture f;
    f.append(0, value_filling_a_batch());
    f.accumulator.release(f.take(0, Clock::now()));
    assert_true(f.append(0, kHundredBytes).new_batch);
    assert_int_equal(f.queue(0).batches.front()->capacity(), kBatchSize);
}

// Growing never waits for memory: without it, the record opens a new batch
// (which waits, here 0 ms), and the open batch keeps what it has.
void test_growth_without_memory_leaves_the_batch_as_it_is(void **) {
    Fixture f(kBatchSize);
    assert_true(f.append(0, kHundredBytes).new_batch);
    uint8_t *rest = nullptr;
    const size_t rest_size = f.pool.available_memory();
    assert_int_equal(f.pool.allocate(rest_size, far_deadline(), rest), BufferPool::Result::kOk);
    kprod::client::RecordAccumulator::AppendResult result;
    int appended = 1;
    while ((result = f.append(0, kHundredBytes, nullptr, 0ms)).err == KPROD_OK) ++appended;
    assert_int_equal(result.err, KPROD_ERR_QUEUE_FULL);
    assert_int_equal(f.queue(0).batches.size(), 1);
    assert_int_equal(f.queue(0).batches.front()->capacity(), BufferPool::kSmallestPooledSize);
    assert_int_equal(f.queue(0).batches.front()->record_count(), appended);
    f.pool.deallocate(rest, rest_size);
}

void test_append_after_pool_closed_fails_with_closed(void **) {
    Fixture f;
    f.pool.close();
    assert_int_equal(f.append(0, kHundredBytes).err, KPROD_ERR_CLOSED);
    assert_true(f.queue(0).batches.empty());
}

// --- readiness ---

void test_empty_queue_is_never_ready(void **) {
    Fixture f;
    Clock::time_point next_check = Clock::time_point::max();
    f.accumulator.begin_flush();
    assert_false(f.accumulator.is_ready(f.queue(0), Clock::now(), next_check));
    assert_true(next_check == Clock::time_point::max());
    f.accumulator.end_flush();
}

void test_not_ready_before_linger_and_next_check_is_its_end(void **) {
    Fixture f;
    f.append(0, kHundredBytes);
    const Clock::time_point created = f.queue(0).batches.front()->created;
    Clock::time_point next_check = Clock::time_point::max();
    assert_false(f.accumulator.is_ready(f.queue(0), created + kLinger - 1ms, next_check));
    assert_true(next_check == created + kLinger);
    // An earlier check, wanted by another partition, is kept.
    next_check = created + 1ms;
    assert_false(f.accumulator.is_ready(f.queue(0), created, next_check));
    assert_true(next_check == created + 1ms);
}

void test_ready_once_linger_has_passed(void **) {
    Fixture f;
    f.append(0, kHundredBytes);
    const Clock::time_point created = f.queue(0).batches.front()->created;
    assert_true(f.is_ready(0, created + kLinger));
}

void test_ready_when_the_batch_is_full(void **) {
    Fixture f;
    auto result = f.append(0, value_filling_a_batch());
    assert_true(result.batch_full);
    assert_int_equal(f.queue(0).batches.size(), 1);
    assert_true(f.is_ready(0, f.queue(0).batches.front()->created));
}

void test_ready_when_a_second_batch_exists(void **) {
    Fixture f;
    while (f.queue(0).batches.size() < 2) f.append(0, kHundredBytes);
    assert_false(f.queue(0).batches.front()->is_full());  // ready for another reason
    assert_true(f.is_ready(0, f.queue(0).batches.front()->created));
}

void test_ready_during_flush(void **) {
    Fixture f;
    f.append(0, kHundredBytes);
    const Clock::time_point created = f.queue(0).batches.front()->created;
    f.accumulator.begin_flush();
    assert_true(f.is_ready(0, created));
    f.accumulator.end_flush();
    assert_false(f.is_ready(0, created));
}

void test_ready_when_closing(void **) {
    Fixture f;
    f.append(0, kHundredBytes);
    f.accumulator.set_closing();
    assert_true(f.is_ready(0, f.queue(0).batches.front()->created));
}

// A thread blocked on buffer.memory waits for batches to be sent: send now.
void test_ready_when_the_pool_has_waiters(void **) {
    Fixture f(2 * kBatchSize);
    f.append(0, kHundredBytes);
    const Clock::time_point created = f.queue(0).batches.front()->created;
    assert_false(f.is_ready(0, created));

    uint8_t *held = nullptr;
    assert_int_equal(f.pool.allocate(kBatchSize, Clock::now(), held), BufferPool::Result::kOk);
    uint8_t *waited_for = nullptr;
    std::thread waiter([&] { f.pool.allocate(kBatchSize, far_deadline(), waited_for); });
    const auto give_up = Clock::now() + 10s;
    while (!f.pool.has_waiters() && Clock::now() < give_up) std::this_thread::sleep_for(1ms);
    const bool ready_while_waiting = f.is_ready(0, created);
    f.pool.deallocate(held, kBatchSize);
    waiter.join();
    f.pool.deallocate(waited_for, kBatchSize);

    assert_true(ready_while_waiting);
    assert_false(f.is_ready(0, created));
}

// --- when the Sender must hear of an append (wake) ---

using Wake = RecordAccumulator::Wake;

void test_first_batch_asks_for_a_wake_by_its_linger(void **) {
    Fixture f;
    assert_true(f.append(0, kHundredBytes).wake == Wake::kByLinger);
    // More records in the same open batch change nothing the Sender must know.
    assert_true(f.append(0, kHundredBytes).wake == Wake::kNone);
}

void test_filling_the_only_batch_asks_for_a_wake_now(void **) {
    Fixture f;
    auto result = f.append(0, value_filling_a_batch());
    assert_true(result.batch_full);
    assert_true(result.wake == Wake::kNow);
}

void test_second_batch_asks_for_a_wake_now_and_later_ones_for_none(void **) {
    Fixture f;
    f.append(0, value_filling_a_batch());
    auto second = f.append(0, kHundredBytes);
    assert_true(second.new_batch);
    assert_true(second.wake == Wake::kNow);  // the first has a successor
    // The first batch was sendable already: a third batch, or filling the
    // second, tells the Sender nothing new.
    size_t appended = 0;
    RecordAccumulator::AppendResult result;
    do {
        result = f.append(0, kHundredBytes);
        ++appended;
        if (!result.new_batch) assert_true(result.wake == Wake::kNone);
    } while (!result.new_batch && appended < 100);
    assert_true(result.new_batch);
    assert_int_equal(f.queue(0).batches.size(), 3);
    assert_true(result.wake == Wake::kNone);
}

void test_new_batch_during_flush_asks_for_a_wake_now(void **) {
    Fixture f;
    f.accumulator.begin_flush();
    assert_true(f.append(0, kHundredBytes).wake == Wake::kNow);
    f.accumulator.end_flush();
}

// For any mix of appends and takes: whenever an append makes the queue's first
// batch sendable, it asks for a wake now; when it asks for none, the queue's
// readiness is as it was before the append; when it asks for one by linger,
// the queue is the new batch alone, sendable when its linger ends.
void test_wake_agrees_with_is_ready(void **) {
    constexpr auto kShortLinger = 50ms;
    Fixture f(64 * kBatchSize, kShortLinger);
    uint32_t seed = 12345;
    const auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
    int by_linger = 0, now = 0, none = 0;
    for (int step = 0; step < 3000; ++step) {
        if (next() % 3 == 0) {
            if (ProducerBatch *batch = f.take(0, Clock::now() + 1h)) f.accumulator.release(batch);
            continue;
        }
        const auto before = Clock::now();
        const bool ready_before = f.is_ready(0, before);
        const auto result = f.append(0, std::string(next() % 400, 'r'));
        assert_int_equal(result.err, KPROD_OK);
        const bool ready_after = f.is_ready(0, before);
        if (!ready_before && ready_after) assert_true(result.wake == Wake::kNow);
        if (result.wake == Wake::kNone) {
            ++none;
            assert_true(ready_before == ready_after);
        } else if (result.wake == Wake::kByLinger) {
            ++by_linger;
            assert_int_equal(f.queue(0).batches.size(), 1);
            const auto created = f.queue(0).batches.front()->created;
            assert_false(f.is_ready(0, created + kShortLinger - 1ms));
            assert_true(f.is_ready(0, created + kShortLinger));
        } else {
            ++now;
        }
    }
    assert_true(by_linger > 0 && now > 0 && none > 0);  // every branch was taken
}

// --- what the Sender may take ---

void test_take_sendable_respects_max_bytes_except_first_in_request(void **) {
    Fixture f;
    f.append(0, kHundredBytes);
    const size_t size = f.queue(0).batches.front()->size();
    const auto now = Clock::now();
    assert_null(f.take(0, now, size - 1, /*first_in_request=*/false));
    ProducerBatch *batch = f.take(0, now, size - 1, /*first_in_request=*/true);
    assert_non_null(batch);
    assert_int_equal(batch->state, BatchState::kSealed);  // no more appends into it
    assert_true(f.queue(0).batches.empty());
    f.accumulator.release(batch);

    f.append(0, kHundredBytes);
    batch = f.take(0, now, f.queue(0).batches.front()->size(), false);  // exactly fits
    assert_non_null(batch);
    f.accumulator.release(batch);
}

void test_retry_is_not_sendable_before_its_backoff(void **) {
    Fixture f;
    f.append(0, kHundredBytes);
    const auto now = Clock::now();
    ProducerBatch *batch = f.take_and_reenqueue_as_retry(0, now + 5s);
    assert_int_equal(batch->state, BatchState::kRetry);

    Clock::time_point next_check = Clock::time_point::max();
    f.accumulator.begin_flush();  // not even a flush cuts a backoff short
    assert_false(f.accumulator.is_ready(f.queue(0), now, next_check));
    assert_true(next_check == now + 5s);
    assert_null(f.take(0, now));

    assert_true(f.is_ready(0, now + 5s));
    assert_ptr_equal(f.take(0, now + 5s), batch);
    f.accumulator.end_flush();
    f.accumulator.release(batch);
}

// Batches failed out of order (two requests, answers in any order) go back in
// the order they were created, ahead of newer batches.
void test_retries_go_back_in_creation_order(void **) {
    Fixture f;
    const std::string fills = value_filling_a_batch();
    for (int i = 0; i < 3; ++i) assert_true(f.append(0, fills).new_batch);
    const auto now = Clock::now();
    ProducerBatch *oldest = f.take(0, now);
    ProducerBatch *middle = f.take(0, now);
    ProducerBatch *newest = f.queue(0).batches.front();
    for (ProducerBatch *batch : {middle, oldest}) {
        batch->attempts = 1;
        batch->retry_after = now;
        f.accumulator.reenqueue(batch);
    }
    PartitionQueue &queue = f.queue(0);
    assert_int_equal(queue.batches.size(), 3);
    assert_ptr_equal(queue.batches[0], oldest);
    assert_ptr_equal(queue.batches[1], middle);
    assert_ptr_equal(queue.batches[2], newest);
}

void test_append_never_goes_into_a_retried_batch(void **) {
    Fixture f;
    f.append(0, kHundredBytes);
    ProducerBatch *retried = f.take_and_reenqueue_as_retry(0, Clock::now() + 5s);
    auto result = f.append(0, kHundredBytes);
    assert_true(result.new_batch);
    assert_int_equal(retried->record_count(), 1);
    assert_int_equal(f.queue(0).batches.size(), 2);
    assert_ptr_equal(f.queue(0).batches.front(), retried);
}

// Idempotence: a retry goes out only when no batch of its partition with a
// higher sequence is in flight; behind lower ones (the retries sent just
// before it, after a failover) it may follow at once.
void test_retry_waits_for_higher_sequences_in_flight_when_retries_go_alone(void **) {
    Fixture f;
    f.append(0, kHundredBytes);
    const auto now = Clock::now();
    ProducerBatch *batch = f.take_and_reenqueue_as_retry(0, now);
    batch->first_sequence = 5;
    PartitionQueue &queue = f.queue(0);
    queue.in_flight = 1;
    queue.last_sent_sequence = 7;  // a later batch is in flight
    assert_null(
        f.accumulator.take_sendable(queue, now, kNoLimit, true, /*retries_alone=*/true, true));
    queue.last_sent_sequence = 5;  // itself, from the attempt that failed, if that were in flight
    assert_null(f.accumulator.take_sendable(queue, now, kNoLimit, true, true, true));
    queue.last_sent_sequence = 3;  // only an earlier batch (a retry sent just before) is
    assert_ptr_equal(f.accumulator.take_sendable(queue, now, kNoLimit, true, true, true), batch);
    f.accumulator.reenqueue(batch);
    queue.in_flight = 0;
    queue.last_sent_sequence = 9;
    assert_ptr_equal(f.accumulator.take_sendable(queue, now, kNoLimit, true, true, true), batch);
    f.accumulator.release(batch);
}

// Idempotence: while a partition may not number new batches, only its retries go.
void test_take_sendable_without_first_attempts_takes_only_retries(void **) {
    Fixture f;
    const std::string fills = value_filling_a_batch();
    f.append(0, fills);
    f.append(0, fills);
    const auto now = Clock::now();
    PartitionQueue &queue = f.queue(0);
    ProducerBatch *retry = f.take_and_reenqueue_as_retry(0, now);
    assert_ptr_equal(f.accumulator.take_sendable(queue, now, kNoLimit, true, true, false), retry);
    assert_null(f.accumulator.take_sendable(queue, now, kNoLimit, true, true, false));
    assert_int_equal(queue.batches.size(), 1);
    f.accumulator.release(retry);
}

// The retries waiting in a queue are visited in order, and nothing behind them.
void test_for_each_waiting_retry_visits_retries_in_order(void **) {
    Fixture f;
    const std::string fills = value_filling_a_batch();
    for (int i = 0; i < 3; ++i) f.append(0, fills);
    ProducerBatch *first = f.take(0, Clock::now());
    ProducerBatch *second = f.take(0, Clock::now());
    for (ProducerBatch *batch : {second, first}) {  // put back out of order
        batch->attempts = 1;
        f.accumulator.reenqueue(batch);
    }
    std::vector<ProducerBatch *> seen;
    f.accumulator.for_each_waiting_retry(f.queue(0), [&](ProducerBatch *b) { seen.push_back(b); });
    assert_int_equal(seen.size(), 2);
    assert_ptr_equal(seen[0], first);
    assert_ptr_equal(seen[1], second);
}

void test_take_expired_takes_only_batches_past_delivery_timeout(void **) {
    Fixture f;
    const std::string fills = value_filling_a_batch();
    for (int i = 0; i < 3; ++i) f.append(0, fills);
    PartitionQueue &queue = f.queue(0);
    const auto now = Clock::now();
    ProducerBatch *old = queue.batches[0];
    ProducerBatch *recent = queue.batches[1];
    old->created = now - kDeliveryTimeout - 1s;
    recent->created = now - kDeliveryTimeout + 1s;
    queue.batches[2]->created = now;

    std::vector<ProducerBatch *> expired;
    f.accumulator.take_expired(queue, now, expired);
    assert_int_equal(expired.size(), 1);
    assert_ptr_equal(expired[0], old);
    assert_int_equal(queue.batches.size(), 2);

    f.accumulator.take_expired(queue, now + 1s, expired);  // exactly delivery.timeout.ms old
    assert_int_equal(expired.size(), 2);
    assert_ptr_equal(expired[1], recent);
    assert_int_equal(queue.batches.size(), 1);
    for (ProducerBatch *batch : expired) f.accumulator.release(batch);
}

// --- concurrency ---

constexpr int kThreads = 4;
constexpr uintptr_t kPerThread = 5000;

void *opaque_of(int thread, uintptr_t index) {
    return reinterpret_cast<void *>(static_cast<uintptr_t>(thread) * kPerThread + index + 1);
}

// Tallies records by appending thread; each thread's records must come in the
// order that thread appended them, each exactly once.
struct RecordTally {
    uintptr_t next[kThreads] = {};
    bool in_order = true;
    void count(const ProducerBatch &batch) {
        for (size_t i = 0; i < static_cast<size_t>(batch.record_count()); ++i) {
            const auto id = reinterpret_cast<uintptr_t>(batch.meta(i).opaque) - 1;
            const auto thread = static_cast<int>(id / kPerThread);
            if (thread >= kThreads || id % kPerThread != next[thread]) in_order = false;
            if (thread < kThreads) ++next[thread];
        }
    }
    bool complete() const {
        for (uintptr_t n : next)
            if (n != kPerThread) return false;
        return in_order;
    }
};

void append_from_threads(Fixture &f, std::atomic<int> &failures) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&f, &failures, t] {
            const std::string value = "record from thread " + std::to_string(t);
            for (uintptr_t i = 0; i < kPerThread; ++i)
                if (f.append(0, value, opaque_of(t, i)).err != KPROD_OK) failures.fetch_add(1);
        });
    }
    for (std::thread &thread : threads) thread.join();
}

void test_concurrent_appends_lose_no_record(void **) {
    Fixture f(8 * 1024 * kBatchSize);
    std::atomic<int> failures{0};
    append_from_threads(f, failures);
    assert_int_equal(failures.load(), 0);
    RecordTally tally;
    for (ProducerBatch *batch : f.queue(0).batches) tally.count(*batch);
    assert_true(tally.complete());
}

// The same while a "Sender" drains the queue and buffer.memory holds only a
// few batches, so that appenders also wait on the pool.
void test_concurrent_appends_and_drain_lose_no_record(void **) {
    Fixture f(4 * kBatchSize, 0ms);
    std::atomic<int> failures{0};
    std::atomic<bool> appenders_done{false};
    RecordTally tally;
    std::thread sender([&] {
        while (true) {
            const bool last_round = appenders_done.load();
            while (ProducerBatch *batch = f.take(0, Clock::now())) {
                tally.count(*batch);
                f.accumulator.release(batch);
            }
            if (last_round) return;
            std::this_thread::yield();
        }
    });
    append_from_threads(f, failures);
    appenders_done.store(true);
    sender.join();
    assert_int_equal(failures.load(), 0);
    assert_true(f.queue(0).batches.empty());
    assert_true(tally.complete());
    assert_int_equal(f.pool.available_memory(), 4 * kBatchSize);
}

// Fills partition 0's first batch with numbered records whose opaques are
// their indices, takes it out as sent once (sealed, attempt 1) and returns it.
ProducerBatch *take_sent_batch(Fixture &f, std::vector<std::string> &values) {
    while (true) {
        std::string value = "record-" + std::to_string(values.size()) + std::string(40, 'v');
        if (f.append(0, value, reinterpret_cast<void *>(values.size())).new_batch &&
            !values.empty())
            break;
        values.push_back(value);
    }
    ProducerBatch *batch = f.take(0, Clock::now());
    batch->seal(4000, 2, 100, true);
    batch->attempts = 1;
    batch->first_sequence = 100;
    return batch;
}

// The pieces hold every record once, in order, with its report data, each
// at most half the batch, and go back before the partition's next batch.
void check_pieces(Fixture &f, ProducerBatch *big, const std::vector<std::string> &values,
                  std::vector<ProducerBatch *> &pieces) {
    assert_true(pieces.size() >= 2);
    size_t next = 0;
    for (ProducerBatch *piece : pieces) {
        assert_int_equal(piece->split_offset, next);
        assert_int_equal(piece->attempts, big->attempts);
        assert_true(piece->created == big->created);
        assert_true(piece->size() <= (big->size() + 1) / 2 + 2 * 61);
        piece->seal(big->producer_id, big->producer_epoch, 100 + static_cast<int32_t>(next),
                    big->transactional);
        kprod::test::RecordBatch decoded;
        assert_true(kprod::test::read_record_batch(piece->data(), piece->size(), &decoded));
        assert_int_equal(decoded.records.size(), piece->record_count());
        for (size_t i = 0; i < decoded.records.size(); ++i, ++next) {
            assert_true(decoded.records[i].value == values[next]);
            assert_ptr_equal(piece->meta(i).opaque, reinterpret_cast<void *>(next));
        }
    }
    assert_int_equal(next, values.size());
    // Back at the front, in order, ahead of the batch opened after the big one.
    for (ProducerBatch *piece : pieces) f.accumulator.reenqueue(piece);
    assert_int_equal(f.queue(0).batches.size(), pieces.size() + 1);
    for (size_t i = 0; i < pieces.size(); ++i) assert_ptr_equal(f.queue(0).batches[i], pieces[i]);
}

void test_split_keeps_every_record_once_in_order(void **) {
    Fixture f;
    const size_t total = f.pool.available_memory();
    std::vector<std::string> values;
    ProducerBatch *big = take_sent_batch(f, values);
    std::vector<ProducerBatch *> pieces;
    assert_true(f.accumulator.split(*big, pieces));
    check_pieces(f, big, values, pieces);
    f.accumulator.release(big);
    std::vector<ProducerBatch *> left;
    f.accumulator.take_all(f.queue(0), left);
    for (ProducerBatch *batch : left) f.accumulator.release(batch);
    assert_int_equal(f.pool.available_memory(), total);
}

// A compressed batch is decompressed and its records encoded again.
void test_split_reads_a_compressed_batch(void **) {
    Fixture f;
    std::vector<std::string> values;
    ProducerBatch *big = take_sent_batch(f, values);
    auto compressor = kprod::compress::make_compressor(kprod::compress::Codec::kLz4, 9);
    std::vector<uint8_t> scratch;
    const size_t raw = big->size();
    big->compress(*compressor, scratch);
    assert_true(big->size() < raw);
    assert_int_equal(static_cast<int>(big->codec()),
                     static_cast<int>(kprod::compress::Codec::kLz4));
    std::vector<ProducerBatch *> pieces;
    assert_true(f.accumulator.split(*big, pieces));
    // Sizes are checked against the uncompressed batch.
    assert_true(pieces.size() >= 2);
    for (ProducerBatch *piece : pieces) assert_true(piece->size() <= raw / 2 + 2 * 61);
    size_t next = 0;
    for (ProducerBatch *piece : pieces) {
        piece->seal(-1, -1, -1);
        kprod::test::RecordBatch decoded;
        assert_true(kprod::test::read_record_batch(piece->data(), piece->size(), &decoded));
        for (const auto &record : decoded.records) assert_true(record.value == values[next++]);
        f.accumulator.release(piece);
    }
    assert_int_equal(next, values.size());
    f.accumulator.release(big);
}

// Splitting again and again ends at batches of one record (no loop when
// the broker's limit is below batch.size).
void test_repeated_splits_reach_single_records(void **) {
    Fixture f;
    std::vector<std::string> values;
    std::vector<ProducerBatch *> work{take_sent_batch(f, values)};
    size_t singles = 0;
    for (int round = 0; !work.empty(); ++round) {
        assert_true(round < 64);
        std::vector<ProducerBatch *> next;
        for (ProducerBatch *batch : work) {
            if (batch->record_count() == 1) {
                ++singles;
                f.accumulator.release(batch);
                continue;
            }
            std::vector<ProducerBatch *> pieces;
            assert_true(f.accumulator.split(*batch, pieces));
            assert_true(pieces.size() >= 2);
            for (ProducerBatch *piece : pieces) piece->seal(-1, -1, -1);
            f.accumulator.release(batch);
            next.insert(next.end(), pieces.begin(), pieces.end());
        }
        work = std::move(next);
    }
    assert_int_equal(singles, values.size());
}

// Without room in buffer.memory for every piece, no piece is made and the
// memory is as it was.
void test_split_without_memory_makes_no_piece(void **) {
    Fixture f(2 * kBatchSize + 2 * RecordAccumulator::kBatchBookkeepingBytes);
    std::vector<std::string> values;
    ProducerBatch *big = take_sent_batch(f, values);
    uint8_t *hog = nullptr;
    const size_t left = f.pool.available_memory();
    assert_true(f.pool.try_allocate(left - 64, hog));
    const size_t before = f.pool.available_memory();
    std::vector<ProducerBatch *> pieces;
    assert_false(f.accumulator.split(*big, pieces));
    assert_true(pieces.empty());
    assert_int_equal(f.pool.available_memory(), before);
    f.pool.deallocate(hog, left - 64);
    f.accumulator.release(big);
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_to_empty_queue_opens_a_batch),
        cmocka_unit_test(test_appends_fill_the_open_batch_before_opening_another),
        cmocka_unit_test(test_record_larger_than_batch_size_gets_a_batch_of_its_own),
        cmocka_unit_test(test_compressed_batches_hold_more_raw_bytes_in_whole_batch_sizes),
        cmocka_unit_test(test_record_larger_than_buffer_memory_is_too_large),
        cmocka_unit_test(test_append_fails_with_queue_full_when_memory_stays_spent),
        cmocka_unit_test(test_one_thread_waits_for_memory_the_others_for_its_batch),
        cmocka_unit_test(test_batch_starts_small_and_grows_to_batch_size),
        cmocka_unit_test(test_new_batch_starts_at_the_size_the_last_one_reached),
        cmocka_unit_test(test_growth_without_memory_leaves_the_batch_as_it_is),
        cmocka_unit_test(test_append_after_pool_closed_fails_with_closed),
        cmocka_unit_test(test_empty_queue_is_never_ready),
        cmocka_unit_test(test_not_ready_before_linger_and_next_check_is_its_end),
        cmocka_unit_test(test_ready_once_linger_has_passed),
        cmocka_unit_test(test_ready_when_the_batch_is_full),
        cmocka_unit_test(test_ready_when_a_second_batch_exists),
        cmocka_unit_test(test_ready_during_flush),
        cmocka_unit_test(test_ready_when_closing),
        cmocka_unit_test(test_ready_when_the_pool_has_waiters),
        cmocka_unit_test(test_first_batch_asks_for_a_wake_by_its_linger),
        cmocka_unit_test(test_filling_the_only_batch_asks_for_a_wake_now),
        cmocka_unit_test(test_second_batch_asks_for_a_wake_now_and_later_ones_for_none),
        cmocka_unit_test(test_new_batch_during_flush_asks_for_a_wake_now),
        cmocka_unit_test(test_wake_agrees_with_is_ready),
        cmocka_unit_test(test_take_sendable_respects_max_bytes_except_first_in_request),
        cmocka_unit_test(test_retry_is_not_sendable_before_its_backoff),
        cmocka_unit_test(test_retries_go_back_in_creation_order),
        cmocka_unit_test(test_append_never_goes_into_a_retried_batch),
        cmocka_unit_test(test_retry_waits_for_higher_sequences_in_flight_when_retries_go_alone),
        cmocka_unit_test(test_take_sendable_without_first_attempts_takes_only_retries),
        cmocka_unit_test(test_for_each_waiting_retry_visits_retries_in_order),
        cmocka_unit_test(test_take_expired_takes_only_batches_past_delivery_timeout),
        cmocka_unit_test(test_concurrent_appends_lose_no_record),
        cmocka_unit_test(test_concurrent_appends_and_drain_lose_no_record),
        cmocka_unit_test(test_split_keeps_every_record_once_in_order),
        cmocka_unit_test(test_split_reads_a_compressed_batch),
        cmocka_unit_test(test_repeated_splits_reach_single_records),
        cmocka_unit_test(test_split_without_memory_makes_no_piece),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
