package dev.kprod;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
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
                return new TimeoutException("Partition " + partition + " of topic " + topic
                        + " is not present in metadata after " + maxBlockMs + " ms. (kprod: no such partition)");
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
            default:
                return new KafkaException(message);
        }
    }
}
