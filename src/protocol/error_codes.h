// Kafka's error codes as the Produce path meets them: a name for messages,
// whether the Java client retries it, whether it means our metadata is stale,
// and whether the broker may have written the records despite the error.
#pragma once

#include <cstdint>

namespace kprod::protocol {

enum KafkaError : int16_t {
    kUnknownServerError = -1,
    kNone = 0,
    kCorruptMessage = 2,
    kUnknownTopicOrPartition = 3,
    kLeaderNotAvailable = 5,
    kNotLeaderOrFollower = 6,
    kRequestTimedOut = 7,
    kMessageTooLarge = 10,
    kNetworkException = 13,
    kRecordListTooLarge = 18,
    kNotEnoughReplicas = 19,
    kNotEnoughReplicasAfterAppend = 20,
    kInvalidRequiredAcks = 21,
    kTopicAuthorizationFailed = 29,
    kClusterAuthorizationFailed = 31,
    kInvalidTimestamp = 32,
    kUnsupportedSaslMechanism = 33,
    kIllegalSaslState = 34,
    kUnsupportedVersion = 35,
    kInvalidRequest = 42,
    kUnsupportedForMessageFormat = 43,
    kPolicyViolation = 44,
    kOutOfOrderSequenceNumber = 45,
    kDuplicateSequenceNumber = 46,
    kInvalidProducerEpoch = 47,
    kKafkaStorageError = 56,
    kSaslAuthenticationFailed = 58,
    kUnknownProducerId = 59,
    kFencedLeaderEpoch = 74,
    kUnknownLeaderEpoch = 75,
    kUnsupportedCompressionType = 76,
    kInvalidRecord = 87,
    kThrottlingQuotaExceeded = 89,
    kProducerFenced = 90,
    kUnknownTopicId = 100,
    kTransactionAbortable = 120,
};

// "NOT_LEADER_OR_FOLLOWER", or "KAFKA_ERROR_<code>" for codes we do not name.
const char *kafka_error_name(int16_t code);

// "NOT_LEADER_OR_FOLLOWER", or nullptr for codes we do not name (kprod_broker_error_name).
const char *kafka_error_known_name(int16_t code);

// Retried by the Java producer (its RetriableException subclasses).
bool kafka_error_is_retriable(int16_t code);

// The partition's leader may have moved: refresh metadata before retrying.
bool kafka_error_invalidates_metadata(int16_t code);

// The broker may have appended the records before answering with this error
// (e.g. NOT_LEADER_OR_FOLLOWER while waiting for acks=all replication, a
// timeout, a storage error, or a code kprod does not know). False only for
// refusals that come before any append.
bool kafka_error_may_have_persisted(int16_t code, int16_t acks);

}  // namespace kprod::protocol
