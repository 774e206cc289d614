#include "accumulator/delivery_reports.h"

#include <algorithm>
#include <cstring>

#include "accumulator/topic.h"

namespace kprod::client {

void DeliveryReports::push(const char *topic, int32_t partition, const BatchOutcome &outcome,
                           std::vector<RecordMeta> &records) {
    const size_t n = records.size();
    Entry entry{topic, partition, outcome, std::move(records), 0};
    records.clear();
    if (acknowledgement_hook_ || report_on_push_) {
        kprod_report_t report;
        for (size_t i = 0; i < n; ++i) {
            fill_range(entry, i, 1, &report);
            if (acknowledgement_hook_) acknowledgement_hook_(report);
            if (report_on_push_) report_on_push_(&report, report_on_push_opaque_);
        }
    }
    if (report_on_push_) return finish_unqueued(n);
    bool all_finished;
    {
        std::lock_guard lock(inbox_mutex_);
        inbox_.push_back(std::move(entry));
        ready_records_.fetch_add(n, std::memory_order_acq_rel);
        all_finished = count_finished(n);
    }
    reports_ready_.notify_one();
    // Flushes wake once, not once a batch.
    if (all_finished) all_finished_.notify_all();
}

void DeliveryReports::push(ProducerBatch &batch, const BatchOutcome &outcome) {
    push(batch.topic->name.c_str(), batch.partition, outcome, batch.records());
}

void DeliveryReports::move_inbox_to_taking() {
    if (taking_.empty()) {
        taking_.swap(inbox_);
        return;
    }
    for (Entry &entry : inbox_) taking_.push_back(std::move(entry));
    inbox_.clear();
}

void set_batch_facts(BatchOutcome &outcome, const ProducerBatch &batch,
                     BatchOutcome::Clock::time_point finished) {
    outcome.created = batch.created;
    outcome.finished = finished;
    outcome.attempts = batch.attempts;
    outcome.broker_id = batch.last_broker;
}

const char *DeliveryReports::keep_text(std::string_view text) {
    auto kept = kept_texts_.find(std::string(text));
    if (kept != kept_texts_.end()) return kept->c_str();
    if (kept_text_bytes_ + text.size() > kMaxKeptTextBytes)
        return "(the broker's text was dropped: this producer keeps 1 MiB of them)";
    kept_text_bytes_ += text.size() + 1;
    return kept_texts_.emplace(text).first->c_str();
}

namespace {
// The record's own text when the broker named it, else the batch's.
void set_error_text(const BatchOutcome &outcome, size_t index, kprod_report_t &report) {
    report.error_message = outcome.error_message;
    report.record_error_index = -1;
    for (const RecordError &error : outcome.record_errors) {
        if (static_cast<size_t>(error.batch_index) != index) continue;
        report.error_message = error.message;
        report.record_error_index = error.batch_index;
    }
}
}  // namespace

// The reports of records [first, first + count) of one entry: the batch's
// fields are read once, not once per record (this runs for every record).
void DeliveryReports::fill_range(const Entry &entry, size_t first, size_t count,
                                 kprod_report_t *out) {
    const BatchOutcome &outcome = entry.outcome;
    const char *const topic = entry.topic;
    const int32_t partition = entry.partition;
    const RecordMeta *const meta = entry.records.data() + first;
    const bool broker_timestamp = outcome.log_append_time_ms >= 0;
    const bool known = outcome.base_offset >= 0;
    int64_t offset = known ? outcome.base_offset + static_cast<int64_t>(first) : -1;
    const int64_t offset_step = known ? 1 : 0;
    // A record's latency is the batch's age at the end less the batch's age at its append.
    const bool timed = outcome.created != BatchOutcome::Clock::time_point{};
    const int64_t batch_age_us =
        std::chrono::duration_cast<std::chrono::microseconds>(outcome.finished - outcome.created)
            .count();
    const bool texts = outcome.error_message != nullptr || !outcome.record_errors.empty();
    for (size_t i = 0; i < count; ++i, offset += offset_step) {
        kprod_report_t &report = out[i];
        report.version = KPROD_REPORT_VERSION;
        report.err = outcome.err;
        report.broker_error = outcome.broker_error;
        report.persisted = outcome.persisted;
        report.topic = topic;
        report.partition = partition;
        report.offset = offset;
        report.timestamp_ms = broker_timestamp ? outcome.log_append_time_ms : meta[i].timestamp_ms;
        report.opaque = meta[i].opaque;
        report.latency_us = timed ? std::max<int64_t>(batch_age_us - meta[i].appended_us, 0) : -1;
        report.broker_id = outcome.broker_id;
        report.attempts = outcome.attempts;
        report.error_message = nullptr;
        report.record_error_index = -1;
        if (texts) [[unlikely]]
            set_error_text(outcome, first + i, report);
    }
}

size_t DeliveryReports::take(kprod_report_t *out, size_t capacity, size_t stride,
                             Clock::time_point deadline) {
    std::unique_lock lock(inbox_mutex_);
    // One taker at a time writes reports (taking_ is its own while
    // taker_active_); a second waits for its turn no longer than its deadline.
    const auto can_take = [&] {
        return !taker_active_ && (!taking_.empty() || !inbox_.empty() || closed_);
    };
    // wait_until sleeps (at least the timer slack) even for a deadline already past:
    // a take with no time left (kprod_poll_reports with timeout 0) must not wait.
    if (!can_take() && deadline > Clock::now()) reports_ready_.wait_until(lock, deadline, can_take);
    if (taker_active_) return 0;
    taker_active_ = true;
    move_inbox_to_taking();
    lock.unlock();

    size_t taken = 0;
    // A caller built against this header gets its reports written in place;
    // another (older, smaller struct; or newer, larger) gets what both know.
    const bool same_struct = stride == sizeof(kprod_report_t);
    // An element of the first layout says so: its fields from version 2 on were not written.
    const unsigned written_version = stride < sizeof(kprod_report_t) ? 1 : KPROD_REPORT_VERSION;
    while (taken < capacity && !taking_.empty()) {
        Entry &entry = taking_.front();
        const size_t first = entry.next;
        const size_t count = std::min(capacity - taken, entry.records.size() - first);
        if (same_struct) {
            fill_range(entry, first, count, out + taken);
        } else {
            kprod_report_t report;
            for (size_t i = 0; i < count; ++i) {
                fill_range(entry, first + i, 1, &report);
                report.version = written_version;
                std::memcpy(reinterpret_cast<char *>(out) + (taken + i) * stride, &report,
                            stride < sizeof report ? stride : sizeof report);
            }
        }
        taken += count;
        entry.next = first + count;
        if (entry.next == entry.records.size()) taking_.pop_front();
    }
    ready_records_.fetch_sub(taken, std::memory_order_acq_rel);
    lock.lock();
    taker_active_ = false;
    const bool more = !taking_.empty() || !inbox_.empty();
    lock.unlock();
    if (more) reports_ready_.notify_one();  // a taker that waited for its turn
    return taken;
}

bool DeliveryReports::wait_all_finished(Clock::time_point deadline) {
    std::unique_lock lock(inbox_mutex_);
    return all_finished_.wait_until(lock, deadline, [&] { return unfinished() == 0; });
}

void DeliveryReports::close() {
    {
        std::lock_guard lock(inbox_mutex_);
        closed_ = true;
    }
    reports_ready_.notify_all();
    all_finished_.notify_all();
}

}  // namespace kprod::client
