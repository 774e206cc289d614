// Metrics against a real broker: after 100,000 records, record-send-total (the
// producer's and the topic's) agrees with what kcat reads back and with the
// delivery reports; the other metrics are consistent with them; the
// Prometheus text parses with prometheus_client's parser and agrees with the
// JSON document (tests/integration/check_metrics.py); a thread reading the
// metrics all the while sees counters only grow; a forked child gets
// KPROD_ERR_FORKED; the metrics stay readable after kprod_close; a send that
// waited for buffer memory shows in bufferpool-wait-time-total.

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness.h"
#include "kprod.h"

namespace {

constexpr int kPartitions = 4;
constexpr int kRecords = 100000;

// As kprod.h suggests: ask for the count, then read; again if a topic or
// broker added metrics in between.
std::vector<kprod_metric_t> read_metrics(kprod_t *p) {
    size_t count = 0;
    CHECK(kprod_metrics(p, nullptr, 0, sizeof(kprod_metric_t), &count) == KPROD_OK);
    std::vector<kprod_metric_t> metrics;
    while (metrics.size() < count) {
        metrics.resize(count);
        CHECK(kprod_metrics(p, metrics.data(), metrics.size(), sizeof metrics[0], &count) ==
              KPROD_OK);
    }
    metrics.resize(count);
    return metrics;
}

// The value of one metric; exits when there is none. topic/node pick the
// producer-topic-metrics / producer-node-metrics entry.
double value_of(const std::vector<kprod_metric_t> &metrics, const char *group, const char *name,
                const char *topic = nullptr, int32_t node = -1) {
    for (const kprod_metric_t &m : metrics) {
        if (std::strcmp(m.group, group) != 0 || std::strcmp(m.name, name) != 0 || m.node_id != node)
            continue;
        if (topic ? (m.topic && std::strcmp(m.topic, topic) == 0) : m.topic == nullptr)
            return m.value;
    }
    CHECK_MSG(false, "no metric %s %s %s %d", group, name, topic ? topic : "", node);
    return 0;
}

double producer_metric(const std::vector<kprod_metric_t> &metrics, const char *name) {
    return value_of(metrics, "producer-metrics", name);
}

// Sum of one producer-node-metrics metric over every broker.
double sum_over_nodes(const std::vector<kprod_metric_t> &metrics, const char *name) {
    double sum = 0;
    for (const kprod_metric_t &m : metrics)
        if (std::strcmp(m.group, "producer-node-metrics") == 0 && std::strcmp(m.name, name) == 0)
            sum += m.value;
    return sum;
}

std::string take_text(kprod_err_t (*document)(kprod_t *, char **), kprod_t *p) {
    char *text = nullptr;
    CHECK(document(p, &text) == KPROD_OK && text != nullptr);
    std::string copy(text);
    kprod_metrics_text_free(text);
    return copy;
}

void write_file(const std::string &path, const std::string &text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    CHECK_MSG(out.good(), "cannot write %s", path.c_str());
}

// While records go out: every way of reading, from another thread, over and over.
struct ConcurrentReader {
    explicit ConcurrentReader(kprod_t *p)
        : thread([this, p] {
              while (!stop.load()) {
                  const double total = producer_metric(read_metrics(p), "record-send-total");
                  if (total < last_total) ++decreases;
                  last_total = total;
                  CHECK(!take_text(kprod_metrics_json, p).empty());
                  CHECK(!take_text(kprod_metrics_prometheus, p).empty());
                  ++reads;
                  std::this_thread::sleep_for(std::chrono::milliseconds(1));
              }
          }) {}
    void finish() {
        stop.store(true);
        thread.join();
    }
    std::atomic<bool> stop{false};
    double last_total = 0;
    int decreases = 0;
    int reads = 0;
    std::thread thread;
};

void check_arguments(kprod_t *p) {
    size_t count = 0;
    kprod_metric_t one;
    char *text = reinterpret_cast<char *>(&one);
    CHECK(kprod_metrics(nullptr, &one, 1, sizeof one, &count) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_metrics(p, nullptr, 1, sizeof one, &count) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_metrics(p, &one, 1, sizeof one - 1, &count) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_metrics(p, &one, 1, sizeof one, nullptr) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_metrics_json(nullptr, &text) == KPROD_ERR_INVALID_ARG && text == nullptr);
    CHECK(kprod_metrics_prometheus(p, nullptr) == KPROD_ERR_INVALID_ARG);
    kprod_metrics_text_free(nullptr);

    // A caller's larger element (a newer kprod_metric_t) is laid out elem_size apart.
    struct Wider {
        kprod_metric_t metric;
        char later_fields[24];
    } wider[3];
    CHECK(kprod_metrics(p, &wider[0].metric, 3, sizeof wider[0], &count) == KPROD_OK);
    CHECK(count >= 25);  // the producer-metrics group alone
    CHECK(std::strcmp(wider[0].metric.name, "record-send-total") == 0);
    CHECK(std::strcmp(wider[1].metric.name, "record-send-rate") == 0);
    CHECK(std::strcmp(wider[2].metric.group, "producer-metrics") == 0);
    CHECK(wider[0].metric.topic == nullptr && wider[0].metric.node_id == -1);
}

void check_forked_child(kprod_t *p) {
    const pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        int failures = 0;
        size_t count = 0;
        char *text = nullptr;
        if (kprod_metrics(p, nullptr, 0, sizeof(kprod_metric_t), &count) != KPROD_ERR_FORKED)
            failures |= 1;
        if (kprod_metrics_json(p, &text) != KPROD_ERR_FORKED || text) failures |= 2;
        if (kprod_metrics_prometheus(p, &text) != KPROD_ERR_FORKED || text) failures |= 4;
        _exit(failures);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
}

int count_with_kcat(const std::string &topic) {
    const std::string count = harness::run("kcat -C -b " + harness::bootstrap() + " -t " + topic +
                                           " -e -q -f 'x\\n' | wc -l");
    return std::stoi(count);
}

// check_metrics.py parses the Prometheus text and the JSON with parsers kprod did not write.
void check_documents_with_python(kprod_t *p, const std::string &client_id, const std::string &topic,
                                 double sent, double retried) {
    const std::string base = "/tmp/kprod-it-metrics-" + std::to_string(getpid());
    write_file(base + ".prom", take_text(kprod_metrics_prometheus, p));
    write_file(base + ".json", take_text(kprod_metrics_json, p));
    const char *source = std::getenv("KPROD_SOURCE_DIR");
    const std::string script =
        std::string(source ? source : ".") + "/tests/integration/check_metrics.py";
    char numbers[64];
    std::snprintf(numbers, sizeof numbers, "%.0f %.0f", sent, retried);
    std::fputs(harness::run("python3 " + script + " " + base + ".prom " + base + ".json " +
                            client_id + " " + topic + " " + numbers + " 2>&1")
                   .c_str(),
               stderr);
    std::remove((base + ".prom").c_str());
    std::remove((base + ".json").c_str());
}

// buffer.memory holds two batches and linger.ms keeps them open: a send that
// needs a third batch waits for memory (until max.block.ms, unless the
// Sender frees some first), and that wait is counted. Batches start as small
// as their first record allows, so the records are large enough to need
// batch.size each; the extra KiB covers each batch's bookkeeping.
void check_buffer_wait(const std::string &topic) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    const std::pair<const char *, std::string> properties[] = {
        {"bootstrap.servers", harness::bootstrap()},
        {"batch.size", "16384"},
        {"buffer.memory", "33792"},
        {"linger.ms", "60000"},
        {"max.block.ms", "1000"}};
    for (const auto &[name, value] : properties)
        CHECK_MSG(kprod_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) == KPROD_OK,
                  "%s", errstr);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);
    CHECK(producer_metric(read_metrics(p), "bufferpool-wait-time-total") == 0);

    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    const std::string value(10000, 'w');
    msg.value = value.data();
    msg.value_len = value.size();
    for (int32_t partition = 0; partition < 2; ++partition) {
        msg.partition = partition;
        CHECK(kprod_send(p, &msg) == KPROD_OK);
    }
    CHECK(producer_metric(read_metrics(p), "bufferpool-wait-time-total") == 0);
    msg.partition = 2;  // a third batch: no memory left
    const kprod_err_t third = kprod_send(p, &msg);
    CHECK_MSG(third == KPROD_OK || third == KPROD_ERR_QUEUE_FULL, "%s", kprod_err_str(third));
    const std::vector<kprod_metric_t> metrics = read_metrics(p);
    const double waited_ns = producer_metric(metrics, "bufferpool-wait-time-total");
    CHECK_MSG(waited_ns > 0, "bufferpool-wait-time-total %.0f after a send waited", waited_ns);
    CHECK(producer_metric(metrics, "bufferpool-wait-time-ns-total") == waited_ns);
    CHECK(producer_metric(metrics, "waiting-threads") == 0);
    if (third == KPROD_ERR_QUEUE_FULL) {
        CHECK_MSG(waited_ns >= 0.9e9, "waited %.0f ns, max.block.ms is 1000", waited_ns);
        CHECK(producer_metric(metrics, "buffer-exhausted-total") == 1);
    }
    CHECK(kprod_flush(p, 30000) == KPROD_OK);
    kprod_destroy(p);
    std::fprintf(stderr,
                 "a send that waited for buffer memory (%s): bufferpool-wait-time-total "
                 "%.0f ns\n",
                 kprod_err_str(third), waited_ns);
}

}  // namespace

int main() {
    const std::string topic = harness::unique_topic("it-metrics");
    harness::create_topic(topic, kPartitions);
    const std::string client_id = "metrics-test-" + std::to_string(getpid());

    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "client.id", client_id.c_str(), errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "linger.ms", "5", errstr, sizeof errstr) == KPROD_OK);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);

    check_arguments(p);
    std::vector<kprod_metric_t> metrics = read_metrics(p);
    CHECK(producer_metric(metrics, "record-send-total") == 0);
    CHECK(std::isnan(producer_metric(metrics, "request-latency-avg")));
    const double buffer_total = producer_metric(metrics, "buffer-total-bytes");
    CHECK(buffer_total == 33554432);

    ConcurrentReader reader(p);
    for (int id = 0; id < kRecords; ++id) {
        const std::string value = "metrics-" + std::to_string(id);
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.value = value.data();
        msg.value_len = value.size();
        CHECK(kprod_send(p, &msg) == KPROD_OK);
    }
    CHECK(kprod_flush(p, 60000) == KPROD_OK);
    reader.finish();
    CHECK_MSG(reader.decreases == 0, "record-send-total went down %d times", reader.decreases);
    size_t delivered = 0;
    kprod_report_t reports[1024];
    while (size_t n = kprod_poll_reports(p, reports, 1024, sizeof reports[0], 0)) {
        for (size_t i = 0; i < n; ++i) delivered += reports[i].err == KPROD_OK ? 1 : 0;
    }
    CHECK_MSG(delivered == kRecords, "%zu delivered", delivered);

    const int read_back = count_with_kcat(topic);
    metrics = read_metrics(p);
    const double sent = producer_metric(metrics, "record-send-total");
    const double retried = producer_metric(metrics, "record-retry-total");
    std::fprintf(
        stderr,
        "kcat read %d records; record-send-total %.0f, record-retry-total %.0f, "
        "record-error-total %.0f, records-per-request-avg %.1f, batch-size-avg %.0f, "
        "request-latency-avg %.2f ms, record-queue-time-avg %.2f ms; %d concurrent reads\n",
        read_back, sent, retried, producer_metric(metrics, "record-error-total"),
        producer_metric(metrics, "records-per-request-avg"),
        producer_metric(metrics, "batch-size-avg"), producer_metric(metrics, "request-latency-avg"),
        producer_metric(metrics, "record-queue-time-avg"), reader.reads);
    CHECK_MSG(read_back == kRecords, "kcat read %d records", read_back);
    // A retried batch is sent, and counted, once more.
    CHECK_MSG(sent - retried == read_back, "sent %.0f - retried %.0f != %d read", sent, retried,
              read_back);
    CHECK(producer_metric(metrics, "record-error-total") == 0);
    CHECK(value_of(metrics, "producer-topic-metrics", "record-send-total", topic.c_str()) == sent);
    CHECK(value_of(metrics, "producer-topic-metrics", "record-retry-total", topic.c_str()) ==
          retried);
    CHECK(value_of(metrics, "producer-topic-metrics", "record-error-total", topic.c_str()) == 0);
    CHECK(producer_metric(metrics, "record-send-rate") > 0);
    CHECK(producer_metric(metrics, "records-per-request-avg") >= 1);
    CHECK(producer_metric(metrics, "compression-rate-avg") == 1);  // compression.type=none
    CHECK(value_of(metrics, "producer-topic-metrics", "compression-rate", topic.c_str()) == 1);
    const double batch_avg = producer_metric(metrics, "batch-size-avg");
    CHECK(batch_avg > 61 && batch_avg <= producer_metric(metrics, "batch-size-max"));
    CHECK(producer_metric(metrics, "batch-size-max") <= 16384);
    CHECK(producer_metric(metrics, "request-latency-avg") > 0);
    CHECK(producer_metric(metrics, "request-latency-max") >=
          producer_metric(metrics, "request-latency-avg"));
    CHECK(producer_metric(metrics, "record-queue-time-max") >=
          producer_metric(metrics, "record-queue-time-avg"));
    CHECK(producer_metric(metrics, "produce-throttle-time-avg") == 0);  // no quota
    CHECK(producer_metric(metrics, "requests-in-flight") == 0);
    CHECK(producer_metric(metrics, "waiting-threads") == 0);
    // Every request went to some broker; they carried every byte of the topic's batches.
    const double requests = sum_over_nodes(metrics, "request-total");
    const double topic_bytes =
        value_of(metrics, "producer-topic-metrics", "byte-total", topic.c_str());
    CHECK(requests >= 1 && requests <= sent);
    CHECK(topic_bytes > kRecords * 10.0);
    CHECK(sum_over_nodes(metrics, "outgoing-byte-total") > topic_bytes);
    // The last batches return their memory just after their reports are ready.
    const auto available = [&] {
        return producer_metric(read_metrics(p), "buffer-available-bytes");
    };
    for (int i = 0; i < 500 && available() != buffer_total; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(available() == buffer_total);

    check_documents_with_python(p, client_id, topic, sent, retried);
    check_forked_child(p);

    CHECK(kprod_close(p, 10000) == KPROD_OK);
    metrics = read_metrics(p);
    CHECK(producer_metric(metrics, "record-send-total") == sent);
    CHECK(!take_text(kprod_metrics_prometheus, p).empty());
    kprod_destroy(p);
    check_buffer_wait(topic);  // after kcat counted the topic: it adds records
    std::printf("1 passed, 0 failed: metrics agree with kcat (%d records), Prometheus parsed\n",
                kRecords);
    return 0;
}
