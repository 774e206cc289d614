#include "protocol/init_producer_id.h"

namespace kprod::protocol {

void encode_init_producer_id_request(std::vector<uint8_t> &out, int16_t version,
                                     int32_t correlation_id, std::string_view client_id,
                                     std::optional<std::string_view> transactional_id,
                                     int32_t transaction_timeout_ms, int64_t producer_id,
                                     int16_t producer_epoch) {
    const bool flexible = is_flexible(kInitProducerIdVersions, version);
    WireWriter writer(out);
    begin_request(writer, ApiKey::kInitProducerId, version, flexible, correlation_id, client_id);
    writer.nullable_string(transactional_id, flexible);
    writer.int32(transaction_timeout_ms);
    if (version >= 3) {
        writer.int64(producer_id);
        writer.int16(producer_epoch);
    }
    writer.empty_tagged_fields(flexible);
    finish_request(writer);
}

bool decode_init_producer_id_response(const uint8_t *body, size_t size, int16_t version,
                                      InitProducerIdResponse &out) {
    const bool flexible = is_flexible(kInitProducerIdVersions, version);
    WireReader reader(body, size);
    skip_response_header_rest(reader, flexible);
    reader.int32();  // throttle_time_ms
    out.error_code = reader.int16();
    out.producer_id = reader.int64();
    out.producer_epoch = reader.int16();
    reader.skip_tagged_fields(flexible);
    return reader.ok();
}

}  // namespace kprod::protocol
