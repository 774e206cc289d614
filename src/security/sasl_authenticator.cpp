#include "security/sasl_authenticator.h"

#include "protocol/error_codes.h"
#include "protocol/oauthbearer.h"
#include "protocol/sasl_authenticate.h"
#include "protocol/sasl_handshake.h"

namespace kprod::client {

SaslAuthenticator::SaslAuthenticator(const SaslCredentials &credentials,
                                     int16_t authenticate_version, const OAuthBearerToken *token)
    : credentials_(credentials),
      authenticate_version_(authenticate_version),
      principal_(credentials.username) {
    if (credentials.rotating) {
        credentials_.rotating->current(credentials_.username, credentials_.password);
        principal_ = credentials_.username;
    }
    if (credentials.mechanism == SaslMechanism::kOAuthBearer) {
        next_message_ = protocol::oauthbearer_client_first_message(token ? token->value : "",
                                                                   credentials.extensions);
        if (token) principal_ = token->principal;
    } else if (credentials.mechanism == SaslMechanism::kPlain) {
        // RFC 4616: authzid NUL authcid NUL password; no authzid.
        next_message_ = std::string(1, '\0') + credentials_.username + '\0' + credentials_.password;
    } else {
        const auto hash = credentials.mechanism == SaslMechanism::kScramSha256
                              ? protocol::ScramHash::kSha256
                              : protocol::ScramHash::kSha512;
        scram_ = std::make_unique<protocol::ScramClient>(hash, credentials_.username,
                                                         credentials_.password);
        next_message_ = scram_->client_first_message();
    }
}

SaslAuthenticator::SaslAuthenticator(const SaslCredentials &credentials,
                                     int16_t authenticate_version,
                                     std::unique_ptr<SaslExchange> exchange)
    : credentials_(credentials),
      authenticate_version_(authenticate_version),
      exchange_(std::move(exchange)),
      next_message_(exchange_->initial_response()),
      principal_(exchange_->principal()) {}

void SaslAuthenticator::encode_handshake(std::vector<uint8_t> &out, int32_t correlation_id,
                                         const std::string &client_id) const {
    protocol::encode_sasl_handshake_request(out, correlation_id, client_id,
                                            credentials_.mechanism_name);
}

void SaslAuthenticator::encode_authenticate(std::vector<uint8_t> &out, int32_t correlation_id,
                                            const std::string &client_id) const {
    protocol::encode_sasl_authenticate_request(out, authenticate_version_, correlation_id,
                                               client_id, next_message_);
}

SaslAuthenticator::Outcome SaslAuthenticator::on_handshake_response(const uint8_t *body,
                                                                    size_t size,
                                                                    std::string &error) {
    protocol::SaslHandshakeResponse response;
    if (!protocol::decode_sasl_handshake_response(body, size, response)) {
        error = "malformed SaslHandshake response";
        return Outcome::kMalformed;
    }
    if (response.error_code == protocol::kNone) return Outcome::kSendAuthenticate;
    std::string enabled;
    for (const std::string &name : response.enabled_mechanisms)
        enabled += (enabled.empty() ? "" : ", ") + name;
    error = "the broker does not enable SASL mechanism " + credentials_.mechanism_name +
            " on this listener (" + std::string(protocol::kafka_error_name(response.error_code)) +
            "; it enables: " + (enabled.empty() ? "none" : enabled) + ")";
    return Outcome::kRefused;
}

SaslAuthenticator::Outcome SaslAuthenticator::on_authenticate_response(const uint8_t *body,
                                                                       size_t size,
                                                                       std::string &error) {
    protocol::SaslAuthenticateResponse response;
    if (!protocol::decode_sasl_authenticate_response(body, size, authenticate_version_, response)) {
        error = "malformed SaslAuthenticate response";
        return Outcome::kMalformed;
    }
    if (response.error_code != protocol::kNone) {
        error = std::string(protocol::kafka_error_name(response.error_code)) +
                (response.error_message ? ": " + *response.error_message : "") +
                (oauthbearer_error_.empty()
                     ? ""
                     : " (the broker's answer to the token: " + oauthbearer_error_ + ")");
        return Outcome::kRefused;
    }
    session_lifetime_ms_ = response.session_lifetime_ms;
    return on_mechanism_message(response.auth_bytes, error);
}

SaslAuthenticator::Outcome SaslAuthenticator::on_mechanism_message(const std::string &message,
                                                                   std::string &error) {
    ++round_;
    if (exchange_) {
        switch (exchange_->on_challenge(message, next_message_, error)) {
        case SaslExchange::Step::kSend:
            return Outcome::kSendAuthenticate;
        case SaslExchange::Step::kDone:
            return Outcome::kDone;
        case SaslExchange::Step::kRefused:
            break;
        }
        return Outcome::kRefused;
    }
    if (credentials_.mechanism == SaslMechanism::kOAuthBearer) {
        // RFC 7628 3.2.3: an error comes as a challenge; acknowledge it, and
        // the broker ends the exchange with SASL_AUTHENTICATION_FAILED.
        if (round_ == 1 && !message.empty()) {
            oauthbearer_error_ = message;
            next_message_ = std::string(protocol::kOAuthBearerErrorAcknowledgement);
            return Outcome::kSendAuthenticate;
        }
        if (!oauthbearer_error_.empty()) {
            error = "the broker refused the token: " + oauthbearer_error_;
            return Outcome::kRefused;
        }
        return Outcome::kDone;
    }
    if (!scram_) return Outcome::kDone;  // PLAIN: the broker accepted the one message
    if (round_ == 1) {
        if (!scram_->on_server_first(message, next_message_, error)) return Outcome::kRefused;
        return Outcome::kSendAuthenticate;
    }
    if (!scram_->on_server_final(message, error)) return Outcome::kRefused;
    return Outcome::kDone;
}

}  // namespace kprod::client
