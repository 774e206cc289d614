// EndTxn (key 26): asks the transaction coordinator to commit or abort the
// producer's transaction; it then writes the markers to every partition in it.
// From v5 (transaction.version 2) the coordinator bumps the epoch at every
// end and answers with the producer id and epoch for the next transaction.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

struct EndTxnResponse {
    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    int64_t producer_id = -1;     // v5+; -1 before
    int16_t producer_epoch = -1;  // v5+; -1 before
};

// committed: true to commit, false to abort.
void encode_end_txn_request(std::vector<uint8_t> &out, int16_t version, int32_t correlation_id,
                            std::string_view client_id, std::string_view transactional_id,
                            int64_t producer_id, int16_t producer_epoch, bool committed);

// `body` starts right after the correlation id. False if malformed.
bool decode_end_txn_response(const uint8_t *body, size_t size, int16_t version,
                             EndTxnResponse &out);

}  // namespace kprod::protocol
