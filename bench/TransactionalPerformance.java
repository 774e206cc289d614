// bench/TransactionalPerformance.java: the Java producer's side of bench/run's transactional
// scenario (issue 25), as kprod-perf and rdkafka-perf run it with --transaction-records.
// Kafka's ProducerPerformance has --transactional-id, but it commits by time
// (--transaction-duration-ms) and does not time the commits; this does what the native tools
// do: initTransactions once, then beginTransaction, N sends, commitTransaction, each commit
// timed from its call to its return, and prints their lines:
//
//   N records sent, X records/sec (Y MB/sec), ... (ProducerPerformance's summary, whole ms)
//   Latency in microseconds: P 50th, P 95th, P 99th, P 99.9th, M max.
//   Transactions: C committed, F failed, R records each, init_transactions X ms. Commit
//   latency in microseconds: A avg, P 50th, P 95th, P 99th, M max.
//
// Records are ProducerPerformance's: --record-size random letters A-Z drawn for every record,
// no key, ByteArraySerializer; latency from just before send() to the callback (on the
// producer's I/O thread), every (N / 500,000)-th record sampled. Elapsed time runs from the
// first send until the producer is closed; initTransactions comes before it.
//
// bench/run compiles it once with javac (the source launcher would compile it in the measured
// process) and runs it with ProducerPerformance's JVM options:
//   java -cp DIR:KAFKA_CLASSPATH TransactionalPerformance --topic T --num-records N
//        --record-size B --throughput -1 --producer-props k=v ... --transactional-id ID
//        --transaction-records R
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class TransactionalPerformance {
    static final long REPORTING_INTERVAL_MS = 5000; // ProducerPerformance.Stats
    static final int MAX_LATENCY_SAMPLES = 500_000;

    public static void main(String[] args) throws Exception {
        String topic = null, transactionalId = null;
        long numRecords = -1, transactionRecords = -1;
        int size = -1;
        Properties props = new Properties();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--topic" -> topic = args[++i];
                case "--num-records" -> numRecords = Long.parseLong(args[++i]);
                case "--record-size" -> size = Integer.parseInt(args[++i]);
                case "--throughput" -> {
                    if (Double.parseDouble(args[++i]) >= 0) usage("only --throughput -1");
                }
                case "--transactional-id" -> transactionalId = args[++i];
                case "--transaction-records" -> transactionRecords = Long.parseLong(args[++i]);
                case "--producer-props" -> {
                    while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        String property = args[++i];
                        int equals = property.indexOf('=');
                        if (equals <= 0) usage("invalid property " + property);
                        props.put(property.substring(0, equals), property.substring(equals + 1));
                    }
                }
                default -> usage("unknown option " + args[i]);
            }
        }
        final int recordSize = size;
        if (topic == null || numRecords <= 0 || recordSize <= 0 || transactionRecords <= 0)
            usage("--topic, --num-records, --record-size and --transaction-records are required");
        if (transactionalId != null) props.put("transactional.id", transactionalId);
        if (!props.containsKey("transactional.id")) usage("no transactional.id");
        props.putIfAbsent("client.id", "perf-producer-client");
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());

        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        Transactions transactions = new Transactions(producer, transactionRecords);
        transactions.init();

        Random random = new Random(0);
        byte[] payload = new byte[recordSize];
        long startNs = System.nanoTime();
        Stats stats = new Stats(numRecords, startNs);
        transactions.begin();
        for (long i = 0; i < numRecords; i++) {
            for (int j = 0; j < payload.length; ++j) payload[j] = (byte) (random.nextInt(26) + 65);
            long sendStartNs = System.nanoTime();
            // send() copies the value into its batch before it returns: payload can be reused.
            producer.send(new ProducerRecord<>(topic, payload), (metadata, exception) -> {
                if (exception != null) {
                    stats.failed(exception);
                } else {
                    long now = System.nanoTime();
                    stats.record((now - sendStartNs) / 1000, recordSize, now);
                }
            });
            transactions.afterSend(i + 1 == numRecords);
        }
        producer.close();
        stats.printTotal(System.nanoTime());
        transactions.print();
        if (stats.failures > 0 || transactions.failed > 0) {
            System.err.printf("TransactionalPerformance: %d deliveries failed, %d commits failed%n",
                              stats.failures, transactions.failed);
            System.exit(1);
        }
    }

    static void usage(String problem) {
        System.err.println("TransactionalPerformance: " + problem);
        System.err.println("usage: TransactionalPerformance --topic T --num-records N "
                           + "--record-size B --throughput -1 --producer-props k=v ... "
                           + "[--transactional-id ID] --transaction-records R");
        System.exit(2);
    }

    // kprod-perf's tools/perf_transactions.h with KafkaProducer's calls. Main thread only.
    static final class Transactions {
        final KafkaProducer<byte[], byte[]> producer;
        final long recordsEach;
        final List<Long> commitLatenciesUs = new ArrayList<>();
        long inTransaction, failed, initUs;

        Transactions(KafkaProducer<byte[], byte[]> producer, long recordsEach) {
            this.producer = producer;
            this.recordsEach = recordsEach;
        }

        void init() {
            long start = System.nanoTime();
            producer.initTransactions();
            initUs = (System.nanoTime() - start) / 1000;
        }

        void begin() {
            producer.beginTransaction();
            inTransaction = 0;
        }

        void afterSend(boolean last) {
            if (++inTransaction < recordsEach && !last) return;
            commit();
            if (!last) begin();
        }

        // A commit that times out may be called again for the same outcome: the time counted
        // runs from the first call to the last return.
        void commit() {
            long start = System.nanoTime();
            for (;;) {
                try {
                    producer.commitTransaction();
                    commitLatenciesUs.add((System.nanoTime() - start) / 1000);
                    return;
                } catch (TimeoutException retriable) {
                    continue;
                } catch (ProducerFencedException | OutOfOrderSequenceException
                         | AuthorizationException fatal) {
                    throw fatal;
                } catch (KafkaException abortable) {
                    if (failed++ < 10)
                        System.err.println("TransactionalPerformance: commit failed, aborting: "
                                           + abortable);
                    producer.abortTransaction();
                    return;
                }
            }
        }

        void print() {
            long[] sorted = commitLatenciesUs.stream().mapToLong(Long::longValue).sorted().toArray();
            int n = sorted.length;
            double average = n == 0 ? 0 : Arrays.stream(sorted).sum() / (double) n;
            System.out.printf("Transactions: %d committed, %d failed, %d records each, "
                              + "init_transactions %d ms. Commit latency in microseconds: "
                              + "%.0f avg, %d 50th, %d 95th, %d 99th, %d max.%n",
                              n, failed, recordsEach, initUs / 1000, average, at(sorted, 0.5),
                              at(sorted, 0.95), at(sorted, 0.99), n == 0 ? 0 : sorted[n - 1]);
        }
    }

    static long at(long[] sorted, double fraction) {
        return sorted.length == 0 ? 0 : sorted[(int) (fraction * sorted.length)];
    }

    // ProducerPerformance.Stats, in microseconds. Fed on the producer's I/O thread; read by the
    // main thread after close() (which joins that thread).
    static final class Stats {
        final long startNs;
        final int sampling;
        final int[] latenciesUs;
        int samples;
        long iteration, count, bytes, totalLatencyUs, maxLatencyUs, failures;
        long windowStartNs, windowCount, windowBytes, windowTotalLatencyUs, windowMaxLatencyUs;

        Stats(long numRecords, long startNs) {
            this.startNs = startNs;
            this.windowStartNs = startNs;
            this.sampling = (int) (numRecords / Math.min(numRecords, MAX_LATENCY_SAMPLES));
            this.latenciesUs = new int[(int) (numRecords / sampling) + 1];
        }

        void record(long latencyUs, int size, long now) {
            count++;
            bytes += size;
            totalLatencyUs += latencyUs;
            maxLatencyUs = Math.max(maxLatencyUs, latencyUs);
            windowCount++;
            windowBytes += size;
            windowTotalLatencyUs += latencyUs;
            windowMaxLatencyUs = Math.max(windowMaxLatencyUs, latencyUs);
            if (iteration % sampling == 0) latenciesUs[samples++] = (int) latencyUs;
            iteration++;
            if (now - windowStartNs >= REPORTING_INTERVAL_MS * 1_000_000) {
                double elapsedMs = (now - windowStartNs) / 1e6;
                System.out.printf("%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg "
                                  + "latency, %.1f ms max latency.%n",
                                  windowCount, 1000.0 * windowCount / elapsedMs,
                                  1000.0 * windowBytes / elapsedMs / (1024.0 * 1024.0),
                                  windowTotalLatencyUs / 1000.0 / windowCount,
                                  (double) (windowMaxLatencyUs / 1000));
                windowStartNs = now;
                windowCount = windowBytes = windowTotalLatencyUs = windowMaxLatencyUs = 0;
            }
        }

        void failed(Exception exception) {
            if (failures++ < 10)
                System.err.println("TransactionalPerformance: delivery failed: " + exception);
        }

        void printTotal(long now) {
            double elapsedMs = (now - startNs) / 1e6;
            int[] sorted = Arrays.copyOf(latenciesUs, samples);
            Arrays.sort(sorted);
            long p50 = percentile(sorted, 0.5), p95 = percentile(sorted, 0.95),
                 p99 = percentile(sorted, 0.99), p999 = percentile(sorted, 0.999);
            System.out.printf("%d records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, "
                              + "%.2f ms max latency, %d ms 50th, %d ms 95th, %d ms 99th, "
                              + "%d ms 99.9th.%n",
                              count, 1000.0 * count / elapsedMs,
                              1000.0 * bytes / elapsedMs / (1024.0 * 1024.0),
                              count == 0 ? 0.0 : totalLatencyUs / 1000.0 / count,
                              (double) (maxLatencyUs / 1000), p50 / 1000, p95 / 1000, p99 / 1000,
                              p999 / 1000);
            System.out.printf("Latency in microseconds: %d 50th, %d 95th, %d 99th, %d 99.9th, "
                              + "%d max.%n", p50, p95, p99, p999, maxLatencyUs);
        }

        static long percentile(int[] sorted, double fraction) {
            return sorted.length == 0 ? 0 : sorted[(int) (fraction * sorted.length)];
        }
    }
}
