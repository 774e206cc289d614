#include "protocol/api_versions.h"

#include "kprod.h"
#include "protocol/error_codes.h"

namespace kprod::protocol {

namespace {

// The broker refuses names and versions with characters other than letters,
// digits, '-' and '.' (KIP-511); "1.0.0" is kprod_version_str().
constexpr std::string_view kClientSoftwareName = "kprod";

// Tags of ApiVersionsResponse's tagged fields (v3+).
constexpr uint32_t kTagFinalizedFeaturesEpoch = 1;
constexpr uint32_t kTagFinalizedFeatures = 2;

void decode_finalized_features(WireReader &reader, ApiVersionsResponse &out) {
    const int32_t count = reader.array_length(true);
    for (int32_t i = 0; i < count && reader.ok(); ++i) {
        ApiVersionsResponse::FinalizedFeature feature;
        feature.name = std::string(reader.string(true));
        feature.max_version_level = reader.int16();
        feature.min_version_level = reader.int16();
        reader.skip_tagged_fields(true);
        if (reader.ok()) out.finalized_features.push_back(std::move(feature));
    }
}

}  // namespace

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

int16_t ApiVersionsResponse::finalized_feature_level(std::string_view name) const {
    for (const FinalizedFeature &feature : finalized_features)
        if (feature.name == name) return feature.max_version_level;
    return -1;
}

void encode_api_versions_request(std::vector<uint8_t> &out, int16_t version, int32_t correlation_id,
                                 std::string_view client_id) {
    const bool flexible = is_flexible(kApiVersionsVersions, version);
    WireWriter writer(out);
    begin_request(writer, ApiKey::kApiVersions, version, flexible, correlation_id, client_id);
    if (version >= 3) {
        writer.string(kClientSoftwareName, flexible);
        writer.string(kprod_version_str(), flexible);
    }
    writer.empty_tagged_fields(flexible);
    finish_request(writer);
}

bool decode_api_versions_response(const uint8_t *body, size_t size, int16_t version,
                                  ApiVersionsResponse &out) {
    WireReader reader(body, size);
    out.error_code = reader.int16();
    out.apis.clear();
    out.throttle_time_ms = 0;
    out.finalized_features_epoch = -1;
    out.finalized_features.clear();
    // The broker could not read our version, so it answered in v0 (KIP-511).
    if (out.error_code == kUnsupportedVersion) version = 0;
    const bool flexible = is_flexible(kApiVersionsVersions, version);
    const int32_t count = reader.array_length(flexible);
    for (int32_t i = 0; i < count && reader.ok(); ++i) {
        ApiVersionsResponse::Range range;
        range.key = reader.int16();
        range.min = reader.int16();
        range.max = reader.int16();
        reader.skip_tagged_fields(flexible);
        out.apis.push_back(range);
    }
    if (version >= 1) out.throttle_time_ms = reader.int32();
    if (flexible) {
        reader.read_tagged_fields([&out](uint32_t tag, WireReader &field) {
            if (tag == kTagFinalizedFeaturesEpoch)
                out.finalized_features_epoch = field.int64();
            else if (tag == kTagFinalizedFeatures)
                decode_finalized_features(field, out);
        });
    }
    return reader.ok();
}

}  // namespace kprod::protocol
