package dev.kprod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The drop-in claim: every test body runs once with KafkaProducer and once with
 * KprodProducer, against the real broker, and expects the same behaviour.
 */
class DropInTest {
    private static final int THREADS = 8;
    private static final int RECORDS = 100_000;
    private static final int PARTITIONS = 6;

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void everyRecordOnceFromManyThreads(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("many-" + kind, PARTITIONS);
        AtomicIntegerArray callbacks = new AtomicIntegerArray(RECORDS);
        AtomicIntegerArray partitions = new AtomicIntegerArray(RECORDS);
        AtomicLongArray offsets = new AtomicLongArray(RECORDS);
        AtomicReferenceArray<Future<RecordMetadata>> futures = new AtomicReferenceArray<>(RECORDS);
        ConcurrentLinkedQueue<Throwable> problems = new ConcurrentLinkedQueue<>();
        try (Producer<String, String> producer = kind.create(TestBroker.stringProducer())) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t;
                threads.add(new Thread(() -> {
                    for (int id = first; id < RECORDS; id += THREADS) {
                        int i = id;
                        futures.set(i, producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i),
                                (metadata, exception) -> {
                                    if (exception != null) problems.add(exception);
                                    partitions.set(i, metadata.partition());
                                    offsets.set(i, metadata.offset());
                                    callbacks.incrementAndGet(i);
                                }));
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) thread.join();
            producer.flush();
            // flush returns after every callback ran, as KafkaProducer's does.
            for (int i = 0; i < RECORDS; i++) {
                assertEquals(1, callbacks.get(i), "callbacks of record " + i + " after flush");
                Future<RecordMetadata> future = futures.get(i);
                assertTrue(future.isDone(), "future of record " + i + " after flush");
                RecordMetadata metadata = future.get(0, TimeUnit.MILLISECONDS);
                assertEquals(partitions.get(i), metadata.partition());
                assertEquals(offsets.get(i), metadata.offset());
                assertEquals(topic, metadata.topic());
                assertEquals(("key-" + i).length(), metadata.serializedKeySize());
            }
        }
        assertTrue(problems.isEmpty(), "failed records: " + problems.peek());
        for (int i = 0; i < RECORDS; i++) assertEquals(1, callbacks.get(i), "callbacks of record " + i + " after close");

        List<TestBroker.Consumed> consumed = TestBroker.readBack(topic);
        assertEquals(RECORDS, consumed.size(), "records kcat read back");
        boolean[] seen = new boolean[RECORDS];
        for (TestBroker.Consumed c : consumed) {
            int i = Integer.parseInt(c.key().substring("key-".length()));
            assertTrue(!seen[i], "record " + i + " read twice");
            seen[i] = true;
            assertEquals("value-" + i, c.value());
            // The partition KafkaProducer's default partitioner picks for the key.
            int expected = Utils.toPositive(Utils.murmur2(c.key().getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            assertEquals(expected, c.partition(), "partition of " + c.key());
            assertEquals(partitions.get(i), c.partition(), "reported partition of " + c.key());
            assertEquals(offsets.get(i), c.offset(), "reported offset of " + c.key());
        }
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void sendAfterCloseThrows(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("after-close-" + kind, 1);
        Producer<String, String> producer = kind.create(TestBroker.stringProducer());
        producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
        producer.close();
        assertThrows(IllegalStateException.class, () -> producer.send(new ProducerRecord<>(topic, "k", "v")));
        producer.close(); // a second close is harmless
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void callbackThatThrowsStopsNothing(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("throwing-" + kind, 2);
        int n = 1000;
        AtomicInteger calls = new AtomicInteger();
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        try (Producer<String, String> producer = kind.create(TestBroker.stringProducer())) {
            for (int i = 0; i < n; i++) {
                futures.add(producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i), (metadata, exception) -> {
                    calls.incrementAndGet();
                    if (metadata.offset() % 100 == 0) throw new IllegalStateException("a callback that throws");
                }));
            }
            producer.flush();
            assertEquals(n, calls.get());
            for (Future<RecordMetadata> f : futures) assertTrue(f.get().offset() >= 0);
            // Still working afterwards.
            assertTrue(producer.send(new ProducerRecord<>(topic, "after", "after")).get(30, TimeUnit.SECONDS)
                    .hasOffset());
        }
        assertEquals(n + 1, TestBroker.readBack(topic).size());
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void closeWhileOtherThreadsSend(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("close-race-" + kind, 3);
        int perThread = 50_000;
        int threadCount = 4;
        AtomicIntegerArray callbacks = new AtomicIntegerArray(perThread * threadCount);
        AtomicIntegerArray delivered = new AtomicIntegerArray(perThread * threadCount);
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Future<RecordMetadata>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        Producer<String, String> producer = kind.create(TestBroker.stringProducer());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            int base = t * perThread;
            threads.add(new Thread(() -> {
                for (int j = 0; j < perThread; j++) {
                    int i = base + j;
                    try {
                        futures.add(producer.send(new ProducerRecord<>(topic, "key-" + i, "v"), (m, e) -> {
                            if (e == null) delivered.set(i, 1);
                            callbacks.incrementAndGet(i);
                        }));
                        accepted.incrementAndGet();
                    } catch (IllegalStateException | KafkaException closed) {
                        // KafkaProducer: IllegalStateException once closed, KafkaException
                        // ("Producer closed while send in progress") during close.
                        refused.incrementAndGet();
                        return;
                    } catch (Throwable e) {
                        unexpected.add(e);
                        return;
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        // Close in the middle of the stream: once sending has got going.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (accepted.get() < 20_000 && System.nanoTime() < deadline) Thread.sleep(5);
        producer.close(Duration.ofSeconds(30));
        for (Thread thread : threads) thread.join();
        assertTrue(unexpected.isEmpty(), "unexpected: " + unexpected.peek());
        assertTrue(accepted.get() > 0, "nothing was sent before close");
        int callbackTotal = 0;
        for (int i = 0; i < callbacks.length(); i++) {
            assertTrue(callbacks.get(i) <= 1, "record " + i + " had " + callbacks.get(i) + " callbacks");
            callbackTotal += callbacks.get(i);
        }
        assertEquals(accepted.get(), callbackTotal, "every accepted record had its callback once by close");
        synchronized (futures) {
            for (Future<RecordMetadata> f : futures) assertTrue(f.isDone());
        }
        int deliveredTotal = 0;
        for (int i = 0; i < delivered.length(); i++) deliveredTotal += delivered.get(i);
        List<TestBroker.Consumed> consumed = TestBroker.readBack(topic);
        assertEquals(deliveredTotal, consumed.size(), "records reported delivered are the records in the topic");
        for (TestBroker.Consumed c : consumed) {
            assertEquals(1, delivered.get(Integer.parseInt(c.key().substring(4))), c.key() + " was read back");
        }
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void recordTooLargeFailsItsFuture(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("too-large-" + kind, 1);
        Properties properties = TestBroker.stringProducer();
        properties.put("max.request.size", "1024");
        try (Producer<String, String> producer = kind.create(properties)) {
            AtomicInteger calls = new AtomicInteger();
            Future<RecordMetadata> future = producer.send(new ProducerRecord<>(topic, "k", "x".repeat(2000)),
                    (m, e) -> {
                        assertInstanceOf(RecordTooLargeException.class, e);
                        calls.incrementAndGet();
                    });
            ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, e.getCause());
            producer.flush();
            assertEquals(1, calls.get());
            assertTrue(producer.send(new ProducerRecord<>(topic, "k", "small")).get(30, TimeUnit.SECONDS).hasOffset());
        }
    }

    /** A serializer that always fails. */
    public static final class FailingSerializer implements Serializer<String> {
        @Override
        public byte[] serialize(String topic, String data) {
            throw new SerializationException("cannot serialize " + data);
        }
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    @SuppressWarnings({"unchecked", "rawtypes"})
    void serializerFailuresThrowSerializationException(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("serializer-" + kind, 1);
        Properties properties = TestBroker.stringProducer();
        properties.put("value.serializer", FailingSerializer.class.getName());
        try (Producer<String, String> producer = kind.create(properties)) {
            assertThrows(SerializationException.class, () -> producer.send(new ProducerRecord<>(topic, "k", "v")));
        }
        try (Producer producer = kind.create(TestBroker.stringProducer())) {
            // An Integer where the StringSerializer expects a String.
            SerializationException e = assertThrows(SerializationException.class,
                    () -> producer.send(new ProducerRecord(topic, "k", 42)));
            assertInstanceOf(ClassCastException.class, e.getCause());
        }
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void unknownTopicTimesOut(TestBroker.Kind kind) throws Exception {
        Properties properties = TestBroker.stringProducer();
        properties.put("max.block.ms", "1500");
        try (Producer<String, String> producer = kind.create(properties)) {
            AtomicInteger calls = new AtomicInteger();
            Future<RecordMetadata> future = producer.send(new ProducerRecord<>("java-no-such-topic", "k", "v"),
                    (m, e) -> {
                        if (e instanceof TimeoutException) calls.incrementAndGet();
                    });
            ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, e.getCause());
            producer.flush();
            assertEquals(1, calls.get());
        }
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void partitionsForListsEveryPartitionWithItsLeader(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("partitions-" + kind, 3);
        try (Producer<String, String> producer = kind.create(TestBroker.stringProducer())) {
            List<PartitionInfo> partitions = producer.partitionsFor(topic);
            assertEquals(3, partitions.size());
            int port = Integer.parseInt(TestBroker.bootstrap().replaceAll(".*:", ""));
            for (int p = 0; p < 3; p++) {
                int partition = p;
                PartitionInfo info = partitions.stream().filter(i -> i.partition() == partition).findFirst()
                        .orElseThrow();
                assertEquals(topic, info.topic());
                assertNotNull(info.leader());
                assertEquals(1, info.leader().id());
                assertEquals(port, info.leader().port());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void metricsUnderJavaNames(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("metrics-" + kind, 1);
        Properties properties = TestBroker.stringProducer();
        properties.put("client.id", "metrics-" + kind);
        try (Producer<String, String> producer = kind.create(properties)) {
            for (int i = 0; i < 50; i++) producer.send(new ProducerRecord<>(topic, "k", "v"));
            producer.flush();
            Map<MetricName, ? extends Metric> metrics = producer.metrics();
            Metric sendTotal = metrics.get(new MetricName("record-send-total", "producer-metrics", "",
                    Map.of("client-id", "metrics-" + kind)));
            assertNotNull(sendTotal, "record-send-total in " + metrics.keySet());
            assertEquals(50.0, (Double) sendTotal.metricValue());
            Metric topicTotal = metrics.get(new MetricName("record-send-total", "producer-topic-metrics", "",
                    Map.of("client-id", "metrics-" + kind, "topic", topic)));
            assertNotNull(topicTotal, "producer-topic-metrics record-send-total in " + metrics.keySet());
            assertEquals(50.0, (Double) topicTotal.metricValue());
        }
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void configurationErrors(TestBroker.Kind kind) {
        Properties badValue = TestBroker.stringProducer();
        badValue.put("linger.ms", "soon");
        ConfigException e = assertThrows(ConfigException.class, () -> kind.create(badValue));
        assertTrue(e.getMessage().contains("linger.ms"), e.getMessage());

        Properties noSerializer = TestBroker.stringProducer();
        noSerializer.remove("key.serializer");
        e = assertThrows(ConfigException.class, () -> kind.create(noSerializer));
        assertTrue(e.getMessage().contains("key.serializer"), e.getMessage());

        Properties noSuchClass = TestBroker.stringProducer();
        noSuchClass.put("value.serializer", "com.example.NoSuchSerializer");
        e = assertThrows(ConfigException.class, () -> kind.create(noSuchClass));
        assertTrue(e.getMessage().contains("com.example.NoSuchSerializer"), e.getMessage());

        Properties noBootstrap = TestBroker.stringProducer();
        noBootstrap.remove("bootstrap.servers");
        // KafkaProducer wraps this one: KafkaException("Failed to construct kafka producer", ConfigException).
        Throwable t = assertThrows(KafkaException.class, () -> kind.create(noBootstrap));
        while (!(t instanceof ConfigException) && t.getCause() != null) t = t.getCause();
        assertInstanceOf(ConfigException.class, t);
        assertTrue(t.getMessage().contains("bootstrap.servers"), t.getMessage());

        Properties noSuchInterceptor = TestBroker.stringProducer();
        noSuchInterceptor.put("interceptor.classes", "com.example.NoSuchInterceptor");
        t = assertThrows(KafkaException.class, () -> kind.create(noSuchInterceptor));
        while (!t.getMessage().contains("com.example.NoSuchInterceptor") && t.getCause() != null) t = t.getCause();
        assertTrue(t.getMessage().contains("com.example.NoSuchInterceptor"), t.getMessage());

        Properties badAcks = TestBroker.stringProducer();
        badAcks.put("acks", "2");
        e = assertThrows(ConfigException.class, () -> kind.create(badAcks));
        assertTrue(e.getMessage().contains("acks"), e.getMessage());
    }
}
