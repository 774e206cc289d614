// The wall clock in milliseconds, for the timestamps of records sent without
// one (Java's System.currentTimeMillis). kprod_send reads it for every such
// record; clock_gettime is a sizeable part of a send, though its answer
// changes only once a millisecond.
//
// Where the kernel itself keeps time with a constant-rate TSC, each thread
// remembers the millisecond it last read and the TSC value before which that
// millisecond cannot have ended, and reads only the TSC, which is cheaper,
// until then. The TSC's rate is measured against the system clock over the
// process's first 100 ms of calls (each call reads the clock until then) and
// taken 1% low, so a remembered millisecond is given up early, never late.
// A step of the system clock shows within a millisecond.
#pragma once

#include <cstdint>

namespace kprod::client {

// Milliseconds since the Unix epoch (CLOCK_REALTIME). Runs on: any thread.
int64_t wall_clock_ms();

// Whether wall_clock_ms may answer from the TSC on this machine.
bool wall_clock_uses_tsc();

// A monotonic clock in microseconds, for timings taken once a record (a
// report's latency): the TSC at its measured rate where wall_clock_ms may use
// it (a clock_gettime a record was 5% of a send's CPU), CLOCK_MONOTONIC
// elsewhere and while the rate is measured (the first 20 ms). Readings
// compare with one another, not with steady_clock's. Runs on: any thread.
int64_t monotonic_us();

// How many times wall_clock_ms read the system clock on the calling thread
// (for tests).
uint64_t wall_clock_reads_on_this_thread();

}  // namespace kprod::client
