// The Kafka APIs kprod speaks, the versions it implements, and the request
// and response headers that frame every message.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/wire.h"

namespace kprod::protocol {

enum class ApiKey : int16_t {
    kProduce = 0,
    kMetadata = 3,
    kFindCoordinator = 10,
    kSaslHandshake = 17,
    kApiVersions = 18,
    kInitProducerId = 22,
    kAddPartitionsToTxn = 24,
    kAddOffsetsToTxn = 25,
    kEndTxn = 26,
    kTxnOffsetCommit = 28,
    kSaslAuthenticate = 36,
};

struct VersionRange {
    int16_t min;
    int16_t max;
    int16_t first_flexible;  // versions from here on use compact fields and tagged fields
};

// What this client implements. The version used is the highest one that both
// sides support (see negotiate_version); anything lower than the broker's
// maximum is a downgrade that Connection logs.
// Produce: v3 is the first with RecordBatch v2; v12 is the newest with topic
// names, and under transaction.version 2 adds partitions to a transaction implicitly.
// Metadata: Kafka 4.0 removed v0-v3; v13 (Kafka 4.0, KIP-1102) adds the
// response's top-level error code, REBOOTSTRAP_REQUIRED.
constexpr VersionRange kProduceVersions{3, 12, 9};
constexpr VersionRange kMetadataVersions{4, 13, 9};
// InitProducerId: v3 is the first that can bump an epoch; v6 adds two-phase commit.
constexpr VersionRange kInitProducerIdVersions{0, 5, 2};
// SaslHandshake v1: the mechanism's messages go in SaslAuthenticate requests
// (v0 sent them raw, for GSSAPI only). Never flexible.
constexpr VersionRange kSaslHandshakeVersions{1, 1, 32767};
// SaslAuthenticate: v1 adds session_lifetime_ms, v2 is flexible.
constexpr VersionRange kSaslAuthenticateVersions{0, 2, 2};
// ApiVersions: v3 is flexible, names the client (ClientSoftwareName/Version,
// KIP-511) and is answered with the finalized features, transaction.version
// among them; v4 only changes SupportedFeatures. A broker without v3 answers
// UNSUPPORTED_VERSION in v0 form, listing its own ApiVersions range, and
// Cluster asks again at the highest version both know.
constexpr VersionRange kApiVersionsVersions{0, 3, 3};

// The transactional producer's APIs. Under transaction.version 2 (KIP-890
// part 2) a transaction bumps the epoch at every commit or abort, and Produce
// v12 and TxnOffsetCommit v5 add their partitions to the transaction
// implicitly; under transaction.version 1, as the Java client does, a
// transaction uses at most EndTxn v4, TxnOffsetCommit v4 and Produce v11.
// FindCoordinator: v1 adds the key type; v4 asks for a batch of keys (we send
// one, CoordinatorKeys, and read Coordinators[0]); v5 may answer
// TRANSACTION_ABORTABLE; v6 adds share groups.
constexpr VersionRange kFindCoordinatorVersions{1, 6, 3};
// AddPartitionsToTxn: v4+ is the brokers' batched form (several transactions,
// VerifyOnly); clients use v0-v3, as the Java client does.
constexpr VersionRange kAddPartitionsToTxnVersions{0, 3, 3};
// AddOffsetsToTxn: v4 may answer TRANSACTION_ABORTABLE.
constexpr VersionRange kAddOffsetsToTxnVersions{0, 4, 3};
// EndTxn: v4 may answer TRANSACTION_ABORTABLE; v5 (transaction.version 2)
// returns the producer id and epoch bumped for the next transaction.
constexpr VersionRange kEndTxnVersions{0, 5, 3};
// TxnOffsetCommit: v2 adds the committed leader epoch, v3 the consumer group
// member (generation, member id, group instance id); v5 (transaction.version
// 2) adds the group's offsets partition to the transaction implicitly.
constexpr VersionRange kTxnOffsetCommitVersions{0, 5, 3};

inline bool is_flexible(VersionRange range, int16_t version) {
    return version >= range.first_flexible;
}

// The highest version both sides support, or -1 if the ranges do not overlap.
inline int16_t negotiate_version(VersionRange ours, int16_t broker_min, int16_t broker_max) {
    int16_t high = ours.max < broker_max ? ours.max : broker_max;
    int16_t low = ours.min > broker_min ? ours.min : broker_min;
    return high >= low ? high : static_cast<int16_t>(-1);
}

// Starts a request in `out`: a 4-byte size placeholder, then request header v1
// (v2 with tagged fields for flexible versions). Call finish_request afterwards.
void begin_request(WireWriter &writer, ApiKey key, int16_t version, bool flexible,
                   int32_t correlation_id, std::string_view client_id);

// Patches the size placeholder: the frame size is everything after it, plus
// `extra_bytes` that will be sent from other buffers (record batches).
void finish_request(WireWriter &writer, size_t extra_bytes = 0);

// Skips the response header after the correlation id (tagged fields of
// flexible versions; ApiVersions responses always use header v0).
void skip_response_header_rest(WireReader &reader, bool flexible);

}  // namespace kprod::protocol
