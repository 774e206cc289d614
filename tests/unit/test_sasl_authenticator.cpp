// Tests for security/sasl_authenticator and the SaslHandshake/SaslAuthenticate
// messages it uses: the bytes of each request (Kafka's layouts, written out
// here by hand), and its reading of answers: accepted, refused with the
// broker's message, mechanism not enabled, malformed; OAUTHBEARER's token
// message, its error round (RFC 7628) and the session lifetime (KIP-368).
#include <memory>  // before cmocka.h, whose fail() macro breaks <ios>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <cstring>
#include <string>
#include <vector>

#include "security/sasl_authenticator.h"

namespace {

using namespace kprod::client;
using Outcome = SaslAuthenticator::Outcome;

SaslCredentials credentials(SaslMechanism mechanism, const char *name) {
    SaslCredentials c;
    c.mechanism = mechanism;
    c.mechanism_name = name;
    c.username = "alice";
    c.password = "alice-secret";
    return c;
}

void append16(std::vector<uint8_t> &out, int v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}
void append32(std::vector<uint8_t> &out, int64_t v) {
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void append_raw(std::vector<uint8_t> &out, const std::string &s) {
    for (char c : s) out.push_back(static_cast<uint8_t>(c));
}
void append_string16(std::vector<uint8_t> &out, const std::string &s) {
    append16(out, static_cast<int>(s.size()));
    append_raw(out, s);
}

// SaslAuthenticate v2 response: header tagged fields, error, compact nullable
// message, compact bytes, session_lifetime_ms, tagged fields.
std::vector<uint8_t> authenticate_v2(int error, const char *message, const std::string &bytes,
                                     int64_t session_lifetime_ms = 3600000) {
    std::vector<uint8_t> out{0};
    append16(out, error);
    if (message) {
        out.push_back(static_cast<uint8_t>(std::strlen(message) + 1));
        append_raw(out, message);
    } else {
        out.push_back(0);
    }
    out.push_back(static_cast<uint8_t>(bytes.size() + 1));
    append_raw(out, bytes);
    append32(out, session_lifetime_ms >> 32);
    append32(out, session_lifetime_ms & 0xFFFFFFFF);
    out.push_back(0);
    return out;
}

void test_handshake_request_bytes(void **) {
    const SaslCredentials c = credentials(SaslMechanism::kPlain, "PLAIN");
    SaslAuthenticator sasl(c, 2);
    std::vector<uint8_t> out;
    sasl.encode_handshake(out, 7, "cid");
    const std::vector<uint8_t> expected = {0, 0,  0,   20,  // size
                                           0, 17, 0,   1,   // SaslHandshake v1
                                           0, 0,  0,   7,   // correlation id
                                           0, 3,  'c', 'i', 'd', 0, 5, 'P', 'L', 'A', 'I', 'N'};
    assert_int_equal(out.size(), expected.size());
    assert_memory_equal(out.data(), expected.data(), expected.size());
}

void test_plain_message_and_acceptance(void **) {
    const SaslCredentials c = credentials(SaslMechanism::kPlain, "PLAIN");
    SaslAuthenticator sasl(c, 2);
    std::vector<uint8_t> out;
    sasl.encode_authenticate(out, 8, "cid");
    // Header v2: key 36, version 2, correlation id, client id (never compact), tagged fields.
    const std::string message = std::string(1, '\0') + "alice" + '\0' + "alice-secret";
    std::vector<uint8_t> expected = {0, 0, 0, 0, 0, 36, 0, 2, 0, 0, 0, 8, 0, 3, 'c', 'i', 'd', 0};
    expected.push_back(static_cast<uint8_t>(message.size() + 1));
    append_raw(expected, message);
    expected.push_back(0);
    expected[3] = static_cast<uint8_t>(expected.size() - 4);
    assert_int_equal(out.size(), expected.size());
    assert_memory_equal(out.data(), expected.data(), expected.size());

    std::vector<uint8_t> handshake_ok;
    append16(handshake_ok, 0);
    append32(handshake_ok, 1);
    append_string16(handshake_ok, "PLAIN");
    std::string error;
    assert_int_equal(sasl.on_handshake_response(handshake_ok.data(), handshake_ok.size(), error),
                     Outcome::kSendAuthenticate);
    const auto accepted = authenticate_v2(0, nullptr, "");
    assert_int_equal(sasl.on_authenticate_response(accepted.data(), accepted.size(), error),
                     Outcome::kDone);
}

void test_refusals_carry_the_brokers_words(void **) {
    const SaslCredentials c = credentials(SaslMechanism::kScramSha256, "SCRAM-SHA-256");
    SaslAuthenticator sasl(c, 2);
    std::vector<uint8_t> not_enabled;
    append16(not_enabled, 33);
    append32(not_enabled, 1);
    append_string16(not_enabled, "PLAIN");
    std::string error;
    assert_int_equal(sasl.on_handshake_response(not_enabled.data(), not_enabled.size(), error),
                     Outcome::kRefused);
    assert_string_equal(error.c_str(),
                        "the broker does not enable SASL mechanism SCRAM-SHA-256 on this listener "
                        "(UNSUPPORTED_SASL_MECHANISM; it enables: PLAIN)");
    const auto refused = authenticate_v2(58, "Authentication failed: invalid credentials", "");
    assert_int_equal(sasl.on_authenticate_response(refused.data(), refused.size(), error),
                     Outcome::kRefused);
    assert_string_equal(error.c_str(),
                        "SASL_AUTHENTICATION_FAILED: Authentication failed: invalid credentials");
}

void test_scram_rounds_and_malformed_answers(void **) {
    const SaslCredentials c = credentials(SaslMechanism::kScramSha512, "SCRAM-SHA-512");
    SaslAuthenticator sasl(c, 2);
    std::string error;
    // A server-first message whose nonce does not extend ours is refused.
    const auto foreign = authenticate_v2(0, nullptr, "r=foreign,s=c2FsdA==,i=4096");
    assert_int_equal(sasl.on_authenticate_response(foreign.data(), foreign.size(), error),
                     Outcome::kRefused);
    assert_non_null(strstr(error.c_str(), "nonce does not extend ours"));
    const uint8_t truncated[] = {0, 0};
    assert_int_equal(sasl.on_authenticate_response(truncated, sizeof truncated, error),
                     Outcome::kMalformed);
    assert_int_equal(sasl.on_handshake_response(truncated, sizeof truncated, error),
                     Outcome::kMalformed);
}

// The bytes of a SaslAuthenticate v2 request's auth_bytes field (after the 18-byte header).
std::string sent_auth_bytes(const SaslAuthenticator &sasl) {
    std::vector<uint8_t> out;
    sasl.encode_authenticate(out, 1, "cid");
    const size_t length = out[18] - 1u;  // compact bytes: length + 1, one byte here
    return std::string(reinterpret_cast<const char *>(out.data()) + 19, length);
}

void test_oauthbearer_token_message_and_session_lifetime(void **) {
    SaslCredentials c = credentials(SaslMechanism::kOAuthBearer, "OAUTHBEARER");
    c.extensions = {{"traceId", "abc"}};
    OAuthBearerToken token;
    token.value = "aGVhZGVy.Y2xhaW1z.";
    token.principal = "carol";
    SaslAuthenticator sasl(c, 2, &token);
    assert_string_equal(sasl.principal().c_str(), "carol");
    const std::string expected = std::string(
                                     "n,,\x01"
                                     "auth=Bearer aGVhZGVy.Y2xhaW1z.\x01") +
                                 "traceId=abc\x01\x01";
    assert_true(sent_auth_bytes(sasl) == expected);
    std::string error;
    const auto accepted = authenticate_v2(0, nullptr, "", 3000);
    assert_int_equal(sasl.on_authenticate_response(accepted.data(), accepted.size(), error),
                     Outcome::kDone);
    assert_int_equal(sasl.session_lifetime_ms(), 3000);
}

void test_oauthbearer_error_round(void **) {
    const SaslCredentials c = credentials(SaslMechanism::kOAuthBearer, "OAUTHBEARER");
    OAuthBearerToken token;
    token.value = "expired.token.";
    SaslAuthenticator sasl(c, 2, &token);
    std::string error;
    // The broker's JSON error comes as a challenge: the client answers \x01.
    const auto challenge = authenticate_v2(0, nullptr, R"({"status":"invalid_token"})");
    assert_int_equal(sasl.on_authenticate_response(challenge.data(), challenge.size(), error),
                     Outcome::kSendAuthenticate);
    assert_true(sent_auth_bytes(sasl) == "\x01");
    const auto refused = authenticate_v2(58, "Authentication failed", "");
    assert_int_equal(sasl.on_authenticate_response(refused.data(), refused.size(), error),
                     Outcome::kRefused);
    assert_string_equal(error.c_str(),
                        "SASL_AUTHENTICATION_FAILED: Authentication failed (the broker's answer to "
                        "the token: {\"status\":\"invalid_token\"})");
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_request_bytes),
        cmocka_unit_test(test_plain_message_and_acceptance),
        cmocka_unit_test(test_refusals_carry_the_brokers_words),
        cmocka_unit_test(test_scram_rounds_and_malformed_answers),
        cmocka_unit_test(test_oauthbearer_token_message_and_session_lifetime),
        cmocka_unit_test(test_oauthbearer_error_round),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
