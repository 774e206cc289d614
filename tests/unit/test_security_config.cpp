// Tests for the security properties: sasl.jaas.config parsing
// (security/jaas_config), what build() accepts and refuses for TLS and SASL
// (config/security_config), and that secrets never read back
// (ConfigStore::get_redacted, behind kprod_conf_get). The TLS happy paths
// (PEM, PKCS12, mutual TLS) run against a real broker in tests/security.
#include <memory>  // before cmocka.h, whose fail() macro breaks <ios>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "config/config.h"
#include "security/gssapi_mechanism.h"
#include "security/jaas_config.h"

namespace {

using namespace kprod::client;

constexpr const char *kPlainModule = "org.apache.kafka.common.security.plain.PlainLoginModule";
constexpr const char *kScramModule = "org.apache.kafka.common.security.scram.ScramLoginModule";

void set_ok(ConfigStore &store, const char *name, const std::string &value) {
    std::string error;
    if (store.set(name, value, error) != KPROD_OK) fail_msg("%s: %s", name, error.c_str());
}

ConfigStore sasl_store(const char *mechanism) {
    ConfigStore store;
    set_ok(store, "bootstrap.servers", "localhost:9092");
    set_ok(store, "security.protocol", "SASL_PLAINTEXT");
    set_ok(store, "sasl.mechanism", mechanism);
    return store;
}

std::string build_error(const ConfigStore &store, kprod_err_t expected) {
    ProducerConfig config;
    std::string error;
    assert_int_equal(store.build(config, error), expected);
    return error;
}

void expect_error(const ConfigStore &store, kprod_err_t expected, const char *part) {
    const std::string error = build_error(store, expected);
    if (error.find(part) == std::string::npos)
        fail_msg("expected \"%s\" in \"%s\"", part, error.c_str());
}

std::string write_temp_file(const std::string &bytes) {
    char path[] = "/tmp/kprod-test-XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    close(fd);
    return path;
}

// ----- sasl.jaas.config ---------------------------------------------------------

void test_jaas_parses_java_lines(void **) {
    JaasConfig jaas;
    std::string error;
    const std::string line = std::string(kPlainModule) +
                             " required\n  username=\"alice\"\tpassword=\"a \\\"quoted\\\" "
                             "p=ss;word\" extra=bare_word ;  ";
    assert_true(parse_jaas_config(line, jaas, error));
    assert_string_equal(jaas.login_module.c_str(), kPlainModule);
    assert_string_equal(jaas.control_flag.c_str(), "required");
    assert_string_equal(jaas.options["username"].c_str(), "alice");
    assert_string_equal(jaas.options["password"].c_str(), "a \"quoted\" p=ss;word");
    assert_string_equal(jaas.options["extra"].c_str(), "bare_word");
    assert_true(parse_jaas_config(std::string(kScramModule) + " optional;", jaas, error));
    assert_true(jaas.options.empty());
}

void test_jaas_refusals_say_what_is_wrong(void **) {
    const struct {
        std::string text;
        const char *part;
    } cases[] = {
        {"", "expected a login module class name"},
        {std::string(kPlainModule) + " username=\"a\";", "expected a control flag"},
        {std::string(kPlainModule) + " required username=\"a\"", "expected ';' at the end"},
        {std::string(kPlainModule) + " required username=\"a;", "has no closing quote"},
        {std::string(kPlainModule) + " required username \"a\";",
         "expected an option as key=value"},
        {std::string(kPlainModule) + " required; " + kScramModule + " required;",
         "one login module"},
    };
    for (const auto &c : cases) {
        JaasConfig jaas;
        std::string error;
        assert_false(parse_jaas_config(c.text, jaas, error));
        if (error.find(c.part) == std::string::npos)
            fail_msg("%s: got \"%s\"", c.text.c_str(), error.c_str());
    }
}

// ----- SASL in build() ----------------------------------------------------------

void test_sasl_credentials_from_jaas_or_simple_properties(void **) {
    ConfigStore store = sasl_store("SCRAM-SHA-256");
    set_ok(store, "sasl.jaas.config",
           std::string(kScramModule) + " required username=\"bob\" password=\"bob-secret\";");
    ProducerConfig config;
    std::string error;
    assert_int_equal(store.build(config, error), KPROD_OK);
    assert_true(config.sasl.mechanism == SaslMechanism::kScramSha256);
    assert_string_equal(config.sasl.mechanism_name.c_str(), "SCRAM-SHA-256");
    assert_string_equal(config.sasl.username.c_str(), "bob");
    assert_string_equal(config.sasl.password.c_str(), "bob-secret");
    assert_null(config.tls.get());  // SASL_PLAINTEXT: no TLS

    ConfigStore simple = sasl_store("PLAIN");
    set_ok(simple, "sasl.username", "carol");
    set_ok(simple, "sasl.password", "carol-secret");
    assert_int_equal(simple.build(config, error), KPROD_OK);
    assert_true(config.sasl.mechanism == SaslMechanism::kPlain);
    assert_string_equal(config.sasl.username.c_str(), "carol");
}

constexpr const char *kOAuthModule =
    "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";

void test_oauthbearer_unsecured_jwt_or_callback(void **) {
    ConfigStore store = sasl_store("OAUTHBEARER");
    set_ok(store, "sasl.jaas.config",
           std::string(kOAuthModule) +
               " required unsecuredLoginStringClaim_sub=\"alice\" unsecuredLoginLifetimeSeconds=60"
               " unsecuredLoginListClaim_scope=\",read,write\" "
               "unsecuredLoginExtension_traceId=\"t1\";");
    ProducerConfig config;
    std::string error;
    assert_int_equal(store.build(config, error), KPROD_OK);
    assert_true(config.sasl.mechanism == SaslMechanism::kOAuthBearer);
    assert_false(config.sasl.token_from_callback);
    assert_string_equal(config.sasl.unsecured_jwt.principal.c_str(), "alice");
    assert_int_equal(config.sasl.unsecured_jwt.lifetime_seconds, 60);
    assert_string_equal(config.sasl.extensions.at("traceId").c_str(), "t1");

    // With a token callback, sasl.jaas.config is optional.
    ConfigStore callback_only = sasl_store("OAUTHBEARER");
    assert_int_equal(callback_only.build(config, error, true), KPROD_OK);
    assert_true(config.sasl.token_from_callback);

    expect_error(sasl_store("OAUTHBEARER"), KPROD_ERR_INVALID_CONFIG,
                 "sasl.mechanism=OAUTHBEARER needs a token: set a token callback");
    const auto expect_jaas_error = [](const std::string &options, const char *part,
                                      bool callback = false) {
        ConfigStore s = sasl_store("OAUTHBEARER");
        set_ok(s, "sasl.jaas.config", std::string(kOAuthModule) + " required " + options + ";");
        ProducerConfig c;
        std::string e;
        assert_int_equal(s.build(c, e, callback), KPROD_ERR_INVALID_CONFIG);
        if (e.find(part) == std::string::npos)
            fail_msg("expected \"%s\" in \"%s\"", part, e.c_str());
    };
    expect_jaas_error("unsecuredLoginLifetimeSeconds=60",
                      "needs its principal: set unsecuredLoginStringClaim_sub");
    expect_jaas_error("unsecuredLoginPrincipalClaimName=upn unsecuredLoginStringClaim_sub=\"a\"",
                      "set unsecuredLoginStringClaim_upn");
    expect_jaas_error("unsecuredLoginStringClaim_sub=\"a\" unsecuredLoginLifetimeSeconds=soon",
                      "unsecuredLoginLifetimeSeconds: expected a positive number of seconds");
    expect_jaas_error(
        "unsecuredLoginStringClaim_sub=\"a\" unsecuredLoginLifetimeSeconds=9223372036854775807",
        "at most ten years");
    expect_jaas_error("unsecuredLoginStringClaim_sub=\"a\" unsecuredLoginNumberClaim_n=\"1x\"",
                      "unsecuredLoginNumberClaim_n: expected a number");
    expect_jaas_error("unsecuredLoginStringClaim_sub=\"a\" unsecuredLoginStringClaim_exp=\"1\"",
                      "the exp claim is set by kprod");
    expect_jaas_error("unsecuredLoginStringClaim_sub=\"a\" unsecuredLoginStringclaim_x=\"1\"",
                      "unknown OAuthBearerLoginModule option unsecuredLoginStringclaim_x");
    expect_jaas_error("unsecuredLoginStringClaim_sub=\"a\" unsecuredLoginExtension_auth=\"x\"",
                      "SASL extension name \"auth\" is reserved");
    expect_jaas_error("unsecuredLoginStringClaim_sub=\"a\"", "only unsecuredLoginExtension_", true);

    ConfigStore wrong_module = sasl_store("OAUTHBEARER");
    set_ok(wrong_module, "sasl.jaas.config",
           std::string(kPlainModule) + " required username=\"a\" password=\"b\";");
    expect_error(wrong_module, KPROD_ERR_INVALID_CONFIG,
                 "does not go with sasl.mechanism=OAUTHBEARER");
    ConfigStore with_password = sasl_store("OAUTHBEARER");
    set_ok(with_password, "sasl.username", "a");
    set_ok(with_password, "sasl.password", "b");
    expect_error(with_password, KPROD_ERR_INVALID_CONFIG,
                 "sasl.username and sasl.password do not go with sasl.mechanism=OAUTHBEARER");
}

void test_sasl_refusals(void **) {
    expect_error(sasl_store("scram-sha-256"), KPROD_ERR_INVALID_CONFIG,
                 "expected GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or "
                 "AWS_MSK_IAM");
    expect_error(sasl_store("PLAIN"), KPROD_ERR_INVALID_CONFIG,
                 "set sasl.jaas.config, or sasl.username and sasl.password");

    ConfigStore wrong_module = sasl_store("PLAIN");
    set_ok(wrong_module, "sasl.jaas.config",
           std::string(kScramModule) + " required username=\"a\" password=\"b\";");
    expect_error(wrong_module, KPROD_ERR_INVALID_CONFIG, "does not go with sasl.mechanism=PLAIN");

    ConfigStore no_password = sasl_store("PLAIN");
    set_ok(no_password, "sasl.jaas.config",
           std::string(kPlainModule) + " required username=\"a\";");
    expect_error(no_password, KPROD_ERR_INVALID_CONFIG, "the password option is missing");

    ConfigStore both = sasl_store("PLAIN");
    set_ok(both, "sasl.jaas.config",
           std::string(kPlainModule) + " required username=\"a\" password=\"b\";");
    set_ok(both, "sasl.username", "a");
    expect_error(both, KPROD_ERR_INVALID_CONFIG, "not both");

    // PLAINTEXT ignores the SASL properties, as Java does.
    ConfigStore plaintext;
    set_ok(plaintext, "bootstrap.servers", "localhost:9092");
    set_ok(plaintext, "sasl.mechanism", "GSSAPI");
    ProducerConfig config;
    std::string error;
    assert_int_equal(plaintext.build(config, error), KPROD_OK);
}

// ----- GSSAPI and AWS_MSK_IAM in build() ---------------------------------------------
// Logging in needs a KDC: tests/security/test_kerberos.cpp. Here the refusals before it.

ConfigStore gssapi_store(const std::string &jaas, const char *service_name = "kafka") {
    ConfigStore store = sasl_store("GSSAPI");
    if (!jaas.empty()) set_ok(store, "sasl.jaas.config", jaas);
    if (service_name) set_ok(store, "sasl.kerberos.service.name", service_name);
    return store;
}

void test_gssapi_refusals(void **) {
    if (!gssapi_available()) {
        expect_error(sasl_store("GSSAPI"), KPROD_ERR_UNSUPPORTED,
                     "this libkprod was built without Kerberos");
        return;
    }
    const std::string module = "com.sun.security.auth.module.Krb5LoginModule required ";
    expect_error(gssapi_store(""), KPROD_ERR_INVALID_CONFIG,
                 "sasl.mechanism=GSSAPI needs a keytab and a principal: set sasl.jaas.config=");
    expect_error(
        gssapi_store(std::string(kPlainModule) + " required username=\"a\" password=\"b\";"),
        KPROD_ERR_INVALID_CONFIG, "does not go with sasl.mechanism=GSSAPI");
    expect_error(gssapi_store(module + "useTicketCache=true principal=\"p\";"),
                 KPROD_ERR_INVALID_CONFIG, "kprod logs in to Kerberos from a keytab only");
    expect_error(gssapi_store(module + "useKeyTab=true keyTab=\"/dev/null\";"),
                 KPROD_ERR_INVALID_CONFIG, "the principal option is missing");
    expect_error(gssapi_store(module + "useKeyTab=true keyTab=\"/no/such\" principal=\"p\";"),
                 KPROD_ERR_INVALID_CONFIG, "keyTab \"/no/such\" cannot be read");
    expect_error(
        gssapi_store(module + "useKeyTab=true keyTab=\"/dev/null\" principal=\"p\";", nullptr),
        KPROD_ERR_INVALID_CONFIG, "set sasl.kerberos.service.name");
    expect_error(gssapi_store(module + "useKeyTab=true keyTab=\"/dev/null\" principal=\"p\" "
                                       "serviceName=\"other\";"),
                 KPROD_ERR_INVALID_CONFIG,
                 "sasl.kerberos.service.name is \"kafka\" but sasl.jaas.config's serviceName is "
                 "\"other\"");
}

ProducerConfig build_ok(const ConfigStore &store) {
    ProducerConfig config;
    std::string error;
    if (store.build(config, error) != KPROD_OK) fail_msg("build: %s", error.c_str());
    return config;
}

void test_aws_msk_iam_config(void **) {
    unsetenv("AWS_ACCESS_KEY_ID");
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    expect_error(sasl_store("AWS_MSK_IAM"), KPROD_ERR_INVALID_CONFIG,
                 "AWS_MSK_IAM needs AWS credentials: AWS_ACCESS_KEY_ID is not set");
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    ProducerConfig config = build_ok(sasl_store("AWS_MSK_IAM"));
    assert_true(config.sasl.mechanism == SaslMechanism::kAwsMskIam);
    assert_non_null(config.sasl.exchange_factory.get());

    ConfigStore iam_module = sasl_store("AWS_MSK_IAM");
    set_ok(iam_module, "sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
    build_ok(iam_module);
    ConfigStore profile = sasl_store("AWS_MSK_IAM");
    set_ok(profile, "sasl.jaas.config",
           "software.amazon.msk.auth.iam.IAMLoginModule required awsProfileName=\"dev\";");
    expect_error(profile, KPROD_ERR_INVALID_CONFIG,
                 "IAMLoginModule option awsProfileName is not supported");
    ConfigStore wrong_module = sasl_store("AWS_MSK_IAM");
    set_ok(wrong_module, "sasl.jaas.config",
           std::string(kPlainModule) + " required username=\"a\" password=\"b\";");
    expect_error(wrong_module, KPROD_ERR_INVALID_CONFIG,
                 "does not go with sasl.mechanism=AWS_MSK_IAM");
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
}

// ----- TLS in build() -----------------------------------------------------------

ConfigStore ssl_store() {
    ConfigStore store;
    set_ok(store, "bootstrap.servers", "localhost:9093");
    set_ok(store, "security.protocol", "SSL");
    return store;
}

void test_tls_defaults_trust_the_system_store(void **) {
    ProducerConfig config;
    std::string error;
    assert_int_equal(ssl_store().build(config, error), KPROD_OK);
    assert_non_null(config.tls.get());
}

void test_jks_is_refused_with_the_conversion_command(void **) {
    const std::string path = write_temp_file(std::string("\xFE\xED\xFE\xED\x00\x00\x00\x02", 8));
    ConfigStore store = ssl_store();
    set_ok(store, "ssl.truststore.location", path);
    const std::string error = build_error(store, KPROD_ERR_INVALID_CONFIG);
    assert_non_null(strstr(error.c_str(), "is a JKS keystore"));
    assert_non_null(strstr(error.c_str(), "keytool -importkeystore -srckeystore"));
    assert_non_null(strstr(error.c_str(), "-deststoretype PKCS12"));
    assert_non_null(strstr(error.c_str(), "ssl.truststore.type=PKCS12"));

    ConfigStore keystore = ssl_store();
    set_ok(keystore, "ssl.keystore.location", path);
    expect_error(keystore, KPROD_ERR_INVALID_CONFIG, "ssl.keystore.type=PKCS12");
    unlink(path.c_str());
}

void test_tls_refusals_name_the_property(void **) {
    const std::string junk = write_temp_file("not a certificate");
    const struct {
        const char *name;
        std::string value;
        const char *type;  // ssl.truststore.type / ssl.keystore.type, or null
        const char *part;
    } cases[] = {
        {"ssl.truststore.location", "/nonexistent/ca.p12", nullptr,
         "ssl.truststore.location: cannot read /nonexistent/ca.p12"},
        {"ssl.truststore.location", junk, "PKCS12", "is not a PKCS12 file"},
        {"ssl.truststore.location", junk, "PEM", "no PEM certificate found in"},
        {"ssl.truststore.certificates", "-----BEGIN CERTIFICATE-----\nAAAA\n", "PEM",
         "ssl.truststore.certificates: no PEM certificate found"},
        {"ssl.truststore.certificates", "x", nullptr, "needs ssl.truststore.type=PEM"},
        {"ssl.keystore.location", junk, "PEM", "ssl.keystore.location: no PEM certificate found"},
        {"ssl.keystore.key", "x", "PEM", "go together: set both"},
        {"ssl.keystore.location", junk, "PKCS12", "is not a PKCS12 file"},
        {"ssl.endpoint.identification.algorithm", "http", nullptr, "expected https or empty"},
        {"ssl.cipher.suites", "NO_SUCH_SUITE", nullptr, "ssl.cipher.suites: none of"},
    };
    for (const auto &c : cases) {
        ConfigStore store = ssl_store();
        set_ok(store, c.name, c.value);
        if (c.type) {
            const bool trust = std::string(c.name).find("truststore") != std::string::npos;
            set_ok(store, trust ? "ssl.truststore.type" : "ssl.keystore.type", c.type);
        }
        const std::string error = build_error(store, KPROD_ERR_INVALID_CONFIG);
        if (error.find(c.part) == std::string::npos)
            fail_msg("%s: expected \"%s\" in \"%s\"", c.name, c.part, error.c_str());
    }
    unlink(junk.c_str());
}

void test_cipher_suites_accept_java_and_openssl_names(void **) {
    for (const char *suites :
         {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
          "TLS_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}) {
        ConfigStore store = ssl_store();
        set_ok(store, "ssl.cipher.suites", suites);
        ProducerConfig config;
        std::string error;
        if (store.build(config, error) != KPROD_OK) fail_msg("%s: %s", suites, error.c_str());
    }
}

// ----- secrets ----------------------------------------------------------------------

void test_secrets_read_back_hidden(void **) {
    ConfigStore store;
    std::string value;
    assert_int_equal(store.get_redacted("sasl.password", value), KPROD_OK);
    assert_string_equal(value.c_str(), "");  // unset: nothing to hide
    for (const char *name :
         {"sasl.password", "sasl.jaas.config", "ssl.truststore.password", "ssl.keystore.password",
          "ssl.key.password", "ssl.keystore.key", "ssl.keystore.certificate.chain",
          "ssl.truststore.certificates", "sasl.oauthbearer.client.credentials.client.secret",
          "sasl.oauthbearer.assertion.private.key.passphrase"}) {
        set_ok(store, name, "s3cret");
        assert_int_equal(store.get_redacted(name, value), KPROD_OK);
        assert_string_equal(value.c_str(), "[hidden]");
    }
    set_ok(store, "sasl.username", "alice");
    assert_int_equal(store.get_redacted("sasl.username", value), KPROD_OK);
    assert_string_equal(value.c_str(), "alice");
    // Every secret is one of Java's PASSWORD properties, or librdkafka's sasl.password.
    int secrets = 0;
    for (const PropertySpec &spec : property_specs()) secrets += spec.secret;
    assert_int_equal(secrets, 10);
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jaas_parses_java_lines),
        cmocka_unit_test(test_jaas_refusals_say_what_is_wrong),
        cmocka_unit_test(test_sasl_credentials_from_jaas_or_simple_properties),
        cmocka_unit_test(test_sasl_refusals),
        cmocka_unit_test(test_gssapi_refusals),
        cmocka_unit_test(test_aws_msk_iam_config),
        cmocka_unit_test(test_oauthbearer_unsecured_jwt_or_callback),
        cmocka_unit_test(test_tls_defaults_trust_the_system_store),
        cmocka_unit_test(test_jks_is_refused_with_the_conversion_command),
        cmocka_unit_test(test_tls_refusals_name_the_property),
        cmocka_unit_test(test_cipher_suites_accept_java_and_openssl_names),
        cmocka_unit_test(test_secrets_read_back_hidden),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
