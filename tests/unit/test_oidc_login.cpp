// Tests for the OAUTHBEARER login's settings and the OIDC token source, with
// no token endpoint: when the login refreshes (sasl.login.refresh.*), the
// jwt-bearer assertion kprod signs (its header and claims decoded here, its
// signature checked with the public key, RS256 and ES256, an encrypted key),
// the token endpoint's answers (a token, refusals, expired or malformed
// tokens) and the configurations that are refused, with why.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <memory>  // before cmocka.h, whose fail() macro breaks <ios>
extern "C" {
#include <cmocka.h>
}

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#include "config/config.h"
#include "protocol/base64.h"
#include "security/json_object.h"
#include "security/oauthbearer_login.h"
#include "security/oidc_login.h"

namespace {

using namespace kprod::client;
using Properties = std::map<std::string, std::string>;

void set(ConfigStore &store, const std::string &name, const std::string &value) {
    std::string error;
    if (store.set(name, value, error) != KPROD_OK) fail_msg("%s: %s", name.c_str(), error.c_str());
}

kprod_err_t build(const Properties &properties, ProducerConfig &config, std::string &error) {
    ConfigStore store;
    set(store, "bootstrap.servers", "127.0.0.1:9092");
    for (const auto &[name, value] : properties) set(store, name, value);
    return store.build(config, error);
}

ProducerConfig built(const Properties &properties) {
    ProducerConfig config;
    std::string error;
    if (build(properties, config, error) != KPROD_OK) fail_msg("build: %s", error.c_str());
    return config;
}

Properties oidc(Properties more) {
    Properties properties{{"security.protocol", "SASL_PLAINTEXT"},
                          {"sasl.mechanism", "OAUTHBEARER"},
                          {"sasl.oauthbearer.token.endpoint.url", "http://127.0.0.1:1/token"}};
    for (const auto &[name, value] : more) properties[name] = value;
    return properties;
}

constexpr int64_t kSecond = 1000;

// sasl.login.refresh.*: each property moves the refresh time as Java's
// ExpiringCredentialRefreshingLogin would.
void test_refresh_schedule(void **) {
    const int64_t hour = 3600 * kSecond;
    // window.factor and window.jitter: factor + jitter * random of the lifetime.
    LoginRefreshSettings s = built({{"sasl.login.refresh.window.factor", "0.5"},
                                    {"sasl.login.refresh.window.jitter", "0.25"}})
                                 .sasl.refresh;
    assert_int_equal(OAuthBearerLogin::refresh_delay_ms(s, 0, hour, 0, 0.0), hour / 2);
    assert_int_equal(OAuthBearerLogin::refresh_delay_ms(s, 0, hour, 0, 1.0), hour * 3 / 4);
    // buffer.seconds: no later than that long before expiry.
    s = built({{"sasl.login.refresh.window.factor", "0.9"},
               {"sasl.login.refresh.buffer.seconds", "1000"}})
            .sasl.refresh;
    assert_int_equal(OAuthBearerLogin::refresh_delay_ms(s, 0, hour, 0, 0.0), 2600 * kSecond);
    // min.period.seconds: no sooner than that long after now.
    s = built({{"sasl.login.refresh.window.factor", "0.5"},
               {"sasl.login.refresh.window.jitter", "0"},
               {"sasl.login.refresh.buffer.seconds", "0"},
               {"sasl.login.refresh.min.period.seconds", "900"}})
            .sasl.refresh;
    assert_int_equal(OAuthBearerLogin::refresh_delay_ms(s, 0, 1000 * kSecond, 0, 0.0),
                     900 * kSecond);
    // A 20 s token: with the defaults (buffer 300 s, minimum period 60 s) it
    // is refreshed half-way; with neither, at the window factor.
    s = built({}).sasl.refresh;
    assert_int_equal(OAuthBearerLogin::refresh_delay_ms(s, 0, 20 * kSecond, 0, 0.0), 10 * kSecond);
    s = built({{"sasl.login.refresh.buffer.seconds", "0"},
               {"sasl.login.refresh.min.period.seconds", "0"},
               {"sasl.login.refresh.window.jitter", "0"}})
            .sasl.refresh;
    assert_int_equal(OAuthBearerLogin::refresh_delay_ms(s, 0, 20 * kSecond, 0, 0.0), 16 * kSecond);
    // Out of Java's ranges: refused, saying what is accepted.
    ConfigStore store;
    std::string error;
    assert_int_equal(store.set("sasl.login.refresh.window.factor", "0.4", error),
                     KPROD_ERR_INVALID_VALUE);
    assert_string_equal(error.c_str(),
                        "sasl.login.refresh.window.factor: expected a number 0.5..1, got \"0.4\"");
    assert_int_equal(store.set("sasl.login.refresh.window.jitter", "abc", error),
                     KPROD_ERR_INVALID_VALUE);
}

std::vector<std::string> split_on(const std::string &text, char separator) {
    std::vector<std::string> parts(1);
    for (const char c : text) {
        if (c == separator)
            parts.emplace_back();
        else
            parts.back() += c;
    }
    return parts;
}

std::string url_decode(const std::string &text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string form_field(const std::string &form, const std::string &name) {
    for (const std::string &pair : split_on(form, '&'))
        if (pair.compare(0, name.size() + 1, name + "=") == 0)
            return url_decode(pair.substr(name.size() + 1));
    return "";
}

// A fresh key written as PEM (PKCS#8; encrypted with AES-256 when a passphrase is given).
std::string write_key(EVP_PKEY *key, const std::string &passphrase, const char *name) {
    const std::string path = "/tmp/kprod-test-oidc-" + std::to_string(getpid()) + "-" + name;
    FILE *file = std::fopen(path.c_str(), "w");
    assert_non_null(file);
    assert_int_equal(
        PEM_write_PKCS8PrivateKey(file, key, passphrase.empty() ? nullptr : EVP_aes_256_cbc(),
                                  passphrase.empty() ? nullptr : passphrase.c_str(),
                                  static_cast<int>(passphrase.size()), nullptr, nullptr),
        1);
    std::fclose(file);
    return path;
}

bool verify(EVP_PKEY *key, bool ecdsa, const std::string &input, const std::string &signature) {
    std::string der = signature;
    if (ecdsa) {  // JWS's R || S back to DER
        ECDSA_SIG *sig = ECDSA_SIG_new();
        const auto *raw = reinterpret_cast<const unsigned char *>(signature.data());
        ECDSA_SIG_set0(sig, BN_bin2bn(raw, 32, nullptr), BN_bin2bn(raw + 32, 32, nullptr));
        unsigned char *out = nullptr;
        const int size = i2d_ECDSA_SIG(sig, &out);
        der.assign(reinterpret_cast<char *>(out), static_cast<size_t>(size));
        OPENSSL_free(out);
        ECDSA_SIG_free(sig);
    }
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    const bool ok =
        EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key) == 1 &&
        EVP_DigestVerify(context, reinterpret_cast<const unsigned char *>(der.data()), der.size(),
                         reinterpret_cast<const unsigned char *>(input.data()), input.size()) == 1;
    EVP_MD_CTX_free(context);
    return ok;
}

// The jwt-bearer request: grant, scope and an assertion whose every claim
// comes from its property and whose signature the public key checks.
void check_assertion(EVP_PKEY *key, const char *algorithm, const std::string &passphrase) {
    const std::string path = write_key(key, passphrase, algorithm);
    Properties properties =
        oidc({{"sasl.oauthbearer.jwt.retriever.class",
               "org.apache.kafka.common.security.oauthbearer.JwtBearerJwtRetriever"},
              {"sasl.oauthbearer.assertion.private.key.file", path},
              {"sasl.oauthbearer.assertion.algorithm", algorithm},
              {"sasl.oauthbearer.assertion.claim.aud", "https://idp.example/token"},
              {"sasl.oauthbearer.assertion.claim.iss", "kprod-client"},
              {"sasl.oauthbearer.assertion.claim.sub", "service-7"},
              {"sasl.oauthbearer.assertion.claim.exp.seconds", "120"},
              {"sasl.oauthbearer.assertion.claim.nbf.seconds", "30"},
              {"sasl.oauthbearer.assertion.claim.jti.include", "true"},
              {"sasl.oauthbearer.scope", "kafka write"}});
    if (!passphrase.empty())
        properties["sasl.oauthbearer.assertion.private.key.passphrase"] = passphrase;
    ProducerConfig config;
    std::string error;
#ifndef KPROD_HAVE_OIDC
    assert_int_equal(build(properties, config, error), KPROD_ERR_INVALID_CONFIG);
    assert_non_null(std::strstr(error.c_str(), "built without libcurl"));
    std::remove(path.c_str());
    return;
#endif
    if (build(properties, config, error) != KPROD_OK) fail_msg("build: %s", error.c_str());
    HttpRequest request;
    if (!oidc_token_request(config.sasl.oidc, 1700000000, request, error))
        fail_msg("request: %s", error.c_str());
    assert_string_equal(form_field(request.form, "grant_type").c_str(),
                        "urn:ietf:params:oauth:grant-type:jwt-bearer");
    assert_string_equal(form_field(request.form, "scope").c_str(), "kafka write");
    const std::string assertion = form_field(request.form, "assertion");
    const size_t first = assertion.find('.'), second = assertion.rfind('.');
    assert_true(first != std::string::npos && second > first);
    std::string header, payload, signature;
    assert_true(kprod::protocol::base64url_decode(assertion.substr(0, first), header));
    assert_true(kprod::protocol::base64url_decode(assertion.substr(first + 1, second - first - 1),
                                                  payload));
    assert_true(kprod::protocol::base64url_decode(assertion.substr(second + 1), signature));
    JsonObject claims, head;
    assert_true(head.parse(header, error));
    assert_true(claims.parse(payload, error));
    assert_string_equal(head.string("alg").value_or("").c_str(), algorithm);
    assert_string_equal(claims.string("aud").value_or("").c_str(), "https://idp.example/token");
    assert_string_equal(claims.string("iss").value_or("").c_str(), "kprod-client");
    assert_string_equal(claims.string("sub").value_or("").c_str(), "service-7");
    assert_true(claims.number("iat") == 1700000000.0);
    assert_true(claims.number("exp") == 1700000120.0);
    assert_true(claims.number("nbf") == 1699999970.0);
    assert_true(claims.string("jti").value_or("").size() >= 16);
    assert_true(
        verify(key, std::strcmp(algorithm, "ES256") == 0, assertion.substr(0, second), signature));
    // Without jti.include there is no jti; a second assertion is signed anew.
    properties["sasl.oauthbearer.assertion.claim.jti.include"] = "false";
    config = built(properties);
    assert_true(oidc_token_request(config.sasl.oidc, 1700000000, request, error));
    const std::string plain = form_field(request.form, "assertion");
    const size_t dot = plain.find('.');
    assert_true(kprod::protocol::base64url_decode(plain.substr(dot + 1, plain.rfind('.') - dot - 1),
                                                  payload));
    assert_true(claims.parse(payload, error));
    assert_null(claims.find("jti"));
    // A wrong passphrase or algorithm fails the request with a reason, never the secret.
    if (!passphrase.empty()) {
        properties["sasl.oauthbearer.assertion.private.key.passphrase"] = "not-" + passphrase;
        config = built(properties);
        assert_false(oidc_token_request(config.sasl.oidc, 1700000000, request, error));
        assert_non_null(std::strstr(error.c_str(), "with the passphrase given"));
        assert_null(std::strstr(error.c_str(), passphrase.c_str()));
    }
    properties["sasl.oauthbearer.assertion.algorithm"] =
        std::strcmp(algorithm, "ES256") == 0 ? "RS256" : "ES256";
    properties["sasl.oauthbearer.assertion.private.key.passphrase"] =
        passphrase.empty() ? "unused" : passphrase;
    config = built(properties);
    assert_false(oidc_token_request(config.sasl.oidc, 1700000000, request, error));
    assert_non_null(std::strstr(error.c_str(), "as sasl.oauthbearer.assertion.algorithm="));
    std::remove(path.c_str());
}

void test_client_assertion(void **) {
    EVP_PKEY *rsa = EVP_RSA_gen(2048);
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    assert_non_null(rsa);
    assert_non_null(ec);
    check_assertion(rsa, "RS256", "");
    check_assertion(rsa, "RS256", "key-passphrase-1");
    check_assertion(ec, "ES256", "");
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
}

std::string jwt(const std::string &claims) {
    return kprod::protocol::base64url_encode(R"({"alg":"RS256"})") + "." +
           kprod::protocol::base64url_encode(claims) + ".c2lnbmF0dXJl";
}

// client_credentials: Basic authentication, the scope, and what comes back.
void test_token_answers(void **) {
#ifndef KPROD_HAVE_OIDC
    return;  // build() refuses an http URL (checked by test_refused_configurations)
#endif
    ProducerConfig config = built(oidc({{"sasl.oauthbearer.client.credentials.client.id", "app"},
                                        {"sasl.oauthbearer.client.credentials.client.secret", "s3"},
                                        {"sasl.oauthbearer.scope", "kafka"}}));
    const OidcSettings &s = config.sasl.oidc;
    HttpRequest request;
    std::string error;
    assert_true(oidc_token_request(s, 0, request, error));
    assert_string_equal(request.form.c_str(), "grant_type=client_credentials&scope=kafka");
    assert_int_equal(request.headers.size(), 1);
    assert_string_equal(request.headers[0].c_str(), "Authorization: Basic YXBwOnMz");

    const int64_t now = 1700000000 * kSecond;
    OAuthBearerToken token;
    HttpResponse answer{200, R"({"access_token":")" +
                                 jwt(R"({"sub":"app","exp":1700000020,"scope":"kafka"})") +
                                 R"(","token_type":"Bearer","expires_in":20})"};
    assert_true(oidc_token_from_answer(s, answer, now, token, error));
    assert_string_equal(token.principal.c_str(), "app");
    assert_int_equal(token.expires_at_ms, 1700000020 * kSecond);
    assert_string_equal(token.scope.c_str(), "kafka");

    answer = {401, R"({"error":"invalid_client","error_description":"bad secret"})"};
    assert_false(oidc_token_from_answer(s, answer, now, token, error));
    assert_string_equal(error.c_str(),
                        "OIDC login: the token endpoint http://127.0.0.1:1/token answered HTTP "
                        "401: invalid_client (bad secret)");
    answer = {200, R"({"token_type":"Bearer"})"};
    assert_false(oidc_token_from_answer(s, answer, now, token, error));
    assert_non_null(std::strstr(error.c_str(), "without an access_token"));
    answer = {200, R"({"access_token":")" + jwt(R"({"sub":"app","exp":1699999990})") + "\"}"};
    assert_false(oidc_token_from_answer(s, answer, now, token, error));
    assert_non_null(std::strstr(error.c_str(), "for app expired 10 s before it was received"));
    answer = {200, R"({"access_token":")" + jwt(R"({"exp":1700000020})") + "\"}"};
    assert_false(oidc_token_from_answer(s, answer, now, token, error));
    assert_non_null(std::strstr(error.c_str(), "has no sub claim"));
    answer = {200, R"({"access_token":"not-a-jwt"})"};
    assert_false(oidc_token_from_answer(s, answer, now, token, error));
    assert_non_null(std::strstr(error.c_str(), "is not a JWT"));
    // sasl.oauthbearer.sub.claim.name and .scope.claim.name pick other claims.
    config = built(oidc({{"sasl.oauthbearer.client.credentials.client.id", "app"},
                         {"sasl.oauthbearer.client.credentials.client.secret", "s3"},
                         {"sasl.oauthbearer.sub.claim.name", "azp"},
                         {"sasl.oauthbearer.scope.claim.name", "scp"}}));
    answer = {200, R"({"access_token":")" +
                       jwt(R"({"azp":"client-9","exp":1700000020,"scp":["a","b"]})") + "\"}"};
    assert_true(oidc_token_from_answer(config.sasl.oidc, answer, now, token, error));
    assert_string_equal(token.principal.c_str(), "client-9");
    assert_string_equal(token.scope.c_str(), "a b");
}

// Java's JAAS form: clientId, clientSecret and scope in sasl.jaas.config.
void test_jaas_options(void **) {
    ProducerConfig config;
    std::string error;
    const Properties properties =
        oidc({{"sasl.jaas.config",
               "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
               "clientId=\"from-jaas\" clientSecret=\"jaas-secret\" scope=\"s1\" "
               "extension_team=\"x\";"}});
    const kprod_err_t err = build(properties, config, error);
#ifndef KPROD_HAVE_OIDC
    assert_int_equal(err, KPROD_ERR_INVALID_CONFIG);
    return;
#endif
    assert_int_equal(err, KPROD_OK);
    assert_string_equal(config.sasl.oidc.client_id.c_str(), "from-jaas");
    assert_string_equal(config.sasl.oidc.client_secret.c_str(), "jaas-secret");
    assert_string_equal(config.sasl.oidc.scope.c_str(), "s1");
    assert_string_equal(config.sasl.extensions["team"].c_str(), "x");
}

void expect_refused(const Properties &properties, const char *part) {
    ProducerConfig config;
    std::string error;
    assert_int_equal(build(properties, config, error), KPROD_ERR_INVALID_CONFIG);
    if (!std::strstr(error.c_str(), part))
        fail_msg("error \"%s\" lacks \"%s\"", error.c_str(), part);
}

void test_refused_configurations(void **) {
#ifdef KPROD_HAVE_OIDC
    expect_refused(oidc({}), "the client_credentials grant needs a client id and secret");
    expect_refused(oidc({{"sasl.oauthbearer.jwt.retriever.class",
                          "org.apache.kafka.common.security.oauthbearer.JwtBearerJwtRetriever"}}),
                   "needs an assertion");
    expect_refused(oidc({{"sasl.oauthbearer.token.endpoint.url", "ftp://idp/token"}}),
                   "expected an http://, https:// or file: URL");
#else
    expect_refused(oidc({}), "built without libcurl");
#endif
    expect_refused({{"sasl.oauthbearer.scope", "kafka"}},
                   "sasl.oauthbearer.scope is set, but sasl.oauthbearer.token.endpoint.url is not");
    expect_refused({{"security.protocol", "SASL_PLAINTEXT"},
                    {"sasl.mechanism", "PLAIN"},
                    {"sasl.username", "u"},
                    {"sasl.password", "p"},
                    {"sasl.oauthbearer.token.endpoint.url", "https://idp/token"}},
                   "does not log in with sasl.mechanism=OAUTHBEARER");
}

void test_json_object(void **) {
    JsonObject object;
    std::string error;
    assert_true(object.parse(R"( {"a":"x\u00e9\n","n":-1.5e2,"b":true,"z":null,)"
                             R"("l":["p",2,{"q":1}],"o":{"k":[1]}} )",
                             error));
    assert_string_equal(object.string("a").value_or("").c_str(), "x\xc3\xa9\n");
    assert_true(object.number("n") == -150.0);
    assert_int_equal(object.find("l")->items.size(), 2);
    assert_string_equal(object.find("o")->text.c_str(), R"({"k":[1]})");
    assert_false(object.string("n").has_value());
    assert_false(object.parse(R"({"a":1,})", error));
    assert_false(object.parse(R"({"a":1} x)", error));
    assert_false(object.parse(R"(["a"])", error));
    assert_string_equal(json_quote("a\"b\\\x01").c_str(), "\"a\\\"b\\\\\\u0001\"");
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refresh_schedule),       cmocka_unit_test(test_client_assertion),
        cmocka_unit_test(test_token_answers),          cmocka_unit_test(test_jaas_options),
        cmocka_unit_test(test_refused_configurations), cmocka_unit_test(test_json_object),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
