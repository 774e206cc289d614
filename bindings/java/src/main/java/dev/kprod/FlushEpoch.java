package dev.kprod;

/**
 * The records sent between two flush calls, counted until their callbacks have
 * run: flush waits for its epoch and every earlier one, not for records sent
 * after it began (as KafkaProducer's flush). Guarded by the producer's lock.
 */
final class FlushEpoch {
    int outstanding;
}
