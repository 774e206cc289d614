// The broker's side of the messages kprod sends, for the in-process mock
// cluster (bootstrap.servers=mock://N, sender/mock_cluster.h): requests read
// and answers written, in every version kprod speaks, so that the client's own
// encoders and decoders run as against a real broker. Only the fields the mock
// needs are read; the answers carry every field of their version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api.h"

namespace kprod::protocol {

struct RequestHeader {
    ApiKey api_key{};
    int16_t version = 0;
    int32_t correlation_id = 0;
};

// Whether this API's request (and answer) at `version` uses compact and tagged
// fields; nullopt for an API the mock does not know.
std::optional<bool> request_is_flexible(ApiKey key, int16_t version);

// Reads a request frame's size prefix and header (request header v1, or v2
// with tagged fields); the reader is then at the body. False for a frame
// that is cut short or of an API the mock does not know.
bool read_request_header(WireReader &reader, RequestHeader &out);

// Starts an answer to `header` at the end of `out` (size placeholder,
// correlation id, tagged fields for flexible versions but ApiVersions) and
// returns where it starts; finish_answer patches its size.
size_t begin_answer(WireWriter &writer, const RequestHeader &header);
void finish_answer(WireWriter &writer, size_t start);

// ApiVersions: the versions the broker speaks; for a request newer than v3,
// UNSUPPORTED_VERSION in v0 form (KIP-511), as a broker answers.
struct SupportedVersions {
    ApiKey key;
    int16_t min;
    int16_t max;
};
void write_api_versions_answer(WireWriter &writer, int16_t version,
                               const std::vector<SupportedVersions> &apis);

// Metadata: the topic names asked for (an empty list for "every topic").
bool read_metadata_request(WireReader &reader, int16_t version, std::vector<std::string> &topics);
struct MetadataAnswerTopic {
    std::string name;
    int16_t error_code = 0;
    int32_t partitions = 0;  // each led by the one broker, epoch 0
};
// One broker, `node_id` at host:port, the controller and every partition's leader.
void write_metadata_answer(WireWriter &writer, int16_t version, int32_t node_id,
                           std::string_view host, int32_t port,
                           const std::vector<MetadataAnswerTopic> &topics);

// InitProducerId: the id and epoch the producer already has (-1 without, and before v3).
struct InitProducerIdRequest {
    std::optional<std::string> transactional_id;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
};
bool read_init_producer_id_request(WireReader &reader, int16_t version, InitProducerIdRequest &out);
void write_init_producer_id_answer(WireWriter &writer, int16_t version, int16_t error_code,
                                   int64_t producer_id, int16_t producer_epoch);

// Produce: each partition's records point into the request's frame.
struct ProduceRequestPartition {
    int32_t partition = 0;
    std::string_view records;
};
struct ProduceRequestTopic {
    std::string_view name;
    std::vector<ProduceRequestPartition> partitions;
};
struct ProduceRequestData {
    int16_t acks = 0;
    std::vector<ProduceRequestTopic> topics;
};
bool read_produce_request(WireReader &reader, int16_t version, ProduceRequestData &out);
struct ProduceAnswerPartition {
    int32_t partition = 0;
    int16_t error_code = 0;
    int64_t base_offset = -1;
    std::string error_message;  // v8+; empty: null
};
struct ProduceAnswerTopic {
    std::string_view name;
    std::vector<ProduceAnswerPartition> partitions;
};
void write_produce_answer(WireWriter &writer, int16_t version,
                          const std::vector<ProduceAnswerTopic> &topics);

}  // namespace kprod::protocol
