#include "protocol/error_codes.h"

#include <array>
#include <cstdio>

namespace kprod::protocol {

namespace {

struct ErrorInfo {
    int16_t code;
    const char *name;
    bool retriable;
    // The broker refuses with it before appending anything (a check of the
    // request, the records, the partition or the producer's state), so the
    // records are certainly not in the log. NOT_LEADER_OR_FOLLOWER depends on acks.
    bool rules_out_write;
};

// Names and retriability follow org.apache.kafka.common.protocol.Errors;
// rules_out_write follows the order of checks in the broker's ReplicaManager
// and Partition.appendRecordsToLeader. A transactional Produce meets the
// coordinator's codes (14-16, 48, 49, 51, 53) when the broker verifies the
// partition is in the transaction, before any append. Codes only the other
// requests answer (the group's, the coordinator's own) rule nothing out,
// like codes we do not know.
constexpr ErrorInfo kErrors[] = {
    {kUnknownServerError, "UNKNOWN_SERVER_ERROR", false, false},
    {kNone, "NONE", false, false},
    {kCorruptMessage, "CORRUPT_MESSAGE", true, true},
    {kUnknownTopicOrPartition, "UNKNOWN_TOPIC_OR_PARTITION", true, true},
    {kLeaderNotAvailable, "LEADER_NOT_AVAILABLE", true, true},
    {kNotLeaderOrFollower, "NOT_LEADER_OR_FOLLOWER", true, false},
    {kRequestTimedOut, "REQUEST_TIMED_OUT", true, false},
    {kMessageTooLarge, "MESSAGE_TOO_LARGE", false, true},
    {kOffsetMetadataTooLarge, "OFFSET_METADATA_TOO_LARGE", false, false},
    {kNetworkException, "NETWORK_EXCEPTION", true, false},
    {kCoordinatorLoadInProgress, "COORDINATOR_LOAD_IN_PROGRESS", true, true},
    {kCoordinatorNotAvailable, "COORDINATOR_NOT_AVAILABLE", true, true},
    {kNotCoordinator, "NOT_COORDINATOR", true, true},
    {kRecordListTooLarge, "RECORD_LIST_TOO_LARGE", false, true},
    {kNotEnoughReplicas, "NOT_ENOUGH_REPLICAS", true, true},
    {kNotEnoughReplicasAfterAppend, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true, false},
    {kInvalidRequiredAcks, "INVALID_REQUIRED_ACKS", false, true},
    {kIllegalGeneration, "ILLEGAL_GENERATION", false, false},
    {kInvalidGroupId, "INVALID_GROUP_ID", false, false},
    {kUnknownMemberId, "UNKNOWN_MEMBER_ID", false, false},
    {kRebalanceInProgress, "REBALANCE_IN_PROGRESS", false, false},
    {kInvalidCommitOffsetSize, "INVALID_COMMIT_OFFSET_SIZE", false, false},
    {kTopicAuthorizationFailed, "TOPIC_AUTHORIZATION_FAILED", false, true},
    {kGroupAuthorizationFailed, "GROUP_AUTHORIZATION_FAILED", false, false},
    {kClusterAuthorizationFailed, "CLUSTER_AUTHORIZATION_FAILED", false, true},
    {kInvalidTimestamp, "INVALID_TIMESTAMP", false, true},
    {kUnsupportedSaslMechanism, "UNSUPPORTED_SASL_MECHANISM", false, true},
    {kIllegalSaslState, "ILLEGAL_SASL_STATE", false, true},
    {kUnsupportedVersion, "UNSUPPORTED_VERSION", false, true},
    {kInvalidRequest, "INVALID_REQUEST", false, true},
    {kUnsupportedForMessageFormat, "UNSUPPORTED_FOR_MESSAGE_FORMAT", false, true},
    {kPolicyViolation, "POLICY_VIOLATION", false, true},
    {kOutOfOrderSequenceNumber, "OUT_OF_ORDER_SEQUENCE_NUMBER", false, true},
    {kDuplicateSequenceNumber, "DUPLICATE_SEQUENCE_NUMBER", false, false},
    {kInvalidProducerEpoch, "INVALID_PRODUCER_EPOCH", false, true},
    {kInvalidTxnState, "INVALID_TXN_STATE", false, true},
    {kInvalidProducerIdMapping, "INVALID_PRODUCER_ID_MAPPING", false, true},
    {kInvalidTransactionTimeout, "INVALID_TRANSACTION_TIMEOUT", false, false},
    {kConcurrentTransactions, "CONCURRENT_TRANSACTIONS", true, true},
    {kTransactionCoordinatorFenced, "TRANSACTION_COORDINATOR_FENCED", false, false},
    {kTransactionalIdAuthorizationFailed, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false, true},
    {kOperationNotAttempted, "OPERATION_NOT_ATTEMPTED", false, false},
    {kKafkaStorageError, "KAFKA_STORAGE_ERROR", true, false},
    {kSaslAuthenticationFailed, "SASL_AUTHENTICATION_FAILED", false, true},
    {kUnknownProducerId, "UNKNOWN_PRODUCER_ID", false, true},
    {kFencedLeaderEpoch, "FENCED_LEADER_EPOCH", true, true},
    {kUnknownLeaderEpoch, "UNKNOWN_LEADER_EPOCH", true, true},
    {kUnsupportedCompressionType, "UNSUPPORTED_COMPRESSION_TYPE", false, true},
    {kFencedInstanceId, "FENCED_INSTANCE_ID", false, false},
    {kInvalidRecord, "INVALID_RECORD", false, true},
    {kUnstableOffsetCommit, "UNSTABLE_OFFSET_COMMIT", true, false},
    {kThrottlingQuotaExceeded, "THROTTLING_QUOTA_EXCEEDED", true, true},
    {kProducerFenced, "PRODUCER_FENCED", false, true},
    {kUnknownTopicId, "UNKNOWN_TOPIC_ID", true, true},
    {kStaleMemberEpoch, "STALE_MEMBER_EPOCH", false, false},
    {kTransactionAbortable, "TRANSACTION_ABORTABLE", false, true},
    // Metadata v13+ (KIP-1102): the broker tells the client to rebootstrap.
    {kRebootstrapRequired, "REBOOTSTRAP_REQUIRED", false, false},
};

const ErrorInfo *find(int16_t code) {
    for (const auto &info : kErrors)
        if (info.code == code) return &info;
    return nullptr;
}

}  // namespace

const char *kafka_error_known_name(int16_t code) {
    const ErrorInfo *info = find(code);
    return info ? info->name : nullptr;
}

const char *kafka_error_name(int16_t code) {
    if (const char *name = kafka_error_known_name(code)) return name;
    // Unnamed codes are rare; one buffer per thread keeps this allocation-free.
    static thread_local std::array<char, 32> buffer;
    std::snprintf(buffer.data(), buffer.size(), "KAFKA_ERROR_%d", code);
    return buffer.data();
}

bool kafka_error_is_retriable(int16_t code) {
    const ErrorInfo *info = find(code);
    return info && info->retriable;
}

bool kafka_error_invalidates_metadata(int16_t code) {
    switch (code) {
    case kUnknownTopicOrPartition:
    case kLeaderNotAvailable:
    case kNotLeaderOrFollower:
    case kFencedLeaderEpoch:
    case kUnknownLeaderEpoch:
    case kKafkaStorageError:
    case kUnknownTopicId:
        return true;
    default:
        return false;
    }
}

bool kafka_error_may_have_persisted(int16_t code, int16_t acks) {
    // acks=all: the leader appends, then waits for the ISR; losing leadership
    // meanwhile answers NOT_LEADER_OR_FOLLOWER for records the new leader may
    // hold. With acks 0 or 1 the check comes before the append.
    if (code == kNotLeaderOrFollower) return acks == -1;
    const ErrorInfo *info = find(code);
    // Codes we do not know rule nothing out.
    return !info || !info->rules_out_write;
}

}  // namespace kprod::protocol
