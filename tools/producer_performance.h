// The parts of Kafka's ProducerPerformance that kprod-perf follows step for step:
// its statistics (the progress lines every 5 s and the final summary, in the same
// words) and its ThroughputThrottler. Nothing here knows kprod.
#pragma once

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

namespace kprod_perf {

constexpr int64_t kNanosPerMilli = 1'000'000;
constexpr int64_t kReportingIntervalMs = 5000;   // ProducerPerformance.Stats.reportingInterval
constexpr int64_t kMaxLatencySamples = 500'000;  // ProducerPerformance keeps at most this many

inline int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// ---------------------------------------------------------------------------
// Statistics: ProducerPerformance.Stats, fed by one thread at a time.

class Stats {
public:
    Stats(int64_t num_records, int64_t start_ns)
        : start_ns_(start_ns),
          window_start_ns_(start_ns),
          sampling_(num_records / std::min(num_records, kMaxLatencySamples)) {
        latencies_us_.reserve(static_cast<size_t>(num_records / sampling_ + 1));
    }

    void record(int64_t latency_us, size_t bytes, int64_t now) {
        ++count_;
        bytes_ += static_cast<int64_t>(bytes);
        total_latency_us_ += latency_us;
        max_latency_us_ = std::max(max_latency_us_, latency_us);
        ++window_count_;
        window_bytes_ += static_cast<int64_t>(bytes);
        window_total_latency_us_ += latency_us;
        window_max_latency_us_ = std::max(window_max_latency_us_, latency_us);
        if (iteration_ % sampling_ == 0) latencies_us_.push_back(static_cast<int32_t>(latency_us));
        if (now - window_start_ns_ >= kReportingIntervalMs * kNanosPerMilli) {
            print_window(now);
            new_window(now);
        }
        ++iteration_;
    }

    void print_total(int64_t now) {
        const double elapsed_ms = static_cast<double>(now - start_ns_) / kNanosPerMilli;
        std::sort(latencies_us_.begin(), latencies_us_.end());
        const int64_t p50 = percentile(0.5), p95 = percentile(0.95), p99 = percentile(0.99),
                      p999 = percentile(0.999);
        std::printf("%" PRId64
                    " records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, "
                    "%.2f ms max latency, %" PRId64 " ms 50th, %" PRId64 " ms 95th, %" PRId64
                    " ms 99th, %" PRId64 " ms 99.9th.\n",
                    count_, 1000.0 * static_cast<double>(count_) / elapsed_ms,
                    1000.0 * static_cast<double>(bytes_) / elapsed_ms / (1024.0 * 1024.0),
                    average_ms(total_latency_us_, count_),
                    static_cast<double>(max_latency_us_ / 1000), p50 / 1000, p95 / 1000, p99 / 1000,
                    p999 / 1000);
        std::printf("Latency in microseconds: %" PRId64 " 50th, %" PRId64 " 95th, %" PRId64
                    " 99th, %" PRId64 " 99.9th, %" PRId64 " max.\n",
                    p50, p95, p99, p999, max_latency_us_);
    }

    int64_t count() const { return count_; }

private:
    static double average_ms(int64_t total_us, int64_t count) {
        return count == 0 ? 0.0
                          : static_cast<double>(total_us) / 1000.0 / static_cast<double>(count);
    }

    int64_t percentile(double fraction) const {
        if (latencies_us_.empty()) return 0;
        return latencies_us_[static_cast<size_t>(fraction *
                                                 static_cast<double>(latencies_us_.size()))];
    }

    void print_window(int64_t now) const {
        const double elapsed_ms = static_cast<double>(now - window_start_ns_) / kNanosPerMilli;
        std::printf("%" PRId64
                    " records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, "
                    "%.1f ms max latency.\n",
                    window_count_, 1000.0 * static_cast<double>(window_count_) / elapsed_ms,
                    1000.0 * static_cast<double>(window_bytes_) / elapsed_ms / (1024.0 * 1024.0),
                    average_ms(window_total_latency_us_, window_count_),
                    static_cast<double>(window_max_latency_us_ / 1000));
        std::fflush(stdout);
    }

    void new_window(int64_t now) {
        window_start_ns_ = now;
        window_count_ = window_bytes_ = window_total_latency_us_ = window_max_latency_us_ = 0;
    }

    const int64_t start_ns_;
    int64_t window_start_ns_;
    const int64_t sampling_;
    // 32 bits as the Java tool's int[]: 2 MB for 500,000 samples, which count in the peak RSS.
    std::vector<int32_t> latencies_us_;
    int64_t iteration_ = 0, count_ = 0, bytes_ = 0, total_latency_us_ = 0, max_latency_us_ = 0;
    int64_t window_count_ = 0, window_bytes_ = 0, window_total_latency_us_ = 0,
            window_max_latency_us_ = 0;
};

// ---------------------------------------------------------------------------
// Throttling: org.apache.kafka.server.util.ThroughputThrottler, step for step.

class Throttler {
public:
    Throttler(double target, int64_t start_ms)
        : start_ms_(start_ms),
          target_(target),
          sleep_time_ns_(target > 0 ? static_cast<int64_t>(1e9 / target) : INT64_MAX) {}

    bool should_throttle(int64_t amount_so_far, int64_t send_start_ms) const {
        if (target_ < 0) return false;
        const float elapsed_sec = static_cast<float>(send_start_ms - start_ms_) / 1000.f;
        return elapsed_sec > 0 && static_cast<double>(amount_so_far) / elapsed_sec > target_;
    }

    void throttle() {
        if (target_ == 0) {  // the Java tool waits for a wakeup that never comes
            std::this_thread::sleep_for(std::chrono::hours(24 * 365));
            return;
        }
        sleep_deficit_ns_ += sleep_time_ns_;
        if (sleep_deficit_ns_ < kMinSleepNs) return;
        const int64_t sleep_start = now_ns();
        int64_t remaining = sleep_deficit_ns_;
        while (remaining > 0) {
            std::this_thread::sleep_for(std::chrono::nanoseconds(remaining));
            remaining = sleep_deficit_ns_ - (now_ns() - sleep_start);
        }
        sleep_deficit_ns_ = 0;
    }

private:
    static constexpr int64_t kMinSleepNs = 2 * kNanosPerMilli;
    const int64_t start_ms_;
    const double target_;
    const int64_t sleep_time_ns_;
    int64_t sleep_deficit_ns_ = 0;
};

}  // namespace kprod_perf
