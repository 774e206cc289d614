// The GSSAPI SASL mechanism (RFC 4752) as Kafka's brokers run it: the
// client's Kerberos AP-REQ and the broker's AP-REP travel in SaslAuthenticate
// requests until the security context is established; then the broker sends
// a wrapped 4-byte offer (security layers, maximum message size), and the
// client answers with a wrapped choice: no security layer (the connection's
// TLS, if any, protects it), maximum size 0, its principal as authorization id.
#include "security/gssapi_mechanism.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>

namespace kprod::client {

namespace {

using Clock = std::chrono::steady_clock;

// RFC 4752 3.1: the security layer bit meaning "no security layer".
constexpr unsigned char kNoSecurityLayer = 0x01;
// Java's sasl.kerberos.ticket.renew.window.factor default: log in again when
// this share of the ticket's lifetime has passed.
constexpr double kRenewWindowFactor = 0.8;

gss_OID krb5_mechanism() {
    return const_cast<gss_OID>(gss_mech_krb5);
}

void append_status(std::string &out, OM_uint32 status, int type, gss_OID mechanism) {
    OM_uint32 minor = 0, context = 0;
    do {
        gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
        if (GSS_ERROR(gss_display_status(&minor, status, type, mechanism, &context, &text))) break;
        if (!out.empty()) out += ": ";
        out.append(static_cast<const char *>(text.value), text.length);
        gss_release_buffer(&minor, &text);
    } while (context != 0);
}

// The GSS-API's own words and the Kerberos library's, e.g. "Unspecified GSS
// failure. Minor code may provide more information: Server not found in
// Kerberos database".
std::string gss_error(OM_uint32 major, OM_uint32 minor) {
    std::string text;
    append_status(text, major, GSS_C_GSS_CODE, GSS_C_NO_OID);
    if (minor != 0) append_status(text, minor, GSS_C_MECH_CODE, krb5_mechanism());
    return text;
}

std::string display_name(gss_name_t name) {
    OM_uint32 minor = 0;
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    if (GSS_ERROR(gss_display_name(&minor, name, &text, nullptr))) return "?";
    std::string out(static_cast<const char *>(text.value), text.length);
    gss_release_buffer(&minor, &text);
    return out;
}

bool import_name(const std::string &text, gss_OID type, gss_name_t &out, std::string &error) {
    OM_uint32 minor = 0;
    gss_buffer_desc buffer{text.size(), const_cast<char *>(text.data())};
    const OM_uint32 major = gss_import_name(&minor, &buffer, type, &out);
    if (!GSS_ERROR(major)) return true;
    error = "cannot use Kerberos name \"" + text + "\": " + gss_error(major, minor);
    return false;
}

// Credentials from the keytab, in a memory ticket cache of their own, which
// goes when the last exchange using them ends.
struct KerberosCredential {
    gss_cred_id_t handle = GSS_C_NO_CREDENTIAL;
    std::string ccache;  // "MEMORY:kprod-..."
    std::string principal;
    Clock::time_point expires_at;

    ~KerberosCredential() {
        OM_uint32 minor = 0;
        if (handle != GSS_C_NO_CREDENTIAL) gss_release_cred(&minor, &handle);
        krb5_context context = nullptr;
        if (krb5_init_context(&context) != 0) return;
        krb5_ccache cache = nullptr;
        if (krb5_cc_resolve(context, ccache.c_str(), &cache) == 0) krb5_cc_destroy(context, cache);
        krb5_free_context(context);
    }
};

std::shared_ptr<KerberosCredential> login_from_keytab(const KerberosSettings &settings,
                                                      std::string &error) {
    static std::atomic<unsigned> logins{0};
    auto credential = std::make_shared<KerberosCredential>();
    credential->ccache = "MEMORY:kprod-" + std::to_string(getpid()) + "-" +
                         std::to_string(logins.fetch_add(1, std::memory_order_relaxed));
    gss_name_t name = GSS_C_NO_NAME;
    if (!import_name(settings.principal, const_cast<gss_OID>(GSS_KRB5_NT_PRINCIPAL_NAME), name,
                     error))
        return nullptr;
    gss_key_value_element_desc elements[] = {{"client_keytab", settings.keytab.c_str()},
                                             {"ccache", credential->ccache.c_str()}};
    const gss_key_value_set_desc store{2, elements};
    gss_OID_desc mechanism = *krb5_mechanism();
    gss_OID_set_desc mechanisms{1, &mechanism};
    OM_uint32 minor = 0;
    OM_uint32 major =
        gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE, &mechanisms, GSS_C_INITIATE, &store,
                              &credential->handle, nullptr, nullptr);
    OM_uint32 lifetime = 0;
    gss_name_t full_name = GSS_C_NO_NAME;  // with the realm
    // Asking for the lifetime makes the library fetch the ticket now.
    if (!GSS_ERROR(major))
        major =
            gss_inquire_cred(&minor, credential->handle, &full_name, &lifetime, nullptr, nullptr);
    if (GSS_ERROR(major) || lifetime == 0) {
        error = "Kerberos login as " + settings.principal + " with keytab " + settings.keytab +
                " failed: " +
                (GSS_ERROR(major) ? gss_error(major, minor) : "the ticket has no lifetime left");
        gss_release_name(&minor, &name);
        return nullptr;
    }
    credential->principal = display_name(full_name);
    gss_release_name(&minor, &full_name);
    gss_release_name(&minor, &name);
    credential->expires_at = Clock::now() + std::chrono::seconds(lifetime);
    return credential;
}

// One authentication: the GSS-API security context with one broker.
class GssapiExchange final : public SaslExchange {
public:
    explicit GssapiExchange(std::shared_ptr<KerberosCredential> credential)
        : credential_(std::move(credential)) {}

    ~GssapiExchange() override {
        OM_uint32 minor = 0;
        if (context_ != GSS_C_NO_CONTEXT)
            gss_delete_sec_context(&minor, &context_, GSS_C_NO_BUFFER);
        if (target_ != GSS_C_NO_NAME) gss_release_name(&minor, &target_);
    }

    // The first AP-REQ for service@host.
    bool start(const std::string &service, const std::string &host, std::string &error) {
        if (!import_name(service + "@" + host, GSS_C_NT_HOSTBASED_SERVICE, target_, error))
            return false;
        return step(nullptr, first_message_, error) != Step::kRefused;
    }

    const std::string &initial_response() const override { return first_message_; }
    const std::string &principal() const override { return credential_->principal; }

    Step on_challenge(const std::string &challenge, std::string &response,
                      std::string &error) override {
        switch (state_) {
        case State::kEstablishing:
            return step(&challenge, response, error);
        case State::kSecurityLayer:
            return choose_security_layer(challenge, response, error);
        case State::kChosen:
            break;
        }
        return Step::kDone;  // the broker accepted the choice
    }

private:
    enum class State { kEstablishing, kSecurityLayer, kChosen };

    // gss_init_sec_context with the broker's token (none at first).
    Step step(const std::string *token, std::string &response, std::string &error) {
        gss_buffer_desc input{token ? token->size() : 0,
                              token ? const_cast<char *>(token->data()) : nullptr};
        gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
        OM_uint32 minor = 0;
        const OM_uint32 major = gss_init_sec_context(
            &minor, credential_->handle, &context_, target_, krb5_mechanism(),
            GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG, GSS_C_INDEFINITE, GSS_C_NO_CHANNEL_BINDINGS,
            token ? &input : GSS_C_NO_BUFFER, nullptr, &output, nullptr, nullptr);
        response.assign(static_cast<const char *>(output.value), output.length);
        OM_uint32 ignored = 0;
        gss_release_buffer(&ignored, &output);
        if (GSS_ERROR(major)) {
            error = "Kerberos (GSSAPI) with " + display_name(target_) + " as " +
                    credential_->principal + ": " + gss_error(major, minor);
            return Step::kRefused;
        }
        // Established: an empty answer asks the broker for its security layer offer.
        if (!(major & GSS_S_CONTINUE_NEEDED)) state_ = State::kSecurityLayer;
        return Step::kSend;
    }

    Step choose_security_layer(const std::string &challenge, std::string &response,
                               std::string &error) {
        gss_buffer_desc input{challenge.size(), const_cast<char *>(challenge.data())};
        gss_buffer_desc offer = GSS_C_EMPTY_BUFFER;
        OM_uint32 minor = 0;
        OM_uint32 major = gss_unwrap(&minor, context_, &input, &offer, nullptr, nullptr);
        if (GSS_ERROR(major)) {
            error = "cannot unwrap the broker's GSSAPI security layer offer: " +
                    gss_error(major, minor);
            return Step::kRefused;
        }
        const bool offers_none =
            offer.length == 4 &&
            (static_cast<const unsigned char *>(offer.value)[0] & kNoSecurityLayer) != 0;
        gss_release_buffer(&minor, &offer);
        if (!offers_none) {
            error = "the broker's GSSAPI offer has no \"no security layer\" option (RFC 4752)";
            return Step::kRefused;
        }
        std::string choice{static_cast<char>(kNoSecurityLayer), 0, 0, 0};
        choice += credential_->principal;
        gss_buffer_desc plain{choice.size(), choice.data()};
        gss_buffer_desc wrapped = GSS_C_EMPTY_BUFFER;
        major = gss_wrap(&minor, context_, 0, GSS_C_QOP_DEFAULT, &plain, nullptr, &wrapped);
        if (GSS_ERROR(major)) {
            error = "cannot wrap the GSSAPI security layer choice: " + gss_error(major, minor);
            return Step::kRefused;
        }
        response.assign(static_cast<const char *>(wrapped.value), wrapped.length);
        gss_release_buffer(&minor, &wrapped);
        state_ = State::kChosen;
        return Step::kSend;
    }

    std::shared_ptr<KerberosCredential> credential_;
    gss_name_t target_ = GSS_C_NO_NAME;
    gss_ctx_id_t context_ = GSS_C_NO_CONTEXT;
    State state_ = State::kEstablishing;
    std::string first_message_;
};

// The producer's Kerberos login: the current credentials, and a new login
// from the keytab once they are 80% through their lifetime.
// Runs on: application thread (the first login), sender thread (start).
// Locks: mutex_ guards credential_ and renew_at_.
class KerberosLogin final : public SaslExchangeFactory {
public:
    KerberosLogin(KerberosSettings settings, std::shared_ptr<KerberosCredential> credential)
        : settings_(std::move(settings)) {
        adopt(std::move(credential));
    }

    std::unique_ptr<SaslExchange> start(const std::string &host, std::string &note,
                                        std::string &error) override {
        std::string login_error;
        std::shared_ptr<KerberosCredential> credential = current(note, login_error);
        if (Clock::now() >= credential->expires_at) {
            error = "the Kerberos ticket of " + credential->principal + " expired" +
                    (login_error.empty() ? "" : " and logging in again failed: " + login_error);
            note.clear();
            return nullptr;
        }
        auto exchange = std::make_unique<GssapiExchange>(std::move(credential));
        if (!exchange->start(settings_.service_name, host, error)) return nullptr;
        return exchange;
    }

private:
    void adopt(std::shared_ptr<KerberosCredential> credential) {
        const auto lifetime = credential->expires_at - Clock::now();
        renew_at_ = Clock::now() +
                    std::chrono::duration_cast<Clock::duration>(lifetime * kRenewWindowFactor);
        credential_ = std::move(credential);
    }

    // note: a new login, or why it failed; error: only the latter.
    std::shared_ptr<KerberosCredential> current(std::string &note, std::string &error) {
        std::lock_guard lock(mutex_);
        if (Clock::now() < renew_at_) return credential_;
        auto fresh = login_from_keytab(settings_, error);
        if (!fresh) {
            // Keep the old ticket while it lasts; try again at the next connection.
            note =
                "Kerberos: logging in again failed, the current ticket stays in use while "
                "it lasts: " +
                error;
            return credential_;
        }
        const auto seconds = [](Clock::duration d) {
            return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count());
        };
        note = "Kerberos: logged in again as " + fresh->principal + " from keytab " +
               settings_.keytab + " (the previous ticket expires in " +
               seconds(credential_->expires_at - Clock::now()) + " s, the new one in " +
               seconds(fresh->expires_at - Clock::now()) + " s)";
        adopt(std::move(fresh));
        return credential_;
    }

    const KerberosSettings settings_;
    std::mutex mutex_;
    std::shared_ptr<KerberosCredential> credential_;
    Clock::time_point renew_at_;
};

}  // namespace

bool gssapi_available() {
    return true;
}

std::shared_ptr<SaslExchangeFactory> make_gssapi_factory(const KerberosSettings &settings,
                                                         std::string &error) {
    auto credential = login_from_keytab(settings, error);
    if (!credential) return nullptr;
    return std::make_shared<KerberosLogin>(settings, std::move(credential));
}

}  // namespace kprod::client
