#include "protocol/broker_side_messages.h"

#include "protocol/error_codes.h"

namespace kprod::protocol {

namespace {
// Kafka's topic-level "unknown" authorized operations (Integer.MIN_VALUE).
constexpr int32_t kOperationsUnknown = -2147483647 - 1;

void write_int32_array(WireWriter &writer, std::initializer_list<int32_t> values, bool flexible) {
    writer.array_length(static_cast<int32_t>(values.size()), flexible);
    for (int32_t v : values) writer.int32(v);
}

// A stable, non-zero topic id (Metadata v10+) derived from the name (FNV-1a).
int64_t topic_id_half(std::string_view name, uint64_t seed) {
    uint64_t hash = seed;
    for (char c : name) hash = (hash ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
    return static_cast<int64_t>(hash | 1);
}
}  // namespace

std::optional<bool> request_is_flexible(ApiKey key, int16_t version) {
    switch (key) {
    case ApiKey::kProduce:
        return is_flexible(kProduceVersions, version);
    case ApiKey::kMetadata:
        return is_flexible(kMetadataVersions, version);
    case ApiKey::kApiVersions:
        return is_flexible(kApiVersionsVersions, version);
    case ApiKey::kInitProducerId:
        return is_flexible(kInitProducerIdVersions, version);
    default:
        return std::nullopt;
    }
}

bool read_request_header(WireReader &reader, RequestHeader &out) {
    reader.int32();  // size
    out.api_key = static_cast<ApiKey>(reader.int16());
    out.version = reader.int16();
    out.correlation_id = reader.int32();
    reader.nullable_string(false);  // client_id: never compact
    const std::optional<bool> flexible = request_is_flexible(out.api_key, out.version);
    if (!flexible) return false;
    reader.skip_tagged_fields(*flexible);
    return reader.ok();
}

size_t begin_answer(WireWriter &writer, const RequestHeader &header) {
    const size_t start = writer.size();
    writer.int32(0);  // size, patched by finish_answer
    writer.int32(header.correlation_id);
    // ApiVersions answers always use response header v0.
    if (header.api_key != ApiKey::kApiVersions)
        writer.empty_tagged_fields(
            request_is_flexible(header.api_key, header.version).value_or(false));
    return start;
}

void finish_answer(WireWriter &writer, size_t start) {
    writer.patch_int32(start, static_cast<int32_t>(writer.size() - start - 4));
}

void write_api_versions_answer(WireWriter &writer, int16_t version,
                               const std::vector<SupportedVersions> &apis) {
    if (version > kApiVersionsVersions.max) {
        writer.int16(kUnsupportedVersion);
        writer.array_length(1, false);
        writer.int16(static_cast<int16_t>(ApiKey::kApiVersions));
        writer.int16(kApiVersionsVersions.min);
        writer.int16(kApiVersionsVersions.max);
        return;
    }
    const bool flexible = is_flexible(kApiVersionsVersions, version);
    writer.int16(kNone);
    writer.array_length(static_cast<int32_t>(apis.size()), flexible);
    for (const SupportedVersions &api : apis) {
        writer.int16(static_cast<int16_t>(api.key));
        writer.int16(api.min);
        writer.int16(api.max);
        writer.empty_tagged_fields(flexible);
    }
    if (version >= 1) writer.int32(0);  // throttle_time_ms
    writer.empty_tagged_fields(flexible);
}

bool read_metadata_request(WireReader &reader, int16_t version, std::vector<std::string> &topics) {
    const bool flexible = is_flexible(kMetadataVersions, version);
    topics.clear();
    const int32_t count = reader.array_length(flexible);
    for (int32_t i = 0; i < count && reader.ok(); ++i) {
        if (version >= 10) reader.skip_bytes(16);  // topic id
        topics.emplace_back(reader.nullable_string(flexible).value_or(""));
        reader.skip_tagged_fields(flexible);
    }
    return reader.ok();
}

void write_metadata_answer(WireWriter &writer, int16_t version, int32_t node_id,
                           std::string_view host, int32_t port,
                           const std::vector<MetadataAnswerTopic> &topics) {
    const bool flexible = is_flexible(kMetadataVersions, version);
    writer.int32(0);  // throttle_time_ms
    writer.array_length(1, flexible);
    writer.int32(node_id);
    writer.string(host, flexible);
    writer.int32(port);
    writer.nullable_string(std::nullopt, flexible);  // rack
    writer.empty_tagged_fields(flexible);
    writer.nullable_string("mock", flexible);  // cluster id
    writer.int32(node_id);                     // controller
    writer.array_length(static_cast<int32_t>(topics.size()), flexible);
    for (const MetadataAnswerTopic &topic : topics) {
        writer.int16(topic.error_code);
        writer.string(topic.name, flexible);
        if (version >= 10) {
            writer.int64(topic_id_half(topic.name, 14695981039346656037ULL));
            writer.int64(topic_id_half(topic.name, 1469598103934665603ULL));
        }
        writer.boolean(false);  // is_internal
        writer.array_length(topic.partitions, flexible);
        for (int32_t p = 0; p < topic.partitions; ++p) {
            writer.int16(kNone);
            writer.int32(p);
            writer.int32(node_id);                                      // leader
            if (version >= 7) writer.int32(0);                          // leader epoch
            write_int32_array(writer, {node_id}, flexible);             // replicas
            write_int32_array(writer, {node_id}, flexible);             // in-sync replicas
            if (version >= 5) write_int32_array(writer, {}, flexible);  // offline replicas
            writer.empty_tagged_fields(flexible);
        }
        if (version >= 8) writer.int32(kOperationsUnknown);
        writer.empty_tagged_fields(flexible);
    }
    if (version >= 8 && version <= 10) writer.int32(kOperationsUnknown);  // cluster operations
    writer.empty_tagged_fields(flexible);
}

bool read_init_producer_id_request(WireReader &reader, int16_t version,
                                   InitProducerIdRequest &out) {
    const bool flexible = is_flexible(kInitProducerIdVersions, version);
    if (auto id = reader.nullable_string(flexible)) out.transactional_id = std::string(*id);
    reader.int32();  // transaction timeout
    if (version >= 3) {
        out.producer_id = reader.int64();
        out.producer_epoch = reader.int16();
    }
    return reader.ok();
}

void write_init_producer_id_answer(WireWriter &writer, int16_t version, int16_t error_code,
                                   int64_t producer_id, int16_t producer_epoch) {
    const bool flexible = is_flexible(kInitProducerIdVersions, version);
    writer.int32(0);  // throttle_time_ms
    writer.int16(error_code);
    writer.int64(producer_id);
    writer.int16(producer_epoch);
    writer.empty_tagged_fields(flexible);
}

bool read_produce_request(WireReader &reader, int16_t version, ProduceRequestData &out) {
    const bool flexible = is_flexible(kProduceVersions, version);
    out.topics.clear();
    reader.nullable_string(flexible);  // transactional id
    out.acks = reader.int16();
    reader.int32();  // timeout
    const int32_t topics = reader.array_length(flexible);
    for (int32_t t = 0; t < topics && reader.ok(); ++t) {
        ProduceRequestTopic &topic = out.topics.emplace_back();
        topic.name = reader.string(flexible);
        const int32_t partitions = reader.array_length(flexible);
        for (int32_t p = 0; p < partitions && reader.ok(); ++p) {
            ProduceRequestPartition &partition = topic.partitions.emplace_back();
            partition.partition = reader.int32();
            partition.records = reader.bytes(flexible);
            reader.skip_tagged_fields(flexible);
        }
        reader.skip_tagged_fields(flexible);
    }
    reader.skip_tagged_fields(flexible);
    return reader.ok();
}

void write_produce_answer(WireWriter &writer, int16_t version,
                          const std::vector<ProduceAnswerTopic> &topics) {
    const bool flexible = is_flexible(kProduceVersions, version);
    writer.array_length(static_cast<int32_t>(topics.size()), flexible);
    for (const ProduceAnswerTopic &topic : topics) {
        writer.string(topic.name, flexible);
        writer.array_length(static_cast<int32_t>(topic.partitions.size()), flexible);
        for (const ProduceAnswerPartition &p : topic.partitions) {
            writer.int32(p.partition);
            writer.int16(p.error_code);
            writer.int64(p.base_offset);
            writer.int64(-1);                   // log_append_time: CreateTime topics
            if (version >= 5) writer.int64(0);  // log_start_offset
            if (version >= 8) {
                writer.array_length(0, flexible);  // record_errors
                if (p.error_message.empty())
                    writer.nullable_string(std::nullopt, flexible);
                else
                    writer.string(p.error_message, flexible);
            }
            writer.empty_tagged_fields(flexible);
        }
        writer.empty_tagged_fields(flexible);
    }
    writer.int32(0);  // throttle_time_ms
    writer.empty_tagged_fields(flexible);
}

}  // namespace kprod::protocol
