// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), the client side, as
// Kafka's ScramSaslClient runs it: no channel binding ("n,,"), no SASLprep
// (user names are only escaped), at least 4096 iterations.
//   client-first  n,,n=<user>,r=<client nonce>
//   server-first  r=<client nonce + server nonce>,s=<salt>,i=<iterations>
//   client-final  c=biws,r=<nonce>,p=<proof>
//   server-final  v=<server signature>  or  e=<error>
// The parsers take whatever a broker (or an attacker between us and it, on
// SASL_PLAINTEXT) sends; tests/fuzz/fuzz_scram.cpp runs them on random input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kprod::protocol {

enum class ScramHash { kSha256, kSha512 };

struct ScramServerFirst {
    std::string nonce;  // the client's nonce followed by the server's
    std::string salt;   // decoded
    int32_t iterations = 0;
};

struct ScramServerFinal {
    std::optional<std::string> error;  // e=...
    std::string signature;             // v=..., decoded
};

// False with a message saying what is wrong (no value of the message is quoted
// beyond the attribute name).
bool parse_scram_server_first(std::string_view message, ScramServerFirst &out, std::string &error);
bool parse_scram_server_final(std::string_view message, ScramServerFinal &out, std::string &error);

// RFC 5802's saslname: ',' becomes "=2C" and '=' becomes "=3D".
std::string scram_escape_username(std::string_view username);

// Hi(password, salt, iterations): PBKDF2 with HMAC over the hash.
std::string scram_salted_password(ScramHash hash, std::string_view password, std::string_view salt,
                                  int32_t iterations);

class ScramClient {
public:
    // client_nonce: printable, without ','; empty: 32 random bytes in base64.
    ScramClient(ScramHash hash, std::string username, std::string password,
                std::string client_nonce = {});

    std::string client_first_message() const;

    // The broker's first message: false with a message, or the client-final
    // message to send.
    bool on_server_first(std::string_view message, std::string &client_final, std::string &error);

    // The broker's last message: true when it proves it knows the password.
    bool on_server_final(std::string_view message, std::string &error) const;

    static constexpr int32_t kMinIterations = 4096;  // Kafka's minimum
    // Above what any broker uses; keeps a hostile one from costing minutes of PBKDF2.
    static constexpr int32_t kMaxIterations = 10'000'000;

private:
    std::string client_first_bare() const;

    ScramHash hash_;
    std::string username_;
    std::string password_;
    std::string client_nonce_;
    std::string expected_server_signature_;
};

}  // namespace kprod::protocol
