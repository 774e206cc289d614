package dev.kprod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/**
 * purge and close(Duration.ZERO) against the real broker: every record gets one
 * outcome (a {@link RecordPurgedException} when purged: not persisted when it was
 * queued, possibly persisted in flight); kcat never reads a record purged from the
 * queue, and the producer sends on after a purge.
 */
class PurgeTest {
    private static final long WAIT_SECONDS = 30;

    /** Sends values and records each callback's exception (null: delivered) once. */
    private static List<Future<RecordMetadata>> sendAll(KprodProducer<String, String> producer, String topic,
            List<String> values, Map<String, Exception> outcomes) {
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        for (String value : values) {
            futures.add(producer.send(new ProducerRecord<>(topic, value), (metadata, exception) -> {
                boolean first = outcomes.put(value, exception == null ? NONE : exception) == null;
                if (!first) throw new AssertionError(value + ": two callbacks");
            }));
        }
        return futures;
    }

    private static final Exception NONE = new Exception("delivered");

    private static List<String> values(String prefix, int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) values.add(prefix + "-" + i);
        return values;
    }

    /** Records that must all be delivered: the producer sends on. */
    private static List<String> sendAfter(KprodProducer<String, String> producer, String topic, String prefix)
            throws Exception {
        List<String> values = values("after-" + prefix, 10);
        Map<String, Exception> outcomes = new ConcurrentHashMap<>();
        List<Future<RecordMetadata>> futures = sendAll(producer, topic, values, outcomes);
        producer.flush();
        for (Future<RecordMetadata> future : futures) assertTrue(future.get(WAIT_SECONDS, TimeUnit.SECONDS).hasOffset());
        assertEquals(values.size(), outcomes.size());
        return values;
    }

    private static Properties lingering() {
        Properties p = TestBroker.stringProducer();
        p.put("linger.ms", "600000");
        return p;
    }

    private static RecordPurgedException purged(Future<RecordMetadata> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(WAIT_SECONDS, TimeUnit.SECONDS));
        return assertInstanceOf(RecordPurgedException.class, e.getCause());
    }

    @Test
    void queuedRecordsArePurgedAndTheProducerSendsOn() throws Exception {
        String topic = TestBroker.createTopic("purge-queued", 3);
        List<String> kept = new ArrayList<>();
        try (KprodProducer<String, String> producer = new KprodProducer<>(lingering())) {
            kept.addAll(sendAfter(producer, topic, "warm-up")); // the topic's metadata is known
            Map<String, Exception> outcomes = new ConcurrentHashMap<>();
            List<Future<RecordMetadata>> futures = sendAll(producer, topic, values("purged", 300), outcomes);
            producer.purge(true, false);
            for (Future<RecordMetadata> future : futures) assertFalse(purged(future).possiblyPersisted());
            assertEquals(300, outcomes.size());
            outcomes.values().forEach(e -> assertInstanceOf(RecordPurgedException.class, e));
            kept.addAll(sendAfter(producer, topic, "purge"));
            assertThrows(IllegalArgumentException.class, () -> producer.purge(false, false));
        }
        assertEquals(kept.stream().sorted().toList(),
                TestBroker.readBack(topic).stream().map(TestBroker.Consumed::value).sorted().toList());
    }

    @Test
    void closeWithZeroTimeoutFailsEveryRecordLeft() throws Exception {
        String topic = TestBroker.createTopic("purge-close", 1);
        KprodProducer<String, String> producer = new KprodProducer<>(lingering());
        List<String> kept = sendAfter(producer, topic, "warm-up");
        Map<String, Exception> outcomes = new ConcurrentHashMap<>();
        List<Future<RecordMetadata>> futures = sendAll(producer, topic, values("left", 500), outcomes);
        long started = System.nanoTime();
        producer.close(Duration.ZERO);
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "close(ZERO) returned at once");
        assertEquals(500, outcomes.size(), "every record's callback ran, none lost");
        for (Future<RecordMetadata> future : futures) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(0, TimeUnit.SECONDS));
            assertInstanceOf(KafkaException.class, e.getCause()); // as KafkaProducer's close(ZERO)
        }
        outcomes.values().forEach(e -> assertInstanceOf(KafkaException.class, e));
        assertThrows(IllegalStateException.class, () -> producer.purge(true, true));
        assertEquals(kept, TestBroker.readBack(topic).stream().map(TestBroker.Consumed::value).toList());
    }

    /** Bursts purged right after their last send, until a round caught queued and in-flight records. */
    @Test
    void recordsInFlightArePossiblyPersisted() throws Exception {
        String topic = TestBroker.createTopic("purge-in-flight", 3);
        Properties p = TestBroker.stringProducer();
        p.put("linger.ms", "0");
        p.put("batch.size", "16384");
        p.put("acks", "all");
        Map<String, Exception> outcomes = new ConcurrentHashMap<>();
        int possibly = 0, notPersisted = 0;
        List<String> after;
        String pad = "-" + "x".repeat(1000);
        try (KprodProducer<String, String> producer = new KprodProducer<>(p)) {
            for (int round = 0; round < 20 && (possibly == 0 || notPersisted == 0); round++) {
                List<String> burst = new ArrayList<>();
                for (String value : values("burst-" + round, 3000)) burst.add(value + pad);
                sendAll(producer, topic, burst, outcomes);
                producer.purge(true, true);
                producer.flush();
                possibly = notPersisted = 0;
                for (Exception e : outcomes.values()) {
                    if (e == NONE) continue;
                    if (assertInstanceOf(RecordPurgedException.class, e).possiblyPersisted()) possibly++;
                    else notPersisted++;
                }
            }
            assertTrue(possibly > 0 && notPersisted > 0,
                    "no round caught both: " + possibly + " possibly persisted, " + notPersisted + " not");
            after = sendAfter(producer, topic, "in-flight");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (TestBroker.Consumed r : TestBroker.readBack(topic)) seen.merge(r.value(), 1, Integer::sum);
        for (Map.Entry<String, Exception> outcome : outcomes.entrySet()) {
            int times = seen.getOrDefault(outcome.getKey(), 0);
            assertTrue(times <= 1, outcome.getKey() + " is in the log " + times + " times");
            Exception e = outcome.getValue();
            if (e == NONE) assertEquals(1, times, outcome.getKey() + " was delivered but kcat did not read it");
            else if (!((RecordPurgedException) e).possiblyPersisted()) assertEquals(0, times, outcome.getKey());
        }
        for (String value : after) assertEquals(1, seen.get(value), value);
    }
}
