// The Java producer's extension points, against a real broker:
// - a custom partitioner that routes by a header: kcat finds each record on
//   the partition the header named;
// - interceptors: on_send adds a header that kcat reads back, and
//   on_acknowledgement sees every report, once, before the application;
// - kprod_partitions_for: partitions and leaders of a topic;
// - the log callback: a failing interceptor is logged with the client.id;
// - fork(): a child's calls on the parent's producer fail with
//   KPROD_ERR_FORKED, and the parent's records all arrive.

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
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
            CHECK_MSG(acks.seen[static_cast<size_t>(id)] == 1, "record %d acknowledged %d times", id,
                      acks.seen[static_cast<size_t>(id)]);
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
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        int failures = 0;
        if (kprod_send(p, &msg) != KPROD_ERR_FORKED) failures |= 1;
        if (kprod_flush(p, 1000) != KPROD_ERR_FORKED) failures |= 2;
        if (kprod_close(p, 1000) != KPROD_ERR_FORKED) failures |= 4;
        if (kprod_poll(p, 0) != 0) failures |= 8;
        size_t count = 0;
        if (kprod_partitions_for(p, topic.c_str(), nullptr, 0, 0, &count) != KPROD_ERR_FORKED)
            failures |= 16;
        kprod_destroy(p);  // releases the handle only
        _exit(failures);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);

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
    std::fprintf(stderr, "fork: the child's calls failed with KPROD_ERR_FORKED; the parent's %d "
                         "records all arrived\n",
                 sent.load());
}

}  // namespace

int main() {
    const std::string topic = harness::unique_topic("it-extensions");
    harness::create_topic(topic, kPartitions);
    harness::create_topic(topic + "-fork", 1);
    partitioner_and_interceptors(topic);
    fork_while_sending(topic + "-fork");
    std::printf("1 passed, 0 failed: partitioner, interceptors, partitions_for, logs, fork\n");
    return 0;
}
