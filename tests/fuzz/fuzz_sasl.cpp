// Fuzz target over what a broker sends during SASL: the SaslHandshake and
// SaslAuthenticate responses and the SCRAM server messages inside them, parsed
// alone and run through a whole SCRAM client exchange. On SASL_PLAINTEXT
// these bytes come from anyone on the path. Input layout:
//   byte 0: what to read (modulo 5): 0 server-first, 1 server-final,
//           2 SCRAM exchange (rest is server-first '\n' server-final),
//           3 SaslHandshake response, 4 SaslAuthenticate response
//   byte 1: SCRAM hash (even: SHA-256, odd: SHA-512) or SaslAuthenticate version
//   rest:   the bytes
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/api.h"
#include "protocol/sasl_authenticate.h"
#include "protocol/sasl_handshake.h"
#include "protocol/scram.h"

namespace {

using namespace kprod::protocol;

// PBKDF2 costs grow with the iteration count; bigger ones test nothing more.
constexpr int32_t kMaxFuzzIterations = 8192;

volatile size_t sink = 0;

void read_server_first(std::string_view text) {
    ScramServerFirst first;
    std::string error;
    if (parse_scram_server_first(text, first, error)) {
        if (first.nonce.empty() || first.salt.empty() || first.iterations <= 0) std::abort();
        sink = sink + first.nonce.size() + first.salt.size();
    } else if (error.empty()) {
        std::abort();  // a refusal always says why
    }
}

void read_server_final(std::string_view text) {
    ScramServerFinal final_message;
    std::string error;
    if (parse_scram_server_final(text, final_message, error)) {
        if (!final_message.error && final_message.signature.empty()) std::abort();
        sink = sink + final_message.signature.size();
    } else if (error.empty()) {
        std::abort();
    }
}

void run_exchange(ScramHash hash, std::string_view text) {
    const size_t newline = text.find('\n');
    const std::string_view first = text.substr(0, newline);
    const std::string_view last = newline == std::string_view::npos ? "" : text.substr(newline + 1);
    ScramServerFirst parsed;
    std::string error;
    if (parse_scram_server_first(first, parsed, error) && parsed.iterations > kMaxFuzzIterations)
        return;
    // A fixed nonce, so that inputs can extend it ("r=fuzznonce...").
    ScramClient client(hash, "user", "pencil", "fuzznonce");
    std::string client_final;
    if (!client.on_server_first(first, client_final, error)) {
        if (error.empty()) std::abort();
        return;
    }
    if (client_final.find(",p=") == std::string::npos) std::abort();
    // A random signature must never pass.
    if (client.on_server_final(last, error) && last.size() < 46) std::abort();
}

void read_handshake(const uint8_t *body, size_t size) {
    SaslHandshakeResponse response;
    sink = sink + decode_sasl_handshake_response(body, size, response);
    for (const std::string &name : response.enabled_mechanisms) sink = sink + name.size();
}

void read_authenticate(const uint8_t *body, size_t size, uint8_t version_byte) {
    const auto version = static_cast<int16_t>(version_byte % (kSaslAuthenticateVersions.max + 1));
    SaslAuthenticateResponse response;
    sink = sink + decode_sasl_authenticate_response(body, size, version, response);
    sink = sink + response.auth_bytes.size() +
           (response.error_message ? response.error_message->size() : 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const uint8_t *body = data + 2;
    const size_t body_size = size - 2;
    const std::string_view text(reinterpret_cast<const char *>(body), body_size);
    const ScramHash hash = data[1] % 2 == 0 ? ScramHash::kSha256 : ScramHash::kSha512;
    switch (data[0] % 5) {
    case 0:
        read_server_first(text);
        break;
    case 1:
        read_server_final(text);
        break;
    case 2:
        run_exchange(hash, text);
        break;
    case 3:
        read_handshake(body, body_size);
        break;
    case 4:
        read_authenticate(body, body_size, data[1]);
        break;
    }
    return 0;
}
