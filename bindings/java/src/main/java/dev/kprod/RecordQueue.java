package dev.kprod;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Records accepted by send and not yet handed to libkprod, encoded in a direct
 * ByteBuffer in the layout kprod_jni.h describes, so that a whole queue crosses
 * JNI in one call (kprodj_send_batch) and C reads it in place. Written by the
 * sending threads under the producer's lock; the submit thread swaps the whole
 * queue out and sends it while a second one fills.
 */
final class RecordQueue {
    /** A queue is full at this many records, or at {@link #TARGET_BYTES}. */
    static final int MAX_RECORDS = 4096;
    static final int TARGET_BYTES = 1 << 20;
    static final int HEADER_SIZE = KprodNativeConstants.KPRODJ_RECORD_HEADER_SIZE;

    private ByteBuffer records = allocate(TARGET_BYTES);
    private final ByteBuffer results = allocate(4 * MAX_RECORDS);
    private final long[] tokens = new long[MAX_RECORDS];
    private int count;

    private static ByteBuffer allocate(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    /** The encoded size of a record; headers holds name and value per header (see {@link #append}). */
    static int encodedSize(byte[] topic, byte[] key, byte[] value, byte[][] headers) {
        long size = HEADER_SIZE + (long) topic.length + lengthOf(key) + lengthOf(value);
        if (headers != null) {
            for (byte[] part : headers) size += 4 + lengthOf(part);
        }
        return size > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) size;
    }

    private static int lengthOf(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int count() {
        return count;
    }

    /** Whether a record of this encoded size fits now. */
    boolean fits(int size) {
        return count < MAX_RECORDS && records.remaining() >= size;
    }

    /** Makes an empty queue large enough for one record of this size. */
    void growFor(int size) {
        if (records.capacity() < size) records = allocate(size);
    }

    /**
     * Appends one record. topic is the topic's UTF-8 bytes with a NUL at the end;
     * headers alternates each header's UTF-8 name and its value (null: a null value).
     */
    void append(long token, long timestampMs, int partition, byte[] topic, byte[] key, byte[] value,
            byte[][] headers) {
        ByteBuffer out = records;
        out.putLong(token).putLong(timestampMs).putInt(partition).putInt(topic.length - 1)
                .putInt(key == null ? -1 : key.length).putInt(value == null ? -1 : value.length)
                .putInt(headers == null ? 0 : headers.length / 2);
        out.put(topic);
        if (key != null) out.put(key);
        if (value != null) out.put(value);
        if (headers != null) {
            for (byte[] part : headers) {
                out.putInt(part == null ? -1 : part.length);
                if (part != null) out.put(part);
            }
        }
        tokens[count++] = token;
    }

    /** Hands the queue to libkprod; returns how many records it refused (see {@link #resultAt}). */
    int sendTo(SWIGTYPE_p_kprod_producer handle) {
        return KprodNative.kprodj_send_batch(handle, records, records.position(), count, results);
    }

    /** Record i's kprod_err_t from the last {@link #sendTo}. */
    int resultAt(int i) {
        return results.getInt(4 * i);
    }

    long tokenAt(int i) {
        return tokens[i];
    }

    /** Empties the queue; a queue grown for one large record shrinks back. */
    void clear() {
        if (records.capacity() > 4 * TARGET_BYTES) {
            records = allocate(TARGET_BYTES);
        } else {
            records.clear();
        }
        count = 0;
    }
}
