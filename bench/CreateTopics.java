// bench/CreateTopics.java: bench/run's topic maker. Creates every topic of a round in one
// Admin call (TopicCommand starts a JVM per topic: minutes for scenario 6's 100 topics),
// then waits until the broker answers ListOffsets for every partition: a wide topic's
// CreateTopics returns at once while the broker goes on creating its partitions' logs
// (about 20 s for 5,000 partitions here), and a run must not measure that.
// Usage: java -cp KAFKA_CLASSPATH bench/CreateTopics.java BOOTSTRAP NAME:PARTITIONS ...
// A topic that exists already is left as it is (as TopicCommand --if-not-exists).
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

public class CreateTopics {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: CreateTopics BOOTSTRAP NAME:PARTITIONS ...");
            System.exit(2);
        }
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("default.api.timeout.ms", "300000"); // retries until every partition answers
        List<NewTopic> topics = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            int colon = args[i].lastIndexOf(':');
            topics.add(new NewTopic(args[i].substring(0, colon),
                                    Integer.parseInt(args[i].substring(colon + 1)), (short) 1));
        }
        long start = System.nanoTime();
        try (Admin admin = Admin.create(props)) {
            for (Map.Entry<String, KafkaFuture<Void>> created :
                 admin.createTopics(topics).values().entrySet()) {
                try {
                    created.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
            }
            long createdAt = System.nanoTime();
            Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
            for (NewTopic topic : topics)
                for (int p = 0; p < topic.numPartitions(); p++)
                    partitions.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
            waitUntilLed(admin, partitions, start + 300_000_000_000L);
            long readyAt = System.nanoTime();
            System.out.printf("created %d topics, %d partitions: %.1f s, every partition led "
                                  + "after %.1f s%n",
                              topics.size(), partitions.size(), (createdAt - start) / 1e9,
                              (readyAt - start) / 1e9);
        }
    }

    // The Admin client retries a partition that its leader does not host yet, but gives up
    // at once on a topic missing from the metadata it asked, which a busy broker (deleting
    // the last round's topics) answers for a moment after CreateTopics: ask again.
    static void waitUntilLed(Admin admin, Map<TopicPartition, OffsetSpec> partitions,
                             long deadlineNanos) throws Exception {
        while (true) {
            try {
                admin.listOffsets(partitions).all().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)
                    || System.nanoTime() > deadlineNanos) throw e;
                Thread.sleep(500);
            }
        }
    }
}
