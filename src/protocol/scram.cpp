#include "protocol/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

#include "protocol/base64.h"

namespace kprod::protocol {

namespace {

const EVP_MD *digest_of(ScramHash hash) {
    return hash == ScramHash::kSha256 ? EVP_sha256() : EVP_sha512();
}

std::string hmac(ScramHash hash, std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!HMAC(digest_of(hash), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char *>(data.data()), data.size(), out, &size))
        throw std::runtime_error("HMAC failed");
    return std::string(reinterpret_cast<char *>(out), size);
}

std::string digest(ScramHash hash, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!EVP_Digest(data.data(), data.size(), out, &size, digest_of(hash), nullptr))
        throw std::runtime_error("digest failed");
    return std::string(reinterpret_cast<char *>(out), size);
}

std::string random_nonce() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw std::runtime_error("no random bytes for a SCRAM nonce");
    return base64_encode(std::string_view(reinterpret_cast<char *>(bytes), sizeof bytes));
}

// One "k=value" attribute of a SCRAM message.
struct Attribute {
    char name;
    std::string_view value;
};

// Splits "a=1,b=2" into attributes; false when one is not "<letter>=...".
bool split_attributes(std::string_view message, std::vector<Attribute> &out, std::string &error) {
    out.clear();
    while (true) {
        const size_t comma = message.find(',');
        const std::string_view item = message.substr(0, comma);
        if (item.size() < 2 || item[1] != '=' ||
            !((item[0] >= 'a' && item[0] <= 'z') || (item[0] >= 'A' && item[0] <= 'Z'))) {
            error = "malformed SCRAM message: expected <letter>=<value> at attribute " +
                    std::to_string(out.size() + 1);
            return false;
        }
        out.push_back({item[0], item.substr(2)});
        if (comma == std::string_view::npos) return true;
        message.remove_prefix(comma + 1);
    }
}

bool printable_nonce(std::string_view nonce) {
    for (char c : nonce)
        if (c < 0x21 || c > 0x7E || c == ',') return false;
    return !nonce.empty();
}

}  // namespace

bool parse_scram_server_first(std::string_view message, ScramServerFirst &out, std::string &error) {
    std::vector<Attribute> attributes;
    if (!split_attributes(message, attributes, error)) return false;
    if (attributes[0].name == 'm') {
        error = "the broker asks for a SCRAM extension kprod does not know (m=)";
        return false;
    }
    if (attributes.size() < 3 || attributes[0].name != 'r' || attributes[1].name != 's' ||
        attributes[2].name != 'i') {
        error = "malformed SCRAM server-first message: expected r=...,s=...,i=...";
        return false;
    }
    ScramServerFirst parsed;
    parsed.nonce = attributes[0].value;
    if (!printable_nonce(parsed.nonce)) {
        error = "malformed SCRAM server-first message: the nonce is empty or not printable";
        return false;
    }
    if (!base64_decode(attributes[1].value, parsed.salt) || parsed.salt.empty()) {
        error = "malformed SCRAM server-first message: the salt is not base64";
        return false;
    }
    const std::string_view count = attributes[2].value;
    const auto [end, ec] =
        std::from_chars(count.data(), count.data() + count.size(), parsed.iterations);
    if (ec != std::errc() || end != count.data() + count.size() || parsed.iterations <= 0) {
        error =
            "malformed SCRAM server-first message: the iteration count is not a positive integer";
        return false;
    }
    out = std::move(parsed);
    return true;
}

bool parse_scram_server_final(std::string_view message, ScramServerFinal &out, std::string &error) {
    std::vector<Attribute> attributes;
    if (!split_attributes(message, attributes, error)) return false;
    ScramServerFinal parsed;
    if (attributes[0].name == 'e') {
        parsed.error = std::string(attributes[0].value);
    } else if (attributes[0].name != 'v' || !base64_decode(attributes[0].value, parsed.signature) ||
               parsed.signature.empty()) {
        error = "malformed SCRAM server-final message: expected v=<base64> or e=<error>";
        return false;
    }
    out = std::move(parsed);
    return true;
}

std::string scram_escape_username(std::string_view username) {
    std::string out;
    for (char c : username) {
        if (c == ',')
            out += "=2C";
        else if (c == '=')
            out += "=3D";
        else
            out += c;
    }
    return out;
}

std::string scram_salted_password(ScramHash hash, std::string_view password, std::string_view salt,
                                  int32_t iterations) {
    unsigned char out[EVP_MAX_MD_SIZE];
    const int size = EVP_MD_get_size(digest_of(hash));
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char *>(salt.data()),
                          static_cast<int>(salt.size()), iterations, digest_of(hash), size,
                          out) != 1)
        throw std::runtime_error("PBKDF2 failed");
    return std::string(reinterpret_cast<char *>(out), static_cast<size_t>(size));
}

ScramClient::ScramClient(ScramHash hash, std::string username, std::string password,
                         std::string client_nonce)
    : hash_(hash),
      username_(std::move(username)),
      password_(std::move(password)),
      client_nonce_(client_nonce.empty() ? random_nonce() : std::move(client_nonce)) {}

std::string ScramClient::client_first_bare() const {
    return "n=" + scram_escape_username(username_) + ",r=" + client_nonce_;
}

std::string ScramClient::client_first_message() const {
    return "n,," + client_first_bare();
}

bool ScramClient::on_server_first(std::string_view message, std::string &client_final,
                                  std::string &error) {
    ScramServerFirst first;
    if (!parse_scram_server_first(message, first, error)) return false;
    if (first.nonce.size() <= client_nonce_.size() ||
        first.nonce.compare(0, client_nonce_.size(), client_nonce_) != 0) {
        error = "the broker's SCRAM nonce does not extend ours";
        return false;
    }
    if (first.iterations < kMinIterations || first.iterations > kMaxIterations) {
        error = "the broker asks for " + std::to_string(first.iterations) +
                " SCRAM iterations; kprod accepts " + std::to_string(kMinIterations) + " to " +
                std::to_string(kMaxIterations);
        return false;
    }
    const std::string salted =
        scram_salted_password(hash_, password_, first.salt, first.iterations);
    const std::string client_key = hmac(hash_, salted, "Client Key");
    const std::string stored_key = digest(hash_, client_key);
    const std::string without_proof = "c=biws,r=" + first.nonce;  // biws: base64 of "n,,"
    const std::string auth_message =
        client_first_bare() + "," + std::string(message) + "," + without_proof;
    const std::string client_signature = hmac(hash_, stored_key, auth_message);
    std::string proof = client_key;
    for (size_t i = 0; i < proof.size(); ++i) proof[i] ^= client_signature[i];
    expected_server_signature_ = hmac(hash_, hmac(hash_, salted, "Server Key"), auth_message);
    client_final = without_proof + ",p=" + base64_encode(proof);
    return true;
}

bool ScramClient::on_server_final(std::string_view message, std::string &error) const {
    ScramServerFinal final_message;
    if (!parse_scram_server_final(message, final_message, error)) return false;
    if (final_message.error) {
        error = "the broker refused the SCRAM proof: " + *final_message.error;
        return false;
    }
    if (expected_server_signature_.empty() ||
        final_message.signature.size() != expected_server_signature_.size() ||
        CRYPTO_memcmp(final_message.signature.data(), expected_server_signature_.data(),
                      expected_server_signature_.size()) != 0) {
        error = "the broker's SCRAM signature is wrong: it does not know the password";
        return false;
    }
    return true;
}

}  // namespace kprod::protocol
