#include "config/kerberos_config.h"

#include <unistd.h>

#include "security/gssapi_mechanism.h"
#include "security/jaas_config.h"

namespace kprod::client {

namespace {

constexpr std::string_view kKrb5LoginModule = "com.sun.security.auth.module.Krb5LoginModule";
constexpr std::string_view kJaasExample =
    "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true "
    "keyTab=\"/etc/security/producer.keytab\" principal=\"producer@EXAMPLE.COM\";";

bool option_is_true(const JaasConfig &jaas, const char *name) {
    auto it = jaas.options.find(name);
    return it != jaas.options.end() && it->second == "true";
}

kprod_err_t settings_from_jaas(const ProducerConfig &c, KerberosSettings &out, std::string &error) {
    if (c.sasl_jaas_config.empty()) {
        error = "sasl.mechanism=GSSAPI needs a keytab and a principal: set sasl.jaas.config=" +
                std::string(kJaasExample);
        return KPROD_ERR_INVALID_CONFIG;
    }
    JaasConfig jaas;
    if (!parse_jaas_config(c.sasl_jaas_config, jaas, error)) return KPROD_ERR_INVALID_CONFIG;
    if (jaas.login_module != kKrb5LoginModule) {
        error = "sasl.jaas.config: " + jaas.login_module +
                " does not go with sasl.mechanism=GSSAPI; use " + std::string(kKrb5LoginModule);
        return KPROD_ERR_INVALID_CONFIG;
    }
    // kprod logs in from a keytab only: it never reads the user's ticket cache.
    if (!option_is_true(jaas, "useKeyTab") || option_is_true(jaas, "useTicketCache")) {
        error =
            "sasl.jaas.config: kprod logs in to Kerberos from a keytab only: set useKeyTab=true "
            "with keyTab=\"...\" and principal=\"...\" (and not useTicketCache=true)";
        return KPROD_ERR_INVALID_CONFIG;
    }
    for (const char *option : {"keyTab", "principal"}) {
        if (jaas.options.count(option) == 0 || jaas.options[option].empty()) {
            error = std::string("sasl.jaas.config: the ") + option +
                    " option is missing (Krb5LoginModule with useKeyTab=true needs keyTab and "
                    "principal)";
            return KPROD_ERR_INVALID_CONFIG;
        }
    }
    out.keytab = jaas.options["keyTab"];
    out.principal = jaas.options["principal"];
    if (access(out.keytab.c_str(), R_OK) != 0) {
        error = "sasl.jaas.config: keyTab \"" + out.keytab + "\" cannot be read";
        return KPROD_ERR_INVALID_CONFIG;
    }
    // Java takes the service name from either place, and refuses two different ones.
    const std::string &property = c.sasl_kerberos_service_name;
    const std::string jaas_name =
        jaas.options.count("serviceName") ? jaas.options["serviceName"] : std::string();
    if (!property.empty() && !jaas_name.empty() && property != jaas_name) {
        error = "sasl.kerberos.service.name is \"" + property +
                "\" but sasl.jaas.config's serviceName is \"" + jaas_name +
                "\"; set the same name in both, or only one";
        return KPROD_ERR_INVALID_CONFIG;
    }
    out.service_name = property.empty() ? jaas_name : property;
    if (out.service_name.empty()) {
        error =
            "sasl.mechanism=GSSAPI needs the broker's Kerberos service name: set "
            "sasl.kerberos.service.name (the first part of the broker's principal, usually "
            "kafka)";
        return KPROD_ERR_INVALID_CONFIG;
    }
    return KPROD_OK;
}

}  // namespace

kprod_err_t resolve_gssapi(ProducerConfig &c, std::string &error) {
    if (!gssapi_available()) {
        make_gssapi_factory({}, error);
        return KPROD_ERR_UNSUPPORTED;
    }
    if (!c.sasl_username.empty() || !c.sasl_password.empty()) {
        error =
            "sasl.username and sasl.password do not go with sasl.mechanism=GSSAPI; set "
            "sasl.jaas.config=" +
            std::string(kJaasExample);
        return KPROD_ERR_INVALID_CONFIG;
    }
    KerberosSettings settings;
    if (kprod_err_t err = settings_from_jaas(c, settings, error)) return err;
    c.sasl.exchange_factory = make_gssapi_factory(settings, error);
    if (!c.sasl.exchange_factory) return KPROD_ERR_AUTHENTICATION;
    c.sasl.username = settings.principal;
    return KPROD_OK;
}

}  // namespace kprod::client
