#include "config/security_config.h"

#include "config/aws_msk_iam_config.h"
#include "config/config_text.h"
#include "config/oauthbearer_login_config.h"
#include "config/kerberos_config.h"
#include "security/jaas_config.h"
#include "net/tls_client.h"

namespace kprod::client {

namespace {

constexpr std::string_view kPlainLoginModule =
    "org.apache.kafka.common.security.plain.PlainLoginModule";
constexpr std::string_view kScramLoginModule =
    "org.apache.kafka.common.security.scram.ScramLoginModule";
constexpr std::string_view kOAuthBearerLoginModule =
    "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";

net::TlsOptions::StoreType store_type(StoreType type) {
    switch (type) {
    case StoreType::kPkcs12:
        return net::TlsOptions::StoreType::kPkcs12;
    case StoreType::kPem:
        return net::TlsOptions::StoreType::kPem;
    case StoreType::kJks:
        break;
    }
    return net::TlsOptions::StoreType::kJks;
}

// The TLS context of ssl.*: for broker connections, and for HTTPS to an OIDC token endpoint.
std::shared_ptr<const net::TlsClient> make_tls_client(const ProducerConfig &c, std::string &error) {
    const std::string &algorithm = c.ssl_endpoint_identification_algorithm;
    if (!algorithm.empty() && !config_text::equals_ignore_case(algorithm, "https")) {
        error =
            "ssl.endpoint.identification.algorithm: expected https or empty (no host name "
            "check), got " +
            config_text::quoted(algorithm);
        return nullptr;
    }
    net::TlsOptions options;
    options.truststore_type = store_type(c.ssl_truststore_type);
    options.truststore_location = c.ssl_truststore_location;
    options.truststore_password = c.ssl_truststore_password;
    options.truststore_certificates = c.ssl_truststore_certificates;
    options.keystore_type = store_type(c.ssl_keystore_type);
    options.keystore_location = c.ssl_keystore_location;
    options.keystore_password = c.ssl_keystore_password;
    options.keystore_key = c.ssl_keystore_key;
    options.keystore_certificate_chain = c.ssl_keystore_certificate_chain;
    options.key_password = c.ssl_key_password;
    options.enabled_protocols = c.ssl_enabled_protocols;
    options.cipher_suites = c.ssl_cipher_suites;
    options.verify_hostname = !algorithm.empty();
    return net::TlsClient::create(options, error);
}

kprod_err_t resolve_tls(ProducerConfig &c, std::string &error) {
    c.tls = make_tls_client(c, error);
    return c.tls ? KPROD_OK : KPROD_ERR_INVALID_CONFIG;
}

// HTTPS to the token endpoint trusts what the broker connections trust
// (ssl.truststore.*, with the ssl.keystore.* client certificate) when any of
// it is set, as Java's login does; else the system's certificate store.
kprod_err_t resolve_oidc(ProducerConfig &c, const std::map<std::string, std::string> &options,
                         bool has_token_callback, std::string &error) {
    if (has_token_callback) {
        error =
            "sasl.oauthbearer.token.endpoint.url and a token callback "
            "(kprod_conf_set_oauthbearer_token_cb) both supply tokens: keep one";
        return KPROD_ERR_INVALID_CONFIG;
    }
    if (!resolve_oidc_login(options, c, error)) return KPROD_ERR_INVALID_CONFIG;
    const bool own_trust = !c.ssl_truststore_location.empty() ||
                           !c.ssl_truststore_certificates.empty() ||
                           !c.ssl_keystore_location.empty() || !c.ssl_keystore_key.empty();
    if (c.tls) {
        c.sasl.oidc.tls = c.tls;
    } else if (own_trust) {
        c.sasl.oidc.tls = make_tls_client(c, error);
        if (!c.sasl.oidc.tls) return KPROD_ERR_INVALID_CONFIG;
    }
    return KPROD_OK;
}

kprod_err_t resolve_mechanism(ProducerConfig &c, std::string &error) {
    const std::string &name = c.sasl_mechanism;
    c.sasl.mechanism_name = name;
    if (name == "PLAIN")
        c.sasl.mechanism = SaslMechanism::kPlain;
    else if (name == "SCRAM-SHA-256")
        c.sasl.mechanism = SaslMechanism::kScramSha256;
    else if (name == "SCRAM-SHA-512")
        c.sasl.mechanism = SaslMechanism::kScramSha512;
    else if (name == "OAUTHBEARER")
        c.sasl.mechanism = SaslMechanism::kOAuthBearer;
    else if (name == "GSSAPI")
        c.sasl.mechanism = SaslMechanism::kGssapi;
    else if (name == "AWS_MSK_IAM")
        c.sasl.mechanism = SaslMechanism::kAwsMskIam;
    else {
        error =
            "sasl.mechanism: expected GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER "
            "or AWS_MSK_IAM, got " +
            config_text::quoted(name);
        return KPROD_ERR_INVALID_CONFIG;
    }
    return KPROD_OK;
}

kprod_err_t credentials_from_jaas(ProducerConfig &c, std::string &error) {
    JaasConfig jaas;
    if (!parse_jaas_config(c.sasl_jaas_config, jaas, error)) return KPROD_ERR_INVALID_CONFIG;
    const std::string_view expected =
        c.sasl.mechanism == SaslMechanism::kPlain ? kPlainLoginModule : kScramLoginModule;
    if (jaas.login_module != expected) {
        error = "sasl.jaas.config: " + jaas.login_module +
                " does not go with sasl.mechanism=" + c.sasl_mechanism + "; use " +
                std::string(expected);
        return KPROD_ERR_INVALID_CONFIG;
    }
    for (const char *option : {"username", "password"}) {
        if (jaas.options.count(option) == 0) {
            error = std::string("sasl.jaas.config: the ") + option + " option is missing";
            return KPROD_ERR_INVALID_CONFIG;
        }
    }
    c.sasl.username = jaas.options["username"];
    c.sasl.password = jaas.options["password"];
    return KPROD_OK;
}

// OAUTHBEARER: tokens from the application's callback (sasl.jaas.config, if
// set, may add SASL extensions), or else unsecured JWTs made from the
// OAuthBearerLoginModule options, as Java's default login handler does.
kprod_err_t resolve_oauthbearer(ProducerConfig &c, bool has_token_callback, std::string &error) {
    if (!c.sasl_username.empty() || !c.sasl_password.empty()) {
        error =
            "sasl.username and sasl.password do not go with sasl.mechanism=OAUTHBEARER; set "
            "sasl.jaas.config or a token callback (kprod_conf_set_oauthbearer_token_cb)";
        return KPROD_ERR_INVALID_CONFIG;
    }
    c.sasl.token_from_callback = has_token_callback;
    if (oidc_login_requested(c)) {
        JaasConfig jaas;
        if (!c.sasl_jaas_config.empty()) {
            if (!parse_jaas_config(c.sasl_jaas_config, jaas, error))
                return KPROD_ERR_INVALID_CONFIG;
            if (jaas.login_module != kOAuthBearerLoginModule) {
                error = "sasl.jaas.config: " + jaas.login_module +
                        " does not go with sasl.mechanism=OAUTHBEARER; use " +
                        std::string(kOAuthBearerLoginModule);
                return KPROD_ERR_INVALID_CONFIG;
            }
        }
        return resolve_oidc(c, jaas.options, has_token_callback, error);
    }
    if (c.sasl_jaas_config.empty()) {
        if (has_token_callback) return KPROD_OK;
        error =
            "sasl.mechanism=OAUTHBEARER needs a token: set a token callback "
            "(kprod_conf_set_oauthbearer_token_cb), or sasl.jaas.config=" +
            std::string(kOAuthBearerLoginModule) +
            " required unsecuredLoginStringClaim_sub=\"...\"; for unsecured JWTs (tests)";
        return KPROD_ERR_INVALID_CONFIG;
    }
    JaasConfig jaas;
    if (!parse_jaas_config(c.sasl_jaas_config, jaas, error)) return KPROD_ERR_INVALID_CONFIG;
    if (jaas.login_module != kOAuthBearerLoginModule) {
        error = "sasl.jaas.config: " + jaas.login_module +
                " does not go with sasl.mechanism=OAUTHBEARER; use " +
                std::string(kOAuthBearerLoginModule);
        return KPROD_ERR_INVALID_CONFIG;
    }
    if (!parse_oauthbearer_options(jaas.options, !has_token_callback, c.sasl.unsecured_jwt,
                                   c.sasl.extensions, error))
        return KPROD_ERR_INVALID_CONFIG;
    c.sasl.username = c.sasl.unsecured_jwt.principal;
    return KPROD_OK;
}

kprod_err_t resolve_sasl(ProducerConfig &c, bool has_token_callback, std::string &error) {
    if (kprod_err_t err = resolve_mechanism(c, error)) return err;
    if (c.sasl.mechanism == SaslMechanism::kOAuthBearer)
        return resolve_oauthbearer(c, has_token_callback, error);
    if (c.sasl.mechanism == SaslMechanism::kGssapi) return resolve_gssapi(c, error);
    if (c.sasl.mechanism == SaslMechanism::kAwsMskIam) return resolve_aws_msk_iam(c, error);
    const bool simple = !c.sasl_username.empty() || !c.sasl_password.empty();
    if (!c.sasl_jaas_config.empty() && simple) {
        error = "set sasl.jaas.config or sasl.username with sasl.password, not both";
        return KPROD_ERR_INVALID_CONFIG;
    }
    if (!c.sasl_jaas_config.empty()) return credentials_from_jaas(c, error);
    if (c.sasl_username.empty() || c.sasl_password.empty()) {
        error = "sasl.mechanism=" + c.sasl_mechanism +
                " needs credentials: set sasl.jaas.config, or sasl.username and sasl.password";
        return KPROD_ERR_INVALID_CONFIG;
    }
    c.sasl.username = c.sasl_username;
    c.sasl.password = c.sasl_password;
    return KPROD_OK;
}

}  // namespace

kprod_err_t resolve_security(ProducerConfig &c, std::string &error,
                             bool has_oauthbearer_token_callback) {
    const SecurityProtocol protocol = c.security_protocol;
    if (protocol == SecurityProtocol::kSsl || protocol == SecurityProtocol::kSaslSsl)
        if (kprod_err_t err = resolve_tls(c, error)) return err;
    const bool sasl =
        protocol == SecurityProtocol::kSaslPlaintext || protocol == SecurityProtocol::kSaslSsl;
    if (oidc_login_requested(c) && (!sasl || c.sasl_mechanism != "OAUTHBEARER")) {
        error =
            "sasl.oauthbearer.token.endpoint.url is set, but the producer does not log in with "
            "sasl.mechanism=OAUTHBEARER over SASL_PLAINTEXT or SASL_SSL";
        return KPROD_ERR_INVALID_CONFIG;
    }
    if (sasl) {
        if (kprod_err_t err = resolve_sasl(c, has_oauthbearer_token_callback, error)) return err;
        if (c.sasl.mechanism != SaslMechanism::kOAuthBearer)
            c.sasl.rotating =
                std::make_shared<RotatingCredentials>(c.sasl.username, c.sasl.password);
    }
    return KPROD_OK;
}

}  // namespace kprod::client
