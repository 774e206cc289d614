package dev.kprod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The real broker the tests run against (scripts/test starts it): KPROD_BOOTSTRAP
 * names it, KPROD_KAFKA_LOCAL creates topics on it, and kcat, a consumer this
 * project did not write, reads back what was produced.
 */
final class TestBroker {
    private static final AtomicInteger TOPIC_SEQUENCE = new AtomicInteger();

    private TestBroker() {}

    /** The two producers every drop-in test runs with. */
    enum Kind {
        KAFKA, KPROD;

        <K, V> Producer<K, V> create(Properties properties) {
            return this == KAFKA ? new KafkaProducer<>(properties) : new KprodProducer<>(properties);
        }
    }

    static String bootstrap() {
        String bootstrap = System.getenv("KPROD_BOOTSTRAP");
        if (bootstrap == null || bootstrap.isEmpty()) {
            fail("KPROD_BOOTSTRAP is not set: start a broker (scripts/kafka-local start) and export "
                    + "KPROD_BOOTSTRAP=127.0.0.1:9092 and KPROD_KAFKA_LOCAL=<repo>/scripts/kafka-local, "
                    + "or run scripts/test");
        }
        return bootstrap;
    }

    /** Properties for a producer of String keys and values against the test broker. */
    static Properties stringProducer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class);
        p.put("linger.ms", "5");
        return p;
    }

    /** Creates a new topic with a unique name and returns the name. */
    static String createTopic(String prefix, int partitions) throws Exception {
        String topic = "java-" + prefix + "-" + ProcessHandle.current().pid() + "-" + TOPIC_SEQUENCE.incrementAndGet();
        String kafkaLocal = System.getenv("KPROD_KAFKA_LOCAL");
        if (kafkaLocal == null || kafkaLocal.isEmpty()) fail("KPROD_KAFKA_LOCAL is not set (see bootstrap())");
        Result r = run(List.of(kafkaLocal, "create-topic", topic, Integer.toString(partitions)), 120);
        assertEquals(0, r.status, "create-topic " + topic + " failed:\n" + r.output);
        return topic;
    }

    /** One record as kcat read it. */
    record Consumed(int partition, long offset, String key, String value) {}

    /** Every record of topic, read by kcat from the beginning to the end. */
    static List<Consumed> readBack(String topic) throws Exception {
        Result r = run(List.of("kcat", "-C", "-b", bootstrap(), "-t", topic, "-o", "beginning", "-e", "-q",
                "-f", "%p\t%o\t%k\t%s\n"), 300);
        assertEquals(0, r.status, "kcat failed:\n" + r.output);
        List<Consumed> records = new ArrayList<>();
        for (String line : r.output.split("\n")) {
            if (line.isEmpty()) continue;
            String[] f = line.split("\t", 4);
            records.add(new Consumed(Integer.parseInt(f[0]), Long.parseLong(f[1]), f[2], f[3]));
        }
        return records;
    }

    /** One record's partition, key and headers ("name=value,..." as kcat prints them), read by kcat. */
    record ConsumedHeaders(int partition, String key, String headers) {}

    /** Every record of topic with its headers, read by kcat from the beginning to the end. */
    static List<ConsumedHeaders> readBackHeaders(String topic) throws Exception {
        Result r = run(List.of("kcat", "-C", "-b", bootstrap(), "-t", topic, "-o", "beginning", "-e", "-q",
                "-f", "%p\t%k\t%h\n"), 300);
        assertEquals(0, r.status, "kcat failed:\n" + r.output);
        List<ConsumedHeaders> records = new ArrayList<>();
        for (String line : r.output.split("\n")) {
            if (line.isEmpty()) continue;
            String[] f = line.split("\t", 3);
            records.add(new ConsumedHeaders(Integer.parseInt(f[0]), f[1], f.length > 2 ? f[2] : ""));
        }
        return records;
    }

    private record Result(int status, String output) {}

    private static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(command + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
