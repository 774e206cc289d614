// MetricWindow: one recorded quantity (records per request, batch sizes,
// request latencies, ...) kept the way Java's metrics keep a sensor's stats:
// cumulative totals, plus metrics.num.samples + 1 samples of
// metrics.sample.window.ms each, from which the windowed average, maximum and
// rates are computed (SampledStat, Avg, Max, Rate and Meter in
// org.apache.kafka.common.metrics.stats, apache/kafka@1eb7644349c).
// One thread records at a time (the Sender, or a thread holding the
// BufferPool's mutex); any thread reads, without a lock: a sequence counter
// (a seqlock) tells a reader that it raced a write, and it reads again. The
// writer never waits for a reader, and reading changes nothing (Java's
// measure() resets obsolete samples; here read() only leaves them out).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>

namespace kprod::client {

struct MetricWindowSettings {
    int64_t window_ms = 30000;  // metrics.sample.window.ms
    int32_t samples = 2;        // metrics.num.samples
};

// The clock every metric uses, in milliseconds: steady, so that a rate never
// sees time go backwards.
inline int64_t metric_time_ms(std::chrono::steady_clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

class MetricWindow {
public:
    explicit MetricWindow(MetricWindowSettings settings);
    MetricWindow(const MetricWindow &) = delete;
    MetricWindow &operator=(const MetricWindow &) = delete;

    // Adds one value at now_ms. One thread at a time; never blocks.
    void record(double value, int64_t now_ms);

    // A consistent view of the totals and of the samples still in the window.
    struct Reading {
        double total = 0;         // every value ever recorded, summed
        int64_t total_count = 0;  // how many values were ever recorded
        double sum = 0;           // within the window
        int64_t count = 0;        // within the window
        double max = -std::numeric_limits<double>::infinity();  // within the window
        int64_t window_ms = 1;  // what a rate divides by (Java's Rate.windowSize)

        // NaN when nothing was recorded within the window, as Java's Avg and Max.
        double average() const;
        double maximum() const;
        // Per second over the window (Java's Rate, default unit).
        double rate() const { return sum * 1000.0 / static_cast<double>(window_ms); }
        // Values recorded per second (Java's Rate over a WindowedCount).
        double count_rate() const {
            return static_cast<double>(count) * 1000.0 / static_cast<double>(window_ms);
        }
        // For values in nanoseconds: the fraction of the window they cover
        // (Java's Rate in TimeUnit.NANOSECONDS, e.g. bufferpool-wait-ratio).
        double fraction_of_time() const { return sum / (static_cast<double>(window_ms) * 1e6); }
    };
    // Retries while a write is under way (a few stores long). Runs on: any thread. Locks: none.
    Reading read(int64_t now_ms) const;

private:
    struct Sample {
        std::atomic<int64_t> start_ms{0};
        std::atomic<int64_t> last_event_ms{0};
        std::atomic<int64_t> count{0};
        std::atomic<double> sum{0};
        std::atomic<double> max{-std::numeric_limits<double>::infinity()};
    };
    void reset(Sample &sample, int64_t now_ms);
    // read()'s body, run between two looks at the sequence counter.
    Reading combine(int64_t now_ms) const;

    const int64_t window_ms_;
    const int32_t samples_;    // metrics.num.samples
    const int32_t ring_size_;  // samples_ + 1: Java keeps one more for the overlapping sample
    std::unique_ptr<Sample[]> ring_;
    int32_t current_ = 0;  // the writer's: the sample being filled

    // Odd while a write is under way; guards the following.
    std::atomic<uint64_t> sequence_{0};
    std::atomic<int32_t> created_{0};  // samples in use so far (Java's samples.size())
    std::atomic<double> total_{0};
    std::atomic<int64_t> total_count_{0};
};

}  // namespace kprod::client
