// Produce (key 0): record batches for many partitions, and the broker's
// per-partition answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "net/outbound_request.h"
#include "protocol/api.h"

namespace kprod::protocol {

struct ProducePartitionData {
    int32_t partition;
    const uint8_t *records;  // a sealed RecordBatch, pointed to, not copied
    size_t size;
};

struct ProduceTopicData {
    std::string_view topic;
    std::vector<ProducePartitionData> partitions;
};

struct ProduceResponse {
    // KIP-951 (v10+): with NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH the
    // broker names the leader it knows (tagged field CurrentLeader); -1 when
    // it sent none or knows none.
    struct LeaderHint {
        int32_t leader_id = -1;
        int32_t leader_epoch = -1;
    };
    // KIP-467 (v8+): a record of the batch the broker refused, and why.
    struct RecordError {
        int32_t batch_index;
        std::string_view message;  // points into the response body; empty when null
    };
    struct Partition {
        int32_t partition;
        int16_t error_code;
        int64_t base_offset;
        int64_t log_append_time_ms;
        std::vector<RecordError> record_errors;
        std::string_view error_message;  // points into the response body
        LeaderHint current_leader;
    };
    struct Topic {
        std::string_view name;  // points into the response body
        std::vector<Partition> partitions;
    };
    // KIP-951 (v10+, tagged field NodeEndpoints): the address of each leader
    // the partitions' hints name.
    struct NodeEndpoint {
        int32_t node_id;
        std::string_view host;  // points into the response body
        int32_t port;
    };
    std::vector<Topic> topics;
    int32_t throttle_time_ms = 0;
    std::vector<NodeEndpoint> node_endpoints;
};

// Frames a Produce request into `out`: framing bytes owned by `out`, record
// batches referenced in place. acks == 0 requests get no response.
// transactional_id: the producer's transactional.id when the batches are
// transactional, else std::nullopt.
void encode_produce_request(net::OutboundRequest &out, int16_t version, int32_t correlation_id,
                            std::string_view client_id,
                            std::optional<std::string_view> transactional_id, int16_t acks,
                            int32_t timeout_ms, const std::vector<ProduceTopicData> &topics);

// `body` starts right after the correlation id. False if malformed.
bool decode_produce_response(const uint8_t *body, size_t size, int16_t version,
                             ProduceResponse &out);

}  // namespace kprod::protocol
