// DeliveryReports: finished batches waiting for the application to take their
// reports. The Sender pushes one entry per batch (not per record); reports
// are expanded record by record only when the application polls. With a
// report callback on the Sender thread, nothing waits: push hands them over.
// The Sender and the takers share only an inbox, locked for a push or a swap:
// a taker writes its reports without that lock, so the Sender never waits
// (and sleeps) while thousands of reports are written.
// Runs on: sender thread (push), application thread (kprod_poll: take, wait).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "accumulator/producer_batch.h"
#include "base/striped_counter.h"
#include "kprod.h"

namespace kprod::client {

// A text the broker gave about one record of a refused batch (KIP-467).
struct RecordError {
    int32_t batch_index;
    const char *message;  // kept by DeliveryReports::keep_text
};

struct BatchOutcome {
    using Clock = std::chrono::steady_clock;

    kprod_err_t err = KPROD_OK;
    int16_t broker_error = 0;
    kprod_persisted_t persisted = KPROD_NOT_PERSISTED;
    int64_t base_offset = -1;
    int64_t log_append_time_ms = -1;  // the broker's timestamp for LogAppendTime topics
    // The batch's own facts (set_batch_facts): its creation (records' append
    // times count from it), when it finished, its attempts and last broker.
    Clock::time_point created{};
    Clock::time_point finished{};
    int32_t attempts = 0;
    int32_t broker_id = -1;
    // The broker's texts for a refused batch (kept by DeliveryReports::keep_text):
    // one for every record, or, when it named records, each named one's own
    // and `error_message` for the others.
    const char *error_message = nullptr;
    std::vector<RecordError> record_errors{};
};

// Fills in `outcome`'s facts of `batch`, which finishes at `finished`.
void set_batch_facts(BatchOutcome &outcome, const ProducerBatch &batch,
                     BatchOutcome::Clock::time_point finished);

class DeliveryReports {
public:
    using Clock = std::chrono::steady_clock;

    // Counts records accepted by kprod_send whose report is not ready yet.
    // Sending threads count on stripes of their own, the Sender counts what
    // finished: several sending threads share no cache line per record.
    void record_accepted(size_t n = 1) { accepted_.add(static_cast<int64_t>(n)); }
    // Undoes record_accepted for a record that append() refused after all.
    void record_not_accepted() { finish_unqueued(1); }
    // Finished first: counts only grow, so the accepted read after it is never smaller.
    size_t unfinished() const {
        const auto finished = static_cast<int64_t>(finished_.load(std::memory_order_seq_cst));
        return static_cast<size_t>(accepted_.sum() - finished);
    }

    // Called with each record's report as it is pushed, before the application
    // can take it (interceptors' on_acknowledgement). Set before the Sender starts.
    void set_acknowledgement_hook(std::function<void(const kprod_report_t &)> hook) {
        acknowledgement_hook_ = std::move(hook);
    }

    // Hands each report to cb on the pushing thread (after the acknowledgement
    // hook) instead of keeping it for take(): no taker to wake, one thread hop
    // less a batch. Set before the Sender starts.
    void set_report_on_push(kprod_report_cb cb, void *opaque) {
        report_on_push_ = cb;
        report_on_push_opaque_ = opaque;
    }

    // Queues the reports of every record in `records` (moved from) as one
    // entry, or hands them to the report_on_push callback.
    void push(const char *topic, int32_t partition, const BatchOutcome &outcome,
              std::vector<RecordMeta> &records);
    // The same for a finished batch's records (their report data is moved out).
    void push(ProducerBatch &batch, const BatchOutcome &outcome);

    // Moves up to `capacity` reports into `out` (each `stride` bytes apart),
    // waiting until `deadline` for the first; after close(), it never waits.
    size_t take(kprod_report_t *out, size_t capacity, size_t stride, Clock::time_point deadline);

    // A copy of `text` that stays valid until this object is destroyed (one per
    // distinct text), for reports' error messages; past kMaxKeptTextBytes of
    // texts, a fixed note instead. Runs on: sender thread.
    const char *keep_text(std::string_view text);
    static constexpr size_t kMaxKeptTextBytes = 1 << 20;

    // Waits until every accepted record has a ready report, or the deadline.
    bool wait_all_finished(Clock::time_point deadline);

    // Records with a ready report that has not been taken.
    size_t ready_count() const { return ready_records_.load(std::memory_order_acquire); }

    // Called once the Sender has stopped: no report will be pushed again, so
    // take() stops waiting, and threads waiting in it wake up.
    void close();

private:
    struct Entry {
        const char *topic;
        int32_t partition;
        BatchOutcome outcome;
        std::vector<RecordMeta> records;
        size_t next = 0;  // records before this one were taken already
    };
    static void fill_range(const Entry &entry, size_t first, size_t count, kprod_report_t *out);

    // `n` records are done with nothing queued for take(): a flush waiting for
    // the last of them wakes (under the lock, so that a flush between its check
    // and its wait sees it).
    void finish_unqueued(size_t n) {
        if (count_finished(n)) {
            std::lock_guard lock(inbox_mutex_);
            all_finished_.notify_all();
        }
    }
    // Adds `n` finished records; true when that finished every accepted one. The
    // last of concurrent finishers sees every accept of the records finished before.
    bool count_finished(size_t n) {
        const size_t finished = finished_.fetch_add(n, std::memory_order_seq_cst) + n;
        return static_cast<size_t>(accepted_.sum()) == finished;
    }

    // Moves the inbox's entries behind taking_'s; inbox_mutex_ held, by the active taker.
    void move_inbox_to_taking();

    std::function<void(const kprod_report_t &)> acknowledgement_hook_;
    kprod_report_cb report_on_push_ = nullptr;
    void *report_on_push_opaque_ = nullptr;
    StripedCounter accepted_;          // records kprod_send accepted
    std::atomic<size_t> finished_{0};  // of those, records reported or refused after all
    std::atomic<size_t> ready_records_{0};

    std::unordered_set<std::string> kept_texts_;  // Sender thread only
    size_t kept_text_bytes_ = 0;

    std::mutex inbox_mutex_;                 // guards the following
    std::condition_variable reports_ready_;  // a taker may take, or closed
    std::condition_variable all_finished_;   // unfinished() reached 0, or closed
    std::deque<Entry> inbox_;
    bool closed_ = false;
    // While a taker writes reports from taking_ (without the lock), taking_ is
    // its own; another waits for its turn. (Not a std::timed_mutex: TSan does
    // not see its locks with a steady-clock deadline.)
    bool taker_active_ = false;

    std::deque<Entry> taking_;
};

}  // namespace kprod::client
