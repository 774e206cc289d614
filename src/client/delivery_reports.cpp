#include "client/delivery_reports.h"

#include <cstring>

namespace kprod::client {

void DeliveryReports::push(const char *topic, int32_t partition, const BatchOutcome &outcome,
                           std::vector<RecordMeta> &records) {
    const size_t n = records.size();
    if (acknowledgement_hook_) {
        kprod_report_t report;
        for (size_t i = 0; i < n; ++i) {
            fill(topic, partition, outcome, records, i, report);
            acknowledgement_hook_(report);
        }
    }
    {
        std::lock_guard lock(mutex_);
        entries_.push_back({topic, partition, outcome, std::move(records), 0});
        ready_records_ += n;
        unfinished_.fetch_sub(n, std::memory_order_acq_rel);
    }
    records.clear();
    changed_.notify_all();
}

void DeliveryReports::fill(const char *topic, int32_t partition, const BatchOutcome &outcome,
                           const std::vector<RecordMeta> &records, size_t index,
                           kprod_report_t &report) {
    const RecordMeta &meta = records[index];
    report.err = outcome.err;
    report.broker_error = outcome.broker_error;
    report.persisted = outcome.persisted;
    report.topic = topic;
    report.partition = partition;
    report.offset = outcome.base_offset >= 0 ? outcome.base_offset + static_cast<int64_t>(index) : -1;
    report.timestamp_ms = outcome.log_append_time_ms >= 0 ? outcome.log_append_time_ms
                                                          : meta.timestamp_ms;
    report.opaque = meta.opaque;
}

size_t DeliveryReports::take(kprod_report_t *out, size_t capacity, size_t stride,
                             Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    const auto ready = [&] { return ready_records_ > 0 || closed_; };
    // wait_until sleeps (the timer slack, ~60 us) even for a deadline already past:
    // a take with no time left (kprod_poll_reports with timeout 0) must not wait.
    if (!ready() && deadline > Clock::now()) changed_.wait_until(lock, deadline, ready);
    size_t taken = 0;
    // A caller built against this header gets its reports written in place;
    // another (older, smaller struct; or newer, larger) gets what both know.
    const bool same_struct = stride == sizeof(kprod_report_t);
    kprod_report_t report;
    while (taken < capacity && !entries_.empty()) {
        Entry &entry = entries_.front();
        while (taken < capacity && entry.next < entry.records.size()) {
            if (same_struct) {
                fill(entry.topic, entry.partition, entry.outcome, entry.records, entry.next++,
                     out[taken]);
            } else {
                fill(entry.topic, entry.partition, entry.outcome, entry.records, entry.next++,
                     report);
                std::memcpy(reinterpret_cast<char *>(out) + taken * stride, &report,
                            stride < sizeof report ? stride : sizeof report);
            }
            ++taken;
        }
        if (entry.next == entry.records.size()) entries_.pop_front();
    }
    ready_records_ -= taken;
    return taken;
}

bool DeliveryReports::wait_all_finished(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, [&] { return unfinished() == 0; });
}

void DeliveryReports::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    changed_.notify_all();
}

size_t DeliveryReports::ready_count() const {
    std::lock_guard lock(mutex_);
    return ready_records_;
}

}  // namespace kprod::client
