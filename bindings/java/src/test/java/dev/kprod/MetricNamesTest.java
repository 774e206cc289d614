package dev.kprod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

/**
 * Dashboards built for KafkaProducer read its metrics by group, name and tag
 * names: after the same workload, every metric KafkaProducer reports must be in
 * KprodProducer's metrics() too, or listed in the README's table of metrics
 * kprod does not report (with why). The table may not list one kprod reports.
 */
class MetricNamesTest {
    private static final String TABLE_HEADING = "### Metrics KafkaProducer reports that KprodProducer does not";
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `([a-z-]+)` \\| `([a-z0-9-]+)` \\|");

    @Test
    void everyKafkaProducerMetricIsReportedOrListedInTheReadme() throws Exception {
        Map<MetricName, ? extends Metric> javaMetrics = afterWorkload(TestBroker.Kind.KAFKA);
        Map<String, Set<String>> java = names(javaMetrics);
        Map<MetricName, ? extends Metric> kprodMetrics = afterWorkload(TestBroker.Kind.KPROD);
        Map<String, Set<String>> kprod = names(kprodMetrics);
        Set<String> listed = listedInReadme();
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, Set<String>> e : java.entrySet()) {
            Set<String> ours = kprod.get(e.getKey());
            if ((ours == null || !ours.equals(e.getValue())) && !listed.contains(e.getKey())) {
                missing.add(e.getKey() + " tags " + e.getValue() + (ours == null ? "" : ", kprod's " + ours));
            }
        }
        assertTrue(missing.isEmpty(), "KafkaProducer's metrics that KprodProducer lacks and the README "
                + "does not list (" + missing.size() + "):\n" + String.join("\n", missing));
        Set<String> stale = new TreeSet<>(listed);
        stale.retainAll(kprod.keySet());
        assertTrue(stale.isEmpty(), "the README lists metrics KprodProducer reports: " + stale);
        Set<String> unknown = new TreeSet<>(listed);
        unknown.removeAll(java.keySet());
        assertTrue(unknown.isEmpty(), "the README lists metrics KafkaProducer does not report: " + unknown);

        // Values of the same class as Java's (Kafka Streams casts blocked times to Double).
        Map<String, Class<?>> javaClasses = new TreeMap<>();
        javaMetrics.forEach((n, m) -> javaClasses.put(n.group() + "/" + n.name(), m.metricValue().getClass()));
        kprodMetrics.forEach((n, m) -> {
            Class<?> expected = javaClasses.get(n.group() + "/" + n.name());
            if (expected != null) assertEquals(expected, m.metricValue().getClass(), n.group() + "/" + n.name());
        });

        // The producer-wide counts the binding adds up from producer-node-metrics.
        double nodeRequests = 0, nodeBytes = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : kprodMetrics.entrySet()) {
            if (!e.getKey().group().equals("producer-node-metrics")) continue;
            if (e.getKey().name().equals("request-total")) nodeRequests += value(e.getValue());
            if (e.getKey().name().equals("outgoing-byte-total")) nodeBytes += value(e.getValue());
        }
        assertTrue(nodeRequests > 0 && nodeBytes > 0, "node metrics after 500 records");
        assertEquals(nodeRequests, value(kprodMetrics, "producer-metrics", "request-total"));
        assertEquals(nodeBytes, value(kprodMetrics, "producer-metrics", "outgoing-byte-total"));
        assertEquals(kprodMetrics.size(), value(kprodMetrics, "kafka-metrics-count", "count"));
        Object version = kprodMetrics.get(new MetricName("version", "app-info", "",
                Map.of("client-id", "metric-names-KPROD"))).metricValue();
        assertTrue(version.toString().startsWith("kprod "), version.toString());
    }

    private static double value(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        Metric m = metrics.get(new MetricName(name, group, "", Map.of("client-id", "metric-names-KPROD")));
        assertNotNull(m, group + "/" + name);
        return value(m);
    }

    private static double value(Metric metric) {
        return ((Number) metric.metricValue()).doubleValue();
    }

    private static Map<String, Set<String>> names(Map<MetricName, ? extends Metric> metrics) {
        Map<String, Set<String>> names = new TreeMap<>();
        for (MetricName name : metrics.keySet()) {
            names.put(name.group() + "/" + name.name(), new TreeSet<>(name.tags().keySet()));
        }
        return names;
    }

    /** The metrics after keyed records to two partitions, a flush and partitionsFor. */
    private static Map<MetricName, ? extends Metric> afterWorkload(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("metric-names-" + kind, 2);
        Properties properties = TestBroker.stringProducer();
        properties.put("client.id", "metric-names-" + kind);
        try (Producer<String, String> producer = kind.create(properties)) {
            producer.partitionsFor(topic);
            for (int i = 0; i < 500; i++) producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i));
            producer.flush();
            return new LinkedHashMap<>(producer.metrics()); // a copy: KafkaProducer may drop them at close
        }
    }

    private static Set<String> listedInReadme() throws Exception {
        Set<String> listed = new TreeSet<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("#")) inTable = line.equals(TABLE_HEADING);
            Matcher m = TABLE_ROW.matcher(line);
            if (inTable && m.find()) listed.add(m.group(1) + "/" + m.group(2));
        }
        assertTrue(!listed.isEmpty(), "README.md has no rows under " + TABLE_HEADING);
        return listed;
    }
}
