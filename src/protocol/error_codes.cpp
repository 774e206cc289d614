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
// and Partition.appendRecordsToLeader.
constexpr ErrorInfo kErrors[] = {
    {kUnknownServerError, "UNKNOWN_SERVER_ERROR", false, false},
    {kNone, "NONE", false, false},
    {kCorruptMessage, "CORRUPT_MESSAGE", true, true},
    {kUnknownTopicOrPartition, "UNKNOWN_TOPIC_OR_PARTITION", true, true},
    {kLeaderNotAvailable, "LEADER_NOT_AVAILABLE", true, true},
    {kNotLeaderOrFollower, "NOT_LEADER_OR_FOLLOWER", true, false},
    {kRequestTimedOut, "REQUEST_TIMED_OUT", true, false},
    {kMessageTooLarge, "MESSAGE_TOO_LARGE", false, true},
    {kNetworkException, "NETWORK_EXCEPTION", true, false},
    {kRecordListTooLarge, "RECORD_LIST_TOO_LARGE", false, true},
    {kNotEnoughReplicas, "NOT_ENOUGH_REPLICAS", true, true},
    {kNotEnoughReplicasAfterAppend, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true, false},
    {kInvalidRequiredAcks, "INVALID_REQUIRED_ACKS", false, true},
    {kTopicAuthorizationFailed, "TOPIC_AUTHORIZATION_FAILED", false, true},
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
    {kKafkaStorageError, "KAFKA_STORAGE_ERROR", true, false},
    {kSaslAuthenticationFailed, "SASL_AUTHENTICATION_FAILED", false, true},
    {kUnknownProducerId, "UNKNOWN_PRODUCER_ID", false, true},
    {kFencedLeaderEpoch, "FENCED_LEADER_EPOCH", true, true},
    {kUnknownLeaderEpoch, "UNKNOWN_LEADER_EPOCH", true, true},
    {kUnsupportedCompressionType, "UNSUPPORTED_COMPRESSION_TYPE", false, true},
    {kInvalidRecord, "INVALID_RECORD", false, true},
    {kThrottlingQuotaExceeded, "THROTTLING_QUOTA_EXCEEDED", true, true},
    {kProducerFenced, "PRODUCER_FENCED", false, true},
    {kUnknownTopicId, "UNKNOWN_TOPIC_ID", true, true},
    {kTransactionAbortable, "TRANSACTION_ABORTABLE", false, true},
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
