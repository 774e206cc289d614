#include "protocol/produce_messages.h"

namespace kprod::protocol {

void encode_produce_request(net::OutboundRequest &out, int16_t version, int32_t correlation_id,
                            std::string_view client_id,
                            std::optional<std::string_view> transactional_id, int16_t acks,
                            int32_t timeout_ms, const std::vector<ProduceTopicData> &topics) {
    const bool flexible = is_flexible(kProduceVersions, version);
    WireWriter writer(out.owned);
    size_t external_bytes = 0;
    begin_request(writer, ApiKey::kProduce, version, flexible, correlation_id, client_id);
    writer.nullable_string(transactional_id, flexible);
    writer.int16(acks);
    writer.int32(timeout_ms);
    writer.array_length(static_cast<int32_t>(topics.size()), flexible);
    for (const ProduceTopicData &topic : topics) {
        writer.string(topic.topic, flexible);
        writer.array_length(static_cast<int32_t>(topic.partitions.size()), flexible);
        for (const ProducePartitionData &partition : topic.partitions) {
            writer.int32(partition.partition);
            // records: nullable bytes, compact (length + 1) in flexible versions
            if (flexible)
                writer.unsigned_varint(static_cast<uint32_t>(partition.size + 1));
            else
                writer.int32(static_cast<int32_t>(partition.size));
            out.append_external(partition.records, partition.size);
            external_bytes += partition.size;
            writer.empty_tagged_fields(flexible);
        }
        writer.empty_tagged_fields(flexible);
    }
    writer.empty_tagged_fields(flexible);
    finish_request(writer, external_bytes);
    out.finish();
    out.correlation_id = correlation_id;
    out.expects_response = acks != 0;
}

namespace {

// The tags of ProduceResponse.json (Kafka 4.1): CurrentLeader in a partition's
// answer, NodeEndpoints in the response's own tagged fields.
constexpr uint32_t kCurrentLeaderTag = 0;
constexpr uint32_t kNodeEndpointsTag = 0;

void decode_partition(WireReader &reader, int16_t version, bool flexible,
                      ProduceResponse::Partition &p) {
    p.partition = reader.int32();
    p.error_code = reader.int16();
    p.base_offset = reader.int64();
    p.log_append_time_ms = reader.int64();  // v2+
    if (version >= 5) reader.int64();       // log_start_offset
    p.error_message = {};
    p.record_errors.clear();
    if (version >= 8) {
        int32_t record_errors = reader.array_length(flexible);
        for (int32_t i = 0; i < record_errors && reader.ok(); ++i) {
            ProduceResponse::RecordError error;
            error.batch_index = reader.int32();
            error.message = reader.nullable_string(flexible).value_or("");
            reader.skip_tagged_fields(flexible);
            if (reader.ok()) p.record_errors.push_back(error);
        }
        p.error_message = reader.nullable_string(flexible).value_or("");
    }
    p.current_leader = {};
    if (!flexible) return;
    reader.read_tagged_fields([&](uint32_t tag, WireReader &field) {
        if (tag != kCurrentLeaderTag || version < 10) return;
        p.current_leader.leader_id = field.int32();
        p.current_leader.leader_epoch = field.int32();
        field.skip_tagged_fields(true);
    });
}

// NodeEndpoints: an array of (NodeId, Host, Port, Rack), compact and tagged.
void decode_node_endpoints(WireReader &field, std::vector<ProduceResponse::NodeEndpoint> &out) {
    const int32_t count = field.array_length(true);
    for (int32_t i = 0; i < count && field.ok(); ++i) {
        ProduceResponse::NodeEndpoint endpoint;
        endpoint.node_id = field.int32();
        endpoint.host = field.string(true);
        endpoint.port = field.int32();
        field.nullable_string(true);  // rack
        field.skip_tagged_fields(true);
        if (field.ok()) out.push_back(endpoint);
    }
}

}  // namespace

bool decode_produce_response(const uint8_t *body, size_t size, int16_t version,
                             ProduceResponse &out) {
    const bool flexible = is_flexible(kProduceVersions, version);
    WireReader reader(body, size);
    skip_response_header_rest(reader, flexible);
    int32_t topics = reader.array_length(flexible);
    out.topics.clear();
    for (int32_t t = 0; t < topics && reader.ok(); ++t) {
        ProduceResponse::Topic topic;
        topic.name = reader.string(flexible);
        int32_t partitions = reader.array_length(flexible);
        for (int32_t p = 0; p < partitions && reader.ok(); ++p) {
            topic.partitions.emplace_back();
            decode_partition(reader, version, flexible, topic.partitions.back());
        }
        reader.skip_tagged_fields(flexible);
        out.topics.push_back(std::move(topic));
    }
    out.throttle_time_ms = reader.int32();
    out.node_endpoints.clear();
    if (flexible)
        reader.read_tagged_fields([&](uint32_t tag, WireReader &field) {
            if (tag == kNodeEndpointsTag && version >= 10)
                decode_node_endpoints(field, out.node_endpoints);
        });
    return reader.ok();
}

}  // namespace kprod::protocol
