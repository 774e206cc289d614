// Tests for protocol/metadata_messages: the Metadata response's top-level
// ErrorCode, new in v13 (Kafka 4.0, KIP-1102), which carries
// REBOOTSTRAP_REQUIRED, and the v12 layout without it that Kafka 3.9 brokers
// answer with. The bytes are written by hand from Kafka 4.1's
// MetadataResponse.json.
#include <cstdint>
#include <vector>

#include "protocol/api.h"
#include "protocol/error_codes.h"
#include "protocol/metadata_messages.h"

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

using kprod::protocol::decode_metadata_response;
using kprod::protocol::MetadataResponse;
using kprod::test::assert_bytes;
using kprod::test::assert_truncations_fail;
using kprod::test::Bytes;
using kprod::test::concat;

// A flexible answer (v10-v13) up to the end of its topics: broker 1 at
// h1:9092, topic "t1" whose partition 0 node 1 leads at epoch 5.
const Bytes kBrokersAndTopics = concat({
    {0x00},                                            // response header v1: tagged fields
    {0x00, 0x00, 0x00, 0x00},                          // ThrottleTimeMs
    {0x02},                                            // Brokers: compact array of 1
    {0x00, 0x00, 0x00, 0x01},                          // NodeId
    {0x03, 'h', '1'},                                  // Host
    {0x00, 0x00, 0x23, 0x84},                          // Port 9092
    {0x00},                                            // Rack: null
    {0x00},                                            // the broker's tagged fields
    {0x02, 'c'},                                       // ClusterId "c"
    {0x00, 0x00, 0x00, 0x01},                          // ControllerId
    {0x02},                                            // Topics: compact array of 1
    {0x00, 0x00},                                      // ErrorCode
    {0x03, 't', '1'},                                  // Name
    {0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9},  // TopicId
    {0x00},                                            // IsInternal
    {0x02},                                            // Partitions: compact array of 1
    {0x00, 0x00},                                      // ErrorCode
    {0x00, 0x00, 0x00, 0x00},                          // PartitionIndex
    {0x00, 0x00, 0x00, 0x01},                          // LeaderId
    {0x00, 0x00, 0x00, 0x05},                          // LeaderEpoch
    {0x02, 0x00, 0x00, 0x00, 0x01},                    // ReplicaNodes [1]
    {0x02, 0x00, 0x00, 0x00, 0x01},                    // IsrNodes [1]
    {0x01},                                            // OfflineReplicas []
    {0x00},                                            // the partition's tagged fields
    {0x80, 0x00, 0x00, 0x00},                          // TopicAuthorizedOperations
    {0x00},                                            // the topic's tagged fields
});

const Bytes kNoTaggedFields = {0x00};

Bytes v13_response(uint8_t error_code) {
    return concat({kBrokersAndTopics, {0x00, error_code}, kNoTaggedFields});
}

void assert_brokers_and_topics(const MetadataResponse &response) {
    assert_int_equal(response.brokers.size(), 1);
    assert_int_equal(response.brokers[0].node_id, 1);
    assert_true(response.brokers[0].host == "h1");
    assert_int_equal(response.brokers[0].port, 9092);
    assert_int_equal(response.controller_id, 1);
    assert_int_equal(response.topics.size(), 1);
    assert_true(response.topics[0].name == "t1");
    assert_int_equal(response.topics[0].id_high, 7);
    assert_int_equal(response.topics[0].id_low, 9);
    assert_int_equal(response.topics[0].partitions.size(), 1);
    assert_int_equal(response.topics[0].partitions[0].leader_id, 1);
    assert_int_equal(response.topics[0].partitions[0].leader_epoch, 5);
}

// v13: the top-level ErrorCode follows the topics.
void test_v13_reads_rebootstrap_required(void **) {
    const Bytes body = v13_response(129);
    MetadataResponse response;
    assert_true(decode_metadata_response(body.data(), body.size(), 13, response));
    assert_int_equal(response.error_code, kprod::protocol::kRebootstrapRequired);
    assert_string_equal(kprod::protocol::kafka_error_name(response.error_code),
                        "REBOOTSTRAP_REQUIRED");
    assert_brokers_and_topics(response);
    assert_truncations_fail<MetadataResponse>(body, 13, decode_metadata_response);
}

void test_v13_without_error(void **) {
    const Bytes body = v13_response(0);
    MetadataResponse response;
    response.error_code = 5;  // the decoder sets it, whatever it held
    assert_true(decode_metadata_response(body.data(), body.size(), 13, response));
    assert_int_equal(response.error_code, kprod::protocol::kNone);
    assert_brokers_and_topics(response);
}

// v12 (Kafka 3.9's newest) has no top-level ErrorCode: the tagged fields
// follow the topics, and the error is none.
void test_v12_has_no_top_level_error(void **) {
    const Bytes body = concat({kBrokersAndTopics, kNoTaggedFields});
    MetadataResponse response;
    response.error_code = 5;
    assert_true(decode_metadata_response(body.data(), body.size(), 12, response));
    assert_int_equal(response.error_code, kprod::protocol::kNone);
    assert_brokers_and_topics(response);
    assert_truncations_fail<MetadataResponse>(body, 12, decode_metadata_response);
    // Read as v13, the same bytes end before the ErrorCode.
    assert_false(decode_metadata_response(body.data(), body.size(), 13, response));
}

// The request is the same at v13 as at v12 but for the version in its header.
void test_v13_request_is_v12_request(void **) {
    Bytes v12, v13;
    kprod::protocol::encode_metadata_request(v12, 12, 42, "client", {"t1", "t2"});
    kprod::protocol::encode_metadata_request(v13, 13, 42, "client", {"t1", "t2"});
    assert_true(v13.size() > 8);
    assert_int_equal(v13[6], 0x00);  // request header: size (4), api key (2), version (2)
    assert_int_equal(v13[7], 13);
    v13[7] = 12;
    assert_bytes(v13, v12);
}

// kprod asks for v13 from brokers that serve it, and still speaks v4-v12.
void test_versions_include_v13_and_v4(void **) {
    assert_int_equal(kprod::protocol::kMetadataVersions.max, 13);
    assert_int_equal(kprod::protocol::kMetadataVersions.min, 4);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v13_reads_rebootstrap_required),
        cmocka_unit_test(test_v13_without_error),
        cmocka_unit_test(test_v12_has_no_top_level_error),
        cmocka_unit_test(test_v13_request_is_v12_request),
        cmocka_unit_test(test_versions_include_v13_and_v4),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
