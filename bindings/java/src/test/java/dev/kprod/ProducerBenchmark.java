package dev.kprod;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * KafkaProducer against KprodProducer in one JVM, against the same broker and
 * topic: records/s, process CPU time per record, and Java heap allocated per
 * record (every thread's allocation counter) and GC activity. Not a test: run
 * with {@code mvn -Pbenchmark verify -DskipTests} (see bindings/java/README.md).
 *
 * <p>Environment: KPROD_BOOTSTRAP, KPROD_KAFKA_LOCAL (to create the topic),
 * KPROD_BENCH_RECORDS (default 2,000,000 per run), KPROD_BENCH_THREADS
 * (sending threads, default 1), KPROD_BENCH_ROUNDS (default 2), KPROD_BENCH_ACKS (default 1).
 */
public final class ProducerBenchmark {
    private static final int VALUE_SIZE = 100;

    private ProducerBenchmark() {}

    /**
     * Runs the benchmark and prints one line per run.
     *
     * @param args unused
     * @throws Exception when the broker or topic is not there
     */
    public static void main(String[] args) throws Exception {
        int records = Integer.parseInt(env("KPROD_BENCH_RECORDS", "2000000"));
        int threads = Integer.parseInt(env("KPROD_BENCH_THREADS", "1"));
        int rounds = Integer.parseInt(env("KPROD_BENCH_ROUNDS", "2"));
        String acks = env("KPROD_BENCH_ACKS", "1");
        String topic = TestBroker.createTopic("bench", 1);
        System.out.printf("%d records of %d B per run, %d sending thread(s), acks=%s, linger.ms=5, "
                + "batch.size=65536, 1 partition, topic %s%n", records, VALUE_SIZE, threads, acks, topic);
        System.out.printf("%-14s %12s %14s %16s %14s %8s %10s%n", "producer", "records/s", "CPU µs/record",
                "heap B/record", "heap MB total", "GCs", "GC ms");
        System.out.println("(GC ms: GarbageCollectorMXBean totals, concurrent cycles included; "
                + "pauses are in target/benchmark-gc.log)");
        for (int round = 0; round < rounds; round++) {
            for (TestBroker.Kind kind : TestBroker.Kind.values()) run(kind, topic, records, threads, acks);
        }
        measureCrossing();
    }

    /**
     * The cost of one JNI crossing as the hot path makes it (SWIG's wrapper, the
     * direct buffers' addresses, the C helper) with no work inside:
     * kprodj_send_batch with no records. Divided by the records a crossing
     * carries, it is the JNI cost per record.
     */
    private static void measureCrossing() {
        NativeLibrary.load();
        SWIGTYPE_p_kprod_conf conf = KprodNative.kprod_conf_new();
        byte[] error = new byte[256];
        KprodNative.kprod_conf_set(conf, "bootstrap.servers", TestBroker.bootstrap(), error, error.length);
        SWIGTYPE_p_kprod_producer handle = KprodNative.kprod_new(conf, error, error.length);
        java.nio.ByteBuffer records = java.nio.ByteBuffer.allocateDirect(64);
        java.nio.ByteBuffer results = java.nio.ByteBuffer.allocateDirect(64);
        int calls = 5_000_000;
        for (int round = 0; round < 2; round++) { // the first round warms up
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) KprodNative.kprodj_send_batch(handle, records, 0, 0, results);
            long elapsed = System.nanoTime() - start;
            if (round == 1) {
                System.out.printf("one JNI crossing (kprodj_send_batch of nothing): %.0f ns%n",
                        (double) elapsed / calls);
            }
        }
        KprodNative.kprod_destroy(handle);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    private static void run(TestBroker.Kind kind, String topic, int records, int threads, String acks)
            throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", TestBroker.bootstrap());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("acks", acks);
        p.put("linger.ms", "5");
        p.put("batch.size", "65536");
        if (!acks.equals("all")) p.put("enable.idempotence", "false");
        byte[] value = new byte[VALUE_SIZE];
        AtomicLong failed = new AtomicLong();
        Callback callback = (metadata, exception) -> {
            if (exception != null) failed.incrementAndGet();
        };
        try (Producer<byte[], byte[]> producer = kind.create(p)) {
            sendAll(producer, topic, value, callback, 200_000, threads); // warm-up: JIT, metadata, connections
            producer.flush();
            long[] crossingsBefore = crossings(producer);
            Snapshot before = Snapshot.take();
            long start = System.nanoTime();
            long senderAllocated = sendAll(producer, topic, value, callback, records, threads);
            producer.flush();
            long elapsed = System.nanoTime() - start;
            Snapshot after = Snapshot.take().plusAllocated(senderAllocated);
            double seconds = elapsed / 1e9;
            System.out.printf("%-14s %12.0f %14.2f %16.1f %14.1f %8d %10d%s%n", kind, records / seconds,
                    (after.cpuNanos - before.cpuNanos) / 1e3 / records,
                    (double) (after.allocatedBytes - before.allocatedBytes) / records,
                    (after.allocatedBytes - before.allocatedBytes) / 1e6, after.gcCount - before.gcCount,
                    after.gcMillis - before.gcMillis, failed.get() > 0 ? "  FAILED: " + failed.get() : "");
            long[] crossingsAfter = crossings(producer);
            if (crossingsAfter != null) {
                long sends = crossingsAfter[0] - crossingsBefore[0];
                long polls = crossingsAfter[2] - crossingsBefore[2];
                System.out.printf("%-14s JNI: %d kprodj_send_batch calls (%.0f records each, %.0f ns per record "
                        + "inside, kprod_send_batch's copy included), %d kprodj_poll_reports calls (%.0f reports "
                        + "each)%n", "", sends, (double) records / sends,
                        (double) (crossingsAfter[1] - crossingsBefore[1]) / records, polls, (double) records / polls);
            }
        }
    }

    private static long[] crossings(Producer<?, ?> producer) {
        return producer instanceof KprodProducer ? ((KprodProducer<?, ?>) producer).crossings() : null;
    }

    /** Sends records from new threads; returns what those threads allocated (gone from the totals once they end). */
    private static long sendAll(Producer<byte[], byte[]> producer, String topic, byte[] value, Callback callback,
            int records, int threads) throws InterruptedException {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicLong allocated = new AtomicLong();
        Thread[] senders = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int share = records / threads + (t < records % threads ? 1 : 0);
            senders[t] = new Thread(() -> {
                long first = bean.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < share; i++) producer.send(new ProducerRecord<>(topic, null, value), callback);
                allocated.addAndGet(bean.getCurrentThreadAllocatedBytes() - first);
            });
            senders[t].start();
        }
        for (Thread sender : senders) sender.join();
        return allocated.get();
    }

    /** The process's CPU time, every live thread's allocated bytes, and GC totals. */
    private record Snapshot(long cpuNanos, long allocatedBytes, long gcCount, long gcMillis) {
        Snapshot plusAllocated(long bytes) {
            return new Snapshot(cpuNanos, allocatedBytes + bytes, gcCount, gcMillis);
        }

        static Snapshot take() {
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long allocated = 0;
            for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
                if (bytes > 0) allocated += bytes;
            }
            long count = 0;
            long millis = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                count += Math.max(0, gc.getCollectionCount());
                millis += Math.max(0, gc.getCollectionTime());
            }
            return new Snapshot(os.getProcessCpuTime(), allocated, count, millis);
        }
    }
}
