// Tests for protocol/produce_messages: the Produce response's leader hints
// (KIP-951): CurrentLeader, tagged field 0 of a partition's answer, and
// NodeEndpoints, tagged field 0 of the response, from Produce v10. The bytes
// are written by hand from Kafka 4.1's ProduceResponse.json.
#include <cstdint>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/produce_messages.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own; it also defines
// fail() and skip() as macros, so it comes after every other header.
extern "C" {
#include <cmocka.h>
}

#include "wire_assertions.h"

namespace {

using kprod::protocol::decode_produce_response;
using kprod::protocol::ProduceResponse;
using kprod::test::assert_truncations_fail;
using kprod::test::Bytes;
using kprod::test::concat;

const Bytes kMinusOne64 = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// One partition's answer in a flexible version (v9+), up to its tagged fields.
Bytes partition_fields(uint8_t partition, uint8_t error_code) {
    return concat({{0x00, 0x00, 0x00, partition},  // Index
                   {0x00, error_code},             // ErrorCode
                   kMinusOne64,                    // BaseOffset
                   kMinusOne64,                    // LogAppendTimeMs
                   kMinusOne64,                    // LogStartOffset
                   {0x01},                         // RecordErrors: compact, empty
                   {0x00}});                       // ErrorMessage: null
}

// CurrentLeader {LeaderId 3, LeaderEpoch 7}: 4 + 4 bytes and its own empty tagged fields.
const Bytes kCurrentLeaderTagged = {0x01,                    // one tagged field
                                    0x00,                    // tag 0: CurrentLeader
                                    0x09,                    // 9 bytes
                                    0x00, 0x00, 0x00, 0x03,  // LeaderId
                                    0x00, 0x00, 0x00, 0x07,  // LeaderEpoch
                                    0x00};                   // its tagged fields

// NodeEndpoints: node 3 at h3:9092 without a rack, node 1 at h1:9093 in rack r1.
const Bytes kNodeEndpointsTagged = {0x01,                    // one tagged field
                                    0x00,                    // tag 0: NodeEndpoints
                                    0x1d,                    // 29 bytes
                                    0x03,                    // compact array of 2
                                    0x00, 0x00, 0x00, 0x03,  // NodeId
                                    0x03, 'h',  '3',         // Host
                                    0x00, 0x00, 0x23, 0x84,  // Port 9092
                                    0x00,                    // Rack: null
                                    0x00,                    // tagged fields
                                    0x00, 0x00, 0x00, 0x01, 0x03, 'h', '1',
                                    0x00, 0x00, 0x23, 0x85, 0x03, 'r', '1',  // Rack "r1"
                                    0x00};

// A v10 answer for topic "t1": partition 2 NOT_LEADER_OR_FOLLOWER with a
// hint, partition 4 accepted at offset -1 without one.
Bytes v10_response(const Bytes &top_level_tags) {
    return concat({{0x00},            // response header v1: tagged fields
                   {0x02},            // Responses: one topic
                   {0x03, 't', '1'},  // Name
                   {0x03},            // PartitionResponses: two
                   partition_fields(2, 6),
                   kCurrentLeaderTagged,
                   partition_fields(4, 0),
                   {0x00},                    // no tagged fields
                   {0x00},                    // the topic's tagged fields
                   {0x00, 0x00, 0x00, 0x00},  // ThrottleTimeMs
                   top_level_tags});
}

void test_v10_reads_current_leader_and_node_endpoints(void **) {
    const Bytes body = v10_response(kNodeEndpointsTagged);
    ProduceResponse response;
    assert_true(decode_produce_response(body.data(), body.size(), 10, response));
    assert_int_equal(response.topics.size(), 1);
    const auto &partitions = response.topics[0].partitions;
    assert_int_equal(partitions.size(), 2);
    assert_int_equal(partitions[0].partition, 2);
    assert_int_equal(partitions[0].error_code, kprod::protocol::kNotLeaderOrFollower);
    assert_int_equal(partitions[0].current_leader.leader_id, 3);
    assert_int_equal(partitions[0].current_leader.leader_epoch, 7);
    assert_int_equal(partitions[1].partition, 4);
    assert_int_equal(partitions[1].current_leader.leader_id, -1);
    assert_int_equal(partitions[1].current_leader.leader_epoch, -1);
    assert_int_equal(response.node_endpoints.size(), 2);
    assert_int_equal(response.node_endpoints[0].node_id, 3);
    assert_true(response.node_endpoints[0].host == "h3");
    assert_int_equal(response.node_endpoints[0].port, 9092);
    assert_int_equal(response.node_endpoints[1].node_id, 1);
    assert_true(response.node_endpoints[1].host == "h1");
    assert_int_equal(response.node_endpoints[1].port, 9093);
    assert_truncations_fail<ProduceResponse>(body, 10, decode_produce_response);
}

// No NodeEndpoints: the hints stand without addresses (known brokers only).
void test_v10_without_node_endpoints(void **) {
    const Bytes body = v10_response({0x00});
    ProduceResponse response;
    assert_true(decode_produce_response(body.data(), body.size(), 10, response));
    assert_int_equal(response.topics[0].partitions[0].current_leader.leader_id, 3);
    assert_true(response.node_endpoints.empty());
}

// A tag this client does not know is skipped, in both places.
void test_unknown_tags_are_skipped(void **) {
    const Bytes unknown_tag = {0x01, 0x05, 0x02, 0xab, 0xcd};
    const Bytes body = concat({{0x00, 0x02, 0x03, 't', '1', 0x02},
                               partition_fields(0, 6),
                               unknown_tag,
                               {0x00},
                               {0x00, 0x00, 0x00, 0x10},  // ThrottleTimeMs 16
                               unknown_tag});
    ProduceResponse response;
    assert_true(decode_produce_response(body.data(), body.size(), 12, response));
    assert_int_equal(response.topics[0].partitions[0].current_leader.leader_id, -1);
    assert_int_equal(response.throttle_time_ms, 16);
    assert_true(response.node_endpoints.empty());
    assert_truncations_fail<ProduceResponse>(body, 12, decode_produce_response);
}

// v9 is flexible but has no hints: a tag 0 there is not CurrentLeader.
void test_v9_has_no_hints(void **) {
    const Bytes body = v10_response(kNodeEndpointsTagged);
    ProduceResponse response;
    assert_true(decode_produce_response(body.data(), body.size(), 9, response));
    assert_int_equal(response.topics[0].partitions[0].current_leader.leader_id, -1);
    assert_true(response.node_endpoints.empty());
}

// v8 is not flexible: no tagged fields at all.
void test_v8_reads_without_tagged_fields(void **) {
    const Bytes body = concat({{0x00, 0x00, 0x00, 0x01},  // Responses: one topic
                               {0x00, 0x02, 't', '1'},    // Name
                               {0x00, 0x00, 0x00, 0x01},  // PartitionResponses: one
                               {0x00, 0x00, 0x00, 0x01},  // Index
                               {0x00, 0x06},              // ErrorCode
                               kMinusOne64,
                               kMinusOne64,
                               kMinusOne64,
                               {0x00, 0x00, 0x00, 0x00},  // RecordErrors: none
                               {0xff, 0xff},              // ErrorMessage: null
                               {0x00, 0x00, 0x00, 0x00}});
    ProduceResponse response;
    assert_true(decode_produce_response(body.data(), body.size(), 8, response));
    assert_int_equal(response.topics[0].partitions[0].error_code, 6);
    assert_int_equal(response.topics[0].partitions[0].current_leader.leader_id, -1);
    assert_truncations_fail<ProduceResponse>(body, 8, decode_produce_response);
}

// KIP-467: the records the broker refused, each with its text (or null), and
// the partition's own text.
void test_v8_reads_record_errors_and_error_message(void **) {
    const Bytes body = concat({{0x00, 0x00, 0x00, 0x01},  // Responses: one topic
                               {0x00, 0x02, 't', '1'},    // Name
                               {0x00, 0x00, 0x00, 0x01},  // PartitionResponses: one
                               {0x00, 0x00, 0x00, 0x00},  // Index
                               {0x00, 0x57},              // ErrorCode 87, INVALID_RECORD
                               kMinusOne64,
                               kMinusOne64,
                               kMinusOne64,
                               {0x00, 0x00, 0x00, 0x02},  // RecordErrors: two
                               {0x00, 0x00, 0x00, 0x03},  // BatchIndex 3
                               {0x00, 0x03, 'b', 'a', 'd'},
                               {0x00, 0x00, 0x00, 0x05},  // BatchIndex 5
                               {0xff, 0xff},              // BatchIndexErrorMessage: null
                               {0x00, 0x04, 'w', 'h', 'y', '?'},
                               {0x00, 0x00, 0x00, 0x00}});
    ProduceResponse response;
    assert_true(decode_produce_response(body.data(), body.size(), 8, response));
    const auto &partition = response.topics[0].partitions[0];
    assert_int_equal(partition.error_code, 87);
    assert_int_equal(partition.record_errors.size(), 2);
    assert_int_equal(partition.record_errors[0].batch_index, 3);
    assert_true(partition.record_errors[0].message == "bad");
    assert_int_equal(partition.record_errors[1].batch_index, 5);
    assert_true(partition.record_errors[1].message.empty());
    assert_true(partition.error_message == "why?");
    assert_truncations_fail<ProduceResponse>(body, 8, decode_produce_response);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v10_reads_current_leader_and_node_endpoints),
        cmocka_unit_test(test_v10_without_node_endpoints),
        cmocka_unit_test(test_unknown_tags_are_skipped),
        cmocka_unit_test(test_v9_has_no_hints),
        cmocka_unit_test(test_v8_reads_without_tagged_fields),
        cmocka_unit_test(test_v8_reads_record_errors_and_error_message),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
