package dev.kprod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The application's own Java plug-ins, with both producers and the same
 * outcomes: OpenTelemetry's Kafka producer interceptor (from Maven Central)
 * chained with one of the test's, and a custom Partitioner; kcat reads back
 * where the records went and what the interceptors did to them.
 */
class PluginsTest {
    private static final int RECORDS = 30;

    /** What one producer's RecordingInterceptor saw, by client.id (the producer makes the instance). */
    static final class Journal {
        final AtomicBoolean configured = new AtomicBoolean();
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicInteger acknowledged = new AtomicInteger();
        final AtomicInteger sentWithoutTrace = new AtomicInteger();
        final ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
    }

    static final Map<String, Journal> JOURNALS = new ConcurrentHashMap<>();

    /**
     * Runs after OpenTelemetry's: sends a new record (value marked, a header
     * added), throws in onSend for one key and in every onAcknowledgement, which
     * must change nothing else.
     */
    public static final class RecordingInterceptor implements ProducerInterceptor<String, String> {
        private Journal journal;

        @Override
        public void configure(Map<String, ?> configs) {
            journal = JOURNALS.computeIfAbsent((String) configs.get("client.id"), id -> new Journal());
            journal.configured.set(true);
        }

        @Override
        public ProducerRecord<String, String> onSend(ProducerRecord<String, String> record) {
            if ("throw-on-send".equals(record.key())) throw new IllegalStateException("onSend fails on purpose");
            if (record.headers().lastHeader("traceparent") == null) journal.sentWithoutTrace.incrementAndGet();
            ProducerRecord<String, String> marked = new ProducerRecord<>(record.topic(), record.partition(),
                    record.timestamp(), record.key(), record.value() + "+intercepted", record.headers());
            marked.headers().add("intercepted-by", "recording".getBytes(StandardCharsets.UTF_8));
            return marked;
        }

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
            if (exception == null) journal.acknowledged.incrementAndGet();
            else journal.failures.add(exception);
            throw new IllegalStateException("onAcknowledgement fails on purpose");
        }

        @Override
        public void close() {
            journal.closed.set(true);
        }
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void openTelemetryAndOwnInterceptorsRunAsInKafkaProducer(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("interceptors-" + kind, 3);
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        Properties properties = TestBroker.stringProducer();
        String clientId = "interceptors-" + kind + "-" + ProcessHandle.current().pid();
        properties.put("client.id", clientId);
        properties.put("max.block.ms", "2000");
        properties.putAll(KafkaTelemetry.create(openTelemetry).producerInterceptorConfigProperties());
        // Java's order: OpenTelemetry's first, then the application's.
        properties.put("interceptor.classes", properties.get("interceptor.classes") + ","
                + RecordingInterceptor.class.getName());
        AtomicInteger delivered = new AtomicInteger();
        AtomicReference<Exception> missingPartition = new AtomicReference<>();
        try (Producer<String, String> producer = kind.create(properties)) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i), (metadata, exception) -> {
                    if (exception == null) delivered.incrementAndGet();
                });
            }
            producer.send(new ProducerRecord<>(topic, "throw-on-send", "as-sent"), (m, e) -> {
                if (e == null) delivered.incrementAndGet();
            });
            producer.send(new ProducerRecord<>(topic, 99, "no-such-partition", "lost"), (m, e) -> {
                missingPartition.set(e);
                assertEquals(99, m.partition());
            });
            producer.flush();
        }
        Journal journal = JOURNALS.get(clientId);
        assertNotNull(journal, "RecordingInterceptor was configured with client.id " + clientId);
        assertTrue(journal.configured.get() && journal.closed.get(), "configured and closed");
        assertEquals(0, journal.sentWithoutTrace.get(), "OpenTelemetry's interceptor ran first");
        assertEquals(RECORDS + 1, delivered.get(), "callbacks despite onAcknowledgement throwing");
        assertEquals(RECORDS + 1, journal.acknowledged.get());
        assertInstanceOf(TimeoutException.class, missingPartition.get());
        assertEquals(1, journal.failures.size());
        assertInstanceOf(TimeoutException.class, journal.failures.peek());

        Set<String> traceIds = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.PRODUCER
                        && topic.equals(s.getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))))
                .map(SpanData::getTraceId).collect(Collectors.toSet());
        List<TestBroker.ConsumedHeaders> read = TestBroker.readBackHeaders(topic);
        assertEquals(RECORDS + 1, read.size());
        for (TestBroker.ConsumedHeaders r : read) {
            String traceparent = header(r.headers(), "traceparent");
            assertNotNull(traceparent, "traceparent on " + r);
            assertTrue(traceIds.contains(traceparent.split("-")[1]), "a producer span for " + r);
            boolean marked = "recording".equals(header(r.headers(), "intercepted-by"));
            assertEquals(!r.key().equals("throw-on-send"), marked, "intercepted-by on " + r);
        }
        openTelemetry.close();
    }

    private static String header(String kcatHeaders, String name) {
        for (String pair : kcatHeaders.split(",")) {
            if (pair.startsWith(name + "=")) return pair.substring(name.length() + 1);
        }
        return null;
    }

    /** Puts "key-N" on partition N modulo the topic's partition count, and refuses the key "negative". */
    public static final class DigitPartitioner implements Partitioner {
        static final Map<String, AtomicBoolean> CLOSED = new ConcurrentHashMap<>();
        private String clientId;

        @Override
        public void configure(Map<String, ?> configs) {
            clientId = (String) configs.get("client.id");
            CLOSED.put(clientId, new AtomicBoolean());
        }

        @Override
        public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes,
                Cluster cluster) {
            if ("negative".equals(key)) return -1;
            assertEquals(key, new String(keyBytes, StandardCharsets.UTF_8), "serialized key");
            int n = Integer.parseInt(((String) key).substring("key-".length()));
            return n % cluster.partitionCountForTopic(topic);
        }

        @Override
        public void close() {
            CLOSED.get(clientId).set(true);
        }
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void customPartitionerPlacesRecords(TestBroker.Kind kind) throws Exception {
        int partitions = 4;
        String topic = TestBroker.createTopic("partitioner-" + kind, partitions);
        Properties properties = TestBroker.stringProducer();
        String clientId = "partitioner-" + kind + "-" + ProcessHandle.current().pid();
        properties.put("client.id", clientId);
        properties.put("partitioner.class", DigitPartitioner.class);
        try (Producer<String, String> producer = kind.create(properties)) {
            for (int i = 0; i < RECORDS; i++) producer.send(new ProducerRecord<>(topic, "key-" + i, "v"));
            producer.send(new ProducerRecord<>(topic, 3, "key-0", "explicit")); // an explicit partition wins
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> producer.send(new ProducerRecord<>(topic, "negative", "v")));
            assertTrue(e.getMessage().contains("invalid partition number: -1"), e.getMessage());
            producer.flush();
        }
        assertTrue(DigitPartitioner.CLOSED.get(clientId).get(), "partitioner closed");
        List<TestBroker.Consumed> read = TestBroker.readBack(topic);
        assertEquals(RECORDS + 1, read.size());
        for (TestBroker.Consumed r : read) {
            int expected = r.value().equals("explicit") ? 3
                    : Integer.parseInt(r.key().substring("key-".length())) % partitions;
            assertEquals(expected, r.partition(), "partition of " + r);
        }
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void flushInACallbackIsRefusedWithKafkaException(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("flush-in-callback-" + kind, 1);
        AtomicReference<Exception> thrown = new AtomicReference<>();
        try (Producer<String, String> producer = kind.create(TestBroker.stringProducer())) {
            producer.send(new ProducerRecord<>(topic, "k", "v"), (m, e) -> {
                try {
                    producer.flush();
                } catch (Exception refused) {
                    thrown.set(refused);
                }
            });
            producer.flush();
        }
        assertEquals(KafkaException.class, thrown.get().getClass());
        assertTrue(thrown.get().getMessage().contains("flush() invocation inside a callback is not permitted"));
    }
}
