// Metadata (key 3): which brokers exist and which broker leads each partition.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

struct MetadataResponse {
    struct Broker {
        int32_t node_id;
        std::string host;
        int32_t port;
    };
    struct Partition {
        int16_t error_code;
        int32_t partition;
        int32_t leader_id;
        int32_t leader_epoch;
    };
    struct Topic {
        int16_t error_code;
        std::string name;
        // v10+: the topic's id (0, 0 before), which a topic deleted and made
        // again under the same name does not share.
        int64_t id_high = 0;
        int64_t id_low = 0;
        std::vector<Partition> partitions;
    };
    std::vector<Broker> brokers;
    int32_t controller_id = -1;
    std::vector<Topic> topics;
    // v13+: an error for the whole answer (REBOOTSTRAP_REQUIRED: the client's
    // brokers are not this cluster's any more); kNone before v13.
    int16_t error_code = 0;
};

// Asks for the named topics only (never every topic), without auto-creation.
void encode_metadata_request(std::vector<uint8_t> &out, int16_t version, int32_t correlation_id,
                             std::string_view client_id, const std::vector<std::string> &topics);

// `body` starts right after the correlation id. False if malformed.
bool decode_metadata_response(const uint8_t *body, size_t size, int16_t version,
                              MetadataResponse &out);

}  // namespace kprod::protocol
