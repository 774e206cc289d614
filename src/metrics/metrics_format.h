// The two documents made from ProducerMetrics::read(): JSON (groups, then
// topics and brokers, then metrics, by Java's names) and the Prometheus text
// exposition format (version 0.0.4; families named kprod_<group>_<metric>,
// labelled with client_id, and topic or node_id). Cold path: runs when the
// application asks for them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "metrics/metrics.h"

namespace kprod::client {

// {"client-id":"app","producer-metrics":{"record-send-total":100000,...},
//  "producer-topic-metrics":{"events":{"record-send-total":100000,...}},
//  "producer-node-metrics":{"node-1":{"request-latency-avg":2.5,...}}}
// A NaN (an average of nothing) is null.
std::string metrics_to_json(std::string_view client_id, const std::vector<MetricValue> &metrics);

// # HELP kprod_producer_record_send_total The total number of records sent.
// # TYPE kprod_producer_record_send_total counter
// kprod_producer_record_send_total{client_id="app"} 100000
std::string metrics_to_prometheus(std::string_view client_id,
                                  const std::vector<MetricValue> &metrics);

// "kprod_producer_topic_record_send_total" for record-send-total in
// producer-topic-metrics: the group less "-metrics", then the name, '-' as '_'.
std::string prometheus_name(const MetricDefinition &definition);

// Java's node-id tag: "node-1".
std::string node_tag(int32_t node_id);

}  // namespace kprod::client
