#include "metrics/metrics.h"

#include <algorithm>
#include <utility>

#include "accumulator/topic.h"

namespace kprod::client {

struct ProducerMetrics::TopicMetrics {
    TopicMetrics(std::string name_, MetricWindowSettings settings)
        : name(std::move(name_)),
          sends(settings),
          bytes(settings),
          compression(settings),
          retries(settings),
          errors(settings) {}
    const std::string name;
    MetricWindow sends;            // records per batch sent
    MetricWindow bytes;            // bytes per batch sent
    MetricWindow compression;      // compression ratio per batch sent
    MetricWindow retries;          // records per retried batch
    MetricWindow errors;           // records per failed batch
    TopicMetrics *next = nullptr;  // the entry linked before this one; set before publication
};

struct ProducerMetrics::NodeMetrics {
    NodeMetrics(int32_t node_id_, MetricWindowSettings settings)
        : node_id(node_id_), requests(settings), latency(settings) {}
    const int32_t node_id;
    MetricWindow requests;  // bytes per Produce request
    MetricWindow latency;   // ms per answered Produce request
    NodeMetrics *next = nullptr;
};

namespace {

using Reading = MetricWindow::Reading;

struct ClientReading {
    Reading sends, retries, errors, batch_size, compression, queue_time, latency, throttle;
    int requests_in_flight;
    BufferPool::Statistics buffer;
};

struct TopicReading {
    Reading sends, bytes, compression, retries, errors;
};

struct NodeReading {
    Reading requests, latency;
};

// A metric and how its value comes out of a reading: one table per group,
// in the order the metrics are shown. Descriptions are Java's, with kprod's
// differences in parentheses.
template <typename GroupReading>
struct MetricRow {
    MetricDefinition definition;
    double (*value)(const GroupReading &);
};

using enum MetricType;

constexpr const char *kClient = kProducerMetricsGroup;
constexpr const char *kTopic = kTopicMetricsGroup;
constexpr const char *kNode = kNodeMetricsGroup;

double as_double(size_t n) {
    return static_cast<double>(n);
}

constexpr MetricRow<ClientReading> kClientMetrics[] = {
    {{"record-send-total", kClient, kCounter, "The total number of records sent."},
     [](const ClientReading &r) { return r.sends.total; }},
    {{"record-send-rate", kClient, kGauge, "The average number of records sent per second."},
     [](const ClientReading &r) { return r.sends.rate(); }},
    {{"records-per-request-avg", kClient, kGauge, "The average number of records per request."},
     [](const ClientReading &r) { return r.sends.average(); }},
    {{"record-retry-total", kClient, kCounter, "The total number of retried record sends"},
     [](const ClientReading &r) { return r.retries.total; }},
    {{"record-retry-rate", kClient, kGauge,
      "The average per-second number of retried record sends"},
     [](const ClientReading &r) { return r.retries.rate(); }},
    {{"record-error-total", kClient, kCounter,
      "The total number of record sends that resulted in errors"},
     [](const ClientReading &r) { return r.errors.total; }},
    {{"record-error-rate", kClient, kGauge,
      "The average per-second number of record sends that resulted in errors"},
     [](const ClientReading &r) { return r.errors.rate(); }},
    {{"batch-size-avg", kClient, kGauge,
      "The average number of bytes sent per partition per-request."},
     [](const ClientReading &r) { return r.batch_size.average(); }},
    {{"batch-size-max", kClient, kGauge, "The max number of bytes sent per partition per-request."},
     [](const ClientReading &r) { return r.batch_size.maximum(); }},
    {{"compression-rate-avg", kClient, kGauge,
      "The average compression rate of record batches, defined as the average ratio of the "
      "compressed batch size over the uncompressed size."},
     [](const ClientReading &r) { return r.compression.average(); }},
    {{"record-queue-time-avg", kClient, kGauge,
      "The average time in ms record batches spent in the send buffer."},
     [](const ClientReading &r) { return r.queue_time.average(); }},
    {{"record-queue-time-max", kClient, kGauge,
      "The maximum time in ms record batches spent in the send buffer."},
     [](const ClientReading &r) { return r.queue_time.maximum(); }},
    {{"request-latency-avg", kClient, kGauge, "The average request latency in ms"},
     [](const ClientReading &r) { return r.latency.average(); }},
    {{"request-latency-max", kClient, kGauge, "The maximum request latency in ms"},
     [](const ClientReading &r) { return r.latency.maximum(); }},
    {{"produce-throttle-time-avg", kClient, kGauge,
      "The average time in ms a request was throttled by a broker"},
     [](const ClientReading &r) { return r.throttle.average(); }},
    {{"produce-throttle-time-max", kClient, kGauge,
      "The maximum time in ms a request was throttled by a broker"},
     [](const ClientReading &r) { return r.throttle.maximum(); }},
    {{"requests-in-flight", kClient, kGauge,
      "The current number of in-flight requests awaiting a response. (Produce requests only.)"},
     [](const ClientReading &r) { return static_cast<double>(r.requests_in_flight); }},
    {{"buffer-total-bytes", kClient, kGauge,
      "The maximum amount of buffer memory the client can use (whether or not it is currently "
      "used)."},
     [](const ClientReading &r) { return as_double(r.buffer.total_bytes); }},
    {{"buffer-available-bytes", kClient, kGauge,
      "The total amount of buffer memory that is not being used (either unallocated or in the "
      "free list)."},
     [](const ClientReading &r) { return as_double(r.buffer.available_bytes); }},
    {{"waiting-threads", kClient, kGauge,
      "The number of user threads blocked waiting for buffer memory to enqueue their records"},
     [](const ClientReading &r) { return as_double(r.buffer.waiting_threads); }},
    {{"bufferpool-wait-time-total", kClient, kCounter,
      "*Deprecated* The total time an appender waits for space allocation. (In nanoseconds, "
      "as in Java.)"},
     [](const ClientReading &r) { return r.buffer.wait_time_ns.total; }},
    {{"bufferpool-wait-time-ns-total", kClient, kCounter,
      "The total time in nanoseconds an appender waits for space allocation."},
     [](const ClientReading &r) { return r.buffer.wait_time_ns.total; }},
    {{"bufferpool-wait-ratio", kClient, kGauge,
      "The fraction of time an appender waits for space allocation."},
     [](const ClientReading &r) { return r.buffer.wait_time_ns.fraction_of_time(); }},
    {{"buffer-exhausted-total", kClient, kCounter,
      "The total number of record sends that are dropped due to buffer exhaustion"},
     [](const ClientReading &r) { return r.buffer.exhausted.total; }},
    {{"buffer-exhausted-rate", kClient, kGauge,
      "The average per-second number of record sends that are dropped due to buffer exhaustion"},
     [](const ClientReading &r) { return r.buffer.exhausted.rate(); }},
};

constexpr MetricRow<TopicReading> kTopicMetrics[] = {
    {{"record-send-total", kTopic, kCounter, "The total number of records sent for a topic."},
     [](const TopicReading &r) { return r.sends.total; }},
    {{"record-send-rate", kTopic, kGauge,
      "The average number of records sent per second for a topic."},
     [](const TopicReading &r) { return r.sends.rate(); }},
    {{"byte-total", kTopic, kCounter, "The total number of bytes sent for a topic."},
     [](const TopicReading &r) { return r.bytes.total; }},
    {{"byte-rate", kTopic, kGauge, "The average number of bytes sent per second for a topic."},
     [](const TopicReading &r) { return r.bytes.rate(); }},
    {{"compression-rate", kTopic, kGauge,
      "The average compression rate of record batches for a topic, defined as the average "
      "ratio of the compressed batch size over the uncompressed size."},
     [](const TopicReading &r) { return r.compression.average(); }},
    {{"record-retry-total", kTopic, kCounter,
      "The total number of retried record sends for a topic"},
     [](const TopicReading &r) { return r.retries.total; }},
    {{"record-retry-rate", kTopic, kGauge,
      "The average per-second number of retried record sends for a topic"},
     [](const TopicReading &r) { return r.retries.rate(); }},
    {{"record-error-total", kTopic, kCounter,
      "The total number of record sends that resulted in errors for a topic"},
     [](const TopicReading &r) { return r.errors.total; }},
    {{"record-error-rate", kTopic, kGauge,
      "The average per-second number of record sends that resulted in errors for a topic"},
     [](const TopicReading &r) { return r.errors.rate(); }},
};

// Java's Selector counts every request to the node; kprod counts its Produce requests.
constexpr MetricRow<NodeReading> kNodeMetrics[] = {
    {{"request-total", kNode, kCounter, "The total number of requests sent (Produce requests)"},
     [](const NodeReading &r) { return static_cast<double>(r.requests.total_count); }},
    {{"request-rate", kNode, kGauge, "The number of requests sent per second (Produce requests)"},
     [](const NodeReading &r) { return r.requests.count_rate(); }},
    {{"request-size-avg", kNode, kGauge, "The average size of requests sent."},
     [](const NodeReading &r) { return r.requests.average(); }},
    {{"request-size-max", kNode, kGauge, "The maximum size of any request sent."},
     [](const NodeReading &r) { return r.requests.maximum(); }},
    {{"outgoing-byte-total", kNode, kCounter,
      "The total number of outgoing bytes (in Produce requests)"},
     [](const NodeReading &r) { return r.requests.total; }},
    {{"outgoing-byte-rate", kNode, kGauge,
      "The number of outgoing bytes per second (in Produce requests)"},
     [](const NodeReading &r) { return r.requests.rate(); }},
    {{"request-latency-avg", kNode, kGauge, "The average request latency in ms"},
     [](const NodeReading &r) { return r.latency.average(); }},
    {{"request-latency-max", kNode, kGauge, "The maximum request latency in ms"},
     [](const NodeReading &r) { return r.latency.maximum(); }},
};

double milliseconds(ProducerMetrics::Clock::duration duration) {
    return std::chrono::duration<double, std::milli>(duration).count();
}

}  // namespace

ProducerMetrics::ProducerMetrics(std::string client_id, MetricWindowSettings settings,
                                 const BufferPool &pool)
    : client_id_(std::move(client_id)),
      settings_(settings),
      pool_(pool),
      sends_(settings),
      retries_(settings),
      errors_(settings),
      batch_size_(settings),
      compression_(settings),
      queue_time_(settings),
      latency_(settings),
      throttle_(settings) {}

ProducerMetrics::~ProducerMetrics() {
    for (TopicMetrics *topic = topics_.load(); topic;) delete std::exchange(topic, topic->next);
    for (NodeMetrics *node = nodes_.load(); node;) delete std::exchange(node, node->next);
}

ProducerMetrics::TopicMetrics &ProducerMetrics::topic_metrics(const Topic *topic) {
    auto [it, inserted] = topic_index_.try_emplace(topic, nullptr);
    if (inserted) {
        it->second = new TopicMetrics(topic->name, settings_);
        it->second->next = topics_.load(std::memory_order_relaxed);
        topics_.store(it->second, std::memory_order_release);
    }
    return *it->second;
}

ProducerMetrics::NodeMetrics &ProducerMetrics::node_metrics(int32_t node_id) {
    auto [it, inserted] = node_index_.try_emplace(node_id, nullptr);
    if (inserted) {
        it->second = new NodeMetrics(node_id, settings_);
        it->second->next = nodes_.load(std::memory_order_relaxed);
        nodes_.store(it->second, std::memory_order_release);
    }
    return *it->second;
}

// Runs on: sender thread. Locks: none.
void ProducerMetrics::record_produce_request(int32_t node_id,
                                             const std::vector<ProducerBatch *> &batches,
                                             size_t request_bytes, Clock::time_point now) {
    const int64_t now_ms = metric_time_ms(now);
    int64_t records = 0;
    for (const ProducerBatch *batch : batches) {
        TopicMetrics &topic = topic_metrics(batch->topic);
        const auto size = static_cast<double>(batch->size());
        topic.sends.record(batch->record_count(), now_ms);
        topic.bytes.record(size, now_ms);
        topic.compression.record(batch->compression_ratio(), now_ms);
        batch_size_.record(size, now_ms);
        compression_.record(batch->compression_ratio(), now_ms);
        queue_time_.record(milliseconds(now - batch->created), now_ms);
        records += batch->record_count();
    }
    sends_.record(static_cast<double>(records), now_ms);
    node_metrics(node_id).requests.record(static_cast<double>(request_bytes), now_ms);
}

void ProducerMetrics::record_request_latency(int32_t node_id, Clock::duration latency,
                                             Clock::time_point now) {
    const int64_t now_ms = metric_time_ms(now);
    latency_.record(milliseconds(latency), now_ms);
    node_metrics(node_id).latency.record(milliseconds(latency), now_ms);
}

void ProducerMetrics::record_throttle_time(int32_t throttle_time_ms, Clock::time_point now) {
    throttle_.record(throttle_time_ms, metric_time_ms(now));
}

void ProducerMetrics::record_retry(const ProducerBatch &batch, Clock::time_point now) {
    const int64_t now_ms = metric_time_ms(now);
    retries_.record(batch.record_count(), now_ms);
    topic_metrics(batch.topic).retries.record(batch.record_count(), now_ms);
}

void ProducerMetrics::record_error(const ProducerBatch &batch, Clock::time_point now) {
    const int64_t now_ms = metric_time_ms(now);
    errors_.record(batch.record_count(), now_ms);
    topic_metrics(batch.topic).errors.record(batch.record_count(), now_ms);
}

// Runs on: any thread. Locks: none.
std::vector<MetricValue> ProducerMetrics::read(Clock::time_point now) const {
    const int64_t now_ms = metric_time_ms(now);
    const ClientReading client{sends_.read(now_ms),
                               retries_.read(now_ms),
                               errors_.read(now_ms),
                               batch_size_.read(now_ms),
                               compression_.read(now_ms),
                               queue_time_.read(now_ms),
                               latency_.read(now_ms),
                               throttle_.read(now_ms),
                               requests_in_flight_.load(std::memory_order_relaxed),
                               pool_.statistics(now_ms)};
    std::vector<MetricValue> out;
    for (const auto &row : kClientMetrics)
        out.push_back({&row.definition, nullptr, -1, row.value(client)});
    read_topics(now_ms, out);
    read_nodes(now_ms, out);
    return out;
}

void ProducerMetrics::read_topics(int64_t now_ms, std::vector<MetricValue> &out) const {
    std::vector<std::pair<const TopicMetrics *, TopicReading>> topics;
    for (const TopicMetrics *t = topics_.load(std::memory_order_acquire); t; t = t->next) {
        topics.push_back(
            {t,
             {t->sends.read(now_ms), t->bytes.read(now_ms), t->compression.read(now_ms),
              t->retries.read(now_ms), t->errors.read(now_ms)}});
    }
    std::sort(topics.begin(), topics.end(),
              [](const auto &a, const auto &b) { return a.first->name < b.first->name; });
    for (const auto &row : kTopicMetrics)
        for (const auto &[topic, reading] : topics)
            out.push_back({&row.definition, topic->name.c_str(), -1, row.value(reading)});
}

void ProducerMetrics::read_nodes(int64_t now_ms, std::vector<MetricValue> &out) const {
    std::vector<std::pair<const NodeMetrics *, NodeReading>> nodes;
    for (const NodeMetrics *n = nodes_.load(std::memory_order_acquire); n; n = n->next)
        nodes.push_back({n, {n->requests.read(now_ms), n->latency.read(now_ms)}});
    std::sort(nodes.begin(), nodes.end(),
              [](const auto &a, const auto &b) { return a.first->node_id < b.first->node_id; });
    for (const auto &row : kNodeMetrics)
        for (const auto &[node, reading] : nodes)
            out.push_back({&row.definition, nullptr, node->node_id, row.value(reading)});
}

}  // namespace kprod::client
