// ApiVersions (key 18): the first request on every connection; its answer
// says which versions of every API the broker supports and, from v3, the
// cluster's finalized features (transaction.version among them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

struct ApiVersionsResponse {
    int16_t error_code = 0;
    struct Range {
        int16_t key, min, max;
    };
    // With UNSUPPORTED_VERSION, the broker's ApiVersions range (at least).
    std::vector<Range> apis;
    int32_t throttle_time_ms = 0;  // v1+
    // v3+: cluster-wide feature levels, valid when the epoch is >= 0.
    int64_t finalized_features_epoch = -1;
    struct FinalizedFeature {
        std::string name;
        int16_t max_version_level;
        int16_t min_version_level;
    };
    std::vector<FinalizedFeature> finalized_features;

    // The broker's range for `key`, or false if it does not offer that API.
    bool find(ApiKey key, int16_t &min, int16_t &max) const;
    // The finalized max level of feature `name` ("transaction.version"), or -1
    // when the broker lists none (before v3, or a feature at level 0).
    int16_t finalized_feature_level(std::string_view name) const;
};

// v3+ also names the client: ClientSoftwareName "kprod", ClientSoftwareVersion
// kprod's version.
void encode_api_versions_request(std::vector<uint8_t> &out, int16_t version, int32_t correlation_id,
                                 std::string_view client_id);

// `body` starts right after the correlation id: ApiVersions responses always
// use response header v0, even when the body is flexible (v3+). A broker that
// does not support `version` answers UNSUPPORTED_VERSION in v0 form, whatever
// version was asked: error_code is then 35 and `apis` holds its ranges.
// False if malformed.
bool decode_api_versions_response(const uint8_t *body, size_t size, int16_t version,
                                  ApiVersionsResponse &out);

}  // namespace kprod::protocol
