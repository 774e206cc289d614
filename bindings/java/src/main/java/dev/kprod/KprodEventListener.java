package dev.kprod;

/**
 * Receives a producer's {@link KprodEvent}s, on a thread of the producer's own
 * ({@code kprod-producer-events | client.id}). Set it with the property
 * {@value KprodEventListener#CONFIG}: an instance, or a class (or class name)
 * with a public no-argument constructor. It should return quickly; an exception
 * it throws is logged and the next events still come.
 */
@FunctionalInterface
public interface KprodEventListener {
    /** The property that names the listener (kprod's own; KafkaProducer has no events). */
    String CONFIG = "kprod.event.listener";

    /**
     * Called once for each event.
     *
     * @param event what happened
     */
    void onEvent(KprodEvent event);
}
