// TxnOffsetCommit (key 28): commits a consumer group's offsets as part of the
// producer's transaction (consume-transform-produce), sent to the group
// coordinator; they become visible when the transaction commits. From v3 the
// request names the group member, so that a zombie member's commit is fenced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

struct TxnOffsetCommitPartition {
    int32_t partition;
    int64_t offset;
    int32_t leader_epoch = -1;  // v2+: of the last consumed record; -1 when unknown
    std::optional<std::string_view> metadata;
};

struct TxnOffsetCommitTopic {
    std::string_view topic;
    std::vector<TxnOffsetCommitPartition> partitions;
};

// The consumer's group metadata, as Java's ConsumerGroupMetadata holds it.
struct ConsumerGroupMetadataView {
    std::string_view group_id;
    int32_t generation_id = -1;
    std::string_view member_id;
    std::optional<std::string_view> group_instance_id;
};

struct TxnOffsetCommitResponse {
    int32_t throttle_time_ms = 0;
    struct Result {
        std::string topic;
        int32_t partition;
        int16_t error_code;
    };
    std::vector<Result> results;  // one per partition, in the broker's order
};

// v0-v2 carry only the group id: the generation, member id and group instance
// id are not sent. The Java client refuses to commit for a group member below
// v3 (the broker could not fence a zombie); that choice is the caller's.
void encode_txn_offset_commit_request(std::vector<uint8_t> &out, int16_t version,
                                      int32_t correlation_id, std::string_view client_id,
                                      std::string_view transactional_id, int64_t producer_id,
                                      int16_t producer_epoch,
                                      const ConsumerGroupMetadataView &group,
                                      const std::vector<TxnOffsetCommitTopic> &topics);

// `body` starts right after the correlation id. False if malformed.
bool decode_txn_offset_commit_response(const uint8_t *body, size_t size, int16_t version,
                                       TxnOffsetCommitResponse &out);

}  // namespace kprod::protocol
