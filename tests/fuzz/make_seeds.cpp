// Writes the seed inputs of the fuzz targets into OUT_DIR/fuzz_response_decoders/
// and OUT_DIR/fuzz_config/: a well-formed response of every kind at every version
// kprod supports, and valid and invalid configurations. The responses are laid
// out by hand from Kafka's message specs (clients/src/main/resources/common/
// message/*Response.json) with WireWriter, and each is decoded before it is
// written, so this also checks the decoders against those layouts (it runs as a
// unit test). The committed corpus started from these seeds; see scripts/fuzz.
// Usage: fuzz_make_seeds OUT_DIR
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "protocol/add_offsets_to_txn.h"
#include "protocol/add_partitions_to_txn.h"
#include "protocol/api_versions.h"
#include "protocol/end_txn.h"
#include "protocol/error_codes.h"
#include "protocol/find_coordinator.h"
#include "protocol/init_producer_id.h"
#include "protocol/metadata_messages.h"
#include "protocol/produce_messages.h"
#include "protocol/txn_offset_commit.h"
#include "response_kinds.h"

namespace {

namespace fs = std::filesystem;
using namespace kprod::protocol;
using Bytes = std::vector<uint8_t>;

void require(bool condition, const std::string &what) {
    if (condition) return;
    std::fprintf(stderr, "make_seeds: %s\n", what.c_str());
    std::exit(1);
}

void write_file(const fs::path &path, const void *data, size_t size) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(static_cast<const char *>(data), static_cast<std::streamsize>(size));
    require(file.good(), "cannot write " + path.string());
}

// One tagged field whose content is written by `content` (KIP-482: tag, size, bytes).
void tagged_field(WireWriter &writer, uint32_t tag,
                  const std::function<void(WireWriter &)> &content) {
    Bytes field;
    WireWriter field_writer(field);
    content(field_writer);
    writer.unsigned_varint(tag);
    writer.unsigned_varint(static_cast<uint32_t>(field.size()));
    writer.raw(field.data(), field.size());
}

// ----- Produce (ProduceResponse.json) ----------------------------------------

struct ProducePartitionSeed {
    int32_t index;
    int16_t error_code;
    int64_t base_offset;
    const char *error_message;  // v8+; nullptr: null
};

void produce_partition(WireWriter &w, int16_t version, bool flexible,
                       const ProducePartitionSeed &p) {
    w.int32(p.index);
    w.int16(p.error_code);
    w.int64(p.base_offset);
    w.int64(-1);                   // log_append_time_ms
    if (version >= 5) w.int64(0);  // log_start_offset
    if (version >= 8) {
        const bool rejected = p.error_code == kInvalidRecord;
        w.array_length(rejected ? 1 : 0, flexible);  // record_errors
        if (rejected) {
            w.int32(0);  // batch_index
            w.nullable_string("record 0 has no key", flexible);
            w.empty_tagged_fields(flexible);
        }
        w.nullable_string(
            p.error_message ? std::optional<std::string_view>(p.error_message) : std::nullopt,
            flexible);
    }
    if (version >= 10 && p.error_code == kNotLeaderOrFollower) {
        w.unsigned_varint(1);
        tagged_field(w, 0, [&](WireWriter &leader) {  // current_leader
            leader.int32(2);                          // leader_id
            leader.int32(7);                          // leader_epoch
            leader.empty_tagged_fields(true);
        });
    } else {
        w.empty_tagged_fields(flexible);
    }
}

Bytes produce_response(int16_t version) {
    const bool flexible = is_flexible(kProduceVersions, version);
    Bytes body;
    WireWriter w(body);
    w.empty_tagged_fields(flexible);  // response header v1
    w.array_length(2, flexible);
    w.string("events", flexible);
    w.array_length(2, flexible);
    produce_partition(w, version, flexible, {0, kNone, 42, nullptr});
    produce_partition(w, version, flexible, {1, kNotLeaderOrFollower, -1, nullptr});
    w.empty_tagged_fields(flexible);
    w.string("logs", flexible);
    w.array_length(1, flexible);
    produce_partition(w, version, flexible,
                      {3, kInvalidRecord, -1, "One or more records have been rejected"});
    w.empty_tagged_fields(flexible);
    w.int32(7);  // throttle_time_ms
    if (version >= 10) {
        w.unsigned_varint(1);
        tagged_field(w, 0, [&](WireWriter &endpoints) {  // node_endpoints
            endpoints.array_length(1, true);
            endpoints.int32(2);
            endpoints.string("broker-2", true);
            endpoints.int32(9092);
            endpoints.nullable_string(std::nullopt, true);  // rack
            endpoints.empty_tagged_fields(true);
        });
    } else {
        w.empty_tagged_fields(flexible);
    }

    ProduceResponse decoded;
    const std::string what = "Produce v" + std::to_string(version);
    require(decode_produce_response(body.data(), body.size(), version, decoded),
            what + " does not decode");
    require(decoded.topics.size() == 2 && decoded.topics[0].name == "events" &&
                decoded.topics[0].partitions.size() == 2 &&
                decoded.topics[0].partitions[0].base_offset == 42 &&
                decoded.topics[1].partitions.at(0).error_code == kInvalidRecord &&
                decoded.topics[1].partitions[0].error_message ==
                    (version >= 8 ? "One or more records have been rejected" : "") &&
                decoded.throttle_time_ms == 7,
            what + " decodes to other values");
    return body;
}

// ----- Metadata (MetadataResponse.json) --------------------------------------

void metadata_int32_array(WireWriter &w, bool flexible, std::initializer_list<int32_t> values) {
    w.array_length(static_cast<int32_t>(values.size()), flexible);
    for (int32_t value : values) w.int32(value);
}

void metadata_partition(WireWriter &w, int16_t version, bool flexible, int32_t index,
                        int32_t leader) {
    w.int16(leader < 0 ? kLeaderNotAvailable : kNone);
    w.int32(index);
    w.int32(leader);
    if (version >= 7) w.int32(5);                             // leader_epoch
    metadata_int32_array(w, flexible, {1, 2});                // replica_nodes
    metadata_int32_array(w, flexible, {1});                   // isr_nodes
    if (version >= 5) metadata_int32_array(w, flexible, {});  // offline_replicas
    w.empty_tagged_fields(flexible);
}

void metadata_topic(WireWriter &w, int16_t version, bool flexible, int16_t error_code,
                    std::string_view name, std::initializer_list<int32_t> leaders) {
    w.int16(error_code);
    w.string(name, flexible);
    if (version >= 10) {
        const uint8_t topic_id[16] = {0x4b, 0x70, 0x72, 0x6f, 0x64, 1, 2,  3,
                                      4,    5,    6,    7,    8,    9, 10, 11};
        w.raw(topic_id, sizeof topic_id);
    }
    w.boolean(false);  // is_internal
    w.array_length(static_cast<int32_t>(leaders.size()), flexible);
    int32_t index = 0;
    for (int32_t leader : leaders) metadata_partition(w, version, flexible, index++, leader);
    if (version >= 8) w.int32(std::numeric_limits<int32_t>::min());  // topic_authorized_operations
    w.empty_tagged_fields(flexible);
}

Bytes metadata_response_body(int16_t version, int32_t port) {
    const bool flexible = is_flexible(kMetadataVersions, version);
    Bytes body;
    WireWriter w(body);
    w.empty_tagged_fields(flexible);  // response header v1
    w.int32(0);                       // throttle_time_ms
    w.array_length(2, flexible);
    const std::optional<std::string_view> racks[] = {"rack-a", std::nullopt};
    for (int32_t node = 1; node <= 2; ++node) {
        w.int32(node);
        w.string("broker-" + std::to_string(node), flexible);
        w.int32(port);
        w.nullable_string(racks[node - 1], flexible);
        w.empty_tagged_fields(flexible);
    }
    w.nullable_string("kprod-fuzz-cluster", flexible);
    w.int32(1);  // controller_id
    w.array_length(2, flexible);
    metadata_topic(w, version, flexible, kNone, "events", {1, 2, -1});
    metadata_topic(w, version, flexible, kUnknownTopicOrPartition, "missing", {});
    if (version >= 8 && version <= 10) w.int32(std::numeric_limits<int32_t>::min());
    if (version >= 13) w.int16(kRebootstrapRequired);  // the top-level error code
    w.empty_tagged_fields(flexible);
    return body;
}

Bytes metadata_response(int16_t version) {
    const Bytes body = metadata_response_body(version, 9092);
    MetadataResponse decoded;
    const std::string what = "Metadata v" + std::to_string(version);
    require(decode_metadata_response(body.data(), body.size(), version, decoded),
            what + " does not decode");
    require(decoded.brokers.size() == 2 && decoded.brokers[1].host == "broker-2" &&
                decoded.controller_id == 1 && decoded.topics.size() == 2 &&
                decoded.topics[0].partitions.size() == 3 &&
                decoded.topics[0].partitions[2].leader_id == -1 &&
                decoded.topics[1].name == "missing" &&
                decoded.topics[1].error_code == kUnknownTopicOrPartition &&
                decoded.error_code == (version >= 13 ? kRebootstrapRequired : kNone),
            what + " decodes to other values");
    // A port no TCP port can be makes the response malformed.
    const Bytes bad_port = metadata_response_body(version, 70000);
    require(!decode_metadata_response(bad_port.data(), bad_port.size(), version, decoded),
            what + " with broker port 70000 decodes");
    return body;
}

// ----- ApiVersions (ApiVersionsResponse.json) --------------------------------

// Header v0 at every version; v3 is flexible and carries the finalized features
// in tagged fields. A broker that does not support our version answers
// UNSUPPORTED_VERSION in the v0 layout whatever version was asked.
Bytes api_versions_response(int16_t version, bool unsupported) {
    struct Range {
        ApiKey key;
        int16_t min, max;
    };
    const Range supported[] = {
        {ApiKey::kProduce, 3, 12},        {ApiKey::kMetadata, 0, 13},
        {ApiKey::kApiVersions, 0, 4},     {ApiKey::kInitProducerId, 0, 5},
        {ApiKey::kFindCoordinator, 0, 6}, {ApiKey::kAddPartitionsToTxn, 0, 5},
        {ApiKey::kAddOffsetsToTxn, 0, 4}, {ApiKey::kEndTxn, 0, 5},
        {ApiKey::kTxnOffsetCommit, 0, 5}};
    const Range fallback[] = {{ApiKey::kApiVersions, 0, 2}};
    const bool flexible = !unsupported && is_flexible(kApiVersionsVersions, version);
    Bytes body;
    WireWriter w(body);
    w.int16(unsupported ? kUnsupportedVersion : kNone);
    const auto ranges =
        unsupported ? std::span<const Range>(fallback) : std::span<const Range>(supported);
    w.array_length(static_cast<int32_t>(ranges.size()), flexible);
    for (const Range &range : ranges) {
        w.int16(static_cast<int16_t>(range.key));
        w.int16(range.min);
        w.int16(range.max);
        w.empty_tagged_fields(flexible);
    }
    if (!unsupported && version >= 1) w.int32(0);  // throttle_time_ms
    if (flexible) {
        w.unsigned_varint(2);
        tagged_field(w, 1, [](WireWriter &f) { f.int64(7); });  // finalized_features_epoch
        tagged_field(w, 2, [](WireWriter &f) {                  // finalized_features
            f.array_length(2, true);
            f.string("metadata.version", true);
            f.int16(27);
            f.int16(27);
            f.empty_tagged_fields(true);
            f.string("transaction.version", true);
            f.int16(2);
            f.int16(2);
            f.empty_tagged_fields(true);
        });
    }

    ApiVersionsResponse decoded;
    int16_t min = 0;
    int16_t max = 0;
    require(decode_api_versions_response(body.data(), body.size(), version, decoded) &&
                decoded.apis.size() == ranges.size() &&
                decoded.find(ApiKey::kApiVersions, min, max) && max == (unsupported ? 2 : 4) &&
                decoded.finalized_feature_level("transaction.version") == (flexible ? 2 : -1),
            "ApiVersions v" + std::to_string(version) + (unsupported ? " (unsupported)" : "") +
                " does not decode as written");
    return body;
}

// ----- InitProducerId (InitProducerIdResponse.json) ---------------------------

Bytes init_producer_id_response(int16_t version) {
    const bool flexible = is_flexible(kInitProducerIdVersions, version);
    Bytes body;
    WireWriter w(body);
    w.empty_tagged_fields(flexible);  // response header v1
    w.int32(0);                       // throttle_time_ms
    w.int16(kNone);
    w.int64(4242);  // producer_id
    w.int16(3);     // producer_epoch
    w.empty_tagged_fields(flexible);

    InitProducerIdResponse decoded;
    require(decode_init_producer_id_response(body.data(), body.size(), version, decoded) &&
                decoded.producer_id == 4242 && decoded.producer_epoch == 3,
            "InitProducerId v" + std::to_string(version) + " does not decode as written");
    return body;
}

// ----- The transactional requests' responses (FindCoordinatorResponse.json,
// AddPartitionsToTxnResponse.json, AddOffsetsToTxnResponse.json,
// EndTxnResponse.json, TxnOffsetCommitResponse.json) --------------------------

Bytes find_coordinator_response(int16_t version) {
    const bool flexible = is_flexible(kFindCoordinatorVersions, version);
    Bytes body;
    WireWriter w(body);
    w.empty_tagged_fields(flexible);  // response header v1
    w.int32(0);                       // throttle_time_ms
    if (version <= 3) {
        w.int16(kNone);
        w.nullable_string(std::nullopt, flexible);  // error_message
        w.int32(2);                                 // node_id
        w.string("broker-2", flexible);
        w.int32(9092);
    } else {
        w.array_length(1, flexible);  // coordinators
        w.string("txn-1", flexible);
        w.int32(2);
        w.string("broker-2", flexible);
        w.int32(9092);
        w.int16(kNone);
        w.nullable_string(std::nullopt, flexible);
        w.empty_tagged_fields(flexible);
    }
    w.empty_tagged_fields(flexible);

    FindCoordinatorResponse decoded;
    require(decode_find_coordinator_response(body.data(), body.size(), version, decoded) &&
                decoded.node_id == 2 && decoded.host == "broker-2" && decoded.port == 9092,
            "FindCoordinator v" + std::to_string(version) + " does not decode as written");
    return body;
}

// AddPartitionsToTxn (v0-v3) and TxnOffsetCommit answer alike: per topic, an
// error per partition.
Bytes partition_errors_response(bool flexible) {
    Bytes body;
    WireWriter w(body);
    w.empty_tagged_fields(flexible);  // response header v1
    w.int32(0);                       // throttle_time_ms
    w.array_length(1, flexible);
    w.string("events", flexible);
    w.array_length(2, flexible);
    for (int32_t partition : {0, 1}) {
        w.int32(partition);
        w.int16(partition == 0 ? kNone : kConcurrentTransactions);
        w.empty_tagged_fields(flexible);
    }
    w.empty_tagged_fields(flexible);
    w.empty_tagged_fields(flexible);
    return body;
}

Bytes add_partitions_to_txn_response(int16_t version) {
    Bytes body = partition_errors_response(is_flexible(kAddPartitionsToTxnVersions, version));
    AddPartitionsToTxnResponse decoded;
    require(decode_add_partitions_to_txn_response(body.data(), body.size(), version, decoded) &&
                decoded.results.size() == 2 &&
                decoded.results[1].error_code == kConcurrentTransactions,
            "AddPartitionsToTxn v" + std::to_string(version) + " does not decode as written");
    return body;
}

Bytes txn_offset_commit_response(int16_t version) {
    Bytes body = partition_errors_response(is_flexible(kTxnOffsetCommitVersions, version));
    TxnOffsetCommitResponse decoded;
    require(decode_txn_offset_commit_response(body.data(), body.size(), version, decoded) &&
                decoded.results.size() == 2 &&
                decoded.results[1].error_code == kConcurrentTransactions,
            "TxnOffsetCommit v" + std::to_string(version) + " does not decode as written");
    return body;
}

Bytes add_offsets_to_txn_response(int16_t version) {
    const bool flexible = is_flexible(kAddOffsetsToTxnVersions, version);
    Bytes body;
    WireWriter w(body);
    w.empty_tagged_fields(flexible);  // response header v1
    w.int32(0);                       // throttle_time_ms
    w.int16(kNone);
    w.empty_tagged_fields(flexible);

    AddOffsetsToTxnResponse decoded;
    require(decode_add_offsets_to_txn_response(body.data(), body.size(), version, decoded) &&
                decoded.error_code == kNone,
            "AddOffsetsToTxn v" + std::to_string(version) + " does not decode as written");
    return body;
}

Bytes end_txn_response(int16_t version) {
    const bool flexible = is_flexible(kEndTxnVersions, version);
    Bytes body;
    WireWriter w(body);
    w.empty_tagged_fields(flexible);  // response header v1
    w.int32(0);                       // throttle_time_ms
    w.int16(kNone);
    if (version >= 5) {
        w.int64(4242);  // producer_id
        w.int16(4);     // producer_epoch
    }
    w.empty_tagged_fields(flexible);

    EndTxnResponse decoded;
    require(decode_end_txn_response(body.data(), body.size(), version, decoded) &&
                decoded.producer_epoch == (version >= 5 ? 4 : -1),
            "EndTxn v" + std::to_string(version) + " does not decode as written");
    return body;
}

// ----- Writing the response seeds ---------------------------------------------

uint8_t kind_byte(ApiKey key) {
    for (size_t i = 0; i < kprod::fuzz::kResponseKindCount; ++i) {
        if (kprod::fuzz::kResponseKinds[i].key == key) return static_cast<uint8_t>(i);
    }
    require(false, "no response kind for an API key");
    return 0;
}

void write_response_seed(const fs::path &dir, const std::string &name, ApiKey key, int16_t version,
                         const Bytes &body) {
    const kprod::fuzz::ResponseKind &kind = kprod::fuzz::response_kind(kind_byte(key));
    Bytes input = {kind_byte(key), static_cast<uint8_t>(version - kind.versions.min)};
    require(kprod::fuzz::response_version(kind, input[1]) == version, "version byte mismatch");
    input.insert(input.end(), body.begin(), body.end());
    write_file(dir / name, input.data(), input.size());
}

void write_response_seeds(const fs::path &dir) {
    for (int16_t v = kProduceVersions.min; v <= kProduceVersions.max; ++v)
        write_response_seed(dir, "produce-v" + std::to_string(v), ApiKey::kProduce, v,
                            produce_response(v));
    for (int16_t v = kMetadataVersions.min; v <= kMetadataVersions.max; ++v)
        write_response_seed(dir, "metadata-v" + std::to_string(v), ApiKey::kMetadata, v,
                            metadata_response(v));
    for (int16_t v = kApiVersionsVersions.min; v <= kApiVersionsVersions.max; ++v)
        write_response_seed(dir, "api-versions-v" + std::to_string(v), ApiKey::kApiVersions, v,
                            api_versions_response(v, false));
    write_response_seed(dir, "api-versions-unsupported", ApiKey::kApiVersions,
                        kApiVersionsVersions.max,
                        api_versions_response(kApiVersionsVersions.max, true));
    for (int16_t v = kInitProducerIdVersions.min; v <= kInitProducerIdVersions.max; ++v)
        write_response_seed(dir, "init-producer-id-v" + std::to_string(v), ApiKey::kInitProducerId,
                            v, init_producer_id_response(v));
    for (int16_t v = kFindCoordinatorVersions.min; v <= kFindCoordinatorVersions.max; ++v)
        write_response_seed(dir, "find-coordinator-v" + std::to_string(v), ApiKey::kFindCoordinator,
                            v, find_coordinator_response(v));
    for (int16_t v = kAddPartitionsToTxnVersions.min; v <= kAddPartitionsToTxnVersions.max; ++v)
        write_response_seed(dir, "add-partitions-to-txn-v" + std::to_string(v),
                            ApiKey::kAddPartitionsToTxn, v, add_partitions_to_txn_response(v));
    for (int16_t v = kAddOffsetsToTxnVersions.min; v <= kAddOffsetsToTxnVersions.max; ++v)
        write_response_seed(dir, "add-offsets-to-txn-v" + std::to_string(v),
                            ApiKey::kAddOffsetsToTxn, v, add_offsets_to_txn_response(v));
    for (int16_t v = kEndTxnVersions.min; v <= kEndTxnVersions.max; ++v)
        write_response_seed(dir, "end-txn-v" + std::to_string(v), ApiKey::kEndTxn, v,
                            end_txn_response(v));
    for (int16_t v = kTxnOffsetCommitVersions.min; v <= kTxnOffsetCommitVersions.max; ++v)
        write_response_seed(dir, "txn-offset-commit-v" + std::to_string(v),
                            ApiKey::kTxnOffsetCommit, v, txn_offset_commit_response(v));
}

// ----- Configuration seeds -----------------------------------------------------

struct ConfigSeed {
    const char *name;
    const char *text;
};

// Valid and invalid values of every kind, and combinations that build() refuses
// or adjusts (see validate() in src/config/config.cpp).
constexpr ConfigSeed kConfigSeeds[] = {
    {"minimal", "bootstrap.servers=localhost:9092\n"},
    {"bootstrap-forms",
     "bootstrap.servers=[::1]:9092, broker-2.example.com:19092 ,[fe80::1%eth0]:9093\n"
     "client.id= \t fuzz \r\n"},
    {"bootstrap-invalid",
     "bootstrap.servers=localhost\nbootstrap.servers=PLAINTEXT://h:1\n"
     "bootstrap.servers=a:1,A:1\nbootstrap.servers=h:0\nbootstrap.servers=h:65536\n"
     "bootstrap.servers=[::1\nbootstrap.servers=::1:9092\nbootstrap.servers=,h:1\n"
     "bootstrap.servers=h:+1\nbootstrap.servers=[]:1\nbootstrap.servers=h*:1\n"
     "bootstrap.servers=\n"},
    {"integers",
     "linger.ms=5\nbatch.size=0\nretries=-1\nsend.buffer.bytes=-1\n"
     "max.request.size=2147483648\nlinger.ms=abc\nlinger.ms= 9223372036854775807 \n"
     "linger.ms=9223372036854775808\nconnections.max.idle.ms=-9223372036854775808\n"
     "compression.gzip.level=-1\ncompression.zstd.level=-131072\nbuffer.memory=+5\n"},
    {"enums",
     "acks=all\nacks=ALL\nacks=-1\nsecurity.protocol=sasl_ssl\ncompression.type=zstd\n"
     "compression.type=brotli\nmetadata.recovery.strategy=REBOOTSTRAP\n"
     "client.dns.lookup=resolve_canonical_bootstrap_servers_only\n"},
    {"booleans",
     "enable.idempotence=TRUE\npartitioner.ignore.keys=yes\n"
     "partitioner.adaptive.partitioning.enable=False\n"},
    {"unknown-names", "linger.msx=5\nlniger.ms=5\nBOOTSTRAP.SERVERS=x:1\n=\nno-equals-line\n"},
    {"idempotence-refused", "bootstrap.servers=h:1\nenable.idempotence=true\nacks=1\n"},
    {"idempotence-turned-off", "bootstrap.servers=h:1\nacks=1\nretries=0\n"},
    {"in-flight-too-many", "bootstrap.servers=h:1\nmax.in.flight.requests.per.connection=6\n"},
    {"delivery-timeout-refused",
     "bootstrap.servers=h:1\nlinger.ms=200000\ndelivery.timeout.ms=1000\n"},
    {"delivery-timeout-raised", "bootstrap.servers=h:1\nlinger.ms=9223372036854775807\n"},
    {"backoffs",
     "bootstrap.servers=h:1\nreconnect.backoff.ms=500\nretry.backoff.ms=5000\n"
     "retry.backoff.max.ms=10\nsocket.connection.setup.timeout.ms=60000\n"},
    {"transactional", "bootstrap.servers=h:1\ntransactional.id=tx-1\n"},
};

void write_config_seeds(const fs::path &dir) {
    for (const ConfigSeed &seed : kConfigSeeds) {
        write_file(dir / seed.name, seed.text, std::string_view(seed.text).size());
    }
    // Every property at its default, as kprod_conf_dump would list them.
    std::string defaults = "bootstrap.servers=localhost:9092\n";
    for (const kprod::client::PropertySpec &spec : kprod::client::property_specs()) {
        if (spec.default_value) {
            defaults += std::string(spec.name) + "=" + std::string(*spec.default_value) + "\n";
        }
    }
    write_file(dir / "defaults", defaults.data(), defaults.size());
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    const fs::path out = argv[1];
    const fs::path responses = out / "fuzz_response_decoders";
    const fs::path config = out / "fuzz_config";
    fs::create_directories(responses);
    fs::create_directories(config);
    write_response_seeds(responses);
    write_config_seeds(config);
    std::printf("make_seeds: wrote %s and %s\n", responses.c_str(), config.c_str());
    return 0;
}
