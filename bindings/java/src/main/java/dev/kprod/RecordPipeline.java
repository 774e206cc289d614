package dev.kprod;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;

/**
 * The way records take through the native producer, and back: sending threads
 * encode records into a {@link RecordQueue}; the submit thread hands full queues
 * to libkprod (one JNI call each); the report thread takes reports back in
 * batches and completes the records (their callbacks run there). Owns the native
 * producer: the report thread frees it once libkprod is closed and no other
 * thread is using it.
 *
 * <p>One lock guards the queue, the in-flight table, the flush epochs and the
 * counters; it is never held while calling into C or running a callback.
 */
final class RecordPipeline {
    static final String CLOSED_MESSAGE = "Cannot perform operation after producer has been closed";
    private static final int REPORT_BATCH = 4096;
    private static final int REPORT_SIZE = KprodNativeConstants.KPRODJ_REPORT_SIZE;
    static final int PURGE_ALL = KprodNativeConstants.KPROD_PURGE_QUEUED | KprodNativeConstants.KPROD_PURGE_IN_FLIGHT;

    private final String clientId;
    private final long maxBlockMs;
    private final SWIGTYPE_p_kprod_producer handle; // freed by the report thread once closed
    private final Thread submitThread;
    private final Thread reportThread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queueHasRoom = lock.newCondition();
    private final Condition submitWork = lock.newCondition();
    private final Condition progress = lock.newCondition(); // submitted, finished, destroyed
    // Guarded by lock:
    private RecordQueue queue = new RecordQueue();
    private final InFlightTable inFlight = new InFlightTable();
    private FlushEpoch currentEpoch = new FlushEpoch();
    private final ArrayDeque<FlushEpoch> sealedEpochs = new ArrayDeque<>();
    private boolean submitterIdle;
    private long enqueued;
    private long submitted;
    private int progressWaiters;
    private int handleUsers; // threads in flush/partitionsFor/metrics: the handle must outlive them
    private volatile boolean closing; // no new records (read without the lock first)
    private boolean destroyed; // the native producer is gone
    private Map<MetricName, NativeQueries.KprodMetric> finalMetrics = Collections.emptyMap();
    // The JNI crossings, for the benchmark: each written by one thread only.
    private volatile long sendBatchCalls; // submit thread
    private volatile long sendBatchNanos; // submit thread: time in kprodj_send_batch
    private volatile long pollReportsCalls; // report thread: calls that returned reports

    /** Starts the submit and report threads over handle, which this pipeline now owns. */
    RecordPipeline(SWIGTYPE_p_kprod_producer handle, String clientId, long maxBlockMs) {
        this.handle = handle;
        this.clientId = clientId;
        this.maxBlockMs = maxBlockMs;
        submitThread = new Thread(this::submitLoop, "kprod-producer-submit | " + clientId);
        reportThread = new Thread(this::reportLoop, "kprod-producer-reports | " + clientId);
        submitThread.setDaemon(true);
        reportThread.setDaemon(true);
        submitThread.start();
        reportThread.start();
    }

    boolean isClosing() {
        return closing;
    }

    /** Whether the calling thread is one of the pipeline's (a callback runs there). */
    boolean onOwnThread() {
        return Thread.currentThread() == reportThread || Thread.currentThread() == submitThread;
    }

    /**
     * Queues an encoded record (see {@link RecordQueue#append}) for entry, waiting
     * while the queue is full.
     *
     * @throws IllegalStateException once closing
     * @throws InterruptException when interrupted while waiting
     */
    void enqueue(InFlightRecord entry, int size, long timestampMs, int partition, byte[] topic, byte[] key,
            byte[] value, byte[][] headers) {
        lock.lock();
        try {
            while (!closing && !queue.fits(size)) {
                if (queue.isEmpty()) {
                    queue.growFor(size);
                    break;
                }
                queueHasRoom.await();
            }
            if (closing) throw new IllegalStateException(CLOSED_MESSAGE);
            entry.epoch = currentEpoch;
            currentEpoch.outstanding++;
            queue.append(inFlight.add(entry), timestampMs, partition, topic, key, value, headers);
            enqueued++;
            if (submitterIdle) submitWork.signal();
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        } finally {
            lock.unlock();
        }
    }

    // ----- the submit thread: queues to libkprod ----------------------------------

    private void submitLoop() {
        RecordQueue batch = new RecordQueue();
        while (true) {
            lock.lock();
            try {
                while (queue.isEmpty() && !closing) {
                    submitterIdle = true;
                    submitWork.awaitUninterruptibly();
                    submitterIdle = false;
                }
                if (queue.isEmpty()) return; // closing, and everything was handed over
                RecordQueue full = queue;
                queue = batch;
                batch = full;
                queueHasRoom.signalAll();
            } finally {
                lock.unlock();
            }
            submit(batch);
            batch.clear();
        }
    }

    /** Sends one queue; records libkprod refused get their outcome here, as no report will come. */
    private void submit(RecordQueue batch) {
        long start = System.nanoTime();
        int refused = batch.sendTo(handle);
        sendBatchNanos += System.nanoTime() - start;
        sendBatchCalls++;
        InFlightRecord[] failed = refused > 0 ? new InFlightRecord[refused] : null;
        int[] errors = refused > 0 ? new int[refused] : null;
        lock.lock();
        try {
            for (int i = 0, f = 0; refused > 0 && i < batch.count(); i++) {
                int err = batch.resultAt(i);
                if (err != kprod_err_t.KPROD_OK) {
                    errors[f] = err;
                    failed[f++] = inFlight.take(batch.tokenAt(i));
                }
            }
            submitted += batch.count();
            if (progressWaiters > 0) progress.signalAll();
        } finally {
            lock.unlock();
        }
        if (refused == 0) return;
        for (int i = 0; i < refused; i++) {
            InFlightRecord r = failed[i];
            int partition = Math.max(r.requestedPartition, RecordMetadata.UNKNOWN_PARTITION);
            r.complete(new TopicPartition(r.topic, partition), -1, -1,
                    KprodErrors.refusedSend(errors[i], r.topic, partition, maxBlockMs));
        }
        finish(failed, refused);
    }

    // ----- the report thread: outcomes back, callbacks run ----------------------

    private void reportLoop() {
        ByteBuffer reports = ByteBuffer.allocateDirect(REPORT_BATCH * REPORT_SIZE).order(ByteOrder.nativeOrder());
        InFlightRecord[] taken = new InFlightRecord[REPORT_BATCH];
        Map<String, TopicPartition[]> topicPartitions = new HashMap<>();
        try {
            for (int n; (n = KprodNative.kprodj_poll_reports(handle, reports, REPORT_BATCH, -1)) > 0; ) {
                pollReportsCalls++;
                lock.lock();
                try {
                    for (int i = 0; i < n; i++) taken[i] = inFlight.take(reports.getLong(i * REPORT_SIZE));
                } finally {
                    lock.unlock();
                }
                for (int i = 0; i < n; i++) completeFromReport(taken[i], reports, i * REPORT_SIZE, topicPartitions);
                finish(taken, n);
                Arrays.fill(taken, 0, n, null);
            }
        } finally {
            destroyWhenClosed();
        }
    }

    private void completeFromReport(InFlightRecord record, ByteBuffer reports, int at,
            Map<String, TopicPartition[]> topicPartitions) {
        long offset = reports.getLong(at + 8);
        long timestamp = reports.getLong(at + 16);
        int err = reports.getInt(at + 24);
        int partition = reports.getInt(at + 28);
        TopicPartition tp = topicPartition(topicPartitions, record.topic, partition);
        if (err == kprod_err_t.KPROD_OK) {
            record.complete(tp, offset, timestamp, null);
        } else {
            record.complete(tp, -1, -1, KprodErrors.failedDelivery(err, reports.getInt(at + 32),
                    reports.getInt(at + 36), record.topic, partition));
        }
    }

    /** One TopicPartition per partition, made once (the report thread's own cache). */
    private static TopicPartition topicPartition(Map<String, TopicPartition[]> cache, String topic, int partition) {
        if (partition < 0) return new TopicPartition(topic, partition);
        TopicPartition[] partitions = cache.get(topic);
        if (partitions == null || partitions.length <= partition) {
            partitions = partitions == null ? new TopicPartition[partition + 1]
                    : Arrays.copyOf(partitions, partition + 1);
            cache.put(topic, partitions);
        }
        TopicPartition tp = partitions[partition];
        if (tp == null) partitions[partition] = tp = new TopicPartition(topic, partition);
        return tp;
    }

    /** Counts records whose callbacks have run, waking flush and close. */
    private void finish(InFlightRecord[] records, int n) {
        lock.lock();
        try {
            for (int i = 0; i < n; i++) records[i].epoch.outstanding--;
            if (progressWaiters > 0) progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Runs on the report thread once libkprod says no report will come again. */
    private void destroyWhenClosed() {
        if (Thread.currentThread() != submitThread) joinQuietly(submitThread);
        lock.lock();
        try {
            while (handleUsers > 0) progress.awaitUninterruptibly();
            finalMetrics = NativeQueries.metrics(handle, clientId);
            KprodNative.kprod_destroy(handle);
            destroyed = true;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ----- flush, close, and what needs the native producer ----------------------

    /**
     * Hands everything queued to libkprod, flushes it and waits until every record
     * enqueued before this call has finished (its callback has run).
     */
    void flush() {
        FlushEpoch mine;
        lock.lock();
        try {
            if (destroyed) return;
            mine = currentEpoch;
            currentEpoch = new FlushEpoch();
            sealedEpochs.addLast(mine);
            long target = enqueued;
            if (submitterIdle) submitWork.signal();
            awaitProgress(() -> submitted >= target || destroyed);
            if (destroyed) return;
            handleUsers++;
        } finally {
            lock.unlock();
        }
        try {
            KprodNative.kprod_flush(handle, -1);
        } finally {
            releaseHandle();
        }
        lock.lock();
        try {
            awaitProgress(() -> epochsDone(mine));
            while (!sealedEpochs.isEmpty() && sealedEpochs.peekFirst().outstanding == 0) sealedEpochs.removeFirst();
        } finally {
            lock.unlock();
        }
    }

    /** Whether every record of epoch and of the epochs before it has finished. Lock held. */
    private boolean epochsDone(FlushEpoch epoch) {
        for (FlushEpoch e : sealedEpochs) {
            if (e.outstanding > 0) return false;
            if (e == epoch) return true;
        }
        return true;
    }

    private interface LockedCondition {
        boolean holds();
    }

    /** Waits on progress until condition holds. Lock held. */
    private void awaitProgress(LockedCondition condition) {
        progressWaiters++;
        try {
            while (!condition.holds()) progress.await();
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        } finally {
            progressWaiters--;
        }
    }

    private void acquireHandle() {
        lock.lock();
        try {
            if (destroyed) throw new IllegalStateException(CLOSED_MESSAGE);
            handleUsers++;
        } finally {
            lock.unlock();
        }
    }

    private void releaseHandle() {
        lock.lock();
        try {
            if (--handleUsers == 0) progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * kprod_purge with flags. With KPROD_PURGE_QUEUED, every record enqueued
     * before the call is first handed to libkprod, so that it is purged too
     * (except when called on the submit thread, from a refused record's callback).
     * The purged records complete with {@link RecordPurgedException}.
     *
     * @throws IllegalStateException once closing
     * @throws InterruptException when interrupted while waiting for the submit thread
     */
    void purge(int flags) {
        lock.lock();
        try {
            if (closing || destroyed) throw new IllegalStateException(CLOSED_MESSAGE);
            // From a callback on the submit thread, what it has not handed over yet stays queued.
            boolean queued = (flags & KprodNativeConstants.KPROD_PURGE_QUEUED) != 0;
            if (queued && Thread.currentThread() != submitThread) awaitSubmission();
            handleUsers++;
        } finally {
            lock.unlock();
        }
        int err;
        try {
            err = KprodNative.kprod_purge(handle, flags);
        } finally {
            releaseHandle();
        }
        if (err == kprod_err_t.KPROD_ERR_CLOSED) throw new IllegalStateException(CLOSED_MESSAGE);
        if (err != kprod_err_t.KPROD_OK) throw new IllegalArgumentException("purge: " + KprodNative.kprod_err_str(err));
    }

    /**
     * Waits until every record enqueued so far has been handed to libkprod. Lock held.
     *
     * @throws IllegalStateException when the native producer is gone meanwhile
     */
    private void awaitSubmission() {
        long target = enqueued;
        if (submitterIdle) submitWork.signal();
        awaitProgress(() -> submitted >= target || destroyed);
        if (destroyed) throw new IllegalStateException(CLOSED_MESSAGE);
    }

    /**
     * Refuses new records, hands what is queued to libkprod (until deadline, in
     * epoch ms; Long.MAX_VALUE: no limit) and closes it with what is left of the
     * time; with purgeFirst, purges what libkprod holds (queued and in flight)
     * before closing, as KafkaProducer's close with a zero timeout aborts its
     * incomplete batches. Returns false when another call closed first.
     */
    boolean close(long deadline, boolean purgeFirst) {
        lock.lock();
        try {
            if (closing) return false;
            closing = true;
            submitWork.signal();
            queueHasRoom.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != submitThread) joinUntil(submitThread, deadline);
        long left = deadline == Long.MAX_VALUE ? -1 : Math.max(0, deadline - System.currentTimeMillis());
        // The handle lives until the report thread sees kprod_close return.
        if (purgeFirst) KprodNative.kprod_purge(handle, PURGE_ALL);
        KprodNative.kprod_close(handle, left > Integer.MAX_VALUE ? -1 : (int) left);
        return true;
    }

    /** Waits until the report thread has freed the native producer (never from a callback). */
    void awaitDestroyed() {
        lock.lock();
        try {
            awaitProgress(() -> destroyed);
        } finally {
            lock.unlock();
        }
        joinQuietly(reportThread);
    }

    private static void joinUntil(Thread thread, long deadline) {
        try {
            if (deadline == Long.MAX_VALUE) {
                thread.join();
            } else {
                thread.join(Math.max(1, deadline - System.currentTimeMillis()));
            }
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        }
    }

    private static void joinQuietly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** A call on the native producer, returning a kprod_err_t. */
    interface NativeCall {
        int call(SWIGTYPE_p_kprod_producer handle);
    }

    /**
     * Runs call on the native producer (a transactional call that ends nothing).
     *
     * @throws IllegalStateException once the native producer is gone
     */
    int callNative(NativeCall call) {
        acquireHandle();
        try {
            return call.call(handle);
        } finally {
            releaseHandle();
        }
    }

    /**
     * Runs call (commit or abort) after handing every record enqueued before it
     * to libkprod, so that they belong to the transaction it ends; when call
     * succeeds, waits until their callbacks have run, as KafkaProducer runs
     * them before commitTransaction and abortTransaction return.
     *
     * @throws IllegalStateException once the native producer is gone
     * @throws InterruptException when interrupted while waiting
     */
    int endTransaction(NativeCall call) {
        FlushEpoch mine;
        lock.lock();
        try {
            if (destroyed) throw new IllegalStateException(CLOSED_MESSAGE);
            mine = currentEpoch;
            currentEpoch = new FlushEpoch();
            sealedEpochs.addLast(mine);
            awaitSubmission();
            handleUsers++;
        } finally {
            lock.unlock();
        }
        int err;
        try {
            err = call.call(handle);
        } finally {
            releaseHandle();
        }
        if (err != kprod_err_t.KPROD_OK) return err;
        lock.lock();
        try {
            awaitProgress(() -> epochsDone(mine));
            while (!sealedEpochs.isEmpty() && sealedEpochs.peekFirst().outstanding == 0) sealedEpochs.removeFirst();
        } finally {
            lock.unlock();
        }
        return err;
    }

    List<PartitionInfo> partitionsFor(String topic) {
        acquireHandle();
        try {
            return NativeQueries.partitionsFor(handle, topic, maxBlockMs);
        } finally {
            releaseHandle();
        }
    }

    /** The metrics now; after the native producer is gone, its last values. */
    Map<MetricName, NativeQueries.KprodMetric> metrics() {
        lock.lock();
        try {
            if (destroyed) return finalMetrics;
            handleUsers++;
        } finally {
            lock.unlock();
        }
        try {
            return Collections.unmodifiableMap(NativeQueries.metrics(handle, clientId));
        } finally {
            releaseHandle();
        }
    }

    /** JNI crossings so far: kprodj_send_batch calls, nanoseconds spent in them, kprodj_poll_reports calls. */
    long[] crossings() {
        return new long[] {sendBatchCalls, sendBatchNanos, pollReportsCalls};
    }
}
