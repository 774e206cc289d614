// Tests for security/sigv4 and security/aws_msk_iam: SigV4 against AWS's
// published examples (the signing-key example of "Examples of how to derive a
// signing key for Signature Version 4", the IAM ListUsers request of "Create a
// signed AWS API request", and the get-vanilla and
// get-vanilla-query-order-key-case cases of the SigV4 test suite, all with
// AKIDEXAMPLE's secret), and the AWS_MSK_IAM payload's signature against a
// value computed with Python's hmac/hashlib/urllib (an independent
// implementation; AWS publishes no MSK example).
#include <memory>  // before cmocka.h, whose fail() macro breaks <ios>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <cstring>
#include <ctime>
#include <string>

#include "security/aws_msk_iam.h"
#include "security/sigv4.h"

namespace {

using namespace kprod::client;

constexpr const char *kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char *kTimestamp = "20150830T123600Z";

std::string hex(const std::string &bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) out += {kDigits[c >> 4], kDigits[c & 0x0f]};
    return out;
}

std::string sign(const sigv4::Request &request, const char *region, const char *service) {
    const std::string scope = sigv4::credential_scope(kTimestamp, region, service);
    return sigv4::signature(
        sigv4::signing_key(kSecret, "20150830", region, service),
        sigv4::string_to_sign(kTimestamp, scope, sigv4::canonical_request(request)));
}

void test_signing_key_examples(void **) {
    assert_string_equal(hex(sigv4::signing_key(kSecret, "20120215", "us-east-1", "iam")).c_str(),
                        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    assert_string_equal(hex(sigv4::signing_key(kSecret, "20150830", "us-east-1", "iam")).c_str(),
                        "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

// The IAM ListUsers example: its canonical request, string to sign and signature.
void test_iam_list_users_example(void **) {
    sigv4::Request request;
    request.query = {{"Action", "ListUsers"}, {"Version", "2010-05-08"}};
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                       {"Host", "iam.amazonaws.com"},
                       {"X-Amz-Date", kTimestamp}};
    request.payload_sha256_hex = sigv4::sha256_hex("");
    const std::string canonical = sigv4::canonical_request(request);
    assert_string_equal(canonical.c_str(),
                        "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
                        "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
                        "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                        "content-type;host;x-amz-date\n"
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(sigv4::sha256_hex(canonical).c_str(),
                        "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    assert_string_equal(sign(request, "us-east-1", "iam").c_str(),
                        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

void test_get_vanilla(void **) {
    sigv4::Request request;
    request.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kTimestamp}};
    request.payload_sha256_hex = sigv4::sha256_hex("");
    assert_string_equal(sigv4::signed_headers(request).c_str(), "host;x-amz-date");
    assert_string_equal(sign(request, "us-east-1", "service").c_str(),
                        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

// The query's parameters are sorted by name in the canonical request.
void test_get_vanilla_query_order_key_case(void **) {
    sigv4::Request request;
    request.query = {{"Param2", "value2"}, {"Param1", "value1"}};
    request.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kTimestamp}};
    request.payload_sha256_hex = sigv4::sha256_hex("");
    assert_string_equal(sign(request, "us-east-1", "service").c_str(),
                        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

void test_uri_encode(void **) {
    assert_string_equal(sigv4::uri_encode("AKID/20150830/us-east-1/x").c_str(),
                        "AKID%2F20150830%2Fus-east-1%2Fx");
    assert_string_equal(sigv4::uri_encode("kafka-cluster:Connect a+b~_.").c_str(),
                        "kafka-cluster%3AConnect%20a%2Bb~_.");
}

constexpr const char *kHost = "b-1.demo.abc123.c2.kafka.us-east-1.amazonaws.com";
constexpr std::time_t kSigningTime = 1440938160;  // 2015-08-30T12:36:00Z

void test_msk_iam_payload(void **) {
    const AwsCredentials temporary{"AKIDEXAMPLE", kSecret, "session/token+="};
    const std::string payload =
        msk_iam_payload(temporary, "us-east-1", kHost, kSigningTime, "kprod/test");
    assert_string_equal(
        payload.c_str(),
        "{\"version\":\"2020_10_22\",\"host\":\"b-1.demo.abc123.c2.kafka.us-east-1.amazonaws.com\","
        "\"user-agent\":\"kprod/test\",\"action\":\"kafka-cluster:Connect\","
        "\"x-amz-algorithm\":\"AWS4-HMAC-SHA256\","
        "\"x-amz-credential\":\"AKIDEXAMPLE/20150830/us-east-1/kafka-cluster/aws4_request\","
        "\"x-amz-date\":\"20150830T123600Z\",\"x-amz-expires\":\"900\","
        "\"x-amz-security-token\":\"session/token+=\",\"x-amz-signedheaders\":\"host\","
        "\"x-amz-signature\":"
        "\"fd56e903301a523ec5f6c3b64a78a524995c35354195fb13de0a5f4a61b539f5\"}");
    // Long-term credentials: no token, and the token is not signed either.
    const AwsCredentials long_term{"AKIDEXAMPLE", kSecret, ""};
    const std::string plain = msk_iam_payload(long_term, "us-east-1", kHost, kSigningTime, "x");
    assert_null(std::strstr(plain.c_str(), "x-amz-security-token"));
    assert_non_null(
        std::strstr(plain.c_str(),
                    "\"x-amz-signature\":"
                    "\"df43d4baa286f6b391623c3d8ce5ad79fd30224297c8de72972998f73384882a\""));
}

void test_region_of_host(void **) {
    assert_string_equal(aws_region_of_host(kHost).c_str(), "us-east-1");
    assert_string_equal(aws_region_of_host("b-2.x.y.kafka.cn-north-1.amazonaws.com.cn").c_str(),
                        "cn-north-1");
    assert_string_equal(aws_region_of_host("localhost").c_str(), "");
    assert_string_equal(aws_region_of_host("amazonaws.com").c_str(), "");
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signing_key_examples),
        cmocka_unit_test(test_iam_list_users_example),
        cmocka_unit_test(test_get_vanilla),
        cmocka_unit_test(test_get_vanilla_query_order_key_case),
        cmocka_unit_test(test_uri_encode),
        cmocka_unit_test(test_msk_iam_payload),
        cmocka_unit_test(test_region_of_host),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
