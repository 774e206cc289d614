package dev.kprod;

import java.util.List;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's {@code interceptor.classes}, run on the Java side with
 * KafkaProducer's rules (its ProducerInterceptors): onSend in the configured
 * order, each seeing the record the previous one returned; an exception from
 * one is logged and the record goes on as it was; onAcknowledgement for every
 * outcome (on the report thread, before the application's callback), and for a
 * record that fails inside send, with the exception; close with the producer.
 * No interceptor's exception ever reaches the application.
 */
final class ProducerInterceptorChain<K, V> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProducerInterceptorChain.class);

    private final List<ProducerInterceptor<K, V>> interceptors;

    ProducerInterceptorChain(List<ProducerInterceptor<K, V>> interceptors) {
        this.interceptors = List.copyOf(interceptors);
    }

    boolean isEmpty() {
        return interceptors.isEmpty();
    }

    ProducerRecord<K, V> onSend(ProducerRecord<K, V> record) {
        ProducerRecord<K, V> intercepted = record;
        for (ProducerInterceptor<K, V> interceptor : interceptors) {
            try {
                intercepted = interceptor.onSend(intercepted);
            } catch (Exception e) {
                // As KafkaProducer: log, keep the record as it was, go on with the next interceptor.
                log.warn("Error executing interceptor onSend callback for topic: {}, partition: {}",
                        record.topic(), record.partition(), e);
            }
        }
        return intercepted;
    }

    void onAcknowledgement(RecordMetadata metadata, Exception exception, Headers headers) {
        for (ProducerInterceptor<K, V> interceptor : interceptors) {
            try {
                interceptor.onAcknowledgement(metadata, exception, headers);
            } catch (Exception e) {
                log.warn("Error executing interceptor onAcknowledgement callback", e);
            }
        }
    }

    /** For a record that failed inside send (serializer, closed producer, no room): KafkaProducer's onSendError. */
    void onSendError(ProducerRecord<K, V> record, Exception exception) {
        if (record == null) { // an interceptor returned null
            onAcknowledgement(null, exception, null);
            return;
        }
        TopicPartition tp = new TopicPartition(record.topic(),
                record.partition() == null ? RecordMetadata.UNKNOWN_PARTITION : record.partition());
        onAcknowledgement(new RecordMetadata(tp, -1, -1, RecordBatch.NO_TIMESTAMP, -1, -1), exception,
                record.headers());
    }

    /** The application's callback behind the interceptors' onAcknowledgement, as KafkaProducer's AppendCallbacks. */
    Callback wrap(Callback callback, ProducerRecord<K, V> record) {
        Headers headers = record.headers();
        return (metadata, exception) -> {
            onAcknowledgement(metadata, exception, headers);
            if (callback != null) callback.onCompletion(metadata, exception);
        };
    }

    @Override
    public void close() {
        for (ProducerInterceptor<K, V> interceptor : interceptors) {
            try {
                interceptor.close();
            } catch (Exception e) {
                log.error("Failed to close producer interceptor ", e);
            }
        }
    }
}
