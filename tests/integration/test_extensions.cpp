// The Java producer's extension points, against a real broker:
// - a custom partitioner that routes by a header: kcat finds each record on
//   the partition the header named;
// - interceptors: on_send adds a header that kcat reads back, and
//   on_acknowledgement sees every report, once, before the application;
// - two on_acknowledgement interceptors run in registration order for each
//   record, and a record the broker refuses reaches them once, with its
//   error, before the application's report;
// - reports on the Sender thread (kprod_conf_set_sender_report_cb): once a
//   record, after the interceptor, none left to poll, kcat reads them back;
// - kprod_partitions_for: partitions and leaders of a topic; a topic that
//   does not exist fails with KPROD_ERR_UNKNOWN_TOPIC after max.block.ms;
// - the log callback: a failing interceptor is logged with the client.id;
// - fork(): a child's calls on the parent's producer fail with
//   KPROD_ERR_FORKED, those that return counts (kprod_poll, kprod_poll_reports,
//   kprod_outstanding) return 0 at once, and the parent's records all arrive.

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#define KPROD_EXPERIMENTAL  // kprod_conf_set_sender_report_cb
#include "kprod.h"

namespace {

constexpr int kPartitions = 4;
constexpr int kRecords = 2000;

kprod_conf_t *base_conf(const char *client_id) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "client.id", client_id, errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "linger.ms", "5", errstr, sizeof errstr) == KPROD_OK);
    return conf;
}

kprod_t *new_producer(kprod_conf_t *conf) {
    char errstr[512];
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);
    return p;
}

// Sends `value` to `topic`, with `id` as the message's opaque; it must be accepted.
void send_with_id(kprod_t *p, const std::string &topic, const std::string &value, uintptr_t id) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = value.data();
    msg.value_len = value.size();
    msg.opaque = reinterpret_cast<void *>(id);
    CHECK(kprod_send(p, &msg) == KPROD_OK);
}

// Routes by the header "route", whose value is the partition's digit.
int32_t route_by_header(const kprod_message_t *msg, int32_t count, void *calls) {
    static_cast<std::atomic<int> *>(calls)->fetch_add(1);
    for (size_t i = 0; i < msg->header_count; ++i)
        if (std::strcmp(msg->headers[i].name, "route") == 0 && msg->headers[i].value_len == 1)
            return (static_cast<const char *>(msg->headers[i].value)[0] - '0') % count;
    return -1;  // refused: KPROD_ERR_PARTITIONER
}

// on_send: appends the header traced=yes (the original headers stay first).
struct Tracer {
    static thread_local std::vector<kprod_header_t> headers;  // valid until kprod_send returns
    static kprod_err_t on_send(kprod_message_t *msg, void *) {
        headers.assign(msg->headers, msg->headers + msg->header_count);
        headers.push_back({"traced", 6, "yes", 3});
        msg->headers = headers.data();
        msg->header_count = headers.size();
        return KPROD_OK;
    }
};
thread_local std::vector<kprod_header_t> Tracer::headers;

kprod_err_t always_fails(kprod_message_t *msg, void *) {
    msg->value = "never sent";
    msg->value_len = 10;
    return KPROD_ERR_INVALID_ARG;
}

// on_acknowledgement: counts reports per record id (the opaque), on the Sender thread.
struct Acknowledgements {
    std::mutex mutex;
    std::vector<int> seen = std::vector<int>(kRecords, 0);
    int after_application = 0;  // acknowledged after the application took the report: wrong
    std::vector<std::atomic<bool>> taken = std::vector<std::atomic<bool>>(kRecords);
    static void on_acknowledgement(const kprod_report_t *report, void *opaque) {
        auto *self = static_cast<Acknowledgements *>(opaque);
        const auto id = reinterpret_cast<uintptr_t>(report->opaque);
        std::lock_guard lock(self->mutex);
        CHECK(id < kRecords);
        ++self->seen[id];
        CHECK(report->err == KPROD_OK && report->offset >= 0);
        if (self->taken[id].load()) ++self->after_application;
    }
};

struct LogLines {
    std::mutex mutex;
    std::vector<std::string> lines;
    static void collect(kprod_log_level_t level, const char *context, const char *message,
                        void *opaque) {
        auto *self = static_cast<LogLines *>(opaque);
        std::lock_guard lock(self->mutex);
        self->lines.push_back(std::to_string(level) + " [" + context + "] " + message);
    }
};

std::vector<kprod_report_t> take_all(kprod_t *p, size_t expected,
                                     Acknowledgements *acks = nullptr) {
    std::vector<kprod_report_t> all;
    kprod_report_t reports[256];
    for (int waited = 0; all.size() < expected && waited < 600; ++waited) {
        const size_t n = kprod_poll_reports(p, reports, 256, sizeof reports[0], 100);
        for (size_t i = 0; acks && i < n; ++i)
            acks->taken[reinterpret_cast<uintptr_t>(reports[i].opaque) % kRecords].store(true);
        all.insert(all.end(), reports, reports + n);
    }
    return all;
}

void partitioner_and_interceptors(const std::string &topic) {
    std::atomic<int> partitioner_calls{0};
    Acknowledgements acks;
    LogLines log;
    kprod_conf_t *conf = base_conf("extensions-test");
    CHECK(kprod_conf_set_partitioner(conf, route_by_header, &partitioner_calls) == KPROD_OK);
    CHECK(kprod_conf_add_interceptor(conf, always_fails, nullptr, nullptr) == KPROD_OK);
    CHECK(kprod_conf_add_interceptor(conf, Tracer::on_send, Acknowledgements::on_acknowledgement,
                                     &acks) == KPROD_OK);
    CHECK(kprod_conf_set_log_cb(conf, LogLines::collect, &log) == KPROD_OK);
    kprod_t *p = new_producer(conf);

    for (uintptr_t id = 0; id < kRecords; ++id) {
        const std::string route(1, static_cast<char>('0' + id % kPartitions));
        const std::string value = "record-" + std::to_string(id);
        const kprod_header_t headers[] = {{"route", 5, route.data(), 1}};
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.key = "same-key";  // the custom partitioner wins over the key's hash
        msg.key_len = 8;
        msg.value = value.data();
        msg.value_len = value.size();
        msg.headers = headers;
        msg.header_count = 1;
        msg.opaque = reinterpret_cast<void *>(id);
        CHECK(kprod_send(p, &msg) == KPROD_OK);
    }
    // A message the partitioner refuses: a clear error, no report.
    kprod_message_t unrouted = KPROD_MESSAGE_INIT;
    unrouted.topic = topic.c_str();
    unrouted.value = "x";
    unrouted.value_len = 1;
    CHECK(kprod_send(p, &unrouted) == KPROD_ERR_PARTITIONER);
    const int calls_before = partitioner_calls.load();
    // Take reports while the records are on their way: each must have been
    // acknowledged to the interceptor before the application sees it.
    std::vector<kprod_report_t> reports = take_all(p, kRecords, &acks);
    CHECK_MSG(reports.size() == kRecords, "%zu reports", reports.size());
    for (const kprod_report_t &r : reports) {
        const auto id = reinterpret_cast<uintptr_t>(r.opaque);
        CHECK_MSG(r.err == KPROD_OK, "%s", kprod_err_str(r.err));
        CHECK_MSG(r.partition == static_cast<int32_t>(id % kPartitions), "record %lu on %d",
                  static_cast<unsigned long>(id), r.partition);
    }
    CHECK(calls_before == kRecords + 1);
    {
        std::lock_guard lock(acks.mutex);
        for (int id = 0; id < kRecords; ++id)
            CHECK_MSG(acks.seen[static_cast<size_t>(id)] == 1, "record %d acknowledged %d times",
                      id, acks.seen[static_cast<size_t>(id)]);
        CHECK_MSG(acks.after_application == 0, "%d reports reached the application first",
                  acks.after_application);
    }
    std::fprintf(stderr, "partitioner and interceptors: %d records routed and acknowledged once\n",
                 kRecords);

    // Topic metadata, as Java's partitionsFor.
    kprod_partition_info_t partitions[8];
    size_t count = 0;
    CHECK(kprod_partitions_for(p, topic.c_str(), partitions, 8, sizeof partitions[0], &count) ==
          KPROD_OK);
    CHECK_MSG(count == kPartitions, "%zu partitions", count);
    const std::string port = harness::port_of(harness::bootstrap());
    for (size_t i = 0; i < count; ++i) {
        CHECK(partitions[i].partition == static_cast<int32_t>(i));
        CHECK(partitions[i].leader >= 0);
        CHECK(std::to_string(partitions[i].leader_port) == port);
        CHECK(partitions[i].leader_host[0] != '\0');
    }
    CHECK(kprod_partitions_for(p, topic.c_str(), nullptr, 0, 0, &count) == KPROD_OK &&
          count == kPartitions);
    CHECK(kprod_partitions_for(p, "", partitions, 8, sizeof partitions[0], &count) ==
          KPROD_ERR_INVALID_ARG);

    kprod_destroy(p);

    // The failing interceptor was logged, with the client.id, once per record.
    size_t interceptor_warnings = 0;
    for (const std::string &line : log.lines)
        if (line.rfind("4 [extensions-test] interceptor 0 on_send for topic " + topic, 0) == 0)
            ++interceptor_warnings;
    CHECK_MSG(interceptor_warnings == kRecords + 1, "%zu warnings", interceptor_warnings);

    // kcat: each record on its routed partition, with the header the interceptor added,
    // and the value the failing interceptor could not change.
    const std::string dump = harness::run("kcat -C -b " + harness::bootstrap() + " -t " + topic +
                                          " -e -q -f '%p\\t%h\\t%s\\n'");
    std::vector<int> seen(kRecords, 0);
    for (const std::string &line : harness::split(dump, '\n')) {
        if (line.empty()) continue;
        const auto fields = harness::split(line, '\t');
        CHECK_MSG(fields.size() == 3 && fields[2].rfind("record-", 0) == 0, "bad line: %s",
                  line.c_str());
        const int id = std::stoi(fields[2].substr(7));
        CHECK(id >= 0 && id < kRecords);
        ++seen[static_cast<size_t>(id)];
        CHECK_MSG(std::stoi(fields[0]) == id % kPartitions, "record %d on partition %s", id,
                  fields[0].c_str());
        const std::string expected_headers =
            "route=" + std::to_string(id % kPartitions) + ",traced=yes";
        CHECK_MSG(fields[1] == expected_headers, "headers of %d: %s", id, fields[1].c_str());
    }
    for (int id = 0; id < kRecords; ++id)
        CHECK_MSG(seen[static_cast<size_t>(id)] == 1, "record %d read %d times", id,
                  seen[static_cast<size_t>(id)]);
    std::fprintf(stderr, "kcat read every record once, routed, with the interceptor's header\n");
}

// Two interceptors' on_acknowledgement, recording per record the order they
// ran in and the error they saw, and whether the application had the report.
struct AcknowledgementOrder {
    static constexpr size_t kGood = 200;       // records 0..kGood-1 are delivered
    static constexpr size_t kRefused = kGood;  // the one record the broker refuses
    std::mutex mutex;
    std::vector<std::vector<int>> calls = std::vector<std::vector<int>>(kGood + 1);
    std::vector<kprod_err_t> errors = std::vector<kprod_err_t>(kGood + 1, KPROD_OK);
    std::vector<std::atomic<bool>> taken = std::vector<std::atomic<bool>>(kGood + 1);
    int after_application = 0;

    struct Interceptor {
        AcknowledgementOrder *order;
        int index;  // in registration order
    };
    static void on_acknowledgement(const kprod_report_t *report, void *opaque) {
        const auto *interceptor = static_cast<const Interceptor *>(opaque);
        AcknowledgementOrder &self = *interceptor->order;
        const auto id = reinterpret_cast<uintptr_t>(report->opaque);
        std::lock_guard lock(self.mutex);
        CHECK(id <= kRefused);
        self.calls[id].push_back(interceptor->index);
        self.errors[id] = report->err;
        if (self.taken[id].load()) ++self.after_application;
    }
};

// Takes `expected` reports, marking each taken as soon as the application has it.
std::vector<kprod_report_t> take_marking(kprod_t *p, size_t expected, AcknowledgementOrder &order) {
    std::vector<kprod_report_t> all;
    kprod_report_t reports[64];
    for (int waited = 0; all.size() < expected && waited < 300; ++waited) {
        const size_t n = kprod_poll_reports(p, reports, 64, sizeof reports[0], 100);
        for (size_t i = 0; i < n; ++i)
            order.taken[reinterpret_cast<uintptr_t>(reports[i].opaque)].store(true);
        all.insert(all.end(), reports, reports + n);
    }
    return all;
}

// A topic whose batches may hold at most 1000 bytes: batch.size 500 keeps the
// small records under it; a 3000-byte record is refused (MESSAGE_TOO_LARGE).
void acknowledgement_order_and_failure(const std::string &topic) {
    AcknowledgementOrder order;
    AcknowledgementOrder::Interceptor first{&order, 0}, second{&order, 1};
    kprod_conf_t *conf = base_conf("acknowledgement-test");
    char errstr[512];
    CHECK(kprod_conf_set(conf, "batch.size", "500", errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_add_interceptor(conf, nullptr, AcknowledgementOrder::on_acknowledgement,
                                     &first) == KPROD_OK);
    CHECK(kprod_conf_add_interceptor(conf, nullptr, AcknowledgementOrder::on_acknowledgement,
                                     &second) == KPROD_OK);
    kprod_t *p = new_producer(conf);

    for (uintptr_t id = 0; id < AcknowledgementOrder::kGood; ++id)
        send_with_id(p, topic, "ack-" + std::to_string(id), id);
    const std::vector<kprod_report_t> good = take_marking(p, AcknowledgementOrder::kGood, order);
    CHECK_MSG(good.size() == AcknowledgementOrder::kGood, "%zu reports", good.size());
    for (const kprod_report_t &r : good) CHECK_MSG(r.err == KPROD_OK, "%s", kprod_err_str(r.err));

    // Alone, so that no good record shares its request.
    send_with_id(p, topic, std::string(3000, 'x'), AcknowledgementOrder::kRefused);
    const std::vector<kprod_report_t> failed = take_marking(p, 1, order);
    CHECK_MSG(failed.size() == 1, "%zu reports for the refused record", failed.size());
    const kprod_report_t &report = failed[0];
    CHECK_MSG(report.err == KPROD_ERR_BROKER && report.broker_error == 10 &&
                  report.persisted == KPROD_NOT_PERSISTED && report.offset == -1,
              "refused record: %s, broker error %d, persisted %d, offset %lld",
              kprod_err_str(report.err), report.broker_error, report.persisted,
              static_cast<long long>(report.offset));
    CHECK(kprod_flush(p, 10000) == KPROD_OK);
    kprod_destroy(p);

    std::lock_guard lock(order.mutex);
    for (size_t id = 0; id <= AcknowledgementOrder::kRefused; ++id) {
        const std::vector<int> &calls = order.calls[id];
        CHECK_MSG(calls == std::vector<int>({0, 1}),
                  "record %zu: %zu on_acknowledgement calls, first by interceptor %d", id,
                  calls.size(), calls.empty() ? -1 : calls[0]);
    }
    CHECK_MSG(order.errors[AcknowledgementOrder::kRefused] == report.err,
              "on_acknowledgement saw %s, the application %s",
              kprod_err_str(order.errors[AcknowledgementOrder::kRefused]),
              kprod_err_str(report.err));
    CHECK_MSG(order.after_application == 0, "%d reports reached the application first",
              order.after_application);
    std::fprintf(stderr,
                 "on_acknowledgement: 2 interceptors in registration order for %zu "
                 "records; the refused one (%s) acknowledged once, before the application\n",
                 AcknowledgementOrder::kGood + 1, kprod_err_str(report.err));
}

// Reports on the Sender thread (kprod_conf_set_sender_report_cb), as Java
// runs send callbacks on its I/O thread: each record's report once, on a
// thread that is not the application's, after the interceptor; nothing is
// left for kprod_poll_reports; kcat reads every delivered record back, and
// the record the broker refuses reports its error through the same callback.
struct SenderReports {
    static constexpr size_t kGood = 500;
    static constexpr size_t kRefused = kGood;  // too large for the topic
    std::mutex mutex;
    std::thread::id application = std::this_thread::get_id();
    std::vector<int> acknowledged = std::vector<int>(kGood + 1, 0);
    std::vector<int> reported = std::vector<int>(kGood + 1, 0);
    std::vector<kprod_report_t> reports = std::vector<kprod_report_t>(kGood + 1);
    int on_application_thread = 0;
    int before_acknowledgement = 0;

    static void on_acknowledgement(const kprod_report_t *report, void *opaque) {
        auto &self = *static_cast<SenderReports *>(opaque);
        std::lock_guard lock(self.mutex);
        ++self.acknowledged.at(reinterpret_cast<uintptr_t>(report->opaque));
    }
    static void on_report(const kprod_report_t *report, void *opaque) {
        auto &self = *static_cast<SenderReports *>(opaque);
        const auto id = reinterpret_cast<uintptr_t>(report->opaque);
        std::lock_guard lock(self.mutex);
        if (std::this_thread::get_id() == self.application) ++self.on_application_thread;
        if (self.acknowledged.at(id) == 0) ++self.before_acknowledgement;
        ++self.reported.at(id);
        self.reports.at(id) = *report;
    }
};

void sender_report_callback(const std::string &topic) {
    SenderReports seen;
    kprod_conf_t *conf = base_conf("sender-report-test");
    char errstr[512];  // the topic takes batches of 1000 bytes at most
    CHECK(kprod_conf_set(conf, "batch.size", "500", errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_add_interceptor(conf, nullptr, SenderReports::on_acknowledgement, &seen) ==
          KPROD_OK);
    CHECK(kprod_conf_set_sender_report_cb(conf, SenderReports::on_report, &seen) == KPROD_OK);
    kprod_t *p = new_producer(conf);
    for (uintptr_t id = 0; id < SenderReports::kGood; ++id)
        send_with_id(p, topic, "sender-report-" + std::to_string(id), id);
    CHECK(kprod_flush(p, 10000) == KPROD_OK);
    // Alone, so that no good record shares its request.
    send_with_id(p, topic, std::string(3000, 'x'), SenderReports::kRefused);
    CHECK(kprod_flush(p, 10000) == KPROD_OK);
    kprod_report_t left[4];
    CHECK(kprod_poll_reports(p, left, 4, sizeof left[0], 0) == 0);
    CHECK(kprod_poll(p, 0) == 0);
    kprod_destroy(p);

    std::lock_guard lock(seen.mutex);
    for (size_t id = 0; id <= SenderReports::kRefused; ++id)
        CHECK_MSG(seen.reported[id] == 1 && seen.acknowledged[id] == 1,
                  "record %zu: %d reports, %d acknowledgements", id, seen.reported[id],
                  seen.acknowledged[id]);
    CHECK_MSG(seen.on_application_thread == 0, "%d reports on the application's thread",
              seen.on_application_thread);
    CHECK_MSG(seen.before_acknowledgement == 0, "%d reports before the interceptor's",
              seen.before_acknowledgement);
    for (size_t id = 0; id < SenderReports::kGood; ++id)
        CHECK_MSG(seen.reports[id].err == KPROD_OK && seen.reports[id].offset >= 0 &&
                      seen.reports[id].persisted == KPROD_PERSISTED,
                  "record %zu: %s", id, kprod_err_str(seen.reports[id].err));
    const kprod_report_t &refused = seen.reports[SenderReports::kRefused];
    CHECK_MSG(refused.err == KPROD_ERR_BROKER && refused.broker_error == 10 &&
                  refused.persisted == KPROD_NOT_PERSISTED,
              "refused record: %s, broker error %d", kprod_err_str(refused.err),
              refused.broker_error);

    const std::string dump =
        harness::run("kcat -C -b " + harness::bootstrap() + " -t " + topic + " -e -q -f '%s\n'");
    std::vector<int> read(SenderReports::kGood, 0);
    for (const std::string &line : harness::split(dump, '\n')) {
        if (line.rfind("sender-report-", 0) != 0) continue;  // other tests' records
        const size_t id = std::stoul(line.substr(14));
        CHECK(id < SenderReports::kGood);
        ++read[id];
    }
    for (size_t id = 0; id < SenderReports::kGood; ++id)
        CHECK_MSG(read[id] == 1, "record %zu read %d times", id, read[id]);
    std::fprintf(stderr,
                 "sender report callback: %zu records reported once on the Sender thread, "
                 "after the interceptor; kcat read them all; the refused one reported %s\n",
                 SenderReports::kGood, kprod_err_str(refused.err));
}

// Java's partitionsFor on a topic the broker does not have (it creates none):
// the answer waits max.block.ms for the topic to appear, then names the cause.
void partitions_for_missing_topic() {
    kprod_conf_t *conf = base_conf("missing-topic-test");
    char errstr[512];
    CHECK(kprod_conf_set(conf, "max.block.ms", "1000", errstr, sizeof errstr) == KPROD_OK);
    kprod_t *p = new_producer(conf);
    const std::string missing = harness::unique_topic("it-no-such-topic");
    kprod_partition_info_t partitions[4];
    size_t count = 0;
    const auto started = std::chrono::steady_clock::now();
    const kprod_err_t err =
        kprod_partitions_for(p, missing.c_str(), partitions, 4, sizeof partitions[0], &count);
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK_MSG(err == KPROD_ERR_UNKNOWN_TOPIC, "%s", kprod_err_str(err));
    CHECK_MSG(waited >= 0.9 && waited < 10, "partitions_for returned after %.2f s", waited);
    kprod_destroy(p);
    std::fprintf(stderr, "partitions_for a missing topic: %s after %.2f s\n", kprod_err_str(err),
                 waited);
}

// The child of a fork() must not use the parent's producer; the parent goes on.
void fork_while_sending(const std::string &topic) {
    kprod_t *p = new_producer(base_conf("fork-test"));
    std::atomic<bool> stop{false};
    std::atomic<int> sent{0};
    std::thread sender([&] {
        for (int id = 0; !stop.load() || id < 1000; ++id) {
            const std::string value = "fork-" + std::to_string(id);
            kprod_message_t msg = KPROD_MESSAGE_INIT;
            msg.topic = topic.c_str();
            msg.value = value.data();
            msg.value_len = value.size();
            CHECK(kprod_send(p, &msg) == KPROD_OK);
            sent.fetch_add(1);
            if (id >= 20000) break;
        }
    });
    while (sent.load() < 500) std::this_thread::yield();

    const pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        // Only async-signal-safe work in spirit: no locks, no threads, plain exits.
        // The exit status is the first call that did not answer as kprod.h says.
        int failed = 0;
        const auto expect = [&failed](bool answered_as_documented, int call) {
            if (!answered_as_documented && failed == 0) failed = call;
        };
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        expect(kprod_send(p, &msg) == KPROD_ERR_FORKED, 1);
        expect(kprod_flush(p, 1000) == KPROD_ERR_FORKED, 2);
        expect(kprod_close(p, 1000) == KPROD_ERR_FORKED, 3);
        expect(kprod_poll(p, 0) == 0, 4);
        size_t count = 0;
        expect(kprod_partitions_for(p, topic.c_str(), nullptr, 0, 0, &count) == KPROD_ERR_FORKED,
               5);
        kprod_message_t batch[3] = {msg, msg, msg};
        kprod_err_t results[3] = {KPROD_OK, KPROD_OK, KPROD_OK};
        expect(kprod_send_batch(p, batch, 3, sizeof batch[0], results) == KPROD_ERR_FORKED &&
                   results[0] == KPROD_ERR_FORKED && results[1] == KPROD_ERR_FORKED &&
                   results[2] == KPROD_ERR_FORKED,
               6);
        // kprod_poll_reports, kprod_poll and kprod_outstanding return counts, not
        // errors: in a child, 0 at once, without waiting for reports no thread
        // here will produce, whatever the parent had in flight.
        kprod_report_t reports[4];
        const auto polled = std::chrono::steady_clock::now();
        expect(kprod_poll_reports(p, reports, 4, sizeof reports[0], 5000) == 0, 7);
        expect(kprod_poll(p, 5000) == 0, 8);
        expect(std::chrono::steady_clock::now() - polled < std::chrono::seconds(1), 9);
        expect(kprod_outstanding(p) == 0, 10);
        char *json = nullptr;
        expect(kprod_metrics_json(p, &json) == KPROD_ERR_FORKED && json == nullptr, 11);
        kprod_destroy(p);  // releases the handle only
        _exit(failed);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "child status %d (exit status: the first call that did not answer as in a forked "
              "child)",
              status);

    stop.store(true);
    sender.join();
    CHECK(kprod_flush(p, 30000) == KPROD_OK);
    const std::vector<kprod_report_t> reports = take_all(p, static_cast<size_t>(sent.load()));
    CHECK_MSG(reports.size() == static_cast<size_t>(sent.load()), "%zu reports for %d sends",
              reports.size(), sent.load());
    for (const kprod_report_t &r : reports) CHECK(r.err == KPROD_OK);
    kprod_destroy(p);
    const std::string count = harness::run("kcat -C -b " + harness::bootstrap() + " -t " + topic +
                                           " -e -q -f 'x\\n' | wc -l");
    CHECK_MSG(std::stoi(count) == sent.load(), "kcat read %s records, %d sent", count.c_str(),
              sent.load());
    std::fprintf(stderr,
                 "fork: the child's calls failed with KPROD_ERR_FORKED; the parent's %d "
                 "records all arrived\n",
                 sent.load());
}

}  // namespace

int main() {
    const std::string topic = harness::unique_topic("it-extensions");
    harness::create_topic(topic, kPartitions);
    harness::create_topic(topic + "-fork", 1);
    harness::run("KAFKA_PORT=" + harness::port_of(harness::bootstrap()) + " " +
                 harness::kafka_local() + " create-topic " + topic +
                 "-acks 1 1 --config max.message.bytes=1000 >&2");
    partitioner_and_interceptors(topic);
    acknowledgement_order_and_failure(topic + "-acks");
    sender_report_callback(topic + "-acks");
    partitions_for_missing_topic();
    fork_while_sending(topic + "-fork");
    std::printf(
        "1 passed, 0 failed: partitioner, interceptors, acknowledgement order and "
        "errors, reports on the Sender thread, partitions_for, logs, fork\n");
    return 0;
}
