// Built instead of gssapi_mechanism.cpp when KPROD_GSSAPI is off (no Kerberos library).
#include "security/gssapi_mechanism.h"

namespace kprod::client {

bool gssapi_available() {
    return false;
}

std::shared_ptr<SaslExchangeFactory> make_gssapi_factory(const KerberosSettings &,
                                                         std::string &error) {
    error =
        "sasl.mechanism=GSSAPI: this libkprod was built without Kerberos (CMake option "
        "KPROD_GSSAPI=OFF, or MIT krb5's GSS-API library was not found when it was built)";
    return nullptr;
}

}  // namespace kprod::client
