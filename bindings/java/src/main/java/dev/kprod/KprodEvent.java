package dev.kprod;

/**
 * Something that happened to the producer besides its records (kprod's
 * {@code kprod_event_t}), as a {@link KprodEventListener} receives it. A number
 * the event does not use is -1.
 *
 * @param type what happened
 * @param error kprod's error code the event is about ({@code kprod_err_t}), or 0
 * @param errorName that code's name in kprod.h ({@code "KPROD_ERR_FENCED"}), or null for 0
 * @param brokerId the broker; -1 for none or a bootstrap server
 * @param topic {@link Type#METADATA_CHANGE}: the topic; else null
 * @param partition a leader change: the partition; -1 when partitions were added
 * @param partitionCount {@link Type#METADATA_CHANGE}: the topic's partitions now
 * @param previousPartitionCount {@link Type#METADATA_CHANGE}: and before the change
 * @param leader a leader change: the new leader (-1: none yet)
 * @param leaderEpoch a leader change: its epoch (-1 when unknown)
 * @param throttleTimeMs {@link Type#THROTTLE}: how long the broker mutes this client
 * @param reason a readable explanation
 */
public record KprodEvent(Type type, int error, String errorName, int brokerId, String topic, int partition,
        int partitionCount, int previousPartitionCount, int leader, int leaderEpoch, int throttleTimeMs,
        String reason) {

    /** The kinds of events (kprod.h's {@code kprod_event_type_t}, which says when each fires). */
    public enum Type {
        /** A broker's connection failed. */
        BROKER_DOWN,
        /** A broker reported down is connected again. */
        BROKER_UP,
        /** Every broker of the metadata is down. */
        ALL_BROKERS_DOWN,
        /** A broker refused the TLS handshake or the login. */
        AUTHENTICATION,
        /** The cluster refused the transactional id or a cluster operation; FATAL follows. */
        AUTHORIZATION,
        /** A broker throttles this client. */
        THROTTLE,
        /** A topic produced to gained partitions, or a partition's leader moved. */
        METADATA_CHANGE,
        /** The producer cannot go on: see {@link KprodProducer#fatalError()}. */
        FATAL,
        /** A kind added to libkprod after this binding was written. */
        OTHER;

        /** The type of kprod's value (1 is BROKER_DOWN, in kprod.h's order). */
        static Type of(int value) {
            Type[] types = values();
            return value >= 1 && value < types.length ? types[value - 1] : OTHER;
        }
    }
}
