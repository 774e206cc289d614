// Tests for the transactional producer's wire messages (protocol/):
// FindCoordinator, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and
// TxnOffsetCommit, each request encoder byte for byte at a non-flexible and a
// flexible version, and each response decoder on answers built by hand from
// Kafka's message specs, with errors and truncated input. Also the
// transactional id in InitProducerId and Produce requests.
// Every request below has client id "c" and correlation id 7; the expected
// bytes start with the frame size. The byte tables are laid out a field a line.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/outbound_request.h"
#include "protocol/add_offsets_to_txn.h"
#include "protocol/add_partitions_to_txn.h"
#include "protocol/end_txn.h"
#include "protocol/error_codes.h"
#include "protocol/find_coordinator.h"
#include "protocol/init_producer_id.h"
#include "protocol/produce_messages.h"
#include "protocol/txn_offset_commit.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own; it also defines
// fail() and skip() as macros, so it comes after every other header.
extern "C" {
#include <cmocka.h>
}

#include "wire_assertions.h"  // uses cmocka's assertions

namespace {

using namespace kprod::protocol;
using kprod::test::assert_bytes;
using kprod::test::assert_truncations_fail;
using kprod::test::Bytes;

constexpr int32_t kCorrelationId = 7;
constexpr std::string_view kClientId = "c";
constexpr int64_t kProducerId = 1000;
constexpr int16_t kProducerEpoch = 5;

// ----- FindCoordinator ---------------------------------------------------------

void test_find_coordinator_request_v1(void **) {
    Bytes out;
    encode_find_coordinator_request(out, 1, kCorrelationId, kClientId, "tx",
                                    CoordinatorType::kTransaction);
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 16,     // size
        0, 10, 0, 1,     // FindCoordinator v1
        0, 0, 0, 7,      // correlation id
        0, 1, 'c',       // client id
        0, 2, 't', 'x',  // key
        1,               // key type: transaction
    });
    // clang-format on
}

void test_find_coordinator_request_v3(void **) {
    Bytes out;
    encode_find_coordinator_request(out, 3, kCorrelationId, kClientId, "tx",
                                    CoordinatorType::kTransaction);
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 17,   // size
        0, 10, 0, 3,   // FindCoordinator v3
        0, 0, 0, 7,
        0, 1, 'c',
        0,             // header tagged fields
        3, 't', 'x',   // key, compact
        1,             // key type
        0,             // tagged fields
    });
    // clang-format on
}

// v4+: the key goes in CoordinatorKeys, after the key type.
void test_find_coordinator_request_v4_group(void **) {
    Bytes out;
    encode_find_coordinator_request(out, 4, kCorrelationId, kClientId, "g",
                                    CoordinatorType::kGroup);
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 17,                                  // size
        0, 10, 0, 4, 0, 0, 0, 7, 0, 1, 'c', 0,        // header
        0,                                            // key type: group
        2,                                            // coordinator keys: one
        2, 'g',
        0,                                            // tagged fields
    });
    // clang-format on
}

void test_find_coordinator_response_v1(void **) {
    // clang-format off
    const Bytes body = {
        0, 0, 0, 0,        // throttle time
        0, 0,              // error code
        0xff, 0xff,        // error message: null
        0, 0, 0, 2,        // node id
        0, 1, 'h',         // host
        0, 0, 0x23, 0x84,  // port 9092
    };
    // clang-format on
    FindCoordinatorResponse response;
    assert_true(decode_find_coordinator_response(body.data(), body.size(), 1, response));
    assert_int_equal(response.error_code, kNone);
    assert_string_equal(response.error_message.c_str(), "");
    assert_int_equal(response.node_id, 2);
    assert_string_equal(response.host.c_str(), "h");
    assert_int_equal(response.port, 9092);
    assert_truncations_fail<FindCoordinatorResponse>(body, 1, decode_find_coordinator_response);
}

void test_find_coordinator_response_v2_error(void **) {
    // clang-format off
    const Bytes body = {
        0, 0, 0, 100,              // throttle time
        0, 15,                     // COORDINATOR_NOT_AVAILABLE
        0, 4, 'b', 'u', 's', 'y',  // error message
        0xff, 0xff, 0xff, 0xff,    // node id -1
        0, 0,                      // host ""
        0xff, 0xff, 0xff, 0xff,    // port -1
    };
    // clang-format on
    FindCoordinatorResponse response;
    assert_true(decode_find_coordinator_response(body.data(), body.size(), 2, response));
    assert_int_equal(response.throttle_time_ms, 100);
    assert_int_equal(response.error_code, kCoordinatorNotAvailable);
    assert_string_equal(response.error_message.c_str(), "busy");
    assert_int_equal(response.node_id, -1);
    assert_int_equal(response.port, -1);
}

// A tagged field we do not know is skipped.
void test_find_coordinator_response_v3(void **) {
    // clang-format off
    const Bytes body = {
        0,                    // header tagged fields
        0, 0, 0, 0,           // throttle time
        0, 0,                 // error code
        0,                    // error message: null
        0, 0, 0, 2,           // node id
        2, 'h',               // host
        0, 0, 0x23, 0x84,     // port
        1, 5, 2, 0xab, 0xcd,  // one tagged field: tag 5, two bytes
    };
    // clang-format on
    FindCoordinatorResponse response;
    assert_true(decode_find_coordinator_response(body.data(), body.size(), 3, response));
    assert_int_equal(response.node_id, 2);
    assert_string_equal(response.host.c_str(), "h");
    assert_int_equal(response.port, 9092);
    assert_truncations_fail<FindCoordinatorResponse>(body, 3, decode_find_coordinator_response);
}

void test_find_coordinator_response_v4(void **) {
    // clang-format off
    const Bytes body = {
        0,                 // header tagged fields
        0, 0, 0, 0,        // throttle time
        2,                 // coordinators: one
        3, 't', 'x',       // key
        0, 0, 0, 2,        // node id
        2, 'h',            // host
        0, 0, 0x23, 0x84,  // port
        0, 0,              // error code
        0,                 // error message: null
        0,                 // coordinator's tagged fields
        0,                 // tagged fields
    };
    // clang-format on
    FindCoordinatorResponse response;
    assert_true(decode_find_coordinator_response(body.data(), body.size(), 4, response));
    assert_int_equal(response.error_code, kNone);
    assert_int_equal(response.node_id, 2);
    assert_string_equal(response.host.c_str(), "h");
    assert_int_equal(response.port, 9092);
    assert_truncations_fail<FindCoordinatorResponse>(body, 4, decode_find_coordinator_response);
}

void test_find_coordinator_response_v4_error(void **) {
    // clang-format off
    const Bytes body = {
        0, 0, 0, 0, 0,           // header tagged fields, throttle time
        2, 3, 't', 'x',          // coordinators: one; key
        0xff, 0xff, 0xff, 0xff,  // node id -1
        1,                       // host ""
        0xff, 0xff, 0xff, 0xff,  // port -1
        0, 16,                   // NOT_COORDINATOR
        2, 'x',                  // error message
        0, 0,                    // tagged fields
    };
    // clang-format on
    FindCoordinatorResponse response;
    assert_true(decode_find_coordinator_response(body.data(), body.size(), 4, response));
    assert_int_equal(response.error_code, kNotCoordinator);
    assert_string_equal(response.error_message.c_str(), "x");
    assert_int_equal(response.node_id, -1);
}

// We asked for one key: an answer without a coordinator is malformed.
void test_find_coordinator_response_v4_without_coordinator(void **) {
    const Bytes body = {0, 0, 0, 0, 0, 1, 0};
    FindCoordinatorResponse response;
    assert_false(decode_find_coordinator_response(body.data(), body.size(), 4, response));
}

// ----- AddPartitionsToTxn ------------------------------------------------------

void test_add_partitions_to_txn_request_v0(void **) {
    Bytes out;
    encode_add_partitions_to_txn_request(out, 0, kCorrelationId, kClientId, "tx", kProducerId,
                                         kProducerEpoch, {{"t", {0, 2}}});
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 44,                // size
        0, 24, 0, 0,                // AddPartitionsToTxn v0
        0, 0, 0, 7, 0, 1, 'c',
        0, 2, 't', 'x',             // transactional id
        0, 0, 0, 0, 0, 0, 3, 0xe8,  // producer id 1000
        0, 5,                       // producer epoch
        0, 0, 0, 1,                 // topics: one
        0, 1, 't',
        0, 0, 0, 2,                 // partitions: two
        0, 0, 0, 0,
        0, 0, 0, 2,
    });
    // clang-format on
}

void test_add_partitions_to_txn_request_v3(void **) {
    Bytes out;
    encode_add_partitions_to_txn_request(out, 3, kCorrelationId, kClientId, "tx", kProducerId,
                                         kProducerEpoch, {{"t", {0, 2}}});
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 39,                            // size
        0, 24, 0, 3, 0, 0, 0, 7, 0, 1, 'c', 0,  // header
        3, 't', 'x',                            // transactional id
        0, 0, 0, 0, 0, 0, 3, 0xe8,              // producer id
        0, 5,                                   // producer epoch
        2,                                      // topics: one
        2, 't',
        3,                                      // partitions: two
        0, 0, 0, 0,
        0, 0, 0, 2,
        0,                                      // topic's tagged fields
        0,                                      // tagged fields
    });
    // clang-format on
}

void test_add_partitions_to_txn_response_v0(void **) {
    // clang-format off
    const Bytes body = {
        0, 0, 0, 0,          // throttle time
        0, 0, 0, 2,          // topics: two
        0, 1, 'a',
        0, 0, 0, 1,          // one partition
        0, 0, 0, 0, 0, 0,    // 0: NONE
        0, 1, 'b',
        0, 0, 0, 2,          // two partitions
        0, 0, 0, 1, 0, 51,   // 1: CONCURRENT_TRANSACTIONS
        0, 0, 0, 2, 0, 55,   // 2: OPERATION_NOT_ATTEMPTED
    };
    // clang-format on
    AddPartitionsToTxnResponse response;
    assert_true(decode_add_partitions_to_txn_response(body.data(), body.size(), 0, response));
    assert_int_equal(response.results.size(), 3);
    assert_string_equal(response.results[0].topic.c_str(), "a");
    assert_int_equal(response.results[0].partition, 0);
    assert_int_equal(response.results[0].error_code, kNone);
    assert_string_equal(response.results[1].topic.c_str(), "b");
    assert_int_equal(response.results[1].partition, 1);
    assert_int_equal(response.results[1].error_code, kConcurrentTransactions);
    assert_string_equal(response.results[2].topic.c_str(), "b");
    assert_int_equal(response.results[2].partition, 2);
    assert_int_equal(response.results[2].error_code, kOperationNotAttempted);
    assert_truncations_fail<AddPartitionsToTxnResponse>(body, 0,
                                                        decode_add_partitions_to_txn_response);
}

void test_add_partitions_to_txn_response_v3(void **) {
    // clang-format off
    const Bytes body = {
        0,                   // header tagged fields
        0, 0, 0, 9,          // throttle time
        2,                   // topics: one
        2, 'a',
        2,                   // partitions: one
        0, 0, 0, 0, 0, 48,   // 0: INVALID_TXN_STATE
        0,                   // partition's tagged fields
        0,                   // topic's tagged fields
        0,                   // tagged fields
    };
    // clang-format on
    AddPartitionsToTxnResponse response;
    assert_true(decode_add_partitions_to_txn_response(body.data(), body.size(), 3, response));
    assert_int_equal(response.throttle_time_ms, 9);
    assert_int_equal(response.results.size(), 1);
    assert_string_equal(response.results[0].topic.c_str(), "a");
    assert_int_equal(response.results[0].error_code, kInvalidTxnState);
    assert_truncations_fail<AddPartitionsToTxnResponse>(body, 3,
                                                        decode_add_partitions_to_txn_response);
}

// ----- AddOffsetsToTxn ---------------------------------------------------------

void test_add_offsets_to_txn_request_v0(void **) {
    Bytes out;
    encode_add_offsets_to_txn_request(out, 0, kCorrelationId, kClientId, "tx", kProducerId,
                                      kProducerEpoch, "g");
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 28,                         // size
        0, 25, 0, 0, 0, 0, 0, 7, 0, 1, 'c',  // header
        0, 2, 't', 'x',                      // transactional id
        0, 0, 0, 0, 0, 0, 3, 0xe8,           // producer id
        0, 5,                                // producer epoch
        0, 1, 'g',                           // group id
    });
    // clang-format on
}

void test_add_offsets_to_txn_request_v3(void **) {
    Bytes out;
    encode_add_offsets_to_txn_request(out, 3, kCorrelationId, kClientId, "tx", kProducerId,
                                      kProducerEpoch, "g");
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 28,                            // size
        0, 25, 0, 3, 0, 0, 0, 7, 0, 1, 'c', 0,  // header
        3, 't', 'x',                            // transactional id
        0, 0, 0, 0, 0, 0, 3, 0xe8,              // producer id
        0, 5,                                   // producer epoch
        2, 'g',                                 // group id
        0,                                      // tagged fields
    });
    // clang-format on
}

void test_add_offsets_to_txn_response(void **) {
    const Bytes v0 = {0, 0, 0, 5, 0, 30};  // throttle 5, GROUP_AUTHORIZATION_FAILED
    AddOffsetsToTxnResponse response;
    assert_true(decode_add_offsets_to_txn_response(v0.data(), v0.size(), 0, response));
    assert_int_equal(response.throttle_time_ms, 5);
    assert_int_equal(response.error_code, kGroupAuthorizationFailed);
    assert_truncations_fail<AddOffsetsToTxnResponse>(v0, 0, decode_add_offsets_to_txn_response);

    const Bytes v3 = {0, 0, 0, 0, 0, 0, 0, 0};  // header and body tagged fields around v0's
    assert_true(decode_add_offsets_to_txn_response(v3.data(), v3.size(), 3, response));
    assert_int_equal(response.error_code, kNone);
    assert_truncations_fail<AddOffsetsToTxnResponse>(v3, 3, decode_add_offsets_to_txn_response);
}

// ----- EndTxn ------------------------------------------------------------------

void test_end_txn_request_v0(void **) {
    Bytes out;
    encode_end_txn_request(out, 0, kCorrelationId, kClientId, "tx", kProducerId, kProducerEpoch,
                           true);
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 26,                         // size
        0, 26, 0, 0, 0, 0, 0, 7, 0, 1, 'c',  // header
        0, 2, 't', 'x',                      // transactional id
        0, 0, 0, 0, 0, 0, 3, 0xe8,           // producer id
        0, 5,                                // producer epoch
        1,                                   // committed
    });
    // clang-format on
}

void test_end_txn_request_v5(void **) {
    Bytes out;
    encode_end_txn_request(out, 5, kCorrelationId, kClientId, "tx", kProducerId, kProducerEpoch,
                           false);
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 27,                            // size
        0, 26, 0, 5, 0, 0, 0, 7, 0, 1, 'c', 0,  // header
        3, 't', 'x',                            // transactional id
        0, 0, 0, 0, 0, 0, 3, 0xe8,              // producer id
        0, 5,                                   // producer epoch
        0,                                      // aborted
        0,                                      // tagged fields
    });
    // clang-format on
}

void test_end_txn_response_before_v5(void **) {
    const Bytes v0 = {0, 0, 0, 0, 0, 48};  // INVALID_TXN_STATE
    EndTxnResponse response;
    assert_true(decode_end_txn_response(v0.data(), v0.size(), 0, response));
    assert_int_equal(response.error_code, kInvalidTxnState);
    assert_int_equal(response.producer_id, -1);
    assert_int_equal(response.producer_epoch, -1);
    assert_truncations_fail<EndTxnResponse>(v0, 0, decode_end_txn_response);

    const Bytes v4 = {0, 0, 0, 0, 0, 0, 0, 0};
    assert_true(decode_end_txn_response(v4.data(), v4.size(), 4, response));
    assert_int_equal(response.error_code, kNone);
    assert_int_equal(response.producer_id, -1);
    assert_truncations_fail<EndTxnResponse>(v4, 4, decode_end_txn_response);
}

// KIP-890: the bumped epoch for the next transaction.
void test_end_txn_response_v5(void **) {
    // clang-format off
    const Bytes body = {
        0,                          // header tagged fields
        0, 0, 0, 0,                 // throttle time
        0, 0,                       // error code
        0, 0, 0, 0, 0, 0, 3, 0xe8,  // producer id 1000
        0, 6,                       // producer epoch 6
        0,                          // tagged fields
    };
    // clang-format on
    EndTxnResponse response;
    assert_true(decode_end_txn_response(body.data(), body.size(), 5, response));
    assert_int_equal(response.error_code, kNone);
    assert_int_equal(response.producer_id, 1000);
    assert_int_equal(response.producer_epoch, 6);
    assert_truncations_fail<EndTxnResponse>(body, 5, decode_end_txn_response);
}

// ----- TxnOffsetCommit ---------------------------------------------------------

const ConsumerGroupMetadataView kGroup{"g", 9, "m", std::nullopt};

// v2: the leader epoch, but no member.
void test_txn_offset_commit_request_v2(void **) {
    Bytes out;
    encode_txn_offset_commit_request(out, 2, kCorrelationId, kClientId, "tx", kProducerId,
                                     kProducerEpoch, kGroup, {{"t", {{1, 42, 3, std::nullopt}}}});
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 57,                         // size
        0, 28, 0, 2, 0, 0, 0, 7, 0, 1, 'c',  // header
        0, 2, 't', 'x',                      // transactional id
        0, 1, 'g',                           // group id
        0, 0, 0, 0, 0, 0, 3, 0xe8,           // producer id
        0, 5,                                // producer epoch
        0, 0, 0, 1,                          // topics: one
        0, 1, 't',
        0, 0, 0, 1,                          // partitions: one
        0, 0, 0, 1,                          // partition 1
        0, 0, 0, 0, 0, 0, 0, 42,             // offset
        0, 0, 0, 3,                          // leader epoch
        0xff, 0xff,                          // metadata: null
    });
    // clang-format on
}

void test_txn_offset_commit_request_v0_has_no_leader_epoch(void **) {
    Bytes out;
    encode_txn_offset_commit_request(out, 0, kCorrelationId, kClientId, "tx", kProducerId,
                                     kProducerEpoch, kGroup, {{"t", {{1, 42, 3, "x"}}}});
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 54,                         // size
        0, 28, 0, 0, 0, 0, 0, 7, 0, 1, 'c',  // header
        0, 2, 't', 'x',                      // transactional id
        0, 1, 'g',                           // group id
        0, 0, 0, 0, 0, 0, 3, 0xe8,           // producer id
        0, 5,                                // producer epoch
        0, 0, 0, 1,                          // topics: one
        0, 1, 't',
        0, 0, 0, 1,                          // partitions: one
        0, 0, 0, 1,                          // partition 1
        0, 0, 0, 0, 0, 0, 0, 42,             // offset
        0, 1, 'x',                           // metadata
    });
    // clang-format on
}

// v3: the member that fences zombies; flexible from here on.
void test_txn_offset_commit_request_v3(void **) {
    Bytes out;
    encode_txn_offset_commit_request(out, 3, kCorrelationId, kClientId, "tx", kProducerId,
                                     kProducerEpoch, kGroup, {{"t", {{1, 42, 3, "x"}}}});
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 59,                            // size
        0, 28, 0, 3, 0, 0, 0, 7, 0, 1, 'c', 0,  // header
        3, 't', 'x',                            // transactional id
        2, 'g',                                 // group id
        0, 0, 0, 0, 0, 0, 3, 0xe8,              // producer id
        0, 5,                                   // producer epoch
        0, 0, 0, 9,                             // generation id
        2, 'm',                                 // member id
        0,                                      // group instance id: null
        2,                                      // topics: one
        2, 't',
        2,                                      // partitions: one
        0, 0, 0, 1,                             // partition 1
        0, 0, 0, 0, 0, 0, 0, 42,                // offset
        0, 0, 0, 3,                             // leader epoch
        2, 'x',                                 // metadata
        0,                                      // partition's tagged fields
        0,                                      // topic's tagged fields
        0,                                      // tagged fields
    });
    // clang-format on
}

void test_txn_offset_commit_request_v5_static_member(void **) {
    const ConsumerGroupMetadataView group{"g", 9, "m", "i"};
    Bytes out;
    encode_txn_offset_commit_request(out, 5, kCorrelationId, kClientId, "tx", kProducerId,
                                     kProducerEpoch, group, {});
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 37,                            // size
        0, 28, 0, 5, 0, 0, 0, 7, 0, 1, 'c', 0,  // header
        3, 't', 'x',                            // transactional id
        2, 'g',                                 // group id
        0, 0, 0, 0, 0, 0, 3, 0xe8,              // producer id
        0, 5,                                   // producer epoch
        0, 0, 0, 9,                             // generation id
        2, 'm',                                 // member id
        2, 'i',                                 // group instance id
        1,                                      // topics: none
        0,                                      // tagged fields
    });
    // clang-format on
}

void test_txn_offset_commit_response_v0(void **) {
    // clang-format off
    const Bytes body = {
        0, 0, 0, 0,          // throttle time
        0, 0, 0, 1,          // topics: one
        0, 1, 't',
        0, 0, 0, 2,          // partitions: two
        0, 0, 0, 0, 0, 0,    // 0: NONE
        0, 0, 0, 1, 0, 25,   // 1: UNKNOWN_MEMBER_ID
    };
    // clang-format on
    TxnOffsetCommitResponse response;
    assert_true(decode_txn_offset_commit_response(body.data(), body.size(), 0, response));
    assert_int_equal(response.results.size(), 2);
    assert_string_equal(response.results[1].topic.c_str(), "t");
    assert_int_equal(response.results[0].error_code, kNone);
    assert_int_equal(response.results[1].partition, 1);
    assert_int_equal(response.results[1].error_code, kUnknownMemberId);
    assert_truncations_fail<TxnOffsetCommitResponse>(body, 0, decode_txn_offset_commit_response);
}

void test_txn_offset_commit_response_v3(void **) {
    // clang-format off
    const Bytes body = {
        0,                   // header tagged fields
        0, 0, 0, 0,          // throttle time
        2, 2, 't',           // topics: one
        2,                   // partitions: one
        0, 0, 0, 1, 0, 22,   // 1: ILLEGAL_GENERATION
        0, 0, 0,             // the partition's, topic's and response's tagged fields
    };
    // clang-format on
    TxnOffsetCommitResponse response;
    assert_true(decode_txn_offset_commit_response(body.data(), body.size(), 3, response));
    assert_int_equal(response.results.size(), 1);
    assert_int_equal(response.results[0].partition, 1);
    assert_int_equal(response.results[0].error_code, kIllegalGeneration);
    assert_truncations_fail<TxnOffsetCommitResponse>(body, 3, decode_txn_offset_commit_response);
}

// ----- InitProducerId and Produce with a transactional id -----------------------

void test_init_producer_id_request_v1_transactional(void **) {
    Bytes out;
    encode_init_producer_id_request(out, 1, kCorrelationId, kClientId, "tx", 60000, -1, -1);
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 19,                         // size
        0, 22, 0, 1, 0, 0, 0, 7, 0, 1, 'c',  // header
        0, 2, 't', 'x',                      // transactional id
        0, 0, 0xea, 0x60,                    // transaction timeout 60000
    });
    // clang-format on
}

void test_init_producer_id_request_v4_transactional(void **) {
    Bytes out;
    encode_init_producer_id_request(out, 4, kCorrelationId, kClientId, "tx", 60000, kProducerId,
                                    kProducerEpoch);
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 30,                            // size
        0, 22, 0, 4, 0, 0, 0, 7, 0, 1, 'c', 0,  // header
        3, 't', 'x',                            // transactional id
        0, 0, 0xea, 0x60,                       // transaction timeout
        0, 0, 0, 0, 0, 0, 3, 0xe8,              // producer id
        0, 5,                                   // producer epoch
        0,                                      // tagged fields
    });
    // clang-format on
}

void test_init_producer_id_request_v4_idempotent(void **) {
    Bytes out;
    encode_init_producer_id_request(out, 4, kCorrelationId, kClientId, std::nullopt, 60000, -1, -1);
    // clang-format off
    assert_bytes(out, {
        0, 0, 0, 28,                                     // size
        0, 22, 0, 4, 0, 0, 0, 7, 0, 1, 'c', 0,           // header
        0,                                               // transactional id: null
        0, 0, 0xea, 0x60,                                // transaction timeout
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // producer id -1
        0xff, 0xff,                                      // producer epoch -1
        0,                                               // tagged fields
    });
    // clang-format on
}

// The frame as it goes on the wire: owned pieces and record batches in order.
Bytes frame_bytes(const kprod::net::OutboundRequest &request) {
    Bytes bytes;
    for (const auto &slice : request.slices) {
        const uint8_t *data = slice.external ? slice.external : request.owned.data() + slice.offset;
        bytes.insert(bytes.end(), data, data + slice.size);
    }
    return bytes;
}

const uint8_t kRecords[] = {'A', 'B', 'C'};  // stands for a record batch

void test_produce_request_v3_transactional(void **) {
    kprod::net::OutboundRequest request;
    encode_produce_request(request, 3, kCorrelationId, kClientId, "tx", -1, 30000,
                           {{"t", {{0, kRecords, sizeof kRecords}}}});
    // clang-format off
    assert_bytes(frame_bytes(request), {
        0, 0, 0, 43,                        // size
        0, 0, 0, 3, 0, 0, 0, 7, 0, 1, 'c',  // header
        0, 2, 't', 'x',                     // transactional id
        0xff, 0xff,                         // acks -1
        0, 0, 0x75, 0x30,                   // timeout 30000
        0, 0, 0, 1,                         // topics: one
        0, 1, 't',
        0, 0, 0, 1,                         // partitions: one
        0, 0, 0, 0,                         // partition 0
        0, 0, 0, 3,                         // records: 3 bytes
        'A', 'B', 'C',
    });
    // clang-format on
}

void test_produce_request_v9_not_transactional(void **) {
    kprod::net::OutboundRequest request;
    encode_produce_request(request, 9, kCorrelationId, kClientId, std::nullopt, -1, 30000,
                           {{"t", {{0, kRecords, sizeof kRecords}}}});
    // clang-format off
    assert_bytes(frame_bytes(request), {
        0, 0, 0, 34,                           // size
        0, 0, 0, 9, 0, 0, 0, 7, 0, 1, 'c', 0,  // header
        0,                                     // transactional id: null
        0xff, 0xff,                            // acks
        0, 0, 0x75, 0x30,                      // timeout
        2, 2, 't',                             // topics: one
        2,                                     // partitions: one
        0, 0, 0, 0,                            // partition 0
        4, 'A', 'B', 'C',                      // records, compact
        0, 0, 0,                               // tagged fields
    });
    // clang-format on
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_coordinator_request_v1),
        cmocka_unit_test(test_find_coordinator_request_v3),
        cmocka_unit_test(test_find_coordinator_request_v4_group),
        cmocka_unit_test(test_find_coordinator_response_v1),
        cmocka_unit_test(test_find_coordinator_response_v2_error),
        cmocka_unit_test(test_find_coordinator_response_v3),
        cmocka_unit_test(test_find_coordinator_response_v4),
        cmocka_unit_test(test_find_coordinator_response_v4_error),
        cmocka_unit_test(test_find_coordinator_response_v4_without_coordinator),
        cmocka_unit_test(test_add_partitions_to_txn_request_v0),
        cmocka_unit_test(test_add_partitions_to_txn_request_v3),
        cmocka_unit_test(test_add_partitions_to_txn_response_v0),
        cmocka_unit_test(test_add_partitions_to_txn_response_v3),
        cmocka_unit_test(test_add_offsets_to_txn_request_v0),
        cmocka_unit_test(test_add_offsets_to_txn_request_v3),
        cmocka_unit_test(test_add_offsets_to_txn_response),
        cmocka_unit_test(test_end_txn_request_v0),
        cmocka_unit_test(test_end_txn_request_v5),
        cmocka_unit_test(test_end_txn_response_before_v5),
        cmocka_unit_test(test_end_txn_response_v5),
        cmocka_unit_test(test_txn_offset_commit_request_v2),
        cmocka_unit_test(test_txn_offset_commit_request_v0_has_no_leader_epoch),
        cmocka_unit_test(test_txn_offset_commit_request_v3),
        cmocka_unit_test(test_txn_offset_commit_request_v5_static_member),
        cmocka_unit_test(test_txn_offset_commit_response_v0),
        cmocka_unit_test(test_txn_offset_commit_response_v3),
        cmocka_unit_test(test_init_producer_id_request_v1_transactional),
        cmocka_unit_test(test_init_producer_id_request_v4_transactional),
        cmocka_unit_test(test_init_producer_id_request_v4_idempotent),
        cmocka_unit_test(test_produce_request_v3_transactional),
        cmocka_unit_test(test_produce_request_v9_not_transactional),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
