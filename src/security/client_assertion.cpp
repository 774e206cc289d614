#include "security/client_assertion.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <memory>

#include "protocol/base64.h"
#include "security/json_object.h"

namespace kprod::client {

namespace {

std::string openssl_error() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return "unknown OpenSSL error";
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return text;
}

using PrivateKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

PrivateKey read_private_key(const OidcSettings &s, std::string &error) {
    PrivateKey key(nullptr, EVP_PKEY_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> file(
        BIO_new_file(s.assertion_private_key_file.c_str(), "r"), BIO_free);
    if (!file) {
        error = "sasl.oauthbearer.assertion.private.key.file: cannot read " +
                s.assertion_private_key_file;
        ERR_clear_error();
        return key;
    }
    // A passphrase callback that never prompts: an encrypted key without a
    // passphrase fails instead of reading the terminal.
    std::string passphrase = s.assertion_private_key_passphrase;
    key.reset(PEM_read_bio_PrivateKey(
        file.get(), nullptr,
        [](char *buffer, int size, int, void *opaque) -> int {
            const auto *secret = static_cast<const std::string *>(opaque);
            if (secret->empty() || static_cast<int>(secret->size()) > size) return -1;
            secret->copy(buffer, secret->size());
            return static_cast<int>(secret->size());
        },
        &passphrase));
    if (!key)
        error = "sasl.oauthbearer.assertion.private.key.file: " + s.assertion_private_key_file +
                " holds no PEM private key that could be read" +
                (passphrase.empty() ? " (an encrypted key needs "
                                      "sasl.oauthbearer.assertion.private.key.passphrase)"
                                    : " with the passphrase given") +
                ": " + openssl_error();
    return key;
}

// ES256's JWS signature is R and S, 32 bytes each (RFC 7518 3.4), not OpenSSL's DER.
bool der_to_jws_ecdsa(const std::string &der, std::string &out) {
    const auto *bytes = reinterpret_cast<const unsigned char *>(der.data());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> signature(
        d2i_ECDSA_SIG(nullptr, &bytes, static_cast<long>(der.size())), ECDSA_SIG_free);
    if (!signature) return false;
    const BIGNUM *r = nullptr, *s = nullptr;
    ECDSA_SIG_get0(signature.get(), &r, &s);
    out.assign(64, '\0');
    auto *raw = reinterpret_cast<unsigned char *>(out.data());
    return BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32;
}

bool sign(EVP_PKEY *key, bool ecdsa, const std::string &input, std::string &signature,
          std::string &error) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    EVP_MD_CTX_free);
    size_t size = 0;
    if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
        EVP_DigestSign(context.get(), nullptr, &size,
                       reinterpret_cast<const unsigned char *>(input.data()), input.size()) != 1) {
        error = "cannot sign the assertion: " + openssl_error();
        return false;
    }
    std::string raw(size, '\0');
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(raw.data()), &size,
                       reinterpret_cast<const unsigned char *>(input.data()), input.size()) != 1) {
        error = "cannot sign the assertion: " + openssl_error();
        return false;
    }
    raw.resize(size);
    if (!ecdsa) {
        signature = std::move(raw);
        return true;
    }
    if (!der_to_jws_ecdsa(raw, signature)) {
        error = "cannot sign the assertion: ES256 needs an EC P-256 key";
        return false;
    }
    return true;
}

std::string random_jti() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) ERR_clear_error();
    return protocol::base64url_encode(
        std::string_view(reinterpret_cast<const char *>(bytes), sizeof bytes));
}

}  // namespace

bool make_client_assertion(const OidcSettings &s, int64_t now_seconds, std::string &assertion,
                           std::string &error) {
    PrivateKey key = read_private_key(s, error);
    if (!key) return false;
    const bool ecdsa = s.assertion_algorithm == "ES256";
    const int type = EVP_PKEY_get_base_id(key.get());
    if (ecdsa ? type != EVP_PKEY_EC : type != EVP_PKEY_RSA) {
        error = "sasl.oauthbearer.assertion.private.key.file: " + s.assertion_private_key_file +
                " holds no " + (ecdsa ? "EC" : "RSA") +
                " key, as sasl.oauthbearer.assertion.algorithm=" + s.assertion_algorithm + " needs";
        return false;
    }
    const std::string header =
        "{\"alg\":" + json_quote(s.assertion_algorithm) + ",\"typ\":\"JWT\"}";
    std::string claims = "{\"iat\":" + std::to_string(now_seconds) +
                         ",\"exp\":" + std::to_string(now_seconds + s.assertion_claim_exp_seconds) +
                         ",\"nbf\":" + std::to_string(now_seconds - s.assertion_claim_nbf_seconds);
    if (!s.assertion_claim_iss.empty()) claims += ",\"iss\":" + json_quote(s.assertion_claim_iss);
    if (!s.assertion_claim_sub.empty()) claims += ",\"sub\":" + json_quote(s.assertion_claim_sub);
    if (!s.assertion_claim_aud.empty()) claims += ",\"aud\":" + json_quote(s.assertion_claim_aud);
    if (s.assertion_claim_jti_include) claims += ",\"jti\":" + json_quote(random_jti());
    claims += "}";
    const std::string input =
        protocol::base64url_encode(header) + "." + protocol::base64url_encode(claims);
    std::string signature;
    if (!sign(key.get(), ecdsa, input, signature, error)) return false;
    assertion = input + "." + protocol::base64url_encode(signature);
    return true;
}

}  // namespace kprod::client
