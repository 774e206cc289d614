// Properties whose effect no other test shows (issue 26's guard names this
// file in their rows of src/config/config_table.cpp): each check below fails
// when its property is ignored.
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "producer_harness.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using Properties = std::initializer_list<std::pair<const char *, const char *>>;
using harness::reports_after_flush;

void send_one(kprod_t *p, const std::string &topic, const std::string &value,
              const char *key = nullptr) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = value.data();
    msg.value_len = value.size();
    if (key) {
        msg.key = key;
        msg.key_len = std::strlen(key);
    }
    kprod_err_t err;
    const auto deadline = Clock::now() + 20s;
    while ((err = kprod_send(p, &msg)) == KPROD_ERR_METADATA_TIMEOUT && Clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    CHECK_MSG(err == KPROD_OK, "send: %s", kprod_err_str(err));
}

double metric(kprod_t *p, const char *name) {
    kprod_metric_t metrics[1024];
    size_t count = 0;
    CHECK(kprod_metrics(p, metrics, 1024, sizeof metrics[0], &count) == KPROD_OK);
    for (size_t i = 0; i < count && i < 1024; ++i)
        if (std::strcmp(metrics[i].name, name) == 0 && metrics[i].topic == nullptr &&
            metrics[i].node_id == -1)
            return metrics[i].value;
    CHECK_MSG(false, "no metric %s", name);
    return 0;
}

// The partitions that twelve records with different keys went to.
std::set<int32_t> partitions_of_keyed_records(const std::string &topic, const char *ignore_keys) {
    kprod_t *p = harness::new_producer(
        harness::bootstrap(), {{"partitioner.ignore.keys", ignore_keys}, {"linger.ms", "500"}});
    for (int i = 0; i < 12; ++i) send_one(p, topic, "keyed", ("key-" + std::to_string(i)).c_str());
    std::set<int32_t> partitions;
    for (const kprod_report_t &report : reports_after_flush(p)) {
        CHECK(report.err == KPROD_OK);
        partitions.insert(report.partition);
    }
    kprod_destroy(p);
    return partitions;
}

void test_partitioner_ignore_keys(const std::string &four_partitions) {
    CHECK_MSG(partitions_of_keyed_records(four_partitions, "false").size() > 1,
              "twelve keys hashed to one partition");
    CHECK_MSG(partitions_of_keyed_records(four_partitions, "true").size() == 1,
              "partitioner.ignore.keys=true: keyed records did not stick to one partition");
}

// compression-rate-avg (compressed / uncompressed size) of one batch of text.
double compression_rate(const std::string &topic, const char *codec, const char *level_property,
                        const char *level) {
    kprod_t *p = harness::new_producer(harness::bootstrap(), {{"compression.type", codec},
                                                              {level_property, level},
                                                              {"linger.ms", "200"},
                                                              {"batch.size", "1000000"}});
    static const char *const kWords[] = {"broker", "partition", "leader", "replica", "offset",
                                         "batch",  "record",    "topic",  "epoch",   "sequence"};
    uint32_t state = 12345;
    for (int i = 0; i < 400; ++i) {
        std::string value;
        for (int w = 0; w < 20; ++w) {
            state = state * 1103515245u + 12345u;
            value += kWords[(state >> 16) % 10];
            value += std::to_string((state >> 8) % 97) + " ";
        }
        send_one(p, topic, value);
    }
    for (const kprod_report_t &report : reports_after_flush(p)) CHECK(report.err == KPROD_OK);
    const double rate = metric(p, "compression-rate-avg");
    kprod_destroy(p);
    std::fprintf(stderr, "%s %s=%s: compression rate %.4f\n", codec, level_property, level, rate);
    return rate;
}

void test_compression_levels(const std::string &topic) {
    CHECK(compression_rate(topic, "gzip", "compression.gzip.level", "9") <
          compression_rate(topic, "gzip", "compression.gzip.level", "1"));
    CHECK(compression_rate(topic, "lz4", "compression.lz4.level", "17") <
          compression_rate(topic, "lz4", "compression.lz4.level", "1"));
    CHECK(compression_rate(topic, "zstd", "compression.zstd.level", "19") <
          compression_rate(topic, "zstd", "compression.zstd.level", "1"));
}

// record-send-rate 1.2 s after the last record: the samples kept cover
// metrics.sample.window.ms * metrics.num.samples.
double send_rate_a_while_after(const std::string &topic, const char *window_ms,
                               const char *samples) {
    kprod_t *p =
        harness::new_producer(harness::bootstrap(), {{"metrics.sample.window.ms", window_ms},
                                                     {"metrics.num.samples", samples},
                                                     {"linger.ms", "0"}});
    for (int i = 0; i < 10; ++i) send_one(p, topic, "counted");
    for (const kprod_report_t &report : reports_after_flush(p)) CHECK(report.err == KPROD_OK);
    std::this_thread::sleep_for(1200ms);
    const double rate = metric(p, "record-send-rate");
    kprod_destroy(p);
    return rate;
}

void test_metrics_window(const std::string &topic) {
    // 2 samples of 200 ms: forgotten after 1.2 s; of the default 30 s: not.
    CHECK_MSG(send_rate_a_while_after(topic, "200", "2") == 0,
              "metrics.sample.window.ms=200: records 1.2 s old still counted");
    CHECK_MSG(send_rate_a_while_after(topic, "30000", "2") > 0,
              "metrics.sample.window.ms=30000: records 1.2 s old forgotten");
    // 20 samples of 200 ms (4 s) still hold them.
    CHECK_MSG(send_rate_a_while_after(topic, "200", "20") > 0,
              "metrics.num.samples=20: records 1.2 s old forgotten");
}

// The most Produce requests in flight seen while many small batches go to the
// one broker (one connection) at once.
int most_requests_in_flight(const std::string &topic, const char *max_in_flight) {
    kprod_t *p = harness::new_producer(harness::bootstrap(),
                                       {{"max.in.flight.requests.per.connection", max_in_flight},
                                        {"acks", "all"},
                                        {"linger.ms", "0"},
                                        {"batch.size", "200"}});
    const std::string value(150, 'f');
    for (int i = 0; i < 3000; ++i) send_one(p, topic, value);
    std::atomic<bool> flushed{false};
    int most = 0;
    std::thread sampler([&] {
        while (!flushed.load())
            most = std::max(most, static_cast<int>(metric(p, "requests-in-flight")));
    });
    const std::vector<kprod_report_t> reports = reports_after_flush(p);
    flushed = true;
    sampler.join();
    for (const kprod_report_t &report : reports) CHECK(report.err == KPROD_OK);
    kprod_destroy(p);
    std::fprintf(stderr, "max.in.flight.requests.per.connection=%s: at most %d in flight\n",
                 max_in_flight, most);
    return most;
}

void test_max_in_flight(const std::string &topic) {
    CHECK_MSG(most_requests_in_flight(topic, "1") == 1,
              "max.in.flight.requests.per.connection=1: more than one request in flight");
    CHECK_MSG(most_requests_in_flight(topic, "5") > 1,
              "max.in.flight.requests.per.connection=5: never more than one request in flight");
}

}  // namespace

int main() {
    const std::string four_partitions = harness::unique_topic("it-effects");
    harness::create_topic(four_partitions, 4);

    test_partitioner_ignore_keys(four_partitions);
    std::fprintf(stderr, "partitioner.ignore.keys: ok\n");
    test_compression_levels(four_partitions);
    std::fprintf(stderr, "compression.*.level: ok\n");
    test_metrics_window(four_partitions);
    std::fprintf(stderr, "metrics.sample.window.ms, metrics.num.samples: ok\n");

    test_max_in_flight(four_partitions);
    std::fprintf(stderr, "max.in.flight.requests.per.connection: ok\n");
    return 0;
}
