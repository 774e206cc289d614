// Fuzz target over the response decoders of src/protocol: Produce, Metadata,
// ApiVersions, InitProducerId and the transactional ones (FindCoordinator,
// AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit), at every
// version kprod negotiates. The input
// layout is in response_kinds.h. Every decoded value is read afterwards (strings
// byte by byte) so that the sanitizers see any value that points outside the
// input, and the values the Sender and Cluster act on go through the same
// helpers they use (error names, version negotiation).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

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

using namespace kprod::protocol;

// Folds everything read into one number that ends in a volatile store, so the
// compiler cannot drop the reads.
class Checksum {
public:
    void add(uint64_t value) { sum_ = (sum_ ^ value) * 0x100000001b3u; }
    void add(std::string_view text) {
        add(text.size());
        for (char c : text) add(static_cast<uint8_t>(c));
    }
    void add_error(int16_t code) {
        add(static_cast<uint16_t>(code));
        add(std::string_view(kafka_error_name(code)));
        add(kafka_error_is_retriable(code));
        add(kafka_error_invalidates_metadata(code));
        add(kafka_error_may_have_persisted(code, -1));
        add(kafka_error_may_have_persisted(code, 1));
    }
    void publish() const { sink_ = sum_; }

private:
    uint64_t sum_ = 0xcbf29ce484222325u;
    static inline volatile uint64_t sink_ = 0;
};

// Produce responses keep views into the body: they must stay inside it.
void require_inside(std::string_view text, const uint8_t *body, size_t size) {
    if (text.empty()) return;
    const auto *first = reinterpret_cast<const uint8_t *>(text.data());
    if (first < body || text.size() > size || first > body + (size - text.size())) std::abort();
}

void read_produce(const uint8_t *body, size_t size, int16_t version, Checksum &sum) {
    ProduceResponse response;
    const bool ok = decode_produce_response(body, size, version, response);
    sum.add(ok);
    sum.add(static_cast<uint32_t>(response.throttle_time_ms));
    for (const ProduceResponse::Topic &topic : response.topics) {
        require_inside(topic.name, body, size);
        sum.add(topic.name);
        for (const ProduceResponse::Partition &p : topic.partitions) {
            require_inside(p.error_message, body, size);
            sum.add(static_cast<uint32_t>(p.partition));
            sum.add_error(p.error_code);
            sum.add(static_cast<uint64_t>(p.base_offset));
            sum.add(static_cast<uint64_t>(p.log_append_time_ms));
            sum.add(p.error_message);
        }
    }
}

void read_metadata(const uint8_t *body, size_t size, int16_t version, Checksum &sum) {
    MetadataResponse response;
    const bool ok = decode_metadata_response(body, size, version, response);
    sum.add(ok);
    sum.add(static_cast<uint32_t>(response.controller_id));
    for (const MetadataResponse::Broker &broker : response.brokers) {
        sum.add(static_cast<uint32_t>(broker.node_id));
        sum.add(broker.host);
        sum.add(static_cast<uint32_t>(broker.port));
    }
    for (const MetadataResponse::Topic &topic : response.topics) {
        sum.add_error(topic.error_code);
        sum.add(topic.name);
        for (const MetadataResponse::Partition &p : topic.partitions) {
            sum.add_error(p.error_code);
            sum.add(static_cast<uint32_t>(p.partition));
            sum.add(static_cast<uint32_t>(p.leader_id));
            sum.add(static_cast<uint32_t>(p.leader_epoch));
        }
    }
}

void read_api_versions(const uint8_t *body, size_t size, int16_t version, Checksum &sum) {
    ApiVersionsResponse response;
    const bool ok = decode_api_versions_response(body, size, version, response);
    sum.add(ok);
    sum.add_error(response.error_code);
    sum.add(static_cast<uint32_t>(response.throttle_time_ms));
    for (const ApiVersionsResponse::Range &range : response.apis) {
        sum.add(static_cast<uint16_t>(range.key));
        sum.add(static_cast<uint16_t>(range.min));
        sum.add(static_cast<uint16_t>(range.max));
    }
    sum.add(static_cast<uint64_t>(response.finalized_features_epoch));
    for (const ApiVersionsResponse::FinalizedFeature &feature : response.finalized_features) {
        sum.add(feature.name);
        sum.add(static_cast<uint16_t>(feature.max_version_level));
        sum.add(static_cast<uint16_t>(feature.min_version_level));
    }
    sum.add(static_cast<uint16_t>(response.finalized_feature_level("transaction.version")));
    // As Cluster::on_api_versions does with the answer.
    for (const kprod::fuzz::ResponseKind &kind : kprod::fuzz::kResponseKinds) {
        int16_t min = 0;
        int16_t max = -1;
        sum.add(response.find(kind.key, min, max));
        const int16_t chosen = negotiate_version(kind.versions, min, max);
        if (chosen != -1 && (chosen < kind.versions.min || chosen > kind.versions.max ||
                             chosen < min || chosen > max)) {
            std::abort();  // negotiated a version one side does not support
        }
        sum.add(static_cast<uint16_t>(chosen));
    }
}

void read_init_producer_id(const uint8_t *body, size_t size, int16_t version, Checksum &sum) {
    InitProducerIdResponse response;
    const bool ok = decode_init_producer_id_response(body, size, version, response);
    sum.add(ok);
    sum.add_error(response.error_code);
    sum.add(static_cast<uint64_t>(response.producer_id));
    sum.add(static_cast<uint16_t>(response.producer_epoch));
}

void read_find_coordinator(const uint8_t *body, size_t size, int16_t version, Checksum &sum) {
    FindCoordinatorResponse response;
    const bool ok = decode_find_coordinator_response(body, size, version, response);
    sum.add(ok);
    sum.add(static_cast<uint32_t>(response.throttle_time_ms));
    sum.add_error(response.error_code);
    sum.add(response.error_message);
    sum.add(static_cast<uint32_t>(response.node_id));
    sum.add(response.host);
    sum.add(static_cast<uint32_t>(response.port));
}

// AddPartitionsToTxn and TxnOffsetCommit answer alike: an error per partition.
template <typename Response>
void read_partition_results(const Response &response, bool ok, Checksum &sum) {
    sum.add(ok);
    sum.add(static_cast<uint32_t>(response.throttle_time_ms));
    for (const auto &result : response.results) {
        sum.add(result.topic);
        sum.add(static_cast<uint32_t>(result.partition));
        sum.add_error(result.error_code);
    }
}

void read_add_partitions_to_txn(const uint8_t *body, size_t size, int16_t version, Checksum &sum) {
    AddPartitionsToTxnResponse response;
    const bool ok = decode_add_partitions_to_txn_response(body, size, version, response);
    read_partition_results(response, ok, sum);
}

void read_txn_offset_commit(const uint8_t *body, size_t size, int16_t version, Checksum &sum) {
    TxnOffsetCommitResponse response;
    const bool ok = decode_txn_offset_commit_response(body, size, version, response);
    read_partition_results(response, ok, sum);
}

void read_add_offsets_to_txn(const uint8_t *body, size_t size, int16_t version, Checksum &sum) {
    AddOffsetsToTxnResponse response;
    const bool ok = decode_add_offsets_to_txn_response(body, size, version, response);
    sum.add(ok);
    sum.add(static_cast<uint32_t>(response.throttle_time_ms));
    sum.add_error(response.error_code);
}

void read_end_txn(const uint8_t *body, size_t size, int16_t version, Checksum &sum) {
    EndTxnResponse response;
    const bool ok = decode_end_txn_response(body, size, version, response);
    sum.add(ok);
    sum.add(static_cast<uint32_t>(response.throttle_time_ms));
    sum.add_error(response.error_code);
    sum.add(static_cast<uint64_t>(response.producer_id));
    sum.add(static_cast<uint16_t>(response.producer_epoch));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < kprod::fuzz::kResponseHeaderBytes) return 0;
    const kprod::fuzz::ResponseKind &kind = kprod::fuzz::response_kind(data[0]);
    const int16_t version = kprod::fuzz::response_version(kind, data[1]);
    const uint8_t *body = data + kprod::fuzz::kResponseHeaderBytes;
    const size_t body_size = size - kprod::fuzz::kResponseHeaderBytes;
    Checksum sum;
    switch (kind.key) {
    case ApiKey::kProduce:
        read_produce(body, body_size, version, sum);
        break;
    case ApiKey::kMetadata:
        read_metadata(body, body_size, version, sum);
        break;
    case ApiKey::kApiVersions:
        read_api_versions(body, body_size, version, sum);
        break;
    case ApiKey::kInitProducerId:
        read_init_producer_id(body, body_size, version, sum);
        break;
    case ApiKey::kFindCoordinator:
        read_find_coordinator(body, body_size, version, sum);
        break;
    case ApiKey::kAddPartitionsToTxn:
        read_add_partitions_to_txn(body, body_size, version, sum);
        break;
    case ApiKey::kAddOffsetsToTxn:
        read_add_offsets_to_txn(body, body_size, version, sum);
        break;
    case ApiKey::kEndTxn:
        read_end_txn(body, body_size, version, sum);
        break;
    case ApiKey::kTxnOffsetCommit:
        read_txn_offset_commit(body, body_size, version, sum);
        break;
    case ApiKey::kSaslHandshake:
    case ApiKey::kSaslAuthenticate:
        break;  // not in kResponseKinds: fuzz_sasl covers them
    }
    sum.publish();
    return 0;
}
