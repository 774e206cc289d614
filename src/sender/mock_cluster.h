// MockCluster: the broker of bootstrap.servers=mock://N, answered in-process
// (net::InProcessBroker): the Cluster's connections hand it their request
// frames instead of a socket, so everything else runs as with a real broker.
// One broker (node 0) leads every partition; any valid topic name exists with
// N partitions (an invalid one gets INVALID_TOPIC_EXCEPTION); each partition's
// offsets count from 0; the idempotent producer's sequence numbers are
// checked as a broker does (a duplicate is acknowledged at its first offset,
// a gap refused with OUT_OF_ORDER_SEQUENCE_NUMBER). kprod_mock_inject_error
// makes the next Produce answers of a partition fail.
// Runs on: sender thread (answer), any thread (inject_error).
// Locks: mutex_ guards partitions_ and next_producer_id_.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/in_process_broker.h"
#include "protocol/broker_side_messages.h"

namespace kprod::client {

class MockCluster : public net::InProcessBroker {
public:
    // The one broker's id and the address the metadata gives for it (never resolved).
    static constexpr int32_t kNodeId = 0;
    static constexpr std::string_view kHost = "mock";
    static constexpr int32_t kPort = 9092;

    explicit MockCluster(int32_t partitions_per_topic)
        : partitions_per_topic_(partitions_per_topic) {}

    void answer(const std::vector<uint8_t> &request, std::vector<uint8_t> &answers) override;

    // The next `count` Produce answers for topic/partition fail with
    // kafka_error, after those injected before. Runs on: any thread.
    void inject_error(const std::string &topic, int32_t partition, int16_t kafka_error, int count);

    // Whether the mock has this topic/partition (the topic name valid, the
    // partition below N). Runs on: any thread.
    bool has_partition(std::string_view topic, int32_t partition) const;

private:
    // One producer's place in a partition: its epoch, the next sequence
    // number, and its last five batches (a retry of one is a duplicate).
    struct AppendedBatch {
        int32_t first_sequence;
        int32_t last_sequence;
        int64_t base_offset;
    };
    struct ProducerState {
        int64_t producer_id = -1;
        int16_t epoch = -1;
        int32_t next_sequence = 0;
        std::deque<AppendedBatch> recent;
    };
    struct InjectedError {
        int16_t code;
        int remaining;
    };
    struct Partition {
        int64_t next_offset = 0;
        std::map<int64_t, ProducerState> producers;  // by producer id
        std::deque<InjectedError> injected;
    };
    // The fields of a RecordBatch v2 header that the mock reads.
    struct BatchHeader {
        int32_t records;
        int64_t producer_id;
        int16_t producer_epoch;
        int32_t base_sequence;
    };

    void answer_metadata(protocol::WireReader &reader, const protocol::RequestHeader &header,
                         protocol::WireWriter &writer);
    void answer_init_producer_id(protocol::WireReader &reader,
                                 const protocol::RequestHeader &header,
                                 protocol::WireWriter &writer);
    // False for acks=0: no answer.
    bool answer_produce(protocol::WireReader &reader, const protocol::RequestHeader &header,
                        protocol::WireWriter &writer);
    // Appends one partition's records, or says why not. Locks: mutex_ held.
    protocol::ProduceAnswerPartition append(std::string_view topic, int32_t partition,
                                            std::string_view records);
    // Reads the partition's one record batch; false, with the answer's error, if it is not valid.
    static bool read_batch(std::string_view records, BatchHeader &out,
                           protocol::ProduceAnswerPartition &answer);
    // Kafka's ProducerStateManager rules for one batch: kNone to append, a
    // duplicate (kNone with `duplicate_offset` set), or the error.
    static int16_t check_sequence(ProducerState &state, const BatchHeader &batch,
                                  int64_t &duplicate_offset);
    static void record_append(ProducerState &state, const BatchHeader &batch, int64_t base_offset);

    const int32_t partitions_per_topic_;
    mutable std::mutex mutex_;  // guards the following
    std::map<std::pair<std::string, int32_t>, Partition, std::less<>> partitions_;
    int64_t next_producer_id_ = 1000;
};

// Kafka's rule for topic names: 1 to 249 of [a-zA-Z0-9._-], not "." or "..".
bool is_valid_topic_name(std::string_view name);

}  // namespace kprod::client
