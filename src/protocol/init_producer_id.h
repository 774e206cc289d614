// InitProducerId (key 22): the producer id and epoch that an idempotent
// producer stamps on its batches, so that the broker can drop duplicates and
// detect gaps by sequence number. With a transactional id, sent to the
// transaction coordinator: it fences older producers of that id and aborts
// (or completes) their unfinished transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

struct InitProducerIdResponse {
    int16_t error_code = 0;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
};

// With producer_id/epoch of -1, asks for a new id; with the current ones (v3+),
// asks for the same id with a bumped epoch. transactional_id: std::nullopt for
// an idempotent producer without transactions. transaction_timeout_ms: how
// long the coordinator lets a transaction stay open; ignored without a
// transactional id, but always on the wire.
void encode_init_producer_id_request(std::vector<uint8_t> &out, int16_t version,
                                     int32_t correlation_id, std::string_view client_id,
                                     std::optional<std::string_view> transactional_id,
                                     int32_t transaction_timeout_ms, int64_t producer_id,
                                     int16_t producer_epoch);

// `body` starts right after the correlation id. False if malformed.
bool decode_init_producer_id_response(const uint8_t *body, size_t size, int16_t version,
                                      InitProducerIdResponse &out);

}  // namespace kprod::protocol
