#include "net/tls_client.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace kprod::net {

namespace {

using StoreType = TlsOptions::StoreType;

struct Pkcs12Contents {
    EVP_PKEY *key = nullptr;
    X509 *certificate = nullptr;
    STACK_OF(X509) *chain = nullptr;
    ~Pkcs12Contents() {
        EVP_PKEY_free(key);
        X509_free(certificate);
        sk_X509_pop_free(chain, X509_free);
    }
};

struct CertificateList {
    std::vector<X509 *> items;
    ~CertificateList() {
        for (X509 *c : items) X509_free(c);
    }
};

// The reason of OpenSSL's most recent error, and an empty queue afterwards.
std::string openssl_reason() {
    unsigned long last = 0;
    while (unsigned long e = ERR_get_error()) last = e;
    if (last == 0) return "unknown OpenSSL error";
    const char *reason = ERR_reason_error_string(last);
    return reason ? reason : "OpenSSL error " + std::to_string(last);
}

bool read_file(std::string_view property, const std::string &path, std::string &out,
               std::string &error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = std::string(property) + ": cannot read " + path;
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    out = text.str();
    return true;
}

// Java's JKS files start with 0xFEEDFEED; OpenSSL cannot read them.
bool refuse_jks(std::string_view property, const std::string &path, const std::string &bytes,
                std::string_view type_property, std::string &error) {
    if (bytes.size() < 4 || static_cast<uint8_t>(bytes[0]) != 0xFE ||
        static_cast<uint8_t>(bytes[1]) != 0xED || static_cast<uint8_t>(bytes[2]) != 0xFE ||
        static_cast<uint8_t>(bytes[3]) != 0xED)
        return false;
    error = std::string(property) + ": " + path +
            " is a JKS keystore, which kprod cannot read; convert it to PKCS12 with: keytool "
            "-importkeystore -srckeystore " +
            path + " -srcstoretype JKS -destkeystore " + path +
            ".p12 -deststoretype PKCS12, then point " + std::string(property) +
            " at the .p12 file and set " + std::string(type_property) + "=PKCS12";
    return true;
}

bool parse_pem_certificates(const std::string &text, CertificateList &out) {
    BIO *bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
    while (X509 *cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr))
        out.items.push_back(cert);
    BIO_free(bio);
    ERR_clear_error();  // the end of the text reads as an error
    return !out.items.empty();
}

int password_callback(char *buffer, int size, int, void *user_data) {
    const auto *password = static_cast<const std::string *>(user_data);
    // No password: fail instead of letting OpenSSL prompt on a terminal.
    if (password->empty() || password->size() > static_cast<size_t>(size)) return -1;
    password->copy(buffer, password->size());
    return static_cast<int>(password->size());
}

bool parse_pkcs12(std::string_view property, const std::string &path, const std::string &bytes,
                  const std::string &password, std::string_view password_property,
                  Pkcs12Contents &out, std::string &error) {
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.data());
    PKCS12 *p12 = d2i_PKCS12(nullptr, &data, static_cast<long>(bytes.size()));
    if (!p12) {
        ERR_clear_error();
        error = std::string(property) + ": " + path + " is not a PKCS12 file";
        return false;
    }
    const bool parsed = PKCS12_parse(p12, password.c_str(), &out.key, &out.certificate, &out.chain);
    PKCS12_free(p12);
    if (!parsed) {
        error = std::string(property) + ": cannot open " + path + " (" + openssl_reason() +
                "): is " + std::string(password_property) + " right?";
        return false;
    }
    return true;
}

bool add_trusted(X509_STORE *store, X509 *cert, std::string &error) {
    if (X509_STORE_add_cert(store, cert) == 1) return true;
    const unsigned long e = ERR_peek_last_error();
    if (ERR_GET_REASON(e) == X509_R_CERT_ALREADY_IN_HASH_TABLE) {
        ERR_clear_error();
        return true;
    }
    error = "cannot trust a certificate: " + openssl_reason();
    return false;
}

bool load_truststore(SSL_CTX *context, const TlsOptions &o, std::string &error) {
    X509_STORE *store = SSL_CTX_get_cert_store(context);
    if (!o.truststore_certificates.empty() && o.truststore_type != StoreType::kPem) {
        error = "ssl.truststore.certificates needs ssl.truststore.type=PEM";
        return false;
    }
    if (!o.truststore_certificates.empty() && !o.truststore_location.empty()) {
        error = "set ssl.truststore.location or ssl.truststore.certificates, not both";
        return false;
    }
    if (o.truststore_certificates.empty() && o.truststore_location.empty()) {
        if (SSL_CTX_set_default_verify_paths(context) == 1) return true;
        error = "cannot load the system CA store: " + openssl_reason();
        return false;
    }
    std::string bytes = o.truststore_certificates;
    if (bytes.empty() && !read_file("ssl.truststore.location", o.truststore_location, bytes, error))
        return false;
    if (o.truststore_type == StoreType::kPem) {
        CertificateList certs;
        if (!parse_pem_certificates(bytes, certs)) {
            error = o.truststore_location.empty()
                        ? "ssl.truststore.certificates: no PEM certificate found"
                        : "ssl.truststore.location: no PEM certificate found in " +
                              o.truststore_location;
            return false;
        }
        for (X509 *cert : certs.items)
            if (!add_trusted(store, cert, error)) return false;
        return true;
    }
    if (refuse_jks("ssl.truststore.location", o.truststore_location, bytes, "ssl.truststore.type",
                   error))
        return false;
    // JKS (Java's default type) holding a PKCS12 file is read as PKCS12, as Java 9+ does.
    Pkcs12Contents contents;
    if (!parse_pkcs12("ssl.truststore.location", o.truststore_location, bytes,
                      o.truststore_password, "ssl.truststore.password", contents, error))
        return false;
    int added = 0;
    if (contents.certificate) {
        if (!add_trusted(store, contents.certificate, error)) return false;
        ++added;
    }
    for (int i = 0; contents.chain && i < sk_X509_num(contents.chain); ++i, ++added)
        if (!add_trusted(store, sk_X509_value(contents.chain, i), error)) return false;
    if (added == 0) {
        error = "ssl.truststore.location: no certificate in " + o.truststore_location;
        return false;
    }
    return true;
}

bool use_identity(SSL_CTX *context, EVP_PKEY *key, X509 *certificate,
                  const std::vector<X509 *> &chain, std::string_view where, std::string &error) {
    if (SSL_CTX_use_certificate(context, certificate) != 1 ||
        SSL_CTX_use_PrivateKey(context, key) != 1) {
        error = std::string(where) + ": cannot use the certificate and key: " + openssl_reason();
        return false;
    }
    if (SSL_CTX_check_private_key(context) != 1) {
        ERR_clear_error();
        error = std::string(where) + ": the private key does not match the certificate";
        return false;
    }
    for (X509 *cert : chain) {
        if (SSL_CTX_add1_chain_cert(context, cert) != 1) {
            error = std::string(where) + ": cannot use the certificate chain: " + openssl_reason();
            return false;
        }
    }
    return true;
}

bool load_pem_keystore(SSL_CTX *context, const TlsOptions &o, std::string &error) {
    const bool inline_pem = !o.keystore_key.empty() || !o.keystore_certificate_chain.empty();
    if (inline_pem && !o.keystore_location.empty()) {
        error =
            "set ssl.keystore.location or ssl.keystore.key with "
            "ssl.keystore.certificate.chain, not both";
        return false;
    }
    if (inline_pem && (o.keystore_key.empty() || o.keystore_certificate_chain.empty())) {
        error = "ssl.keystore.key and ssl.keystore.certificate.chain go together: set both";
        return false;
    }
    std::string key_text = o.keystore_key, chain_text = o.keystore_certificate_chain;
    const std::string where = inline_pem ? "ssl.keystore.key" : "ssl.keystore.location";
    if (!inline_pem) {
        if (!read_file("ssl.keystore.location", o.keystore_location, key_text, error)) return false;
        chain_text = key_text;
    }
    CertificateList chain;
    if (!parse_pem_certificates(chain_text, chain)) {
        error =
            (inline_pem ? "ssl.keystore.certificate.chain" : where) + ": no PEM certificate found";
        return false;
    }
    BIO *bio = BIO_new_mem_buf(key_text.data(), static_cast<int>(key_text.size()));
    std::string password = o.key_password;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, nullptr, password_callback, &password);
    BIO_free(bio);
    if (!key) {
        const std::string reason = openssl_reason();
        error = where + ": cannot read the private key (" + reason + ")" +
                (o.key_password.empty() ? "; if it is encrypted, set ssl.key.password"
                                        : "; is ssl.key.password right?");
        return false;
    }
    const std::vector<X509 *> rest(chain.items.begin() + 1, chain.items.end());
    const bool ok = use_identity(context, key, chain.items.front(), rest, where, error);
    EVP_PKEY_free(key);
    return ok;
}

bool load_keystore(SSL_CTX *context, const TlsOptions &o, std::string &error) {
    if (o.keystore_type == StoreType::kPem) return load_pem_keystore(context, o, error);
    if (!o.keystore_key.empty() || !o.keystore_certificate_chain.empty()) {
        error = "ssl.keystore.key and ssl.keystore.certificate.chain need ssl.keystore.type=PEM";
        return false;
    }
    if (o.keystore_location.empty()) return true;  // no client certificate
    std::string bytes;
    if (!read_file("ssl.keystore.location", o.keystore_location, bytes, error)) return false;
    if (refuse_jks("ssl.keystore.location", o.keystore_location, bytes, "ssl.keystore.type", error))
        return false;
    Pkcs12Contents contents;
    if (!parse_pkcs12("ssl.keystore.location", o.keystore_location, bytes, o.keystore_password,
                      "ssl.keystore.password", contents, error))
        return false;
    if (!contents.key || !contents.certificate) {
        error = "ssl.keystore.location: " + o.keystore_location +
                " holds no private key with its certificate";
        return false;
    }
    std::vector<X509 *> chain;
    for (int i = 0; contents.chain && i < sk_X509_num(contents.chain); ++i)
        chain.push_back(sk_X509_value(contents.chain, i));
    return use_identity(context, contents.key, contents.certificate, chain, "ssl.keystore.location",
                        error);
}

std::vector<std::string> split_commas(const std::string &text) {
    std::vector<std::string> items;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ',')) {
        const size_t begin = item.find_first_not_of(" \t");
        const size_t end = item.find_last_not_of(" \t");
        if (begin != std::string::npos) items.push_back(item.substr(begin, end - begin + 1));
    }
    return items;
}

bool set_protocols(SSL_CTX *context, const std::string &enabled, std::string &error) {
    int low = 0, high = 0;
    for (const std::string &name : split_commas(enabled)) {
        const int version = name == "TLSv1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
        if (low == 0 || version < low) low = version;
        if (version > high) high = version;
    }
    if (low == 0) {
        error = "ssl.enabled.protocols: no protocol enabled";
        return false;
    }
    SSL_CTX_set_min_proto_version(context, low);
    SSL_CTX_set_max_proto_version(context, high);
    return true;
}

// Java names suites by their IANA names (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
// OpenSSL by its own (ECDHE-RSA-AES128-GCM-SHA256) except for TLS 1.3 ones.
bool set_cipher_suites(SSL_CTX *context, const std::string &suites, std::string &error) {
    if (suites.empty()) return true;
    std::string tls12, tls13;
    SSL *probe = SSL_new(context);
    SSL_set_cipher_list(probe, "ALL:COMPLEMENTOFALL");
    STACK_OF(SSL_CIPHER) *known = SSL_get_ciphers(probe);
    for (const std::string &name : split_commas(suites)) {
        std::string openssl_name = name;
        bool is_tls13 = false;
        for (int i = 0; i < sk_SSL_CIPHER_num(known); ++i) {
            const SSL_CIPHER *cipher = sk_SSL_CIPHER_value(known, i);
            if (name == SSL_CIPHER_standard_name(cipher) || name == SSL_CIPHER_get_name(cipher)) {
                openssl_name = SSL_CIPHER_get_name(cipher);
                is_tls13 = std::string_view(SSL_CIPHER_get_version(cipher)) == "TLSv1.3";
                break;
            }
        }
        std::string &list = is_tls13 ? tls13 : tls12;
        list += (list.empty() ? "" : ":") + openssl_name;
    }
    SSL_free(probe);
    if (!tls12.empty() && SSL_CTX_set_cipher_list(context, tls12.c_str()) != 1) {
        ERR_clear_error();
        error = "ssl.cipher.suites: none of " + suites + " is a cipher suite OpenSSL knows";
        return false;
    }
    if (!tls13.empty() && SSL_CTX_set_ciphersuites(context, tls13.c_str()) != 1) {
        ERR_clear_error();
        error = "ssl.cipher.suites: cannot enable the TLS 1.3 suites " + tls13;
        return false;
    }
    return true;
}

}  // namespace

TlsClient::TlsClient(bool verify_hostname)
    : context_(std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client)),
      verify_hostname_(verify_hostname) {}

std::shared_ptr<TlsClient> TlsClient::create(const TlsOptions &options, std::string &error) {
    ERR_clear_error();
    std::shared_ptr<TlsClient> client(new TlsClient(options.verify_hostname));
    SSL_CTX *context = client->context_->native_handle();
    if (!set_protocols(context, options.enabled_protocols, error) ||
        !set_cipher_suites(context, options.cipher_suites, error) ||
        !load_truststore(context, options, error) || !load_keystore(context, options, error))
        return nullptr;
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
    return client;
}

bool TlsClient::configure(SSL *ssl, const std::string &host, std::string &error) const {
    asio::error_code not_an_address;
    asio::ip::make_address(host, not_an_address);
    // SNI carries names only, never addresses (RFC 6066).
    if (not_an_address && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
        error = "cannot set the TLS server name " + host + ": " + openssl_reason();
        return false;
    }
    if (!verify_hostname_) return true;
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
    const bool set = not_an_address ? X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0) == 1
                                    : X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
    if (!set) {
        error = "cannot check the broker's certificate against " + host + ": " + openssl_reason();
        return false;
    }
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return true;
}

std::string TlsClient::describe_handshake_failure(SSL *ssl, const asio::error_code &ec) {
    const long result = SSL_get_verify_result(ssl);
    std::string text = ec.message();
    if (result != X509_V_OK)
        text = std::string("the broker's certificate was refused: ") +
               X509_verify_cert_error_string(result);
    ERR_clear_error();
    return text;
}

}  // namespace kprod::net
