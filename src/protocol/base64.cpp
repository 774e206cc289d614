#include "protocol/base64.h"

#include <cstdint>

namespace kprod::protocol {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int value_of(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}
}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (size_t i = 0; i < bytes.size(); i += 3) {
        uint32_t group = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
        if (i + 1 < bytes.size())
            group |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8;
        if (i + 2 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 2]);
        out += kAlphabet[(group >> 18) & 63];
        out += kAlphabet[(group >> 12) & 63];
        out += i + 1 < bytes.size() ? kAlphabet[(group >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? kAlphabet[group & 63] : '=';
    }
    return out;
}

bool base64_decode(std::string_view text, std::string &out) {
    if (text.size() % 4 != 0) return false;
    std::string decoded;
    decoded.reserve(text.size() / 4 * 3);
    for (size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        const size_t padding = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
        if (padding == 1 && text[i + 2] == '=') return false;  // "x=y="
        uint32_t group = 0;
        for (size_t j = 0; j < 4; ++j) {
            const int v = j >= 4 - padding ? 0 : value_of(text[i + j]);
            if (v < 0) return false;
            group = (group << 6) | static_cast<uint32_t>(v);
        }
        decoded += static_cast<char>(group >> 16);
        if (padding < 2) decoded += static_cast<char>((group >> 8) & 0xFF);
        if (padding < 1) decoded += static_cast<char>(group & 0xFF);
    }
    out = std::move(decoded);
    return true;
}

std::string base64url_encode(std::string_view bytes) {
    std::string out = base64_encode(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char &c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
}

bool base64url_decode(std::string_view text, std::string &out) {
    if (text.size() % 4 == 1) return false;
    std::string standard(text);
    for (char &c : standard) {
        if (c == '+' || c == '/' || c == '=') return false;
        c = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    standard.append((4 - standard.size() % 4) % 4, '=');
    return base64_decode(standard, out);
}

}  // namespace kprod::protocol
