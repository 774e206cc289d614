#include "base/wall_clock.h"

#include <atomic>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#if defined(__x86_64__)
#include <x86intrin.h>
#define KPROD_WALL_CLOCK_HAVE_TSC 1
#endif

namespace kprod::client {
namespace {

constexpr int64_t kNanosPerMilli = 1'000'000;
constexpr int64_t kCalibrationNanos = 100 * kNanosPerMilli;
// monotonic_us() needs no margin, only a rate good to a few parts in 100,000
// (a clock reading's microsecond over this), sooner: it is read once a record.
constexpr int64_t kMonotonicCalibrationNanos = 20 * kNanosPerMilli;

int64_t clock_ns(clockid_t clock) {
    timespec now{};
    clock_gettime(clock, &now);
    return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}
int64_t realtime_ns() {
    return clock_ns(CLOCK_REALTIME);
}
int64_t monotonic_ns() {
    return clock_ns(CLOCK_MONOTONIC);
}

int64_t ms_of(int64_t ns) {
    return ns >= 0 ? ns / kNanosPerMilli : -((-ns - 1) / kNanosPerMilli) - 1;
}

struct ThreadCache {
    uint64_t tsc_from = 1;   // the millisecond below holds for TSC values in
    uint64_t tsc_until = 0;  // [tsc_from, tsc_until): empty until the first read
    int64_t ms = 0;
    uint64_t reads = 0;
};
thread_local ThreadCache cache;

#ifdef KPROD_WALL_CLOCK_HAVE_TSC
// The CPU's TSC runs at one rate whatever the power state (the kernel's
// constant_tsc and nonstop_tsc), and the kernel keeps time with it, which it
// does only after checking that every CPU's TSC agrees.
bool tsc_is_trustworthy() {
    std::ifstream source("/sys/devices/system/clocksource/clocksource0/current_clocksource");
    std::string clocksource;
    if (!(source >> clocksource) || clocksource != "tsc") return false;
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("flags", 0) != 0) continue;
        std::istringstream flags(line);
        bool constant = false, nonstop = false;
        for (std::string flag; flags >> flag;) {
            constant = constant || flag == "constant_tsc";
            nonstop = nonstop || flag == "nonstop_tsc";
        }
        return constant && nonstop;
    }
    return false;
}

// A TSC reading and a clock's taken together: `tight` when no preemption came
// between them, which would skew a rate measured from them (on a loaded
// machine, by more than the 1% the rate is taken low).
struct TscAndClock {
    uint64_t tsc;
    int64_t ns;
    bool tight;
};
constexpr uint64_t kTightTicks = 20'000;  // a few microseconds at any TSC rate

TscAndClock tsc_and_clock(int64_t (*clock_ns)()) {
    TscAndClock reading{};
    for (int attempt = 0; attempt < 4 && !reading.tight; ++attempt) {
        const uint64_t before = __rdtsc();
        reading.ns = clock_ns();
        const uint64_t after = __rdtsc();
        reading.tsc = before + (after - before) / 2;
        reading.tight = after - before < kTightTicks;
    }
    return reading;
}

struct Calibration {
    const bool usable = tsc_is_trustworthy();
    const TscAndClock realtime_base = tsc_and_clock(realtime_ns);
    const TscAndClock monotonic_base = tsc_and_clock(monotonic_ns);
    std::atomic<uint64_t> ticks_per_ms{0};  // 1% under the measured rate; 0 until measured
    // Microseconds a TSC tick, as a 32.32 fixed-point number, measured
    // against CLOCK_MONOTONIC; 0 until measured.
    std::atomic<uint64_t> us_per_tick_q32{0};
};

Calibration &calibration() {
    static Calibration instance;
    return instance;
}

// TSC ticks per millisecond, taken low; 0 while the first 100 ms last, and
// until a reading with nothing between its TSC and its clock (`tight`) comes.
uint64_t ticks_per_ms(Calibration &c, uint64_t tsc, int64_t ns, bool tight) {
    uint64_t rate = c.ticks_per_ms.load(std::memory_order_relaxed);
    const TscAndClock &base = c.realtime_base;
    if (rate != 0 || !tight || !base.tight || ns - base.ns < kCalibrationNanos || tsc <= base.tsc)
        return rate;
    const double measured =
        static_cast<double>(tsc - base.tsc) / static_cast<double>(ns - base.ns) * 1e6;
    rate = static_cast<uint64_t>(measured * 0.99);
    c.ticks_per_ms.store(rate, std::memory_order_relaxed);
    return rate;
}

// monotonic_us() through the TSC once its rate against CLOCK_MONOTONIC is
// measured: from the base reading on, so that the clock goes on from where
// CLOCK_MONOTONIC's readings left it.
int64_t monotonic_us_by_tsc(Calibration &c) {
    const TscAndClock &base = c.monotonic_base;
    uint64_t scale = c.us_per_tick_q32.load(std::memory_order_relaxed);
    if (scale == 0) {
        const TscAndClock now = tsc_and_clock(monotonic_ns);
        if (!base.tight || !now.tight || now.ns - base.ns < kMonotonicCalibrationNanos ||
            now.tsc <= base.tsc)
            return now.ns / 1000;
        const double us_per_tick = static_cast<double>(now.ns - base.ns) / 1000.0 /
                                   static_cast<double>(now.tsc - base.tsc);
        scale = static_cast<uint64_t>(us_per_tick * 4294967296.0);
        c.us_per_tick_q32.store(scale, std::memory_order_relaxed);
    }
    const uint64_t tsc = __rdtsc();
    if (tsc <= base.tsc) return monotonic_ns() / 1000;
    const auto elapsed_us =
        static_cast<uint64_t>((static_cast<unsigned __int128>(tsc - base.tsc) * scale) >> 32);
    return base.ns / 1000 + static_cast<int64_t>(elapsed_us);
}

// The remembered millisecond while the TSC says it has not ended; otherwise
// the system clock's, remembered with the TSC value it holds until.
int64_t ms_by_tsc(ThreadCache &c, Calibration &cal) {
    // Read before the clock: the millisecond cannot end sooner than this plus
    // what was left of it, at the lowest rate the TSC may have.
    const uint64_t tsc = __rdtsc();
    if (tsc >= c.tsc_from && tsc < c.tsc_until) return c.ms;
    const int64_t ns = realtime_ns();
    const bool tight = __rdtsc() - tsc < kTightTicks;
    ++c.reads;
    c.ms = ms_of(ns);
    const uint64_t rate = ticks_per_ms(cal, tsc, ns, tight);
    const auto left_ns = static_cast<uint64_t>(kNanosPerMilli - (ns - c.ms * kNanosPerMilli));
    c.tsc_from = tsc;
    c.tsc_until = rate != 0 ? tsc + left_ns * rate / kNanosPerMilli : 0;
    return c.ms;
}
#endif

}  // namespace

int64_t wall_clock_ms() {
    ThreadCache &c = cache;
#ifdef KPROD_WALL_CLOCK_HAVE_TSC
    if (Calibration &cal = calibration(); cal.usable) return ms_by_tsc(c, cal);
#endif
    ++c.reads;
    return ms_of(realtime_ns());
}

int64_t monotonic_us() {
#ifdef KPROD_WALL_CLOCK_HAVE_TSC
    if (Calibration &cal = calibration(); cal.usable) return monotonic_us_by_tsc(cal);
#endif
    return monotonic_ns() / 1000;
}

bool wall_clock_uses_tsc() {
#ifdef KPROD_WALL_CLOCK_HAVE_TSC
    return calibration().usable;
#else
    return false;
#endif
}

uint64_t wall_clock_reads_on_this_thread() {
    return cache.reads;
}

}  // namespace kprod::client
