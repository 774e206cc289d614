// SaslExchange: the client side of a SASL mechanism that keeps state between
// its messages and needs the broker's host name: GSSAPI (Kerberos) and
// AWS_MSK_IAM. SaslAuthenticator carries its messages in SaslAuthenticate
// requests; a SaslExchangeFactory, made once by the configuration, starts one
// exchange per authentication (and re-authentication, KIP-368).
// Runs on: sender thread.
#pragma once

#include <memory>
#include <string>

namespace kprod::client {

class SaslExchange {
public:
    enum class Step {
        kSend,     // send response, then hand over the broker's answer
        kDone,     // authenticated; nothing more to send
        kRefused,  // the broker's message does not authenticate it, or cannot be answered
    };

    virtual ~SaslExchange() = default;
    // The client's first message.
    virtual const std::string &initial_response() const = 0;
    // The broker's message (the auth_bytes of a SaslAuthenticate answer) to
    // the last one sent: fills response for kSend, error for kRefused.
    virtual Step on_challenge(const std::string &challenge, std::string &response,
                              std::string &error) = 0;
    // Who authenticates, for logs: the Kerberos principal, the access key id.
    virtual const std::string &principal() const = 0;
};

class SaslExchangeFactory {
public:
    virtual ~SaslExchangeFactory() = default;
    // An exchange with the broker at host (as connected to, no port), or null
    // with error saying why (never quoting a secret). note: something worth an
    // info log line, such as a Kerberos re-login; else left empty.
    virtual std::unique_ptr<SaslExchange> start(const std::string &host, std::string &note,
                                                std::string &error) = 0;
};

}  // namespace kprod::client
