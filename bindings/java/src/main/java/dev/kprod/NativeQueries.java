package dev.kprod;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;

/**
 * The producer's cold-path questions to libkprod, through the SWIG-generated
 * struct arrays: a topic's partitions (kprod_partitions_for) and the metrics
 * (kprod_metrics) as Kafka's PartitionInfo and MetricName.
 */
final class NativeQueries {
    private static final Node[] NO_NODES = new Node[0];

    private NativeQueries() {}

    /** The partitions of topic; throws what KafkaProducer throws for the same failure. */
    static List<PartitionInfo> partitionsFor(SWIGTYPE_p_kprod_producer handle, String topic, long maxBlockMs) {
        for (int capacity = 64; ; ) {
            NativePartitionInfoArray array = new NativePartitionInfoArray(capacity);
            try {
                long[] count = new long[1];
                int err = KprodNative.kprod_partitions_for(handle, topic, array.cast(), capacity,
                        KprodNative.kprodj_partition_info_size(), count);
                if (err != kprod_err_t.KPROD_OK) throw KprodErrors.refusedSend(err, topic, -1, maxBlockMs);
                if (count[0] > capacity) {
                    capacity = (int) count[0];
                    continue;
                }
                List<PartitionInfo> partitions = new ArrayList<>((int) count[0]);
                for (int i = 0; i < count[0]; i++) {
                    NativePartitionInfo info = array.getitem(i);
                    try {
                        Node leader = info.getLeader() < 0 ? null
                                : new Node(info.getLeader(), info.getLeader_host(), info.getLeader_port());
                        // kprod keeps only the leader: replicas and ISR are not known.
                        partitions.add(new PartitionInfo(topic, info.getPartition(), leader, NO_NODES, NO_NODES));
                    } finally {
                        info.delete();
                    }
                }
                return Collections.unmodifiableList(partitions);
            } finally {
                array.delete();
            }
        }
    }

    /** Every metric kprod keeps, tagged as the Java producer tags them. */
    static Map<MetricName, KprodMetric> metrics(SWIGTYPE_p_kprod_producer handle, String clientId) {
        for (int capacity = 256; ; ) {
            NativeMetricArray array = new NativeMetricArray(capacity);
            try {
                long[] count = new long[1];
                int err = KprodNative.kprod_metrics(handle, array.cast(), capacity, KprodNative.kprodj_metric_size(),
                        count);
                if (err != kprod_err_t.KPROD_OK) {
                    throw KprodErrors.failedDelivery(err, 0, -1, "(metrics)", -1);
                }
                if (count[0] > capacity) {
                    capacity = (int) count[0] + 64;
                    continue;
                }
                Map<MetricName, KprodMetric> metrics = new LinkedHashMap<>();
                for (int i = 0; i < count[0]; i++) {
                    NativeMetric m = array.getitem(i);
                    try {
                        Map<String, String> tags = new LinkedHashMap<>();
                        tags.put("client-id", clientId);
                        if (m.getTopic() != null) tags.put("topic", m.getTopic());
                        if (m.getNode_id() >= 0) tags.put("node-id", "node-" + m.getNode_id());
                        MetricName name = new MetricName(m.getName(), m.getGroup(), m.getDescription(), tags);
                        metrics.put(name, new KprodMetric(name, m.getValue()));
                    } finally {
                        m.delete();
                    }
                }
                return metrics;
            } finally {
                array.delete();
            }
        }
    }

    /** One metric's value, read when {@link KprodProducer#metrics()} was called. */
    static final class KprodMetric implements Metric {
        private final MetricName name;
        private final Object value;

        /** value as KafkaProducer's metric of that name has it: a Double, or a Long or String (app-info). */
        KprodMetric(MetricName name, Object value) {
            this.name = name;
            this.value = value;
        }

        @Override
        public MetricName metricName() {
            return name;
        }

        @Override
        public Object metricValue() {
            return value;
        }
    }
}
