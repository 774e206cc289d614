// What the Java producer does in a kfake-broker scenario: the same 4,000 records,
// settings and read-back as test_kfake_errors.cpp, with Kafka's KafkaProducer in
// place of kprod. Not a test (it checks nothing): a reference to compare with
// when a kfake test fails. Run by hand, with Kafka's jars:
//   java -cp "$(scripts/kafka-local classpath)" tests/kfake/JavaReference.java \
//       build/tests/kfake/kfake-broker SCENARIO
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

public class JavaReference {
    static final int PARTITIONS = 4, PER_PARTITION = 1000, TOTAL = PARTITIONS * PER_PARTITION;

    public static void main(String[] args) throws Exception {
        String topic = "kfake-" + args[1];
        Process broker = new ProcessBuilder(args[0], "-scenario=" + args[1], "-topic=" + topic,
                "-partitions=" + PARTITIONS).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader brokerOut = new BufferedReader(
                new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
        String ready = brokerOut.readLine();
        if (ready == null || !ready.startsWith("ready ")) throw new IllegalStateException("kfake-broker: " + ready);
        String bootstrap = ready.substring(6);

        String[] outcomes = produce(bootstrap, topic);
        Map<String, Integer> byOutcome = new TreeMap<>();
        for (int id = 0; id < TOTAL; ++id) {
            String outcome = outcomes[id] == null ? "no report" : outcomes[id];
            byOutcome.merge(outcome, 1, Integer::sum);
        }
        System.out.println("java reports: " + byOutcome);
        System.out.println("kcat: " + readBack(bootstrap, topic));

        broker.getOutputStream().close();
        for (String line; (line = brokerOut.readLine()) != null; ) System.out.println(line);
        broker.waitFor();
    }

    static String[] produce(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("max.in.flight.requests.per.connection", "5");
        p.put("linger.ms", "1");
        p.put("batch.size", "1024");
        p.put("retry.backoff.ms", "10");
        p.put("retry.backoff.max.ms", "100");
        p.put("request.timeout.ms", "5000");
        p.put("delivery.timeout.ms", "15000");
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        String[] outcomes = new String[TOTAL];
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int counter = 0; counter < PER_PARTITION; ++counter) {
                for (int partition = 0; partition < PARTITIONS; ++partition) {
                    final int id = partition * PER_PARTITION + counter;
                    String value = "record " + id + " " + "x".repeat(40);
                    producer.send(new ProducerRecord<>(topic, partition, partition + ":" + counter, value),
                            (metadata, e) -> {
                                synchronized (outcomes) {
                                    outcomes[id] = outcomes[id] != null ? "reported twice"
                                            : e == null ? "success"
                                            : e.getClass().getSimpleName() + " on partition " + (id / PER_PARTITION);
                                }
                            });
                }
            }
            producer.flush();
        }
        return outcomes;
    }

    // Counts what kcat reads: records, keys read more than once, partitions out of order.
    static String readBack(String bootstrap, String topic) throws Exception {
        Process kcat = new ProcessBuilder("kcat", "-C", "-b", bootstrap, "-t", topic, "-e", "-q",
                "-f", "%p\t%k\n").start();
        BufferedReader in = new BufferedReader(new InputStreamReader(kcat.getInputStream(), StandardCharsets.UTF_8));
        Map<String, Integer> seen = new HashMap<>();
        int[] last = {-1, -1, -1, -1};
        int records = 0, duplicates = 0, outOfOrder = 0;
        for (String line; (line = in.readLine()) != null; ) {
            String[] fields = line.split("\t");
            int partition = Integer.parseInt(fields[0]);
            int counter = Integer.parseInt(fields[1].split(":")[1]);
            ++records;
            if (seen.merge(fields[1], 1, Integer::sum) > 1) ++duplicates;
            if (counter <= last[partition]) ++outOfOrder;
            last[partition] = counter;
        }
        kcat.waitFor();
        return records + " records, " + duplicates + " read twice, " + outOfOrder + " out of order, "
                + (TOTAL - seen.size()) + " missing";
    }
}
