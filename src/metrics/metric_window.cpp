#include "metrics/metric_window.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace kprod::client {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;
}  // namespace

double MetricWindow::Reading::average() const {
    return count == 0 ? std::nan("") : sum / static_cast<double>(count);
}

double MetricWindow::Reading::maximum() const {
    return count == 0 ? std::nan("") : max;
}

MetricWindow::MetricWindow(MetricWindowSettings settings)
    : window_ms_(std::max<int64_t>(settings.window_ms, 0)),
      samples_(std::max<int32_t>(settings.samples, 1)),
      ring_size_(samples_ + 1),
      ring_(std::make_unique<Sample[]>(static_cast<size_t>(ring_size_))) {}

void MetricWindow::reset(Sample &sample, int64_t now_ms) {
    sample.start_ms.store(now_ms, kRelaxed);
    sample.last_event_ms.store(now_ms, kRelaxed);
    sample.count.store(0, kRelaxed);
    sample.sum.store(0, kRelaxed);
    sample.max.store(-std::numeric_limits<double>::infinity(), kRelaxed);
}

// Java's SampledStat.record: a sample that has spanned the window is complete,
// and the next one (reset, or created while fewer exist) takes the value.
void MetricWindow::record(double value, int64_t now_ms) {
    const uint64_t sequence = sequence_.load(kRelaxed);
    sequence_.store(sequence + 1, kRelaxed);
    std::atomic_thread_fence(std::memory_order_release);

    const int32_t created = created_.load(kRelaxed);
    if (created == 0) {
        reset(ring_[0], now_ms);
        created_.store(1, kRelaxed);
        current_ = 0;
    } else if (now_ms - ring_[current_].start_ms.load(kRelaxed) >= window_ms_) {
        current_ = (current_ + 1) % ring_size_;
        if (current_ >= created) created_.store(created + 1, kRelaxed);
        reset(ring_[current_], now_ms);
    }
    Sample &sample = ring_[current_];
    sample.sum.store(sample.sum.load(kRelaxed) + value, kRelaxed);
    sample.max.store(std::max(sample.max.load(kRelaxed), value), kRelaxed);
    sample.count.store(sample.count.load(kRelaxed) + 1, kRelaxed);
    sample.last_event_ms.store(now_ms, kRelaxed);
    total_.store(total_.load(kRelaxed) + value, kRelaxed);
    total_count_.store(total_count_.load(kRelaxed) + 1, kRelaxed);

    sequence_.store(sequence + 2, std::memory_order_release);
}

MetricWindow::Reading MetricWindow::read(int64_t now_ms) const {
    while (true) {
        const uint64_t before = sequence_.load(std::memory_order_acquire);
        if (before % 2 == 1) {
            std::this_thread::yield();
            continue;
        }
        const Reading reading = combine(now_ms);
        std::atomic_thread_fence(std::memory_order_acquire);
        if (sequence_.load(kRelaxed) == before) return reading;
    }
}

// Java's purgeObsoleteSamples, then Avg/Max/WindowedSum.combine and
// Rate.windowSize, over what the samples hold now. A sample without an event
// for metrics.num.samples windows counts as empty and as starting now.
MetricWindow::Reading MetricWindow::combine(int64_t now_ms) const {
    Reading reading;
    reading.total = total_.load(kRelaxed);
    reading.total_count = total_count_.load(kRelaxed);
    const int64_t expire_age = static_cast<int64_t>(samples_) * window_ms_;
    const int32_t created = std::min(created_.load(kRelaxed), ring_size_);
    int64_t oldest_start = now_ms;
    for (int32_t i = 0; i < created; ++i) {
        const Sample &sample = ring_[i];
        if (now_ms - sample.last_event_ms.load(kRelaxed) >= expire_age) continue;
        oldest_start = std::min(oldest_start, sample.start_ms.load(kRelaxed));
        reading.count += sample.count.load(kRelaxed);
        reading.sum += sample.sum.load(kRelaxed);
        reading.max = std::max(reading.max, sample.max.load(kRelaxed));
    }
    // A young window counts as if it had run for metrics.num.samples - 1 full
    // windows already, so that a rate does not start out huge.
    int64_t elapsed = std::max<int64_t>(now_ms - oldest_start, 0);
    if (window_ms_ > 0) {
        const int64_t full_windows = elapsed / window_ms_;
        const int64_t wanted = samples_ - 1;
        if (full_windows < wanted) elapsed += (wanted - full_windows) * window_ms_;
    }
    reading.window_ms = std::max<int64_t>(elapsed, 1);
    return reading;
}

}  // namespace kprod::client
