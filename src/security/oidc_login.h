// The OIDC token source of an OAUTHBEARER login (KIP-768, KIP-1139): asks the
// token endpoint of sasl.oauthbearer.token.endpoint.url for an access token,
// with the client_credentials grant (client id and secret, HTTP Basic) or the
// jwt-bearer grant (an assertion signed with our private key), and checks the
// JWT it gets as Java's ClientJwtValidator does: three parts, a claims set
// with exp in the future and the principal in sasl.oauthbearer.sub.claim.name.
// A file: URL names a file holding the token instead (Java's FileJwtRetriever).
// Runs on: the login's refresh thread (and once in kprod_new); blocking.
#pragma once

#include <cstdint>
#include <string>

#include "security/http_client.h"
#include "security/oauthbearer_login.h"
#include "security/oidc_options.h"

namespace kprod::client {

OAuthBearerLogin::TokenSource make_oidc_token_source(const OidcSettings &settings);

// The form of the token request: grant_type and scope, and the assertion of
// the jwt-bearer grant. False with why (the assertion could not be made).
bool oidc_token_request(const OidcSettings &settings, int64_t now_seconds, HttpRequest &request,
                        std::string &error);

// The token in the endpoint's answer, checked; false with why (the endpoint's
// own error and error_description for a refusal), never quoting a token.
bool oidc_token_from_answer(const OidcSettings &settings, const HttpResponse &answer,
                            int64_t now_ms, OAuthBearerToken &token, std::string &error);

// A JWT access token checked and described (principal, expiry); `source`
// names where it came from, for messages.
bool oidc_token_from_jwt(const OidcSettings &settings, const std::string &jwt,
                         const std::string &source, int64_t now_ms, OAuthBearerToken &token,
                         std::string &error);

}  // namespace kprod::client
