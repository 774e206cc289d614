// SASL OAUTHBEARER (RFC 7628), the client side as Kafka's OAuthBearerSaslClient
// speaks it: one message with the bearer token and the SASL extensions,
//   n,,\x01auth=Bearer <token>\x01[key=value\x01 ...]\x01
// The broker answers with nothing (accepted) or with a JSON error; the client
// then sends a lone \x01 and the broker fails the authentication.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace kprod::protocol {

// The answer to a JSON error from the broker (RFC 7628 section 3.2.3).
inline constexpr std::string_view kOAuthBearerErrorAcknowledgement = "\x01";

std::string oauthbearer_client_first_message(std::string_view token,
                                             const std::map<std::string, std::string> &extensions);

// A bearer token's characters (RFC 6750 b64token: A-Z a-z 0-9 - . _ ~ + / then '='s).
bool valid_bearer_token(std::string_view token);

// Kafka's rules for SASL extensions (SaslExtensions): a key of letters only,
// not "auth"; a value of printable ASCII, space, tab, CR or LF. False with a
// message naming the key (never the value).
bool valid_sasl_extension(std::string_view key, std::string_view value, std::string &error);

}  // namespace kprod::protocol
