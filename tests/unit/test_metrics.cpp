// Tests for metrics/metric_window, metrics/metrics and metrics/metrics_format:
// the windowed arithmetic against the cases of Java's MetricsTest
// (clients/src/test/java/org/apache/kafka/common/metrics/MetricsTest.java,
// apache/kafka@1eb7644349c), readers that never see half a write, what the
// Sender's recording calls add up to under each Java name, and the JSON and
// Prometheus documents, byte for byte.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "accumulator/buffer_pool.h"
#include "metrics/metric_window.h"
#include "metrics/metrics.h"
#include "metrics/metrics_format.h"
#include "accumulator/producer_batch.h"
#include "accumulator/topic.h"
#include "compress/codec.h"
#include "protocol/record_batch.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own; it also defines
// fail() and skip() as macros, so it comes after every other header.
extern "C" {
#include <cmocka.h>
}

namespace {

using kprod::client::BufferPool;
using kprod::client::MetricDefinition;
using kprod::client::MetricType;
using kprod::client::MetricValue;
using kprod::client::MetricWindow;
using kprod::client::MetricWindowSettings;
using kprod::client::ProducerBatch;
using kprod::client::ProducerMetrics;
using kprod::client::Topic;
using Clock = ProducerMetrics::Clock;
using namespace std::chrono_literals;

constexpr double kEpsilon = 1e-9;
constexpr int64_t kWindow = 30000;  // metrics.sample.window.ms's default

void assert_near(double actual, double expected) {
    if (std::fabs(actual - expected) > kEpsilon * std::max(1.0, std::fabs(expected)))
        fail_msg("expected %.12g, got %.12g", expected, actual);
}

// ----- MetricWindow: Java's SampledStat, Avg, Max, Rate, Meter ---------------------

// MetricsTest.testRateWindowing: three samples, a record per window, then half a window.
void test_rate_windowing(void **) {
    MetricWindow window({kWindow, 3});
    int64_t now = 0;
    for (int i = 0; i < 2; ++i) {
        window.record(100, now);
        now += kWindow;
        assert_near(window.read(now).total, 100.0 * (i + 1));
    }
    now += kWindow / 2;
    const MetricWindow::Reading reading = window.read(now);
    const double elapsed_seconds = 30 * 2.5;
    assert_int_equal(reading.window_ms, 75000);
    assert_near(reading.rate(), 200 / elapsed_seconds);
    assert_near(reading.count_rate(), 2 / elapsed_seconds);
    assert_int_equal(reading.total_count, 2);

    // The rates expire, the totals stay.
    now += kWindow * 3;
    const MetricWindow::Reading later = window.read(now);
    assert_near(later.rate(), 0);
    assert_near(later.count_rate(), 0);
    assert_near(later.total, 200);
    assert_int_equal(later.total_count, 2);
}

// MetricsTest.testTimeWindowing: a 1 ms window, two samples (three kept).
void test_time_windowing(void **) {
    MetricWindow window({1, 2});
    window.record(1, 0);
    window.record(1, 1);
    assert_int_equal(window.read(1).count, 2);
    window.record(1, 2);  // the oldest event times out
    assert_int_equal(window.read(2).count, 2);
}

// MetricsTest.testOldDataHasNoEffect and testSampledStatReturnsNaNWhenNoValuesExist.
void test_expired_average_and_maximum_are_nan(void **) {
    MetricWindow window({100, 2});
    window.record(50, 0);
    assert_near(window.read(199).maximum(), 50);
    assert_near(window.read(199).average(), 50);
    assert_true(std::isnan(window.read(200).maximum()));
    assert_true(std::isnan(window.read(200).average()));
    assert_near(window.read(200).sum, 0);  // testSampledStatReturnsInitialValueWhenNoValuesExist
    assert_int_equal(window.read(200).count, 0);
}

// Nothing recorded: NaN averages, a zero rate over (samples - 1) windows, as Java.
void test_empty_window(void **) {
    MetricWindow window({kWindow, 2});
    const MetricWindow::Reading reading = window.read(123456);
    assert_true(std::isnan(reading.average()));
    assert_true(std::isnan(reading.maximum()));
    assert_near(reading.rate(), 0);
    assert_int_equal(reading.window_ms, kWindow);
    assert_near(reading.total, 0);
}

// A young window counts as samples - 1 full windows plus what has passed.
void test_young_window_rate(void **) {
    MetricWindow window({kWindow, 2});
    window.record(100, 1000);
    assert_int_equal(window.read(1000).window_ms, kWindow);
    assert_near(window.read(1000).rate(), 100.0 / 30);
    assert_int_equal(window.read(11000).window_ms, kWindow + 10000);
    assert_near(window.read(11000).rate(), 100.0 / 40);
}

// Averages and maxima span every sample still in the window; the oldest
// sample is reused once the ring is full (samples + 1 of them).
void test_average_and_maximum_across_samples(void **) {
    MetricWindow window({1000, 2});
    window.record(10, 0);
    window.record(30, 500);
    window.record(2, 1000);  // a second sample
    MetricWindow::Reading reading = window.read(1500);
    assert_int_equal(reading.count, 3);
    assert_near(reading.average(), 14);
    assert_near(reading.maximum(), 30);
    window.record(4, 2000);  // a third
    window.record(6, 3000);  // reuses the first: 10 and 30 are gone
    reading = window.read(3000);
    // The second sample's last event (t=1000) is samples * window old: left out too.
    assert_int_equal(reading.count, 2);
    assert_near(reading.average(), 5);
    assert_near(reading.maximum(), 6);
    assert_near(reading.total, 52);
    assert_int_equal(reading.total_count, 5);
}

// metrics.sample.window.ms=0 (Java accepts it): nothing stays in the window,
// and no rate divides by zero.
void test_zero_window(void **) {
    MetricWindow window({0, 2});
    window.record(5, 10);
    const MetricWindow::Reading reading = window.read(10);
    assert_true(std::isnan(reading.average()));
    assert_near(reading.rate(), 0);
    assert_int_equal(reading.window_ms, 1);
    assert_near(reading.total, 5);
}

// Nanoseconds over the window's milliseconds: bufferpool-wait-ratio.
void test_fraction_of_time(void **) {
    MetricWindow window({kWindow, 2});
    window.record(15e9, 0);  // 15 s of waiting
    window.record(15e9, kWindow);
    assert_near(window.read(kWindow + kWindow / 2).fraction_of_time(), 30.0 / 45);
}

// A reader running beside the writer sees every write whole: each value is 1,
// so in any consistent reading sum == count and total == total_count.
void test_readers_never_see_half_a_write(void **) {
    MetricWindow window({5, 2});  // short windows: samples advance and reset all the time
    std::atomic<bool> stop{false};
    std::atomic<int64_t> clock{0};
    std::thread writer([&] {
        while (!stop.load()) {
            window.record(1, clock.fetch_add(1) / 4);
            std::this_thread::yield();  // the Sender records a few values per request, not nonstop
        }
    });
    int inconsistent = 0;
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    for (int i = 0;
         i < 20000 || (clock.load() < 100000 && std::chrono::steady_clock::now() < give_up); ++i) {
        const MetricWindow::Reading r = window.read(clock.load() / 4);
        if (r.sum != static_cast<double>(r.count) ||
            r.total != static_cast<double>(r.total_count) || (r.count > 0 && r.max != 1))
            ++inconsistent;
    }
    stop.store(true);
    writer.join();
    assert_int_equal(inconsistent, 0);
    assert_true(window.read(clock.load() / 4).total_count > 0);
}

// ----- ProducerMetrics: what the Sender records, under Java's names -----------------

// A batch of `records` small records, created at `created`.
struct TestBatch {
    TestBatch(Topic &topic, int records, Clock::time_point created)
        : buffer(4096), batch(&topic, 0, buffer.data(), buffer.size(), created) {
        for (int i = 0; i < records; ++i) {
            const kprod::protocol::RecordView record{nullptr, 0, "value", 5, nullptr, 0};
            assert_true(batch.try_append(record, 1000 + i, nullptr));
        }
    }
    std::vector<uint8_t> buffer;
    ProducerBatch batch;
};

const MetricValue *find(const std::vector<MetricValue> &values, const char *group, const char *name,
                        const char *topic = nullptr, int32_t node_id = -1) {
    for (const MetricValue &value : values) {
        if (std::strcmp(value.definition->group, group) != 0 ||
            std::strcmp(value.definition->name, name) != 0 || value.node_id != node_id)
            continue;
        if ((topic == nullptr) != (value.topic == nullptr)) continue;
        if (topic && std::strcmp(topic, value.topic) != 0) continue;
        return &value;
    }
    return nullptr;
}

double producer_value(const std::vector<MetricValue> &values, const char *name) {
    const MetricValue *value = find(values, "producer-metrics", name);
    if (!value) fail_msg("no producer-metrics %s", name);
    return value->value;
}

double topic_value(const std::vector<MetricValue> &values, const char *topic, const char *name) {
    const MetricValue *value = find(values, "producer-topic-metrics", name, topic);
    if (!value) fail_msg("no producer-topic-metrics %s for %s", name, topic);
    return value->value;
}

double node_value(const std::vector<MetricValue> &values, int32_t node, const char *name) {
    const MetricValue *value = find(values, "producer-node-metrics", name, nullptr, node);
    if (!value) fail_msg("no producer-node-metrics %s for node %d", name, node);
    return value->value;
}

struct MetricsFixture {
    BufferPool pool{1 << 20, 16384};
    ProducerMetrics metrics{"test-client", {kWindow, 2}, pool};
    Topic alpha{"alpha", 16384};
    Topic beta{"beta", 16384};
    Clock::time_point start = Clock::now();
};

void test_sends_per_request_and_per_topic(void **) {
    MetricsFixture f;
    TestBatch a(f.alpha, 3, f.start - 10ms), b(f.beta, 2, f.start - 30ms);
    f.metrics.record_produce_request(1, {&a.batch, &b.batch}, 500, f.start);
    TestBatch c(f.alpha, 1, f.start);
    f.metrics.record_produce_request(2, {&c.batch}, 300, f.start + 20ms);
    const auto values = f.metrics.read(f.start + 20ms);

    assert_near(producer_value(values, "record-send-total"), 6);
    assert_near(producer_value(values, "records-per-request-avg"), 3);
    // Both requests fall in the first sample, which started 20 ms ago.
    assert_near(producer_value(values, "record-send-rate"), 6.0 / 30.02);
    const double sizes[] = {static_cast<double>(a.batch.size()),
                            static_cast<double>(b.batch.size()),
                            static_cast<double>(c.batch.size())};
    assert_near(producer_value(values, "batch-size-avg"), (sizes[0] + sizes[1] + sizes[2]) / 3);
    assert_near(producer_value(values, "batch-size-max"), std::max({sizes[0], sizes[1], sizes[2]}));
    assert_near(producer_value(values, "record-queue-time-avg"), (10.0 + 30 + 20) / 3);
    assert_near(producer_value(values, "record-queue-time-max"), 30);
    assert_near(producer_value(values, "compression-rate-avg"), 1);  // uncompressed

    assert_near(topic_value(values, "alpha", "record-send-total"), 4);
    assert_near(topic_value(values, "beta", "record-send-total"), 2);
    assert_near(topic_value(values, "alpha", "byte-total"), sizes[0] + sizes[2]);
    assert_near(topic_value(values, "alpha", "byte-rate"), (sizes[0] + sizes[2]) / 30.02);
    assert_near(topic_value(values, "beta", "compression-rate"), 1);

    assert_near(node_value(values, 1, "request-total"), 1);
    assert_near(node_value(values, 1, "outgoing-byte-total"), 500);
    assert_near(node_value(values, 2, "request-size-avg"), 300);
    assert_near(node_value(values, 2, "request-rate"), 1.0 / 30);  // its window starts now
    assert_near(node_value(values, 1, "request-rate"), 1.0 / 30.02);
}

void test_latency_throttle_retries_and_errors(void **) {
    MetricsFixture f;
    auto values = f.metrics.read(f.start);
    assert_true(std::isnan(producer_value(values, "request-latency-avg")));
    assert_true(std::isnan(producer_value(values, "produce-throttle-time-max")));
    assert_near(producer_value(values, "record-error-total"), 0);

    f.metrics.record_request_latency(1, 4ms, f.start);
    f.metrics.record_request_latency(1, 8ms, f.start);
    f.metrics.record_request_latency(3, 12ms, f.start);
    f.metrics.record_throttle_time(0, f.start);
    f.metrics.record_throttle_time(100, f.start);
    TestBatch a(f.alpha, 3, f.start), b(f.beta, 2, f.start);
    f.metrics.record_retry(a.batch, f.start);
    f.metrics.record_retry(a.batch, f.start);
    f.metrics.record_error(b.batch, f.start);
    f.metrics.set_requests_in_flight(2);
    values = f.metrics.read(f.start);

    assert_near(producer_value(values, "request-latency-avg"), 8);
    assert_near(producer_value(values, "request-latency-max"), 12);
    assert_near(node_value(values, 1, "request-latency-avg"), 6);
    assert_near(node_value(values, 3, "request-latency-max"), 12);
    assert_near(node_value(values, 1, "request-total"), 0);  // no request recorded for it
    assert_near(producer_value(values, "produce-throttle-time-avg"), 50);
    assert_near(producer_value(values, "produce-throttle-time-max"), 100);
    assert_near(producer_value(values, "record-retry-total"), 6);
    assert_near(producer_value(values, "record-retry-rate"), 6.0 / 30);
    assert_near(producer_value(values, "record-error-total"), 2);
    assert_near(topic_value(values, "alpha", "record-retry-total"), 6);
    assert_near(topic_value(values, "alpha", "record-error-total"), 0);
    assert_near(topic_value(values, "beta", "record-error-total"), 2);
    assert_near(topic_value(values, "beta", "record-error-rate"), 2.0 / 30);
    assert_near(producer_value(values, "requests-in-flight"), 2);
}

void test_buffer_metrics_come_from_the_pool(void **) {
    MetricsFixture f;
    uint8_t *buffer = nullptr;
    assert_int_equal(f.pool.allocate(16384, Clock::now(), buffer), BufferPool::Result::kOk);
    auto values = f.metrics.read();
    assert_near(producer_value(values, "buffer-total-bytes"), 1 << 20);
    assert_near(producer_value(values, "buffer-available-bytes"), (1 << 20) - 16384);
    assert_near(producer_value(values, "waiting-threads"), 0);
    assert_near(producer_value(values, "bufferpool-wait-time-total"), 0);
    assert_near(producer_value(values, "buffer-exhausted-total"), 0);
    f.pool.deallocate(buffer, 16384);
    values = f.metrics.read();
    assert_near(producer_value(values, "buffer-available-bytes"), 1 << 20);
}

// Java's ratio: the records' compressed size over their raw size.
void test_compression_rate_of_compressed_batches(void **) {
    MetricsFixture f;
    TestBatch a(f.alpha, 50, f.start);
    const size_t raw = a.batch.size() - kprod::protocol::kRecordBatchHeaderSize;
    auto compressor = kprod::compress::make_compressor(kprod::compress::Codec::kZstd, 3);
    std::vector<uint8_t> scratch;
    a.batch.compress(*compressor, scratch);
    const double ratio =
        static_cast<double>(a.batch.size() - kprod::protocol::kRecordBatchHeaderSize) /
        static_cast<double>(raw);
    assert_true(ratio < 0.5);
    assert_near(a.batch.compression_ratio(), ratio);
    TestBatch b(f.alpha, 1, f.start);
    f.metrics.record_produce_request(1, {&a.batch, &b.batch}, 100, f.start);
    const auto values = f.metrics.read(f.start);
    assert_near(producer_value(values, "compression-rate-avg"), (ratio + 1) / 2);
    assert_near(topic_value(values, "alpha", "compression-rate"), (ratio + 1) / 2);
}

// The producer's metrics, then the topics' by metric and name, then the brokers'.
void test_read_order_keeps_families_together(void **) {
    MetricsFixture f;
    TestBatch b(f.beta, 1, f.start), a(f.alpha, 1, f.start);
    f.metrics.record_produce_request(2, {&b.batch}, 10, f.start);
    f.metrics.record_produce_request(1, {&a.batch}, 10, f.start);
    const auto values = f.metrics.read(f.start);
    size_t i = 0;
    while (i < values.size() && std::strcmp(values[i].definition->group, "producer-metrics") == 0)
        ++i;
    assert_true(i > 20);
    assert_string_equal(values[i].definition->name, "record-send-total");
    assert_string_equal(values[i].topic, "alpha");
    assert_string_equal(values[i + 1].definition->name, "record-send-total");
    assert_string_equal(values[i + 1].topic, "beta");
    assert_string_equal(values[i + 2].definition->name, "record-send-rate");
    size_t nodes = 0;
    for (size_t j = i; j < values.size(); ++j) {
        if (values[j].node_id < 0) {
            assert_int_equal(nodes, 0);  // no topic metric after a node metric
            continue;
        }
        assert_null(values[j].topic);
        assert_string_equal(values[j].definition->group, "producer-node-metrics");
        assert_int_equal(values[j].node_id, nodes % 2 == 0 ? 1 : 2);
        ++nodes;
    }
    assert_true(nodes >= 2 && nodes % 2 == 0);
    for (const MetricValue &value : values) {
        const bool total = std::string(value.definition->name).ends_with("-total");
        assert_int_equal(value.definition->type == MetricType::kCounter, total);
    }
}

// ----- the documents ----------------------------------------------------------------

const MetricDefinition kSendTotal = {"record-send-total", "producer-metrics", MetricType::kCounter,
                                     "The total number of records sent."};
const MetricDefinition kLatencyAvg = {"request-latency-avg", "producer-metrics", MetricType::kGauge,
                                      "The average request latency in ms"};
const MetricDefinition kTopicBytes = {"byte-rate", "producer-topic-metrics", MetricType::kGauge,
                                      "Bytes per second \\ with \"quotes\"\nand a newline"};
const MetricDefinition kNodeLatency = {"request-latency-max", "producer-node-metrics",
                                       MetricType::kGauge, "The maximum request latency in ms"};

std::vector<MetricValue> sample_values() {
    return {{&kSendTotal, nullptr, -1, 100000},
            {&kLatencyAvg, nullptr, -1, std::nan("")},
            {&kTopicBytes, "alpha", -1, 2.5},
            {&kTopicBytes, "beta", -1, 1e21},
            {&kNodeLatency, nullptr, 1, 0.125},
            {&kNodeLatency, nullptr, 12, std::numeric_limits<double>::infinity()}};
}

void test_prometheus_names(void **) {
    assert_string_equal(kprod::client::prometheus_name(kSendTotal).c_str(),
                        "kprod_producer_record_send_total");
    assert_string_equal(kprod::client::prometheus_name(kTopicBytes).c_str(),
                        "kprod_producer_topic_byte_rate");
    assert_string_equal(kprod::client::prometheus_name(kNodeLatency).c_str(),
                        "kprod_producer_node_request_latency_max");
}

void test_prometheus_text(void **) {
    const std::string text = kprod::client::metrics_to_prometheus("app \"1\"\\\n", sample_values());
    const char *expected =
        "# HELP kprod_producer_record_send_total The total number of records sent.\n"
        "# TYPE kprod_producer_record_send_total counter\n"
        "kprod_producer_record_send_total{client_id=\"app \\\"1\\\"\\\\\\n\"} 100000\n"
        "# HELP kprod_producer_request_latency_avg The average request latency in ms\n"
        "# TYPE kprod_producer_request_latency_avg gauge\n"
        "kprod_producer_request_latency_avg{client_id=\"app \\\"1\\\"\\\\\\n\"} NaN\n"
        "# HELP kprod_producer_topic_byte_rate Bytes per second \\\\ with \"quotes\"\\nand a "
        "newline\n"
        "# TYPE kprod_producer_topic_byte_rate gauge\n"
        "kprod_producer_topic_byte_rate{client_id=\"app \\\"1\\\"\\\\\\n\",topic=\"alpha\"} 2.5\n"
        "kprod_producer_topic_byte_rate{client_id=\"app \\\"1\\\"\\\\\\n\",topic=\"beta\"} 1e+21\n"
        "# HELP kprod_producer_node_request_latency_max The maximum request latency in ms\n"
        "# TYPE kprod_producer_node_request_latency_max gauge\n"
        "kprod_producer_node_request_latency_max{client_id=\"app \\\"1\\\"\\\\\\n\","
        "node_id=\"node-1\"} 0.125\n"
        "kprod_producer_node_request_latency_max{client_id=\"app \\\"1\\\"\\\\\\n\","
        "node_id=\"node-12\"} +Inf\n";
    assert_string_equal(text.c_str(), expected);
}

void test_json_document(void **) {
    const std::string json = kprod::client::metrics_to_json("app \"1\"\t", sample_values());
    const char *expected =
        "{\"client-id\":\"app \\\"1\\\"\\u0009\","
        "\"producer-metrics\":{\"record-send-total\":100000,\"request-latency-avg\":null},"
        "\"producer-topic-metrics\":{\"alpha\":{\"byte-rate\":2.5},\"beta\":{\"byte-rate\":1e+21}},"
        "\"producer-node-metrics\":{\"node-1\":{\"request-latency-max\":0.125},"
        "\"node-12\":{\"request-latency-max\":null}}}\n";
    assert_string_equal(json.c_str(), expected);
}

void test_json_of_a_new_producer(void **) {
    MetricsFixture f;
    const std::string json = kprod::client::metrics_to_json("c", f.metrics.read());
    assert_true(
        json.starts_with("{\"client-id\":\"c\",\"producer-metrics\":{\"record-send-total\":0,"));
    assert_true(json.ends_with(",\"producer-topic-metrics\":{},\"producer-node-metrics\":{}}\n"));
    assert_true(json.find("\"buffer-total-bytes\":1048576") != std::string::npos);
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_windowing),
        cmocka_unit_test(test_time_windowing),
        cmocka_unit_test(test_expired_average_and_maximum_are_nan),
        cmocka_unit_test(test_empty_window),
        cmocka_unit_test(test_young_window_rate),
        cmocka_unit_test(test_average_and_maximum_across_samples),
        cmocka_unit_test(test_zero_window),
        cmocka_unit_test(test_fraction_of_time),
        cmocka_unit_test(test_readers_never_see_half_a_write),
        cmocka_unit_test(test_sends_per_request_and_per_topic),
        cmocka_unit_test(test_latency_throttle_retries_and_errors),
        cmocka_unit_test(test_buffer_metrics_come_from_the_pool),
        cmocka_unit_test(test_compression_rate_of_compressed_batches),
        cmocka_unit_test(test_read_order_keeps_families_together),
        cmocka_unit_test(test_prometheus_names),
        cmocka_unit_test(test_prometheus_text),
        cmocka_unit_test(test_json_document),
        cmocka_unit_test(test_json_of_a_new_producer),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
