package dev.kprod;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.apache.kafka.common.MetricName;

/**
 * The time application threads spent blocked in KprodProducer's waiting calls,
 * as KafkaProducer's {@code KafkaProducerMetrics} counts it: {@code flush-time-ns-total},
 * {@code txn-init-time-ns-total}, {@code txn-begin-time-ns-total},
 * {@code txn-send-offsets-time-ns-total}, {@code txn-commit-time-ns-total},
 * {@code txn-abort-time-ns-total} and {@code metadata-wait-time-ns-total}
 * (partitionsFor: send never waits for metadata). Kafka Streams adds them up into
 * its thread's {@code blocked-time-ns-total}. Measured here, not in libkprod,
 * because the time is the Java caller's. Unlike KafkaProducer, a call that
 * throws counts too: its caller was blocked all the same.
 *
 * <p>Runs on: any thread.
 */
final class BlockedTimes {
    /** The calls timed, by KafkaProducerMetrics' names (before {@code -time-ns-total}). */
    enum Call {
        FLUSH("flush", "flush"),
        TXN_INIT("txn-init", "initTransactions"),
        TXN_BEGIN("txn-begin", "beginTransaction"),
        TXN_SEND_OFFSETS("txn-send-offsets", "sendOffsetsToTransaction"),
        TXN_COMMIT("txn-commit", "commitTransaction"),
        TXN_ABORT("txn-abort", "abortTransaction"),
        METADATA_WAIT("metadata-wait", null);

        final String metricName;
        final String description;

        Call(String prefix, String method) {
            metricName = prefix + "-time-ns-total";
            description = method == null ? "Total time producer has spent waiting on topic metadata in nanoseconds."
                    : "Total time producer has spent in " + method + " in nanoseconds.";
        }
    }

    private final LongAdder[] totals = new LongAdder[Call.values().length];

    BlockedTimes() {
        for (int i = 0; i < totals.length; i++) totals[i] = new LongAdder();
    }

    /** Runs call and adds the time it took, however it ends, to what's counted. */
    void time(Call what, Runnable call) {
        time(what, () -> {
            call.run();
            return null;
        });
    }

    /** As {@link #time(Call, Runnable)}, returning what call returns. */
    <T> T time(Call what, Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } finally {
            totals[what.ordinal()].add(System.nanoTime() - start);
        }
    }

    /** Adds the totals to metrics, in the group and with the tag KafkaProducer gives them. */
    void addTo(Map<MetricName, NativeQueries.KprodMetric> metrics, String clientId) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("client-id", clientId);
        for (Call c : Call.values()) {
            MetricName name = new MetricName(c.metricName, "producer-metrics", c.description, tags);
            metrics.put(name, new NativeQueries.KprodMetric(name, (double) totals[c.ordinal()].sum()));
        }
    }
}
