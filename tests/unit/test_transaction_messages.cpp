// Tests for the transactional producer's wire messages (protocol/): the
// transactional id in InitProducerId and Produce requests, byte for byte at a
// non-flexible and a flexible version.
// Every request below has client id "c" and correlation id 7; the expected
// bytes start with the frame size. The byte tables are laid out a field a line.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/outbound_request.h"
#include "protocol/init_producer_id.h"
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

#include "wire_assertions.h"  // uses cmocka's assertions

namespace {

using namespace kprod::protocol;
using kprod::test::assert_bytes;
using kprod::test::Bytes;

constexpr int32_t kCorrelationId = 7;
constexpr std::string_view kClientId = "c";
constexpr int64_t kProducerId = 1000;
constexpr int16_t kProducerEpoch = 5;
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
        cmocka_unit_test(test_init_producer_id_request_v1_transactional),
        cmocka_unit_test(test_init_producer_id_request_v4_transactional),
        cmocka_unit_test(test_init_producer_id_request_v4_idempotent),
        cmocka_unit_test(test_produce_request_v3_transactional),
        cmocka_unit_test(test_produce_request_v9_not_transactional),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
