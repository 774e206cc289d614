// sasl.mechanism=GSSAPI's half of ConfigStore::build: the keytab and principal
// from sasl.jaas.config (Java's Krb5LoginModule with useKeyTab=true), the
// broker's service name, and the first Kerberos login.
#pragma once

#include <string>

#include "config/config.h"

namespace kprod::client {

// Fills c.sasl for GSSAPI. Returns KPROD_OK, KPROD_ERR_INVALID_CONFIG (error
// names the property at fault), KPROD_ERR_UNSUPPORTED (built without
// Kerberos) or KPROD_ERR_AUTHENTICATION (the login from the keytab failed).
kprod_err_t resolve_gssapi(ProducerConfig &c, std::string &error);

}  // namespace kprod::client
