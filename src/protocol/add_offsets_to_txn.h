// AddOffsetsToTxn (key 25): tells the transaction coordinator that the
// transaction will commit offsets of a consumer group, so that it adds the
// group's offsets partition to the transaction. Sent before TxnOffsetCommit
// under transaction.version 1 (TxnOffsetCommit v5 does it itself under 2).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

struct AddOffsetsToTxnResponse {
    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
};

void encode_add_offsets_to_txn_request(std::vector<uint8_t> &out, int16_t version,
                                       int32_t correlation_id, std::string_view client_id,
                                       std::string_view transactional_id, int64_t producer_id,
                                       int16_t producer_epoch, std::string_view group_id);

// `body` starts right after the correlation id. False if malformed.
bool decode_add_offsets_to_txn_response(const uint8_t *body, size_t size, int16_t version,
                                        AddOffsetsToTxnResponse &out);

}  // namespace kprod::protocol
