#include "sender/mock_cluster.h"

#include <algorithm>

#include "protocol/crc32c.h"
#include "protocol/error_codes.h"

namespace kprod::client {

using protocol::ApiKey;

namespace {
constexpr int16_t kInvalidTopicException =
    17;  // not in protocol::KafkaError: the client never meets it in a Produce answer
constexpr const char *kInjectedMessage = "injected by kprod_mock_inject_error";
// What the mock answers: kprod's own ranges as of this writing, never more
// than the mock reads and writes (protocol/broker_side_messages.h).
const std::vector<protocol::SupportedVersions> kSupportedVersions = {
    {ApiKey::kProduce, 3, 12},
    {ApiKey::kMetadata, 4, 12},
    {ApiKey::kApiVersions, 0, 3},
    {ApiKey::kInitProducerId, 0, 5},
};
// RecordBatch v2: the header up to the record count, and where the CRC-32C's
// range starts (the attributes).
constexpr size_t kBatchHeaderSize = 61;
constexpr size_t kCrcRangeStart = 21;
constexpr size_t kLengthFieldEnd = 12;
// A broker remembers this many batches per producer and partition (Kafka's
// ProducerStateEntry.NUM_BATCHES_TO_RETAIN).
constexpr size_t kBatchesRetained = 5;

// Kafka sequence numbers wrap from Integer.MAX_VALUE to 0.
int32_t sequence_after(int32_t sequence, int32_t count) {
    return static_cast<int32_t>((int64_t{sequence} + count) % (int64_t{1} << 31));
}
}  // namespace

bool is_valid_topic_name(std::string_view name) {
    if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

bool MockCluster::has_partition(std::string_view topic, int32_t partition) const {
    return is_valid_topic_name(topic) && partition >= 0 && partition < partitions_per_topic_;
}

void MockCluster::inject_error(const std::string &topic, int32_t partition, int16_t kafka_error,
                               int count) {
    std::lock_guard lock(mutex_);
    partitions_[{topic, partition}].injected.push_back({kafka_error, count});
}

void MockCluster::answer(const std::vector<uint8_t> &request, std::vector<uint8_t> &answers) {
    protocol::WireReader reader(request.data(), request.size());
    protocol::RequestHeader header;
    // Never met: the configuration refuses what would send other requests
    // (transactions, SASL), and kprod writes what it reads.
    if (!protocol::read_request_header(reader, header)) return;
    const size_t mark = answers.size();
    protocol::WireWriter writer(answers);
    const size_t start = protocol::begin_answer(writer, header);
    bool answered = true;
    switch (header.api_key) {
    case ApiKey::kApiVersions:
        protocol::write_api_versions_answer(writer, header.version, kSupportedVersions);
        break;
    case ApiKey::kMetadata:
        answer_metadata(reader, header, writer);
        break;
    case ApiKey::kInitProducerId:
        answer_init_producer_id(reader, header, writer);
        break;
    case ApiKey::kProduce:
        answered = answer_produce(reader, header, writer);
        break;
    default:
        answered = false;
    }
    if (!answered) return answers.resize(mark);
    protocol::finish_answer(writer, start);
}

void MockCluster::answer_metadata(protocol::WireReader &reader,
                                  const protocol::RequestHeader &header,
                                  protocol::WireWriter &writer) {
    std::vector<std::string> names;
    protocol::read_metadata_request(reader, header.version, names);
    std::vector<protocol::MetadataAnswerTopic> topics;
    for (std::string &name : names) {
        const bool valid = is_valid_topic_name(name);
        topics.push_back({.name = std::move(name),
                          .error_code = valid ? int16_t{protocol::kNone} : kInvalidTopicException,
                          .partitions = valid ? partitions_per_topic_ : 0});
    }
    protocol::write_metadata_answer(writer, header.version, kNodeId, kHost, kPort, topics);
}

// A producer that has an id (v3+, after a failed batch) gets the next epoch;
// otherwise a new id at epoch 0.
void MockCluster::answer_init_producer_id(protocol::WireReader &reader,
                                          const protocol::RequestHeader &header,
                                          protocol::WireWriter &writer) {
    protocol::InitProducerIdRequest request;
    protocol::read_init_producer_id_request(reader, header.version, request);
    int64_t producer_id = request.producer_id;
    int16_t epoch = static_cast<int16_t>(request.producer_epoch + 1);
    if (producer_id < 0 || request.producer_epoch < 0) {
        std::lock_guard lock(mutex_);
        producer_id = next_producer_id_++;
        epoch = 0;
    }
    protocol::write_init_producer_id_answer(writer, header.version, protocol::kNone, producer_id,
                                            epoch);
}

bool MockCluster::answer_produce(protocol::WireReader &reader,
                                 const protocol::RequestHeader &header,
                                 protocol::WireWriter &writer) {
    protocol::ProduceRequestData request;
    protocol::read_produce_request(reader, header.version, request);
    std::vector<protocol::ProduceAnswerTopic> topics;
    {
        std::lock_guard lock(mutex_);
        for (const protocol::ProduceRequestTopic &topic : request.topics) {
            protocol::ProduceAnswerTopic &answer = topics.emplace_back();
            answer.name = topic.name;
            for (const protocol::ProduceRequestPartition &p : topic.partitions)
                answer.partitions.push_back(append(topic.name, p.partition, p.records));
        }
    }
    if (request.acks == 0) return false;
    protocol::write_produce_answer(writer, header.version, topics);
    return true;
}

// Kafka's checks in the order a broker makes them: the partition, an error
// the application injected, the batch itself (one RecordBatch v2 whose
// CRC-32C holds), then the producer's sequence numbers.
protocol::ProduceAnswerPartition MockCluster::append(std::string_view topic, int32_t partition,
                                                     std::string_view records) {
    protocol::ProduceAnswerPartition answer;
    answer.partition = partition;
    if (!has_partition(topic, partition)) {
        answer.error_code = protocol::kUnknownTopicOrPartition;
        return answer;
    }
    Partition &state = partitions_[{std::string(topic), partition}];
    if (!state.injected.empty()) {
        InjectedError &injected = state.injected.front();
        answer.error_code = injected.code;
        answer.error_message = kInjectedMessage;
        if (--injected.remaining <= 0) state.injected.pop_front();
        return answer;
    }
    BatchHeader batch{};
    if (!read_batch(records, batch, answer)) return answer;
    if (batch.producer_id >= 0) {
        ProducerState &producer = state.producers[batch.producer_id];
        int64_t duplicate_offset = -1;
        answer.error_code = check_sequence(producer, batch, duplicate_offset);
        if (answer.error_code != protocol::kNone) return answer;
        if (duplicate_offset >= 0) {
            answer.base_offset = duplicate_offset;
            return answer;
        }
        record_append(producer, batch, state.next_offset);
    }
    answer.base_offset = state.next_offset;
    state.next_offset += batch.records;
    return answer;
}

// Produce v3+ carries exactly one RecordBatch v2 per partition (Kafka's
// ProduceRequest.validateRecords); its CRC-32C covers the attributes onwards.
bool MockCluster::read_batch(std::string_view records, BatchHeader &out,
                             protocol::ProduceAnswerPartition &answer) {
    const auto *data = reinterpret_cast<const uint8_t *>(records.data());
    protocol::WireReader reader(data, records.size());
    reader.int64();  // base offset
    const int32_t length = reader.int32();
    reader.int32();  // partition leader epoch
    const int8_t magic = reader.int8();
    const auto crc = static_cast<uint32_t>(reader.int32());
    reader.int16();  // attributes
    const int32_t last_offset_delta = reader.int32();
    reader.int64();  // first timestamp
    reader.int64();  // max timestamp
    out.producer_id = reader.int64();
    out.producer_epoch = reader.int16();
    out.base_sequence = reader.int32();
    const int32_t count = reader.int32();
    out.records = last_offset_delta + 1;
    const bool sized = records.size() >= kBatchHeaderSize && length >= 0 &&
                       kLengthFieldEnd + static_cast<size_t>(length) <= records.size();
    if (!reader.ok() || !sized || magic != 2 || count <= 0 || out.records <= 0) {
        answer.error_code = protocol::kCorruptMessage;
        answer.error_message = "not a RecordBatch v2";
        return false;
    }
    if (kLengthFieldEnd + static_cast<size_t>(length) != records.size()) {
        answer.error_code = protocol::kInvalidRecord;
        answer.error_message = "Produce v3+ takes exactly one record batch per partition";
        return false;
    }
    if (protocol::crc32c(data + kCrcRangeStart, records.size() - kCrcRangeStart) != crc) {
        answer.error_code = protocol::kCorruptMessage;
        answer.error_message = "the record batch's CRC-32C does not match";
        return false;
    }
    return true;
}

// Kafka's ProducerStateManager, for the cases a producer meets: an older
// epoch is fenced; a new producer or epoch starts at sequence 0; a batch
// already appended is a duplicate (acknowledged at its offset again); any
// other sequence than the next one is out of order.
int16_t MockCluster::check_sequence(ProducerState &state, const BatchHeader &batch,
                                    int64_t &duplicate_offset) {
    if (batch.producer_epoch < state.epoch) return protocol::kInvalidProducerEpoch;
    if (batch.producer_epoch > state.epoch) {
        if (batch.base_sequence != 0)
            return state.epoch < 0 ? protocol::kUnknownProducerId
                                   : protocol::kOutOfOrderSequenceNumber;
        state.epoch = batch.producer_epoch;
        state.next_sequence = 0;
        state.recent.clear();
        return protocol::kNone;
    }
    const int32_t last_sequence = sequence_after(batch.base_sequence, batch.records - 1);
    for (const AppendedBatch &appended : state.recent)
        if (appended.first_sequence == batch.base_sequence &&
            appended.last_sequence == last_sequence) {
            duplicate_offset = appended.base_offset;
            return protocol::kNone;
        }
    if (batch.base_sequence != state.next_sequence) return protocol::kOutOfOrderSequenceNumber;
    return protocol::kNone;
}

void MockCluster::record_append(ProducerState &state, const BatchHeader &batch,
                                int64_t base_offset) {
    state.recent.push_back({.first_sequence = batch.base_sequence,
                            .last_sequence = sequence_after(batch.base_sequence, batch.records - 1),
                            .base_offset = base_offset});
    if (state.recent.size() > kBatchesRetained) state.recent.pop_front();
    state.next_sequence = sequence_after(batch.base_sequence, batch.records);
}

}  // namespace kprod::client
