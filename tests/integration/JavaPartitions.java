// Prints, for each key read from standard input (one per line, UTF-8), the
// partition the Java producer's built-in partitioner gives it:
// toPositive(murmur2(key)) % partitions. Run with Kafka's jars:
//   java -cp "$(scripts/kafka-local classpath)" tests/integration/JavaPartitions.java 6
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

public class JavaPartitions {
    public static void main(String[] args) throws Exception {
        int partitions = Integer.parseInt(args[0]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String key; (key = in.readLine()) != null; ) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            out.append(Utils.toPositive(Utils.murmur2(bytes)) % partitions).append('\n');
        }
        System.out.print(out);
    }
}
