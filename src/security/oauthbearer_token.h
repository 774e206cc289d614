// OAUTHBEARER tokens: what a token source hands over (the token, when it
// expires, whose it is), and the unsecured JWTs that Java's
// OAuthBearerUnsecuredLoginCallbackHandler makes for tests from the options of
//   org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required
//       unsecuredLoginStringClaim_sub="alice";
// An unsecured JWT is header {"alg":"none"}, claims {"exp":...,"iat":...,
// "sub":...}, each base64url-encoded, joined by '.', with an empty signature:
// only a broker running Kafka's unsecured validator accepts it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kprod::client {

struct OAuthBearerToken {
    std::string value;          // secret: never logged
    int64_t expires_at_ms = 0;  // wall clock, ms since the epoch
    std::string principal;      // for log lines
    int64_t issued_at_ms = 0;   // wall clock, when kprod received it
    std::string scope;          // OIDC: the scope claim, for log lines ("" when none)
};

// The options of Java's unsecured login handler, checked.
struct UnsecuredJwtOptions {
    std::string principal_claim_name = "sub";  // unsecuredLoginPrincipalClaimName
    std::string scope_claim_name = "scope";    // unsecuredLoginScopeClaimName
    int64_t lifetime_seconds = 3600;           // unsecuredLoginLifetimeSeconds
    // unsecuredLogin{String,Number,List}Claim_<name>: each claim's name and its
    // JSON text, in the order of their option names.
    std::vector<std::pair<std::string, std::string>> claims;
    std::string principal;  // the principal claim's value
};

// Reads the OAuthBearerLoginModule options of sasl.jaas.config:
// unsecuredLogin{String,Number,List}Claim_<name>, unsecuredLoginPrincipalClaimName,
// unsecuredLoginLifetimeSeconds, unsecuredLoginScopeClaimName, and
// unsecuredLoginExtension_<name> (SASL extensions, into `extensions`).
// `claims_allowed`: false when a token callback supplies the token (then only
// extensions may be given). False with a message naming the option at fault.
bool parse_oauthbearer_options(const std::map<std::string, std::string> &options,
                               bool claims_allowed, UnsecuredJwtOptions &jwt,
                               std::map<std::string, std::string> &extensions, std::string &error);

// An unsecured JWT issued at now_ms (wall clock), valid for lifetime_seconds.
OAuthBearerToken make_unsecured_jwt(const UnsecuredJwtOptions &options, int64_t now_ms);

}  // namespace kprod::client
