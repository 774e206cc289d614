// Tests for accumulator/delivery_reports: one entry per batch expands into one
// report per record (offsets, opaques, timestamps), partial takes, the
// caller's element size, waiting in take() (and not after close()), takers on
// several threads (each report once, in order per batch; a second taker's
// deadline kept), counting unfinished records, and reports handed to a
// callback as they are pushed (the Sender-thread callback).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "accumulator/delivery_reports.h"

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

using kprod::client::BatchOutcome;
using kprod::client::DeliveryReports;
using kprod::client::RecordMeta;
using Clock = DeliveryReports::Clock;
using namespace std::chrono_literals;

const char *const kTopic = "events";  // reports hand back this very pointer
int opaques[8];

Clock::time_point far_deadline() {
    return Clock::now() + 30s;
}

// `count` records whose opaques are &opaques[first..], timestamps 1000 * (i + 1),
// appended 10 * i microseconds after their batch was created.
std::vector<RecordMeta> records(size_t count, size_t first = 0) {
    std::vector<RecordMeta> metas;
    for (size_t i = first; i < first + count; ++i)
        metas.push_back(
            {&opaques[i], static_cast<int64_t>(1000 * (i + 1)), static_cast<uint32_t>(10 * i)});
    return metas;
}

BatchOutcome delivered_at(int64_t base_offset) {
    BatchOutcome outcome;
    outcome.err = KPROD_OK;
    outcome.persisted = KPROD_PERSISTED;
    outcome.base_offset = base_offset;
    return outcome;
}

// Pushes a batch the way the Sender does, after its records were accepted.
void push_batch(DeliveryReports &reports, int32_t partition, const BatchOutcome &outcome,
                std::vector<RecordMeta> metas) {
    reports.record_accepted(metas.size());
    reports.push(kTopic, partition, outcome, metas);
    assert_true(metas.empty());  // moved from
}

void test_take_gives_one_report_per_record_with_its_offset(void **) {
    DeliveryReports reports;
    push_batch(reports, 3, delivered_at(100), records(3));
    assert_int_equal(reports.ready_count(), 3);

    kprod_report_t out[8];
    assert_int_equal(reports.take(out, 8, sizeof out[0], Clock::now()), 3);
    for (size_t i = 0; i < 3; ++i) {
        assert_int_equal(out[i].err, KPROD_OK);
        assert_int_equal(out[i].broker_error, 0);
        assert_int_equal(out[i].persisted, KPROD_PERSISTED);
        assert_ptr_equal(out[i].topic, kTopic);
        assert_int_equal(out[i].partition, 3);
        assert_true(out[i].offset == 100 + static_cast<int64_t>(i));
        assert_true(out[i].timestamp_ms == static_cast<int64_t>(1000 * (i + 1)));
        assert_ptr_equal(out[i].opaque, &opaques[i]);
    }
    assert_int_equal(reports.ready_count(), 0);
    assert_int_equal(reports.take(out, 8, sizeof out[0], Clock::now()), 0);
}

// A LogAppendTime topic: the broker's time replaces every record's own.
void test_log_append_time_replaces_the_record_timestamp(void **) {
    DeliveryReports reports;
    BatchOutcome outcome = delivered_at(0);
    outcome.log_append_time_ms = 1700000000123LL;
    push_batch(reports, 0, outcome, records(2));
    outcome.log_append_time_ms = 0;  // the epoch itself is a time, not "none"
    push_batch(reports, 0, outcome, records(1));
    kprod_report_t out[3];
    assert_int_equal(reports.take(out, 3, sizeof out[0], Clock::now()), 3);
    assert_true(out[0].timestamp_ms == 1700000000123LL);
    assert_true(out[1].timestamp_ms == 1700000000123LL);
    assert_true(out[2].timestamp_ms == 0);
}

void test_failed_batch_reports_no_offset(void **) {
    DeliveryReports reports;
    BatchOutcome outcome;
    outcome.err = KPROD_ERR_BROKER;
    outcome.broker_error = 10;  // MESSAGE_TOO_LARGE
    outcome.persisted = KPROD_NOT_PERSISTED;
    push_batch(reports, 1, outcome, records(2));
    kprod_report_t out[2];
    assert_int_equal(reports.take(out, 2, sizeof out[0], Clock::now()), 2);
    for (const kprod_report_t &report : out) {
        assert_int_equal(report.err, KPROD_ERR_BROKER);
        assert_int_equal(report.broker_error, 10);
        assert_int_equal(report.persisted, KPROD_NOT_PERSISTED);
        assert_true(report.offset == -1);
    }
    assert_ptr_equal(out[1].opaque, &opaques[1]);
}

// Small takes walk through entries without losing or repeating a record.
// Version 2: each record's latency counts from its own append; attempts and
// the broker are the batch's; the broker's texts go to the records they name.
void test_reports_carry_latency_attempts_broker_and_texts(void **) {
    DeliveryReports reports;
    BatchOutcome outcome;
    outcome.err = KPROD_ERR_BROKER;
    outcome.broker_error = 87;  // INVALID_RECORD
    outcome.created = Clock::now();
    outcome.finished = outcome.created + 5000us;
    outcome.attempts = 3;
    outcome.broker_id = 7;
    outcome.error_message = reports.keep_text("the batch's text");
    outcome.record_errors.push_back({1, reports.keep_text("record 1's text")});
    assert_ptr_equal(reports.keep_text(std::string("the batch's text")), outcome.error_message);
    push_batch(reports, 0, outcome, records(3));
    push_batch(reports, 0, delivered_at(0), records(1));  // no creation time: latency unknown
    kprod_report_t out[4];
    assert_int_equal(reports.take(out, 4, sizeof out[0], Clock::now()), 4);
    for (size_t i = 0; i < 3; ++i) {
        assert_int_equal(out[i].version, 2);
        assert_true(out[i].latency_us == 5000 - static_cast<int64_t>(10 * i));
        assert_int_equal(out[i].attempts, 3);
        assert_int_equal(out[i].broker_id, 7);
    }
    assert_string_equal(out[0].error_message, "the batch's text");
    assert_int_equal(out[0].record_error_index, -1);
    assert_string_equal(out[1].error_message, "record 1's text");
    assert_int_equal(out[1].record_error_index, 1);
    assert_string_equal(out[2].error_message, "the batch's text");
    assert_true(out[3].latency_us == -1);
    assert_int_equal(out[3].attempts, 0);
    assert_int_equal(out[3].broker_id, -1);
    assert_null(out[3].error_message);
    assert_int_equal(out[3].record_error_index, -1);
}

// Texts are kept once each, up to kMaxKeptTextBytes; past that, a fixed note.
void test_keep_text_is_bounded(void **) {
    DeliveryReports reports;
    const std::string big(DeliveryReports::kMaxKeptTextBytes / 2, 'x');
    const char *first = reports.keep_text(big);
    assert_string_equal(first, big.c_str());
    assert_ptr_equal(reports.keep_text(big), first);
    const char *note = reports.keep_text(big + "y");
    assert_string_not_equal(note, (big + "y").c_str());
    assert_non_null(std::strstr(note, "dropped"));
}

void test_partial_takes_cross_entries(void **) {
    DeliveryReports reports;
    push_batch(reports, 0, delivered_at(10), records(3, 0));
    push_batch(reports, 1, delivered_at(50), records(2, 3));
    kprod_report_t out[2];
    const int64_t expected_offsets[] = {10, 11, 12, 50, 51};
    const int32_t expected_partitions[] = {0, 0, 0, 1, 1};
    size_t seen = 0;
    for (size_t expected_take : {2u, 2u, 1u}) {
        const size_t taken = reports.take(out, 2, sizeof out[0], Clock::now());
        assert_int_equal(taken, expected_take);
        for (size_t i = 0; i < taken; ++i, ++seen) {
            assert_true(out[i].offset == expected_offsets[seen]);
            assert_int_equal(out[i].partition, expected_partitions[seen]);
            assert_ptr_equal(out[i].opaque, &opaques[seen]);
        }
        assert_int_equal(reports.ready_count(), 5 - seen);
    }
    assert_int_equal(seen, 5);
}

// A caller built against a later kprod.h passes a bigger struct: each report
// goes at its own element, and the fields we do not know are left alone.
void test_larger_stride_writes_each_report_at_its_element(void **) {
    struct NewerReport {
        kprod_report_t report;
        uint8_t future_fields[24];
    };
    DeliveryReports reports;
    push_batch(reports, 2, delivered_at(7), records(3));
    NewerReport out[4];
    std::memset(out, 0xAB, sizeof out);
    assert_int_equal(reports.take(&out[0].report, 4, sizeof out[0], Clock::now()), 3);
    for (size_t i = 0; i < 3; ++i) {
        assert_true(out[i].report.offset == 7 + static_cast<int64_t>(i));
        assert_ptr_equal(out[i].report.opaque, &opaques[i]);
        assert_int_equal(out[i].report.partition, 2);
        for (uint8_t byte : out[i].future_fields) assert_int_equal(byte, 0xAB);
    }
    const auto *untouched = reinterpret_cast<const uint8_t *>(&out[3]);
    for (size_t i = 0; i < sizeof out[3]; ++i) assert_int_equal(untouched[i], 0xAB);
}

// A caller built against an older kprod.h passes a smaller struct: only its
// prefix of each report is written, and nothing past its array.
void test_smaller_stride_writes_only_the_prefix(void **) {
    const size_t old_size = offsetof(kprod_report_t, timestamp_ms);
    DeliveryReports reports;
    push_batch(reports, 4, delivered_at(20), records(2));
    std::vector<uint8_t> out(2 * old_size + 16, 0xCD);
    assert_int_equal(
        reports.take(reinterpret_cast<kprod_report_t *>(out.data()), 2, old_size, Clock::now()), 2);
    for (size_t i = 0; i < 2; ++i) {
        kprod_report_t report;
        std::memcpy(&report, out.data() + i * old_size, old_size);
        assert_true(report.offset == 20 + static_cast<int64_t>(i));
        assert_int_equal(report.partition, 4);
    }
    for (size_t i = 2 * old_size; i < out.size(); ++i) assert_int_equal(out[i], 0xCD);
}

void test_take_waits_until_the_deadline_when_nothing_is_ready(void **) {
    DeliveryReports reports;
    kprod_report_t out[1];
    const auto start = Clock::now();
    assert_int_equal(reports.take(out, 1, sizeof out[0], start + 100ms), 0);
    const auto waited = Clock::now() - start;
    assert_true(waited >= 100ms);
    assert_true(waited < 10s);  // generous: only "not forever"
}

// A deadline already past (kprod_poll_reports with timeout 0) must not wait at all:
// condition_variable::wait_until slept ~60 us per call even then, which made every
// non-blocking poll with nothing ready cost that much.
void test_take_with_no_time_left_returns_at_once(void **) {
    DeliveryReports reports;
    kprod_report_t out[1];
    const auto start = Clock::now();
    for (int i = 0; i < 10000; ++i)
        assert_int_equal(reports.take(out, 1, sizeof out[0], Clock::now()), 0);
    // A wait sleeps at least the timer slack (50 us): 10,000 waits take 500 ms
    // or more (about 600 ms here); no waits take a few ms, tens under TSan.
    assert_true(Clock::now() - start < 450ms);
}

void test_take_wakes_when_a_batch_is_pushed(void **) {
    DeliveryReports reports;
    reports.record_accepted(1);
    std::thread sender([&] {
        std::this_thread::sleep_for(20ms);
        std::vector<RecordMeta> metas = records(1);
        reports.push(kTopic, 0, delivered_at(5), metas);
    });
    kprod_report_t out[1];
    const auto start = Clock::now();
    const size_t taken = reports.take(out, 1, sizeof out[0], far_deadline());
    sender.join();
    assert_int_equal(taken, 1);
    assert_true(out[0].offset == 5);
    assert_true(Clock::now() - start < 10s);
}

void test_wait_all_finished_returns_when_the_last_report_is_ready(void **) {
    DeliveryReports reports;
    reports.record_accepted(3);
    std::thread sender([&] {
        std::vector<RecordMeta> first = records(2);
        reports.push(kTopic, 0, delivered_at(0), first);
        std::this_thread::sleep_for(20ms);
        std::vector<RecordMeta> second = records(1, 2);
        reports.push(kTopic, 0, delivered_at(2), second);
    });
    const auto start = Clock::now();
    const bool finished = reports.wait_all_finished(far_deadline());
    sender.join();
    assert_true(finished);
    assert_int_equal(reports.unfinished(), 0);
    assert_int_equal(reports.ready_count(), 3);  // finished is not taken
    assert_true(Clock::now() - start < 10s);
}

// kprod_conf_set_sender_report_cb: push hands each record's report to the
// callback, after the acknowledgement hook, and keeps nothing for take();
// a flush still learns when the last record is done.
struct HandedOver {
    std::vector<std::string> order;  // "ack:N" / "cb:N" by offset
    std::vector<kprod_report_t> reports;
};

void test_report_on_push_hands_each_report_over_and_keeps_none(void **) {
    DeliveryReports reports;
    HandedOver seen;
    reports.set_acknowledgement_hook([&](const kprod_report_t &report) {
        seen.order.push_back("ack:" + std::to_string(report.offset));
    });
    reports.set_report_on_push(
        [](const kprod_report_t *report, void *opaque) {
            auto *handed = static_cast<HandedOver *>(opaque);
            handed->order.push_back("cb:" + std::to_string(report->offset));
            handed->reports.push_back(*report);
        },
        &seen);
    push_batch(reports, 3, delivered_at(40), records(2));
    reports.record_accepted(1);
    assert_int_equal(reports.unfinished(), 1);
    std::thread sender([&] {
        std::this_thread::sleep_for(20ms);
        std::vector<RecordMeta> last = records(1, 2);
        reports.push(kTopic, 3, delivered_at(42), last);
    });
    assert_true(reports.wait_all_finished(far_deadline()));
    sender.join();

    const std::vector<std::string> order = {"ack:40", "cb:40",  "ack:41",
                                            "cb:41",  "ack:42", "cb:42"};
    assert_true(seen.order == order);
    for (size_t i = 0; i < 3; ++i) {
        const kprod_report_t &report = seen.reports[i];
        assert_int_equal(report.err, KPROD_OK);
        assert_int_equal(report.persisted, KPROD_PERSISTED);
        assert_ptr_equal(report.topic, kTopic);
        assert_int_equal(report.partition, 3);
        assert_int_equal(report.offset, 40 + static_cast<int64_t>(i));
        assert_ptr_equal(report.opaque, &opaques[i]);
        assert_int_equal(report.timestamp_ms, 1000 * static_cast<int64_t>(i + 1));
    }
    assert_int_equal(reports.unfinished(), 0);
    assert_int_equal(reports.ready_count(), 0);
    kprod_report_t out[4];
    assert_int_equal(reports.take(out, 4, sizeof out[0], Clock::now()), 0);
}

// kprod_send counts a record before append() may refuse it; undoing the
// count of the last unfinished record must wake a flush.
void test_wait_all_finished_wakes_on_record_not_accepted(void **) {
    DeliveryReports reports;
    reports.record_accepted(2);
    std::vector<RecordMeta> delivered = records(1);
    reports.push(kTopic, 0, delivered_at(0), delivered);
    std::thread sender([&] {
        std::this_thread::sleep_for(20ms);
        reports.record_not_accepted();
    });
    const bool finished = reports.wait_all_finished(far_deadline());
    sender.join();
    assert_true(finished);
    assert_int_equal(reports.unfinished(), 0);
    assert_int_equal(reports.ready_count(), 1);
}

void test_wait_all_finished_times_out_while_records_are_unfinished(void **) {
    DeliveryReports reports;
    reports.record_accepted(1);
    const auto start = Clock::now();
    assert_false(reports.wait_all_finished(start + 50ms));
    assert_true(Clock::now() - start >= 50ms);
    assert_int_equal(reports.unfinished(), 1);
}

void test_record_not_accepted_undoes_record_accepted(void **) {
    DeliveryReports reports;
    reports.record_accepted();
    reports.record_accepted();
    assert_int_equal(reports.unfinished(), 2);
    reports.record_not_accepted();
    assert_int_equal(reports.unfinished(), 1);
    reports.record_not_accepted();
    assert_int_equal(reports.unfinished(), 0);
    assert_true(reports.wait_all_finished(Clock::now()));
    assert_int_equal(reports.ready_count(), 0);  // a refused record has no report
}

// A closed producer pushes no more reports: a taker must not wait for one (the
// Go binding's report goroutine waits with no limit and stops on this).
void test_take_does_not_wait_after_close(void **) {
    DeliveryReports reports;
    reports.record_accepted(1);
    std::vector<RecordMeta> metas = records(1);
    reports.push(kTopic, 0, delivered_at(7), metas);
    reports.close();
    kprod_report_t out[2];
    const auto start = Clock::now();
    assert_int_equal(reports.take(out, 2, sizeof out[0], far_deadline()), 1);  // what is left
    assert_int_equal(reports.take(out, 2, sizeof out[0], far_deadline()), 0);
    assert_true(Clock::now() - start < 10s);
}

void test_close_wakes_a_waiting_take(void **) {
    DeliveryReports reports;
    std::thread closer([&] {
        std::this_thread::sleep_for(20ms);
        reports.close();
    });
    kprod_report_t out[1];
    const auto start = Clock::now();
    assert_int_equal(reports.take(out, 1, sizeof out[0], Clock::time_point::max()), 0);
    closer.join();
    assert_true(Clock::now() - start < 10s);
}

// Reports left by a partial take come before those pushed after it.
void test_reports_pushed_after_a_partial_take_come_after_its_rest(void **) {
    DeliveryReports reports;
    push_batch(reports, 0, delivered_at(10), records(3));
    kprod_report_t out[8];
    assert_int_equal(reports.take(out, 2, sizeof out[0], far_deadline()), 2);
    push_batch(reports, 1, delivered_at(20), records(2, 3));
    assert_int_equal(reports.take(out, 8, sizeof out[0], far_deadline()), 3);
    assert_true(out[0].partition == 0 && out[0].offset == 12 && out[0].opaque == &opaques[2]);
    assert_true(out[1].partition == 1 && out[1].offset == 20 && out[1].opaque == &opaques[3]);
    assert_true(out[2].partition == 1 && out[2].offset == 21 && out[2].opaque == &opaques[4]);
    assert_int_equal(reports.ready_count(), 0);
}

// One taker waits for reports; a second, with a short deadline, gets nothing
// and returns at its deadline instead of queueing behind the first.
void test_second_taker_keeps_its_own_deadline(void **) {
    DeliveryReports reports;
    reports.record_accepted(1);
    size_t first_taken = 0;
    std::thread first([&] {
        kprod_report_t out[1];
        first_taken = reports.take(out, 1, sizeof out[0], far_deadline());
    });
    std::this_thread::sleep_for(20ms);  // the first taker is waiting
    kprod_report_t out[1];
    const auto start = Clock::now();
    assert_int_equal(reports.take(out, 1, sizeof out[0], Clock::now() + 50ms), 0);
    const auto waited = Clock::now() - start;
    assert_true(waited >= 45ms && waited < 5s);
    std::vector<RecordMeta> metas = records(1);
    reports.push(kTopic, 0, delivered_at(1), metas);
    first.join();
    assert_int_equal(first_taken, 1);
}

// A Sender pushing 2,000 batches while three threads take in small pieces:
// every record is reported exactly once, and each batch's offsets in order.
void test_concurrent_takers_get_every_report_once(void **) {
    constexpr size_t kBatches = 2000;
    constexpr size_t kPerBatch = 5;
    static int tags[kBatches * kPerBatch];
    DeliveryReports reports;
    std::atomic<size_t> taken_total{0};
    std::mutex seen_mutex;
    std::vector<int> seen(kBatches * kPerBatch, 0);
    bool in_order = true;
    auto taker = [&] {
        kprod_report_t out[7];
        int64_t last_offset[kBatches];
        std::fill(last_offset, last_offset + kBatches, -1);
        while (taken_total.load() < kBatches * kPerBatch) {
            const size_t n = reports.take(out, 7, sizeof out[0], Clock::now() + 5ms);
            std::lock_guard lock(seen_mutex);
            for (size_t i = 0; i < n; ++i) {
                const size_t index = static_cast<size_t>(static_cast<int *>(out[i].opaque) - tags);
                ++seen[index];
                const size_t batch = index / kPerBatch;
                if (out[i].offset <= last_offset[batch]) in_order = false;
                last_offset[batch] = out[i].offset;
            }
            taken_total += n;
        }
    };
    std::thread takers[3] = {std::thread(taker), std::thread(taker), std::thread(taker)};
    for (size_t b = 0; b < kBatches; ++b) {
        std::vector<RecordMeta> metas;
        for (size_t i = 0; i < kPerBatch; ++i) metas.push_back({&tags[b * kPerBatch + i], 0, 0});
        push_batch(reports, 0, delivered_at(static_cast<int64_t>(b * kPerBatch)), metas);
    }
    for (std::thread &t : takers) t.join();
    assert_int_equal(taken_total.load(), kBatches * kPerBatch);
    for (int count : seen) assert_int_equal(count, 1);
    assert_true(in_order);
    assert_int_equal(reports.ready_count(), 0);
    assert_int_equal(reports.unfinished(), 0);
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_take_gives_one_report_per_record_with_its_offset),
        cmocka_unit_test(test_log_append_time_replaces_the_record_timestamp),
        cmocka_unit_test(test_failed_batch_reports_no_offset),
        cmocka_unit_test(test_reports_carry_latency_attempts_broker_and_texts),
        cmocka_unit_test(test_keep_text_is_bounded),
        cmocka_unit_test(test_partial_takes_cross_entries),
        cmocka_unit_test(test_larger_stride_writes_each_report_at_its_element),
        cmocka_unit_test(test_smaller_stride_writes_only_the_prefix),
        cmocka_unit_test(test_take_waits_until_the_deadline_when_nothing_is_ready),
        cmocka_unit_test(test_take_with_no_time_left_returns_at_once),
        cmocka_unit_test(test_take_wakes_when_a_batch_is_pushed),
        cmocka_unit_test(test_wait_all_finished_returns_when_the_last_report_is_ready),
        cmocka_unit_test(test_wait_all_finished_wakes_on_record_not_accepted),
        cmocka_unit_test(test_wait_all_finished_times_out_while_records_are_unfinished),
        cmocka_unit_test(test_report_on_push_hands_each_report_over_and_keeps_none),
        cmocka_unit_test(test_record_not_accepted_undoes_record_accepted),
        cmocka_unit_test(test_take_does_not_wait_after_close),
        cmocka_unit_test(test_close_wakes_a_waiting_take),
        cmocka_unit_test(test_reports_pushed_after_a_partial_take_come_after_its_rest),
        cmocka_unit_test(test_second_taker_keeps_its_own_deadline),
        cmocka_unit_test(test_concurrent_takers_get_every_report_once),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
