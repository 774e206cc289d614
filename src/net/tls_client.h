// TlsClient: the TLS side of every connection to the brokers: one OpenSSL
// context (what to trust, which certificate to present, which protocols and
// ciphers) built once at kprod_new, and the per-connection setup (SNI, host
// name check). Read-only after create(): shared by every Connection.
// Runs on: application thread (create), sender thread (configure).
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <memory>
#include <string>

namespace kprod::net {

struct TlsOptions {
    enum class StoreType { kJks, kPkcs12, kPem };
    // Trust: a file (PKCS12 or PEM), PEM text, or else the system CA store.
    StoreType truststore_type = StoreType::kJks;
    std::string truststore_location;
    std::string truststore_password;
    std::string truststore_certificates;  // PEM text
    // The client certificate (mutual TLS): a file, or PEM text for key and chain.
    StoreType keystore_type = StoreType::kJks;
    std::string keystore_location;
    std::string keystore_password;
    std::string keystore_key;                // PEM text
    std::string keystore_certificate_chain;  // PEM text
    std::string key_password;                // of an encrypted PEM key
    std::string enabled_protocols;           // "TLSv1.2,TLSv1.3"
    std::string cipher_suites;               // comma-separated, IANA or OpenSSL names
    bool verify_hostname = true;
};

class TlsClient {
public:
    // Builds the context; null with a message naming the property at fault
    // (unreadable file, wrong password, JKS, no certificate found, ...).
    static std::shared_ptr<TlsClient> create(const TlsOptions &options, std::string &error);

    asio::ssl::context &context() const { return *context_; }

    // Per connection, before the handshake: SNI and the expected host name or
    // address. False with a message when OpenSSL refuses them.
    bool configure(SSL *ssl, const std::string &host, std::string &error) const;

    // Why a handshake failed, as precisely as OpenSSL says: the certificate
    // verification result ("certificate has expired", "hostname mismatch")
    // when there is one, else the error code's text.
    static std::string describe_handshake_failure(SSL *ssl, const asio::error_code &ec);

private:
    explicit TlsClient(bool verify_hostname);
    std::unique_ptr<asio::ssl::context> context_;
    bool verify_hostname_;
};

}  // namespace kprod::net
