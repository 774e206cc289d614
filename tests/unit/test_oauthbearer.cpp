// Tests for OAUTHBEARER: the client's first message (RFC 7628), the unsecured
// JWTs made from OAuthBearerLoginModule options (decoded here from base64url
// and their claims checked), bearer token and extension rules, and
// OAuthBearerLogin's refresh: when it refreshes, that a failed source keeps
// the unexpired token, and that the errors say why.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <memory>  // before cmocka.h, whose fail() macro breaks <ios>
extern "C" {
#include <cmocka.h>
}

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "security/oauthbearer_login.h"
#include "security/oauthbearer_token.h"
#include "protocol/base64.h"
#include "protocol/oauthbearer.h"

namespace {

using namespace kprod::client;
using namespace kprod::protocol;

std::string decode(std::string_view part) {
    std::string out;
    if (!base64url_decode(part, out))
        fail_msg("not base64url: %.*s", (int)part.size(), part.data());
    return out;
}

void test_client_first_message(void **) {
    assert_true(oauthbearer_client_first_message("abc.def.", {}) ==
                std::string("n,,\x01"
                            "auth=Bearer abc.def.\x01\x01"));
    assert_true(oauthbearer_client_first_message("t", {{"a", "1"}, {"b", "x y"}}) ==
                std::string("n,,\x01"
                            "auth=Bearer t\x01"
                            "a=1\x01"
                            "b=x y\x01\x01"));
}

void test_base64url_round_trip(void **) {
    for (const std::string text : {"", "f", "fo", "foo", "foob", "\xfb\xff\xfe"}) {
        const std::string encoded = base64url_encode(text);
        assert_null(std::strchr(encoded.c_str(), '='));
        assert_null(std::strchr(encoded.c_str(), '+'));
        assert_null(std::strchr(encoded.c_str(), '/'));
        assert_true(decode(encoded) == text);
    }
    assert_string_equal(base64url_encode("\xfb\xff").c_str(), "-_8");
    std::string out;
    assert_false(base64url_decode("a", out));     // impossible length
    assert_false(base64url_decode("ab+c", out));  // standard alphabet
    assert_false(base64url_decode("ab==", out));  // padding
}

void test_unsecured_jwt_claims(void **) {
    UnsecuredJwtOptions options;
    std::map<std::string, std::string> extensions;
    std::string error;
    const std::map<std::string, std::string> jaas = {
        {"unsecuredLoginStringClaim_sub", "alice \"the\" admin"},
        {"unsecuredLoginNumberClaim_level", "3"},
        {"unsecuredLoginListClaim_scope", "|read||write"},
        {"unsecuredLoginLifetimeSeconds", "120"},
        {"unsecuredLoginExtension_traceId", "t-1"},
        {"serviceName", "ignored, as Java ignores it"},
    };
    if (!parse_oauthbearer_options(jaas, true, options, extensions, error))
        fail_msg("%s", error.c_str());
    assert_string_equal(options.principal.c_str(), "alice \"the\" admin");
    assert_string_equal(extensions.at("traceId").c_str(), "t-1");

    const int64_t now_ms = 1700000000123;
    const OAuthBearerToken token = make_unsecured_jwt(options, now_ms);
    assert_true(valid_bearer_token(token.value));
    assert_string_equal(token.principal.c_str(), "alice \"the\" admin");
    assert_int_equal(token.expires_at_ms, (1700000000 + 120) * 1000LL);
    const size_t first_dot = token.value.find('.');
    const size_t second_dot = token.value.find('.', first_dot + 1);
    assert_int_equal(second_dot, token.value.size() - 1);  // unsigned: an empty signature
    assert_string_equal(decode(token.value.substr(0, first_dot)).c_str(), R"({"alg":"none"})");
    assert_string_equal(
        decode(token.value.substr(first_dot + 1, second_dot - first_dot - 1)).c_str(),
        R"({"iat":1700000000,"exp":1700000120,"scope":["read","write"],)"
        R"("level":3,"sub":"alice \"the\" admin"})");
}

void test_number_claims_must_be_json_numbers(void **) {
    for (const char *number : {"0", "-1", "3.25", "1e9", "-2.5E-3", "10"}) {
        UnsecuredJwtOptions options;
        std::map<std::string, std::string> extensions;
        std::string error;
        if (!parse_oauthbearer_options(
                {{"unsecuredLoginStringClaim_sub", "a"}, {"unsecuredLoginNumberClaim_n", number}},
                true, options, extensions, error))
            fail_msg("%s refused: %s", number, error.c_str());
    }
    for (const char *not_number : {"", "-", "01", "1.", ".5", "1e", "1e+", "0x10", "1 ", "NaN"}) {
        UnsecuredJwtOptions options;
        std::map<std::string, std::string> extensions;
        std::string error;
        if (parse_oauthbearer_options({{"unsecuredLoginStringClaim_sub", "a"},
                                       {"unsecuredLoginNumberClaim_n", not_number}},
                                      true, options, extensions, error))
            fail_msg("\"%s\" accepted as a number", not_number);
    }
}

void test_bearer_token_and_extension_rules(void **) {
    assert_true(valid_bearer_token("abc-._~+/XYZ09=="));
    assert_false(valid_bearer_token(""));
    assert_false(valid_bearer_token("has space"));
    assert_false(valid_bearer_token("a=b"));
    std::string error;
    assert_true(valid_sasl_extension("traceId", "x y\tz", error));
    assert_false(valid_sasl_extension("trace_id", "x", error));
    assert_non_null(std::strstr(error.c_str(), "expected letters only"));
    assert_false(valid_sasl_extension("traceId", "\x01", error));
    assert_null(std::strstr(error.c_str(), "\x01"));  // never quotes the value
}

// Java's defaults (factor 0.8, jitter 0.05, no minimum period or buffer in
// the way of an hour-long token): 80-85% of the lifetime.
void test_refresh_at_80_to_85_percent(void **) {
    const LoginRefreshSettings defaults;
    const int64_t hour = 3600 * 1000;
    assert_int_equal(OAuthBearerLogin::refresh_delay_ms(defaults, 0, hour, 0, 0.0), hour * 8 / 10);
    assert_int_equal(OAuthBearerLogin::refresh_delay_ms(defaults, 0, hour, 0, 1.0),
                     hour * 85 / 100);
    // A token shorter-lived than the buffer: half-way, and at least 1 s on.
    assert_int_equal(OAuthBearerLogin::refresh_delay_ms(defaults, 0, 20000, 0, 0.5), 10000);
    assert_int_equal(OAuthBearerLogin::refresh_delay_ms(defaults, 5000, 5100, 5000, 0.5), 1000);
}

const Logger &quiet_logger() {
    static const Logger logger(
        LogCallback{[](kprod_log_level_t, const char *, const char *, void *) {}, nullptr}, "test",
        0);
    return logger;
}

void test_login_refreshes_and_survives_failures(void **) {
    std::atomic<int> calls{0};
    std::atomic<bool> failing{false};
    OAuthBearerLogin login(
        [&](OAuthBearerToken &token, std::string &error) {
            ++calls;
            if (failing) {
                error = "the token service is down";
                return false;
            }
            token.issued_at_ms = wall_clock_now_ms();
            token.expires_at_ms = token.issued_at_ms + 1200;  // refreshed 1 s on (the minimum)
            token.value = "token-" + std::to_string(calls.load());
            token.principal = "svc";
            return true;
        },
        quiet_logger());
    login.start();
    OAuthBearerToken token;
    std::string error;
    assert_true(login.current(token, error));
    assert_string_equal(token.value.c_str(), "token-1");
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    assert_true(login.current(token, error));
    assert_string_equal(token.value.c_str(), "token-2");
    failing = true;
    // The next refresh fails; the token it would have replaced expires 1.2 s after issue.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    assert_false(login.current(token, error));
    assert_string_equal(error.c_str(), "the token service is down");
    login.stop();
    const int after_stop = calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    assert_int_equal(calls.load(), after_stop);  // never called after stop()
    assert_int_equal(login.tokens_fetched(), 2);
}

// The application's token callback, as kprod.h declares it: buffers first,
// opaque last, a kprod_err_t back. A failure is explained by its errstr, or
// by the code's name when errstr is empty.
struct TokenServiceStub {
    kprod_err_t answer = KPROD_OK;
    const char *why = "";
    int calls = 0;

    static kprod_err_t callback(char *token, size_t token_size, int64_t *lifetime_ms,
                                char *principal, size_t principal_size, char *errstr,
                                size_t errstr_size, void *opaque) {
        auto *self = static_cast<TokenServiceStub *>(opaque);
        ++self->calls;
        assert_int_equal(token_size, 65536);
        assert_int_equal(principal_size, 1024);
        assert_int_equal(errstr_size, 512);
        if (self->answer != KPROD_OK) {
            std::snprintf(errstr, errstr_size, "%s", self->why);
            return self->answer;
        }
        std::snprintf(token, token_size, "%s", "header.payload.signature");
        std::snprintf(principal, principal_size, "%s", "svc");
        *lifetime_ms = wall_clock_now_ms() + 60000;
        return KPROD_OK;
    }
};

void test_token_callback_takes_opaque_last_and_returns_kprod_err(void **) {
    TokenServiceStub service;
    const auto source =
        make_token_source(SaslCredentials{}, {TokenServiceStub::callback, &service});
    OAuthBearerToken token;
    std::string error;
    assert_true(source(token, error));
    assert_string_equal(token.value.c_str(), "header.payload.signature");
    assert_string_equal(token.principal.c_str(), "svc");

    service.answer = KPROD_ERR_AUTHENTICATION;
    service.why = "the token service is down";
    assert_false(source(token, error));
    assert_string_equal(error.c_str(),
                        "the OAUTHBEARER token callback failed: the token service is down");
    service.why = "";
    assert_false(source(token, error));
    assert_string_equal(error.c_str(),
                        "the OAUTHBEARER token callback failed: it returned "
                        "KPROD_ERR_AUTHENTICATION and left errstr empty");
    assert_int_equal(service.calls, 3);
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_first_message),
        cmocka_unit_test(test_base64url_round_trip),
        cmocka_unit_test(test_unsecured_jwt_claims),
        cmocka_unit_test(test_number_claims_must_be_json_numbers),
        cmocka_unit_test(test_bearer_token_and_extension_rules),
        cmocka_unit_test(test_refresh_at_80_to_85_percent),
        cmocka_unit_test(test_login_refreshes_and_survives_failures),
        cmocka_unit_test(test_token_callback_takes_opaque_last_and_returns_kprod_err),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
