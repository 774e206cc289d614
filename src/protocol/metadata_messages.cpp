#include "protocol/metadata_messages.h"

#include <algorithm>

namespace kprod::protocol {

void encode_metadata_request(std::vector<uint8_t> &out, int16_t version, int32_t correlation_id,
                             std::string_view client_id, const std::vector<std::string> &topics) {
    const bool flexible = is_flexible(kMetadataVersions, version);
    WireWriter writer(out);
    begin_request(writer, ApiKey::kMetadata, version, flexible, correlation_id, client_id);
    writer.array_length(static_cast<int32_t>(topics.size()), flexible);
    for (const std::string &topic : topics) {
        if (version >= 10) writer.uuid_zero();
        writer.string(topic, flexible);
        writer.empty_tagged_fields(flexible);
    }
    writer.boolean(false);                                     // allow_auto_topic_creation (v4+)
    if (version >= 8 && version <= 10) writer.boolean(false);  // cluster authorized operations
    if (version >= 8) writer.boolean(false);                   // topic authorized operations
    writer.empty_tagged_fields(flexible);
    finish_request(writer);
}

namespace {

void decode_int32_array(WireReader &reader, bool flexible) {
    int32_t n = reader.array_length(flexible);
    for (int32_t i = 0; i < n && reader.ok(); ++i) reader.int32();
}

void decode_partition(WireReader &reader, int16_t version, bool flexible,
                      MetadataResponse::Partition &p) {
    p.error_code = reader.int16();
    p.partition = reader.int32();
    p.leader_id = reader.int32();
    p.leader_epoch = version >= 7 ? reader.int32() : -1;
    decode_int32_array(reader, flexible);                    // replicas
    decode_int32_array(reader, flexible);                    // isr
    if (version >= 5) decode_int32_array(reader, flexible);  // offline replicas
    reader.skip_tagged_fields(flexible);
}

void decode_topic(WireReader &reader, int16_t version, bool flexible, MetadataResponse::Topic &t) {
    t.error_code = reader.int16();
    t.name = std::string(reader.nullable_string(flexible).value_or(""));
    if (version >= 10) {
        t.id_high = reader.int64();
        t.id_low = reader.int64();
    }
    reader.boolean();  // is_internal
    int32_t n = reader.array_length(flexible);
    t.partitions.resize(n > 0 ? static_cast<size_t>(n) : 0);
    for (auto &p : t.partitions) {
        if (!reader.ok()) break;
        decode_partition(reader, version, flexible, p);
    }
    if (version >= 8) reader.int32();  // topic authorized operations
    reader.skip_tagged_fields(flexible);
}

}  // namespace

bool decode_metadata_response(const uint8_t *body, size_t size, int16_t version,
                              MetadataResponse &out) {
    const bool flexible = is_flexible(kMetadataVersions, version);
    WireReader reader(body, size);
    skip_response_header_rest(reader, flexible);
    reader.int32();  // throttle_time_ms
    int32_t brokers = reader.array_length(flexible);
    out.brokers.clear();
    for (int32_t i = 0; i < brokers && reader.ok(); ++i) {
        MetadataResponse::Broker b;
        b.node_id = reader.int32();
        b.host = std::string(reader.string(flexible));
        b.port = reader.int32();
        reader.nullable_string(flexible);  // rack
        reader.skip_tagged_fields(flexible);
        out.brokers.push_back(std::move(b));
    }
    reader.nullable_string(flexible);  // cluster id
    out.controller_id = reader.int32();
    int32_t topics = reader.array_length(flexible);
    out.topics.clear();
    for (int32_t i = 0; i < topics && reader.ok(); ++i) {
        out.topics.emplace_back();
        decode_topic(reader, version, flexible, out.topics.back());
    }
    if (version >= 8 && version <= 10) reader.int32();  // cluster authorized operations
    out.error_code = version >= 13 ? reader.int16() : int16_t{0};
    reader.skip_tagged_fields(flexible);
    // A port that does not fit a TCP port makes the response malformed, not a wrong address.
    const bool ports_valid = std::all_of(out.brokers.begin(), out.brokers.end(), [](const auto &b) {
        return b.port >= 0 && b.port <= 65535;
    });
    return reader.ok() && ports_valid;
}

}  // namespace kprod::protocol
