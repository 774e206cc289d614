// SaslAuthenticator: one SASL exchange on a connection (SASL_PLAINTEXT,
// SASL_SSL): after ApiVersions and before any other request, and again on the
// same connection when the broker's session ends (KIP-368). SaslHandshake
// names the mechanism, then SaslAuthenticate requests carry the mechanism's
// messages (PLAIN, OAUTHBEARER: one; SCRAM: two) until the broker accepts or
// refuses. No sockets here: Cluster sends the requests this encodes and hands
// back the answers.
// Runs on: sender thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "protocol/scram.h"
#include "security/sasl_exchange.h"

namespace kprod::client {

class SaslAuthenticator {
public:
    enum class Outcome {
        kSendAuthenticate,  // encode_authenticate() and send it
        kDone,              // authenticated
        kRefused,           // the broker refused: wrong credentials, mechanism not enabled
        kMalformed,         // an answer that cannot be parsed: a protocol failure
    };

    // authenticate_version: the negotiated SaslAuthenticate version.
    // token: OAUTHBEARER's current token (required for it, ignored otherwise).
    SaslAuthenticator(const SaslCredentials &credentials, int16_t authenticate_version,
                      const OAuthBearerToken *token = nullptr);
    // GSSAPI, AWS_MSK_IAM: the messages come from exchange.
    SaslAuthenticator(const SaslCredentials &credentials, int16_t authenticate_version,
                      std::unique_ptr<SaslExchange> exchange);

    void encode_handshake(std::vector<uint8_t> &out, int32_t correlation_id,
                          const std::string &client_id) const;
    void encode_authenticate(std::vector<uint8_t> &out, int32_t correlation_id,
                             const std::string &client_id) const;

    // error says why, for kRefused and kMalformed.
    Outcome on_handshake_response(const uint8_t *body, size_t size, std::string &error);
    Outcome on_authenticate_response(const uint8_t *body, size_t size, std::string &error);

    int16_t authenticate_version() const { return authenticate_version_; }
    // Who authenticates: the user name, or the OAUTHBEARER token's principal.
    const std::string &principal() const { return principal_; }
    // After kDone: how long the broker keeps the session before the client
    // must authenticate again (KIP-368); 0: no limit.
    int64_t session_lifetime_ms() const { return session_lifetime_ms_; }

private:
    Outcome on_mechanism_message(const std::string &message, std::string &error);

    SaslCredentials credentials_;  // a copy: the rotating pair as it was at the start
    int16_t authenticate_version_;
    std::unique_ptr<protocol::ScramClient> scram_;  // null for PLAIN
    std::unique_ptr<SaslExchange> exchange_;        // GSSAPI, AWS_MSK_IAM
    int round_ = 0;                                 // mechanism messages answered so far
    std::string next_message_;                      // what encode_authenticate sends
    std::string principal_;
    std::string oauthbearer_error_;  // the broker's JSON error, when it refused a token
    int64_t session_lifetime_ms_ = 0;
};

}  // namespace kprod::client
