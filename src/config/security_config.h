// The security half of ConfigStore::build: checks the ssl.* and sasl.*
// properties against security.protocol, builds the TLS context (reading the
// truststore and keystore files once) and resolves the SASL credentials.
#pragma once

#include <string>

#include "config/config.h"

namespace kprod::client {

// Fills c.tls and c.sasl. Returns KPROD_OK, KPROD_ERR_INVALID_CONFIG (error
// names the property at fault), KPROD_ERR_UNSUPPORTED (GSSAPI in a build
// without Kerberos) or KPROD_ERR_AUTHENTICATION (the Kerberos login failed).
// has_oauthbearer_token_callback: the application supplies OAUTHBEARER tokens.
kprod_err_t resolve_security(ProducerConfig &c, std::string &error,
                             bool has_oauthbearer_token_callback = false);

}  // namespace kprod::client
