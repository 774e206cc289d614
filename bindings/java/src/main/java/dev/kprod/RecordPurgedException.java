package dev.kprod;

import org.apache.kafka.common.KafkaException;

/**
 * A record's outcome after {@link KprodProducer#purge(boolean, boolean)}, or
 * after {@link KprodProducer#close(java.time.Duration)} with a zero timeout
 * (where KafkaProducer gives a plain {@code KafkaException}, which this is):
 * the record was taken back before its delivery was known.
 */
public class RecordPurgedException extends KafkaException {
    private static final long serialVersionUID = 1L;

    /** Whether the record was purged in flight: its request had been sent. */
    private final boolean possiblyPersisted;

    RecordPurgedException(String message, boolean possiblyPersisted) {
        super(message);
        this.possiblyPersisted = possiblyPersisted;
    }

    /**
     * Whether the record may be in the log anyway: true when it was purged in
     * flight (its request had been sent), false when it was still queued.
     *
     * @return whether the broker may have written the record
     */
    public boolean possiblyPersisted() {
        return possiblyPersisted;
    }
}
