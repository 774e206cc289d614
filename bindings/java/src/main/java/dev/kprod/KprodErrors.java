package dev.kprod;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.protocol.Errors;

/**
 * kprod's error codes as the exceptions KafkaProducer gives for the same
 * failure, so that code catching them keeps working. The message says what
 * kprod reported, and for a failed delivery whether the record may be in the log.
 */
final class KprodErrors {
    private KprodErrors() {}

    /** The exception for a record kprod_send refused (no report follows). */
    static RuntimeException refusedSend(int err, String topic, int partition, long maxBlockMs) {
        switch (err) {
            case kprod_err_t.KPROD_ERR_QUEUE_FULL:
                return new BufferExhaustedException("Failed to allocate memory within the configured max blocking "
                        + "time " + maxBlockMs + " ms (buffer.memory is used up)");
            case kprod_err_t.KPROD_ERR_METADATA_TIMEOUT:
            case kprod_err_t.KPROD_ERR_UNKNOWN_TOPIC:
                return new TimeoutException("Topic " + topic + " not present in metadata after " + maxBlockMs
                        + " ms." + (err == kprod_err_t.KPROD_ERR_UNKNOWN_TOPIC ? " (kprod: the cluster has no such topic)" : ""));
            case kprod_err_t.KPROD_ERR_UNKNOWN_PARTITION:
                // KafkaProducer's class, but kprod knows at once from the topic's metadata: no wait is claimed.
                return new TimeoutException("Partition " + partition + " of topic " + topic
                        + " is not present in metadata (kprod: the topic's metadata has no partition " + partition
                        + "; KafkaProducer would wait max.block.ms = " + maxBlockMs + " ms for it)");
            case kprod_err_t.KPROD_ERR_MSG_TOO_LARGE:
                return new RecordTooLargeException("The message is larger than max.request.size or buffer.memory "
                        + "(kprod: " + KprodNative.kprod_err_str(err) + ")");
            case kprod_err_t.KPROD_ERR_CLOSED:
                return new KafkaException("Producer is closed forcefully.");
            default:
                return common(err, "kprod refused the record: ");
        }
    }

    /** The exception for a report with err != KPROD_OK. */
    static RuntimeException failedDelivery(int err, int brokerError, int persisted, String topic, int partition) {
        String where = partition >= 0 ? topic + "-" + partition : topic;
        String persistence = persisted == kprod_persisted_t.KPROD_POSSIBLY_PERSISTED
                ? " (kprod: the record may be in the log)"
                : persisted == kprod_persisted_t.KPROD_NOT_PERSISTED ? " (kprod: the record is not in the log)" : "";
        switch (err) {
            case kprod_err_t.KPROD_ERR_BROKER: {
                Errors error = Errors.forCode((short) brokerError);
                ApiException e = error.exception("The broker refused a batch for " + where + ": "
                        + error.name() + " (" + brokerError + ")" + persistence);
                return e != null ? e : new KafkaException("broker error " + brokerError + persistence);
            }
            case kprod_err_t.KPROD_ERR_MSG_TIMED_OUT:
                return new TimeoutException("Expiring record for " + where
                        + ": delivery.timeout.ms has passed since it was sent" + persistence);
            case kprod_err_t.KPROD_ERR_DESTROYED:
                return new KafkaException("Producer is closed forcefully." + persistence);
            case kprod_err_t.KPROD_ERR_PURGED:
                return new RecordPurgedException("The record for " + where + " was purged" + persistence,
                        persisted == kprod_persisted_t.KPROD_POSSIBLY_PERSISTED);
            case kprod_err_t.KPROD_ERR_MSG_TOO_LARGE:
                return new RecordTooLargeException("The record for " + where + " is too large" + persistence);
            case kprod_err_t.KPROD_ERR_UNKNOWN_TOPIC:
            case kprod_err_t.KPROD_ERR_UNKNOWN_PARTITION:
                return Errors.UNKNOWN_TOPIC_OR_PARTITION.exception("kprod: " + where + ": "
                        + KprodNative.kprod_err_str(err) + persistence);
            default:
                return common(err, "kprod could not deliver the record to " + where + ": ", persistence);
        }
    }

    /**
     * The exception for a transactional call that returned err, as
     * KafkaProducer's TransactionManager throws it: fatal errors as their own
     * class, an abortable error wrapped in a KafkaException (catch it, abort,
     * go on), a timeout as a TimeoutException (call again for the same outcome).
     */
    static RuntimeException failedTransactionCall(int err, String kprodMessage, String awaiting, int timeoutMs) {
        String message = kprodMessage.isEmpty() ? KprodNative.kprod_err_str(err) : kprodMessage;
        switch (err) {
            case kprod_err_t.KPROD_ERR_TIMED_OUT:
                return new TimeoutException("Timeout expired after " + timeoutMs + "ms while awaiting " + awaiting
                        + " (kprod: " + message + "; call again for the same outcome)");
            case kprod_err_t.KPROD_ERR_STATE:
                return new IllegalStateException(message);
            case kprod_err_t.KPROD_ERR_CLOSED:
                return new IllegalStateException(RecordPipeline.CLOSED_MESSAGE + " (kprod: " + message + ")");
            case kprod_err_t.KPROD_ERR_TXN_ABORTABLE:
                return new KafkaException("Cannot execute transactional method because we are in an error state",
                        new TransactionAbortableException(message));
            case kprod_err_t.KPROD_ERR_AUTHORIZATION:
                return message.contains("transactional.id") ? new TransactionalIdAuthorizationException(message)
                        : new AuthorizationException(message);
            case kprod_err_t.KPROD_ERR_INVALID_ARG:
                return new IllegalArgumentException(message);
            default:
                return common(err, "", " (kprod: " + message + ")");
        }
    }

    private static RuntimeException common(int err, String prefix) {
        return common(err, prefix, "");
    }

    private static RuntimeException common(int err, String prefix, String suffix) {
        String message = prefix + KprodNative.kprod_err_str(err) + suffix;
        switch (err) {
            case kprod_err_t.KPROD_ERR_TRANSPORT:
                return new NetworkException(message);
            case kprod_err_t.KPROD_ERR_UNSUPPORTED:
                return new UnsupportedVersionException(message);
            case kprod_err_t.KPROD_ERR_TIMED_OUT:
                return new TimeoutException(message);
            case kprod_err_t.KPROD_ERR_STATE:
                return new IllegalStateException(message);
            case kprod_err_t.KPROD_ERR_FENCED:
                return new ProducerFencedException(message);
            case kprod_err_t.KPROD_ERR_TXN_ABORTED:
                return new TransactionAbortedException(message);
            case kprod_err_t.KPROD_ERR_TXN_ABORTABLE:
                return new KafkaException(message, new TransactionAbortableException(message));
            case kprod_err_t.KPROD_ERR_AUTHORIZATION:
                return new AuthorizationException(message);
            default:
                return new KafkaException(message);
        }
    }
}
