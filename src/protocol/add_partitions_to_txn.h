// AddPartitionsToTxn (key 24), v0-v3: adds partitions to the producer's
// ongoing transaction, sent to the transaction coordinator before the first
// Produce to each partition under transaction.version 1 (under version 2,
// Produce v12 adds them itself). v4+ is the brokers' batched form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

struct TxnTopicPartitions {
    std::string_view topic;
    std::vector<int32_t> partitions;
};

struct AddPartitionsToTxnResponse {
    int32_t throttle_time_ms = 0;
    struct Result {
        std::string topic;
        int32_t partition;
        int16_t error_code;
    };
    std::vector<Result> results;  // one per partition, in the broker's order
};

void encode_add_partitions_to_txn_request(std::vector<uint8_t> &out, int16_t version,
                                          int32_t correlation_id, std::string_view client_id,
                                          std::string_view transactional_id, int64_t producer_id,
                                          int16_t producer_epoch,
                                          const std::vector<TxnTopicPartitions> &topics);

// `body` starts right after the correlation id. False if malformed.
bool decode_add_partitions_to_txn_response(const uint8_t *body, size_t size, int16_t version,
                                           AddPartitionsToTxnResponse &out);

}  // namespace kprod::protocol
