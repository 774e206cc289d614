// sasl.mechanism=GSSAPI: Kerberos through the system's GSS-API library (MIT
// krb5), as Java's Krb5LoginModule with useKeyTab=true does it. The login
// takes credentials from the keytab into a private in-memory ticket cache
// (the user's own cache is never read or written), once in kprod_new, and
// again at the first authentication after 80% of the ticket's lifetime has
// passed (Java's sasl.kerberos.ticket.renew.window.factor default), so that a
// ticket that lives shorter than the producer never stops new connections or
// re-authentications (KIP-368). A failed new login keeps the old ticket while
// it lasts, and is tried again at the next authentication.
// Optional at build time (CMake option KPROD_GSSAPI): without it
// gssapi_available() is false and make_gssapi_factory refuses.
#pragma once

#include <memory>
#include <string>

#include "security/sasl_exchange.h"

namespace kprod::client {

struct KerberosSettings {
    std::string service_name;  // the broker's principal's first part: "kafka"
    std::string keytab;        // path of the client's keytab
    std::string principal;     // "producer@EXAMPLE.COM", or without the realm: the default
};

// Whether this libkprod was built with Kerberos.
bool gssapi_available();

// Logs in (so that a wrong keytab fails kprod_new, as it fails Java's
// KafkaProducer), then starts one GSSAPI exchange per authentication; null
// with error if the login fails or Kerberos is not built in.
std::shared_ptr<SaslExchangeFactory> make_gssapi_factory(const KerberosSettings &settings,
                                                         std::string &error);

}  // namespace kprod::client
