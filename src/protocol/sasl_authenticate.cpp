#include "protocol/sasl_authenticate.h"

namespace kprod::protocol {

void encode_sasl_authenticate_request(std::vector<uint8_t> &out, int16_t version,
                                      int32_t correlation_id, std::string_view client_id,
                                      std::string_view auth_bytes) {
    const bool flexible = is_flexible(kSaslAuthenticateVersions, version);
    WireWriter writer(out);
    begin_request(writer, ApiKey::kSaslAuthenticate, version, flexible, correlation_id, client_id);
    writer.bytes(auth_bytes, flexible);
    writer.empty_tagged_fields(flexible);
    finish_request(writer);
}

bool decode_sasl_authenticate_response(const uint8_t *body, size_t size, int16_t version,
                                       SaslAuthenticateResponse &out) {
    const bool flexible = is_flexible(kSaslAuthenticateVersions, version);
    WireReader reader(body, size);
    skip_response_header_rest(reader, flexible);
    out.error_code = reader.int16();
    const std::optional<std::string_view> message = reader.nullable_string(flexible);
    out.error_message = message ? std::optional<std::string>(*message) : std::nullopt;
    out.auth_bytes = std::string(reader.bytes(flexible));
    out.session_lifetime_ms = version >= 1 ? reader.int64() : 0;
    reader.skip_tagged_fields(flexible);
    return reader.ok();
}

}  // namespace kprod::protocol
