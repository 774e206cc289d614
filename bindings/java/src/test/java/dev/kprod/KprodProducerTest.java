package dev.kprod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** What is kprod's own: its stricter configuration, headers, loading. */
class KprodProducerTest {

    @Test
    void aMisspelledPropertyIsRefusedWithTheRightName() {
        Properties p = TestBroker.stringProducer();
        p.put("lniger.ms", "10");
        ConfigException e = assertThrows(ConfigException.class, () -> new KprodProducer<String, String>(p));
        assertTrue(e.getMessage().contains("did you mean \"linger.ms\""), e.getMessage());
    }

    @Test
    void javaFeaturesKprodLacksAreRefused() {
        for (String[] property : new String[][] {
                {"transaction.two.phase.commit.enable", "true"}}) {
            Properties p = TestBroker.stringProducer();
            p.put(property[0], property[1]);
            ConfigException e = assertThrows(ConfigException.class, () -> new KprodProducer<String, String>(p));
            assertTrue(e.getMessage().contains(property[0]), e.getMessage());
        }
    }

    /** Captures the configuration it is given, as a schema-registry serializer reads its URL. */
    public static final class ConfiguredSerializer extends StringSerializer {
        static final AtomicReference<Map<String, ?>> CONFIGS = new AtomicReference<>();

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            CONFIGS.set(configs);
            super.configure(configs, isKey);
        }
    }

    @Test
    void propertiesNoProducerKnowsGoToTheSerializers() {
        Properties p = TestBroker.stringProducer();
        p.put("value.serializer", ConfiguredSerializer.class.getName());
        p.put("schema.registry.url", "http://127.0.0.1:8081");
        p.put("metric.reporters", ""); // monitoring-only: ignored
        KprodProducer<String, String> producer = new KprodProducer<>(p);
        producer.close();
        assertEquals("http://127.0.0.1:8081", ConfiguredSerializer.CONFIGS.get().get("schema.registry.url"));
    }

    @Test
    void transactionalMethodsNeedATransactionalId() {
        try (KprodProducer<String, String> producer = new KprodProducer<>(TestBroker.stringProducer())) {
            for (Runnable call : new Runnable[] {producer::initTransactions, producer::beginTransaction,
                    producer::commitTransaction, producer::abortTransaction,
                    () -> producer.sendOffsetsToTransaction(Map.of(), new ConsumerGroupMetadata("group"))}) {
                assertThrows(IllegalStateException.class, call::run); // as KafkaProducer
            }
        }
    }

    @Test
    void headersTimestampsAndPartitionsArriveAsSent() throws Exception {
        String topic = TestBroker.createTopic("headers", 2);
        try (KprodProducer<String, String> producer = new KprodProducer<>(TestBroker.stringProducer())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, 1, 1_700_000_000_123L, null, "v",
                    java.util.List.of(new RecordHeader("h1", "x".getBytes()), new RecordHeader("h2", null)));
            var metadata = producer.send(record).get(30, TimeUnit.SECONDS);
            assertEquals(1, metadata.partition());
            assertEquals(1_700_000_000_123L, metadata.timestamp());
            assertEquals(-1, metadata.serializedKeySize());
        }
        var consumed = TestBroker.readBack(topic);
        assertEquals(1, consumed.size());
        assertEquals(1, consumed.get(0).partition());
    }

    @Test
    void closeFromACallbackDoesNotWaitForItself() throws Exception {
        String topic = TestBroker.createTopic("close-in-callback", 1);
        KprodProducer<String, String> producer = new KprodProducer<>(TestBroker.stringProducer());
        CountDownLatch closed = new CountDownLatch(1);
        producer.send(new ProducerRecord<>(topic, "k", "v"), (m, e) -> {
            producer.close(Duration.ofSeconds(10));
            closed.countDown();
        });
        assertTrue(closed.await(30, TimeUnit.SECONDS), "close in a callback returned");
        producer.close(); // waits for the report thread to finish the close
        assertThrows(IllegalStateException.class, () -> producer.send(new ProducerRecord<>(topic, "k", "v")));
        assertNotNull(producer.metrics()); // the last values stay readable
    }

    @Test
    void futuresWaitAcrossThreads() throws Exception {
        String topic = TestBroker.createTopic("waiters", 1);
        Properties p = TestBroker.stringProducer();
        p.put("linger.ms", "200");
        try (KprodProducer<String, String> producer = new KprodProducer<>(p)) {
            var future = producer.send(new ProducerRecord<>(topic, "k", "v"));
            AtomicInteger woke = new AtomicInteger();
            Thread[] waiters = new Thread[4];
            for (int i = 0; i < waiters.length; i++) {
                waiters[i] = new Thread(() -> {
                    try {
                        if (future.get().offset() == 0) woke.incrementAndGet();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                waiters[i].start();
            }
            for (Thread t : waiters) t.join(30_000);
            assertEquals(waiters.length, woke.get());
        }
    }

    @Test
    void aMissingLibrarySaysWhatToInstall() throws Exception {
        Process probe = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), "-Dkprod.jni.use.systemlib=true",
                "-Djava.library.path=/nonexistent", LoaderProbe.class.getName()).redirectErrorStream(true).start();
        String output = new String(probe.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, probe.waitFor());
        // The jar carries a library: the message says the property asked for the system's.
        assertTrue(output.contains("-Dkprod.jni.use.systemlib=true asks for the system's libkprod_jni.so, which is "
                + "not on java.library.path (/nonexistent)"), output);
        assertTrue(output.contains("Install kprod's Java package"), output);
    }

    @Test
    void theJarCarriesTheNativeLibraryForThisPlatform() {
        assertEquals("linux-x86_64", NativeLibrary.platform());
        assertNotNull(KprodProducer.class.getResource("/linux-x86_64/libkprod_jni.so"));
        NativeLibrary.load();
        assertTrue(KprodNative.kprod_version_str().matches("\\d+\\.\\d+\\.\\d+"));
    }

    @Test
    void errorNamesComeFromLibkprod() {
        NativeLibrary.load();
        assertEquals("KPROD_ERR_QUEUE_FULL", KprodNative.kprod_err_name(kprod_err_t.KPROD_ERR_QUEUE_FULL));
        assertEquals("NOT_LEADER_OR_FOLLOWER", KprodNative.kprod_broker_error_name((short) 6));
        assertNull(KprodNative.kprod_broker_error_name((short) 1000));
    }
}
