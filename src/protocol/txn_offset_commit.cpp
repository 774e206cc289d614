#include "protocol/txn_offset_commit.h"

namespace kprod::protocol {

namespace {

void encode_topic(WireWriter &writer, int16_t version, bool flexible,
                  const TxnOffsetCommitTopic &topic) {
    writer.string(topic.topic, flexible);
    writer.array_length(static_cast<int32_t>(topic.partitions.size()), flexible);
    for (const TxnOffsetCommitPartition &partition : topic.partitions) {
        writer.int32(partition.partition);
        writer.int64(partition.offset);
        if (version >= 2) writer.int32(partition.leader_epoch);
        writer.nullable_string(partition.metadata, flexible);
        writer.empty_tagged_fields(flexible);
    }
    writer.empty_tagged_fields(flexible);
}

}  // namespace

void encode_txn_offset_commit_request(std::vector<uint8_t> &out, int16_t version,
                                      int32_t correlation_id, std::string_view client_id,
                                      std::string_view transactional_id, int64_t producer_id,
                                      int16_t producer_epoch,
                                      const ConsumerGroupMetadataView &group,
                                      const std::vector<TxnOffsetCommitTopic> &topics) {
    const bool flexible = is_flexible(kTxnOffsetCommitVersions, version);
    WireWriter writer(out);
    begin_request(writer, ApiKey::kTxnOffsetCommit, version, flexible, correlation_id, client_id);
    writer.string(transactional_id, flexible);
    writer.string(group.group_id, flexible);
    writer.int64(producer_id);
    writer.int16(producer_epoch);
    if (version >= 3) {
        writer.int32(group.generation_id);
        writer.string(group.member_id, flexible);
        writer.nullable_string(group.group_instance_id, flexible);
    }
    writer.array_length(static_cast<int32_t>(topics.size()), flexible);
    for (const TxnOffsetCommitTopic &topic : topics) encode_topic(writer, version, flexible, topic);
    writer.empty_tagged_fields(flexible);
    finish_request(writer);
}

bool decode_txn_offset_commit_response(const uint8_t *body, size_t size, int16_t version,
                                       TxnOffsetCommitResponse &out) {
    const bool flexible = is_flexible(kTxnOffsetCommitVersions, version);
    WireReader reader(body, size);
    skip_response_header_rest(reader, flexible);
    out.throttle_time_ms = reader.int32();
    out.results.clear();
    const int32_t topics = reader.array_length(flexible);
    for (int32_t t = 0; t < topics && reader.ok(); ++t) {
        const std::string_view topic = reader.string(flexible);
        const int32_t partitions = reader.array_length(flexible);
        for (int32_t p = 0; p < partitions && reader.ok(); ++p) {
            TxnOffsetCommitResponse::Result result;
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
