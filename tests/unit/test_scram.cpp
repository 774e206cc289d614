// Tests for protocol/scram and protocol/base64: the SCRAM client against the
// RFC 7677 SCRAM-SHA-256 example, SCRAM-SHA-512 against values computed with
// Python's hashlib/hmac (an independent implementation; no RFC gives a SHA-512
// example), and the parsers' refusals.
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

#include "protocol/base64.h"
#include "protocol/scram.h"

namespace {

using namespace kprod::protocol;

// RFC 7677 section 3.
constexpr const char *kClientNonce = "rOprNGfwEbeRWgbNEkqO";
constexpr const char *kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr const char *kSha256ClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr const char *kSha256ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

// The same exchange with SHA-512 (hashlib.pbkdf2_hmac, hmac.new).
constexpr const char *kSha512ClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ==";
constexpr const char *kSha512ServerFinal =
    "v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw==";

void test_rfc7677_sha256_exchange(void **) {
    ScramClient client(ScramHash::kSha256, "user", "pencil", kClientNonce);
    assert_string_equal(client.client_first_message().c_str(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    std::string client_final, error;
    assert_true(client.on_server_first(kServerFirst, client_final, error));
    assert_string_equal(client_final.c_str(), kSha256ClientFinal);
    assert_true(client.on_server_final(kSha256ServerFinal, error));
}

void test_sha512_exchange(void **) {
    ScramClient client(ScramHash::kSha512, "user", "pencil", kClientNonce);
    std::string client_final, error;
    assert_true(client.on_server_first(kServerFirst, client_final, error));
    assert_string_equal(client_final.c_str(), kSha512ClientFinal);
    assert_true(client.on_server_final(kSha512ServerFinal, error));
}

void test_wrong_server_signature_is_refused(void **) {
    ScramClient client(ScramHash::kSha256, "user", "not-pencil", kClientNonce);
    std::string client_final, error;
    assert_true(client.on_server_first(kServerFirst, client_final, error));
    assert_false(client.on_server_final(kSha256ServerFinal, error));
    assert_non_null(strstr(error.c_str(), "does not know the password"));
    // Before any server-first, nothing can be verified.
    ScramClient fresh(ScramHash::kSha256, "user", "pencil", kClientNonce);
    assert_false(fresh.on_server_final(kSha256ServerFinal, error));
}

void test_server_error_is_reported(void **) {
    ScramClient client(ScramHash::kSha256, "user", "pencil", kClientNonce);
    std::string client_final, error;
    assert_true(client.on_server_first(kServerFirst, client_final, error));
    assert_false(client.on_server_final("e=invalid-proof", error));
    assert_string_equal(error.c_str(), "the broker refused the SCRAM proof: invalid-proof");
}

void test_server_first_refusals(void **) {
    struct {
        const char *message;
        const char *error_part;
    } cases[] = {
        {"", "expected <letter>=<value>"},
        {"r=abc", "expected r=...,s=...,i=..."},
        {"s=c2FsdA==,r=abc,i=4096", "expected r=...,s=...,i=..."},
        {"m=x,r=abc,s=c2FsdA==,i=4096", "extension"},
        {"r=abc,s=not base64,i=4096", "salt is not base64"},
        {"r=abc,s=c2FsdA==,i=12x", "iteration count"},
        {"r=abc,s=c2FsdA==,i=-1", "iteration count"},
        {"r=abc,s=c2FsdA==,i=99999999999", "iteration count"},
        {"r=,s=c2FsdA==,i=4096", "nonce"},
        {"r=abc,,s=c2FsdA==,i=4096", "expected <letter>=<value>"},
    };
    for (const auto &c : cases) {
        ScramServerFirst out;
        std::string error;
        assert_false(parse_scram_server_first(c.message, out, error));
        if (error.find(c.error_part) == std::string::npos)
            fail_msg("%s: got \"%s\"", c.message, error.c_str());
    }
    ScramServerFirst out;
    std::string error;
    assert_true(parse_scram_server_first("r=abc,s=c2FsdA==,i=4096,x=ignored", out, error));
    assert_string_equal(out.nonce.c_str(), "abc");
    assert_string_equal(out.salt.c_str(), "salt");
    assert_int_equal(out.iterations, 4096);
}

void test_client_checks_nonce_and_iterations(void **) {
    std::string client_final, error;
    ScramClient client(ScramHash::kSha256, "user", "pencil", "abc");
    assert_false(client.on_server_first("r=xyzdef,s=c2FsdA==,i=4096", client_final, error));
    assert_non_null(strstr(error.c_str(), "nonce does not extend ours"));
    assert_false(client.on_server_first("r=abc,s=c2FsdA==,i=4096", client_final, error));
    assert_false(client.on_server_first("r=abcdef,s=c2FsdA==,i=4095", client_final, error));
    assert_non_null(strstr(error.c_str(), "4095 SCRAM iterations"));
}

void test_server_final_refusals(void **) {
    for (const char *message : {"", "v=", "v=***", "x=abc", "v"}) {
        ScramServerFinal out;
        std::string error;
        assert_false(parse_scram_server_final(message, out, error));
        assert_false(error.empty());
    }
}

void test_username_escaping(void **) {
    assert_string_equal(scram_escape_username("a,b=c").c_str(), "a=2Cb=3Dc");
    ScramClient client(ScramHash::kSha256, "x=y", "p", "nonce");
    assert_string_equal(client.client_first_message().c_str(), "n,,n=x=3Dy,r=nonce");
    // A generated nonce is base64 of 32 random bytes, never containing ','.
    ScramClient generated(ScramHash::kSha512, "u", "p");
    const std::string first = generated.client_first_message();
    assert_int_equal(first.size(), std::string("n,,n=u,r=").size() + 44);
}

void test_base64(void **) {
    // RFC 4648 section 10.
    const char *vectors[][2] = {{"", ""},
                                {"f", "Zg=="},
                                {"fo", "Zm8="},
                                {"foo", "Zm9v"},
                                {"foob", "Zm9vYg=="},
                                {"fooba", "Zm9vYmE="},
                                {"foobar", "Zm9vYmFy"}};
    for (const auto &v : vectors) {
        assert_string_equal(base64_encode(v[0]).c_str(), v[1]);
        std::string decoded;
        assert_true(base64_decode(v[1], decoded));
        assert_string_equal(decoded.c_str(), v[0]);
    }
    std::string out;
    for (const char *bad : {"Zg=", "Z===", "Zg=a", "Zm9v!A==", "=Zm8", "Zm=v"})
        assert_false(base64_decode(bad, out));
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7677_sha256_exchange),
        cmocka_unit_test(test_sha512_exchange),
        cmocka_unit_test(test_wrong_server_signature_is_refused),
        cmocka_unit_test(test_server_error_is_reported),
        cmocka_unit_test(test_server_first_refusals),
        cmocka_unit_test(test_client_checks_nonce_and_iterations),
        cmocka_unit_test(test_server_final_refusals),
        cmocka_unit_test(test_username_escaping),
        cmocka_unit_test(test_base64),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
