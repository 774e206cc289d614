#include "protocol/api_versions.h"

namespace kprod::protocol {

bool ApiVersionsResponse::find(ApiKey key, int16_t &min, int16_t &max) const {
    for (const Range &range : apis) {
        if (range.key == static_cast<int16_t>(key)) {
            min = range.min;
            max = range.max;
            return true;
        }
    }
    return false;
}

void encode_api_versions_request(std::vector<uint8_t> &out, int32_t correlation_id,
                                 std::string_view client_id) {
    WireWriter writer(out);
    begin_request(writer, ApiKey::kApiVersions, kApiVersionsVersions.max, false, correlation_id,
                  client_id);
    finish_request(writer);
}

bool decode_api_versions_response(const uint8_t *body, size_t size, ApiVersionsResponse &out) {
    WireReader reader(body, size);
    out.error_code = reader.int16();
    int32_t count = reader.array_length(false);
    out.apis.clear();
    for (int32_t i = 0; i < count && reader.ok(); ++i) {
        ApiVersionsResponse::Range range;
        range.key = reader.int16();
        range.min = reader.int16();
        range.max = reader.int16();
        out.apis.push_back(range);
    }
    // A broker that does not know our version answers with v0 (no throttle time).
    if (out.error_code == 0) reader.int32();
    return reader.ok();
}

}  // namespace kprod::protocol
