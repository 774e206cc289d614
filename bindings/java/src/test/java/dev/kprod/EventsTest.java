package dev.kprod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;

/**
 * Events through a {@link KprodEventListener} against the real broker: partitions
 * added with Kafka's Admin client come once as METADATA_CHANGE on the producer's
 * event thread; a fenced transactional producer gets a FATAL event and
 * {@link KprodProducer#fatalError()} says the same.
 */
class EventsTest {
    private record Seen(KprodEvent event, String thread) {}

    private static Properties listening(BlockingQueue<Seen> seen) {
        Properties p = TestBroker.stringProducer();
        p.put(KprodEventListener.CONFIG,
                (KprodEventListener) event -> seen.add(new Seen(event, Thread.currentThread().getName())));
        return p;
    }

    private static Seen await(BlockingQueue<Seen> seen, Predicate<KprodEvent> wanted) throws InterruptedException {
        for (Seen s; (s = seen.poll(15, TimeUnit.SECONDS)) != null; ) {
            if (wanted.test(s.event())) return s;
        }
        throw new AssertionError("no matching event within 15 s");
    }

    @Test
    void addedPartitionsComeAsOneMetadataChange() throws Exception {
        String topic = TestBroker.createTopic("events-partitions", 1);
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        Properties p = listening(seen);
        p.put("metadata.max.age.ms", "500");
        try (KprodProducer<String, String> producer = new KprodProducer<>(p);
                Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrap()))) {
            producer.send(new ProducerRecord<>(topic, "before")).get(30, TimeUnit.SECONDS);
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all().get(30, TimeUnit.SECONDS);
            Seen s = await(seen, e -> e.type() == KprodEvent.Type.METADATA_CHANGE && topic.equals(e.topic()));
            assertTrue(s.thread().startsWith("kprod-producer-events"), s.thread());
            assertEquals(-1, s.event().partition(), s.event().toString());
            assertEquals(3, s.event().partitionCount(), s.event().toString());
            assertEquals(1, s.event().previousPartitionCount(), s.event().toString());
            assertTrue(s.event().error() == 0 && !s.event().reason().isEmpty(), s.event().toString());
            assertNull(producer.fatalError());
        }
        assertTrue(seen.stream().noneMatch(s -> s.event().type() == KprodEvent.Type.FATAL));
    }

    @Test
    void aFencedProducerGetsAFatalEvent() throws Exception {
        String topic = TestBroker.createTopic("events-fenced", 1);
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        Properties p = listening(seen);
        p.put("transactional.id", "java-events-fenced-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try (KprodProducer<String, String> first = new KprodProducer<>(p)) {
            first.initTransactions();
            first.beginTransaction();
            first.send(new ProducerRecord<>(topic, "from-first")).get(30, TimeUnit.SECONDS);
            Properties q = TestBroker.stringProducer();
            q.put("transactional.id", p.get("transactional.id"));
            try (KprodProducer<String, String> second = new KprodProducer<>(q)) {
                second.initTransactions(); // fences the first
                assertThrows(ProducerFencedException.class, first::commitTransaction);
                Seen fatal = await(seen, e -> e.type() == KprodEvent.Type.FATAL);
                assertEquals("KPROD_ERR_FENCED", fatal.event().errorName(), fatal.event().toString());
                ProducerFencedException e = assertInstanceOf(ProducerFencedException.class, first.fatalError());
                assertTrue(e.getMessage().contains(fatal.event().reason()), e.getMessage());
                assertNull(second.fatalError());
            }
        }
    }
}
