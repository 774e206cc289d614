package dev.kprod;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka producer backed by kprod, behind Kafka's own {@link Producer}
 * interface: replace {@code new KafkaProducer<>(props)} with
 * {@code new KprodProducer<>(props)} and nothing else changes. The same
 * properties (the Java producer's names, checked by kprod), the same
 * {@link Serializer}s, {@link Future}s and {@link Callback}s, and exceptions of
 * the same classes ({@code ConfigException}, {@code TimeoutException},
 * {@code RecordTooLargeException}, {@code SerializationException}, ...).
 *
 * <p>{@code send} serializes the record on the calling thread and copies it
 * into a queue in native memory; a producer-owned submit thread hands the
 * queue to libkprod in one JNI call, and a producer-owned report thread takes
 * delivery reports back in batches and completes the futures and runs the
 * callbacks, as KafkaProducer runs them on its I/O thread. A slow callback
 * delays other callbacks, never kprod's Sender. Safe for any number of threads.
 *
 * <p>With a {@code transactional.id}, the transactional methods behave as
 * KafkaProducer's, over kprod's transactions, and throw Kafka's exception
 * classes ({@code ProducerFencedException}, {@code TimeoutException}, a
 * {@code KafkaException} caused by a {@code TransactionAbortableException}, ...).
 *
 * @param <K> the type of record keys
 * @param <V> the type of record values
 */
public final class KprodProducer<K, V> implements Producer<K, V> {
    private static final Logger log = LoggerFactory.getLogger(KprodProducer.class);

    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final long maxRequestSize;
    private final RecordPipeline pipeline;
    /** The event thread (EventPump), with a kprod.event.listener; null without. */
    private final Thread eventThread;
    private final Transactions transactions;
    private final String clientId;
    /** When this producer was made, for app-info's start-time-ms. */
    private final long startTimeMs = System.currentTimeMillis();
    /** interceptor.classes, run on the calling and report threads. */
    private final ProducerInterceptorChain<K, V> interceptors;
    /** partitioner.class; null for kprod's built-in partitioner. */
    private final ConfiguredPartitioner partitioner;
    /** The time callers spent in flush, partitionsFor and the transactional calls, for metrics(). */
    private final BlockedTimes blockedTimes = new BlockedTimes();
    /** Each topic's name as UTF-8 with a NUL at the end, as C reads it. */
    private final Map<String, byte[]> topicBytes = new ConcurrentHashMap<>();

    /**
     * A producer configured by properties, as {@link KafkaProducer#KafkaProducer(Properties)}.
     *
     * @param properties the Java producer's properties; {@code key.serializer} and
     *     {@code value.serializer} name the serializer classes
     * @throws org.apache.kafka.common.config.ConfigException for a property kprod refuses
     *     (the message names it) or a serializer that cannot be made
     */
    public KprodProducer(Properties properties) {
        this(ProducerSettings.toMap(properties), null, null);
    }

    /**
     * A producer configured by properties with the given serializers, as
     * {@link KafkaProducer#KafkaProducer(Properties, Serializer, Serializer)}.
     *
     * @param properties the Java producer's properties
     * @param keySerializer the key serializer, used as it is (not configured)
     * @param valueSerializer the value serializer, used as it is (not configured)
     */
    public KprodProducer(Properties properties, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        this(ProducerSettings.toMap(properties), keySerializer, valueSerializer);
    }

    /**
     * A producer configured by a map, as {@link KafkaProducer#KafkaProducer(Map)}.
     *
     * @param configs the Java producer's properties; values may be strings, numbers,
     *     lists and (for the serializers) classes
     */
    public KprodProducer(Map<String, Object> configs) {
        this(configs, null, null);
    }

    /**
     * A producer configured by a map with the given serializers, as
     * {@link KafkaProducer#KafkaProducer(Map, Serializer, Serializer)}.
     *
     * @param configs the Java producer's properties
     * @param keySerializer the key serializer, used as it is (not configured)
     * @param valueSerializer the value serializer, used as it is (not configured)
     */
    public KprodProducer(Map<String, Object> configs, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        NativeLibrary.load();
        ProducerSettings<K, V> settings = new ProducerSettings<>(configs, keySerializer, valueSerializer);
        this.keySerializer = settings.keySerializer;
        this.valueSerializer = settings.valueSerializer;
        this.maxRequestSize = settings.maxRequestSize;
        this.clientId = settings.clientId;
        byte[] error = new byte[512];
        this.interceptors = new ProducerInterceptorChain<>(settings.interceptors);
        SWIGTYPE_p_kprod_producer created = KprodNative.kprod_new(settings.releaseConf(), error, error.length);
        if (created == null) {
            interceptors.close();
            if (settings.partitioner != null) closeQuietly(settings.partitioner, "partitioner");
            throw new org.apache.kafka.common.config.ConfigException(ProducerSettings.cString(error));
        }
        pipeline = new RecordPipeline(created, settings.clientId, settings.maxBlockMs);
        transactions = new Transactions(pipeline, settings.transactionalId, settings.maxBlockMs);
        eventThread = settings.eventListener == null ? null
                : EventPump.start(pipeline, settings.eventListener, settings.clientId);
        this.partitioner = settings.partitioner == null ? null
                : new ConfiguredPartitioner(settings.partitioner, pipeline::partitionsFor);
    }

    // ----- send -------------------------------------------------------------

    /**
     * Sends a record, as {@link KafkaProducer#send(ProducerRecord)}.
     *
     * @param record the record
     * @return the record's future
     */
    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
        return send(record, null);
    }

    /**
     * Sends a record and runs callback with its outcome on the producer's
     * report thread, as {@link KafkaProducer#send(ProducerRecord, Callback)}.
     * Returns once the record is queued; waits only while the queue to libkprod
     * is full.
     *
     * @param record the record
     * @param callback run once with the outcome; may be null
     * @return the record's future
     * @throws IllegalStateException after {@link #close()}, or with a {@code transactional.id} outside a
     *     transaction
     * @throws IllegalArgumentException when {@code partitioner.class} answers a negative partition
     * @throws SerializationException when a serializer fails
     * @throws InterruptException when interrupted while waiting for room
     */
    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        Objects.requireNonNull(record, "record");
        if (interceptors.isEmpty()) return doSend(record, callback);
        // As KafkaProducer: the interceptors see the record first, and its outcome before the callback.
        ProducerRecord<K, V> intercepted = interceptors.onSend(record);
        try {
            return doSend(intercepted, interceptors.wrap(callback, intercepted));
        } catch (RuntimeException e) {
            interceptors.onSendError(intercepted, e);
            throw e;
        }
    }

    private Future<RecordMetadata> doSend(ProducerRecord<K, V> record, Callback callback) {
        if (pipeline.isClosing()) throw new IllegalStateException(RecordPipeline.CLOSED_MESSAGE);
        String topic = record.topic();
        transactions.checkSend(topic);
        byte[] key = serialize(keySerializer, topic, record, record.key(), "key");
        byte[] value = serialize(valueSerializer, topic, record, record.value(), "value");
        byte[][] headers = encodeHeaders(record);
        int partition;
        if (record.partition() != null) {
            partition = record.partition();
        } else if (partitioner != null) {
            try {
                partition = partitioner.partition(topic, record.key(), key, record.value(), value);
            } catch (ApiException e) {
                // As KafkaProducer: an ApiException (no metadata in time) fails the future, not send.
                return InFlightRecord.failed(topic, KprodNativeConstants.KPROD_PARTITION_ANY, callback, e);
            }
        } else {
            partition = KprodNativeConstants.KPROD_PARTITION_ANY;
        }
        long timestamp = record.timestamp() == null ? 0 : record.timestamp();
        byte[] topicName = topicBytes.computeIfAbsent(topic, KprodProducer::nulTerminated);
        int size = RecordQueue.encodedSize(topicName, key, value, headers);
        long recordSize = (long) size - RecordQueue.HEADER_SIZE - topicName.length;
        if (recordSize > maxRequestSize) {
            return InFlightRecord.failed(topic, partition, callback, new RecordTooLargeException("The message is "
                    + recordSize + " bytes when serialized which is larger than " + maxRequestSize
                    + ", which is the value of the max.request.size configuration."));
        }
        InFlightRecord entry = new InFlightRecord(topic, partition, callback, key == null ? -1 : key.length,
                value == null ? -1 : value.length);
        pipeline.enqueue(entry, size, timestamp, partition, topicName, key, value, headers);
        return entry;
    }

    private static <T> byte[] serialize(Serializer<T> serializer, String topic, ProducerRecord<?, ?> record,
            T data, String what) {
        try {
            return serializer.serialize(topic, record.headers(), data);
        } catch (ClassCastException e) {
            throw new SerializationException("Can't convert " + what + " of class "
                    + (data == null ? "null" : data.getClass().getName()) + " to class "
                    + serializer.getClass().getName() + " specified in " + what + ".serializer", e);
        }
    }

    private static byte[][] encodeHeaders(ProducerRecord<?, ?> record) {
        Header[] all = record.headers().toArray();
        if (record.headers() instanceof RecordHeaders) ((RecordHeaders) record.headers()).setReadOnly();
        if (all.length == 0) return null;
        if (all.length > KprodNativeConstants.KPRODJ_MAX_HEADERS) {
            throw new IllegalArgumentException("kprod: a record may carry at most "
                    + KprodNativeConstants.KPRODJ_MAX_HEADERS + " headers, this one has " + all.length);
        }
        byte[][] parts = new byte[all.length * 2][];
        for (int i = 0; i < all.length; i++) {
            parts[2 * i] = all[i].key().getBytes(StandardCharsets.UTF_8);
            parts[2 * i + 1] = all[i].value();
        }
        return parts;
    }

    private static byte[] nulTerminated(String topic) {
        byte[] utf8 = topic.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
    }

    // ----- flush, close --------------------------------------------------------

    /**
     * Sends everything now (ignoring {@code linger.ms}) and waits until every
     * record sent before this call is complete and its callback has run, as
     * {@link KafkaProducer#flush()}. Does nothing after close.
     *
     * @throws KafkaException when called from a callback (it would wait for itself), as KafkaProducer
     * @throws InterruptException when interrupted
     */
    @Override
    public void flush() {
        if (pipeline.onOwnThread()) {
            throw new KafkaException("KprodProducer.flush() invocation inside a callback is not permitted "
                    + "because it may lead to deadlock.");
        }
        blockedTimes.time(BlockedTimes.Call.FLUSH, pipeline::flush);
    }

    /** Closes the producer, waiting as long as it takes; see {@link #close(Duration)}. */
    @Override
    public void close() {
        close(Duration.ofMillis(Long.MAX_VALUE));
    }

    /**
     * Stops accepting records, tries to deliver every record already sent within
     * timeout, fails what is left (their callbacks run, with
     * {@code KafkaException("Producer is closed forcefully.")}), stops the
     * producer's threads and closes the serializers, as
     * {@link KafkaProducer#close(Duration)}. With a zero timeout it tries
     * nothing: as KafkaProducer aborts its incomplete batches, it purges every
     * record libkprod holds, queued or in flight (see {@link #purge(boolean, boolean)}:
     * their callbacks get a {@link RecordPurgedException}, a KafkaException), and
     * fails the records not yet handed to libkprod. Called from a callback, it does not
     * wait (timeout 0), as KafkaProducer. Safe to call more than once.
     *
     * @param timeout how long to wait for outstanding records
     * @throws IllegalArgumentException for a negative timeout
     * @throws InterruptException when interrupted while waiting
     */
    @Override
    public void close(Duration timeout) {
        long timeoutMs = timeout.toMillis();
        if (timeoutMs < 0) throw new IllegalArgumentException("The timeout cannot be negative.");
        boolean inCallback = pipeline.onOwnThread();
        if (inCallback && timeoutMs > 0) {
            log.warn("Overriding close timeout {} ms to 0 ms in order to prevent useless blocking due to self-join. "
                    + "This means you have incorrectly invoked close with a non-zero timeout from the producer "
                    + "call-back.", timeoutMs);
            timeoutMs = 0;
        }
        long deadline = timeoutMs >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : System.currentTimeMillis() + timeoutMs;
        if (pipeline.close(deadline, timeoutMs == 0)) {
            // KafkaProducer's order: interceptors, serializers, partitioner.
            interceptors.close();
            closeQuietly(keySerializer, "key serializer");
            closeQuietly(valueSerializer, "value serializer");
            if (partitioner != null) closeQuietly(partitioner, "partitioner");
        }
        if (!inCallback) pipeline.awaitDestroyed(); // from a callback, the report thread finishes the close
        if (eventThread != null && Thread.currentThread() != eventThread && !inCallback) joinEventThread();
    }

    private void joinEventThread() {
        try {
            eventThread.join();
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        }
    }

    /**
     * The error that made the producer unusable (kprod_fatal_error), as the
     * exception KafkaProducer throws for it ({@code ProducerFencedException} for a
     * fenced transactional producer, ...), or null while there is none. A
     * {@link KprodEventListener} learns it as a {@link KprodEvent.Type#FATAL} event.
     *
     * @return the fatal error, or null
     * @throws IllegalStateException after {@link #close()}
     */
    public KafkaException fatalError() {
        byte[] reason = new byte[512];
        int err = pipeline.callNative(handle -> KprodNative.kprod_fatal_error(handle, reason, reason.length));
        if (err == kprod_err_t.KPROD_OK) return null;
        RuntimeException e = KprodErrors.failedTransactionCall(err, ProducerSettings.cString(reason), "", 0);
        return e instanceof KafkaException ? (KafkaException) e : new KafkaException(e.getMessage(), e);
    }

    private static void closeQuietly(AutoCloseable closeable, String what) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.error("Failed to close {}", what, e);
        }
    }

    /**
     * Takes records back (kprod's purge; KafkaProducer has no such call): those
     * not sent yet ({@code queued}: every record sent before this call and not
     * yet in a request) and those in requests awaiting their answer
     * ({@code inFlight}). Their futures and callbacks complete at once with a
     * {@link RecordPurgedException} whose {@link RecordPurgedException#possiblyPersisted()}
     * is false for a queued record and true for one in flight (the broker may
     * still write it). The producer stays usable. Waits, with {@code queued},
     * for the records sent before the call to reach libkprod, then a moment for
     * its sender thread; never for the network.
     *
     * @param queued purge the records not sent yet
     * @param inFlight purge the records in requests awaiting their answer
     * @throws IllegalArgumentException when both are false
     * @throws IllegalStateException after {@link #close()}
     * @throws InterruptException when interrupted while waiting
     */
    public void purge(boolean queued, boolean inFlight) {
        int flags = (queued ? KprodNativeConstants.KPROD_PURGE_QUEUED : 0)
                | (inFlight ? KprodNativeConstants.KPROD_PURGE_IN_FLIGHT : 0);
        if (flags == 0) throw new IllegalArgumentException("purge: neither queued nor in-flight records named");
        pipeline.purge(flags);
    }

    // ----- metadata and metrics ----------------------------------------------

    /**
     * The partitions of topic with their leaders, waiting up to
     * {@code max.block.ms} for its metadata, as {@link KafkaProducer#partitionsFor(String)}.
     * kprod knows each partition's leader only: replicas and in-sync replicas are empty.
     *
     * @param topic the topic
     * @return its partitions
     * @throws org.apache.kafka.common.errors.TimeoutException when the metadata does not arrive in time
     */
    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        Objects.requireNonNull(topic, "topic cannot be null");
        return blockedTimes.time(BlockedTimes.Call.METADATA_WAIT, () -> pipeline.partitionsFor(topic));
    }

    /**
     * kprod's metrics under the Java producer's names and groups
     * ({@code producer-metrics}, {@code producer-topic-metrics},
     * {@code producer-node-metrics}) with its tags ({@code client-id},
     * {@code topic}, {@code node-id}), and, as KafkaProducer, the time callers
     * spent blocked in its calls ({@code flush-time-ns-total},
     * {@code txn-commit-time-ns-total}, ..., which Kafka Streams adds up into
     * its {@code blocked-time-ns-total}), the producer-wide request and byte counts,
     * {@code app-info} and {@code kafka-metrics-count}. Values are read when this is called;
     * after close, the last values.
     *
     * @return the metrics by name
     */
    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        Map<MetricName, NativeQueries.KprodMetric> metrics = new LinkedHashMap<>(pipeline.metrics());
        blockedTimes.addTo(metrics, clientId);
        DerivedMetrics.addTo(metrics, clientId, startTimeMs);
        return Collections.unmodifiableMap(metrics);
    }

    /**
     * kprod pushes no client telemetry (KIP-714).
     *
     * @param timeout unused
     * @return never
     * @throws IllegalStateException always, as KafkaProducer with {@code enable.metrics.push=false}
     */
    @Override
    public Uuid clientInstanceId(Duration timeout) {
        throw new IllegalStateException("Telemetry is not enabled: kprod pushes no client telemetry.");
    }

    /**
     * Does nothing: kprod pushes no client telemetry, so there is nothing to add the metric to.
     *
     * @param metric ignored
     */
    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        log.debug("kprod pushes no client telemetry; not registering {}", metric.metricName());
    }

    /**
     * Does nothing, as {@link #registerMetricForSubscription(KafkaMetric)}.
     *
     * @param metric ignored
     */
    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        log.debug("kprod pushes no client telemetry; not unregistering {}", metric.metricName());
    }

    // ----- transactions ----------------------------------------------------------

    /**
     * Registers {@code transactional.id} with its coordinator, fences any earlier
     * producer with the same id and aborts what it left open, as
     * {@link KafkaProducer#initTransactions()}. Waits up to {@code max.block.ms};
     * after a {@code TimeoutException}, calling it again waits for the same outcome.
     *
     * @throws IllegalStateException without a {@code transactional.id}, or when called twice
     * @throws org.apache.kafka.common.errors.TimeoutException after {@code max.block.ms}
     * @throws org.apache.kafka.common.errors.ProducerFencedException when another producer took over (fatal)
     * @throws org.apache.kafka.common.errors.TransactionalIdAuthorizationException when not authorized (fatal)
     * @throws org.apache.kafka.common.errors.UnsupportedVersionException when the brokers have no transactions
     * @throws org.apache.kafka.common.KafkaException for another fatal error: close the producer
     */
    @Override
    public void initTransactions() {
        blockedTimes.time(BlockedTimes.Call.TXN_INIT, transactions::init);
    }

    /**
     * Starts a transaction, as {@link KafkaProducer#beginTransaction()}: every
     * record sent until it ends belongs to it. Returns at once.
     *
     * @throws IllegalStateException before {@link #initTransactions()} or while a transaction is open
     * @throws org.apache.kafka.common.errors.ProducerFencedException when another producer took over
     */
    @Override
    public void beginTransaction() {
        blockedTimes.time(BlockedTimes.Call.TXN_BEGIN, transactions::begin);
    }

    /**
     * Adds the consumer group's offsets to the open transaction, as
     * {@link KafkaProducer#sendOffsetsToTransaction(Map, ConsumerGroupMetadata)}:
     * the group sees them if and only if the transaction commits. Waits up to
     * {@code max.block.ms}.
     *
     * @param offsets the next offset to consume per partition (last processed + 1)
     * @param groupMetadata the consumer's {@code groupMetadata()}
     * @throws IllegalStateException without an open transaction
     * @throws org.apache.kafka.common.errors.TimeoutException after {@code max.block.ms} (call again)
     * @throws org.apache.kafka.common.KafkaException with a
     *     {@link org.apache.kafka.common.errors.TransactionAbortableException} cause, for example when the
     *     consumer left the group: abort the transaction
     */
    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata groupMetadata) {
        blockedTimes.time(BlockedTimes.Call.TXN_SEND_OFFSETS, () -> transactions.sendOffsets(offsets, groupMetadata));
    }

    /**
     * Sends every record of the transaction (ignoring {@code linger.ms}), waits
     * for their outcomes and commits, as {@link KafkaProducer#commitTransaction()}.
     * Returns once committed and every record's callback has run. Waits up to
     * {@code max.block.ms}; after a {@code TimeoutException}, calling it again
     * waits for the same outcome.
     *
     * @throws IllegalStateException without an open transaction
     * @throws org.apache.kafka.common.errors.TimeoutException after {@code max.block.ms} (call again)
     * @throws org.apache.kafka.common.errors.ProducerFencedException when another producer took over (fatal)
     * @throws org.apache.kafka.common.KafkaException with a
     *     {@link org.apache.kafka.common.errors.TransactionAbortableException} cause when the transaction
     *     cannot commit (a record failed, the broker aborted it): call {@link #abortTransaction()}
     */
    @Override
    public void commitTransaction() {
        blockedTimes.time(BlockedTimes.Call.TXN_COMMIT, transactions::commit);
    }

    /**
     * Aborts the open transaction, as {@link KafkaProducer#abortTransaction()}:
     * records not yet sent fail with
     * {@link org.apache.kafka.common.errors.TransactionAbortedException}, and
     * read_committed consumers never see any record of it. Returns once every
     * record's callback has run. Waits up to {@code max.block.ms}.
     *
     * @throws IllegalStateException without an open transaction
     * @throws org.apache.kafka.common.errors.TimeoutException after {@code max.block.ms} (call again)
     * @throws org.apache.kafka.common.errors.ProducerFencedException when another producer took over (fatal)
     */
    @Override
    public void abortTransaction() {
        blockedTimes.time(BlockedTimes.Call.TXN_ABORT, transactions::abort);
    }

    /** JNI crossings so far (see {@link RecordPipeline#crossings()}), for the benchmark. */
    long[] crossings() {
        return pipeline.crossings();
    }
}
