#include "protocol/find_coordinator.h"

namespace kprod::protocol {

void encode_find_coordinator_request(std::vector<uint8_t> &out, int16_t version,
                                     int32_t correlation_id, std::string_view client_id,
                                     std::string_view key, CoordinatorType type) {
    const bool flexible = is_flexible(kFindCoordinatorVersions, version);
    WireWriter writer(out);
    begin_request(writer, ApiKey::kFindCoordinator, version, flexible, correlation_id, client_id);
    if (version <= 3) writer.string(key, flexible);
    writer.int8(static_cast<int8_t>(type));  // key_type (v1+)
    if (version >= 4) {
        writer.array_length(1, flexible);  // coordinator_keys
        writer.string(key, flexible);
    }
    writer.empty_tagged_fields(flexible);
    finish_request(writer);
}

namespace {

// One entry of Coordinators (v4+).
void decode_coordinator(WireReader &reader, FindCoordinatorResponse &out) {
    reader.string(true);  // key: the one we asked for
    out.node_id = reader.int32();
    out.host = std::string(reader.string(true));
    out.port = reader.int32();
    out.error_code = reader.int16();
    out.error_message = std::string(reader.nullable_string(true).value_or(""));
    reader.skip_tagged_fields(true);
}

}  // namespace

bool decode_find_coordinator_response(const uint8_t *body, size_t size, int16_t version,
                                      FindCoordinatorResponse &out) {
    const bool flexible = is_flexible(kFindCoordinatorVersions, version);
    WireReader reader(body, size);
    skip_response_header_rest(reader, flexible);
    out.throttle_time_ms = reader.int32();
    if (version <= 3) {
        out.error_code = reader.int16();
        out.error_message = std::string(reader.nullable_string(flexible).value_or(""));
        out.node_id = reader.int32();
        out.host = std::string(reader.string(flexible));
        out.port = reader.int32();
    } else {
        const int32_t coordinators = reader.array_length(flexible);
        if (coordinators < 1) reader.mark_failed();
        for (int32_t i = 0; i < coordinators && reader.ok(); ++i) {
            FindCoordinatorResponse other;
            decode_coordinator(reader, i == 0 ? out : other);
        }
    }
    reader.skip_tagged_fields(flexible);
    return reader.ok();
}

}  // namespace kprod::protocol
