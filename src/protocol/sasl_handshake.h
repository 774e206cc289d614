// SaslHandshake (key 17), v1: the client names its SASL mechanism; the broker
// answers with an error when it does not enable it, and its list of enabled
// mechanisms. Sent after ApiVersions on SASL_PLAINTEXT and SASL_SSL connections.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

struct SaslHandshakeResponse {
    int16_t error_code = 0;
    std::vector<std::string> enabled_mechanisms;
};

void encode_sasl_handshake_request(std::vector<uint8_t> &out, int32_t correlation_id,
                                   std::string_view client_id, std::string_view mechanism);

// `body` starts right after the correlation id. False if malformed.
bool decode_sasl_handshake_response(const uint8_t *body, size_t size, SaslHandshakeResponse &out);

}  // namespace kprod::protocol
