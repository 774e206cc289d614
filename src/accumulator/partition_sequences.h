// PartitionSequences: an idempotent producer's bookkeeping for one partition
// (what the Java client keeps in TxnPartitionEntry and TransactionManager):
// the sequence numbers handed out under one producer id and epoch (one
// ProducerIdentity generation), the last one the broker acknowledged, and
// whether the partition must start over at 0 under a newer epoch.
//
// The rules, as in the Java producer:
// - OUT_OF_ORDER_SEQUENCE_NUMBER for a batch that is not the next expected
//   one (an earlier batch is still being retried) is retried as it is.
// - For the next expected batch it means the broker and we disagree: the
//   partition restarts at 0 under a new epoch (KIP-360); so do
//   UNKNOWN_PRODUCER_ID and INVALID_PRODUCER_EPOCH.
// - A sent batch given up when the broker surely did not write it leaves a
//   hole: restart. When it may have been written, the sequence is
//   unresolved until every other sent batch of the partition settles: if
//   the acknowledgements cover it, it was written; otherwise restart.
// Only the partition that needs it restarts. Others keep their numbers and
// move to the new epoch (at 0) once none of their sent batches is unsettled,
// so no batch is ever written twice under two identities.
//
// Sequences are counted here without wrapping; on the wire they wrap from
// INT32_MAX to 0 (wire_sequence).
// Runs on: sender thread.
#pragma once

#include <algorithm>
#include <cstdint>

namespace kprod::client {

inline int32_t wire_sequence(int64_t sequence) {
    return static_cast<int32_t>(sequence % (static_cast<int64_t>(INT32_MAX) + 1));
}

class PartitionSequences {
public:
    static constexpr int64_t kNone = -1;

    uint64_t generation() const { return generation_; }
    bool restart_pending() const { return restart_pending_; }
    int64_t last_acked() const { return last_acked_; }
    int64_t next() const { return next_; }
    int unsettled() const { return unsettled_; }

    // Whether any batch of the partition may be sent now. Until the broker has
    // accepted one batch under this generation, one at a time: a broker with no
    // state for the producer takes any first sequence, so a later batch could
    // otherwise be written ahead of an earlier one that failed.
    bool may_send(int in_flight) const {
        return !restart_pending_ && (confirmed_ || in_flight == 0);
    }

    // Whether a batch that has no sequence numbers yet may get them now.
    bool may_assign(uint64_t current_generation) const {
        if (restart_pending_ || unresolved_end_ != kNone) return false;
        // Under a newer generation the partition starts at 0 once nothing sent
        // under the old one is unsettled (the broker would refuse old-epoch retries).
        return generation_ == current_generation || unsettled_ == 0;
    }

    // Numbers a batch of `record_count` records that is about to be sent for
    // the first time; returns its first sequence.
    int64_t assign(uint64_t current_generation, int32_t record_count) {
        if (generation_ != current_generation) restart(current_generation);
        const int64_t first = next_;
        next_ += record_count;
        ++unsettled_;
        return first;
    }

    // Starts over at 0 under a newer generation. The caller renumbers the
    // partition's sent batches that wait for a retry with assign().
    void restart(uint64_t new_generation) {
        generation_ = new_generation;
        next_ = 0;
        last_acked_ = kNone;
        unresolved_end_ = kNone;
        confirmed_ = false;
        restart_pending_ = false;
        unsettled_ = 0;
    }

    // The broker wrote the batch (or had it already: DUPLICATE_SEQUENCE_NUMBER).
    void on_acked(uint64_t generation, int64_t first, int32_t record_count) {
        if (generation != generation_) return;
        last_acked_ = std::max(last_acked_, first + record_count - 1);
        confirmed_ = true;
        settle();
    }

    // A sent batch the broker refused as too large became `pieces` batches
    // that keep its sequence numbers, in order (RecordAccumulator::split);
    // each settles on its own.
    void on_split(uint64_t generation, int pieces) {
        if (generation == generation_ && pieces > 1) unsettled_ += pieces - 1;
    }

    // The broker refused the batch with a producer-state error; the batch is retried.
    void on_sequence_error(uint64_t generation, int64_t first, bool out_of_order) {
        if (generation != generation_) return;
        if (out_of_order) {
            // An earlier batch is missing and being retried: this one follows it.
            if (unresolved_end_ == kNone && first != last_acked_ + 1) return;
            // After a batch given up undecided, only the batch right behind it tells.
            if (unresolved_end_ != kNone && first != unresolved_end_) return;
        }
        restart_pending_ = true;
    }

    // A sent batch is given up (failed or expired). `maybe_written`: an
    // attempt may have reached the log.
    void on_given_up(uint64_t generation, int64_t first, int32_t record_count, bool maybe_written) {
        if (generation != generation_) return;
        if (maybe_written)
            unresolved_end_ = std::max(unresolved_end_, first + record_count);
        else
            restart_pending_ = true;
        settle();
    }

private:
    void settle() {
        if (unsettled_ > 0) --unsettled_;
        if (unsettled_ > 0 || unresolved_end_ == kNone) return;
        // Everything sent is settled: either the acknowledgements reach the end
        // (the undecided batch was written, since later ones were accepted) or
        // there is a hole to start over from.
        if (last_acked_ + 1 != next_) restart_pending_ = true;
        unresolved_end_ = kNone;
    }

    uint64_t generation_ = 0;  // the ProducerIdentity generation the numbers count for
    int64_t next_ = 0;         // the next batch's first sequence
    int64_t last_acked_ = kNone;
    int64_t unresolved_end_ = kNone;  // one past the last sequence of batches given up undecided
    bool confirmed_ = false;          // the broker accepted a batch of this generation
    bool restart_pending_ = false;
    int unsettled_ = 0;  // batches sent under this generation and not yet acked or given up
};

}  // namespace kprod::client
