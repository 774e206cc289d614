// Shared helpers for the fault tests: the three-node cluster of
// scripts/kafka-local (cluster mode), a paced sender that remembers when each
// record went in, a reporter thread that remembers when and how each came
// back, and the check of every report against the log as kcat (a consumer
// this project did not write) reads it. Uses only the public API.
#pragma once

#include <kprod.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../integration/harness.h"
#include "producer_under_test.h"

namespace fault {

using Clock = std::chrono::steady_clock;

inline int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
        .count();
}

inline std::string trim(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// KPROD_KAFKA_LOCAL (set by scripts/test), else the source tree's script.
inline std::string kafka_local() {
    return harness::env_or(
        "KPROD_KAFKA_LOCAL",
        (harness::env_or("KPROD_SOURCE_DIR", ".") + "/scripts/kafka-local").c_str());
}

// Runs `scripts/kafka-local ARGS`; its chatter goes to stderr.
inline void cluster(const std::string &args) {
    harness::run(kafka_local() + " " + args + " >&2");
}

// Runs `scripts/kafka-local ARGS` and returns what it prints.
inline std::string cluster_output(const std::string &args) {
    return trim(harness::run(kafka_local() + " " + args));
}

// The three nodes' host:port list (KPROD_CLUSTER_BOOTSTRAP, else asked from kafka-local).
inline std::string bootstrap() {
    static const std::string list = [] {
        std::string configured = harness::env_or("KPROD_CLUSTER_BOOTSTRAP", "");
        return configured.empty() ? cluster_output("cluster-bootstrap") : configured;
    }();
    return list;
}

inline int leader_of(const std::string &topic, int partition) {
    return std::stoi(cluster_output("leader-of " + topic + " " + std::to_string(partition)));
}

// Each partition's leader, partition 0 first.
inline std::vector<int> leaders_of(const std::string &topic, int partitions) {
    std::vector<int> leaders;
    for (int p = 0; p < partitions; ++p) leaders.push_back(leader_of(topic, p));
    return leaders;
}

// The node a test froze (SIGSTOP), -1 when none: thawed at exit, even when a
// CHECK fails, so that the next test starts from a live cluster.
inline int &frozen_node() {
    static int node = -1;
    return node;
}

inline void thaw_frozen_node() {
    if (frozen_node() < 0) return;
    cluster("node-thaw " + std::to_string(frozen_node()));
    frozen_node() = -1;
}

inline void freeze_node(int node) {
    // At exit nothing may exit again (as a failed CHECK would): plain system().
    static const bool thaw_at_exit = [] {
        return std::atexit([] {
                   if (frozen_node() >= 0)
                       std::system(
                           (kafka_local() + " node-thaw " + std::to_string(frozen_node()) + " >&2")
                               .c_str());
               }) == 0;
    }();
    (void)thaw_at_exit;
    cluster("node-freeze " + std::to_string(node));
    frozen_node() = node;
}

// Polls `condition` every `poll_ms` until it holds or `timeout_s` passed.
template <typename Condition>
bool wait_until(Condition condition, double timeout_s, int poll_ms = 200) {
    const auto deadline =
        Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
    while (!condition()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
    }
    return true;
}

// A healthy cluster to start from: every node up (a node a failed run left
// killed or frozen comes back), then a fresh fully replicated topic.
inline std::string fresh_topic(const std::string &prefix, int partitions) {
    cluster("cluster-start");
    const std::string topic = harness::unique_topic(prefix);
    cluster("cluster-create-topic " + topic + " " + std::to_string(partitions));
    return topic;
}

inline kprod_t *new_producer(std::initializer_list<std::pair<const char *, const char *>> props) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", bootstrap().c_str(), errstr, sizeof errstr) ==
          KPROD_OK);
    // What the fault tests are about: the Java defaults, stated.
    CHECK(kprod_conf_set(conf, "acks", "all", errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "enable.idempotence", "true", errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "max.in.flight.requests.per.connection", "5", errstr,
                         sizeof errstr) == KPROD_OK);
    for (auto [name, value] : props)
        CHECK_MSG(kprod_conf_set(conf, name, value, errstr, sizeof errstr) == KPROD_OK, "%s",
                  errstr);
    // KPROD_FAULT_DEBUG=produce,metadata (kprod's debug property) to see why a run failed.
    const std::string debug = harness::env_or("KPROD_FAULT_DEBUG", "");
    if (!debug.empty()) {
        CHECK_MSG(kprod_conf_set(conf, "debug", debug.c_str(), errstr, sizeof errstr) == KPROD_OK,
                  "KPROD_FAULT_DEBUG: %s", errstr);
        // Without a log callback kprod prints warnings only; debug lines need one.
        kprod_conf_set_log_cb(
            conf,
            [](kprod_log_level_t level, const char *context, const char *message, void *) {
                std::fprintf(stderr, "%lld kprod %d [%s] %s\n", static_cast<long long>(now_ms()),
                             static_cast<int>(level), context, message);
            },
            nullptr);
    }
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);
    return p;
}

// Record ids are the index into Tracker::records; the value carries the id.
inline std::string value_of(int id) {
    std::string value = "id=" + std::to_string(id) + " ";
    value.resize(100, 'v');
    return value;
}

struct RecordState {
    int64_t sent_ms = 0;  // before kprod_send
    int64_t reported_ms = 0;
    int reports = 0;
    kprod_err_t err = KPROD_OK;
    int16_t broker_error = 0;
    kprod_persisted_t persisted = KPROD_NOT_PERSISTED;
    int32_t partition = -1;
    int64_t offset = -1;
};

// Sends records and collects their reports on its own thread, as an application would.
class Tracker {
public:
    std::vector<RecordState> records;  // read them only after stop()
    std::atomic<int> sent{0};
    std::atomic<int> reported{0};
    std::atomic<int> succeeded{0};
    std::atomic<int> side_reports{0};
    // Set before sending: records name no partition (keyless, the sticky
    // partitioner chooses) instead of id % partitions.
    bool any_partition = false;
    // Set watch_since_ms (any time): per partition, when the first success
    // came for a record sent from then on (0: none yet).
    std::atomic<int64_t> watch_since_ms{INT64_MAX};
    std::vector<std::atomic<int64_t>> first_success_since_watch;

    Tracker(ProducerUnderTest &producer, std::string topic, int capacity, int partitions)
        : Tracker(nullptr, &producer, std::move(topic), capacity, partitions) {}
    // kprod, as most tests drive it.
    Tracker(kprod_t *producer, std::string topic, int capacity, int partitions)
        : Tracker(std::make_unique<KprodUnderTest>(producer), nullptr, std::move(topic), capacity,
                  partitions) {}
    ~Tracker() { stop(); }

    // Sends ids [first, first + count) at about `per_second`, each to
    // partition id % partitions (or any, see any_partition). `on_sent(id)`
    // runs after each accepted send.
    template <typename OnSent>
    void send_paced(int first, int count, int per_second, OnSent on_sent) {
        const auto start = Clock::now();
        std::string error;
        for (int i = 0; i < count; ++i) {
            const int id = first + i;
            if (i % 100 == 0) {
                const auto due =
                    start + std::chrono::microseconds(int64_t{i} * 1000000 / per_second);
                std::this_thread::sleep_until(due);
            }
            records[static_cast<size_t>(id)].sent_ms = now_ms();
            CHECK_MSG(producer_.send(topic_, any_partition ? -1 : id % partitions_, value_of(id),
                                     id, error),
                      "%s: send %d: %s", producer_.name(), id, error.c_str());
            sent.fetch_add(1, std::memory_order_release);
            on_sent(id);
        }
    }
    void send_paced(int first, int count, int per_second) {
        send_paced(first, count, per_second, [](int) {});
    }

    // Sends one record to another topic, outside the records tracked (its
    // report is only counted in side_reports).
    void side_send(const std::string &topic) {
        std::string error;
        CHECK_MSG(producer_.send(topic, -1, "side", -1, error), "send to %s: %s", topic.c_str(),
                  error.c_str());
    }

    // Waits for the reporter to take every report, then stops it.
    void stop() {
        if (!reporter_.joinable()) return;
        stopping_.store(true);
        reporter_.join();
    }

    const std::string &topic() const { return topic_; }

private:
    // `owned`: the adapter the kprod_t constructor made, else null and `producer` is used.
    Tracker(std::unique_ptr<ProducerUnderTest> owned, ProducerUnderTest *producer,
            std::string topic, int capacity, int partitions)
        : records(static_cast<size_t>(capacity)),
          first_success_since_watch(static_cast<size_t>(partitions)),
          owned_(std::move(owned)),
          producer_(owned_ ? *owned_ : *producer),
          topic_(std::move(topic)),
          partitions_(partitions) {
        reporter_ = std::thread([this] { collect(); });
    }

    void collect() {
        std::vector<Report> reports;
        while (true) {
            reports.clear();
            producer_.poll(reports, 100);
            const int64_t now = now_ms();
            for (const Report &r : reports) {
                // A record the test sent elsewhere (see side_send).
                if (r.id < 0) {
                    side_reports.fetch_add(1, std::memory_order_release);
                    continue;
                }
                CHECK_MSG(r.id < static_cast<int64_t>(records.size()),
                          "report with a foreign id %lld", static_cast<long long>(r.id));
                CHECK(r.topic == topic_);
                RecordState &state = records[static_cast<size_t>(r.id)];
                ++state.reports;
                state.reported_ms = now;
                state.err = r.err;
                state.broker_error = r.broker_error;
                state.persisted = r.persisted;
                state.partition = r.partition;
                state.offset = r.offset;
                if (r.err == KPROD_OK) succeeded.fetch_add(1, std::memory_order_relaxed);
                if (r.err == KPROD_OK && state.sent_ms >= watch_since_ms.load() &&
                    r.partition >= 0 && r.partition < partitions_) {
                    int64_t none = 0;
                    first_success_since_watch[static_cast<size_t>(r.partition)]
                        .compare_exchange_strong(none, now);
                }
            }
            reported.fetch_add(static_cast<int>(reports.size()), std::memory_order_release);
            if (reports.empty() && stopping_.load() && producer_.outstanding() == 0) break;
        }
    }

    std::unique_ptr<ProducerUnderTest> owned_;  // before producer_, which may refer to it
    ProducerUnderTest &producer_;
    const std::string topic_;
    const int partitions_;
    std::atomic<bool> stopping_{false};
    std::thread reporter_;
};

// One record as kcat read it.
struct LogRecord {
    int partition;
    int64_t offset;
    int id;
};

// The topic from the beginning, read by kcat.
inline std::vector<LogRecord> read_log(const std::string &topic) {
    const std::string dump = harness::run("kcat -C -b " + bootstrap() + " -t " + topic +
                                          " -o beginning -e -q -f '%p %o %s\\n'");
    std::vector<LogRecord> log;
    for (const std::string &line : harness::split(dump, '\n')) {
        if (line.empty()) continue;
        auto fields = harness::split(line, ' ');
        CHECK_MSG(fields.size() >= 3 && fields[2].rfind("id=", 0) == 0, "bad line: %s",
                  line.c_str());
        log.push_back(
            {std::stoi(fields[0]), std::stoll(fields[1]), std::stoi(fields[2].substr(3))});
    }
    return log;
}

struct VerifyOptions {
    bool all_must_succeed = true;
    // Ids [0, checked) are checked; later ones were never sent.
    int checked = -1;
    // For a peer client: count what a kprod run would fail on, and go on.
    bool measure_only = false;
};

struct VerifySummary {
    int succeeded = 0, failed = 0, possibly_persisted_failures = 0, in_log = 0;
    int success_without_offset = 0;  // a success whose report had offset -1
    std::map<kprod_err_t, int> failures_by_error;
    // Counted only with measure_only (otherwise the first one fails the test).
    int duplicated = 0;            // records in the log more than once
    int not_persisted_in_log = 0;  // reported not persisted, yet in the log
    int lost = 0;                  // reported persisted, not in the log (or elsewhere)
    int out_of_order = 0;          // a partition's records not in the order sent
    int wrong_report_count = 0;    // records with no report, or more than one
};

// Prints "file:line: label: condition: message" for a check that failed and,
// when fatal, ends the test. FAULT_VIOLATION and FAULT_CLAIM (scenario_client.h)
// both report through it, so their lines read alike for the scripts that grep them.
[[gnu::format(printf, 6, 7)]] inline void report_failed_check(bool fatal, const char *file,
                                                              int line, const char *label,
                                                              const char *condition,
                                                              const char *format, ...) {
    std::fprintf(stderr, "%s:%d: %s: %s: ", file, line, label, condition);
    va_list arguments;
    va_start(arguments, format);
    std::vfprintf(stderr, format, arguments);
    va_end(arguments);
    std::fputc('\n', stderr);
    if (fatal) std::exit(1);
}

// A violation: fails a kprod run at once, with the message; a peer's is
// counted, and the first of each kind printed.
#define FAULT_VIOLATION(options, counter, condition, ...)                                    \
    do {                                                                                     \
        if (!(condition)) {                                                                  \
            if (!(options).measure_only || (counter) == 0) {                                 \
                fault::report_failed_check(                                                  \
                    !(options).measure_only, __FILE__, __LINE__,                             \
                    (options).measure_only ? "first violation" : "CHECK failed", #condition, \
                    __VA_ARGS__);                                                            \
            }                                                                                \
            ++(counter);                                                                     \
        }                                                                                    \
    } while (0)

// Every record got exactly one report; every success is in the log once, at
// the reported partition and offset; a failure said not persisted is absent;
// nothing is in the log twice; per partition, ids grow with offsets (one
// sending thread, so that is the order it sent them in). Exits the test on
// the first violation, with details (or counts them, see measure_only).
inline VerifySummary verify(const Tracker &tracker, const VerifyOptions &options = {}) {
    const std::vector<RecordState> &records = tracker.records;
    const int checked = options.checked >= 0 ? options.checked : static_cast<int>(records.size());
    std::vector<LogRecord> log;
    std::vector<int> copies;
    // A new leader may briefly lag on the high watermark: read again until
    // every success shows up (or three times).
    for (int attempt = 1;; ++attempt) {
        log = read_log(tracker.topic());
        copies.assign(records.size(), 0);
        for (const LogRecord &r : log) {
            CHECK_MSG(r.id >= 0 && r.id < checked, "foreign record id %d in the log", r.id);
            ++copies[static_cast<size_t>(r.id)];
        }
        int missing = 0;
        for (int id = 0; id < checked; ++id)
            if (records[static_cast<size_t>(id)].err == KPROD_OK &&
                copies[static_cast<size_t>(id)] == 0)
                ++missing;
        if (missing == 0 || attempt == 3) break;
        std::fprintf(stderr, "kcat missed %d acknowledged records; reading again\n", missing);
        std::this_thread::sleep_for(std::chrono::seconds(5));
    }
    VerifySummary summary;
    summary.in_log = static_cast<int>(log.size());
    // Duplicates are the bug these tests hunt: count them all before failing.
    int duplicated = 0, first_duplicate = -1;
    for (int id = 0; id < checked; ++id)
        if (copies[static_cast<size_t>(id)] > 1 && duplicated++ == 0) first_duplicate = id;
    if (duplicated > 0) {
        std::map<int, int> per_partition;
        for (int id = 0; id < checked; ++id)
            if (copies[static_cast<size_t>(id)] > 1)
                ++per_partition[records[static_cast<size_t>(id)].partition];
        std::fprintf(stderr,
                     "%d records are in the log more than once; per partition:", duplicated);
        for (auto [partition, n] : per_partition) std::fprintf(stderr, " %d: %d", partition, n);
        std::fprintf(stderr, "\n");
        // What the duplicated records were told: the reports that lie.
        std::map<std::pair<kprod_err_t, kprod_persisted_t>, int> by_report;
        for (int id = 0; id < checked; ++id)
            if (copies[static_cast<size_t>(id)] > 1)
                ++by_report[{records[static_cast<size_t>(id)].err,
                             records[static_cast<size_t>(id)].persisted}];
        std::fprintf(stderr, "their reports:");
        for (auto [report, n] : by_report)
            std::fprintf(stderr, " %s (persisted %d): %d;", kprod_err_str(report.first),
                         report.second, n);
        std::fprintf(stderr, "\n");
        const RecordState &s = records[static_cast<size_t>(first_duplicate)];
        if (options.measure_only)
            std::fprintf(stderr, "first duplicate: record %d, reported %s at %d/%lld\n",
                         first_duplicate, kprod_err_str(s.err), s.partition,
                         static_cast<long long>(s.offset));
        CHECK_MSG(
            options.measure_only,
            "record %d (and %d more) in the log twice; its report: %s at %d/%lld, persisted %d",
            first_duplicate, duplicated - 1, kprod_err_str(s.err), s.partition,
            static_cast<long long>(s.offset), s.persisted);
        summary.duplicated = duplicated;
    }
    std::map<int, const LogRecord *> where;
    for (const LogRecord &r : log) where[r.id] = &r;
    for (int id = 0; id < checked; ++id) {
        const RecordState &s = records[static_cast<size_t>(id)];
        const int n = copies[static_cast<size_t>(id)];
        FAULT_VIOLATION(options, summary.wrong_report_count, s.reports == 1,
                        "record %d got %d reports", id, s.reports);
        if (s.err == KPROD_OK) {
            ++summary.succeeded;
            CHECK_MSG(s.persisted == KPROD_PERSISTED, "record %d succeeded with persisted=%d", id,
                      s.persisted);
            FAULT_VIOLATION(options, summary.lost, n >= 1,
                            "record %d reported delivered at %d/%lld is not in the log", id,
                            s.partition, static_cast<long long>(s.offset));
            if (n == 0) continue;
            const LogRecord &r = *where[id];
            FAULT_VIOLATION(options, summary.lost, r.partition == s.partition,
                            "record %d reported in partition %d, found in %d", id, s.partition,
                            r.partition);
            if (s.offset < 0)
                ++summary.success_without_offset;
            else
                FAULT_VIOLATION(options, summary.lost, r.offset == s.offset,
                                "record %d reported at offset %lld, found at %lld", id,
                                static_cast<long long>(s.offset), static_cast<long long>(r.offset));
        } else {
            ++summary.failed;
            ++summary.failures_by_error[s.err];
            CHECK_MSG(!options.all_must_succeed,
                      "record %d failed: %s (broker error %d, persisted %d)", id,
                      kprod_err_str(s.err), s.broker_error, s.persisted);
            if (s.persisted == KPROD_NOT_PERSISTED)
                FAULT_VIOLATION(options, summary.not_persisted_in_log, n == 0,
                                "record %d reported not persisted (%s) is in the log", id,
                                kprod_err_str(s.err));
            else
                ++summary.possibly_persisted_failures;
        }
    }
    std::map<int, std::pair<int64_t, int>> last;  // partition -> (offset, id)
    std::vector<LogRecord> ordered = log;
    std::sort(ordered.begin(), ordered.end(), [](const LogRecord &a, const LogRecord &b) {
        return a.partition != b.partition ? a.partition < b.partition : a.offset < b.offset;
    });
    for (const LogRecord &r : ordered) {
        auto [it, first] = last.try_emplace(r.partition, r.offset, r.id);
        if (!first) {
            FAULT_VIOLATION(options, summary.out_of_order, r.id > it->second.second,
                            "partition %d: record %d at offset %lld after record %d at %lld",
                            r.partition, r.id, static_cast<long long>(r.offset), it->second.second,
                            static_cast<long long>(it->second.first));
            it->second = {r.offset, r.id};
        }
    }
    return summary;
}

// A peer's summary line: what kprod's run would have failed on.
inline void print_violations(const char *client, const VerifySummary &s) {
    std::fprintf(stderr,
                 "%s: %d duplicated, %d reported not persisted yet in the log, %d lost or "
                 "misplaced, %d out of order, %d with no or several reports\n",
                 client, s.duplicated, s.not_persisted_in_log, s.lost, s.out_of_order,
                 s.wrong_report_count);
}

// Latency (report time - send time) figures, in ms, for ids in [first, last).
struct Latency {
    int64_t p50 = 0, p99 = 0, max = 0;
    int max_id = -1;
};

inline Latency latency(const Tracker &tracker, int first, int last) {
    std::vector<std::pair<int64_t, int>> values;
    for (int id = first; id < last; ++id) {
        const RecordState &s = tracker.records[static_cast<size_t>(id)];
        if (s.reports > 0) values.emplace_back(s.reported_ms - s.sent_ms, id);
    }
    Latency l;
    if (values.empty()) return l;
    std::sort(values.begin(), values.end());
    l.p50 = values[values.size() / 2].first;
    l.p99 = values[values.size() * 99 / 100].first;
    l.max = values.back().first;
    l.max_id = values.back().second;
    return l;
}

inline void print_latency(const char *what, const Latency &l) {
    std::fprintf(stderr, "%s: latency p50 %lld ms, p99 %lld ms, max %lld ms (record %d)\n", what,
                 static_cast<long long>(l.p50), static_cast<long long>(l.p99),
                 static_cast<long long>(l.max), l.max_id);
}

// The longest time no record of `partition` was acknowledged while one of its
// records was waiting: how long the partition was stuck. With `since_ms`,
// only from then on (the wait until the first acknowledgement after it counts).
inline int64_t longest_stall_ms(const Tracker &tracker, int partition, int partitions,
                                int64_t since_ms = 0) {
    std::vector<int64_t> acks;
    for (size_t id = static_cast<size_t>(partition); id < tracker.records.size();
         id += static_cast<size_t>(partitions)) {
        const RecordState &s = tracker.records[id];
        if (s.reports > 0 && s.err == KPROD_OK && s.reported_ms >= since_ms)
            acks.push_back(s.reported_ms);
    }
    std::sort(acks.begin(), acks.end());
    int64_t longest = since_ms > 0 && !acks.empty() ? acks.front() - since_ms : 0;
    for (size_t i = 1; i < acks.size(); ++i) longest = std::max(longest, acks[i] - acks[i - 1]);
    return longest;
}

}  // namespace fault
