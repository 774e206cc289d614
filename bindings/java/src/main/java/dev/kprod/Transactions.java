package dev.kprod;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * KprodProducer's transactional methods over kprod's C ABI (the "Transactions"
 * section of kprod.h). Each call waits as KafkaProducer's does: init, commit,
 * abort and sendOffsetsToTransaction up to max.block.ms, begin not at all. A
 * call that times out goes on in libkprod; calling it again waits for the same
 * outcome. Commit and abort first hand libkprod every record sent before them
 * (see {@link RecordPipeline#endTransaction}).
 *
 * <p>Runs on: application threads. libkprod serialises the calls; the only
 * state kept here is whether a transaction is open, for send's check.
 */
final class Transactions {
    private static final int ERROR_SIZE = 512;

    private final RecordPipeline pipeline;
    private final String transactionalId; // null: not a transactional producer
    private final int maxBlockMs;
    /** Between a successful begin and a successful commit or abort. */
    private volatile boolean open;

    Transactions(RecordPipeline pipeline, String transactionalId, long maxBlockMs) {
        this.pipeline = pipeline;
        this.transactionalId = transactionalId;
        this.maxBlockMs = (int) Math.min(maxBlockMs, Integer.MAX_VALUE);
    }

    /**
     * Throws as KafkaProducer.send does when a transactional producer has no
     * open transaction; libkprod would refuse the record anyway, but only later,
     * on the submit thread.
     */
    void checkSend(String topic) {
        if (transactionalId != null && !open) {
            throw new IllegalStateException("Cannot send a record to " + topic + " with transactional.id "
                    + transactionalId + " outside a transaction: call initTransactions() once, then "
                    + "beginTransaction()");
        }
    }

    void init() {
        byte[] error = new byte[ERROR_SIZE];
        check(pipeline.callNative(h -> KprodNative.kprod_init_transactions(h, maxBlockMs, error, error.length)),
                error, "InitProducerId");
    }

    void begin() {
        byte[] error = new byte[ERROR_SIZE];
        check(pipeline.callNative(h -> KprodNative.kprod_begin_transaction(h, error, error.length)), error,
                "beginTransaction");
        open = true;
    }

    void sendOffsets(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        Objects.requireNonNull(offsets, "offsets");
        Objects.requireNonNull(group, "groupMetadata");
        ByteBuffer encoded = encode(offsets);
        byte[] error = new byte[ERROR_SIZE];
        String instanceId = group.groupInstanceId().orElse(null);
        check(pipeline.callNative(h -> KprodNative.kprodj_send_offsets_to_transaction(h, encoded, encoded.limit(),
                offsets.size(), group.groupId(), group.generationId(), group.memberId(), instanceId, maxBlockMs,
                error, error.length)), error, "AddOffsetsToTxn and TxnOffsetCommit");
    }

    void commit() {
        byte[] error = new byte[ERROR_SIZE];
        check(pipeline.endTransaction(h -> KprodNative.kprod_commit_transaction(h, maxBlockMs, error, error.length)),
                error, "EndTxn(commit)");
        open = false;
    }

    void abort() {
        byte[] error = new byte[ERROR_SIZE];
        check(pipeline.endTransaction(h -> KprodNative.kprod_abort_transaction(h, maxBlockMs, error, error.length)),
                error, "EndTxn(abort)");
        open = false;
    }

    private void check(int err, byte[] error, String awaiting) {
        if (err == kprod_err_t.KPROD_OK) return;
        throw KprodErrors.failedTransactionCall(err, ProducerSettings.cString(error), awaiting, maxBlockMs);
    }

    /** The offsets in kprod_jni.h's layout, in a direct buffer. */
    private static ByteBuffer encode(Map<TopicPartition, OffsetAndMetadata> offsets) {
        int size = 0;
        byte[][] topics = new byte[offsets.size()][];
        byte[][] metadata = new byte[offsets.size()][];
        int i = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            topics[i] = e.getKey().topic().getBytes(StandardCharsets.UTF_8);
            String text = e.getValue() == null ? null : e.getValue().metadata();
            metadata[i] = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
            size += KprodNativeConstants.KPRODJ_OFFSET_HEADER_SIZE + topics[i].length + 1
                    + (metadata[i] == null ? 0 : metadata[i].length + 1);
            i++;
        }
        ByteBuffer out = ByteBuffer.allocateDirect(Math.max(size, 1)).order(ByteOrder.nativeOrder());
        i = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            OffsetAndMetadata position = Objects.requireNonNull(e.getValue(), "offset of " + e.getKey());
            out.putLong(position.offset());
            out.putInt(e.getKey().partition());
            out.putInt(position.leaderEpoch().orElse(-1));
            out.putInt(topics[i].length);
            out.putInt(metadata[i] == null ? -1 : metadata[i].length);
            out.put(topics[i]).put((byte) 0);
            if (metadata[i] != null) out.put(metadata[i]).put((byte) 0);
            i++;
        }
        out.flip();
        return out;
    }
}
