// The one backoff of the producer: reconnects, metadata refreshes and batch
// retries all wait base * 2^(attempt - 1), capped at max, with 20 % jitter either
// way, as the Java client's ExponentialBackoff (multiplier 2, jitter 0.2).
// Runs on: any thread (each caller passes its own random generator).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace kprod::client {

// attempt: 1 for the first wait after a failure.
inline std::chrono::milliseconds exponential_backoff(int attempt, int64_t base_ms, int64_t max_ms,
                                                     std::minstd_rand &random) {
    double ms = static_cast<double>(base_ms);
    for (int i = 1; i < attempt && ms < static_cast<double>(max_ms); ++i) ms *= 2;
    if (ms > static_cast<double>(max_ms)) ms = static_cast<double>(max_ms);
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    return std::chrono::milliseconds(static_cast<int64_t>(ms * jitter(random)));
}

}  // namespace kprod::client
