package dev.kprod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kafka Streams with processing.guarantee=exactly_once_v2 (and, more briefly,
 * at_least_once) on a
 * KafkaClientSupplier whose producers are KprodProducer (and, for comparison,
 * KafkaProducer): 50,000 records through a mapValues topology, one stream
 * thread killed mid-run by a failing record and replaced (its transaction
 * aborted, its transactional.id taken over by the new thread's producer).
 * Kafka's own consumer with read_committed must then see each input record
 * exactly once in the output.
 */
class StreamsExactlyOnceTest {
    private static final int RECORDS = 50_000;
    private static final int PARTITIONS = 4;
    /** The record whose first processing throws, killing its stream thread. */
    private static final String FAILING_KEY = "k" + (RECORDS / 2);

    /** Kafka's clients, as Streams' default supplier makes them, with producers of the kind under test. */
    private static final class Supplier implements KafkaClientSupplier {
        private final TestBroker.Kind kind;
        final Queue<Producer<byte[], byte[]>> producers = new ConcurrentLinkedQueue<>();

        Supplier(TestBroker.Kind kind) {
            this.kind = kind;
        }

        @Override
        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
            Producer<byte[], byte[]> producer = kind == TestBroker.Kind.KAFKA
                    ? new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())
                    : new KprodProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
            producers.add(producer);
            return producer;
        }

        @Override
        public Admin getAdmin(Map<String, Object> config) {
            return Admin.create(config);
        }

        @Override
        public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
            return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
            return getConsumer(config);
        }

        @Override
        public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
            return getConsumer(config);
        }
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void eachRecordOnceThroughAFailure(TestBroker.Kind kind, @TempDir Path stateDir) throws Exception {
        String input = TestBroker.createTopic("streams-in-" + kind, PARTITIONS);
        String output = TestBroker.createTopic("streams-out-" + kind, PARTITIONS);
        try (Producer<String, String> setup = new KafkaProducer<>(TestBroker.stringProducer())) {
            for (int i = 0; i < RECORDS; i++) setup.send(new ProducerRecord<>(input, "k" + i, "v" + i));
            setup.flush();
        }

        AtomicBoolean failed = new AtomicBoolean();
        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream(input).mapValues((key, value) -> {
            if (key.equals(FAILING_KEY) && failed.compareAndSet(false, true)) {
                throw new IllegalStateException("the test's failure at " + key);
            }
            return "out-" + value;
        }).to(output);

        Supplier supplier = new Supplier(kind);
        long started = System.nanoTime();
        try (KafkaStreams streams = new KafkaStreams(builder.build(), streamsProperties(kind, stateDir), supplier)) {
            streams.setUncaughtExceptionHandler(e -> StreamThreadExceptionResponse.REPLACE_THREAD);
            streams.start();
            awaitCommitted(output, RECORDS);
            // Each thread's blocked-time-ns-total adds up its producer's flush-time-ns-total,
            // txn-commit-time-ns-total, ... (StreamsProducer.totalBlockedTime).
            int threads = 0;
            for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
                if (!e.getKey().name().equals("blocked-time-ns-total")) continue;
                threads++;
                assertTrue((Double) e.getValue().metricValue() > 0, e.getKey() + " is 0");
            }
            assertEquals(2, threads, "blocked-time-ns-total metrics");
            streams.close(Duration.ofSeconds(30));
        }
        System.out.printf("StreamsExactlyOnceTest[%s]: %d records through Streams in %d ms, %d producers%n", kind,
                RECORDS, (System.nanoTime() - started) / 1_000_000, supplier.producers.size());
        assertTrue(failed.get(), "the failing record was processed");
        assertTrue(supplier.producers.size() >= 3, "a producer per stream thread and one for the replacement: "
                + supplier.producers.size());
        Class<?> expected = kind == TestBroker.Kind.KAFKA ? KafkaProducer.class : KprodProducer.class;
        for (Producer<byte[], byte[]> p : supplier.producers) assertEquals(expected, p.getClass());

        List<ConsumerRecord<String, String>> read = TransactionTest.readCommitted(output);
        Map<String, String> byKey = new HashMap<>();
        for (ConsumerRecord<String, String> r : read) {
            String earlier = byKey.put(r.key(), r.value());
            assertNull(earlier, "key " + r.key() + " read twice: " + earlier + ", then " + r.value());
        }
        for (int i = 0; i < RECORDS; i++) assertEquals("out-v" + i, byKey.get("k" + i), "k" + i);
        assertEquals(RECORDS, read.size(), "records read_committed");
    }

    /**
     * processing.guarantee=at_least_once: Streams' producers are plain (not
     * transactional) KprodProducers; every input record comes out, mapped.
     */
    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void atLeastOnceEveryRecordThrough(TestBroker.Kind kind, @TempDir Path stateDir) throws Exception {
        int records = 5_000;
        String input = TestBroker.createTopic("streams-alo-in-" + kind, PARTITIONS);
        String output = TestBroker.createTopic("streams-alo-out-" + kind, PARTITIONS);
        try (Producer<String, String> setup = new KafkaProducer<>(TestBroker.stringProducer())) {
            for (int i = 0; i < records; i++) setup.send(new ProducerRecord<>(input, "k" + i, "v" + i));
            setup.flush();
        }
        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream(input).mapValues(value -> "out-" + value).to(output);
        Supplier supplier = new Supplier(kind);
        Properties properties = streamsProperties(kind, stateDir);
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        try (KafkaStreams streams = new KafkaStreams(builder.build(), properties, supplier)) {
            streams.start();
            awaitCommitted(output, records);
            streams.close(Duration.ofSeconds(30));
        }
        Class<?> expected = kind == TestBroker.Kind.KAFKA ? KafkaProducer.class : KprodProducer.class;
        for (Producer<byte[], byte[]> p : supplier.producers) assertEquals(expected, p.getClass());
        Map<String, String> byKey = new HashMap<>();
        for (TestBroker.Consumed r : TestBroker.readBack(output)) byKey.put(r.key(), r.value());
        for (int i = 0; i < records; i++) assertEquals("out-v" + i, byKey.get("k" + i), "k" + i);
    }

    private static Properties streamsProperties(TestBroker.Kind kind, Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "java-streams-eos-" + kind + "-" + ProcessHandle.current().pid()
                + "-" + System.nanoTime());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrap());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        // A dead stream thread's consumer does not leave the group: its partitions move to the
        // replacement once its session expires (45 s by default; 6 s is the broker's minimum).
        p.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 6000);
        p.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), 1500);
        return p;
    }

    /** Waits until read_committed readers see count records in topic (at most 60 s). */
    private static void awaitCommitted(String topic, int count) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", TestBroker.bootstrap());
        props.put("key.deserializer", StringDeserializer.class);
        props.put("value.deserializer", StringDeserializer.class);
        props.put("isolation.level", "read_committed");
        props.put("auto.offset.reset", "earliest");
        props.put("group.id", "java-streams-watch-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        props.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            int seen = 0;
            while (seen < count) {
                if (System.currentTimeMillis() > deadline) fail("read_committed saw " + seen + " of " + count);
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
    }
}
