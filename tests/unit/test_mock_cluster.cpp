// Tests for sender/mock_cluster and protocol/broker_side_messages: the mock
// answers the client's own encoded requests, in every version kprod speaks,
// with answers the client's own decoders read: N partitions per valid topic,
// offsets from 0, Kafka's sequence rules, injected errors, acks=0 unanswered.
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "net/outbound_request.h"
#include "protocol/api_versions.h"
#include "protocol/crc32c.h"
#include "protocol/init_producer_id.h"
#include "protocol/metadata_messages.h"
#include "protocol/produce_messages.h"
#include "sender/mock_cluster.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own; it also defines
// fail() and skip() as macros, so it comes after every other header.
extern "C" {
#include <cmocka.h>
}

namespace {

using kprod::client::MockCluster;
namespace protocol = kprod::protocol;

// The mock's answer to one frame, from the correlation id on ("body" for the
// decoders is what follows it); empty when it gave none.
std::vector<uint8_t> answer_to(MockCluster &cluster, const std::vector<uint8_t> &frame) {
    std::vector<uint8_t> answers;
    cluster.answer(frame, answers);
    if (answers.empty()) return answers;
    const uint32_t size = (uint32_t{answers[0]} << 24) | (uint32_t{answers[1]} << 16) |
                          (uint32_t{answers[2]} << 8) | answers[3];
    assert_int_equal(size + 4, answers.size());
    return {answers.begin() + 8, answers.end()};
}

void test_api_versions(void **) {
    MockCluster cluster(3);
    for (int16_t version : {0, 3}) {
        std::vector<uint8_t> frame;
        protocol::encode_api_versions_request(frame, version, 7, "test");
        const std::vector<uint8_t> body = answer_to(cluster, frame);
        protocol::ApiVersionsResponse response;
        assert_true(
            protocol::decode_api_versions_response(body.data(), body.size(), version, response));
        assert_int_equal(response.error_code, 0);
        bool produce = false;
        for (const auto &api : response.apis)
            if (api.key == 0) produce = api.min == 3 && api.max == 12;
        assert_true(produce);
    }
}

void test_metadata_every_version(void **) {
    MockCluster cluster(3);
    for (int16_t version = 4; version <= 12; ++version) {
        std::vector<uint8_t> frame;
        protocol::encode_metadata_request(frame, version, 1, "test", {"orders", "bad name"});
        const std::vector<uint8_t> body = answer_to(cluster, frame);
        protocol::MetadataResponse response;
        assert_true(
            protocol::decode_metadata_response(body.data(), body.size(), version, response));
        assert_int_equal(response.brokers.size(), 1);
        assert_string_equal(response.brokers[0].host.c_str(), "mock");
        assert_int_equal(response.topics.size(), 2);
        assert_int_equal(response.topics[0].error_code, 0);
        assert_int_equal(response.topics[0].partitions.size(), 3);
        assert_int_equal(response.topics[0].partitions[2].partition, 2);
        assert_int_equal(response.topics[0].partitions[2].leader_id, MockCluster::kNodeId);
        assert_int_equal(response.topics[1].error_code, 17);  // INVALID_TOPIC_EXCEPTION
        assert_int_equal(response.topics[1].partitions.size(), 0);
    }
}

void test_init_producer_id(void **) {
    MockCluster cluster(1);
    for (int16_t version : {0, 2, 5}) {
        std::vector<uint8_t> frame;
        protocol::encode_init_producer_id_request(frame, version, 2, "test", std::nullopt, 60000,
                                                  -1, -1);
        std::vector<uint8_t> body = answer_to(cluster, frame);
        protocol::InitProducerIdResponse response;
        assert_true(protocol::decode_init_producer_id_response(body.data(), body.size(), version,
                                                               response));
        assert_int_equal(response.error_code, 0);
        assert_true(response.producer_id >= 0);
        assert_int_equal(response.producer_epoch, 0);
        if (version < 3) continue;
        frame.clear();
        protocol::encode_init_producer_id_request(frame, version, 3, "test", std::nullopt, 60000,
                                                  response.producer_id, 4);
        body = answer_to(cluster, frame);
        const int64_t id = response.producer_id;
        assert_true(protocol::decode_init_producer_id_response(body.data(), body.size(), version,
                                                               response));
        assert_int_equal(response.producer_id, id);
        assert_int_equal(response.producer_epoch, 5);
    }
}

// A RecordBatch v2 header for `records` records (the cluster reads no further).
std::vector<uint8_t> batch(int64_t producer_id, int16_t epoch, int32_t sequence, int32_t records) {
    std::vector<uint8_t> out;
    protocol::WireWriter writer(out);
    writer.int64(0);
    writer.int32(49);  // length: the rest of the 61-byte header
    writer.int32(0);   // partition leader epoch
    writer.int8(2);    // magic
    writer.int32(0);   // CRC-32C, below
    writer.int16(0);   // attributes
    writer.int32(records - 1);
    writer.int64(0);
    writer.int64(0);
    writer.int64(producer_id);
    writer.int16(epoch);
    writer.int32(sequence);
    writer.int32(records);
    writer.patch_int32(17,
                       static_cast<int32_t>(protocol::crc32c(out.data() + 21, out.size() - 21)));
    return out;
}

struct Answer {
    int16_t error_code;
    int64_t base_offset;
};

// One Produce request for orders/partition; the cluster's answer, or nullopt.
std::optional<Answer> produce(MockCluster &cluster, int16_t version, int32_t partition,
                              const std::vector<uint8_t> &records, int16_t acks = -1) {
    kprod::net::OutboundRequest request;
    const std::vector<protocol::ProduceTopicData> topics = {
        {"orders", {{partition, records.data(), records.size()}}}};
    protocol::encode_produce_request(request, version, 9, "test", std::nullopt, acks, 30000,
                                     topics);
    std::vector<uint8_t> frame;
    for (const auto &slice : request.slices) {
        const uint8_t *data = slice.external ? slice.external : request.owned.data() + slice.offset;
        frame.insert(frame.end(), data, data + slice.size);
    }
    const std::vector<uint8_t> body = answer_to(cluster, frame);
    if (body.empty()) return std::nullopt;
    protocol::ProduceResponse response;
    assert_true(protocol::decode_produce_response(body.data(), body.size(), version, response));
    assert_int_equal(response.topics.size(), 1);
    assert_int_equal(response.topics[0].partitions.size(), 1);
    const auto &p = response.topics[0].partitions[0];
    assert_int_equal(p.partition, partition);
    return Answer{p.error_code, p.base_offset};
}

void expect(std::optional<Answer> answer, int16_t error_code, int64_t base_offset) {
    assert_true(answer.has_value());
    assert_int_equal(answer->error_code, error_code);
    assert_int_equal(answer->base_offset, base_offset);
}

void test_offsets_and_sequences(void **) {
    for (int16_t version : {3, 8, 9, 12}) {
        MockCluster cluster(2);
        expect(produce(cluster, version, 0, batch(5, 0, 0, 3)), 0, 0);
        expect(produce(cluster, version, 0, batch(5, 0, 3, 2)), 0, 3);
        expect(produce(cluster, version, 0, batch(5, 0, 0, 3)), 0, 0);    // duplicate
        expect(produce(cluster, version, 0, batch(5, 0, 9, 1)), 45, -1);  // OUT_OF_ORDER
        expect(produce(cluster, version, 0, batch(5, 1, 3, 1)), 45, -1);  // new epoch not at 0
        expect(produce(cluster, version, 0, batch(5, 1, 0, 1)), 0, 5);
        expect(produce(cluster, version, 0, batch(5, 0, 5, 1)), 47, -1);   // INVALID_PRODUCER_EPOCH
        expect(produce(cluster, version, 0, batch(6, 0, 4, 1)), 59, -1);   // UNKNOWN_PRODUCER_ID
        expect(produce(cluster, version, 0, batch(-1, -1, -1, 4)), 0, 6);  // not idempotent
        expect(produce(cluster, version, 1, batch(5, 1, 0, 1)), 0, 0);     // its own offsets
    }
}

void test_injected_errors_and_refusals(void **) {
    MockCluster cluster(2);
    cluster.inject_error("orders", 1, 6, 2);
    cluster.inject_error("orders", 1, 87, 1);
    expect(produce(cluster, 12, 1, batch(-1, -1, -1, 1)), 6, -1);
    expect(produce(cluster, 12, 1, batch(-1, -1, -1, 1)), 6, -1);
    expect(produce(cluster, 12, 1, batch(-1, -1, -1, 1)), 87, -1);
    expect(produce(cluster, 12, 1, batch(-1, -1, -1, 1)), 0, 0);
    expect(produce(cluster, 12, 0, batch(-1, -1, -1, 1)), 0, 0);   // another partition: untouched
    expect(produce(cluster, 12, 2, batch(-1, -1, -1, 1)), 3, -1);  // UNKNOWN_TOPIC_OR_PARTITION
    std::vector<uint8_t> corrupt = batch(-1, -1, -1, 1);
    corrupt.back() ^= 1;
    expect(produce(cluster, 12, 0, corrupt), 2, -1);  // CORRUPT_MESSAGE
    std::vector<uint8_t> two = batch(-1, -1, -1, 1);
    const std::vector<uint8_t> second = batch(-1, -1, -1, 1);
    two.insert(two.end(), second.begin(), second.end());
    expect(produce(cluster, 12, 0, two), 87, -1);  // one batch per partition
    assert_false(produce(cluster, 12, 0, batch(-1, -1, -1, 1), 0).has_value());  // acks=0
    expect(produce(cluster, 12, 0, batch(-1, -1, -1, 1)), 0, 2);  // the acks=0 one took 1
    assert_true(cluster.has_partition("orders", 1));
    assert_false(cluster.has_partition("orders", 2));
    assert_false(cluster.has_partition("..", 0));
}

// bootstrap.servers=mock://N: N from 1 to 10000, nothing before or after it.
void test_mock_servers_parsed(void **) {
    std::vector<kprod::client::HostPort> servers;
    std::string error;
    assert_true(kprod::client::parse_bootstrap_servers(" mock://3 ", servers, error));
    assert_int_equal(servers.size(), 1);
    assert_int_equal(kprod::client::mock_partitions(" mock://3 "), 3);
    assert_int_equal(kprod::client::mock_partitions("mock://10000"), 10000);
    assert_int_equal(kprod::client::mock_partitions("localhost:9092"), 0);
    for (const char *refused : {"mock://0", "mock://10001", "mock://-1", "mock://+3", "mock://",
                                "mock://3,localhost:9092", "mock://3x"}) {
        assert_int_equal(kprod::client::mock_partitions(refused), 0);
        assert_false(kprod::client::parse_bootstrap_servers(refused, servers, error));
        assert_non_null(std::strstr(error.c_str(), "mock://N"));
    }
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_versions),
        cmocka_unit_test(test_metadata_every_version),
        cmocka_unit_test(test_init_producer_id),
        cmocka_unit_test(test_offsets_and_sequences),
        cmocka_unit_test(test_injected_errors_and_refusals),
        cmocka_unit_test(test_mock_servers_parsed),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
