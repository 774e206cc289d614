// Concurrency against a real broker: 8 application threads sending while others
// take reports, flush, close and destroy. scripts/test runs it under TSan too,
// where it must be clean.
//  1. Close under load, twice (reports taken with kprod_poll_reports from one
//     thread; then served to the report callback by kprod_poll from two).
//     8 threads kprod_send and kprod_send_batch to three topics while another
//     thread flushes and reads kprod_outstanding, and a third calls kprod_close.
//     Every send that starts after kprod_close returned must fail with
//     KPROD_ERR_CLOSED.
//  2. Churn: two lanes create and destroy producers over and over, 4 threads
//     sending to each; kprod_destroy (or kprod_close(p, 0)) meets records still
//     queued and in flight.
// Every accepted record must get exactly one report, a refused one none; kcat
// then reads back exactly the delivered records, none twice.
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "harness.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSenderThreads = 8;
constexpr int kTopicCount = 3;
constexpr int kPartitionsPerTopic[kTopicCount] = {4, 2, 1};

// Close under load: kprod_close comes after this many send attempts or this
// long, whichever is first (TSan sends far fewer in the time).
constexpr uint32_t kCloseAfterAttempts = 80000;
constexpr auto kCloseAfterTime = std::chrono::milliseconds(1500);
// Enough for a thread's sends before the close, during a close of up to 5 s
// (one call a millisecond after kUnpacedCallsAtClose) and after it.
constexpr uint32_t kIdsPerSender = 30000;
constexpr int kCallsAfterClose = 100;      // each thread's refused calls before it stops
constexpr int kBurst = 10;                 // calls between pauses of 1 ms, before the close
constexpr int kUnpacedCallsAtClose = 200;  // then calls without pause, racing kprod_close
constexpr size_t kBatchCount = 8;          // messages per kprod_send_batch call

// Churn.
constexpr int kLanes = 2;
constexpr int kRoundsPerLane = 6;
constexpr int kChurnSendersPerProducer = kSenderThreads / kLanes;
constexpr uint32_t kChurnIdsPerSender = 2000;

// Longest wait for the reports of records accepted before the producer closed.
constexpr auto kReportDeadline = std::chrono::seconds(60);

constexpr int kNotSent = -1;

long elapsed_ms(Clock::time_point since) {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

// --- what each record is, derived from its id ---

enum class Routing { kKeyed, kKeyless, kExplicit };

int topic_index_of(uint32_t id) {
    return static_cast<int>(id % kTopicCount);
}
Routing routing_of(uint32_t id) {
    return static_cast<Routing>((id / kTopicCount) % 3);
}
int32_t explicit_partition_of(uint32_t id) {
    return static_cast<int32_t>((id / 9) % kPartitionsPerTopic[topic_index_of(id)]);
}
bool has_key(uint32_t id) {
    return routing_of(id) == Routing::kKeyed;
}
std::string key_of(uint32_t id) {
    return 'k' + std::to_string(id);
}
// A tombstone now and then.
bool has_null_value(uint32_t id) {
    return id % 50 == 7;
}
std::string value_of(uint32_t id) {
    return 'v' + std::to_string(id) + "-" + std::string(id % 100, 'x');
}

// One message and the storage it points to (kprod_send copies it all).
struct OutgoingMessage {
    std::string key, value, id_text, thread_text;
    kprod_header_t headers[2];
    kprod_message_t msg;

    void fill(const std::vector<std::string> &topics, uint32_t id, int thread) {
        key = key_of(id);
        value = value_of(id);
        id_text = std::to_string(id);
        thread_text = std::to_string(thread);
        headers[0] = {"id", 2, id_text.data(), id_text.size()};
        headers[1] = {"thread", 6, thread_text.data(), thread_text.size()};
        msg = KPROD_MESSAGE_INIT;
        msg.topic = topics[static_cast<size_t>(topic_index_of(id))].c_str();
        if (routing_of(id) == Routing::kExplicit) msg.partition = explicit_partition_of(id);
        if (has_key(id)) {
            msg.key = key.data();
            msg.key_len = key.size();
        }
        if (!has_null_value(id)) {
            msg.value = value.data();
            msg.value_len = value.size();
        }
        msg.headers = headers;
        msg.header_count = 2;
        msg.opaque = reinterpret_cast<void *>(static_cast<uintptr_t>(id) + 1);
    }
};

// --- the ledger: every id's send result and reports ---

// Written by the sending thread and by whichever thread serves the record's
// report; read once those are joined.
struct Slot {
    std::atomic<int> send_result{kNotSent};
    std::atomic<int> reports{0};
    std::atomic<int> report_err{-1};
    std::atomic<int> persisted{-1};
    std::atomic<int32_t> partition{-1};
    std::atomic<int64_t> offset{-1};
};

// The ids one sending thread owns: [first, first + count), `used` of them sent.
struct Block {
    uint32_t first = 0;
    uint32_t count = 0;
    uint32_t used = 0;  // written by its thread only
};

class Ledger {
public:
    Ledger(std::vector<std::string> topics, uint32_t capacity)
        : topics_(std::move(topics)), slots_(new Slot[capacity]), capacity_(capacity) {}

    const std::vector<std::string> &topics() const { return topics_; }
    uint32_t size() const { return next_id_.load(); }
    Slot &at(uint32_t id) { return slots_[id]; }

    // Any thread.
    Block reserve(uint32_t count) {
        const uint32_t first = next_id_.fetch_add(count);
        CHECK_MSG(first + count <= capacity_, "ledger full: %u + %u > %u", first, count, capacity_);
        return {first, count, 0};
    }

    void note_send(uint32_t id, kprod_err_t result) { slots_[id].send_result.store(result); }

    // Runs on whichever thread serves the report. Checks it and files it under its id.
    void record_report(const kprod_report_t &report) {
        const auto raw = reinterpret_cast<uintptr_t>(report.opaque);
        CHECK_MSG(raw >= 1 && raw <= capacity_, "report with a foreign opaque %zu",
                  static_cast<size_t>(raw));
        const auto id = static_cast<uint32_t>(raw - 1);
        const std::string &topic = topics_[static_cast<size_t>(topic_index_of(id))];
        CHECK_MSG(report.topic && topic == report.topic, "record %u reported on topic %s", id,
                  report.topic ? report.topic : "(null)");
        if (report.err == KPROD_OK) {
            CHECK_MSG(report.persisted == KPROD_PERSISTED && report.offset >= 0 &&
                          report.partition >= 0 &&
                          report.partition < kPartitionsPerTopic[topic_index_of(id)],
                      "record %u delivered at %d/%lld, persisted %d", id, report.partition,
                      static_cast<long long>(report.offset), report.persisted);
            if (routing_of(id) == Routing::kExplicit)
                CHECK_MSG(report.partition == explicit_partition_of(id),
                          "record %u sent to partition %d, reported in %d", id,
                          explicit_partition_of(id), report.partition);
        } else {
            // With a healthy broker the only way not to be delivered is the close.
            CHECK_MSG(report.err == KPROD_ERR_DESTROYED, "record %u: %s", id,
                      kprod_err_str(report.err));
            CHECK_MSG(report.persisted != KPROD_PERSISTED, "record %u failed but persisted", id);
            destroyed_reports_.fetch_add(1);
        }
        Slot &slot = slots_[id];
        slot.report_err.store(report.err);
        slot.persisted.store(report.persisted);
        slot.partition.store(report.partition);
        slot.offset.store(report.offset);
        const int earlier = slot.reports.fetch_add(1);
        CHECK_MSG(earlier == 0, "record %u reported %d times", id, earlier + 1);
    }

    long destroyed_reports() const { return destroyed_reports_.load(); }

private:
    const std::vector<std::string> topics_;
    std::unique_ptr<Slot[]> slots_;
    const uint32_t capacity_;
    std::atomic<uint32_t> next_id_{0};
    std::atomic<long> destroyed_reports_{0};
};

void on_report(const kprod_report_t *report, void *ledger) {
    static_cast<Ledger *>(ledger)->record_report(*report);
}

// Tallies of one group of blocks once their threads are joined.
struct Tally {
    long accepted = 0, refused = 0, delivered = 0, destroyed = 0;
    void add(const Tally &other) {
        accepted += other.accepted;
        refused += other.refused;
        delivered += other.delivered;
        destroyed += other.destroyed;
    }
};

// Every accepted record was reported exactly once, every refused one never.
Tally check_exactly_once(Ledger &ledger, const std::vector<Block> &blocks) {
    Tally tally;
    for (const Block &block : blocks) {
        for (uint32_t id = block.first; id < block.first + block.count; ++id) {
            Slot &slot = ledger.at(id);
            const int result = slot.send_result.load();
            const int reports = slot.reports.load();
            if (id >= block.first + block.used) {
                CHECK_MSG(result == kNotSent && reports == 0, "unsent record %u: %d, %d reports",
                          id, result, reports);
                continue;
            }
            if (result == KPROD_OK) {
                CHECK_MSG(reports == 1, "accepted record %u got %d reports", id, reports);
                ++tally.accepted;
                ++(slot.report_err.load() == KPROD_OK ? tally.delivered : tally.destroyed);
            } else {
                CHECK_MSG(reports == 0, "record %u refused (%s) got %d reports", id,
                          kprod_err_str(static_cast<kprod_err_t>(result)), reports);
                ++tally.refused;
            }
        }
    }
    return tally;
}

// --- the threads' work ---

kprod_t *new_producer(Ledger &ledger, bool with_callback,
                      std::initializer_list<std::pair<const char *, const char *>> props) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    for (auto [name, value] : props)
        CHECK_MSG(kprod_conf_set(conf, name, value, errstr, sizeof errstr) == KPROD_OK, "%s",
                  errstr);
    if (with_callback) CHECK(kprod_conf_set_report_cb(conf, on_report, &ledger) == KPROD_OK);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);
    return p;
}

// Sends the next ids of `block`: one call of kprod_send, or of kprod_send_batch
// every eighth call. Returns how many ids the call covered (results in `results`).
size_t send_next(kprod_t *p, Ledger &ledger, Block &block, int thread, uint64_t call,
                 OutgoingMessage (&storage)[kBatchCount], kprod_err_t (&results)[kBatchCount]) {
    const size_t left = block.count - block.used;
    const size_t n = call % 8 == 7 ? std::min(kBatchCount, left) : 1;
    kprod_message_t msgs[kBatchCount] = {};
    for (size_t i = 0; i < n; ++i) {
        storage[i].fill(ledger.topics(), block.first + block.used + static_cast<uint32_t>(i),
                        thread);
        msgs[i] = storage[i].msg;
    }
    if (n == 1) {
        results[0] = kprod_send(p, &msgs[0]);
    } else {
        const kprod_err_t first = kprod_send_batch(p, msgs, n, sizeof msgs[0], results);
        const auto failed =
            std::find_if(results, results + n, [](kprod_err_t e) { return e != KPROD_OK; });
        CHECK(first == (failed == results + n ? KPROD_OK : *failed));
    }
    for (size_t i = 0; i < n; ++i)
        ledger.note_send(block.first + block.used + static_cast<uint32_t>(i), results[i]);
    block.used += static_cast<uint32_t>(n);
    return n;
}

// How far kprod_close has got, as the application threads see it.
struct CloseState {
    std::atomic<bool> called{false};
    std::atomic<bool> returned{false};
    std::atomic<uint32_t> attempts{0};  // ids sent so far by all threads
};

// Phase 1's sender: sends until kCallsAfterClose calls made after kprod_close
// returned (all refused), or the block is used up.
void send_until_closed(kprod_t *p, Ledger &ledger, Block &block, int thread, CloseState &close) {
    OutgoingMessage storage[kBatchCount];
    kprod_err_t results[kBatchCount];
    int calls_after_close = 0, calls_since_close_called = 0;
    for (uint64_t call = 0; block.used < block.count && calls_after_close < kCallsAfterClose;
         ++call) {
        // A call that ended before kprod_close began must succeed; one that began
        // after it returned must be refused; one that overlapped it may be either.
        const bool close_returned = close.returned.load();
        const uint32_t first = block.first + block.used;
        const size_t n = send_next(p, ledger, block, thread, call, storage, results);
        const bool close_called = close.called.load();
        close.attempts.fetch_add(static_cast<uint32_t>(n));
        for (size_t i = 0; i < n; ++i) {
            const kprod_err_t err = results[i];
            const uint32_t id = first + static_cast<uint32_t>(i);
            if (close_returned)
                CHECK_MSG(err == KPROD_ERR_CLOSED, "record %u sent after kprod_close: %s", id,
                          kprod_err_str(err));
            else if (close_called)
                CHECK_MSG(err == KPROD_OK || err == KPROD_ERR_CLOSED, "record %u: %s", id,
                          kprod_err_str(err));
            else
                CHECK_MSG(err == KPROD_OK, "record %u: %s", id, kprod_err_str(err));
        }
        if (close_returned) ++calls_after_close;
        if (close_called) ++calls_since_close_called;
        // Paced, to bound the ids used, except right when kprod_close comes.
        if (!close_called ? call % kBurst == kBurst - 1
                          : calls_since_close_called > kUnpacedCallsAtClose)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

// Phase 2's sender: the whole block, every send accepted, paced so that the
// first batches are answered while it sends.
void send_block(kprod_t *p, Ledger &ledger, Block &block, int thread) {
    OutgoingMessage storage[kBatchCount];
    kprod_err_t results[kBatchCount];
    for (uint64_t call = 0; block.used < block.count; ++call) {
        const uint32_t first = block.first + block.used;
        const size_t n = send_next(p, ledger, block, thread, call, storage, results);
        for (size_t i = 0; i < n; ++i)
            CHECK_MSG(results[i] == KPROD_OK, "record %u: %s", first + static_cast<uint32_t>(i),
                      kprod_err_str(results[i]));
        if (call % (2 * kBurst) == 2 * kBurst - 1)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

// Tells the reporting threads when to stop.
struct ReportersStop {
    std::atomic<bool> senders_done{false};  // once every report has been taken
    std::atomic<bool> now{false};           // at once, leaving reports to kprod_destroy
};

// Whether a reporting thread may stop. Fails the test if reports stay missing
// for kReportDeadline after the senders are done.
bool reporter_may_stop(kprod_t *p, const ReportersStop &stop, Clock::time_point &done_since) {
    if (stop.now.load()) return true;
    if (!stop.senders_done.load()) return false;
    const size_t outstanding = kprod_outstanding(p);
    if (outstanding == 0) return true;
    if (done_since == Clock::time_point{}) done_since = Clock::now();
    CHECK_MSG(Clock::now() - done_since < kReportDeadline,
              "%zu reports still missing %lld s after the senders stopped", outstanding,
              static_cast<long long>(kReportDeadline.count()));
    return false;
}

// Takes reports with kprod_poll_reports until reporter_may_stop.
void take_reports(kprod_t *p, Ledger &ledger, const ReportersStop &stop) {
    kprod_report_t reports[256];
    Clock::time_point done_since{};
    while (true) {
        const size_t n = kprod_poll_reports(p, reports, 256, sizeof reports[0], 20);
        for (size_t i = 0; i < n; ++i) ledger.record_report(reports[i]);
        if (n == 0 && reporter_may_stop(p, stop, done_since)) return;
    }
}

// Serves reports to the callback with kprod_poll until reporter_may_stop.
void serve_reports(kprod_t *p, const ReportersStop &stop) {
    Clock::time_point done_since{};
    while (true) {
        const int n = kprod_poll(p, 20);
        CHECK(n >= 0);
        if (n == 0 && reporter_may_stop(p, stop, done_since)) return;
    }
}

// Starts the reporting threads: one kprod_poll_reports thread, or two kprod_poll threads.
std::vector<std::thread> start_reporters(kprod_t *p, Ledger &ledger, bool with_callback,
                                         const ReportersStop &stop) {
    std::vector<std::thread> reporters;
    if (with_callback) {
        for (int i = 0; i < 2; ++i) reporters.emplace_back(serve_reports, p, std::cref(stop));
    } else {
        reporters.emplace_back(take_reports, p, std::ref(ledger), std::cref(stop));
    }
    return reporters;
}

struct FlushCounts {
    long flushed = 0, timed_out = 0;
};

// Flushes with short timeouts, and reads kprod_outstanding, until `stop`.
FlushCounts flush_repeatedly(kprod_t *p, const std::atomic<bool> &stop) {
    FlushCounts counts;
    for (int i = 0; !stop.load(); ++i) {
        const kprod_err_t err = kprod_flush(p, 10 + i % 50);
        CHECK_MSG(err == KPROD_OK || err == KPROD_ERR_TIMED_OUT, "flush: %s", kprod_err_str(err));
        ++(err == KPROD_OK ? counts.flushed : counts.timed_out);
        (void)kprod_outstanding(p);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return counts;
}

void join_all(std::vector<std::thread> &threads) {
    for (auto &t : threads) t.join();
    threads.clear();
}

// --- phase 1: close under load ---

void close_under_load(Ledger &ledger, bool with_callback, int close_timeout_ms) {
    const auto start = Clock::now();
    // A small buffer.memory: senders also wait for memory when kprod_close comes.
    kprod_t *p = new_producer(ledger, with_callback, {{"buffer.memory", "1048576"}});
    std::vector<Block> blocks;
    for (int t = 0; t < kSenderThreads; ++t) blocks.push_back(ledger.reserve(kIdsPerSender));

    CloseState close;
    ReportersStop stop_reporters;
    std::atomic<bool> stop_flushing{false};
    std::vector<std::thread> reporters = start_reporters(p, ledger, with_callback, stop_reporters);
    FlushCounts flushes;
    std::thread flusher([&] { flushes = flush_repeatedly(p, stop_flushing); });
    kprod_err_t close_result = KPROD_OK;
    long close_ms = 0;
    std::thread closer([&] {
        while (close.attempts.load() < kCloseAfterAttempts &&
               Clock::now() - start < kCloseAfterTime)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        close.called.store(true);
        const auto close_start = Clock::now();
        close_result = kprod_close(p, close_timeout_ms);
        close_ms = elapsed_ms(close_start);
        close.returned.store(true);
    });
    std::vector<std::thread> senders;
    for (int t = 0; t < kSenderThreads; ++t)
        senders.emplace_back(send_until_closed, p, std::ref(ledger),
                             std::ref(blocks[static_cast<size_t>(t)]), t, std::ref(close));

    join_all(senders);
    closer.join();
    CHECK_MSG(close_result == KPROD_OK || close_result == KPROD_ERR_TIMED_OUT, "close: %s",
              kprod_err_str(close_result));
    CHECK(kprod_close(p, 0) == close_result);  // again: does nothing
    stop_reporters.senders_done.store(true);
    join_all(reporters);
    stop_flushing.store(true);
    flusher.join();
    CHECK(kprod_outstanding(p) == 0);
    kprod_destroy(p);

    const Tally tally = check_exactly_once(ledger, blocks);
    for (const Block &block : blocks)
        CHECK_MSG(block.used < block.count, "a thread used up its %u ids before the close",
                  block.count);
    std::fprintf(stderr,
                 "close under load (%s, kprod_close(%d) %s after %ld ms): %ld accepted, %ld "
                 "refused, %ld delivered, %ld destroyed; %ld flushes done, %ld timed out; %ld ms\n",
                 with_callback ? "callback on 2 kprod_poll threads" : "kprod_poll_reports",
                 close_timeout_ms, kprod_err_str(close_result), close_ms, tally.accepted,
                 tally.refused, tally.delivered, tally.destroyed, flushes.flushed,
                 flushes.timed_out, elapsed_ms(start));
    CHECK(tally.accepted > 0 && tally.refused > 0);
}

// --- phase 2: producers created and destroyed while threads send ---

// How a churn round ends, once its senders have stopped.
enum class Ending {
    kDestroy,              // callback: kprod_destroy with records queued and in flight
    kCloseNowThenDestroy,  // callback: kprod_close(p, 0) while kprod_poll runs, then kprod_destroy
    kCloseNowAndDrain,     // kprod_close(p, 0) while kprod_poll_reports runs, then kprod_destroy
};

Tally churn_round(Ledger &ledger, Ending ending, bool linger) {
    const bool with_callback = ending != Ending::kCloseNowAndDrain;
    // With linger.ms=0 records are in flight when the senders stop; with 100, still queued.
    kprod_t *p = new_producer(ledger, with_callback, {{"linger.ms", linger ? "100" : "0"}});
    std::vector<Block> blocks;
    for (int t = 0; t < kChurnSendersPerProducer; ++t)
        blocks.push_back(ledger.reserve(kChurnIdsPerSender));
    ReportersStop stop_reporters;
    std::vector<std::thread> reporters = start_reporters(p, ledger, with_callback, stop_reporters);
    std::vector<std::thread> senders;
    for (int t = 0; t < kChurnSendersPerProducer; ++t)
        senders.emplace_back(send_block, p, std::ref(ledger),
                             std::ref(blocks[static_cast<size_t>(t)]), t);
    join_all(senders);

    if (ending == Ending::kDestroy) {
        stop_reporters.now.store(true);
    } else {
        const kprod_err_t err = kprod_close(p, 0);
        CHECK_MSG(err == KPROD_OK || err == KPROD_ERR_TIMED_OUT, "close: %s", kprod_err_str(err));
        stop_reporters.senders_done.store(true);
    }
    join_all(reporters);
    kprod_destroy(p);
    return check_exactly_once(ledger, blocks);
}

void churn(Ledger &ledger) {
    const auto start = Clock::now();
    std::vector<Tally> lane_tallies(kLanes);
    std::vector<std::thread> lanes;
    for (int lane = 0; lane < kLanes; ++lane) {
        lanes.emplace_back([&ledger, &tally = lane_tallies[static_cast<size_t>(lane)], lane] {
            for (int round = 0; round < kRoundsPerLane; ++round)
                tally.add(
                    churn_round(ledger, static_cast<Ending>((lane + round) % 3), round % 2 == 1));
        });
    }
    join_all(lanes);
    Tally total;
    for (const Tally &t : lane_tallies) total.add(t);
    CHECK(total.refused == 0);
    std::fprintf(stderr,
                 "churn (%d producers, %d at a time, %d threads sending to each): %ld accepted, "
                 "%ld delivered, %ld destroyed; %ld ms\n",
                 kLanes * kRoundsPerLane, kLanes, kChurnSendersPerProducer, total.accepted,
                 total.delivered, total.destroyed, elapsed_ms(start));
}

// --- read-back ---

// One line of kcat's output: partition, offset, key, headers, value, by TABs.
struct KcatRecord {
    int32_t partition = -1;
    int64_t offset = -1;
    std::string_view key, headers, value;
    uint32_t id = 0;  // from the "id" header
};

// Cuts the next TAB-separated field off the front of `rest`.
std::string_view next_field(std::string_view &rest) {
    const size_t tab = rest.find('\t');
    const std::string_view field = rest.substr(0, tab);
    rest = tab == std::string_view::npos ? std::string_view() : rest.substr(tab + 1);
    return field;
}

template <typename Number>
bool parse_number(std::string_view text, Number &number) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    return error == std::errc() && end == text.data() + text.size();
}

// Without a copy per field: under TSan, a few hundred thousand lines add up.
bool parse_kcat_line(std::string_view line, KcatRecord &record) {
    std::string_view rest = line;
    const std::string_view partition = next_field(rest), offset = next_field(rest);
    record.key = next_field(rest);
    record.headers = next_field(rest);
    record.value = rest;
    if (!parse_number(partition, record.partition) || !parse_number(offset, record.offset))
        return false;
    // "id=<id>,thread=<thread>"
    const size_t comma = record.headers.find(',');
    return record.headers.substr(0, 3) == "id=" && comma != std::string_view::npos &&
           parse_number(record.headers.substr(3, comma - 3), record.id) &&
           record.headers.substr(comma + 1, 7) == "thread=";
}

// Checks one record kcat read from `topic` against what the ledger knows.
void check_read_back(Ledger &ledger, int topic, const KcatRecord &record,
                     std::vector<uint8_t> &seen) {
    const uint32_t id = record.id;
    CHECK_MSG(id < ledger.size() && topic_index_of(id) == topic, "record %u in topic %d", id,
              topic);
    CHECK_MSG(++seen[id] == 1, "record %u read twice", id);
    CHECK_MSG(record.key == (has_key(id) ? key_of(id) : "NULL"), "key of %u: %.*s", id,
              static_cast<int>(record.key.size()), record.key.data());
    CHECK_MSG(record.value == (has_null_value(id) ? "NULL" : value_of(id)), "value of %u", id);
    Slot &slot = ledger.at(id);
    CHECK_MSG(slot.send_result.load() == KPROD_OK, "refused record %u is in the log", id);
    if (slot.report_err.load() == KPROD_OK) {
        CHECK_MSG(record.partition == slot.partition.load() && record.offset == slot.offset.load(),
                  "record %u reported at %d/%lld, found at %d/%lld", id, slot.partition.load(),
                  static_cast<long long>(slot.offset.load()), record.partition,
                  static_cast<long long>(record.offset));
    } else {
        CHECK_MSG(slot.persisted.load() == KPROD_POSSIBLY_PERSISTED,
                  "record %u reported %s, not persisted, is in the log", id,
                  kprod_err_str(static_cast<kprod_err_t>(slot.report_err.load())));
    }
}

// kcat reads every topic: each delivered record exactly once, where its report
// said; no record whose report says it never reached the log; no refused one.
long read_back(Ledger &ledger) {
    const auto start = Clock::now();
    std::vector<uint8_t> seen(ledger.size(), 0);
    long lines = 0;
    for (int topic = 0; topic < kTopicCount; ++topic) {
        const std::string &name = ledger.topics()[static_cast<size_t>(topic)];
        const std::string dump = harness::run("kcat -C -b " + harness::bootstrap() + " -t " + name +
                                              " -e -q -Z -f '%p\\t%o\\t%k\\t%h\\t%s\\n'");
        std::string_view rest = dump;
        while (!rest.empty()) {
            const size_t newline = rest.find('\n');
            const std::string_view line = rest.substr(0, newline);
            rest =
                newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
            if (line.empty()) continue;
            ++lines;
            KcatRecord record;
            CHECK_MSG(parse_kcat_line(line, record), "bad line: %.*s",
                      static_cast<int>(line.size()), line.data());
            check_read_back(ledger, topic, record, seen);
        }
    }
    long delivered = 0;
    for (uint32_t id = 0; id < ledger.size(); ++id) {
        if (ledger.at(id).report_err.load() != KPROD_OK) continue;
        ++delivered;
        CHECK_MSG(seen[id] == 1, "delivered record %u read %d times", id, seen[id]);
    }
    std::fprintf(stderr, "kcat read %ld records: all %ld delivered ones once, none twice; %ld ms\n",
                 lines, delivered, elapsed_ms(start));
    return delivered;
}

}  // namespace

int main() {
    const auto start = Clock::now();
    std::vector<std::string> topics;
    const std::string prefix = harness::unique_topic("it-concurrency");
    for (int t = 0; t < kTopicCount; ++t) {
        topics.push_back(prefix + "-" + std::to_string(t));
        harness::create_topic(topics.back(), kPartitionsPerTopic[t]);
    }
    const uint32_t capacity = 2 * kSenderThreads * kIdsPerSender + kLanes * kRoundsPerLane *
                                                                       kChurnSendersPerProducer *
                                                                       kChurnIdsPerSender;
    Ledger ledger(topics, capacity);

    close_under_load(ledger, /*with_callback=*/false, /*close_timeout_ms=*/0);
    close_under_load(ledger, /*with_callback=*/true, /*close_timeout_ms=*/5000);
    churn(ledger);
    const long delivered = read_back(ledger);
    std::printf(
        "1 passed, 0 failed: %ld records delivered, reported once and read back once; %ld "
        "destroyed reports; %ld ms\n",
        delivered, ledger.destroyed_reports(), elapsed_ms(start));
    return 0;
}
