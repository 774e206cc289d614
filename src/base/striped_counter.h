// StripedCounter: a count that several threads change on every send without
// sharing a cache line: each thread adds to its own stripe (threads beyond
// kStripes share), and a reader sums the stripes. An add is one uncontended
// atomic instruction; a sum reads every stripe, so it is for the rare reader
// (close, flush, outstanding), not the hot path.
// Runs on: any thread. Locks: none.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace kprod::client {

class StripedCounter {
public:
    // Sequentially consistent, as the counters it replaces: close() sets a flag and
    // then sums, a send adds and then reads the flag; one of the two sees the other.
    void add(int64_t n) { stripes_[thread_stripe()].value.fetch_add(n, std::memory_order_seq_cst); }

    int64_t sum() const {
        int64_t total = 0;
        for (const Stripe &stripe : stripes_) total += stripe.value.load(std::memory_order_seq_cst);
        return total;
    }

private:
    static constexpr size_t kStripes = 16;
    struct alignas(64) Stripe {
        std::atomic<int64_t> value{0};
    };
    // Threads take stripes in turn, once each.
    static size_t thread_stripe() {
        static std::atomic<size_t> next{0};
        thread_local const size_t index = next.fetch_add(1, std::memory_order_relaxed) % kStripes;
        return index;
    }

    std::array<Stripe, kStripes> stripes_;
};

// Counts one in while it lives (a send in progress), on the stripe of the
// thread that made it.
class CountedScope {
public:
    explicit CountedScope(StripedCounter &counter) : counter_(counter) { counter_.add(1); }
    ~CountedScope() { counter_.add(-1); }
    CountedScope(const CountedScope &) = delete;
    CountedScope &operator=(const CountedScope &) = delete;

private:
    StripedCounter &counter_;
};

}  // namespace kprod::client
