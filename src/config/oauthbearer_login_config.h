// The OAUTHBEARER login half of ConfigStore::build: reads the sasl.login.*
// and sasl.oauthbearer.* properties into c.sasl.refresh and c.sasl.oidc, and
// checks them once the SASL mechanism and sasl.jaas.config are known (Java's
// OAuthBearerLoginCallbackHandler takes clientId, clientSecret and scope from
// either the properties or the JAAS options).
#pragma once

#include <map>
#include <string>

#include "config/config.h"

namespace kprod::client {

// The values as set or defaulted; checked against each other later.
void read_oauthbearer_login_settings(const ConfigStore &store, ProducerConfig &c);

// Whether the sasl.oauthbearer.* token endpoint is set (an OIDC login).
bool oidc_login_requested(const ProducerConfig &c);

// For sasl.mechanism=OAUTHBEARER with a token endpoint: completes c.sasl.oidc
// from the OAuthBearerLoginModule options (clientId, clientSecret, scope,
// extension_<name>) and checks that the grant has what it needs. False with a
// message naming the property or option at fault (never quoting a secret).
bool resolve_oidc_login(const std::map<std::string, std::string> &jaas_options, ProducerConfig &c,
                        std::string &error);

// The properties that only an OIDC login reads, set without one: the first
// such name, else "".
std::string oidc_property_without_endpoint(const ConfigStore &store);

}  // namespace kprod::client
