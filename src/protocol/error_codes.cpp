#include "protocol/error_codes.h"

#include <array>
#include <cstdio>

namespace kprod::protocol {

namespace {

struct ErrorInfo {
    int16_t code;
    const char *name;
    bool retriable;
};

// Names and retriability follow org.apache.kafka.common.protocol.Errors.
constexpr ErrorInfo kErrors[] = {
    {kUnknownServerError, "UNKNOWN_SERVER_ERROR", false},
    {kNone, "NONE", false},
    {kCorruptMessage, "CORRUPT_MESSAGE", true},
    {kUnknownTopicOrPartition, "UNKNOWN_TOPIC_OR_PARTITION", true},
    {kLeaderNotAvailable, "LEADER_NOT_AVAILABLE", true},
    {kNotLeaderOrFollower, "NOT_LEADER_OR_FOLLOWER", true},
    {kRequestTimedOut, "REQUEST_TIMED_OUT", true},
    {kMessageTooLarge, "MESSAGE_TOO_LARGE", false},
    {kNetworkException, "NETWORK_EXCEPTION", true},
    {kRecordListTooLarge, "RECORD_LIST_TOO_LARGE", false},
    {kNotEnoughReplicas, "NOT_ENOUGH_REPLICAS", true},
    {kNotEnoughReplicasAfterAppend, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true},
    {kInvalidRequiredAcks, "INVALID_REQUIRED_ACKS", false},
    {kTopicAuthorizationFailed, "TOPIC_AUTHORIZATION_FAILED", false},
    {kClusterAuthorizationFailed, "CLUSTER_AUTHORIZATION_FAILED", false},
    {kInvalidTimestamp, "INVALID_TIMESTAMP", false},
    {kUnsupportedVersion, "UNSUPPORTED_VERSION", false},
    {kInvalidRequest, "INVALID_REQUEST", false},
    {kUnsupportedForMessageFormat, "UNSUPPORTED_FOR_MESSAGE_FORMAT", false},
    {kPolicyViolation, "POLICY_VIOLATION", false},
    {kOutOfOrderSequenceNumber, "OUT_OF_ORDER_SEQUENCE_NUMBER", false},
    {kDuplicateSequenceNumber, "DUPLICATE_SEQUENCE_NUMBER", false},
    {kInvalidProducerEpoch, "INVALID_PRODUCER_EPOCH", false},
    {kKafkaStorageError, "KAFKA_STORAGE_ERROR", true},
    {kUnknownProducerId, "UNKNOWN_PRODUCER_ID", false},
    {kFencedLeaderEpoch, "FENCED_LEADER_EPOCH", true},
    {kUnknownLeaderEpoch, "UNKNOWN_LEADER_EPOCH", true},
    {kUnsupportedCompressionType, "UNSUPPORTED_COMPRESSION_TYPE", false},
    {kInvalidRecord, "INVALID_RECORD", false},
    {kThrottlingQuotaExceeded, "THROTTLING_QUOTA_EXCEEDED", true},
    {kProducerFenced, "PRODUCER_FENCED", false},
    {kUnknownTopicId, "UNKNOWN_TOPIC_ID", true},
    {kTransactionAbortable, "TRANSACTION_ABORTABLE", false},
};

const ErrorInfo *find(int16_t code) {
    for (const auto &info : kErrors)
        if (info.code == code) return &info;
    return nullptr;
}

}  // namespace

const char *kafka_error_name(int16_t code) {
    if (const ErrorInfo *info = find(code)) return info->name;
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
    switch (code) {
    case kRequestTimedOut:               // appended by the leader, replication timed out
    case kNotEnoughReplicasAfterAppend:  // appended by the leader by definition
    case kNetworkException:
    case kUnknownServerError:
        return true;
    case kNotLeaderOrFollower:  // leadership lost while waiting for the ISR
        return acks == -1;
    default:
        return false;
    }
}

}  // namespace kprod::protocol
