// How an input of fuzz_response_decoders is laid out, shared with the seed
// writer (make_seeds.cpp) so that both read the first two bytes the same way:
//   byte 0: which response (index into kResponseKinds, modulo its size)
//   byte 1: which version, as an offset from the kind's lowest supported version
//           (modulo the number of supported versions)
//   rest:   the response body, starting right after the correlation id
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

#include "protocol/api.h"

namespace kprod::fuzz {

struct ResponseKind {
    protocol::ApiKey key;
    protocol::VersionRange versions;
};

inline constexpr ResponseKind kResponseKinds[] = {
    {protocol::ApiKey::kProduce, protocol::kProduceVersions},
    {protocol::ApiKey::kMetadata, protocol::kMetadataVersions},
    {protocol::ApiKey::kApiVersions, protocol::kApiVersionsVersions},
    {protocol::ApiKey::kInitProducerId, protocol::kInitProducerIdVersions},
    {protocol::ApiKey::kFindCoordinator, protocol::kFindCoordinatorVersions},
    {protocol::ApiKey::kAddPartitionsToTxn, protocol::kAddPartitionsToTxnVersions},
    {protocol::ApiKey::kAddOffsetsToTxn, protocol::kAddOffsetsToTxnVersions},
    {protocol::ApiKey::kEndTxn, protocol::kEndTxnVersions},
    {protocol::ApiKey::kTxnOffsetCommit, protocol::kTxnOffsetCommitVersions},
};
inline constexpr size_t kResponseKindCount = std::size(kResponseKinds);
inline constexpr size_t kResponseHeaderBytes = 2;  // the kind and version bytes

inline const ResponseKind &response_kind(uint8_t kind_byte) {
    return kResponseKinds[kind_byte % kResponseKindCount];
}

inline int16_t response_version(const ResponseKind &kind, uint8_t version_byte) {
    const int count = kind.versions.max - kind.versions.min + 1;
    return static_cast<int16_t>(kind.versions.min + version_byte % count);
}

}  // namespace kprod::fuzz
