// PartitionSequences: when an idempotent producer's partition keeps its
// sequence numbers, and when it must start over under a new epoch.

#include <cstdint>

#include "accumulator/partition_sequences.h"

extern "C" {
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
}

using kprod::client::PartitionSequences;
using kprod::client::wire_sequence;

namespace {

constexpr uint64_t kGeneration = 1;

// Three batches of 10 records sent under kGeneration: sequences 0, 10, 20.
PartitionSequences three_sent() {
    PartitionSequences sequences;
    for (int i = 0; i < 3; ++i) sequences.assign(kGeneration, 10);
    return sequences;
}

void test_numbers_follow_each_other_from_zero(void **) {
    PartitionSequences sequences;
    assert_int_equal(sequences.assign(kGeneration, 10), 0);
    assert_int_equal(sequences.assign(kGeneration, 5), 10);
    assert_int_equal(sequences.next(), 15);
    assert_int_equal(sequences.unsettled(), 2);
}

void test_wire_sequence_wraps_after_int32_max(void **) {
    assert_int_equal(wire_sequence(0), 0);
    assert_int_equal(wire_sequence(INT32_MAX), INT32_MAX);
    assert_int_equal(wire_sequence(static_cast<int64_t>(INT32_MAX) + 1), 0);
    assert_int_equal(wire_sequence(static_cast<int64_t>(INT32_MAX) + 6), 5);
}

// A broker with no state for the producer takes any first sequence: one
// batch at a time until it has accepted one.
void test_one_batch_in_flight_until_the_broker_accepts_one(void **) {
    PartitionSequences sequences;
    assert_true(sequences.may_send(0));
    sequences.assign(kGeneration, 10);
    assert_false(sequences.may_send(1));
    sequences.on_acked(kGeneration, 0, 10);
    assert_true(sequences.may_send(1));
    assert_true(sequences.may_send(4));
}

// The bug that wrote records twice: OUT_OF_ORDER for a newer batch while an
// older one is still unanswered (it went to the old leader) is no reason to
// start over. The batch is retried behind the older one.
void test_out_of_order_behind_an_unacknowledged_batch_keeps_the_numbers(void **) {
    PartitionSequences sequences = three_sent();
    sequences.on_sequence_error(kGeneration, 10, /*out_of_order=*/true);
    assert_false(sequences.restart_pending());
    sequences.on_acked(kGeneration, 0, 10);
    sequences.on_acked(kGeneration, 10, 10);
    sequences.on_acked(kGeneration, 20, 10);
    assert_false(sequences.restart_pending());
    assert_int_equal(sequences.last_acked(), 29);
    assert_int_equal(sequences.unsettled(), 0);
    assert_true(sequences.may_assign(kGeneration));
}

// OUT_OF_ORDER for the batch right after the last acknowledged one: the broker
// and the producer disagree; the partition starts over.
void test_out_of_order_for_the_next_expected_batch_restarts(void **) {
    PartitionSequences sequences = three_sent();
    sequences.on_acked(kGeneration, 0, 10);
    sequences.on_sequence_error(kGeneration, 10, true);
    assert_true(sequences.restart_pending());
    assert_false(sequences.may_send(0));
    assert_false(sequences.may_assign(kGeneration));
    // The restart renumbers the two refused batches from 0 under the new generation.
    sequences.restart(kGeneration + 1);
    assert_int_equal(sequences.assign(kGeneration + 1, 10), 0);
    assert_int_equal(sequences.assign(kGeneration + 1, 10), 10);
    assert_false(sequences.restart_pending());
    assert_int_equal(sequences.unsettled(), 2);
    assert_int_equal(sequences.last_acked(), PartitionSequences::kNone);
}

void test_first_batch_out_of_order_restarts(void **) {
    PartitionSequences sequences = three_sent();
    sequences.on_sequence_error(kGeneration, 0, true);
    assert_true(sequences.restart_pending());
}

void test_unknown_producer_id_restarts(void **) {
    PartitionSequences sequences = three_sent();
    sequences.on_acked(kGeneration, 0, 10);
    sequences.on_sequence_error(kGeneration, 20, /*out_of_order=*/false);
    assert_true(sequences.restart_pending());
}

// A batch the broker surely did not write leaves a hole at once.
void test_batch_given_up_unwritten_restarts(void **) {
    PartitionSequences sequences = three_sent();
    sequences.on_acked(kGeneration, 0, 10);
    sequences.on_given_up(kGeneration, 10, 10, /*maybe_written=*/false);
    assert_true(sequences.restart_pending());
}

// A batch given up that may be in the log: later acknowledgements prove it was.
void test_undecided_batch_resolved_by_a_later_acknowledgement(void **) {
    PartitionSequences sequences = three_sent();
    sequences.on_acked(kGeneration, 0, 10);
    sequences.on_given_up(kGeneration, 10, 10, /*maybe_written=*/true);
    assert_false(sequences.may_assign(kGeneration));  // wait until it is decided
    assert_true(sequences.may_send(1));               // the others go on
    sequences.on_acked(kGeneration, 20, 10);
    assert_false(sequences.restart_pending());
    assert_true(sequences.may_assign(kGeneration));
    assert_int_equal(sequences.assign(kGeneration, 10), 30);
}

// ... and when nothing after it was acknowledged, the partition starts over.
void test_undecided_batch_without_later_acknowledgement_restarts(void **) {
    PartitionSequences sequences = three_sent();
    sequences.on_acked(kGeneration, 0, 10);
    sequences.on_given_up(kGeneration, 10, 10, true);
    assert_false(sequences.restart_pending());  // the third is still unsettled
    sequences.on_given_up(kGeneration, 20, 10, true);
    assert_true(sequences.restart_pending());
}

// After an undecided batch, OUT_OF_ORDER for the batch right behind it means
// the undecided one was not written; for a batch further on it tells nothing.
void test_out_of_order_after_an_undecided_batch(void **) {
    PartitionSequences sequences;
    for (int i = 0; i < 4; ++i) sequences.assign(kGeneration, 10);
    sequences.on_acked(kGeneration, 0, 10);
    sequences.on_given_up(kGeneration, 10, 10, true);
    sequences.on_sequence_error(kGeneration, 30, true);
    assert_false(sequences.restart_pending());
    sequences.on_sequence_error(kGeneration, 20, true);
    assert_true(sequences.restart_pending());
}

// Another partition's restart bumped the epoch: this one keeps its numbers
// for the batches it sent, and moves to the new generation (at 0) once they settle.
void test_new_generation_waits_for_sent_batches_to_settle(void **) {
    PartitionSequences sequences = three_sent();
    assert_false(sequences.may_assign(kGeneration + 1));
    sequences.on_acked(kGeneration, 0, 10);
    sequences.on_acked(kGeneration, 10, 10);
    assert_false(sequences.may_assign(kGeneration + 1));
    sequences.on_acked(kGeneration, 20, 10);
    assert_true(sequences.may_assign(kGeneration + 1));
    assert_int_equal(sequences.assign(kGeneration + 1, 10), 0);
    assert_int_equal(sequences.generation(), kGeneration + 1);
    assert_false(sequences.may_send(1));  // not yet confirmed under the new generation
}

// Answers about batches numbered under an older generation change nothing.
void test_answers_from_an_older_generation_are_ignored(void **) {
    PartitionSequences sequences = three_sent();
    sequences.on_acked(kGeneration, 0, 10);
    sequences.on_sequence_error(kGeneration, 10, true);
    sequences.restart(kGeneration + 1);
    sequences.assign(kGeneration + 1, 10);
    sequences.on_sequence_error(kGeneration, 20, true);
    sequences.on_given_up(kGeneration, 20, 10, false);
    sequences.on_acked(kGeneration, 20, 10);
    assert_false(sequences.restart_pending());
    assert_int_equal(sequences.last_acked(), PartitionSequences::kNone);
    assert_int_equal(sequences.unsettled(), 1);
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_follow_each_other_from_zero),
        cmocka_unit_test(test_wire_sequence_wraps_after_int32_max),
        cmocka_unit_test(test_one_batch_in_flight_until_the_broker_accepts_one),
        cmocka_unit_test(test_out_of_order_behind_an_unacknowledged_batch_keeps_the_numbers),
        cmocka_unit_test(test_out_of_order_for_the_next_expected_batch_restarts),
        cmocka_unit_test(test_first_batch_out_of_order_restarts),
        cmocka_unit_test(test_unknown_producer_id_restarts),
        cmocka_unit_test(test_batch_given_up_unwritten_restarts),
        cmocka_unit_test(test_undecided_batch_resolved_by_a_later_acknowledgement),
        cmocka_unit_test(test_undecided_batch_without_later_acknowledgement_restarts),
        cmocka_unit_test(test_out_of_order_after_an_undecided_batch),
        cmocka_unit_test(test_new_generation_waits_for_sent_batches_to_settle),
        cmocka_unit_test(test_answers_from_an_older_generation_are_ignored),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
