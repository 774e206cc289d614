// SaslAuthenticate (key 36), v0-v2: carries one SASL mechanism message each
// way. The broker's answer holds an error (SASL_AUTHENTICATION_FAILED with a
// message saying why), its next mechanism message, and from v1 how long the
// session may last before the client must authenticate again (KIP-368).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

struct SaslAuthenticateResponse {
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    std::string auth_bytes;
    int64_t session_lifetime_ms = 0;  // 0: no limit (and always 0 before v1)
};

void encode_sasl_authenticate_request(std::vector<uint8_t> &out, int16_t version,
                                      int32_t correlation_id, std::string_view client_id,
                                      std::string_view auth_bytes);

// `body` starts right after the correlation id. False if malformed.
bool decode_sasl_authenticate_response(const uint8_t *body, size_t size, int16_t version,
                                       SaslAuthenticateResponse &out);

}  // namespace kprod::protocol
