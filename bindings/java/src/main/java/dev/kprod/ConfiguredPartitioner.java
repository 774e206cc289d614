package dev.kprod;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;

/**
 * The application's {@code partitioner.class}, called on the sending thread
 * as KafkaProducer calls it: after serialization, with the key and value and
 * their bytes and a {@link Cluster} that holds the record's topic, for records
 * without an explicit partition. Its answer goes to kprod as the record's
 * explicit partition; a negative one is an IllegalArgumentException, as in
 * KafkaProducer.
 *
 * <p>The Cluster is built from partitionsFor (which waits up to
 * {@code max.block.ms} for a topic's first metadata, as KafkaProducer's send
 * does) and kept per topic for {@link #REFRESH_NANOS}, so a partition added to
 * the topic shows within a second and the partitioner costs one JNI call per
 * topic per second, not one per record. Partitioner.onNewBatch is gone from
 * Kafka 4's interface, so there is nothing to call when kprod opens a batch.
 */
final class ConfiguredPartitioner implements AutoCloseable {
    static final long REFRESH_NANOS = 1_000_000_000L;

    private final Partitioner partitioner;
    private final Function<String, List<PartitionInfo>> partitionsFor;
    private final Map<String, TopicView> views = new ConcurrentHashMap<>();

    private record TopicView(Cluster cluster, long madeAtNanos) {}

    ConfiguredPartitioner(Partitioner partitioner, Function<String, List<PartitionInfo>> partitionsFor) {
        this.partitioner = partitioner;
        this.partitionsFor = partitionsFor;
    }

    /**
     * The partition for a record without one.
     *
     * @throws org.apache.kafka.common.errors.TimeoutException when the topic's metadata does not come in time
     * @throws IllegalArgumentException when the partitioner answers a negative number
     */
    int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes) {
        int partition = partitioner.partition(topic, key, keyBytes, value, valueBytes, cluster(topic));
        if (partition < 0) {
            throw new IllegalArgumentException(String.format("The partitioner generated an invalid partition "
                    + "number: %d. Partition number should always be non-negative.", partition));
        }
        return partition;
    }

    private Cluster cluster(String topic) {
        TopicView view = views.get(topic);
        long now = System.nanoTime();
        if (view == null || now - view.madeAtNanos > REFRESH_NANOS) {
            // Two threads may both refresh: each gets a correct view, the later one stays.
            view = new TopicView(clusterOf(partitionsFor.apply(topic)), now);
            views.put(topic, view);
        }
        return view.cluster;
    }

    private static Cluster clusterOf(List<PartitionInfo> partitions) {
        Map<Integer, Node> nodes = new LinkedHashMap<>();
        for (PartitionInfo p : partitions) {
            if (p.leader() != null) nodes.putIfAbsent(p.leader().id(), p.leader());
        }
        return new Cluster(null, nodes.values(), partitions, Collections.emptySet(), Collections.emptySet());
    }

    @Override
    public void close() {
        partitioner.close();
    }
}
