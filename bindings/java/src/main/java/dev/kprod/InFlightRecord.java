package dev.kprod;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One record from send to its outcome: the Future that send returns, and the
 * callback to run. Completed once, on the producer's report thread (or its
 * submit thread for a record libkprod refused): the callback runs first, then
 * the future completes, as in KafkaProducer. The RecordMetadata is made only
 * when a callback or get asks for it.
 */
final class InFlightRecord implements Future<RecordMetadata> {
    private static final Logger log = LoggerFactory.getLogger(InFlightRecord.class);

    final String topic;
    /** The partition send asked for (explicit or the partitioner's), or KPROD_PARTITION_ANY. */
    final int requestedPartition;
    private final Callback callback;
    private final int keySize;
    private final int valueSize;
    /** The epoch of the flush this record belongs to; guarded by the producer's lock. */
    FlushEpoch epoch;

    // Written once before done is set, read after done is seen.
    private TopicPartition topicPartition;
    private long offset = -1;
    private long timestamp = RecordBatch.NO_TIMESTAMP;
    private RuntimeException error;
    private RecordMetadata metadata;
    private volatile boolean done;
    private volatile boolean waiting; // someone is in get(): notify on completion

    InFlightRecord(String topic, int requestedPartition, Callback callback, int keySize, int valueSize) {
        this.topic = topic;
        this.requestedPartition = requestedPartition;
        this.callback = callback;
        this.keySize = keySize;
        this.valueSize = valueSize;
    }

    /** Completes with a delivery (error == null) or a failure. Runs the callback. */
    void complete(TopicPartition topicPartition, long offset, long timestamp, RuntimeException error) {
        this.topicPartition = topicPartition;
        this.error = error;
        if (error == null) {
            this.offset = offset;
            this.timestamp = timestamp;
        }
        if (callback != null) {
            try {
                callback.onCompletion(metadata(), error);
            } catch (Throwable e) {
                // Even an Error (an assertion in a callback) must not stop the thread that
                // completes every other record.
                log.error("Error executing user-provided callback on message for topic-partition '{}':",
                        topicPartition, e);
            }
        }
        done = true;
        if (waiting) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Fails a record that never reached libkprod, on the thread that sent it. */
    static InFlightRecord failed(String topic, int partition, Callback callback, RuntimeException error) {
        InFlightRecord record = new InFlightRecord(topic, partition, callback, -1, -1);
        record.complete(new TopicPartition(topic, partition), -1, RecordBatch.NO_TIMESTAMP, error);
        return record;
    }

    private RecordMetadata metadata() {
        RecordMetadata m = metadata;
        if (m == null) {
            m = error == null
                    ? new RecordMetadata(topicPartition, offset, 0, timestamp, keySize, valueSize)
                    : new RecordMetadata(topicPartition, -1, -1, RecordBatch.NO_TIMESTAMP, -1, -1);
            metadata = m; // RecordMetadata is immutable: a race only makes an equal copy
        }
        return m;
    }

    @Override
    public RecordMetadata get() throws InterruptedException, ExecutionException {
        if (!done) {
            synchronized (this) {
                waiting = true;
                while (!done) wait();
            }
        }
        return result();
    }

    @Override
    public RecordMetadata get(long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        if (!done) {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            synchronized (this) {
                waiting = true;
                for (long left; !done && (left = deadline - System.nanoTime()) > 0; ) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            }
            if (!done) {
                throw new java.util.concurrent.TimeoutException("Timeout after waiting for "
                        + unit.toMillis(timeout) + " ms.");
            }
        }
        return result();
    }

    private RecordMetadata result() throws ExecutionException {
        if (error != null) throw new ExecutionException(error);
        return metadata();
    }

    @Override
    public boolean isDone() {
        return done;
    }

    /** As KafkaProducer's futures: a record handed over cannot be taken back. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
    }

    @Override
    public boolean isCancelled() {
        return false;
    }
}
