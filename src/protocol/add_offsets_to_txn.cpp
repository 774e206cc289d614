#include "protocol/add_offsets_to_txn.h"

namespace kprod::protocol {

void encode_add_offsets_to_txn_request(std::vector<uint8_t> &out, int16_t version,
                                       int32_t correlation_id, std::string_view client_id,
                                       std::string_view transactional_id, int64_t producer_id,
                                       int16_t producer_epoch, std::string_view group_id) {
    const bool flexible = is_flexible(kAddOffsetsToTxnVersions, version);
    WireWriter writer(out);
    begin_request(writer, ApiKey::kAddOffsetsToTxn, version, flexible, correlation_id, client_id);
    writer.string(transactional_id, flexible);
    writer.int64(producer_id);
    writer.int16(producer_epoch);
    writer.string(group_id, flexible);
    writer.empty_tagged_fields(flexible);
    finish_request(writer);
}

bool decode_add_offsets_to_txn_response(const uint8_t *body, size_t size, int16_t version,
                                        AddOffsetsToTxnResponse &out) {
    const bool flexible = is_flexible(kAddOffsetsToTxnVersions, version);
    WireReader reader(body, size);
    skip_response_header_rest(reader, flexible);
    out.throttle_time_ms = reader.int32();
    out.error_code = reader.int16();
    reader.skip_tagged_fields(flexible);
    return reader.ok();
}

}  // namespace kprod::protocol
