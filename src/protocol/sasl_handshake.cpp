#include "protocol/sasl_handshake.h"

namespace kprod::protocol {

void encode_sasl_handshake_request(std::vector<uint8_t> &out, int32_t correlation_id,
                                   std::string_view client_id, std::string_view mechanism) {
    WireWriter writer(out);
    begin_request(writer, ApiKey::kSaslHandshake, kSaslHandshakeVersions.max, false, correlation_id,
                  client_id);
    writer.string(mechanism, false);
    finish_request(writer);
}

bool decode_sasl_handshake_response(const uint8_t *body, size_t size, SaslHandshakeResponse &out) {
    WireReader reader(body, size);
    out.error_code = reader.int16();
    const int32_t count = reader.array_length(false);
    out.enabled_mechanisms.clear();
    for (int32_t i = 0; i < count && reader.ok(); ++i)
        out.enabled_mechanisms.emplace_back(reader.string(false));
    return reader.ok();
}

}  // namespace kprod::protocol
