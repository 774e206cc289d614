// FindCoordinator (key 10): which broker coordinates a transactional id (the
// transaction coordinator, for every transactional request) or a consumer
// group (the group coordinator, for TxnOffsetCommit). Asked of any broker.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

enum class CoordinatorType : int8_t { kGroup = 0, kTransaction = 1 };

// The coordinator of the one key asked for (v4+: Coordinators[0]).
struct FindCoordinatorResponse {
    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    std::string error_message;  // empty when the broker sent none
    int32_t node_id = -1;
    std::string host;
    int32_t port = -1;
};

// Asks for the coordinator of `key` (a transactional id or a group id); v4+
// sends it as the one entry of CoordinatorKeys.
void encode_find_coordinator_request(std::vector<uint8_t> &out, int16_t version,
                                     int32_t correlation_id, std::string_view client_id,
                                     std::string_view key, CoordinatorType type);

// `body` starts right after the correlation id. False if malformed, or if a
// v4+ answer holds no coordinator.
bool decode_find_coordinator_response(const uint8_t *body, size_t size, int16_t version,
                                      FindCoordinatorResponse &out);

}  // namespace kprod::protocol
