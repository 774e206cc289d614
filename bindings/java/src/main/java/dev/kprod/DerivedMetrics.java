package dev.kprod;

import java.util.Map;

import org.apache.kafka.common.MetricName;

/**
 * The metrics KafkaProducer reports that are made from others or describe the
 * client itself, added to kprod's under KafkaProducer's names, groups and tags:
 * the producer-wide request and byte counts (the sums of producer-node-metrics,
 * as Java's selector counts every connection), {@code app-info} and
 * {@code kafka-metrics-count}.
 */
final class DerivedMetrics {
    private static final String PRODUCER = "producer-metrics";
    private static final String NODE = "producer-node-metrics";

    private DerivedMetrics() {}

    static void addTo(Map<MetricName, NativeQueries.KprodMetric> metrics, String clientId, long startTimeMs) {
        double requestTotal = 0, requestRate = 0, byteTotal = 0, byteRate = 0;
        double sizeMax = Double.NaN, sizeWeighted = 0;
        for (Map.Entry<MetricName, NativeQueries.KprodMetric> e : metrics.entrySet()) {
            MetricName n = e.getKey();
            if (!n.group().equals(NODE)) continue;
            double v = (Double) e.getValue().metricValue();
            switch (n.name()) {
                case "request-total" -> requestTotal += v;
                case "request-rate" -> requestRate += v;
                case "outgoing-byte-total" -> byteTotal += v;
                case "outgoing-byte-rate" -> byteRate += v;
                case "request-size-max" -> sizeMax = Double.isNaN(sizeMax) ? v : Math.max(sizeMax, v);
                default -> { }
            }
            if (n.name().equals("request-size-avg")) {
                // Each node's average over its window, weighted by its requests in that window.
                NativeQueries.KprodMetric rate = metrics.get(new MetricName("request-rate", NODE, "", n.tags()));
                if (rate != null && !Double.isNaN(v)) sizeWeighted += v * (Double) rate.metricValue();
            }
        }
        Map<String, String> tags = Map.of("client-id", clientId);
        put(metrics, "request-total", PRODUCER, "The total number of requests sent", tags, requestTotal);
        put(metrics, "request-rate", PRODUCER, "The number of requests sent per second", tags, requestRate);
        put(metrics, "outgoing-byte-total", PRODUCER,
                "The total number of outgoing bytes sent to all servers", tags, byteTotal);
        put(metrics, "outgoing-byte-rate", PRODUCER,
                "The number of outgoing bytes sent to all servers per second", tags, byteRate);
        put(metrics, "request-size-max", PRODUCER, "The maximum size of any request sent.", tags, sizeMax);
        put(metrics, "request-size-avg", PRODUCER, "The average size of requests sent.", tags,
                requestRate > 0 ? sizeWeighted / requestRate : Double.NaN);
        put(metrics, "version", "app-info", "Metric indicating version", tags,
                "kprod " + KprodNative.kprod_version_str());
        put(metrics, "commit-id", "app-info", "Metric indicating commit-id", tags, "unknown");
        // A Long, as Java's; the numbers above are Doubles, as Java's.
        put(metrics, "start-time-ms", "app-info", "Metric indicating start-time-ms", tags, startTimeMs);
        MetricName count = new MetricName("count", "kafka-metrics-count", "total number of registered metrics", tags);
        metrics.put(count, new NativeQueries.KprodMetric(count, (double) metrics.size() + 1));
    }

    private static void put(Map<MetricName, NativeQueries.KprodMetric> metrics, String name, String group,
            String description, Map<String, String> tags, Object value) {
        MetricName metricName = new MetricName(name, group, description, tags);
        metrics.putIfAbsent(metricName, new NativeQueries.KprodMetric(metricName, value));
    }
}
