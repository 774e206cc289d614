// ApiVersions (key 18): the first request on every connection; its answer
// says which versions of every API the broker supports.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

struct ApiVersionsResponse {
    int16_t error_code = 0;
    struct Range {
        int16_t key, min, max;
    };
    std::vector<Range> apis;

    // The broker's range for `key`, or false if it does not offer that API.
    bool find(ApiKey key, int16_t &min, int16_t &max) const;
};

void encode_api_versions_request(std::vector<uint8_t> &out, int32_t correlation_id,
                                 std::string_view client_id);

// `body` starts right after the correlation id. False if malformed.
bool decode_api_versions_response(const uint8_t *body, size_t size, ApiVersionsResponse &out);

}  // namespace kprod::protocol
