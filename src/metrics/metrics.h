// ProducerMetrics: the producer's metrics, under the Java producer's names
// and groups (SenderMetricsRegistry, BufferPool and RecordAccumulator, and
// Selector's per-node metrics, apache/kafka@1eb7644349c).
// Recorded by the Sender thread, per batch and per request as Java's Sender
// records them, never per record: kprod_send records nothing (the BufferPool
// counts its waits under the lock it already holds). Read by any thread
// (read()) without a lock and without stopping the Sender: every quantity is
// a MetricWindow. A topic or broker gets its metrics the first time the
// Sender records something for it; they live until the producer is destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "accumulator/buffer_pool.h"
#include "metrics/metric_window.h"
#include "accumulator/producer_batch.h"

namespace kprod::client {

struct Topic;

// Java's metric groups.
inline constexpr const char *kProducerMetricsGroup = "producer-metrics";
inline constexpr const char *kTopicMetricsGroup = "producer-topic-metrics";  // tag: topic
inline constexpr const char *kNodeMetricsGroup = "producer-node-metrics";    // tag: node-id

enum class MetricType {
    kGauge,    // a value that goes up and down (averages, rates, bytes available)
    kCounter,  // a cumulative total (every "-total" metric)
};

struct MetricDefinition {
    const char *name;   // Java's: "record-send-total"
    const char *group;  // one of the groups above
    MetricType type;
    const char *description;
};

// One metric's value, as read.
struct MetricValue {
    const MetricDefinition *definition;
    const char
        *topic;       // producer-topic-metrics: the topic (lives as long as the metrics); else null
    int32_t node_id;  // producer-node-metrics: the broker; else -1
    double value;     // NaN for an average or maximum of nothing (as Java)
};

class ProducerMetrics {
public:
    using Clock = std::chrono::steady_clock;

    ProducerMetrics(std::string client_id, MetricWindowSettings settings, const BufferPool &pool);
    ~ProducerMetrics();
    ProducerMetrics(const ProducerMetrics &) = delete;
    ProducerMetrics &operator=(const ProducerMetrics &) = delete;

    const std::string &client_id() const { return client_id_; }

    // --- sender thread ---
    // A Produce request of request_bytes to node_id carrying batches, just
    // drained: records sent, records per request, batch sizes, compression,
    // time in the accumulator (Java's updateProduceRequestMetrics).
    void record_produce_request(int32_t node_id, const std::vector<ProducerBatch *> &batches,
                                size_t request_bytes, Clock::time_point now);
    // A Produce request to node_id was answered this long after it was sent.
    void record_request_latency(int32_t node_id, Clock::duration latency,
                                Clock::time_point now = Clock::now());
    // The throttle_time_ms of a Produce response.
    void record_throttle_time(int32_t throttle_time_ms, Clock::time_point now = Clock::now());
    // A batch goes back for another attempt (record-retry), or fails (record-error).
    void record_retry(const ProducerBatch &batch, Clock::time_point now = Clock::now());
    void record_error(const ProducerBatch &batch, Clock::time_point now = Clock::now());
    void set_requests_in_flight(int count) {
        requests_in_flight_.store(count, std::memory_order_relaxed);
    }

    // --- any thread ---
    // Every metric: the producer's, then the topics', then the brokers';
    // within a group by metric (a Prometheus family's samples stay together),
    // then by topic name or node id.
    std::vector<MetricValue> read(Clock::time_point now = Clock::now()) const;

private:
    // Each list below only grows: a new entry is linked in front with a
    // release store, so a reader that loads the head sees complete entries.
    struct TopicMetrics;
    struct NodeMetrics;
    TopicMetrics &topic_metrics(const Topic *topic);
    NodeMetrics &node_metrics(int32_t node_id);
    void read_topics(int64_t now_ms, std::vector<MetricValue> &out) const;
    void read_nodes(int64_t now_ms, std::vector<MetricValue> &out) const;

    const std::string client_id_;
    const MetricWindowSettings settings_;
    const BufferPool &pool_;

    MetricWindow sends_;        // records per request (record-send-*, records-per-request-avg)
    MetricWindow retries_;      // records per retried batch
    MetricWindow errors_;       // records per failed batch
    MetricWindow batch_size_;   // bytes per batch sent
    MetricWindow compression_;  // compression ratio per batch sent
    MetricWindow queue_time_;   // ms from a batch's creation to its drain
    MetricWindow latency_;      // ms from a Produce request's send to its answer
    MetricWindow throttle_;     // ms of throttle_time_ms per answer
    std::atomic<int> requests_in_flight_{0};

    std::atomic<TopicMetrics *> topics_{nullptr};
    std::atomic<NodeMetrics *> nodes_{nullptr};
    // Where each topic's and broker's entry is. Runs on: sender thread.
    std::unordered_map<const Topic *, TopicMetrics *> topic_index_;
    std::unordered_map<int32_t, NodeMetrics *> node_index_;
};

}  // namespace kprod::client
