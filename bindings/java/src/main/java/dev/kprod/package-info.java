/**
 * kprod for Java: {@link dev.kprod.KprodProducer}, a drop-in replacement for
 * {@code KafkaProducer} backed by the kprod C library through a SWIG-generated
 * JNI layer.
 */
package dev.kprod;
