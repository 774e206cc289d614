// Tests for ApiVersions (protocol/api_versions): the request at v2 and at v3,
// which names the client; the answer at v2, at v3 with the finalized features
// in its tagged fields (transaction.version), and the v0-form
// UNSUPPORTED_VERSION answer of a broker that does not know the version asked.
#include <string_view>
#include <vector>

#include "kprod.h"
#include "protocol/api_versions.h"
#include "protocol/error_codes.h"

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

// Requests have client id "c" and correlation id 7.
constexpr int32_t kCorrelationId = 7;
constexpr std::string_view kClientId = "c";

void test_api_versions_request_v2(void **) {
    Bytes out;
    encode_api_versions_request(out, 2, kCorrelationId, kClientId);
    assert_bytes(out, {0, 0, 0, 11, 0, 18, 0, 2, 0, 0, 0, 7, 0, 1, 'c'});
}

// v3 names the client: "kprod" and its version.
void test_api_versions_request_v3(void **) {
    const std::string_view version = kprod_version_str();
    // clang-format off
    Bytes expected = {
        0, 0, 0, static_cast<uint8_t>(20 + version.size()),  // size
        0, 18, 0, 3, 0, 0, 0, 7, 0, 1, 'c', 0,               // header
        6, 'k', 'p', 'r', 'o', 'd',                          // client software name
        static_cast<uint8_t>(version.size() + 1),            // client software version
    };
    // clang-format on
    expected.insert(expected.end(), version.begin(), version.end());
    expected.push_back(0);  // tagged fields
    Bytes out;
    encode_api_versions_request(out, 3, kCorrelationId, kClientId);
    assert_bytes(out, expected);
}

void test_api_versions_response_v2(void **) {
    // clang-format off
    const Bytes body = {
        0, 0,               // error code
        0, 0, 0, 2,         // apis: two
        0, 0, 0, 3, 0, 12,  // Produce 3-12
        0, 18, 0, 0, 0, 4,  // ApiVersions 0-4
        0, 0, 0, 0,         // throttle time
    };
    // clang-format on
    ApiVersionsResponse response;
    assert_true(decode_api_versions_response(body.data(), body.size(), 2, response));
    int16_t min = 0, max = 0;
    assert_true(response.find(ApiKey::kProduce, min, max));
    assert_int_equal(min, 3);
    assert_int_equal(max, 12);
    assert_false(response.find(ApiKey::kInitProducerId, min, max));
    assert_int_equal(response.finalized_features_epoch, -1);
    assert_int_equal(response.finalized_feature_level("transaction.version"), -1);
    assert_truncations_fail<ApiVersionsResponse>(body, 2, decode_api_versions_response);
}

// The body of a v3 answer: two APIs, then the tagged fields given.
Bytes api_versions_v3_body(const Bytes &tagged_fields) {
    // clang-format off
    Bytes body = {
        0, 0,                   // error code (no header tagged fields: header v0)
        3,                      // apis: two
        0, 0, 0, 3, 0, 12, 0,   // Produce 3-12, tagged fields
        0, 22, 0, 0, 0, 5, 0,   // InitProducerId 0-5
        0, 0, 0, 0,             // throttle time
    };
    // clang-format on
    // Byte by byte: GCC 12 misreads a range insert here (-Warray-bounds) in Release builds.
    for (uint8_t byte : tagged_fields) body.push_back(byte);
    return body;
}

void test_api_versions_response_v3_finalized_features(void **) {
    // clang-format off
    const Bytes body = api_versions_v3_body({
        3,                                   // three tagged fields
        0, 10,                               // tag 0, SupportedFeatures (skipped): 10 bytes
        2, 4, 'a', 'b', 'c', 0, 0, 0, 2, 0,
        1, 8,                                // tag 1, FinalizedFeaturesEpoch: 8 bytes
        0, 0, 0, 0, 0, 0, 0, 42,
        2, 48,                               // tag 2, FinalizedFeatures: 48 bytes
        3,                                   // two features
        20, 't', 'r', 'a', 'n', 's', 'a', 'c', 't', 'i', 'o', 'n',
        '.', 'v', 'e', 'r', 's', 'i', 'o', 'n',
        0, 2, 0, 1, 0,                       // max level 2, min level 1, tagged fields
        17, 'm', 'e', 't', 'a', 'd', 'a', 't', 'a', '.', 'v', 'e', 'r', 's', 'i', 'o', 'n',
        0, 27, 0, 1, 0,                      // max level 27, min level 1, tagged fields
    });
    // clang-format on
    ApiVersionsResponse response;
    assert_true(decode_api_versions_response(body.data(), body.size(), 3, response));
    assert_int_equal(response.error_code, kNone);
    assert_int_equal(response.apis.size(), 2);
    int16_t min = 0, max = 0;
    assert_true(response.find(ApiKey::kInitProducerId, min, max));
    assert_int_equal(max, 5);
    assert_int_equal(response.finalized_features_epoch, 42);
    assert_int_equal(response.finalized_features.size(), 2);
    assert_int_equal(response.finalized_features[0].min_version_level, 1);
    assert_int_equal(response.finalized_feature_level("transaction.version"), 2);
    assert_int_equal(response.finalized_feature_level("metadata.version"), 27);
    assert_int_equal(response.finalized_feature_level("group.version"), -1);
    assert_truncations_fail<ApiVersionsResponse>(body, 3, decode_api_versions_response);
}

void test_api_versions_response_v3_without_features(void **) {
    const Bytes body = api_versions_v3_body({0});
    ApiVersionsResponse response;
    assert_true(decode_api_versions_response(body.data(), body.size(), 3, response));
    assert_int_equal(response.apis.size(), 2);
    assert_int_equal(response.finalized_features_epoch, -1);
    assert_int_equal(response.finalized_feature_level("transaction.version"), -1);
}

// A tagged field shorter than its content says is malformed.
void test_api_versions_response_v3_short_tagged_field(void **) {
    const Bytes body = api_versions_v3_body({1, 1, 4, 0, 0, 0, 42});  // an int64 in 4 bytes
    ApiVersionsResponse response;
    assert_false(decode_api_versions_response(body.data(), body.size(), 3, response));
}

// A broker without v3 answers in v0 form (KIP-511): error code, then its
// ranges with a 4-byte count, no throttle time, no tagged fields.
void test_api_versions_unsupported_version_answer(void **) {
    // clang-format off
    const Bytes body = {
        0, 35,              // UNSUPPORTED_VERSION
        0, 0, 0, 1,         // apis: one
        0, 18, 0, 0, 0, 2,  // ApiVersions 0-2
    };
    // clang-format on
    ApiVersionsResponse response;
    assert_true(decode_api_versions_response(body.data(), body.size(), 3, response));
    assert_int_equal(response.error_code, kUnsupportedVersion);
    int16_t min = 0, max = 0;
    assert_true(response.find(ApiKey::kApiVersions, min, max));
    assert_int_equal(max, 2);
    assert_int_equal(negotiate_version(kApiVersionsVersions, min, max), 2);
    assert_truncations_fail<ApiVersionsResponse>(body, 3, decode_api_versions_response);
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_versions_request_v2),
        cmocka_unit_test(test_api_versions_request_v3),
        cmocka_unit_test(test_api_versions_response_v2),
        cmocka_unit_test(test_api_versions_response_v3_finalized_features),
        cmocka_unit_test(test_api_versions_response_v3_without_features),
        cmocka_unit_test(test_api_versions_response_v3_short_tagged_field),
        cmocka_unit_test(test_api_versions_unsupported_version_answer),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
