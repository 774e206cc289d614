#include "config/oauthbearer_login_config.h"

#include <cstdlib>

#include "config/config_text.h"

namespace kprod::client {

namespace {

constexpr std::string_view kJwtBearerRetriever =
    "org.apache.kafka.common.security.oauthbearer.JwtBearerJwtRetriever";

// The table has checked every value (type and range) when it was set.
std::string text(const ConfigStore &store, std::string_view name) {
    std::string value;
    store.get(name, value);
    return value;
}

int64_t integer(const ConfigStore &store, std::string_view name) {
    int64_t value = 0;
    config_text::parse_integer(text(store, name), value);
    return value;
}

double real(const ConfigStore &store, std::string_view name) {
    return std::strtod(text(store, name).c_str(), nullptr);
}

bool starts_with(const std::string &value, std::string_view prefix) {
    return value.compare(0, prefix.size(), prefix) == 0;
}

// The options Java's OAuthBearerLoginCallbackHandler reads from the JAAS line.
bool read_jaas_options(const std::map<std::string, std::string> &options, OidcSettings &oidc,
                       std::map<std::string, std::string> &extensions, std::string &error) {
    for (const auto &[name, value] : options) {
        if (name == "clientId") {
            if (oidc.client_id.empty()) oidc.client_id = value;
        } else if (name == "clientSecret") {
            if (oidc.client_secret.empty()) oidc.client_secret = value;
        } else if (name == "scope") {
            if (oidc.scope.empty()) oidc.scope = value;
        } else if (starts_with(name, "extension_") && name.size() > 10) {
            extensions[name.substr(10)] = value;
        } else {
            error = "sasl.jaas.config: unknown OAuthBearerLoginModule option " + name +
                    " with sasl.oauthbearer.token.endpoint.url (expected clientId, clientSecret, "
                    "scope or extension_<name>)";
            return false;
        }
    }
    return true;
}

}  // namespace

void read_oauthbearer_login_settings(const ConfigStore &store, ProducerConfig &c) {
    LoginRefreshSettings &refresh = c.sasl.refresh;
    refresh.window_factor = real(store, "sasl.login.refresh.window.factor");
    refresh.window_jitter = real(store, "sasl.login.refresh.window.jitter");
    refresh.min_period_seconds = integer(store, "sasl.login.refresh.min.period.seconds");
    refresh.buffer_seconds = integer(store, "sasl.login.refresh.buffer.seconds");
    refresh.retry_backoff_ms = integer(store, "sasl.login.retry.backoff.ms");
    refresh.retry_backoff_max_ms = integer(store, "sasl.login.retry.backoff.max.ms");

    OidcSettings &oidc = c.sasl.oidc;
    oidc.token_endpoint_url = text(store, "sasl.oauthbearer.token.endpoint.url");
    oidc.grant = text(store, "sasl.oauthbearer.jwt.retriever.class") == kJwtBearerRetriever
                     ? OidcGrant::kJwtBearer
                     : OidcGrant::kClientCredentials;
    oidc.client_id = text(store, "sasl.oauthbearer.client.credentials.client.id");
    oidc.client_secret = text(store, "sasl.oauthbearer.client.credentials.client.secret");
    oidc.scope = text(store, "sasl.oauthbearer.scope");
    oidc.sub_claim_name = text(store, "sasl.oauthbearer.sub.claim.name");
    oidc.scope_claim_name = text(store, "sasl.oauthbearer.scope.claim.name");
    oidc.connect_timeout_ms = integer(store, "sasl.login.connect.timeout.ms");
    oidc.read_timeout_ms = integer(store, "sasl.login.read.timeout.ms");
    oidc.assertion_file = text(store, "sasl.oauthbearer.assertion.file");
    oidc.assertion_algorithm = text(store, "sasl.oauthbearer.assertion.algorithm");
    oidc.assertion_private_key_file = text(store, "sasl.oauthbearer.assertion.private.key.file");
    oidc.assertion_private_key_passphrase =
        text(store, "sasl.oauthbearer.assertion.private.key.passphrase");
    oidc.assertion_claim_aud = text(store, "sasl.oauthbearer.assertion.claim.aud");
    oidc.assertion_claim_iss = text(store, "sasl.oauthbearer.assertion.claim.iss");
    oidc.assertion_claim_sub = text(store, "sasl.oauthbearer.assertion.claim.sub");
    oidc.assertion_claim_exp_seconds =
        integer(store, "sasl.oauthbearer.assertion.claim.exp.seconds");
    oidc.assertion_claim_nbf_seconds =
        integer(store, "sasl.oauthbearer.assertion.claim.nbf.seconds");
    oidc.assertion_claim_jti_include = config_text::equals_ignore_case(
        text(store, "sasl.oauthbearer.assertion.claim.jti.include"), "true");
    oidc.verify_hostname = !text(store, "ssl.endpoint.identification.algorithm").empty();
}

bool oidc_login_requested(const ProducerConfig &c) {
    return !c.sasl.oidc.token_endpoint_url.empty();
}

bool resolve_oidc_login(const std::map<std::string, std::string> &jaas_options, ProducerConfig &c,
                        std::string &error) {
    OidcSettings &oidc = c.sasl.oidc;
    const std::string &url = oidc.token_endpoint_url;
    const bool http = starts_with(url, "https://") || starts_with(url, "http://");
    if (!http && !starts_with(url, "file:")) {
        error =
            "sasl.oauthbearer.token.endpoint.url: expected an http://, https:// or file: URL, "
            "got " +
            config_text::quoted(url);
        return false;
    }
#ifndef KPROD_HAVE_OIDC
    if (http) {
        error =
            "sasl.oauthbearer.token.endpoint.url: this kprod was built without libcurl "
            "(CMake option KPROD_OIDC=OFF), so it cannot ask a token endpoint for tokens; "
            "rebuild with libcurl4-openssl-dev installed, or supply tokens with "
            "kprod_conf_set_oauthbearer_token_cb";
        return false;
    }
#endif
    if (!read_jaas_options(jaas_options, oidc, c.sasl.extensions, error)) return false;
    if (!http) return true;  // file: a token written by some other process, read as it is
    if (oidc.grant == OidcGrant::kClientCredentials) {
        if (oidc.client_id.empty() || oidc.client_secret.empty()) {
            error =
                "sasl.oauthbearer.token.endpoint.url: the client_credentials grant needs a client "
                "id and secret: set sasl.oauthbearer.client.credentials.client.id and "
                ".client.secret, or clientId and clientSecret in sasl.jaas.config";
            return false;
        }
        return true;
    }
    if (oidc.assertion_file.empty() && oidc.assertion_private_key_file.empty()) {
        error =
            "sasl.oauthbearer.jwt.retriever.class=JwtBearerJwtRetriever needs an assertion: set "
            "sasl.oauthbearer.assertion.private.key.file (kprod signs one) or "
            "sasl.oauthbearer.assertion.file (a signed one)";
        return false;
    }
    return true;
}

std::string oidc_property_without_endpoint(const ConfigStore &store) {
    for (const char *name :
         {"sasl.oauthbearer.client.credentials.client.id",
          "sasl.oauthbearer.client.credentials.client.secret", "sasl.oauthbearer.scope",
          "sasl.oauthbearer.jwt.retriever.class", "sasl.oauthbearer.assertion.file",
          "sasl.oauthbearer.assertion.private.key.file",
          "sasl.oauthbearer.assertion.private.key.passphrase",
          "sasl.oauthbearer.assertion.algorithm", "sasl.oauthbearer.assertion.claim.aud",
          "sasl.oauthbearer.assertion.claim.iss", "sasl.oauthbearer.assertion.claim.sub",
          "sasl.oauthbearer.assertion.claim.exp.seconds",
          "sasl.oauthbearer.assertion.claim.nbf.seconds",
          "sasl.oauthbearer.assertion.claim.jti.include", "sasl.oauthbearer.sub.claim.name",
          "sasl.oauthbearer.scope.claim.name", "sasl.login.connect.timeout.ms",
          "sasl.login.read.timeout.ms"})
        if (store.is_set(name)) return name;
    return "";
}

}  // namespace kprod::client
