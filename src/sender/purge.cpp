// kprod_purge on the Sender: takes records back from the queues and from the
// requests in flight, each with its one report (KPROD_ERR_PURGED), and keeps
// the idempotent producer's sequence numbers valid.
//
// A queued batch never sent holds no sequence numbers; one waiting for a
// retry is given up as an expired batch is (PartitionSequences decides
// whether its partition starts over). A batch in flight is reported at once
// as possibly persisted, but its buffer stays with the request until the
// answer (or the connection's end) comes: only then do we learn whether the
// broker wrote it, and that settles its sequence numbers as an answer to any
// batch given up would (acknowledged: acked; refused or unknown: given up).
// The answer is reported to nobody. So nothing the broker may hold is ever
// sent again under a new epoch, as docs/DESIGN.md "Idempotence" requires.
#include <future>

#include "protocol/error_codes.h"
#include "protocol/produce_messages.h"
#include "sender/sender.h"

namespace kprod::client {

// Runs on: sender thread.
Sender::ProduceInFlightList::iterator Sender::track_in_flight(
    std::vector<ProducerBatch *> batches) {
    if (spare_in_flight_.empty()) spare_in_flight_.emplace_back();
    produce_in_flight_.splice(produce_in_flight_.end(), spare_in_flight_, spare_in_flight_.begin());
    auto request = std::prev(produce_in_flight_.end());
    request->batches = std::move(batches);
    request->purged = false;
    return request;
}

// Runs on: sender thread.
void Sender::untrack_in_flight(ProduceInFlightList::iterator request) {
    request->batches.clear();
    spare_in_flight_.splice(spare_in_flight_.end(), produce_in_flight_, request);
}

void Sender::purge(int flags) {
    std::promise<void> done;
    asio::post(io_, [&] {
        purge_now(flags);
        done.set_value();
    });
    done.get_future().wait();
}

// In flight first: those batches are older than the queued ones of their
// partitions, and reports keep each partition's order.
// Runs on: sender thread. Locks: partition queues, one at a time.
void Sender::purge_now(int flags) {
    size_t in_flight = 0;
    if (flags & KPROD_PURGE_IN_FLIGHT) {
        for (ProduceInFlight &request : produce_in_flight_) {
            if (request.purged) continue;
            request.purged = true;
            for (ProducerBatch *batch : request.batches) {
                metrics_.record_error(*batch);
                if (transactions_.enabled())
                    transactions_.on_batch_failed(KPROD_ERR_PURGED, 0,
                                                  describe(*batch) + ": purged in flight");
                BatchOutcome outcome;
                outcome.err = KPROD_ERR_PURGED;
                outcome.persisted = KPROD_POSSIBLY_PERSISTED;
                set_batch_facts(outcome, *batch, Clock::now());
                reports_.push(*batch, outcome);
                ++in_flight;
            }
        }
    }
    size_t queued = 0;
    if (flags & KPROD_PURGE_QUEUED) queued = fail_waiting_batches(KPROD_ERR_PURGED);
    logger_.info("", "kprod_purge: " + std::to_string(queued) + " queued and " +
                         std::to_string(in_flight) + " in-flight batches purged");
    wakeup();  // threads waiting for memory may go on
}

// The answer to a request whose batches kprod_purge reported: settles their
// sequence numbers, then frees them.
// Runs on: sender thread.
void Sender::settle_purged(int16_t version, const std::vector<ProducerBatch *> &batches,
                           net::RequestStatus status, const uint8_t *body, size_t size) {
    protocol::ProduceResponse response;
    const bool parsed = status == net::RequestStatus::kAnswered &&
                        protocol::decode_produce_response(body, size, version, response);
    if (parsed) answers_.index(response);
    for (ProducerBatch *batch : batches) {
        const ProduceAnswers::Answer *answer =
            parsed ? answers_.find(batch->topic->name, batch->partition) : nullptr;
        const bool written = answer && (answer->error_code == protocol::kNone ||
                                        answer->error_code == protocol::kDuplicateSequenceNumber);
        if (written && identity_.enabled()) {
            queue_of(batch).sequences.on_acked(batch->identity_generation, batch->first_sequence,
                                               batch->record_count());
        } else if (!written) {
            const bool refused = answer
                                     ? !protocol::kafka_error_may_have_persisted(
                                           answer->error_code, static_cast<int16_t>(config_.acks))
                                     : status == net::RequestStatus::kNotSent;
            if (!refused) batch->maybe_persisted = true;
            give_up_sequences(batch);
        }
        batch->state = BatchState::kFailed;
        accumulator_.release(batch);
    }
    wakeup();
}

}  // namespace kprod::client
