#include "protocol/add_partitions_to_txn.h"

namespace kprod::protocol {

void encode_add_partitions_to_txn_request(std::vector<uint8_t> &out, int16_t version,
                                          int32_t correlation_id, std::string_view client_id,
                                          std::string_view transactional_id, int64_t producer_id,
                                          int16_t producer_epoch,
                                          const std::vector<TxnTopicPartitions> &topics) {
    const bool flexible = is_flexible(kAddPartitionsToTxnVersions, version);
    WireWriter writer(out);
    begin_request(writer, ApiKey::kAddPartitionsToTxn, version, flexible, correlation_id,
                  client_id);
    writer.string(transactional_id, flexible);
    writer.int64(producer_id);
    writer.int16(producer_epoch);
    writer.array_length(static_cast<int32_t>(topics.size()), flexible);
    for (const TxnTopicPartitions &topic : topics) {
        writer.string(topic.topic, flexible);
        writer.array_length(static_cast<int32_t>(topic.partitions.size()), flexible);
        for (int32_t partition : topic.partitions) writer.int32(partition);
        writer.empty_tagged_fields(flexible);
    }
    writer.empty_tagged_fields(flexible);
    finish_request(writer);
}

bool decode_add_partitions_to_txn_response(const uint8_t *body, size_t size, int16_t version,
                                           AddPartitionsToTxnResponse &out) {
    const bool flexible = is_flexible(kAddPartitionsToTxnVersions, version);
    WireReader reader(body, size);
    skip_response_header_rest(reader, flexible);
    out.throttle_time_ms = reader.int32();
    out.results.clear();
    const int32_t topics = reader.array_length(flexible);  // results_by_topic_v3_and_below
    for (int32_t t = 0; t < topics && reader.ok(); ++t) {
        const std::string_view topic = reader.string(flexible);
        const int32_t partitions = reader.array_length(flexible);
        for (int32_t p = 0; p < partitions && reader.ok(); ++p) {
            AddPartitionsToTxnResponse::Result result;
            result.topic = std::string(topic);
            result.partition = reader.int32();
            result.error_code = reader.int16();
            reader.skip_tagged_fields(flexible);
            if (reader.ok()) out.results.push_back(std::move(result));
        }
        reader.skip_tagged_fields(flexible);
    }
    reader.skip_tagged_fields(flexible);
    return reader.ok();
}

}  // namespace kprod::protocol
