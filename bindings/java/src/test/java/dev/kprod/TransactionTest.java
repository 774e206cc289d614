package dev.kprod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Transactions, once with KafkaProducer and once with KprodProducer, read back
 * by Kafka's own consumer with isolation.level=read_committed.
 */
class TransactionTest {
    private static final int RECORDS = 20;

    private static Properties transactional(TestBroker.Kind kind, String name) {
        Properties p = TestBroker.stringProducer();
        p.put("transactional.id", "java-txn-" + name + "-" + kind + "-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        p.put("transaction.timeout.ms", "30000");
        p.put("max.block.ms", "30000");
        return p;
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void committedOnceAbortedInvisible(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("txn-" + kind, 3);
        Properties props = transactional(kind, "commit-abort");
        props.put("linger.ms", "60000"); // the aborted records are still queued at the abort
        Map<String, Exception> aborted = new ConcurrentHashMap<>();
        try (Producer<String, String> producer = kind.create(props)) {
            assertThrows(IllegalStateException.class, () -> producer.beginTransaction()); // before init
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < RECORDS; i++) producer.send(new ProducerRecord<>(topic, "k" + i, "first-" + i));
            producer.commitTransaction();

            producer.beginTransaction();
            for (int i = 0; i < RECORDS; i++) {
                String value = "aborted-" + i;
                producer.send(new ProducerRecord<>(topic, "k" + i, value), (m, e) -> aborted.put(value, e));
            }
            producer.abortTransaction();
            // KprodProducer returns after every callback ran; KafkaProducer may run them just after.
            if (kind == TestBroker.Kind.KPROD) assertEquals(RECORDS, aborted.size(), "callbacks at the abort");
            for (long deadline = System.currentTimeMillis() + 30_000; aborted.size() < RECORDS
                    && System.currentTimeMillis() < deadline; ) Thread.sleep(10);
            assertEquals(RECORDS, aborted.size(), "callbacks of the aborted records");
            for (Exception e : aborted.values()) assertInstanceOf(TransactionAbortedException.class, e);

            producer.beginTransaction();
            for (int i = 0; i < RECORDS; i++) producer.send(new ProducerRecord<>(topic, "k" + i, "second-" + i));
            producer.commitTransaction();
            assertThrows(IllegalStateException.class, () -> producer.commitTransaction()); // none is open
            // Kafka Streams adds these up into its blocked-time-ns-total.
            for (String name : List.of("txn-init-time-ns-total", "txn-begin-time-ns-total",
                    "txn-commit-time-ns-total", "txn-abort-time-ns-total")) {
                assertTrue(metricValue(producer, name) > 0, name);
            }
        }
        List<ConsumerRecord<String, String>> read = readCommitted(topic);
        Map<String, Integer> seen = new HashMap<>();
        for (ConsumerRecord<String, String> r : read) seen.merge(r.value(), 1, Integer::sum);
        for (int i = 0; i < RECORDS; i++) {
            assertEquals(1, seen.getOrDefault("first-" + i, 0), "first-" + i);
            assertEquals(1, seen.getOrDefault("second-" + i, 0), "second-" + i);
        }
        assertEquals(2 * RECORDS, read.size(), "records read_committed: " + seen.keySet());
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void secondProducerFencesFirst(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("txn-fence-" + kind, 1);
        Properties props = transactional(kind, "fence");
        try (Producer<String, String> first = kind.create(props)) {
            first.initTransactions();
            first.beginTransaction();
            first.send(new ProducerRecord<>(topic, "k", "from-first")).get(30, TimeUnit.SECONDS);
            try (Producer<String, String> second = kind.create(props)) {
                second.initTransactions(); // fences first, aborts its transaction
                assertThrows(ProducerFencedException.class, first::commitTransaction);
                second.beginTransaction();
                second.send(new ProducerRecord<>(topic, "k", "from-second"));
                second.commitTransaction();
            }
        }
        List<ConsumerRecord<String, String>> read = readCommitted(topic);
        assertEquals(1, read.size(), "records read_committed");
        assertEquals("from-second", read.get(0).value());
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void offsetsCommittedWithTheTransaction(TestBroker.Kind kind) throws Exception {
        String input = TestBroker.createTopic("txn-in-" + kind, 1);
        String output = TestBroker.createTopic("txn-out-" + kind, 1);
        String group = "java-txn-group-" + kind + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (Producer<String, String> setup = new KafkaProducer<>(TestBroker.stringProducer())) {
            for (int i = 0; i < RECORDS; i++) setup.send(new ProducerRecord<>(input, "k" + i, "in-" + i));
            setup.flush();
        }
        Properties consumerProps = consumerProperties();
        consumerProps.put("group.id", group);
        consumerProps.put("enable.auto.commit", "false");
        consumerProps.put("auto.offset.reset", "earliest");
        TopicPartition in = new TopicPartition(input, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps);
                Producer<String, String> producer = kind.create(transactional(kind, "offsets"))) {
            producer.initTransactions();
            consumer.subscribe(List.of(input));
            List<ConsumerRecord<String, String>> consumed = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (consumed.size() < RECORDS) {
                if (System.currentTimeMillis() > deadline) fail("consumed only " + consumed.size());
                consumer.poll(Duration.ofMillis(200)).forEach(consumed::add);
            }
            producer.beginTransaction();
            for (ConsumerRecord<String, String> r : consumed) {
                producer.send(new ProducerRecord<>(output, r.key(), r.value().replace("in-", "out-")));
            }
            long next = consumed.get(consumed.size() - 1).offset() + 1;
            producer.sendOffsetsToTransaction(Map.of(in, new OffsetAndMetadata(next, "kprod")),
                    consumer.groupMetadata());
            producer.commitTransaction();
        }
        Properties adminProps = new Properties();
        adminProps.put("bootstrap.servers", TestBroker.bootstrap());
        try (Admin admin = Admin.create(adminProps)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertEquals(RECORDS, committed.get(in).offset(), "the group's committed offset");
            assertEquals("kprod", committed.get(in).metadata());
        }
        List<ConsumerRecord<String, String>> read = readCommitted(output);
        assertEquals(RECORDS, read.size(), "records read_committed");
        for (int i = 0; i < RECORDS; i++) assertEquals("out-" + i, read.get(i).value());
    }

    @ParameterizedTest
    @EnumSource(TestBroker.Kind.class)
    void sendOutsideATransactionThrows(TestBroker.Kind kind) throws Exception {
        String topic = TestBroker.createTopic("txn-outside-" + kind, 1);
        try (Producer<String, String> producer = kind.create(transactional(kind, "outside"))) {
            producer.initTransactions();
            assertThrows(IllegalStateException.class, () -> producer.send(new ProducerRecord<>(topic, "k", "v")));
            producer.beginTransaction();
            // KafkaProducer 4.1.1 sometimes leaves a record sent after the refused one undelivered for
            // over 30 s (seen twice in three runs); only KprodProducer is held to delivering it here.
            if (kind == TestBroker.Kind.KPROD) {
                assertEquals(topic, producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS)
                        .topic());
            }
            producer.abortTransaction();
        }
    }

    /** The value of the producer-metrics metric of that name. */
    static double metricValue(Producer<?, ?> producer, String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics")) {
                return (Double) e.getValue().metricValue();
            }
        }
        return fail(name + " not in " + producer.metrics().keySet());
    }

    private static Properties consumerProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", TestBroker.bootstrap());
        p.put("key.deserializer", StringDeserializer.class);
        p.put("value.deserializer", StringDeserializer.class);
        p.put("isolation.level", "read_committed");
        return p;
    }

    /** Every committed record of topic, by Kafka's own consumer, partition by partition in offset order. */
    static List<ConsumerRecord<String, String>> readCommitted(String topic) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // the last stable offsets
            long deadline = System.currentTimeMillis() + 60_000;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) fail("read_committed did not reach " + end);
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        return records;
    }
}
