package dev.kprod;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event thread of a producer with a {@link KprodEventListener}: parked in
 * kprod_poll (which serves only events: reports are taken by the report thread
 * with kprod_poll_reports), it decodes each event and calls the listener. Each
 * poll holds the native producer as flush does, so it is never freed under it;
 * the thread ends once the producer is closing and kprod_poll returns empty.
 */
final class EventPump {
    private static final Logger log = LoggerFactory.getLogger(EventPump.class);
    private static final int CAPACITY = 256 * 1024;
    private static final int HEADER = KprodNativeConstants.KPRODJ_EVENT_HEADER_SIZE;

    private EventPump() {}

    /** Starts the thread. */
    static Thread start(RecordPipeline pipeline, KprodEventListener listener, String clientId) {
        Thread thread = new Thread(() -> run(pipeline, listener), "kprod-producer-events | " + clientId);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void run(RecordPipeline pipeline, KprodEventListener listener) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CAPACITY).order(ByteOrder.nativeOrder());
        while (true) {
            int count;
            try {
                count = pipeline.callNative(handle -> KprodNative.kprodj_poll_events(handle, buffer, CAPACITY, -1));
            } catch (IllegalStateException closed) {
                return; // the native producer is gone
            }
            int at = 0;
            for (int i = 0; i < count; i++) at = deliver(buffer, at, listener);
            if (count == 0 && pipeline.isClosing()) return;
        }
    }

    /** Decodes the event at offset at, hands it to listener, and returns where the next one starts. */
    private static int deliver(ByteBuffer buffer, int at, KprodEventListener listener) {
        int[] f = new int[12];
        for (int i = 0; i < f.length; i++) f[i] = buffer.getInt(at + 4 * i);
        int topicLength = Math.max(f[10], 0);
        String topic = f[10] < 0 ? null : text(buffer, at + HEADER, topicLength);
        String reason = text(buffer, at + HEADER + topicLength, f[11]);
        String errorName = f[1] == 0 ? null : KprodNative.kprod_err_name(f[1]);
        KprodEvent event = new KprodEvent(KprodEvent.Type.of(f[0]), f[1], errorName, f[3], topic, f[4], f[5], f[6],
                f[7], f[8], f[9], reason);
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            log.error("The event listener failed on {}", event, e);
        }
        return at + HEADER + topicLength + f[11];
    }

    private static String text(ByteBuffer buffer, int at, int length) {
        byte[] bytes = new byte[length];
        buffer.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
