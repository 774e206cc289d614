// The jwt-bearer grant's assertion (RFC 7523 2.1, KIP-1139): a JWT whose
// claims say who we are (iss, sub), for whom (aud) and for how long (iat, nbf,
// exp, optionally a random jti), signed RS256 or ES256 with the private key
// of sasl.oauthbearer.assertion.private.key.file, as Java's
// JwtBearerJwtRetriever makes it. A fresh one for every token request.
#pragma once

#include <cstdint>
#include <string>

#include "security/oidc_options.h"

namespace kprod::client {

// False with why (naming the file or the OpenSSL failure, never the key or
// the passphrase).
bool make_client_assertion(const OidcSettings &settings, int64_t now_seconds,
                           std::string &assertion, std::string &error);

}  // namespace kprod::client
