// Kafka's error codes as the Produce path and the transactional requests meet
// them: a name for messages, whether the Java client retries it, whether it
// means our metadata is stale, and whether the broker may have written the
// records despite the error.
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
    kOffsetMetadataTooLarge = 12,
    kNetworkException = 13,
    kCoordinatorLoadInProgress = 14,
    kCoordinatorNotAvailable = 15,
    kNotCoordinator = 16,
    kRecordListTooLarge = 18,
    kNotEnoughReplicas = 19,
    kNotEnoughReplicasAfterAppend = 20,
    kInvalidRequiredAcks = 21,
    kIllegalGeneration = 22,
    kInvalidGroupId = 24,
    kUnknownMemberId = 25,
    kRebalanceInProgress = 27,
    kInvalidCommitOffsetSize = 28,
    kTopicAuthorizationFailed = 29,
    kGroupAuthorizationFailed = 30,
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
    kInvalidTxnState = 48,
    kInvalidProducerIdMapping = 49,
    kInvalidTransactionTimeout = 50,
    kConcurrentTransactions = 51,
    kTransactionCoordinatorFenced = 52,
    kTransactionalIdAuthorizationFailed = 53,
    kOperationNotAttempted = 55,
    kKafkaStorageError = 56,
    kSaslAuthenticationFailed = 58,
    kUnknownProducerId = 59,
    kFencedLeaderEpoch = 74,
    kUnknownLeaderEpoch = 75,
    kUnsupportedCompressionType = 76,
    kFencedInstanceId = 82,
    kInvalidRecord = 87,
    kUnstableOffsetCommit = 88,
    kThrottlingQuotaExceeded = 89,
    kProducerFenced = 90,
    kUnknownTopicId = 100,
    kStaleMemberEpoch = 113,
    kTransactionAbortable = 120,
    kRebootstrapRequired = 129,
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
