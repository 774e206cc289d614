// The settings of an OAUTHBEARER login, as Java's sasl.login.* and
// sasl.oauthbearer.* properties give them (KIP-368 refresh, KIP-768 OIDC
// client_credentials, KIP-1139 jwt-bearer). Filled by the configuration's
// build step (config/oauthbearer_login_config.cpp); read by OAuthBearerLogin
// (when to refresh, how to back off) and by the OIDC token source.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace kprod::net {
class TlsClient;
}

namespace kprod::client {

// When to fetch the next token (Java's ExpiringCredentialRefreshingLogin) and
// how long to wait after a failed fetch.
struct LoginRefreshSettings {
    double window_factor = 0.8;            // sasl.login.refresh.window.factor
    double window_jitter = 0.05;           // sasl.login.refresh.window.jitter
    int64_t min_period_seconds = 60;       // sasl.login.refresh.min.period.seconds
    int64_t buffer_seconds = 300;          // sasl.login.refresh.buffer.seconds
    int64_t retry_backoff_ms = 100;        // sasl.login.retry.backoff.ms
    int64_t retry_backoff_max_ms = 10000;  // sasl.login.retry.backoff.max.ms
};

enum class OidcGrant {
    kClientCredentials,  // RFC 6749 4.4: client id and secret
    kJwtBearer,          // RFC 7523 2.1: an assertion signed with our private key
};

// Where and how to ask an OAuth 2 / OIDC token endpoint for tokens.
struct OidcSettings {
    std::string token_endpoint_url;  // "": no OIDC login
    OidcGrant grant = OidcGrant::kClientCredentials;
    std::string client_id;
    std::string client_secret;  // secret: never logged
    std::string scope;          // "" : none asked for
    std::string sub_claim_name = "sub";
    std::string scope_claim_name = "scope";
    int64_t connect_timeout_ms = 10000;
    int64_t read_timeout_ms = 10000;
    // jwt-bearer: the assertion, from a file as it is, or made and signed here.
    std::string assertion_file;
    std::string assertion_algorithm = "RS256";  // RS256 or ES256
    std::string assertion_private_key_file;
    std::string assertion_private_key_passphrase;  // secret
    std::string assertion_claim_aud, assertion_claim_iss, assertion_claim_sub;
    int64_t assertion_claim_exp_seconds = 300;
    int64_t assertion_claim_nbf_seconds = 60;
    bool assertion_claim_jti_include = false;
    // HTTPS to the endpoint: the ssl.* trust (and client certificate) when set,
    // else the system's certificate store; host name checked unless
    // ssl.endpoint.identification.algorithm is empty.
    std::shared_ptr<const net::TlsClient> tls;
    bool verify_hostname = true;
};

}  // namespace kprod::client
