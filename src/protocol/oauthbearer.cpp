#include "protocol/oauthbearer.h"

#include <cctype>

namespace kprod::protocol {

std::string oauthbearer_client_first_message(std::string_view token,
                                             const std::map<std::string, std::string> &extensions) {
    std::string message =
        "n,,\x01"
        "auth=Bearer ";
    message += token;
    message += '\x01';
    for (const auto &[key, value] : extensions) message += key + "=" + value + "\x01";
    message += '\x01';
    return message;
}

bool valid_bearer_token(std::string_view token) {
    size_t i = 0;
    while (i < token.size()) {
        const auto c = static_cast<unsigned char>(token[i]);
        if (!std::isalnum(c) && c != '-' && c != '.' && c != '_' && c != '~' && c != '+' &&
            c != '/')
            break;
        ++i;
    }
    if (i == 0) return false;
    while (i < token.size() && token[i] == '=') ++i;
    return i == token.size();
}

bool valid_sasl_extension(std::string_view key, std::string_view value, std::string &error) {
    bool letters = !key.empty();
    for (char c : key) letters = letters && std::isalpha(static_cast<unsigned char>(c));
    if (!letters) {
        error = "SASL extension name \"" + std::string(key) + "\": expected letters only";
        return false;
    }
    if (key == "auth") {
        error = "SASL extension name \"auth\" is reserved for the token";
        return false;
    }
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (!(u >= 0x21 && u <= 0x7E) && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            error = "SASL extension " + std::string(key) +
                    ": its value may hold only printable ASCII, space, tab, CR and LF";
            return false;
        }
    }
    return true;
}

}  // namespace kprod::protocol
